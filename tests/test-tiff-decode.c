/* gst-blockwise: decoding pages with bw_tiff_reader_read_page_as().  Files
 * of random pixels are written here with libtiff (every layout, strips and
 * tiles, no compression, LZW, Deflate and PackBits) and decoded on 1, 2 and
 * 3 threads: every sample must be the one written, and GRAY8 from RGB and
 * RGBA must be what GStreamer's videoconvert makes of the same pixels.
 * Every path of the luma is checked against its formula.
 * Progress, cancelling, damaged tiles and strips, and giving the pages of
 * a mapped file back are checked too.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>
#include <tiffio.h>

#include "tiffreader.h"
#include "tiffreader-testing.h"
#include "tiffreader-luma.h"

static gchar *tmpdir;

typedef struct
{
  guint width, height;
  guint bps, spp;
  guint16 photometric;
  guint16 compression;
  gboolean tiled;
  guint tw, th;                 /* tiles */
  guint rps;                    /* strips */
  gboolean big_endian;
  guint pages;
} Spec;

static gsize
row_bytes (const Spec * s)
{
  return (gsize) s->width * s->spp * s->bps / 8;
}

/* Random samples (16-bit ones in native order), one buffer per page. */
static guint8 **
random_pages (const Spec * s, guint32 seed)
{
  guint8 **pages = g_new0 (guint8 *, s->pages + 1);
  GRand *rand = g_rand_new_with_seed (seed);
  gsize n = row_bytes (s) * s->height, i;
  guint p;

  for (p = 0; p < s->pages; p++) {
    pages[p] = g_malloc (n);
    for (i = 0; i < n; i++)
      pages[p][i] = g_rand_int (rand) >> 24;
  }
  g_rand_free (rand);
  return pages;
}

static void
free_pages (guint8 ** pages)
{
  guint p;

  for (p = 0; pages[p]; p++)
    g_free (pages[p]);
  g_free (pages);
}

/* Writes the pages with libtiff to a file named name; returns its path. */
static gchar *
write_file (const Spec * s, guint8 ** pages, const gchar * name)
{
  gchar *path = g_build_filename (tmpdir, name, NULL);
  TIFF *tif = TIFFOpen (path, s->big_endian ? "wb" : "wl");
  gsize rb = row_bytes (s), px = s->spp * s->bps / 8;
  guint p, x, y;

  g_assert_nonnull (tif);
  for (p = 0; p < s->pages; p++) {
    TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, s->width);
    TIFFSetField (tif, TIFFTAG_IMAGELENGTH, s->height);
    TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, s->bps);
    TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, s->spp);
    TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, s->photometric);
    TIFFSetField (tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField (tif, TIFFTAG_COMPRESSION, s->compression);
    if (s->compression == COMPRESSION_ADOBE_DEFLATE)
      TIFFSetField (tif, TIFFTAG_ZIPQUALITY, 1);
    if (s->spp == 4) {
      guint16 extra = EXTRASAMPLE_UNASSALPHA;

      TIFFSetField (tif, TIFFTAG_EXTRASAMPLES, 1, &extra);
    }
    if (s->pages > 1) {
      TIFFSetField (tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
      TIFFSetField (tif, TIFFTAG_PAGENUMBER, p, s->pages);
    }
    if (s->tiled) {
      gsize tile_row = (gsize) s->tw * px;
      guint8 *tile = g_malloc (tile_row * s->th);

      TIFFSetField (tif, TIFFTAG_TILEWIDTH, s->tw);
      TIFFSetField (tif, TIFFTAG_TILELENGTH, s->th);
      for (y = 0; y < s->height; y += s->th)
        for (x = 0; x < s->width; x += s->tw) {
          guint w = MIN (s->tw, s->width - x), r;

          memset (tile, 0x5a, tile_row * s->th);
          for (r = 0; r < s->th && y + r < s->height; r++)
            memcpy (tile + r * tile_row, pages[p] + (y + r) * rb + x * px,
                w * px);
          g_assert_cmpint (TIFFWriteTile (tif, tile, x, y, 0, 0), >=, 0);
        }
      g_free (tile);
    } else {
      guint8 *row = g_malloc (rb);

      TIFFSetField (tif, TIFFTAG_ROWSPERSTRIP, s->rps);
      /* a copy: libtiff swaps the bytes of what it writes in place */
      for (y = 0; y < s->height; y++) {
        memcpy (row, pages[p] + y * rb, rb);
        g_assert_cmpint (TIFFWriteScanline (tif, row, y, 0), ==, 1);
      }
      g_free (row);
    }
    g_assert_true (TIFFWriteDirectory (tif));
  }
  TIFFClose (tif);
  return path;
}

static guint8 *
read_file (const gchar * path, gsize * size)
{
  gchar *data;

  g_assert_true (g_file_get_contents (path, &data, size, NULL));
  return (guint8 *) data;
}

/* Checks a decoded own-layout page against the samples written:
 * min-is-white samples inverted, padding of the rows untouched. */
static void
check_own (const Spec * s, const guint8 * written, const guint8 * got,
    gsize stride, const gchar * what)
{
  gsize rb = row_bytes (s), i;
  guint y;

  for (y = 0; y < s->height; y++) {
    for (i = 0; i < rb; i++) {
      guint8 want = written[y * rb + i];

      if (s->photometric == PHOTOMETRIC_MINISWHITE)
        want = 255 - want;
      if (got[y * stride + i] != want)
        g_error ("%s: row %u byte %" G_GSIZE_FORMAT ": got %u, wrote %u",
            what, y, i, got[y * stride + i], want);
    }
    for (; i < stride; i++)
      if (got[y * stride + i] != 0xee)
        g_error ("%s: row %u: padding byte %" G_GSIZE_FORMAT " written",
            what, y, i);
  }
}

/* ---- the independent reference of luma: videoconvert ------------------- */

/* What `appsrc ! videoconvert ! GRAY8 ! appsink` makes of one RGB or RGBA
 * page: width * height bytes. */
static guint8 *
videoconvert_gray8 (const guint8 * pixels, guint width, guint height, guint spp)
{
  GstVideoInfo in_info;
  GstElement *pipe, *src, *sink;
  GstCaps *caps;
  GstBuffer *buf;
  GstVideoFrame frame;
  GstSample *sample;
  GstVideoInfo out_info;
  guint8 *out = g_malloc ((gsize) width * height);
  guint y;

  pipe = gst_parse_launch ("appsrc name=src ! videoconvert ! "
      "video/x-raw,format=GRAY8 ! appsink name=sink", NULL);
  g_assert_nonnull (pipe);
  src = gst_bin_get_by_name (GST_BIN (pipe), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  gst_video_info_set_format (&in_info, spp == 3 ? GST_VIDEO_FORMAT_RGB :
      GST_VIDEO_FORMAT_RGBA, width, height);
  caps = gst_video_info_to_caps (&in_info);
  g_object_set (src, "caps", caps, "format", GST_FORMAT_TIME, NULL);
  gst_caps_unref (caps);

  /* rows at GStreamer's default stride */
  buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&in_info), NULL);
  g_assert_true (gst_video_frame_map (&frame, &in_info, buf, GST_MAP_WRITE));
  for (y = 0; y < height; y++)
    memcpy ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0) +
        (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0),
        pixels + (gsize) y * width * spp, (gsize) width * spp);
  gst_video_frame_unmap (&frame);
  GST_BUFFER_PTS (buf) = 0;

  g_assert_cmpint (gst_element_set_state (pipe, GST_STATE_PLAYING), !=,
      GST_STATE_CHANGE_FAILURE);
  g_assert_cmpint (gst_app_src_push_buffer (GST_APP_SRC (src), buf), ==,
      GST_FLOW_OK);
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  sample = gst_app_sink_pull_sample (GST_APP_SINK (sink));
  g_assert_nonnull (sample);
  g_assert_true (gst_video_info_from_caps (&out_info,
          gst_sample_get_caps (sample)));
  g_assert_cmpint (GST_VIDEO_INFO_FORMAT (&out_info), ==,
      GST_VIDEO_FORMAT_GRAY8);
  g_assert_true (gst_video_frame_map (&frame, &out_info,
          gst_sample_get_buffer (sample), GST_MAP_READ));
  for (y = 0; y < height; y++)
    memcpy (out + (gsize) y * width,
        (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0) +
        (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0), width);
  gst_video_frame_unmap (&frame);
  gst_sample_unref (sample);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (src);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  return out;
}

static void
check_gray8 (const Spec * s, const guint8 * want, const guint8 * got,
    gsize stride, const gchar * what)
{
  guint x, y;

  for (y = 0; y < s->height; y++) {
    for (x = 0; x < s->width; x++)
      if (got[y * stride + x] != want[(gsize) y * s->width + x])
        g_error ("%s: luma at (%u,%u): got %u, videoconvert gives %u", what,
            x, y, got[y * stride + x], want[(gsize) y * s->width + x]);
    for (; x < stride; x++)
      if (got[y * stride + x] != 0xee)
        g_error ("%s: row %u: padding byte %u written", what, y, x);
  }
}

/* ---- every layout, every compression, 1 to 3 threads ------------------- */

static void
test_layouts (void)
{
  static const guint16 compressions[] = { COMPRESSION_NONE, COMPRESSION_LZW,
    COMPRESSION_ADOBE_DEFLATE, COMPRESSION_PACKBITS
  };
  static const struct
  {
    guint bps, spp;
    guint16 photometric;
    BwTiffLayout layout;
  } kinds[] = {
    {8, 1, PHOTOMETRIC_MINISBLACK, BW_TIFF_GRAY8},
    {16, 1, PHOTOMETRIC_MINISBLACK, BW_TIFF_GRAY16},
    {8, 1, PHOTOMETRIC_MINISWHITE, BW_TIFF_GRAY8},
    {16, 1, PHOTOMETRIC_MINISWHITE, BW_TIFF_GRAY16},
    {8, 3, PHOTOMETRIC_RGB, BW_TIFF_RGB8},
    {8, 4, PHOTOMETRIC_RGB, BW_TIFF_RGBA8},
  };
  guint k, c, t, files = 0;

  for (k = 0; k < G_N_ELEMENTS (kinds); k++) {
    Spec s = { 203, 77, kinds[k].bps, kinds[k].spp, kinds[k].photometric,
      0, FALSE, 32, 16, 7, FALSE, 2
    };
    guint8 **pages = random_pages (&s, 1000 + k);
    guint8 *luma[2] = { NULL, NULL };

    if (s.spp >= 3) {
      luma[0] = videoconvert_gray8 (pages[0], s.width, s.height, s.spp);
      luma[1] = videoconvert_gray8 (pages[1], s.width, s.height, s.spp);
    }
    for (c = 0; c < G_N_ELEMENTS (compressions); c++)
      for (t = 0; t < 2; t++) {
        gchar *name, *path;
        guint8 *data, *buf;
        gsize size, stride;
        BwTiffReader *r;
        BwTiffInfo info;
        GError *err = NULL;
        guint threads, i;

        s.compression = compressions[c];
        s.tiled = t;
        s.big_endian = (c + t) % 2;
        name = g_strdup_printf ("layout-%ub%us-ph%u-c%u-%s.tif", s.bps, s.spp,
            s.photometric, s.compression, s.tiled ? "tiles" : "strips");
        path = write_file (&s, pages, name);
        data = read_file (path, &size);
        r = bw_tiff_reader_open (data, size, 1 << 30, &info, &err);
        g_assert_no_error (err);
        g_assert_cmpuint (info.layout, ==, kinds[k].layout);
        g_assert_cmpuint (info.n_pages, ==, 2);
        g_assert_true (bw_tiff_layout_converts (info.layout, info.layout));
        g_assert_cmpint (bw_tiff_layout_converts (info.layout,
                BW_TIFF_GRAY8), ==, s.spp >= 3 || s.bps == 8);

        /* Pages out of order too, so that every handle moves both ways. */
        for (threads = 1; threads <= 3; threads++)
          for (i = 0; i < 4; i++) {
            guint page = (i + 1) % 2;
            gchar *what = g_strdup_printf ("%s page %u, %u threads%s", name,
                page, threads, i >= 2 ? ", padded rows" : "");

            stride = row_bytes (&s) + (i >= 2 ? 3 : 0);
            buf = g_malloc ((gsize) stride * s.height);
            memset (buf, 0xee, stride * s.height);
            g_assert_true (bw_tiff_reader_read_page_as (r, page, info.layout,
                    buf, stride, threads, NULL, NULL, &err));
            g_assert_no_error (err);
            check_own (&s, pages[page], buf, stride, what);
            g_free (buf);

            if (s.spp >= 3) {
              stride = s.width + (i >= 2 ? 5 : 0);
              buf = g_malloc ((gsize) stride * s.height);
              memset (buf, 0xee, stride * s.height);
              g_assert_true (bw_tiff_reader_read_page_as (r, page,
                      BW_TIFF_GRAY8, buf, stride, threads, NULL, NULL, &err));
              g_assert_no_error (err);
              check_gray8 (&s, luma[page], buf, stride, what);
              g_free (buf);
            }
            g_free (what);
          }
        bw_tiff_reader_free (r);
        g_free (data);
        g_unlink (path);
        g_free (path);
        g_free (name);
        files++;
      }
    g_free (luma[0]);
    g_free (luma[1]);
    free_pages (pages);
  }
  g_assert_cmpuint (files, ==, 6 * 4 * 2);
}

/* Luma of the extremes and of every corner of the RGB cube, and layouts
 * that do not convert. */
static void
test_conversions (void)
{
  Spec s = { 256, 64, 8, 3, PHOTOMETRIC_RGB, COMPRESSION_ADOBE_DEFLATE,
    TRUE, 64, 16, 0, FALSE, 1
  };
  guint8 **pages = random_pages (&s, 7);
  guint8 *want, *got, *data;
  gchar *path;
  gsize size;
  BwTiffReader *r;
  BwTiffInfo info;
  GError *err = NULL;
  guint i;

  /* the first rows: every combination of 0, 1, 127, 128, 254 and 255 */
  for (i = 0; i < 6 * 6 * 6; i++) {
    static const guint8 v[] = { 0, 1, 127, 128, 254, 255 };

    pages[0][3 * i] = v[i % 6];
    pages[0][3 * i + 1] = v[i / 6 % 6];
    pages[0][3 * i + 2] = v[i / 36];
  }
  want = videoconvert_gray8 (pages[0], s.width, s.height, 3);
  path = write_file (&s, pages, "cube.tif");
  data = read_file (path, &size);
  r = bw_tiff_reader_open (data, size, 1 << 30, &info, NULL);
  g_assert_nonnull (r);
  got = g_malloc ((gsize) s.width * s.height);
  memset (got, 0xee, (gsize) s.width * s.height);
  g_assert_true (bw_tiff_reader_read_page_as (r, 0, BW_TIFF_GRAY8, got,
          s.width, 2, NULL, NULL, NULL));
  check_gray8 (&s, want, got, s.width, "cube");
  /* RGB as RGBA or GRAY16: no */
  g_assert_false (bw_tiff_reader_read_page_as (r, 0, BW_TIFF_RGBA8, got,
          4 * s.width, 1, NULL, NULL, &err));
  g_assert_error (err, BW_TIFF_ERROR, BW_TIFF_ERROR_UNSUPPORTED);
  g_clear_error (&err);
  g_assert_false (bw_tiff_layout_converts (BW_TIFF_RGB8, BW_TIFF_GRAY16));
  g_assert_false (bw_tiff_layout_converts (BW_TIFF_GRAY16, BW_TIFF_GRAY8));
  g_assert_false (bw_tiff_layout_converts (BW_TIFF_GRAY8, BW_TIFF_RGB8));
  g_assert_false (bw_tiff_layout_converts (BW_TIFF_RGBA8, BW_TIFF_RGB8));
  g_assert_true (bw_tiff_layout_converts (BW_TIFF_RGBA8, BW_TIFF_GRAY8));
  /* rows too short for GRAY8 */
  g_assert_false (bw_tiff_reader_read_page_as (r, 0, BW_TIFF_GRAY8, got,
          s.width - 1, 1, NULL, NULL, &err));
  g_assert_nonnull (err);
  g_clear_error (&err);
  bw_tiff_reader_free (r);
  g_free (got);
  g_free (want);
  g_free (data);
  g_unlink (path);
  g_free (path);
  free_pages (pages);
}

/* ---- progress and cancelling -------------------------------------------- */

typedef struct
{
  GArray *fractions;
  GArray *times;
  GThread *thread;
  /* the call that returns FALSE (counted from 1), 0 for none */
  guint cancel_at;
} Progress;

static gboolean
on_progress (gpointer user_data, gdouble fraction)
{
  Progress *p = user_data;
  gint64 now = g_get_monotonic_time ();

  g_assert_true (g_thread_self () == p->thread);
  g_array_append_val (p->fractions, fraction);
  g_array_append_val (p->times, now);
  return p->fractions->len != p->cancel_at;
}

/* A page in many small Deflate tiles: gray, textured. */
static gchar *
tiled_file (Spec * s, guint height)
{
  static const Spec tiled = { 1024, 0, 8, 1, PHOTOMETRIC_MINISBLACK,
    COMPRESSION_ADOBE_DEFLATE, TRUE, 16, 16, 0, FALSE, 1
  };
  guint8 **pages;
  gchar *path;
  gsize n, i;

  *s = tiled;
  s->height = height;
  pages = random_pages (s, 11);
  n = row_bytes (s) * s->height;
  for (i = 0; i < n; i++)
    pages[0][i] = (pages[0][i] & 0x1f) + ((i % s->width) ^ (i / 7919));
  path = write_file (s, pages, "tiled.tif");
  free_pages (pages);
  return path;
}

static Progress
progress_new (guint cancel_at)
{
  Progress p = { g_array_new (FALSE, FALSE, sizeof (gdouble)),
    g_array_new (FALSE, FALSE, sizeof (gint64)), g_thread_self (), cancel_at
  };

  return p;
}

static void
progress_clear (Progress * p)
{
  g_array_free (p->fractions, TRUE);
  g_array_free (p->times, TRUE);
}

/* Decodes page 0 with progress (cancel_at as in Progress), into dest;
 * returns whether it was decoded.  The fractions are counts of tiles done
 * out of n_tiles, never decreasing; with the reader's usual interval
 * there are at most took / 100 ms + 2 calls (every 100 ms of the reader's
 * own time, and once at the end: a count, not the intervals the test sees,
 * which a busy machine can shorten). */
static gboolean
decode_with_progress (BwTiffReader * r, const Spec * s, guint8 * dest,
    guint threads, gboolean usual_interval, Progress * p, GError ** error)
{
  guint n_tiles = (s->width / s->tw) * (s->height / s->th), i;
  gint64 start = g_get_monotonic_time (), took;
  gboolean ok;

  ok = bw_tiff_reader_read_page_as (r, 0, BW_TIFF_GRAY8, dest, s->width,
      threads, on_progress, p, error);
  took = g_get_monotonic_time () - start;
  if (usual_interval)
    g_assert_cmpuint (p->fractions->len, <=, took / 100000 + 2);
  for (i = 0; i < p->fractions->len; i++) {
    gdouble f = g_array_index (p->fractions, gdouble, i);
    guint done = (guint) (f * n_tiles + 0.5);

    g_assert_cmpfloat (f, ==, (gdouble) done / n_tiles);
    g_assert_cmpuint (done, <=, n_tiles);
    if (i > 0)
      g_assert_cmpfloat (f, >=, g_array_index (p->fractions, gdouble, i - 1));
  }
  g_test_message ("%u threads, %s interval: %s in %.0f ms, %u calls",
      threads, usual_interval ? "usual" : "no", ok ? "decoded" : "stopped",
      took / 1e3, p->fractions->len);
  return ok;
}

/* Finished: 1 said once, last. */
static void
assert_finished (const Progress * p)
{
  guint i, n = p->fractions->len;

  g_assert_cmpuint (n, >=, 1);
  for (i = 0; i + 1 < n; i++)
    g_assert_cmpfloat (g_array_index (p->fractions, gdouble, i), <, 1);
  g_assert_cmpfloat (g_array_index (p->fractions, gdouble, n - 1), ==, 1);
}

/* Progress and cancelling, without depending on the clock: with no
 * interval between calls the reader tells 0 before it starts and the
 * count after each tile its calling thread decodes, so that one thread
 * tells every count and a cancel at the k-th call stops the read. */
static void
test_progress (void)
{
  Spec s;
  gchar *path = tiled_file (&s, 256);
  gsize size, frame = (gsize) s.width * s.height;
  guint8 *data = read_file (path, &size), *want = g_malloc (frame),
      *gray = g_malloc (frame);
  guint n_tiles = (s.width / 16) * (s.height / 16), threads, i;
  BwTiffReader *r;
  BwTiffInfo info;
  GError *err = NULL;

  r = bw_tiff_reader_open (data, size, 1 << 30, &info, NULL);
  g_assert_nonnull (r);
  g_assert_true (bw_tiff_reader_read_page_as (r, 0, BW_TIFF_GRAY8, want,
          s.width, 1, NULL, NULL, NULL));

  /* the usual interval: few calls, 1 last */
  for (threads = 1; threads <= 2; threads++) {
    Progress p = progress_new (0);

    g_assert_true (decode_with_progress (r, &s, gray, threads, TRUE, &p, &err));
    g_assert_no_error (err);
    assert_finished (&p);
    g_assert_cmpmem (gray, frame, want, frame);
    progress_clear (&p);
  }

  bw_tiff_reader_set_progress_interval (r, 0);
  for (threads = 1; threads <= 3; threads++) {
    Progress p = progress_new (0);

    g_assert_true (decode_with_progress (r, &s, gray, threads, FALSE, &p,
            &err));
    g_assert_no_error (err);
    assert_finished (&p);
    g_assert_cmpfloat (g_array_index (p.fractions, gdouble, 0), ==, 0);
    /* one thread: every count, once */
    if (threads == 1) {
      g_assert_cmpuint (p.fractions->len, ==, n_tiles + 1);
      for (i = 0; i <= n_tiles; i++)
        g_assert_cmpfloat (g_array_index (p.fractions, gdouble, i), ==,
            (gdouble) i / n_tiles);
    }
    g_assert_cmpmem (gray, frame, want, frame);
    progress_clear (&p);
  }

  /* Cancelled at the first call (before any tile), and on one thread half
   * way: the read stops with CANCELLED, its other threads with it. */
  for (threads = 1; threads <= 4; threads++) {
    guint at = threads == 4 ? n_tiles / 2 : 1;
    Progress p = progress_new (at);

    g_assert_false (decode_with_progress (r, &s, gray, threads == 4 ? 1 :
            threads, FALSE, &p, &err));
    g_assert_error (err, BW_TIFF_ERROR, BW_TIFF_ERROR_CANCELLED);
    g_clear_error (&err);
    g_assert_cmpuint (p.fractions->len, ==, at);
    g_assert_cmpfloat (g_array_index (p.fractions, gdouble, at - 1), ==,
        (gdouble) (at - 1) / n_tiles);
    progress_clear (&p);
  }

  /* and the reader decodes the page again afterwards */
  memset (gray, 0xee, frame);
  g_assert_true (bw_tiff_reader_read_page_as (r, 0, BW_TIFF_GRAY8, gray,
          s.width, 2, NULL, NULL, NULL));
  g_assert_cmpmem (gray, frame, want, frame);
  bw_tiff_reader_free (r);
  g_free (gray);
  g_free (want);
  g_free (data);
  g_unlink (path);
  g_free (path);
}

/* Decoding threads that the system does not give: the read is done by
 * those that start (the calling thread alone if none do), with the same
 * bytes and progress to 1. */
static void
test_threads_not_started (void)
{
  Spec s;
  gchar *path = tiled_file (&s, 128);
  gsize size, frame = (gsize) s.width * s.height;
  guint8 *data = read_file (path, &size), *want = g_malloc (frame),
      *gray = g_malloc (frame);
  BwTiffReader *r;
  BwTiffInfo info;
  guint started;

  r = bw_tiff_reader_open (data, size, 1 << 30, &info, NULL);
  g_assert_nonnull (r);
  g_assert_true (bw_tiff_reader_read_page_as (r, 0, BW_TIFF_GRAY8, want,
          s.width, 1, NULL, NULL, NULL));
  for (started = 0; started <= 2; started++) {
    Progress p = progress_new (0);
    GError *err = NULL;

    bw_tiff_reader_set_threads_that_start (r, started);
    memset (gray, 0xee, frame);
    g_assert_true (decode_with_progress (r, &s, gray, 4, TRUE, &p, &err));
    g_assert_no_error (err);
    assert_finished (&p);
    g_assert_cmpmem (gray, frame, want, frame);
    progress_clear (&p);
  }
  bw_tiff_reader_free (r);
  g_free (gray);
  g_free (want);
  g_free (data);
  g_unlink (path);
  g_free (path);
}

/* A page stored in one huge strip is decoded whole into a buffer of the
 * strip's size (the colour of the page when it is read as GRAY8): that
 * buffer is not kept after the page, whichever way it was read, and the
 * pages read after it are whole. */
static void
test_large_strip (void)
{
  Spec s = { 2400, 2400, 8, 3, PHOTOMETRIC_RGB, COMPRESSION_ADOBE_DEFLATE,
    FALSE, 0, 0, 2400, FALSE, 2
  };
  guint8 **pages = random_pages (&s, 21);
  gchar *path = write_file (&s, pages, "large-strip.tif");
  gsize size, stride = row_bytes (&s) + 16;
  guint8 *data = read_file (path, &size), *buf = g_malloc (stride * s.height);
  BwTiffReader *r;
  BwTiffInfo info;
  guint page;

  /* more than the reader keeps from page to page */
  g_assert_cmpuint (row_bytes (&s) * s.height, >, 16 << 20);
  r = bw_tiff_reader_open (data, size, 1 << 30, &info, NULL);
  g_assert_nonnull (r);
  for (page = 0; page < 2; page++) {
    g_assert_true (bw_tiff_reader_read_page_as (r, page, BW_TIFF_GRAY8, buf,
            s.width, 2, NULL, NULL, NULL));
    g_assert_cmpuint (bw_tiff_reader_get_scratch_bytes (r), ==, 0);
    memset (buf, 0xee, stride * s.height);
    g_assert_true (bw_tiff_reader_read_page_as (r, page, info.layout, buf,
            stride, 2, NULL, NULL, NULL));
    g_assert_cmpuint (bw_tiff_reader_get_scratch_bytes (r), ==, 0);
    check_own (&s, pages[page], buf, stride, "page of one large strip");
  }
  bw_tiff_reader_free (r);
  g_free (buf);
  g_free (data);
  g_unlink (path);
  g_free (path);
  free_pages (pages);
}

/* ---- damaged strips and tiles ------------------------------------------ */

/* Spoils the data of strips or tiles ks[0..n) of page 0 of the file: the
 * first at its end (Deflate's checksum: it fails once decoded), the others
 * at their start (Deflate's header: they fail at once). */
static void
damage (const gchar * path, guint8 * data, const guint * ks, guint n)
{
  TIFF *tif = TIFFOpen (path, "r");
  guint64 *offsets = NULL, *counts = NULL;
  guint i;

  g_assert_nonnull (tif);
  g_assert_true (TIFFGetField (tif, TIFFIsTiled (tif) ? TIFFTAG_TILEOFFSETS :
          TIFFTAG_STRIPOFFSETS, &offsets));
  g_assert_true (TIFFGetField (tif, TIFFIsTiled (tif) ?
          TIFFTAG_TILEBYTECOUNTS : TIFFTAG_STRIPBYTECOUNTS, &counts));
  data[offsets[ks[0]] + counts[ks[0]] - 1] ^= 0x55;
  for (i = 1; i < n; i++) {
    data[offsets[ks[i]]] = 0xff;
    data[offsets[ks[i]] + 1] = 0xff;
  }
  TIFFClose (tif);
}

/* A damaged strip or tile in the middle of page 0 fails the read with the
 * same message on any number of threads: the first damaged one's, even
 * when a later one fails sooner on another thread.  Page 1 still
 * decodes. */
static void
test_damaged (void)
{
  static const struct
  {
    guint spp;
    gboolean tiled;
    guint n_damaged, damaged[2];
    const gchar *says;
  } cases[] = {
    {1, TRUE, 1, {13}, "(tile 13)"},
    {1, TRUE, 2, {29, 30}, "(tile 29)"},
    {1, FALSE, 2, {28, 29}, "(strip 28)"},
    {3, TRUE, 2, {17, 30}, "(tile 17)"},
    {4, FALSE, 2, {11, 12}, "(strip 11)"},
  };
  guint c;

  for (c = 0; c < G_N_ELEMENTS (cases); c++) {
    Spec s = { 1024, 1024, 8, cases[c].spp, cases[c].spp == 1 ?
          PHOTOMETRIC_MINISBLACK : PHOTOMETRIC_RGB, COMPRESSION_ADOBE_DEFLATE,
      cases[c].tiled, 256, 128, 32, FALSE, 2
    };
    guint8 **pages = random_pages (&s, 50 + c);
    gchar *path = write_file (&s, pages, "damaged.tif"), *first = NULL;
    gsize size, stride = row_bytes (&s);
    guint8 *data = read_file (path, &size), *buf = g_malloc (stride * s.height);
    BwTiffReader *r;
    BwTiffInfo info;
    guint threads, again;

    damage (path, data, cases[c].damaged, cases[c].n_damaged);
    r = bw_tiff_reader_open (data, size, 1 << 30, &info, NULL);
    g_assert_nonnull (r);
    for (threads = 1; threads <= 3; threads++)
      for (again = 0; again < (threads == 1 ? 2 : 20); again++) {
        GError *err = NULL;
        BwTiffLayout as = again % 2 ? BW_TIFF_GRAY8 : info.layout;

        g_assert_false (bw_tiff_reader_read_page_as (r, 0, as, buf, stride,
                threads, NULL, NULL, &err));
        g_assert_error (err, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT);
        if (!strstr (err->message, cases[c].says)
            || !strstr (err->message, "page 1"))
          g_error ("case %u: \"%s\" does not say %s", c, err->message,
              cases[c].says);
        if (!first)
          first = g_strdup (err->message);
        g_assert_cmpstr (err->message, ==, first);
        g_clear_error (&err);

        memset (buf, 0xee, stride * s.height);
        g_assert_true (bw_tiff_reader_read_page_as (r, 1, info.layout, buf,
                stride, threads, NULL, NULL, &err));
        g_assert_no_error (err);
        check_own (&s, pages[1], buf, stride, "page after a damaged one");
      }
    g_test_message ("%s", first);
    bw_tiff_reader_free (r);
    g_free (first);
    g_free (buf);
    g_free (data);
    g_unlink (path);
    g_free (path);
    free_pages (pages);
  }
}

/* ---- a file that changes after it was opened ---------------------------- */

/* Little-endian integers at any address (a directory entry is not
 * aligned). */
static guint16
le16_at (const guint8 * p)
{
  return p[0] | (p[1] << 8);
}

static guint32
le32_at (const guint8 * p)
{
  return p[0] | (p[1] << 8) | (p[2] << 16) | ((guint32) p[3] << 24);
}

/* Where the values of tag (LONGs) of the first directory of a classic
 * little-endian TIFF lie in data. */
static gsize
first_ifd_values (const guint8 * data, guint16 tag, guint32 * count)
{
  guint32 ifd = le32_at (data + 4);
  guint16 n = le16_at (data + ifd), i;

  g_assert_true (data[0] == 'I' && data[1] == 'I');
  for (i = 0; i < n; i++) {
    const guint8 *e = data + ifd + 2 + 12 * i;

    if (le16_at (e) != tag)
      continue;
    g_assert_cmpuint (le16_at (e + 2), ==, 4);
    *count = le32_at (e + 4);
    return *count == 1 ? (gsize) (e + 8 - data) : le32_at (e + 8);
  }
  g_assert_not_reached ();
  return 0;
}

/* Strip or tile offsets of page 1 rewritten after the file was opened to
 * point past its end: reading the page again (it is not the reader's
 * current page then) fails with an error naming the page, for tiles and
 * strips, on any number of threads, giving the input back or not; the
 * other page still decodes.  A shared, writable mapping of the file stands
 * for a file rewritten by another process. */
static void
test_changed_after_open (void)
{
  guint tiled;

  for (tiled = 0; tiled <= 1; tiled++) {
    Spec s = { 512, 256, 8, 1, PHOTOMETRIC_MINISBLACK,
      COMPRESSION_ADOBE_DEFLATE, tiled, 128, 64, 32, FALSE, 2
    };
    guint8 **pages = random_pages (&s, 7 + tiled);
    gchar *path = write_file (&s, pages, "changed.tif");
    gsize size, stride = row_bytes (&s);
    guint8 *data = read_file (path, &size), *map, *buf;
    int fd = g_open (path, O_RDWR, 0);
    guint32 n, k;
    gsize at;
    guint threads;

    g_assert_cmpint (fd, >=, 0);
    map = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    g_assert_true (map != MAP_FAILED);
    at = first_ifd_values (data, tiled ? TIFFTAG_TILEOFFSETS :
        TIFFTAG_STRIPOFFSETS, &n);
    g_assert_cmpuint (n, >, 1);
    buf = g_malloc (stride * s.height);
    for (threads = 1; threads <= 3; threads++) {
      guint8 *in = threads == 2 ? map : data;
      BwTiffInfo info;
      BwTiffReader *r = bw_tiff_reader_open (in, size, 1 << 30, &info, NULL);
      GError *err = NULL;
      guint32 was[2];

      g_assert_nonnull (r);
      bw_tiff_reader_set_release_input (r, threads == 2);
      g_assert_true (bw_tiff_reader_read_page_as (r, 1, info.layout, buf,
              stride, threads, NULL, NULL, NULL));
      /* the last strip or tile past the end, the one before it far past */
      for (k = 0; k < 2; k++) {
        guint32 past =
            GUINT32_TO_LE (k ? G_MAXUINT32 - 4096 : (guint32) size - 2);

        memcpy (&was[k], in + at + 4 * (n - 1 - k), 4);
        memcpy (in + at + 4 * (n - 1 - k), &past, 4);
      }
      g_assert_false (bw_tiff_reader_read_page_as (r, 0, info.layout, buf,
              stride, threads, NULL, NULL, &err));
      g_assert_error (err, BW_TIFF_ERROR, BW_TIFF_ERROR_CORRUPT);
      if (!strstr (err->message, "page 1") || !strstr (err->message,
              "past the end"))
        g_error ("%u threads: \"%s\" does not say that page 1 lies past the "
            "end", threads, err->message);
      g_test_message ("%s", err->message);
      g_clear_error (&err);
      memset (buf, 0xee, stride * s.height);
      g_assert_true (bw_tiff_reader_read_page_as (r, 1, info.layout, buf,
              stride, threads, NULL, NULL, NULL));
      check_own (&s, pages[1], buf, stride, "page after a changed one");
      bw_tiff_reader_free (r);
      for (k = 0; k < 2; k++)
        memcpy (in + at + 4 * (n - 1 - k), &was[k], 4);
    }
    g_free (buf);
    munmap (map, size);
    close (fd);
    g_free (data);
    g_unlink (path);
    g_free (path);
    free_pages (pages);
  }
}

/* ---- giving a mapped file's pages back ---------------------------------- */

/* The resident memory of the mapping that holds addr, in kB. */
static guint64
mapping_rss_kb (gconstpointer addr)
{
  gchar *smaps = NULL, **lines;
  guint64 rss = G_MAXUINT64;
  gboolean inside = FALSE;
  guint i;

  g_assert_true (g_file_get_contents ("/proc/self/smaps", &smaps, NULL, NULL));
  lines = g_strsplit (smaps, "\n", -1);
  for (i = 0; lines[i]; i++) {
    guint64 lo, hi;
    gchar *end;

    lo = g_ascii_strtoull (lines[i], &end, 16);
    if (*end == '-') {
      hi = g_ascii_strtoull (end + 1, &end, 16);
      inside = *end == ' ' && lo <= (guintptr) addr && (guintptr) addr < hi;
    } else if (inside && g_str_has_prefix (lines[i], "Rss:")) {
      rss = g_ascii_strtoull (lines[i] + 4, NULL, 10);
      break;
    }
  }
  g_strfreev (lines);
  g_free (smaps);
  g_assert_cmpuint (rss, !=, G_MAXUINT64);
  return rss;
}

/* Decodes page 0 of data (twice) and checks it. */
static void
decode_checked (const Spec * s, guint8 ** pages, const guint8 * data,
    gsize size, gboolean release, guint times, const gchar * what)
{
  BwTiffInfo info;
  BwTiffReader *r = bw_tiff_reader_open (data, size, 1 << 30, &info, NULL);
  gsize stride = row_bytes (s);
  guint8 *buf = g_malloc (stride * s->height);
  guint i;

  g_assert_nonnull (r);
  bw_tiff_reader_set_release_input (r, release);
  for (i = 0; i < times; i++) {
    GError *err = NULL;

    memset (buf, 0xee, stride * s->height);
    if (!bw_tiff_reader_read_page_as (r, 0, info.layout, buf, stride, 2,
            NULL, NULL, &err))
      g_error ("%s, decode %u: %s", what, i + 1, err->message);
    check_own (s, pages[0], buf, stride, what);
  }
  g_free (buf);
  bw_tiff_reader_free (r);
}

static void
test_release_input (void)
{
  Spec s = { 8192, 4096, 8, 1, PHOTOMETRIC_MINISBLACK,
    COMPRESSION_ADOBE_DEFLATE, TRUE, 512, 512, 0, FALSE, 1
  };
  guint8 **pages = random_pages (&s, 99);
  gchar *path = write_file (&s, pages, "release.tif");
  gsize size;
  guint8 *data = read_file (path, &size), *map, *anon, *damaged, *gray;
  guint64 kept, released;
  guint last = 8192 / 512 * 4096 / 512 - 1;
  BwTiffReader *r;
  BwTiffInfo info;
  int fd = g_open (path, O_RDONLY, 0);

  g_assert_cmpint (fd, >=, 0);
  /* random samples: the file is as large as the page */
  g_assert_cmpuint (size, >, 8192 * 4096);
  damaged = g_malloc (size);
  gray = g_malloc ((gsize) s.width * s.height);

  /* a shared mapping of the file: kept resident without the switch,
   * given back with it (each tile's own pages as it is decoded, those that
   * tiles share once the page is), and read again when decoded again */
  map = mmap (NULL, size, PROT_READ, MAP_SHARED, fd, 0);
  g_assert_true (map != MAP_FAILED);
  decode_checked (&s, pages, map, size, FALSE, 1, "shared mapping");
  kept = mapping_rss_kb (map);
  munmap (map, size);
  map = mmap (NULL, size, PROT_READ, MAP_SHARED, fd, 0);
  g_assert_true (map != MAP_FAILED);
  decode_checked (&s, pages, map, size, TRUE, 2, "shared mapping, released");
  released = mapping_rss_kb (map);
  g_test_message ("resident: %" G_GUINT64_FORMAT " kB kept, %"
      G_GUINT64_FORMAT " kB with release-input, of %" G_GSIZE_FORMAT " kB",
      kept, released, size >> 10);
  g_assert_cmpuint (kept, >=, (size >> 10) * 3 / 4);
  g_assert_cmpuint (released, <=, (size >> 10) / 128);
  munmap (map, size);

  /* a read that fails at the last tile has given back what it decoded
   * before, tile by tile (the system may map a few MB around the pages
   * read last) */
  memcpy (damaged, data, size);
  damage (path, damaged, &last, 1);
  g_assert_true (g_file_set_contents (path, (gchar *) damaged, size, NULL));
  close (fd);
  fd = g_open (path, O_RDONLY, 0);
  g_assert_cmpint (fd, >=, 0);
  map = mmap (NULL, size, PROT_READ, MAP_SHARED, fd, 0);
  g_assert_true (map != MAP_FAILED);
  r = bw_tiff_reader_open (map, size, 1 << 30, &info, NULL);
  g_assert_nonnull (r);
  bw_tiff_reader_set_release_input (r, TRUE);
  g_assert_false (bw_tiff_reader_read_page_as (r, 0, BW_TIFF_GRAY8, gray,
          s.width, 1, NULL, NULL, NULL));
  bw_tiff_reader_free (r);
  released = mapping_rss_kb (map);
  g_test_message ("resident after a failed read: %" G_GUINT64_FORMAT " kB",
      released);
  g_assert_cmpuint (released, <=, (size >> 10) / 4);
  munmap (map, size);
  close (fd);

  /* memory of the process's own: the switch does nothing (giving it back
   * would lose the data: a second decode would fail) */
  decode_checked (&s, pages, data, size, TRUE, 2, "allocated memory");
  anon = mmap (NULL, size, PROT_READ | PROT_WRITE,
      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  g_assert_true (anon != MAP_FAILED);
  memcpy (anon, data, size);
  decode_checked (&s, pages, anon, size, TRUE, 2, "anonymous mapping");
  munmap (anon, size);

  g_free (damaged);
  g_free (gray);
  g_free (data);
  g_unlink (path);
  g_free (path);
  free_pages (pages);
}

/* ---- every luma path against the formula, with tails ---------------------
 * Each path the build has and the CPU runs, forced, over every 24-bit RGB
 * value (and every one again as RGBA, with alphas that vary), then over
 * rows of 0 to 67 pixels at unaligned starts, each in a buffer of its exact
 * size (so that ASan sees a read past it) with guard bytes after the row it
 * writes. */

static const struct
{
  BwTiffLumaPath path;
  const gchar *name;
} luma_paths[] = {
  {BW_TIFF_LUMA_PATH_SCALAR, "scalar"},
  {BW_TIFF_LUMA_PATH_SSSE3, "SSSE3"},
  {BW_TIFF_LUMA_PATH_AVX2, "AVX2"},
  {BW_TIFF_LUMA_PATH_AUTO, "auto"},
};

static guint8
luma_formula (guint r, guint g, guint b)
{
  return (77 * r + 150 * g + 29 * b) >> 8;
}

static void
check_luma_row (const guint8 * src, guint bpp, const guint8 * dst, guint n,
    const gchar * what, guint start)
{
  guint i;

  for (i = 0; i < n; i++) {
    const guint8 *p = src + (gsize) i * bpp;
    guint8 want = luma_formula (p[0], p[1], p[2]);

    if (dst[i] != want)
      g_error ("%s: pixel %u (%u,%u,%u) after %u: got %u, want %u", what, i,
          p[0], p[1], p[2], start, dst[i], want);
  }
}

static void
test_luma_paths (void)
{
  const guint all = 1 << 24;
  guint8 *src = g_malloc ((gsize) all * 4), *dst = g_malloc (all);
  guint k, bpp, n, start, i, tested = 0;

  for (k = 0; k < G_N_ELEMENTS (luma_paths); k++) {
    gchar *what;

    if (!bw_tiff_luma_path_supported (luma_paths[k].path)) {
      g_test_message ("luma path %s: not in this build or CPU",
          luma_paths[k].name);
      continue;
    }
    tested++;
    for (bpp = 3; bpp <= 4; bpp++) {
      what = g_strdup_printf ("%s, %u bytes a pixel", luma_paths[k].name, bpp);
      for (i = 0; i < all; i++) {
        src[(gsize) i * bpp] = i >> 16;
        src[(gsize) i * bpp + 1] = i >> 8;
        src[(gsize) i * bpp + 2] = i;
        if (bpp == 4)
          src[(gsize) i * bpp + 3] = i * 2654435761u >> 24;
      }
      memset (dst, 0, all);
      bw_tiff_luma_row_path (luma_paths[k].path, src, bpp, dst, all);
      check_luma_row (src, bpp, dst, all, what, 0);

      for (n = 0; n <= 67; n++)
        for (start = 0; start < 8; start++) {
          gsize bytes = (gsize) n * bpp;
          guint8 *row = g_malloc (start + bytes);
          guint8 *out = g_malloc (start + n + 8);

          for (i = 0; i < bytes; i++)
            row[start + i] = g_test_rand_int ();
          memset (out, 0xa5, start + n + 8);
          bw_tiff_luma_row_path (luma_paths[k].path, row + start, bpp,
              out + start, n);
          check_luma_row (row + start, bpp, out + start, n, what, start);
          for (i = 0; i < 8; i++)
            g_assert_cmpuint (out[start + n + i], ==, 0xa5);
          for (i = 0; i < start; i++)
            g_assert_cmpuint (out[i], ==, 0xa5);
          g_free (row);
          g_free (out);
        }
      g_free (what);
    }
  }
  g_assert_cmpuint (tested, >=, 2);
  g_free (src);
  g_free (dst);
}

int
main (int argc, char **argv)
{
  int ret;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  TIFFSetWarningHandler (NULL);
  tmpdir = g_dir_make_tmp ("bw-tiff-decode-XXXXXX", NULL);
  g_test_add_func ("/tiff-decode/layouts", test_layouts);
  g_test_add_func ("/tiff-decode/conversions", test_conversions);
  g_test_add_func ("/tiff-decode/progress", test_progress);
  g_test_add_func ("/tiff-decode/threads-not-started",
      test_threads_not_started);
  g_test_add_func ("/tiff-decode/large-strip", test_large_strip);
  g_test_add_func ("/tiff-decode/damaged", test_damaged);
  g_test_add_func ("/tiff-decode/changed-after-open", test_changed_after_open);
  g_test_add_func ("/tiff-decode/release-input", test_release_input);
  g_test_add_func ("/tiff-decode/luma-paths", test_luma_paths);
  ret = g_test_run ();
  g_rmdir (tmpdir);
  g_free (tmpdir);
  gst_deinit ();
  return ret;
}
