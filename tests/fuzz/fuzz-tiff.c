/* gst-blockwise: libFuzzer harness of the TIFF reader (gst/tiffreader.c),
 * the parser of outside data behind tiffdec: open any bytes, decode every
 * page in order as tiffdec does, then a few again out of order as a seek
 * does.  Errors are expected; crashes, sanitizer reports, leaks, huge
 * allocations and hangs are not, nor:
 * - more decoded bytes than the reader's bound (BW_TIFF_MAX_EXPANSION times
 *   the input's size: no strip or tile may share bytes with another);
 * - a page that decodes differently (or fails where it decoded) when
 *   reached out of order, or on two threads (bw_tiff_reader_read_page_as())
 *   instead of one (libtiff's messages about a damaged strip or tile may
 *   change with what its handle decoded before, so they are not compared);
 * - GRAY8 of an RGB or RGBA page (on two threads) that is not the luma of
 *   its colour decode;
 * - a stop error without a good page before it, or rows used in place
 *   outside the data.
 * The frame limit is kept small, so that what the limit lets through never
 * exceeds libFuzzer's memory limit; the expansion bound keeps the total of
 * a multi-page input (up to the 4 KiB that fuzz.sh gives it) in hand.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdint.h>
#include <glib.h>
#include <tiffio.h>

#include "tiffreader.h"

#define MAX_FRAME_BYTES (64 << 20)

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

/* What a decoded page looks like, to compare two decodes of it. */
static guint64
frame_hash (const guint8 * frame, gsize stride, gsize row_bytes, guint rows)
{
  guint64 h = 14695981039346656037u;
  gsize x;
  guint y;

  for (y = 0; y < rows; y++)
    for (x = 0; x < row_bytes; x++)
      h = (h ^ frame[y * stride + x]) * 1099511628211u;
  return h;
}

/* Decodes page; its hash in *hash when it decodes.  The same page on two
 * threads must decode alike (or fail too), and its luma must be that of
 * its colours; gray (a buffer of width * height bytes) is for that. */
static gboolean
decode (BwTiffReader * r, const BwTiffInfo * info, guint page, guint8 * frame,
    guint8 * gray, guint64 * hash)
{
  /* odd pages with padded rows: the strip-buffer path of the reader */
  gsize row_bytes = (gsize) info->width * info->bytes_per_pixel;
  gsize stride = row_bytes + (page & 1) * 3;
  guint bpp = info->bytes_per_pixel;
  gboolean ok, ok2;
  gsize x;
  guint y;

  ok = bw_tiff_reader_read_page (r, page, frame, stride, NULL);
  if (ok)
    *hash = frame_hash (frame, stride, row_bytes, info->height);
  ok2 = bw_tiff_reader_read_page_as (r, page, info->layout, frame, stride, 2,
      NULL, NULL, NULL);
  if (ok != ok2 || (ok && frame_hash (frame, stride, row_bytes,
              info->height) != *hash))
    __builtin_trap ();
  if (ok && (info->layout == BW_TIFF_RGB8 || info->layout == BW_TIFF_RGBA8)) {
    if (!bw_tiff_reader_read_page_as (r, page, BW_TIFF_GRAY8, gray,
            info->width, 2, NULL, NULL, NULL))
      __builtin_trap ();
    for (y = 0; y < info->height; y++)
      for (x = 0; x < info->width; x++) {
        const guint8 *px = frame + y * stride + x * bpp;

        if (gray[(gsize) y * info->width + x] !=
            (77 * px[0] + 150 * px[1] + 29 * px[2]) >> 8)
          __builtin_trap ();
      }
  }
  return ok;
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  BwTiffInfo info;
  BwTiffReader *r;
  guint64 *hashes, decoded = 0, hash;
  gboolean *ok;
  guint8 *frame, *gray;
  gsize frame_bytes;
  guint page, again[3], i;

  TIFFSetWarningHandler (NULL);
  TIFFSetErrorHandler (NULL);
  r = bw_tiff_reader_open (data, size, MAX_FRAME_BYTES, &info, NULL);
  if (!r)
    return 0;
  if (info.n_pages == 0)
    __builtin_trap ();
  frame_bytes = ((gsize) info.width * info.bytes_per_pixel + 3) * info.height;
  frame = g_try_malloc (frame_bytes);
  gray = g_try_malloc ((gsize) info.width * info.height);
  hashes = g_new0 (guint64, info.n_pages);
  ok = g_new0 (gboolean, info.n_pages);
  for (page = 0; frame && gray && page < info.n_pages; page++) {
    gsize offset;

    ok[page] = decode (r, &info, page, frame, gray, &hashes[page]);
    if (ok[page])
      decoded += (guint64) info.width * info.bytes_per_pixel * info.height;
    /* rows used in place must lie inside the data */
    if (bw_tiff_reader_page_in_place (r, page, &offset)
        && (offset > size || (gsize) info.width * info.bytes_per_pixel *
            info.height > size - offset))
      __builtin_trap ();
  }
  if (decoded > (guint64) BW_TIFF_MAX_EXPANSION * size)
    __builtin_trap ();
  /* the last page, the first, the middle one: as after seeks */
  again[0] = info.n_pages - 1;
  again[1] = 0;
  again[2] = info.n_pages / 2;
  for (i = 0; frame && gray && i < G_N_ELEMENTS (again); i++) {
    page = again[i];
    if (decode (r, &info, page, frame, gray, &hash) != ok[page]
        || (ok[page] && hash != hashes[page]))
      __builtin_trap ();
  }
  g_free (ok);
  g_free (hashes);
  g_free (frame);
  g_free (gray);
  bw_tiff_reader_free (r);
  return 0;
}
