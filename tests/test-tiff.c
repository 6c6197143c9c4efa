/* gst-blockwise: TIFF input.  TIFF files are written here with libtiff in
 * every layout the decoder promises (sample depths, byte orders,
 * compressions with and without predictor, strips and tiles, BigTIFF,
 * min-is-white, several pages), then read back through the reader and
 * through decodebin (which must pick tiffdec), and every sample is compared
 * with what was written.  Files it must refuse are refused with a message
 * that names the cause.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>
#include <tiffio.h>

#include "tiffreader.h"

static gchar *tmpdir;

typedef struct
{
  const gchar *name;
  guint bps, spp;
  guint16 photometric;
  guint16 compression;
  guint16 predictor;            /* 1 = none */
  gboolean tiled;
  gboolean bigtiff;
  gboolean big_endian;
  guint pages;
  guint width, height;
  guint tile_width, tile_height;        /* 0: 32x16 */
  gboolean flat;                /* every sample of page p is p */
} Layout;

/* Samples of page p: a texture that changes with the page, full range. */
static guint
sample (const Layout * l, guint p, guint x, guint y, guint c)
{
  guint32 v;

  if (l->flat)
    return p;
  v = (x * 2654435761u) ^ (y * 40503u) ^ (p * 977u) ^ (c * 131u);
  v ^= v >> 13;
  v *= 0x5bd1e995u;
  v ^= v >> 15;
  return l->bps == 8 ? v & 0xff : v & 0xffff;
}

static gchar *
write_tiff (const Layout * l)
{
  gchar mode[8], *path;
  TIFF *tif;
  guint p, x, y, c;
  gsize row_bytes = (gsize) l->width * l->spp * l->bps / 8;
  guint8 *row = g_malloc (row_bytes);

  g_snprintf (mode, sizeof (mode), "w%s%s", l->bigtiff ? "8" : "",
      l->big_endian ? "b" : "l");
  path = g_build_filename (tmpdir, l->name, NULL);
  tif = TIFFOpen (path, mode);
  g_assert_nonnull (tif);
  for (p = 0; p < l->pages; p++) {
    TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, l->width);
    TIFFSetField (tif, TIFFTAG_IMAGELENGTH, l->height);
    TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, l->bps);
    TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, l->spp);
    TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, l->photometric);
    TIFFSetField (tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField (tif, TIFFTAG_COMPRESSION, l->compression);
    if (l->spp == 4) {
      guint16 extra = EXTRASAMPLE_UNASSALPHA;

      TIFFSetField (tif, TIFFTAG_EXTRASAMPLES, 1, &extra);
    }
    if (l->predictor > 1)
      TIFFSetField (tif, TIFFTAG_PREDICTOR, l->predictor);
    if (l->pages > 1) {
      TIFFSetField (tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
      TIFFSetField (tif, TIFFTAG_PAGENUMBER, p, l->pages);
    }
    if (l->tiled) {
      guint tw = l->tile_width ? l->tile_width : 32;
      guint th = l->tile_height ? l->tile_height : 16, tx, ty;
      gsize tile_bytes = (gsize) tw * th * l->spp * l->bps / 8;
      guint8 *tile = g_malloc (tile_bytes);

      TIFFSetField (tif, TIFFTAG_TILEWIDTH, tw);
      TIFFSetField (tif, TIFFTAG_TILELENGTH, th);
      for (ty = 0; ty < l->height; ty += th)
        for (tx = 0; tx < l->width; tx += tw) {
          memset (tile, 0, tile_bytes);
          for (y = ty; y < MIN (ty + th, l->height); y++)
            for (x = tx; x < MIN (tx + tw, l->width); x++)
              for (c = 0; c < l->spp; c++) {
                gsize i = ((gsize) (y - ty) * tw + (x - tx)) * l->spp + c;

                if (l->bps == 8)
                  tile[i] = sample (l, p, x, y, c);
                else
                  ((guint16 *) tile)[i] = sample (l, p, x, y, c);
              }
          g_assert_cmpint (TIFFWriteTile (tif, tile, tx, ty, 0, 0), >=, 0);
        }
      g_free (tile);
    } else {
      TIFFSetField (tif, TIFFTAG_ROWSPERSTRIP, 7);
      for (y = 0; y < l->height; y++) {
        for (x = 0; x < l->width; x++)
          for (c = 0; c < l->spp; c++) {
            gsize i = (gsize) x * l->spp + c;

            if (l->bps == 8)
              row[i] = sample (l, p, x, y, c);
            else
              ((guint16 *) row)[i] = sample (l, p, x, y, c);
          }
        g_assert_cmpint (TIFFWriteScanline (tif, row, y, 0), ==, 1);
      }
    }
    g_assert_true (TIFFWriteDirectory (tif));
  }
  TIFFClose (tif);
  g_free (row);
  return path;
}

/* The decoded sample the decoder must give: min-is-white inverted. */
static guint
expected (const Layout * l, guint p, guint x, guint y, guint c)
{
  guint v = sample (l, p, x, y, c);

  if (l->photometric == PHOTOMETRIC_MINISWHITE)
    v = (l->bps == 8 ? 255 : 65535) - v;
  return v;
}

static void
check_page (const Layout * l, guint p, const guint8 * data, gsize stride)
{
  guint x, y, c;

  for (y = 0; y < l->height; y++)
    for (x = 0; x < l->width; x++)
      for (c = 0; c < l->spp; c++) {
        const guint8 *px = data + (gsize) y * stride;
        guint16 v16;
        guint got;

        if (l->bps == 8) {
          got = px[x * l->spp + c];
        } else {
          /* rows may start at odd addresses (padded strides) */
          memcpy (&v16, px + 2 * ((gsize) x * l->spp + c), 2);
          got = v16;
        }

        if (got != expected (l, p, x, y, c))
          g_error ("%s: page %u (%u,%u) sample %u: got %u, wrote %u",
              l->name, p, x, y, c, got, expected (l, p, x, y, c));
      }
}

static Layout *
all_layouts (guint * n)
{
  static const guint16 compressions[] = { COMPRESSION_NONE, COMPRESSION_LZW,
    COMPRESSION_ADOBE_DEFLATE, COMPRESSION_PACKBITS, COMPRESSION_ZSTD,
    COMPRESSION_LZMA
  };
  static const struct
  {
    guint bps, spp;
    guint16 photometric;
  } kinds[] = {
    {8, 1, PHOTOMETRIC_MINISBLACK}, {16, 1, PHOTOMETRIC_MINISBLACK},
    {8, 1, PHOTOMETRIC_MINISWHITE}, {16, 1, PHOTOMETRIC_MINISWHITE},
    {8, 3, PHOTOMETRIC_RGB}, {8, 4, PHOTOMETRIC_RGB},
  };
  GArray *a = g_array_new (FALSE, TRUE, sizeof (Layout));
  guint k, ci, v;

  for (k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (ci = 0; ci < G_N_ELEMENTS (compressions); ci++)
      for (v = 0; v < 4; v++) {
        Layout l = { 0, };

        if (!TIFFIsCODECConfigured (compressions[ci]))
          continue;
        l.bps = kinds[k].bps;
        l.spp = kinds[k].spp;
        l.photometric = kinds[k].photometric;
        l.compression = compressions[ci];
        /* v: 0 strips LE, 1 tiles BE, 2 BigTIFF strips + predictor,
         * 3 BigTIFF BE tiles, 3 pages */
        l.tiled = v & 1;
        l.big_endian = v == 1 || v == 3;
        l.bigtiff = v >= 2;
        l.predictor = v == 2 && (l.compression == COMPRESSION_LZW
            || l.compression == COMPRESSION_ADOBE_DEFLATE
            || l.compression == COMPRESSION_ZSTD
            || l.compression == COMPRESSION_LZMA) ? PREDICTOR_HORIZONTAL : 1;
        l.pages = v == 3 ? 3 : 1;
        l.width = 45 + 3 * v;   /* not a multiple of the tile width */
        l.height = 37;
        l.name = g_strdup_printf ("layout-%ub%us-ph%u-c%u-%s%s%s%s-%up.tif",
            l.bps, l.spp, l.photometric, l.compression,
            l.tiled ? "tiles" : "strips", l.big_endian ? "-be" : "-le",
            l.bigtiff ? "-big" : "", l.predictor > 1 ? "-pred" : "", l.pages);
        g_array_append_val (a, l);
      }
  *n = a->len;
  return (Layout *) g_array_free (a, FALSE);
}

static void
test_reader_layouts (void)
{
  guint n, i, p;
  Layout *ls = all_layouts (&n);

  g_assert_cmpuint (n, >=, 4 * 4 * 6);
  for (i = 0; i < n; i++) {
    gchar *path = write_tiff (&ls[i]), *data;
    gsize size;
    BwTiffInfo info;
    GError *err = NULL;
    BwTiffReader *r;

    g_assert_true (g_file_get_contents (path, &data, &size, NULL));
    r = bw_tiff_reader_open ((guint8 *) data, size, 1 << 30, &info, &err);
    if (!r)
      g_error ("%s: %s", ls[i].name, err->message);
    g_assert_cmpuint (info.width, ==, ls[i].width);
    g_assert_cmpuint (info.height, ==, ls[i].height);
    g_assert_cmpuint (info.n_pages, ==, ls[i].pages);
    g_assert_cmpuint (info.bytes_per_pixel, ==, ls[i].spp * ls[i].bps / 8);
    for (p = 0; p < ls[i].pages; p++) {
      /* Padded rows (decoded through a strip buffer) and unpadded ones
       * (strips decoded in place), alternately. */
      gsize stride = (gsize) info.width * info.bytes_per_pixel + (i % 2) * 5;
      guint8 *buf = g_malloc0 (stride * info.height);

      g_assert_true (bw_tiff_reader_read_page (r, p, buf, stride, NULL));
      check_page (&ls[i], p, buf, stride);
      g_free (buf);
    }
    bw_tiff_reader_free (r);
    g_free (data);
    g_unlink (path);
    g_free (path);
  }
  for (i = 0; i < n; i++)
    g_free ((gchar *) ls[i].name);
  g_free (ls);
}

/* Makes the appsink say it reads video metas (as most video elements do),
 * so that tiffdec may hand out rows where they lie in the file. */
static GstPadProbeReturn
offer_video_meta (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  GstQuery *q = GST_PAD_PROBE_INFO_QUERY (info);

  if (GST_QUERY_TYPE (q) == GST_QUERY_ALLOCATION)
    gst_query_add_allocation_meta (q, GST_VIDEO_META_API_TYPE, NULL);
  return GST_PAD_PROBE_OK;
}

/* Decodes path through a pipeline and checks every frame. */
static void
check_pipeline (const Layout * l, const gchar * path, const gchar * chain,
    gboolean must_be_tiffdec, gboolean meta)
{
  gchar *desc = g_strdup_printf ("filesrc name=src ! %s ! appsink name=sink "
      "sync=false", chain);
  GstElement *pipe = gst_parse_launch (desc, NULL), *sink, *src;
  guint n = 0;
  GstSample *s;

  g_assert_nonnull (pipe);
  src = gst_bin_get_by_name (GST_BIN (pipe), "src");
  g_object_set (src, "location", path, NULL);
  gst_object_unref (src);
  sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  if (meta) {
    GstPad *pad = gst_element_get_static_pad (sink, "sink");

    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM,
        offer_video_meta, NULL, NULL);
    gst_object_unref (pad);
  }
  g_assert_cmpint (gst_element_set_state (pipe, GST_STATE_PLAYING), !=,
      GST_STATE_CHANGE_FAILURE);
  while ((s = gst_app_sink_pull_sample (GST_APP_SINK (sink)))) {
    GstVideoInfo info;
    GstVideoFrame frame;

    g_assert_true (gst_video_info_from_caps (&info, gst_sample_get_caps (s)));
    g_assert_true (gst_video_frame_map (&frame, &info,
            gst_sample_get_buffer (s), GST_MAP_READ));
    g_assert_cmpuint (GST_BUFFER_PTS (gst_sample_get_buffer (s)), ==,
        n * GST_SECOND);
    check_page (l, n, GST_VIDEO_FRAME_PLANE_DATA (&frame, 0),
        GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0));
    gst_video_frame_unmap (&frame);
    gst_sample_unref (s);
    n++;
  }
  g_assert_cmpuint (n, ==, l->pages);
  if (must_be_tiffdec) {
    GstIterator *it = gst_bin_iterate_recurse (GST_BIN (pipe));
    GValue v = G_VALUE_INIT;
    gboolean found = FALSE;

    while (gst_iterator_next (it, &v) == GST_ITERATOR_OK) {
      GstElementFactory *f = gst_element_get_factory (g_value_get_object (&v));

      if (f && g_str_equal (GST_OBJECT_NAME (f), "tiffdec"))
        found = TRUE;
      g_value_reset (&v);
    }
    g_value_unset (&v);
    gst_iterator_free (it);
    g_assert_true (found);
  }
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  g_free (desc);
}

static void
test_pipeline_layouts (void)
{
  guint n, i;
  Layout *ls = all_layouts (&n);

  for (i = 0; i < n; i++) {
    gchar *path;

    /* every third layout (each kind, each compression once or more), and
     * every uncompressed one */
    if (i % 3 != 0 && ls[i].pages == 1 && ls[i].compression != COMPRESSION_NONE)
      continue;
    path = write_tiff (&ls[i]);
    /* decodebin (pull mode from filesrc through typefind) */
    check_pipeline (&ls[i], path, "decodebin", TRUE, FALSE);
    /* push mode: a queue in front */
    check_pipeline (&ls[i], path, "queue ! tiffdec", FALSE, FALSE);
    /* downstream reads video metas: raw rows used in place */
    check_pipeline (&ls[i], path, "tiffdec", FALSE, TRUE);
    g_unlink (path);
    g_free (path);
  }
  for (i = 0; i < n; i++)
    g_free ((gchar *) ls[i].name);
  g_free (ls);
}

/* JPEG-compressed TIFF, gray and YCbCr (decoded to RGB): lossy, so the
 * samples are compared with a tolerance. */
static void
test_reader_jpeg (void)
{
  guint kind;

  if (!TIFFIsCODECConfigured (COMPRESSION_JPEG)) {
    g_test_skip ("this libtiff has no JPEG codec");
    return;
  }
  for (kind = 0; kind < 2; kind++) {
    Layout l = { kind ? "jpeg-rgb.tif" : "jpeg-gray.tif", 8, kind ? 3 : 1,
      kind ? PHOTOMETRIC_YCBCR : PHOTOMETRIC_MINISBLACK, COMPRESSION_JPEG, 1,
      FALSE, FALSE, FALSE, 1, 64, 48
    };
    gchar *path = g_build_filename (tmpdir, l.name, NULL), *data;
    TIFF *tif = TIFFOpen (path, "w");
    guint8 row[64 * 3], *buf;
    guint x, y, c;
    gsize size;
    gdouble diff = 0;
    BwTiffInfo info;
    BwTiffReader *r;

    TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, l.width);
    TIFFSetField (tif, TIFFTAG_IMAGELENGTH, l.height);
    TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, l.spp);
    TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, l.photometric);
    TIFFSetField (tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField (tif, TIFFTAG_COMPRESSION, COMPRESSION_JPEG);
    TIFFSetField (tif, TIFFTAG_JPEGQUALITY, 95);
    TIFFSetField (tif, TIFFTAG_ROWSPERSTRIP, 16);
    if (kind)
      TIFFSetField (tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
    for (y = 0; y < l.height; y++) {
      /* smooth content: JPEG keeps it close */
      for (x = 0; x < l.width; x++)
        for (c = 0; c < l.spp; c++)
          row[x * l.spp + c] = 40 + x * 2 + y + c * 30;
      g_assert_cmpint (TIFFWriteScanline (tif, row, y, 0), ==, 1);
    }
    TIFFClose (tif);

    g_assert_true (g_file_get_contents (path, &data, &size, NULL));
    r = bw_tiff_reader_open ((guint8 *) data, size, 1 << 30, &info, NULL);
    g_assert_nonnull (r);
    g_assert_cmpuint (info.layout, ==, kind ? BW_TIFF_RGB8 : BW_TIFF_GRAY8);
    buf = g_malloc (l.width * l.height * l.spp);
    g_assert_true (bw_tiff_reader_read_page (r, 0, buf, l.width * l.spp, NULL));
    for (y = 0; y < l.height; y++)
      for (x = 0; x < l.width; x++)
        for (c = 0; c < l.spp; c++)
          diff += ABS ((gint) buf[(y * l.width + x) * l.spp + c] -
              (gint) (40 + x * 2 + y + c * 30));
    diff /= l.width * l.height * l.spp;
    /* chroma subsampling of YCbCr costs a few levels; a wrong colour
     * space would cost tens */
    if (diff > 6.0)
      g_error ("%s: mean absolute difference %.2f", l.name, diff);
    g_free (buf);
    bw_tiff_reader_free (r);
    g_free (data);
    g_unlink (path);
    g_free (path);
  }
}

/* ---- refusals ------------------------------------------------------------ */

static void
expect_refused (const guint8 * data, gsize size, const gchar * needle)
{
  BwTiffInfo info;
  GError *err = NULL;
  BwTiffReader *r = bw_tiff_reader_open (data, size, 1 << 30, &info, &err);

  if (r && bw_tiff_reader_get_stop_error (r)) {
    /* a page after the first one is refused */
    err = g_error_copy (bw_tiff_reader_get_stop_error (r));
    bw_tiff_reader_free (r);
  } else if (r) {
    /* Some damage only shows when the pages are decoded. */
    guint8 *buf = g_try_malloc ((gsize) info.width * info.height *
        info.bytes_per_pixel);
    guint p;

    g_assert_nonnull (buf);
    for (p = 0; p < info.n_pages && !err; p++)
      bw_tiff_reader_read_page (r, p, buf,
          (gsize) info.width * info.bytes_per_pixel, &err);
    g_free (buf);
    bw_tiff_reader_free (r);
  }
  g_assert_nonnull (err);
  if (!strstr (err->message, needle))
    g_error ("expected \"%s\" in \"%s\"", needle, err->message);
  g_clear_error (&err);
}

static void
write_custom (const gchar * path, guint w, guint h, guint bps, guint spp,
    guint16 fmt, guint16 photometric, guint pages, gboolean vary)
{
  TIFF *tif = TIFFOpen (path, "w");
  guint p, y;
  gsize row_bytes;
  guint8 *row;

  g_assert_nonnull (tif);
  for (p = 0; p < pages; p++) {
    guint pw = vary && p == 1 ? w + 1 : w;

    row_bytes = (gsize) pw *spp * bps / 8 + 1;
    row = g_malloc0 (row_bytes);
    TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, pw);
    TIFFSetField (tif, TIFFTAG_IMAGELENGTH, h);
    TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, bps);
    TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, spp);
    TIFFSetField (tif, TIFFTAG_SAMPLEFORMAT, fmt);
    TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, photometric);
    TIFFSetField (tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    if (photometric == PHOTOMETRIC_PALETTE) {
      guint16 *map = g_new0 (guint16, 1 << bps);

      TIFFSetField (tif, TIFFTAG_COLORMAP, map, map, map);
      g_free (map);
    }
    if (spp > 4) {
      guint16 extra[8] = { 0, };

      TIFFSetField (tif, TIFFTAG_EXTRASAMPLES, spp - 3, extra);
    }
    for (y = 0; y < h; y++)
      TIFFWriteScanline (tif, row, y, 0);
    TIFFWriteDirectory (tif);
    g_free (row);
  }
  TIFFClose (tif);
}

static void
refuse_file (const gchar * name, guint w, guint h, guint bps, guint spp,
    guint16 fmt, guint16 photometric, guint pages, gboolean vary,
    const gchar * needle)
{
  gchar *path = g_build_filename (tmpdir, name, NULL), *data;
  gsize size;

  write_custom (path, w, h, bps, spp, fmt, photometric, pages, vary);
  g_assert_true (g_file_get_contents (path, &data, &size, NULL));
  expect_refused ((guint8 *) data, size, needle);
  g_free (data);
  g_unlink (path);
  g_free (path);
}

static void
test_refused_layouts (void)
{
  refuse_file ("float.tif", 16, 8, 32, 1, SAMPLEFORMAT_IEEEFP,
      PHOTOMETRIC_MINISBLACK, 1, FALSE, "32-bit float samples are not "
      "supported");
  refuse_file ("u32.tif", 16, 8, 32, 1, SAMPLEFORMAT_UINT,
      PHOTOMETRIC_MINISBLACK, 1, FALSE, "32-bit samples are not supported");
  refuse_file ("signed.tif", 16, 8, 16, 1, SAMPLEFORMAT_INT,
      PHOTOMETRIC_MINISBLACK, 1, FALSE, "signed");
  refuse_file ("palette.tif", 16, 8, 8, 1, SAMPLEFORMAT_UINT,
      PHOTOMETRIC_PALETTE, 1, FALSE, "palette");
  refuse_file ("five.tif", 16, 8, 8, 5, SAMPLEFORMAT_UINT, PHOTOMETRIC_RGB,
      1, FALSE, "5 samples per pixel");
  refuse_file ("rgb16.tif", 16, 8, 16, 3, SAMPLEFORMAT_UINT, PHOTOMETRIC_RGB,
      1, FALSE, "16-bit RGB is not supported");
  refuse_file ("bilevel.tif", 16, 8, 1, 1, SAMPLEFORMAT_UINT,
      PHOTOMETRIC_MINISBLACK, 1, FALSE, "1-bit samples are not supported");
  refuse_file ("mixed.tif", 16, 8, 8, 1, SAMPLEFORMAT_UINT,
      PHOTOMETRIC_MINISBLACK, 3, TRUE, "must have one size");
}

static void
test_refused_damage (void)
{
  Layout l = { "damage.tif", 16, 1, PHOTOMETRIC_MINISBLACK,
    COMPRESSION_ADOBE_DEFLATE, 1, FALSE, FALSE, FALSE, 1, 200, 150
  };
  gchar *path = write_tiff (&l), *data;
  gsize size;
  /* A little-endian TIFF whose only IFD declares 100000 x 100000 8-bit
   * pixels in one uncompressed strip of 16 bytes at offset 8. */
  static const guint8 bomb[] = {
    'I', 'I', 42, 0, 24, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    8, 0,                       /* 8 entries */
    0x00, 0x01, 4, 0, 1, 0, 0, 0, 0xa0, 0x86, 0x01, 0x00,       /* width */
    0x01, 0x01, 4, 0, 1, 0, 0, 0, 0xa0, 0x86, 0x01, 0x00,       /* height */
    0x02, 0x01, 3, 0, 1, 0, 0, 0, 8, 0, 0, 0,   /* bits per sample */
    0x03, 0x01, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0,   /* no compression */
    0x06, 0x01, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0,   /* min-is-black */
    0x11, 0x01, 4, 0, 1, 0, 0, 0, 8, 0, 0, 0,   /* strip offset */
    0x16, 0x01, 4, 0, 1, 0, 0, 0, 0xa0, 0x86, 0x01, 0x00,       /* rows/strip */
    0x17, 0x01, 4, 0, 1, 0, 0, 0, 16, 0, 0, 0,  /* strip byte count */
    0, 0, 0, 0
  };

  g_assert_true (g_file_get_contents (path, &data, &size, NULL));
  expect_refused ((guint8 *) data, size / 2, "truncated");
  expect_refused ((guint8 *) data, 40, "");
  expect_refused ((guint8 *) "\x89PNG\r\n\x1a\n not a tiff at all", 24,
      "not a TIFF file");
  expect_refused ((guint8 *) "", 0, "not a TIFF file");
  expect_refused (bomb, sizeof (bomb), "more than the limit");
  g_free (data);
  g_unlink (path);
  g_free (path);
}

/* A small image that declares 4-gigapixel tiles (found by the fuzzer):
 * refused before the tile is allocated. */
static void
test_refused_huge_tile (void)
{
  gchar *path = g_build_filename (REGRESSIONS_DIR, "huge-tile-width.tif",
      NULL), *data;
  gsize size;

  g_assert_true (g_file_get_contents (path, &data, &size, NULL));
  expect_refused ((guint8 *) data, size, "a tile of");
  g_free (data);
  g_free (path);
}

/* The element reports a refusal as an error that names the file. */
static void
test_element_error_names_file (void)
{
  gchar *path = g_build_filename (tmpdir, "float in name.tif", NULL);
  gchar *desc;
  GstElement *pipe, *src;
  GstMessage *msg;
  GError *err = NULL;

  write_custom (path, 16, 8, 32, 1, SAMPLEFORMAT_IEEEFP,
      PHOTOMETRIC_MINISBLACK, 1, FALSE);
  desc = g_strdup ("filesrc name=src ! decodebin ! fakesink");
  pipe = gst_parse_launch (desc, NULL);
  src = gst_bin_get_by_name (GST_BIN (pipe), "src");
  g_object_set (src, "location", path, NULL);
  gst_object_unref (src);
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (pipe), 10 * GST_SECOND,
      GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
  g_assert_nonnull (msg);
  g_assert_cmpint (GST_MESSAGE_TYPE (msg), ==, GST_MESSAGE_ERROR);
  gst_message_parse_error (msg, &err, NULL);
  g_assert_nonnull (strstr (err->message, "float in name.tif"));
  g_assert_nonnull (strstr (err->message, "32-bit float samples"));
  g_clear_error (&err);
  gst_message_unref (msg);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (pipe);
  g_free (desc);
  g_unlink (path);
  g_free (path);
}

/* ---- stacks: many pages, damage, shared data --------------------------- */

/* Pixel (x, y) of page p of the stacks written below. */
static guint8
stack_value (guint p, guint x, guint y)
{
  return (p * 37 + x + y * 3) & 0xff;
}

/* A little-endian GRAY8 stack written with libtiff: pages of w x h in
 * strips of rps rows (or tiles of tile x tile when tile > 0), zeros where
 * flat, else stack_value(). */
static gchar *
write_stack (const gchar * name, guint pages, guint w, guint h,
    guint16 compression, guint rps, guint tile, gboolean flat)
{
  gchar *path = g_build_filename (tmpdir, name, NULL);
  TIFF *tif = TIFFOpen (path, "wl");
  guint p, x, y;
  guint8 *buf = g_malloc0 ((gsize) MAX (w, tile) * MAX (h, tile));

  g_assert_nonnull (tif);
  for (p = 0; p < pages; p++) {
    TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, w);
    TIFFSetField (tif, TIFFTAG_IMAGELENGTH, h);
    TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField (tif, TIFFTAG_COMPRESSION, compression);
    if (tile) {
      guint tx, ty;

      TIFFSetField (tif, TIFFTAG_TILEWIDTH, tile);
      TIFFSetField (tif, TIFFTAG_TILELENGTH, tile);
      for (ty = 0; ty < h; ty += tile)
        for (tx = 0; tx < w; tx += tile) {
          for (y = 0; y < tile; y++)
            for (x = 0; x < tile; x++)
              buf[y * tile + x] = flat ? 0 : stack_value (p, tx + x, ty + y);
          g_assert_cmpint (TIFFWriteTile (tif, buf, tx, ty, 0, 0), >=, 0);
        }
    } else {
      TIFFSetField (tif, TIFFTAG_ROWSPERSTRIP, rps);
      for (y = 0; y < h; y++) {
        for (x = 0; x < w; x++)
          buf[x] = flat ? 0 : stack_value (p, x, y);
        g_assert_cmpint (TIFFWriteScanline (tif, buf, y, 0), ==, 1);
      }
    }
    g_assert_true (TIFFWriteDirectory (tif));
  }
  TIFFClose (tif);
  g_free (buf);
  return path;
}

/* Reading classic little-endian TIFF structure here, without libtiff, to
 * damage files in known places. */
static guint32
rd32 (const guint8 * d)
{
  return d[0] | d[1] << 8 | d[2] << 16 | (guint32) d[3] << 24;
}

static guint16
rd16 (const guint8 * d)
{
  return d[0] | d[1] << 8;
}

static void
wr32 (guint8 * d, guint32 v)
{
  d[0] = v;
  d[1] = v >> 8;
  d[2] = v >> 16;
  d[3] = v >> 24;
}

/* The directory offsets of the file, in chain order. */
static guint
ifd_chain (const guint8 * d, gsize size, guint32 * out, guint max)
{
  guint32 off = rd32 (d + 4);
  guint n = 0;

  g_assert_true (d[0] == 'I' && rd16 (d + 2) == 42);
  while (off != 0 && n < max) {
    g_assert_cmpuint (off + 2, <=, size);
    out[n++] = off;
    off = rd32 (d + off + 2 + 12 * rd16 (d + off));
  }
  return n;
}

/* The 12-byte entry of tag in the directory at ifd. */
static guint8 *
ifd_entry (guint8 * d, guint32 ifd, guint16 tag)
{
  guint i, n = rd16 (d + ifd);

  for (i = 0; i < n; i++)
    if (rd16 (d + ifd + 2 + 12 * i) == tag)
      return d + ifd + 2 + 12 * i;
  g_error ("no tag %u in the directory at %u", tag, ifd);
  return NULL;
}

/* Value i of a SHORT or LONG array entry. */
static guint8 *
entry_value (guint8 * d, guint8 * entry, guint i, guint * width)
{
  guint type = rd16 (entry + 2);
  guint32 count = rd32 (entry + 4);

  *width = type == 3 ? 2 : 4;
  g_assert_true (type == 3 || type == 4);
  g_assert_cmpuint (i, <, count);
  if (count * *width <= 4)
    return entry + 8 + i * *width;
  return d + rd32 (entry + 8) + i * *width;
}

static guint32
get_value (guint8 * d, guint8 * entry, guint i)
{
  guint width;
  guint8 *v = entry_value (d, entry, i, &width);

  return width == 2 ? rd16 (v) : rd32 (v);
}

static void
set_value (guint8 * d, guint8 * entry, guint i, guint32 value)
{
  guint width;
  guint8 *v = entry_value (d, entry, i, &width);

  if (width == 2) {
    g_assert_cmpuint (value, <=, G_MAXUINT16);
    v[0] = value;
    v[1] = value >> 8;
  } else {
    wr32 (v, value);
  }
}

/* Pixels of page p (w x h, GRAY8, unpadded rows) against stack_value(). */
static void
check_stack_page (const guint8 * data, gsize stride, guint p, guint w, guint h)
{
  guint x, y;

  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      if (data[y * stride + x] != stack_value (p, x, y))
        g_error ("page %u (%u,%u): %u, wrote %u", p, x, y,
            data[y * stride + x], stack_value (p, x, y));
}

/* Decodes through a pipeline: the frames (checked against stack_value()
 * when check), and the error posted, if any (its message in *error). */
static guint
run_stack (const gchar * chain, const gchar * path, guint w, guint h,
    gboolean check, gchar ** error)
{
  gchar *desc = g_strdup_printf ("filesrc name=src ! %s ! appsink name=sink "
      "sync=false", chain);
  GError *parse_error = NULL;
  GstElement *pipe = gst_parse_launch (desc, &parse_error), *sink, *src;
  GstSample *s;
  GstMessage *msg = NULL;
  guint n = 0;

  g_assert_no_error (parse_error);
  src = gst_bin_get_by_name (GST_BIN (pipe), "src");
  g_object_set (src, "location", path, NULL);
  gst_object_unref (src);
  sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  *error = NULL;
  for (;;) {
    GstMapInfo map;

    /* Until EOS, or an error: the frames pushed before it are queued in
     * the sink by the time it is posted. */
    s = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), msg ? 0 :
        20 * GST_MSECOND);
    if (!s) {
      if (msg || gst_app_sink_is_eos (GST_APP_SINK (sink)))
        break;
      msg = gst_bus_pop_filtered (GST_ELEMENT_BUS (pipe), GST_MESSAGE_ERROR);
      continue;
    }
    g_assert_true (gst_buffer_map (gst_sample_get_buffer (s), &map,
            GST_MAP_READ));
    if (check)
      check_stack_page (map.data, w, n, w, h);
    g_assert_cmpuint (GST_BUFFER_OFFSET (gst_sample_get_buffer (s)), ==, n);
    gst_buffer_unmap (gst_sample_get_buffer (s), &map);
    gst_sample_unref (s);
    n++;
  }
  if (!msg)
    msg = gst_bus_pop_filtered (GST_ELEMENT_BUS (pipe), GST_MESSAGE_ERROR);
  if (msg) {
    GError *err = NULL;

    gst_message_parse_error (msg, &err, NULL);
    *error = g_strdup (err->message);
    g_clear_error (&err);
    gst_message_unref (msg);
  }
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  g_free (desc);
  return n;
}

static void
assert_contains (const gchar * text, const gchar * needle)
{
  if (!text || !strstr (text, needle))
    g_error ("expected \"%s\" in \"%s\"", needle, text ? text : "(nothing)");
}

/* Finding and decoding every page of a stack reads each directory a
 * bounded number of times: what libtiff reads grows with the file, not
 * with the square of its page count (as when every page was found by
 * walking the chain from the first directory). */
static void
test_pages_linear (void)
{
  const guint n = 3000;
  gchar *path = write_stack ("many-pages.tif", n, 2, 1, COMPRESSION_NONE, 1,
      0, FALSE), *data, *error;
  gsize size;
  BwTiffInfo info;
  BwTiffReader *r;
  guint8 px[2];
  guint64 after_open, in_order;
  GRand *rand = g_rand_new_with_seed (7);
  guint p, i;

  g_assert_true (g_file_get_contents (path, &data, &size, NULL));
  r = bw_tiff_reader_open ((guint8 *) data, size, 1 << 20, &info, NULL);
  g_assert_nonnull (r);
  g_assert_cmpuint (info.n_pages, ==, n);
  g_assert_null (bw_tiff_reader_get_stop_error (r));
  after_open = bw_tiff_reader_get_bytes_read (r);
  /* every directory once, a little less than the file */
  g_assert_cmpuint (after_open, <=, size);
  for (p = 0; p < n; p++) {
    g_assert_true (bw_tiff_reader_read_page (r, p, px, 2, NULL));
    check_stack_page (px, 2, p, 2, 1);
  }
  in_order = bw_tiff_reader_get_bytes_read (r) - after_open;
  g_assert_cmpuint (in_order, <=, 2 * size);
  /* pages in any order (seeks): one directory each */
  for (i = 0; i < n; i++) {
    p = g_rand_int_range (rand, 0, n);
    g_assert_true (bw_tiff_reader_read_page (r, p, px, 2, NULL));
    check_stack_page (px, 2, p, 2, 1);
  }
  g_assert_cmpuint (bw_tiff_reader_get_bytes_read (r) - after_open -
      in_order, <=, 2 * size);
  bw_tiff_reader_free (r);
  g_rand_free (rand);

  /* the element gives every page, in order */
  g_assert_cmpuint (run_stack ("tiffdec", path, 2, 1, TRUE, &error), ==, n);
  g_assert_null (error);
  g_free (data);
  g_unlink (path);
  g_free (path);
}

typedef enum
{
  DAMAGE_ENTRIES,               /* the 3rd directory's entries zeroed */
  DAMAGE_COUNT,                 /* the 3rd directory's entry count absurd */
  DAMAGE_POINTER,               /* the 2nd points past the end of the file */
  DAMAGE_LOOP                   /* the 3rd points back at the 1st */
} Damage;

/* A 4-page stack whose 3rd page cannot be read: the pages before it are
 * decoded, then an error names the file, the page and libtiff's cause. */
static void
test_damaged_directory (void)
{
  static const struct
  {
    Damage damage;
    guint good;
    const gchar *cause;
  } cases[] = {
    {DAMAGE_ENTRIES, 2, "ImageLength"},
    {DAMAGE_COUNT, 2, "directory count"},
    {DAMAGE_POINTER, 2, "directory count"},
    {DAMAGE_LOOP, 3, "looping"},
  };
  static const gchar *chains[] = { "tiffdec", "queue ! tiffdec", "decodebin" };
  guint c, k;

  for (c = 0; c < G_N_ELEMENTS (cases); c++) {
    gchar *path = write_stack ("damaged.tif", 4, 16, 8, COMPRESSION_NONE, 8,
        0, FALSE), *data, *page, *error;
    gsize size;
    guint32 ifd[4];
    BwTiffInfo info;
    BwTiffReader *r;
    const GError *stop;

    g_assert_true (g_file_get_contents (path, &data, &size, NULL));
    g_assert_cmpuint (ifd_chain ((guint8 *) data, size, ifd, 4), ==, 4);
    switch (cases[c].damage) {
      case DAMAGE_ENTRIES:
        memset (data + ifd[2] + 2, 0, 12 * rd16 ((guint8 *) data + ifd[2]));
        break;
      case DAMAGE_COUNT:
        data[ifd[2]] = data[ifd[2] + 1] = 0xff;
        break;
      case DAMAGE_POINTER:
        wr32 ((guint8 *) data + ifd[1] + 2 + 12 * rd16 ((guint8 *) data +
                ifd[1]), size + 100);
        break;
      case DAMAGE_LOOP:
        wr32 ((guint8 *) data + ifd[2] + 2 + 12 * rd16 ((guint8 *) data +
                ifd[2]), ifd[0]);
        break;
    }
    g_assert_true (g_file_set_contents (path, data, size, NULL));

    page = g_strdup_printf ("page %u", cases[c].good + 1);
    r = bw_tiff_reader_open ((guint8 *) data, size, 1 << 20, &info, NULL);
    g_assert_nonnull (r);
    g_assert_cmpuint (info.n_pages, ==, cases[c].good);
    stop = bw_tiff_reader_get_stop_error (r);
    g_assert_nonnull (stop);
    assert_contains (stop->message, page);
    assert_contains (stop->message, cases[c].cause);
    bw_tiff_reader_free (r);

    for (k = 0; k < G_N_ELEMENTS (chains); k++) {
      g_assert_cmpuint (run_stack (chains[k], path, 16, 8, TRUE, &error), ==,
          cases[c].good);
      assert_contains (error, path);
      assert_contains (error, page);
      assert_contains (error, cases[c].cause);
      g_free (error);
    }
    g_free (page);
    g_free (data);
    g_unlink (path);
    g_free (path);
  }
}

/* Writes data to path and returns the reader's refusal of it (the error of
 * page 1, or of the page that ends the stack); *good: pages before it. */
static gchar *
refusal (const gchar * data, gsize size, guint * good)
{
  BwTiffInfo info;
  GError *err = NULL;
  BwTiffReader *r = bw_tiff_reader_open ((const guint8 *) data, size,
      1 << 30, &info, &err);
  gchar *msg;

  *good = r ? info.n_pages : 0;
  if (r) {
    const GError *stop = bw_tiff_reader_get_stop_error (r);

    msg = stop ? g_strdup (stop->message) : NULL;
    bw_tiff_reader_free (r);
    return msg;
  }
  msg = g_strdup (err->message);
  g_clear_error (&err);
  return msg;
}

static void
refused_as (const gchar * data, gsize size, guint good, const gchar * page,
    const gchar * cause)
{
  guint got;
  gchar *msg = refusal (data, size, &got);

  assert_contains (msg, page);
  assert_contains (msg, cause);
  g_assert_cmpuint (got, ==, good);
  g_free (msg);
}

/* Strips or tiles that share bytes: all at one place (a small file that
 * declares a huge image), one overlapping the next, the pages of a stack
 * sharing one strip table, tiles sharing data.  Each is refused, at the
 * page where the sharing starts. */
static void
test_shared_data (void)
{
  gchar *path, *data, *error;
  gsize size;
  guint32 ifd[64];
  guint8 *d, *offsets;
  guint i, n;

  /* 8 strips of 8 rows, all at the first one's bytes */
  path = write_stack ("shared.tif", 1, 64, 64, COMPRESSION_NONE, 8, 0, FALSE);
  g_assert_true (g_file_get_contents (path, &data, &size, NULL));
  d = (guint8 *) data;
  ifd_chain (d, size, ifd, 1);
  offsets = ifd_entry (d, ifd[0], TIFFTAG_STRIPOFFSETS);
  for (i = 1; i < 8; i++)
    set_value (d, offsets, i, get_value (d, offsets, 0));
  refused_as (data, size, 0, "page 1: strip 1", "overlaps");
  g_free (data);
  /* one strip starting inside the one before */
  g_assert_true (g_file_get_contents (path, &data, &size, NULL));
  d = (guint8 *) data;
  offsets = ifd_entry (d, ifd[0], TIFFTAG_STRIPOFFSETS);
  set_value (d, offsets, 5, get_value (d, offsets, 5) - 1);
  refused_as (data, size, 0, "page 1: strip 5", "overlaps");
  g_free (data);
  g_unlink (path);
  g_free (path);

  /* 40 pages whose directories all point at page 1's strips: page 1 is
   * decoded, then page 2 is refused */
  path = write_stack ("shared-table.tif", 40, 64, 64, COMPRESSION_NONE, 8, 0,
      FALSE);
  g_assert_true (g_file_get_contents (path, &data, &size, NULL));
  d = (guint8 *) data;
  n = ifd_chain (d, size, ifd, 64);
  g_assert_cmpuint (n, ==, 40);
  for (i = 1; i < n; i++) {
    memcpy (ifd_entry (d, ifd[i], TIFFTAG_STRIPOFFSETS),
        ifd_entry (d, ifd[0], TIFFTAG_STRIPOFFSETS), 12);
    memcpy (ifd_entry (d, ifd[i], TIFFTAG_STRIPBYTECOUNTS),
        ifd_entry (d, ifd[0], TIFFTAG_STRIPBYTECOUNTS), 12);
  }
  g_assert_true (g_file_set_contents (path, data, size, NULL));
  refused_as (data, size, 1, "page 2: strip 0", "overlaps");
  g_assert_cmpuint (run_stack ("tiffdec", path, 64, 64, TRUE, &error), ==, 1);
  assert_contains (error, path);
  assert_contains (error, "page 2: strip 0");
  g_free (error);
  g_free (data);
  g_unlink (path);
  g_free (path);

  /* tiles: the last tile of page 2 at the first tile of page 1 */
  path = write_stack ("shared-tiles.tif", 2, 64, 48, COMPRESSION_ADOBE_DEFLATE,
      0, 16, FALSE);
  g_assert_true (g_file_get_contents (path, &data, &size, NULL));
  d = (guint8 *) data;
  ifd_chain (d, size, ifd, 2);
  offsets = ifd_entry (d, ifd[1], TIFFTAG_TILEOFFSETS);
  set_value (d, offsets, 11, get_value (d, ifd_entry (d, ifd[0],
              TIFFTAG_TILEOFFSETS), 0));
  refused_as (data, size, 1, "page 2: tile 11", "overlaps");
  g_free (data);
  g_unlink (path);
  g_free (path);

  /* 8000 x 8000 pixels in 8000 one-row strips that all hold the same 8000
   * bytes: a 72 KB file that would decode to 64 MB */
  {
    const guint side = 8000, entries = 8;
    gsize table = 8 + 10 + 2 + 12 * entries + 4, pixels = table + 8 * side;
    guint8 *f;
    guint8 *e;

    size = pixels + side;
    f = g_malloc0 (size);
    memcpy (f, "II*\0", 4);
    wr32 (f + 4, 8);
    f[8] = entries;
    e = f + 10;
#define ENTRY(tag, type, count, value) G_STMT_START { \
    e[0] = (tag) & 0xff; e[1] = (tag) >> 8; e[2] = (type); \
    wr32 (e + 4, count); wr32 (e + 8, value); e += 12; } G_STMT_END
    ENTRY (TIFFTAG_IMAGEWIDTH, 4, 1, side);
    ENTRY (TIFFTAG_IMAGELENGTH, 4, 1, side);
    ENTRY (TIFFTAG_BITSPERSAMPLE, 3, 1, 8);
    ENTRY (TIFFTAG_COMPRESSION, 3, 1, COMPRESSION_NONE);
    ENTRY (TIFFTAG_PHOTOMETRIC, 3, 1, PHOTOMETRIC_MINISBLACK);
    ENTRY (TIFFTAG_STRIPOFFSETS, 4, side, table);
    ENTRY (TIFFTAG_ROWSPERSTRIP, 4, 1, 1);
    ENTRY (TIFFTAG_STRIPBYTECOUNTS, 4, side, table + 4 * side);
#undef ENTRY
    for (i = 0; i < side; i++) {
      wr32 (f + table + 4 * i, pixels);
      wr32 (f + table + 4 * side + 4 * i, side);
    }
    refused_as ((gchar *) f, size, 0, "page 1: strip 1", "overlaps");
    g_free (f);
  }
}

/* A stack of 1x1 pages whose directories each have n_tags unknown tags,
 * all pointing at one blob of blob_size bytes. */
static guint8 *
shared_tags_file (guint pages, guint n_tags, gsize blob_size, gsize * size)
{
  guint entries = 8 + n_tags, p, t;
  gsize ifd_size = 2 + 12 * entries + 4;
  guint8 *f, *e;

  *size = 8 + blob_size + (gsize) pages *(2 + ifd_size);
  f = g_malloc0 (*size);
  memcpy (f, "II*\0", 4);
  wr32 (f + 4, 8 + blob_size + 2);
  for (p = 0; p < pages; p++) {
    gsize px = 8 + blob_size + p * (2 + ifd_size);

    f[px] = p;
    e = f + px + 2 + 2;
    f[px + 2] = entries & 0xff;
    f[px + 3] = entries >> 8;
#define ENTRY(tag, type, count, value) G_STMT_START { \
    e[0] = (tag) & 0xff; e[1] = (tag) >> 8; e[2] = (type); \
    wr32 (e + 4, count); wr32 (e + 8, value); e += 12; } G_STMT_END
    ENTRY (TIFFTAG_IMAGEWIDTH, 4, 1, 1);
    ENTRY (TIFFTAG_IMAGELENGTH, 4, 1, 1);
    ENTRY (TIFFTAG_BITSPERSAMPLE, 3, 1, 8);
    ENTRY (TIFFTAG_COMPRESSION, 3, 1, COMPRESSION_NONE);
    ENTRY (TIFFTAG_PHOTOMETRIC, 3, 1, PHOTOMETRIC_MINISBLACK);
    ENTRY (TIFFTAG_STRIPOFFSETS, 4, 1, px);
    ENTRY (TIFFTAG_ROWSPERSTRIP, 4, 1, 1);
    ENTRY (TIFFTAG_STRIPBYTECOUNTS, 4, 1, 1);
    for (t = 0; t < n_tags; t++)
      ENTRY (65000 + t, 1, blob_size, 8);       /* BYTE */
#undef ENTRY
    if (p + 1 < pages)
      wr32 (e, px + 2 + ifd_size + 2);
  }
  return f;
}

/* Directories whose tags all point at the same data make libtiff read it
 * for each of them: refused once reading them takes more than 16 times the
 * file, whether across pages or within one directory. */
static void
test_shared_tag_data (void)
{
  gsize size;
  guint8 *f = shared_tags_file (400, 1, 100000, &size);
  guint good;
  gchar *msg = refusal ((gchar *) f, size, &good);

  assert_contains (msg, "16 times the file's size");
  assert_contains (msg, "share data");
  /* about 16 times 152 kB + 16 MB, at 100 kB a page */
  g_assert_cmpuint (good, >, 100);
  g_assert_cmpuint (good, <, 300);
  g_free (msg);
  g_free (f);

  f = shared_tags_file (1, 500, 200000, &size);
  refused_as ((gchar *) f, size, 0, "page 1: reading the directories",
      "share data");
  g_free (f);
}

/* A page may not claim more decoded bytes than its compression can make
 * of the bytes it stores; flat images at each compression's real best
 * ratio are decoded. */
static void
test_expansion_bounds (void)
{
  static const struct
  {
    guint16 compression;
    guint side;
    gdouble min_ratio;          /* what the encoder reaches on zeros */
    guint bound;                /* the format's own bound */
    const gchar *name;
  } codecs[] = {
    {COMPRESSION_PACKBITS, 1024, 60, 64, "PackBits"},
    {COMPRESSION_ADOBE_DEFLATE, 2048, 1000, 1032, "Deflate"},
    {COMPRESSION_LZW, 2048, 1000, 2560, "LZW"},
    {COMPRESSION_LZMA, 4096, 5000, 16384, "LZMA"},
    {COMPRESSION_ZSTD, 4096, 30000, 32768, "Zstandard"},
  };
  guint c;

  for (c = 0; c < G_N_ELEMENTS (codecs); c++) {
    guint side = codecs[c].side;
    gchar *path, *data, *msg, *bound;
    gsize size;
    guint32 ifd;
    guint8 *d, *counts, *frame;
    BwTiffInfo info;
    BwTiffReader *r;
    guint32 stored, rows;
    guint good, i;

    if (!TIFFIsCODECConfigured (codecs[c].compression))
      continue;
    /* zeros in one strip: the best ratio the encoder reaches */
    path = write_stack ("flat.tif", 1, side, side, codecs[c].compression,
        side, 0, TRUE);
    g_assert_true (g_file_get_contents (path, &data, &size, NULL));
    d = (guint8 *) data;
    ifd_chain (d, size, &ifd, 1);
    counts = ifd_entry (d, ifd, TIFFTAG_STRIPBYTECOUNTS);
    g_assert_cmpuint (rd32 (counts + 4), ==, 1);
    stored = get_value (d, counts, 0);
    if ((gdouble) side * side / stored < codecs[c].min_ratio)
      g_error ("%s: zeros compress only %.0f:1", codecs[c].name,
          (gdouble) side * side / stored);
    r = bw_tiff_reader_open (d, size, 1 << 30, &info, NULL);
    g_assert_nonnull (r);
    g_assert_null (bw_tiff_reader_get_stop_error (r));
    frame = g_malloc ((gsize) side * side);
    memset (frame, 1, (gsize) side * side);
    g_assert_true (bw_tiff_reader_read_page (r, 0, frame, side, NULL));
    for (i = 0; i < side * side; i++)
      g_assert_cmpuint (frame[i], ==, 0);
    g_free (frame);
    bw_tiff_reader_free (r);

    /* the same data claimed to hold as many rows as the bound allows
     * (opened; decoding would find the data short), then one more */
    rows = (guint64) stored *codecs[c].bound / side;
    set_value (d, ifd_entry (d, ifd, TIFFTAG_IMAGELENGTH), 0, rows);
    set_value (d, ifd_entry (d, ifd, TIFFTAG_ROWSPERSTRIP), 0, rows);
    msg = refusal (data, size, &good);
    g_assert_null (msg);
    g_assert_cmpuint (good, ==, 1);
    set_value (d, ifd_entry (d, ifd, TIFFTAG_IMAGELENGTH), 0, rows + 1);
    set_value (d, ifd_entry (d, ifd, TIFFTAG_ROWSPERSTRIP), 0, rows + 1);
    msg = refusal (data, size, &good);
    bound = g_strdup_printf ("(%u decoded bytes per byte at most)",
        codecs[c].bound);
    assert_contains (msg, codecs[c].name);
    assert_contains (msg, bound);
    g_free (bound);
    g_free (msg);
    g_free (data);
    g_unlink (path);
    g_free (path);
  }
}

/* ---- push mode's input limit -------------------------------------------- */

/* A stream that starts like a TIFF and never ends: refused once it passes
 * max-input-bytes, not collected until memory runs out. */
static void
test_max_input_endless (void)
{
  const gsize chunk = 64 << 10, limit = 1 << 20;
  GError *err = NULL;
  GstElement *pipe = gst_parse_launch ("appsrc name=src caps=image/tiff "
      "! tiffdec name=dec max-input-bytes=1048576 ! fakesink", &err), *src;
  GstMessage *msg = NULL;
  gsize pushed = 0;
  guint64 level;
  gchar *text;

  g_assert_no_error (err);
  src = gst_bin_get_by_name (GST_BIN (pipe), "src");
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  while (!msg && pushed < 256 * limit) {
    GstBuffer *buf = gst_buffer_new_allocate (NULL, chunk, NULL);

    gst_buffer_memset (buf, 0, pushed == 0 ? 0x49 : 0, chunk);
    if (pushed == 0)
      gst_buffer_fill (buf, 0, "II*\0\x08\0\0\0", 8);
    g_assert_cmpint (gst_app_src_push_buffer (GST_APP_SRC (src), buf), ==,
        GST_FLOW_OK);
    pushed += chunk;
    /* at the decoder's pace: no more than a few chunks queued */
    do {
      msg = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (pipe),
          GST_MSECOND, GST_MESSAGE_ERROR);
      g_object_get (src, "current-level-bytes", &level, NULL);
    } while (!msg && level > 4 * chunk);
  }
  g_assert_nonnull (msg);
  g_assert_cmpstr (GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), ==, "dec");
  gst_message_parse_error (msg, &err, NULL);
  text = g_strdup_printf ("more than %" G_GSIZE_FORMAT " bytes", limit);
  assert_contains (err->message, text);
  assert_contains (err->message, "max-input-bytes");
  g_free (text);
  g_clear_error (&err);
  gst_message_unref (msg);
  /* refused when the limit was passed, not later */
  g_assert_cmpuint (pushed, <=, limit + 6 * chunk);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (src);
  gst_object_unref (pipe);
}

/* A file through a queue (push mode) is decoded up to the limit exactly;
 * one byte over it is refused at once, since upstream tells the size. */
static void
test_max_input_file (void)
{
  gchar *path = write_stack ("input-limit.tif", 3, 16, 8, COMPRESSION_NONE,
      8, 0, FALSE), *chain, *error;
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  chain = g_strdup_printf ("queue ! tiffdec max-input-bytes=%" G_GUINT64_FORMAT,
      (guint64) st.st_size);
  g_assert_cmpuint (run_stack (chain, path, 16, 8, TRUE, &error), ==, 3);
  g_assert_null (error);
  g_free (chain);
  chain = g_strdup_printf ("queue ! tiffdec max-input-bytes=%" G_GUINT64_FORMAT,
      (guint64) st.st_size - 1);
  g_assert_cmpuint (run_stack (chain, path, 16, 8, TRUE, &error), ==, 0);
  assert_contains (error, path);
  assert_contains (error, "max-input-bytes");
  g_free (error);
  g_free (chain);
  g_unlink (path);
  g_free (path);
}

/* ---- duration and seeking ------------------------------------------------ */

/* The page a sample holds (its first pixel), and its timestamp. */
static guint
sample_page (GstSample * s, GstClockTime * pts)
{
  GstBuffer *buf = gst_sample_get_buffer (s);
  GstMapInfo map;
  guint p;

  g_assert_true (gst_buffer_map (buf, &map, GST_MAP_READ));
  for (p = 0; p < 256 && stack_value (p, 0, 0) != map.data[0]; p++);
  g_assert_cmpuint (p, <, 256);
  check_stack_page (map.data, 16, p, 16, 8);
  gst_buffer_unmap (buf, &map);
  *pts = GST_BUFFER_PTS (buf);
  return p;
}

/* Pulls the samples up to EOS: their pages, as digits. */
static gchar *
pages_to_eos (GstElement * sink, GstClockTime * first_pts,
    GstClockTime * segment_start)
{
  GString *pages = g_string_new (NULL);
  GstSample *s;

  while ((s = gst_app_sink_pull_sample (GST_APP_SINK (sink)))) {
    GstClockTime pts;
    guint p = sample_page (s, &pts);

    if (pages->len == 0) {
      *first_pts = pts;
      *segment_start = gst_sample_get_segment (s)->start;
    }
    g_string_append_printf (pages, "%u", p);
    gst_sample_unref (s);
  }
  g_assert_true (gst_app_sink_is_eos (GST_APP_SINK (sink)));
  return g_string_free (pages, FALSE);
}

static void
seek_and_check (GstElement * pipe, GstElement * sink, GstFormat format,
    GstSeekFlags flags, gint64 start, gint64 stop, const gchar * pages,
    GstClockTime pts, GstClockTime segment_start)
{
  GstClockTime got_pts = GST_CLOCK_TIME_NONE, got_start = 0;
  gchar *got;

  g_assert_true (gst_element_seek (pipe, 1.0, format,
          GST_SEEK_FLAG_FLUSH | flags, GST_SEEK_TYPE_SET, start,
          GST_SEEK_TYPE_SET, stop));
  got = pages_to_eos (sink, &got_pts, &got_start);
  g_assert_cmpstr (got, ==, pages);
  g_assert_cmpuint (got_pts, ==, pts);
  g_assert_cmpuint (got_start, ==, segment_start);
  g_free (got);
}

/* A 5-page stack at 2 frames per second lasts 2.5 s and 5 frames, and
 * seeks to a time or a page continue from the page shown there, with the
 * segment and timestamps of the seek; in pull and in push mode, and as
 * still images (pages only). */
static void
test_duration_seek (void)
{
  static const gchar *chains[] = { "tiffdec framerate=2/1",
    "queue ! tiffdec framerate=2/1", "tiffdec framerate=0/1",
    "queue ! tiffdec framerate=0/1"
  };
  gchar *path = write_stack ("seek.tif", 5, 16, 8, COMPRESSION_NONE, 8, 0,
      FALSE);
  guint c;

  for (c = 0; c < G_N_ELEMENTS (chains); c++) {
    gboolean timed = strstr (chains[c], "2/1") != NULL;
    gchar *desc = g_strdup_printf ("filesrc location=\"%s\" ! %s ! appsink "
        "name=sink sync=false", path, chains[c]);
    GError *err = NULL;
    GstElement *pipe = gst_parse_launch (desc, &err), *sink;
    GstClockTime pts, start, sec = timed ? GST_SECOND : 2;
    GstSample *s;
    GstQuery *q;
    GstMessage *msg;
    GstFormat format;
    gint64 v;
    gboolean seekable;
    gchar *pages;

    g_assert_no_error (err);
    sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
    gst_element_set_state (pipe, GST_STATE_PAUSED);
    s = gst_app_sink_pull_preroll (GST_APP_SINK (sink));
    g_assert_cmpuint (sample_page (s, &pts), ==, 0);
    gst_sample_unref (s);

    g_assert_true (gst_element_query_duration (pipe, GST_FORMAT_DEFAULT, &v));
    g_assert_cmpint (v, ==, 5);
    g_assert_cmpint (gst_element_query_duration (pipe, GST_FORMAT_TIME, &v),
        ==, timed);
    if (timed)
      g_assert_cmpint (v, ==, 5 * GST_SECOND / 2);
    q = gst_query_new_seeking (timed ? GST_FORMAT_TIME : GST_FORMAT_DEFAULT);
    g_assert_true (gst_element_query (pipe, q));
    gst_query_parse_seeking (q, NULL, &seekable, NULL, &v);
    g_assert_true (seekable);
    g_assert_cmpint (v, ==, timed ? 5 * GST_SECOND / 2 : 5);
    gst_query_unref (q);

    /* in PAUSED: the new preroll is page 3 */
    g_assert_true (gst_element_seek_simple (pipe, GST_FORMAT_DEFAULT,
            GST_SEEK_FLAG_FLUSH, 3));
    s = gst_app_sink_pull_preroll (GST_APP_SINK (sink));
    g_assert_cmpuint (sample_page (s, &pts), ==, 3);
    g_assert_cmpuint (pts, ==, 3 * sec / 2);
    gst_sample_unref (s);
    gst_element_set_state (pipe, GST_STATE_PLAYING);
    pages = pages_to_eos (sink, &pts, &start);
    g_assert_cmpstr (pages, ==, "34");
    g_free (pages);
    g_assert_true (gst_element_query_position (pipe, GST_FORMAT_DEFAULT, &v));
    g_assert_cmpint (v, ==, 4);

    /* after EOS, in PLAYING: pages 1 and 2 (stop before page 3) */
    seek_and_check (pipe, sink, GST_FORMAT_DEFAULT, 0, 1, 3, "12", sec / 2,
        sec / 2);
    if (timed) {
      /* 1.25 s is within page 2 (1.0 .. 1.5 s); the segment starts there
       * unless snapped to the page */
      seek_and_check (pipe, sink, GST_FORMAT_TIME, 0, 5 * GST_SECOND / 4,
          -1, "234", GST_SECOND, 5 * GST_SECOND / 4);
      seek_and_check (pipe, sink, GST_FORMAT_TIME, GST_SEEK_FLAG_KEY_UNIT,
          5 * GST_SECOND / 4, -1, "234", GST_SECOND, GST_SECOND);
      seek_and_check (pipe, sink, GST_FORMAT_TIME, GST_SEEK_FLAG_KEY_UNIT |
          GST_SEEK_FLAG_SNAP_AFTER, 5 * GST_SECOND / 4, -1, "34",
          3 * GST_SECOND / 2, 3 * GST_SECOND / 2);
      /* past the end: nothing, then EOS */
      seek_and_check (pipe, sink, GST_FORMAT_TIME, 0, 10 * GST_SECOND, -1, "",
          GST_CLOCK_TIME_NONE, 0);
      /* a segment seek ends with segment-done at its stop, not EOS */
      g_assert_true (gst_element_seek (pipe, 1.0, GST_FORMAT_DEFAULT,
              GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_SEGMENT, GST_SEEK_TYPE_SET,
              2, GST_SEEK_TYPE_SET, 4));
      for (v = 2; v < 4; v++) {
        s = gst_app_sink_pull_sample (GST_APP_SINK (sink));
        g_assert_cmpuint (sample_page (s, &pts), ==, v);
        gst_sample_unref (s);
      }
      msg = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (pipe),
          10 * GST_SECOND, GST_MESSAGE_SEGMENT_DONE);
      g_assert_nonnull (msg);
      gst_message_parse_segment_done (msg, &format, &v);
      g_assert_cmpint (format, ==, GST_FORMAT_TIME);
      g_assert_cmpint (v, ==, 2 * GST_SECOND);
      gst_message_unref (msg);
      g_assert_false (gst_app_sink_is_eos (GST_APP_SINK (sink)));
      /* looping as players do: a seek back without flushing, pages 0 and 1
       * after 2 and 3, with running times that go on */
      g_assert_true (gst_element_seek (pipe, 1.0, GST_FORMAT_DEFAULT,
              GST_SEEK_FLAG_SEGMENT, GST_SEEK_TYPE_SET, 0, GST_SEEK_TYPE_SET,
              2));
      for (v = 0; v < 2; v++) {
        const GstSegment *seg;

        s = gst_app_sink_pull_sample (GST_APP_SINK (sink));
        g_assert_cmpuint (sample_page (s, &pts), ==, v);
        seg = gst_sample_get_segment (s);
        g_assert_cmpuint (gst_segment_to_running_time (seg, GST_FORMAT_TIME,
                pts), ==, GST_SECOND + pts);
        gst_sample_unref (s);
      }
      msg = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (pipe),
          10 * GST_SECOND, GST_MESSAGE_SEGMENT_DONE);
      g_assert_nonnull (msg);
      gst_message_unref (msg);
    } else {
      /* still images: no time to seek to */
      g_assert_false (gst_element_seek_simple (pipe, GST_FORMAT_TIME,
              GST_SEEK_FLAG_FLUSH, GST_SECOND));
    }
    gst_element_set_state (pipe, GST_STATE_NULL);
    gst_object_unref (sink);
    gst_object_unref (pipe);
    g_free (desc);
  }
  g_unlink (path);
  g_free (path);
}


/* ---- tiffdec: the file mapped, pooled pages, luma, progress ------------- */

/* Whether data lies in a mapping of the file path (by its inode), as the
 * kernel lists this process's mappings. */
static gboolean
in_file_mapping (gconstpointer data, const gchar * path)
{
  gchar *maps = NULL, **lines;
  GStatBuf st;
  gboolean found = FALSE;
  guint i;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  lines = g_strsplit (maps, "\n", -1);
  for (i = 0; lines[i] && !found; i++) {
    guint64 start, end, inode;
    gchar perms[8], dev[16];
    guint64 offset;

    if (sscanf (lines[i], "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER
            "x %7s %" G_GINT64_MODIFIER "x %15s %" G_GINT64_MODIFIER "u",
            &start, &end, perms, &offset, dev, &inode) == 6
        && (guint64) (guintptr) data >= start
        && (guint64) (guintptr) data < end)
      found = inode == (guint64) st.st_ino;
  }
  g_strfreev (lines);
  g_free (maps);
  return found;
}

static GstElement *
start_pipeline (const gchar * desc, const gchar * path, GstElement ** sink)
{
  GstElement *pipe = gst_parse_launch (desc, NULL), *src;

  g_assert_nonnull (pipe);
  src = gst_bin_get_by_name (GST_BIN (pipe), "src");
  g_object_set (src, "location", path, NULL);
  gst_object_unref (src);
  *sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  g_assert_cmpint (gst_element_set_state (pipe, GST_STATE_PLAYING), !=,
      GST_STATE_CHANGE_FAILURE);
  return pipe;
}

static void
stop_pipeline (GstElement * pipe, GstElement * sink)
{
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipe);
}

typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean gone;
} Disposal;

static void
note_disposal (gpointer data, GObject * where_it_was)
{
  Disposal *d = data;

  g_mutex_lock (&d->lock);
  d->gone = TRUE;
  g_cond_broadcast (&d->cond);
  g_mutex_unlock (&d->lock);
}

/* Stops the pipeline and waits until it and its elements are gone: a
 * streaming thread may hold the last reference for a while. */
static void
dispose_pipeline (GstElement * pipe, GstElement * sink)
{
  Disposal d = { 0, };

  g_mutex_init (&d.lock);
  g_cond_init (&d.cond);
  g_object_weak_ref (G_OBJECT (pipe), note_disposal, &d);
  stop_pipeline (pipe, sink);
  g_mutex_lock (&d.lock);
  while (!d.gone)
    g_cond_wait (&d.cond, &d.lock);
  g_mutex_unlock (&d.lock);
  g_mutex_clear (&d.lock);
  g_cond_clear (&d.cond);
}

static void
check_sample (const Layout * l, guint p, GstSample * s)
{
  GstVideoInfo info;
  GstVideoFrame frame;

  g_assert_nonnull (s);
  g_assert_true (gst_video_info_from_caps (&info, gst_sample_get_caps (s)));
  g_assert_true (gst_video_frame_map (&frame, &info,
          gst_sample_get_buffer (s), GST_MAP_READ));
  check_page (l, p, GST_VIDEO_FRAME_PLANE_DATA (&frame, 0),
      GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0));
  gst_video_frame_unmap (&frame);
}

/* An uncompressed stack read through filesrc: its pages are parts of one
 * mapping of the file itself (not of memory it was read into), and the
 * mapping goes with the last of them.  Through a queue (push mode) the
 * file is collected in memory as before. */
static void
test_mapped_in_place (void)
{
  Layout l = { "mapped-stack.tif", 16, 1, PHOTOMETRIC_MINISBLACK,
    COMPRESSION_NONE, 1, FALSE, FALSE, FALSE, 3, 64, 40
  };
  gchar *path = write_tiff (&l);
  guint mode, p;

  for (mode = 0; mode < 2; mode++) {
    GstElement *sink, *pipe = start_pipeline (mode ? "filesrc name=src ! "
        "queue ! tiffdec ! appsink name=sink sync=false" : "filesrc name=src "
        "! tiffdec ! appsink name=sink sync=false", path, &sink);
    GstSample *s[3];
    GstMemory *mem[3];
    GstMapInfo map;
    gpointer first = NULL;

    for (p = 0; p < 3; p++) {
      s[p] = gst_app_sink_pull_sample (GST_APP_SINK (sink));
      check_sample (&l, p, s[p]);
      g_assert_cmpuint (gst_buffer_n_memory (gst_sample_get_buffer (s[p])),
          ==, 1);
      mem[p] = gst_buffer_peek_memory (gst_sample_get_buffer (s[p]), 0);
      g_assert_true (gst_memory_map (mem[p], &map, GST_MAP_READ));
      g_assert_true (in_file_mapping (map.data, path) == (mode == 0));
      first = first ? first : map.data;
      gst_memory_unmap (mem[p], &map);
    }
    if (mode == 0) {
      /* parts of one memory, the file's */
      g_assert_nonnull (mem[0]->parent);
      g_assert_true (mem[1]->parent == mem[0]->parent);
      g_assert_true (mem[2]->parent == mem[0]->parent);
    }
    dispose_pipeline (pipe, sink);
    g_assert_true (in_file_mapping (first, path) == (mode == 0));
    for (p = 0; p < 3; p++)
      gst_sample_unref (s[p]);
    /* unmapped once the last page is gone */
    g_assert_false (in_file_mapping (first, path));
  }
  g_unlink (path);
  g_free (path);
}

/* A compressed stack: every page is decoded into a buffer of a pool, and
 * a buffer given back comes back with the same memory (marked here). */
static void
test_pool_recycles (void)
{
  Layout l = { "pooled-stack.tif", 8, 1, PHOTOMETRIC_MINISBLACK,
    COMPRESSION_ADOBE_DEFLATE, 1, FALSE, FALSE, FALSE, 8, 45, 37
  };
  GQuark mark = g_quark_from_static_string ("test-tiff-seen");
  gchar *path = write_tiff (&l);
  GstElement *sink, *pipe = start_pipeline ("filesrc name=src ! tiffdec ! "
      "appsink name=sink sync=false max-buffers=1", path, &sink);
  guint p, again = 0;

  for (p = 0; p < l.pages; p++) {
    GstSample *s = gst_app_sink_pull_sample (GST_APP_SINK (sink));
    GstBuffer *buf;
    GstMemory *mem;

    check_sample (&l, p, s);
    buf = gst_sample_get_buffer (s);
    g_assert_nonnull (buf->pool);
    mem = gst_buffer_peek_memory (buf, 0);
    if (gst_mini_object_get_qdata (GST_MINI_OBJECT (mem), mark))
      again++;
    gst_mini_object_set_qdata (GST_MINI_OBJECT (mem), mark,
        GINT_TO_POINTER (1), NULL);
    gst_sample_unref (s);
  }
  /* at most one page held here, one in the sink, one being decoded */
  g_assert_cmpuint (again, >=, l.pages - 3);
  stop_pipeline (pipe, sink);
  g_unlink (path);
  g_free (path);
}

/* Pulls one frame from a pipeline on path as a sample. */
static GstSample *
first_frame (const gchar * desc, const gchar * path)
{
  GstElement *sink, *pipe = start_pipeline (desc, path, &sink);
  GstSample *s = gst_app_sink_pull_sample (GST_APP_SINK (sink));

  g_assert_nonnull (s);
  stop_pipeline (pipe, sink);
  return s;
}

static GstVideoFormat
sample_format (GstSample * s)
{
  GstVideoInfo info;

  g_assert_true (gst_video_info_from_caps (&info, gst_sample_get_caps (s)));
  return GST_VIDEO_INFO_FORMAT (&info);
}

static void
assert_same_frames (GstSample * a, GstSample * b)
{
  GstVideoInfo ia, ib;
  GstVideoFrame fa, fb;
  gint y;

  g_assert_true (gst_video_info_from_caps (&ia, gst_sample_get_caps (a)));
  g_assert_true (gst_video_info_from_caps (&ib, gst_sample_get_caps (b)));
  g_assert_cmpint (GST_VIDEO_INFO_FORMAT (&ia), ==,
      GST_VIDEO_INFO_FORMAT (&ib));
  g_assert_true (gst_video_frame_map (&fa, &ia, gst_sample_get_buffer (a),
          GST_MAP_READ));
  g_assert_true (gst_video_frame_map (&fb, &ib, gst_sample_get_buffer (b),
          GST_MAP_READ));
  for (y = 0; y < GST_VIDEO_INFO_HEIGHT (&ia); y++)
    g_assert_cmpmem ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&fa, 0) +
        y * GST_VIDEO_FRAME_PLANE_STRIDE (&fa, 0),
        GST_VIDEO_INFO_WIDTH (&ia),
        (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&fb, 0) +
        y * GST_VIDEO_FRAME_PLANE_STRIDE (&fb, 0), GST_VIDEO_INFO_WIDTH (&ib));
  gst_video_frame_unmap (&fa);
  gst_video_frame_unmap (&fb);
}

/* The format of tiffdec's source pad in a pipeline. */
static GstVideoFormat
tiffdec_format (GstElement * pipe)
{
  GstIterator *it = gst_bin_iterate_recurse (GST_BIN (pipe));
  GstVideoFormat format = GST_VIDEO_FORMAT_UNKNOWN;
  GValue v = G_VALUE_INIT;

  while (gst_iterator_next (it, &v) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object (&v);
    GstElementFactory *f = gst_element_get_factory (e);

    if (f && g_str_equal (GST_OBJECT_NAME (f), "tiffdec")) {
      GstPad *pad = gst_element_get_static_pad (e, "src");
      GstCaps *caps = gst_pad_get_current_caps (pad);
      GstVideoInfo info;

      g_assert_true (gst_video_info_from_caps (&info, caps));
      format = GST_VIDEO_INFO_FORMAT (&info);
      gst_caps_unref (caps);
      gst_object_unref (pad);
    }
    g_value_reset (&v);
  }
  g_value_unset (&v);
  gst_iterator_free (it);
  return format;
}

/* RGB and RGBA files (strips and tiles, compressed or not): tiffdec gives
 * GRAY8 itself when downstream takes nothing else, and when videoconvert
 * is followed by gray caps as in the command line; those frames are
 * videoconvert's GRAY8 of tiffdec's colour frames, byte for byte.  With
 * nothing asked, or colour taken downstream (GRAY8 too), the colour
 * stays. */
static void
test_gray_from_colour (void)
{
  static const struct
  {
    guint spp;
    guint16 compression;
    gboolean tiled;
  } kinds[] = {
    {3, COMPRESSION_NONE, FALSE}, {3, COMPRESSION_ADOBE_DEFLATE, TRUE},
    {4, COMPRESSION_LZW, FALSE}, {4, COMPRESSION_ADOBE_DEFLATE, TRUE},
  };
  static const gchar *colour_sinks[] = {
    "videoconvert ! video/x-raw,format={BGRA,GRAY8} ! appsink name=sink "
        "sync=false",
    "videoconvert ! video/x-raw,format={GRAY8,BGRA} ! appsink name=sink "
        "sync=false",
    "videoconvert ! video/x-raw,format=I420 ! appsink name=sink sync=false",
    "videoconvert ! appsink name=sink sync=false",
    "video/x-raw,format={" GST_VIDEO_NE (GRAY16) ",RGB,RGBA,GRAY8} ! "
        "videoconvert ! appsink name=sink sync=false",
  };
  guint k, i;

  for (k = 0; k < G_N_ELEMENTS (kinds); k++) {
    Layout l = { "colour.tif", 8, kinds[k].spp, PHOTOMETRIC_RGB,
      kinds[k].compression, 1, kinds[k].tiled, FALSE, FALSE, 1, 45, 37
    };
    const gchar *colour = l.spp == 3 ? "RGB" : "RGBA";
    gchar *path = write_tiff (&l), *desc;
    GstSample *own, *gray, *converted, *cli, *s;
    GstElement *sink, *pipe;

    own = first_frame ("filesrc name=src ! tiffdec ! appsink name=sink "
        "sync=false", path);
    g_assert_cmpint (sample_format (own), ==,
        gst_video_format_from_string (colour));
    gray = first_frame ("filesrc name=src ! tiffdec ! "
        "video/x-raw,format=GRAY8 ! appsink name=sink sync=false", path);
    desc = g_strdup_printf ("filesrc name=src ! tiffdec ! video/x-raw,"
        "format=%s ! videoconvert ! video/x-raw,format=GRAY8 ! appsink "
        "name=sink sync=false", colour);
    converted = first_frame (desc, path);
    g_free (desc);
    assert_same_frames (gray, converted);

    /* the command line's reading pipeline */
    pipe = start_pipeline ("filesrc name=src ! decodebin ! videoconvert ! "
        "video/x-raw,format={" GST_VIDEO_NE (GRAY16) ",GRAY8} ! "
        "appsink name=sink sync=false", path, &sink);
    cli = gst_app_sink_pull_sample (GST_APP_SINK (sink));
    g_assert_nonnull (cli);
    g_assert_cmpint (tiffdec_format (pipe), ==, GST_VIDEO_FORMAT_GRAY8);
    assert_same_frames (cli, converted);
    stop_pipeline (pipe, sink);

    /* colour pipelines: downstream takes colour (GRAY8 too, or formats
     * that videoconvert makes from colour): tiffdec gives the colour */
    for (i = 0; i < G_N_ELEMENTS (colour_sinks); i++) {
      desc = g_strdup_printf ("filesrc name=src ! tiffdec ! %s",
          colour_sinks[i]);
      pipe = start_pipeline (desc, path, &sink);
      s = gst_app_sink_pull_sample (GST_APP_SINK (sink));
      g_assert_nonnull (s);
      if (tiffdec_format (pipe) != gst_video_format_from_string (colour))
        g_error ("%s: tiffdec gives %s, not %s", desc,
            gst_video_format_to_string (tiffdec_format (pipe)), colour);
      gst_sample_unref (s);
      stop_pipeline (pipe, sink);
      g_free (desc);
    }

    gst_sample_unref (own);
    gst_sample_unref (gray);
    gst_sample_unref (converted);
    gst_sample_unref (cli);
    g_unlink (path);
    g_free (path);
  }
}

/* A compressed stack decoded with progress-delay=0 posts tiffdec-progress
 * messages for each page: named, counted from 1, fractions rising to 1. */
static void
test_progress_messages (void)
{
  Layout l = { "progress.tif", 8, 1, PHOTOMETRIC_MINISBLACK,
    COMPRESSION_ADOBE_DEFLATE, 1, TRUE, FALSE, FALSE, 2, 256, 128, 16, 16,
    TRUE
  };
  gchar *path = write_tiff (&l);
  GstElement *sink, *pipe = start_pipeline ("filesrc name=src ! tiffdec "
      "progress-delay=0 n-threads=1 ! appsink name=sink sync=false", path,
      &sink);
  GstBus *bus = gst_element_get_bus (pipe);
  gdouble last[3] = { -1, -1, -1 };
  GstMessage *msg;
  GstSample *s;
  guint p = 0;

  while ((s = gst_app_sink_pull_sample (GST_APP_SINK (sink)))) {
    check_sample (&l, p++, s);
    gst_sample_unref (s);
  }
  g_assert_cmpuint (p, ==, l.pages);
  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    const GstStructure *st = gst_message_get_structure (msg);
    guint page, pages;
    gdouble fraction;

    g_assert_true (gst_structure_has_name (st, "tiffdec-progress"));
    g_assert_true (gst_structure_get (st, "page", G_TYPE_UINT, &page,
            "pages", G_TYPE_UINT, &pages, "fraction", G_TYPE_DOUBLE,
            &fraction, NULL));
    g_assert_cmpstr (gst_structure_get_string (st, "location"), ==, path);
    g_assert_cmpuint (pages, ==, l.pages);
    g_assert_cmpuint (page, >=, 1);
    g_assert_cmpuint (page, <=, l.pages);
    g_assert_cmpfloat (fraction, >=, last[page]);
    g_assert_cmpfloat (fraction, <=, 1.0);
    last[page] = fraction;
    gst_message_unref (msg);
  }
  g_assert_cmpfloat (last[1], ==, 1.0);
  g_assert_cmpfloat (last[2], ==, 1.0);
  gst_object_unref (bus);
  stop_pipeline (pipe, sink);
  g_unlink (path);
  g_free (path);
}

/* Holds the decoding thread in its first progress message until a flush
 * has started downstream; counts the decodes of the page finished. */
typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean held, flushing;
  guint finished;
} Gate;

static GstBusSyncReply
hold_decoding (GstBus * bus, GstMessage * msg, gpointer data)
{
  Gate *g = data;
  const GstStructure *st = gst_message_get_structure (msg);
  guint page;
  gdouble fraction;

  if (GST_MESSAGE_TYPE (msg) != GST_MESSAGE_ELEMENT
      || !gst_structure_has_name (st, "tiffdec-progress")
      || !gst_structure_get (st, "page", G_TYPE_UINT, &page, "fraction",
          G_TYPE_DOUBLE, &fraction, NULL))
    return GST_BUS_PASS;
  g_assert_cmpuint (page, ==, 1);
  g_mutex_lock (&g->lock);
  if (fraction >= 1.0)
    g->finished++;
  if (!g->held && fraction < 1.0) {
    g->held = TRUE;
    g_cond_broadcast (&g->cond);
    while (!g->flushing)
      g_cond_wait (&g->cond, &g->lock);
  }
  g_cond_broadcast (&g->cond);
  g_mutex_unlock (&g->lock);
  return GST_BUS_PASS;
}

static GstPadProbeReturn
note_flush (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  Gate *g = data;

  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_START) {
    g_mutex_lock (&g->lock);
    g->flushing = TRUE;
    g_cond_broadcast (&g->cond);
    g_mutex_unlock (&g->lock);
  }
  return GST_PAD_PROBE_OK;
}

/* A flushing seek while a page decodes abandons it and returns: the page
 * is decoded once more from the start, and finished only then.  (One
 * large page of small tiles: the reader reports progress after 100 ms.) */
static void
test_seek_cancels_decode (void)
{
  Layout l = { "slow-pages.tif", 8, 1, PHOTOMETRIC_MINISBLACK,
    COMPRESSION_ADOBE_DEFLATE, 1, TRUE, FALSE, FALSE, 1, 8192, 4096, 16, 16,
    TRUE
  };
  gchar *path = write_tiff (&l);
  GstElement *sink, *pipe;
  GstSample *s;
  GstPad *pad;
  GstBus *bus;
  Gate g = { 0, };
  gboolean held;

  g_mutex_init (&g.lock);
  g_cond_init (&g.cond);
  pipe = gst_parse_launch ("filesrc name=src ! tiffdec progress-delay=0 "
      "n-threads=1 ! appsink name=sink sync=false", NULL);
  g_assert_nonnull (pipe);
  sink = gst_bin_get_by_name (GST_BIN (pipe), "src");
  g_object_set (sink, "location", path, NULL);
  gst_object_unref (sink);
  sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_FLUSH, note_flush, &g, NULL);
  gst_object_unref (pad);
  bus = gst_element_get_bus (pipe);
  gst_bus_set_sync_handler (bus, hold_decoding, &g, NULL);
  gst_element_set_state (pipe, GST_STATE_PLAYING);

  g_mutex_lock (&g.lock);
  while (!g.held && g.finished == 0)
    g_cond_wait (&g.cond, &g.lock);
  held = g.held;
  g_mutex_unlock (&g.lock);
  if (!held) {
    g_test_skip ("the page was decoded before its first progress report");
  } else {
    g_assert_true (gst_element_seek (pipe, 1.0, GST_FORMAT_DEFAULT,
            GST_SEEK_FLAG_FLUSH, GST_SEEK_TYPE_SET, 0, GST_SEEK_TYPE_NONE, -1));
    s = gst_app_sink_pull_sample (GST_APP_SINK (sink));
    g_assert_nonnull (s);
    g_assert_cmpuint (GST_BUFFER_OFFSET (gst_sample_get_buffer (s)), ==, 0);
    check_sample (&l, 0, s);
    gst_sample_unref (s);
    g_mutex_lock (&g.lock);
    g_assert_cmpuint (g.finished, ==, 1);
    g_mutex_unlock (&g.lock);
  }
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  gst_object_unref (bus);
  stop_pipeline (pipe, sink);
  g_mutex_clear (&g.lock);
  g_cond_clear (&g.cond);
  g_unlink (path);
  g_free (path);
}

int
main (int argc, char **argv)
{
  int ret;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  TIFFSetWarningHandler (NULL);
  tmpdir = g_dir_make_tmp ("bw-tiff-XXXXXX", NULL);
  g_test_add_func ("/tiff/reader-layouts", test_reader_layouts);
  g_test_add_func ("/tiff/pipeline-layouts", test_pipeline_layouts);
  g_test_add_func ("/tiff/reader-jpeg", test_reader_jpeg);
  g_test_add_func ("/tiff/refused-layouts", test_refused_layouts);
  g_test_add_func ("/tiff/refused-damage", test_refused_damage);
  g_test_add_func ("/tiff/refused-huge-tile", test_refused_huge_tile);
  g_test_add_func ("/tiff/element-error-names-file",
      test_element_error_names_file);
  g_test_add_func ("/tiff/pages-linear", test_pages_linear);
  g_test_add_func ("/tiff/damaged-directory", test_damaged_directory);
  g_test_add_func ("/tiff/shared-data", test_shared_data);
  g_test_add_func ("/tiff/expansion-bounds", test_expansion_bounds);
  g_test_add_func ("/tiff/shared-tag-data", test_shared_tag_data);
  g_test_add_func ("/tiff/max-input-endless", test_max_input_endless);
  g_test_add_func ("/tiff/max-input-file", test_max_input_file);
  g_test_add_func ("/tiff/duration-seek", test_duration_seek);
  g_test_add_func ("/tiff/mapped-in-place", test_mapped_in_place);
  g_test_add_func ("/tiff/pool-recycles", test_pool_recycles);
  g_test_add_func ("/tiff/gray-from-colour", test_gray_from_colour);
  g_test_add_func ("/tiff/progress-messages", test_progress_messages);
  g_test_add_func ("/tiff/seek-cancels-decode", test_seek_cancels_decode);
  ret = g_test_run ();
  g_rmdir (tmpdir);
  g_free (tmpdir);
  gst_deinit ();
  return ret;
}
