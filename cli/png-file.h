/* gst-blockwise command line: a cairo picture as a PNG file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BC_PNG_FILE_H__
#define __BC_PNG_FILE_H__

#include <cairo.h>
#include "output-set.h"

G_BEGIN_DECLS

/* Writes an RGB24 image surface into out as an 8-bit RGB PNG (the pixels
 * cairo_surface_write_to_png() writes, compressed for speed).  FALSE when
 * writing failed: out records why (bc_output_report()). */
gboolean bc_png_write (cairo_surface_t * surface, BcOutput * out);

G_END_DECLS

#endif /* __BC_PNG_FILE_H__ */
