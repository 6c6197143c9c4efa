/* gst-blockwise command line: a cairo picture as a PNG file (see png-file.h).
 *
 * cairo's own PNG writer takes libpng's defaults: zlib level 6 and every
 * row tried with every filter, which on a grid of noisy values (sub-pixel
 * displacements) costs more than all the rest of the outputs.  Level 1
 * with the Up filter only (a block's pixel rows repeat) compresses about
 * ten times faster, for files up to half as large again.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <png.h>

#include "png-file.h"

/* Writes go out in pieces of this size, not one per PNG chunk part. */
#define WRITE_BUFFER_SIZE (64 * 1024)
/* IDAT chunks of this size: fewer chunks to checksum and write. */
#define COMPRESSION_BUFFER_SIZE (256 * 1024)

typedef struct
{
  BcOutput *out;
  guint8 *buf;
  gsize len;
} PngWriter;

static gboolean
flush_buffer (PngWriter * w)
{
  gboolean ok = bc_output_write (w->out, w->buf, w->len);

  w->len = 0;
  return ok;
}

static void
write_data (png_structp png, png_bytep data, png_size_t length)
{
  PngWriter *w = png_get_io_ptr (png);

  if (w->len + length > WRITE_BUFFER_SIZE && !flush_buffer (w))
    png_error (png, "write failed");
  if (length >= WRITE_BUFFER_SIZE) {
    if (!bc_output_write (w->out, data, length))
      png_error (png, "write failed");
    return;
  }
  memcpy (w->buf + w->len, data, length);
  w->len += length;
}

static void
flush_data (png_structp png)
{
}

/* libpng's message, for the output's error when no errno says more. */
static void
png_failed (png_structp png, png_const_charp message)
{
  PngWriter *w = png_get_error_ptr (png);

  bc_output_fail (w->out, 0, message);
  png_longjmp (png, 1);
}

static void
png_warned (png_structp png, png_const_charp message)
{
}

gboolean
bc_png_write (cairo_surface_t * surface, BcOutput * out)
{
  gint width = cairo_image_surface_get_width (surface);
  gint height = cairo_image_surface_get_height (surface);
  gint stride = cairo_image_surface_get_stride (surface);
  const guint8 *data;
  PngWriter w = { out, NULL, 0 };
  png_structp png;
  png_infop info;
  png_color_16 white = { 0, 255, 255, 255, 255 };
  guint8 *row;
  volatile gboolean ok = FALSE;
  gint x, y;

  g_return_val_if_fail (cairo_image_surface_get_format (surface) ==
      CAIRO_FORMAT_RGB24, FALSE);
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  png = png_create_write_struct (PNG_LIBPNG_VER_STRING, &w, png_failed,
      png_warned);
  info = png ? png_create_info_struct (png) : NULL;
  if (!info) {
    bc_output_fail (out, 0, "out of memory for the PNG encoder");
    png_destroy_write_struct (&png, NULL);
    return FALSE;
  }
  w.buf = g_malloc (WRITE_BUFFER_SIZE);
  row = g_malloc ((gsize) width * 3);
  if (setjmp (png_jmpbuf (png)))
    goto done;
  png_set_write_fn (png, &w, write_data, flush_data);
  png_set_compression_level (png, 1);
  png_set_filter (png, PNG_FILTER_TYPE_BASE, PNG_FILTER_UP);
  png_set_compression_buffer_size (png, COMPRESSION_BUFFER_SIZE);
  png_set_IHDR (png, info, width, height, 8, PNG_COLOR_TYPE_RGB,
      PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
      PNG_FILTER_TYPE_DEFAULT);
  /* The background cairo's writer declares. */
  png_set_bKGD (png, info, &white);
  png_write_info (png, info);
  for (y = 0; y < height; y++) {
    const guint32 *px = (const guint32 *) (data + (gsize) y * stride);

    for (x = 0; x < width; x++) {
      row[3 * x] = px[x] >> 16;
      row[3 * x + 1] = px[x] >> 8;
      row[3 * x + 2] = px[x];
    }
    png_write_row (png, row);
  }
  png_write_end (png, info);
  ok = flush_buffer (&w);

done:
  png_destroy_write_struct (&png, &info);
  g_free (row);
  g_free (w.buf);
  return ok;
}
