/* gst-blockwise: libFuzzer harness of the TIFF reader (gst/tiffreader.c),
 * the parser of outside data behind tiffdec: open any bytes, decode every
 * page.  Errors are expected; crashes, sanitizer reports, leaks, huge
 * allocations and hangs are not.  The frame limit is kept small, so that
 * what the limit lets through never exceeds libFuzzer's memory limit.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdint.h>
#include <glib.h>
#include <tiffio.h>

#include "tiffreader.h"

#define MAX_FRAME_BYTES (64 << 20)
#define MAX_PAGES_DECODED 16

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  BwTiffInfo info;
  BwTiffReader *r;
  guint page;

  TIFFSetWarningHandler (NULL);
  TIFFSetErrorHandler (NULL);
  r = bw_tiff_reader_open (data, size, MAX_FRAME_BYTES, &info, NULL);
  if (!r)
    return 0;
  for (page = 0; page < MIN (info.n_pages, MAX_PAGES_DECODED); page++) {
    /* odd pages with padded rows: the strip-buffer path of the reader */
    gsize stride = (gsize) info.width * info.bytes_per_pixel + (page & 1) * 3;
    guint8 *frame = g_try_malloc (stride * info.height);
    gsize offset;

    if (!frame)
      break;
    bw_tiff_reader_read_page (r, page, frame, stride, NULL);
    /* rows used in place must lie inside the data */
    if (bw_tiff_reader_page_in_place (r, page, &offset)
        && (offset > size || (gsize) info.width * info.bytes_per_pixel *
            info.height > size - offset))
      __builtin_trap ();
    g_free (frame);
  }
  bw_tiff_reader_free (r);
  return 0;
}
