/* gst-blockwise: the luma of 8-bit RGB and RGBA pixels, as GRAY8.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BW_TIFF_READER_LUMA_H__
#define __BW_TIFF_READER_LUMA_H__

#include <glib.h>

G_BEGIN_DECLS
/* Writes the luma of n pixels of src (3 bytes each, RGB, or 4, RGBA with
 * the alpha ignored) to dst, one byte each: the same bytes as GStreamer's
 * videoconvert gives when it converts RGB or RGBA to GRAY8. */
void bw_tiff_luma_row (const guint8 * src, guint src_bpp, guint8 * dst,
    guint n);

G_END_DECLS
#endif /* __BW_TIFF_READER_LUMA_H__ */
