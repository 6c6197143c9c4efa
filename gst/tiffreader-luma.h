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

/* The ways of computing it: the plain loop, or the SSSE3 or AVX2 one
 * (x86-64 builds with the x86 paths only); AUTO is the fastest the CPU
 * runs. */
typedef enum
{
  BW_TIFF_LUMA_PATH_AUTO,
  BW_TIFF_LUMA_PATH_SCALAR,
  BW_TIFF_LUMA_PATH_SSSE3,
  BW_TIFF_LUMA_PATH_AVX2,
} BwTiffLumaPath;

/* Whether this build has path and this CPU runs it. */
gboolean bw_tiff_luma_path_supported (BwTiffLumaPath path);

/* bw_tiff_luma_row() by the given path, which must be supported; the same
 * bytes by every path. */
void bw_tiff_luma_row_path (BwTiffLumaPath path, const guint8 * src,
    guint src_bpp, guint8 * dst, guint n);

G_END_DECLS
#endif /* __BW_TIFF_READER_LUMA_H__ */
