/* gst-blockwise: tiffdec, a TIFF decoder for microscopy images.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:element-tiffdec
 * @title: tiffdec
 *
 * Decodes TIFF files with libtiff into raw video in the image's own depth:
 * 8-bit gray as GRAY8, 16-bit gray as GRAY16 (native byte order), 8-bit
 * RGB and RGBA as RGB and RGBA.  Every compression the system's libtiff
 * decodes, strips and tiles, BigTIFF and both byte orders.  A multi-page
 * file (a time-lapse or a z stack) becomes a stream of frames, one per page,
 * in order, at #GstTiffDec:framerate; a single page gives one frame.  Other
 * layouts (float or 32-bit samples, palettes, more than 4 samples, pages of
 * different sizes) are an error that names the layout.
 *
 * TIFF needs random access, so the whole file is at hand before decoding.
 * From a local file in pull mode (filesrc, also through decodebin) the
 * file is mapped, not read: pages stored uncompressed are handed downstream
 * in place, as parts of the mapping (read-only memory, unmapped when the
 * last of them goes).  Other sources that allow it are pulled in one
 * piece; otherwise the stream is collected until EOS, up to
 * #GstTiffDec:max-input-bytes.  Compressed pages are decoded into buffers
 * of a pool (downstream's, else the element's own), reused from page to
 * page, on #GstTiffDec:n-threads threads.  Ranked above avdec_tiff, so
 * decodebin picks it.
 *
 * RGB and RGBA files can also be decoded as GRAY8, their luma (with
 * videoconvert's arithmetic: the same bytes as decoding the colour and
 * converting it), computed tile by tile so that the colour page never
 * exists whole.  The source pad gives GRAY8 when downstream does not take
 * the colour format or lists GRAY8 before it (as videoconvert does when
 * what follows it takes gray only).
 *
 * ## Messages
 *
 * While a page takes longer than #GstTiffDec:progress-delay to decode (a
 * large compressed slide), the element posts element messages named
 * `tiffdec-progress`, a few per second and one when the page is done:
 *
 * * `location` (string): the file, or upstream's URI; absent when upstream
 *   does not say.
 * * `page` (guint): the page being decoded, counted from 1.
 * * `pages` (guint): the pages of the file.
 * * `fraction` (gdouble): how much of the page is decoded, 0 to 1.
 *
 * A flushing seek or a stop abandons a page being decoded: neither waits
 * for a large page to be done.
 *
 * A stack answers duration queries (in time at #GstTiffDec:framerate, and
 * in frames: its page count) and seeks to a time or a page (flushing or
 * not, with a stop position, segment seeks; every page is a key unit).
 *
 * Hostile files are bounded: no two strips or tiles may share bytes, and a
 * page may not claim more decoded bytes than its compression can make of
 * the bytes it stores (1:1 uncompressed, 64:1 PackBits, 1032:1 Deflate,
 * 2560:1 LZW, 16384:1 LZMA, 32768:1 Zstandard and the others), so a file
 * decodes to at most 32768 times its size; nor may its directories make
 * libtiff read more than 16 times the file.  A file whose first page breaks
 * a rule is refused; when a later page does, or a directory is damaged, the
 * pages before it are decoded and then an error names the file, the page
 * (counted from 1) and libtiff's message.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 filesrc location=stack.tif ! decodebin ! videoconvert ! autovideosink
 * ]| Plays a multi-page TIFF at 1 page per second.
 * |[
 * gst-launch-1.0 blockcorr name=c ! videoconvert ! pngenc ! filesink location=heatmap.png \
 *   filesrc location=a.tif ! decodebin ! c.sink_0  filesrc location=b.tif ! decodebin ! c.sink_1
 * ]| Correlation heatmap of two 16-bit TIFF images.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "gsttiffdec.h"

GST_DEBUG_CATEGORY_STATIC (gst_tiff_dec_debug);
#define GST_CAT_DEFAULT gst_tiff_dec_debug

#define DEFAULT_FPS_N 1
#define DEFAULT_FPS_D 1
#define DEFAULT_MAX_FRAME_BYTES (G_GUINT64_CONSTANT (4) << 30)
#define DEFAULT_MAX_INPUT_BYTES (G_GUINT64_CONSTANT (4) << 30)
#define DEFAULT_N_THREADS 0
#define MAX_N_THREADS 1024
#define DEFAULT_PROGRESS_DELAY (500 * GST_MSECOND)

/* The least time between two progress messages of a page. */
#define PROGRESS_INTERVAL (250 * G_TIME_SPAN_MILLISECOND)

enum
{
  PROP_0,
  PROP_FRAMERATE,
  PROP_MAX_FRAME_BYTES,
  PROP_MAX_INPUT_BYTES,
  PROP_N_THREADS,
  PROP_PROGRESS_DELAY
};

#if G_BYTE_ORDER == G_LITTLE_ENDIAN
#define GRAY16_NATIVE "GRAY16_LE"
#else
#define GRAY16_NATIVE "GRAY16_BE"
#endif

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS ("image/tiff"));

/* A sometimes pad, added once the file is read (as demuxers do): its
 * task starts pushing as soon as the sink pad is activated in pull mode,
 * which with an always pad could be before decodebin has linked it. */
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE ("{ GRAY8, " GRAY16_NATIVE
            ", RGB, RGBA }")));

#define gst_tiff_dec_parent_class parent_class
G_DEFINE_TYPE (GstTiffDec, gst_tiff_dec, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE (tiffdec, "tiffdec", GST_RANK_SECONDARY,
    GST_TYPE_TIFF_DEC);

/* ---- BigTIFF typefinder -------------------------------------------------- */

static void
bigtiff_typefind (GstTypeFind * tf, gpointer user_data)
{
  const guint8 *d = gst_type_find_peek (tf, 0, 8);

  /* "II" 43 8 0 or "MM" 0 43 0 8: version 43, 8-byte offsets. */
  if (!d)
    return;
  if (d[0] == 'I' && d[1] == 'I' && d[2] == 43 && d[3] == 0 && d[4] == 8
      && d[5] == 0)
    gst_type_find_suggest_simple (tf, GST_TYPE_FIND_MAXIMUM, "image/tiff",
        "endianness", G_TYPE_INT, G_LITTLE_ENDIAN, NULL);
  else if (d[0] == 'M' && d[1] == 'M' && d[2] == 0 && d[3] == 43 && d[4] == 0
      && d[5] == 8)
    gst_type_find_suggest_simple (tf, GST_TYPE_FIND_MAXIMUM, "image/tiff",
        "endianness", G_TYPE_INT, G_BIG_ENDIAN, NULL);
}

gboolean
gst_tiff_dec_register_bigtiff_typefind (GstPlugin * plugin)
{
  return gst_type_find_register (plugin, "blockwise-bigtiff",
      GST_RANK_SECONDARY, bigtiff_typefind, "tif,tiff,btf",
      gst_static_caps_get (&sink_template.static_caps), NULL, NULL);
}

/* ---- decoding ------------------------------------------------------------ */

static const GstVideoFormat layout_formats[] = {
  GST_VIDEO_FORMAT_GRAY8,
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  GST_VIDEO_FORMAT_GRAY16_LE,
#else
  GST_VIDEO_FORMAT_GRAY16_BE,
#endif
  GST_VIDEO_FORMAT_RGB, GST_VIDEO_FORMAT_RGBA
};

static void gst_tiff_dec_pull_loop (GstTiffDec * self);
static void gst_tiff_dec_push_loop (GstTiffDec * self);
static gboolean gst_tiff_dec_src_event (GstPad * pad, GstObject * parent,
    GstEvent * event);
static gboolean gst_tiff_dec_src_query (GstPad * pad, GstObject * parent,
    GstQuery * query);
static gboolean gst_tiff_dec_src_activate_mode (GstPad * pad,
    GstObject * parent, GstPadMode mode, gboolean active);

/* Where the stream comes from: upstream's URI, as a file name where it is
 * a local file; NULL when upstream does not say. */
static gchar *
input_location (GstTiffDec * self)
{
  GstQuery *q = gst_query_new_uri ();
  gchar *uri = NULL, *name;

  if (gst_pad_peer_query (self->sinkpad, q))
    gst_query_parse_uri (q, &uri);
  gst_query_unref (q);
  if (!uri)
    return NULL;
  name = g_filename_from_uri (uri, NULL, NULL);
  if (!name)
    return uri;
  g_free (uri);
  return name;
}

/* The file's name for messages: its location, else the element the
 * stream comes from. */
static gchar *
input_name (GstTiffDec * self)
{
  gchar *name = input_location (self);
  GstPad *peer;
  GstElement *up;

  if (name)
    return name;
  peer = gst_pad_get_peer (self->sinkpad);
  up = peer ? gst_pad_get_parent_element (peer) : NULL;
  name = up ? g_strdup_printf ("(stream from %s)", GST_OBJECT_NAME (up)) :
      g_strdup ("(stream)");
  gst_clear_object (&up);
  gst_clear_object (&peer);
  return name;
}

/* Timestamp of a page: n / framerate, or n (nanoseconds, only an order)
 * for still images. */
static GstClockTime
page_time (gint fps_n, gint fps_d, guint64 page)
{
  if (fps_n <= 0)
    return page;
  return gst_util_uint64_scale (page, (guint64) fps_d * GST_SECOND, fps_n);
}

/* The page shown at time t: the last one that starts at or before it. */
static guint64
page_at (gint fps_n, gint fps_d, GstClockTime t)
{
  guint64 page;

  if (fps_n <= 0)
    return t;
  page = gst_util_uint64_scale (t, fps_n, (guint64) fps_d * GST_SECOND);
  /* page_time() rounds down: the next page may start at t exactly */
  if (page_time (fps_n, fps_d, page + 1) <= t)
    page++;
  return page;
}

/* Adds the source pad (once) with caps; the segment goes with the first
 * page. */
static void
start_output (GstTiffDec * self, GstCaps * caps)
{
  if (!self->srcpad) {
    gchar *id;

    self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
    gst_pad_use_fixed_caps (self->srcpad);
    gst_pad_set_event_function (self->srcpad,
        GST_DEBUG_FUNCPTR (gst_tiff_dec_src_event));
    gst_pad_set_query_function (self->srcpad,
        GST_DEBUG_FUNCPTR (gst_tiff_dec_src_query));
    gst_pad_set_activatemode_function (self->srcpad,
        GST_DEBUG_FUNCPTR (gst_tiff_dec_src_activate_mode));
    gst_pad_set_active (self->srcpad, TRUE);
    id = gst_pad_create_stream_id (self->srcpad, GST_ELEMENT (self), NULL);
    gst_pad_push_event (self->srcpad, gst_event_new_stream_start (id));
    g_free (id);
    gst_pad_push_event (self->srcpad, gst_event_new_caps (caps));
    gst_element_add_pad (GST_ELEMENT (self), self->srcpad);
    gst_element_no_more_pads (GST_ELEMENT (self));
  } else {
    gst_pad_push_event (self->srcpad, gst_event_new_caps (caps));
  }
}

/* Forwards an event downstream, if there is a downstream yet. */
static gboolean
push_event (GstTiffDec * self, GstEvent * event)
{
  if (!self->srcpad) {
    gst_event_unref (event);
    return TRUE;
  }
  return gst_pad_push_event (self->srcpad, event);
}

/* Maps the part [data, data + size) of a mapped file into this process in
 * one go: downstream faulting it in a few pages at a time costs more. */
static void
prefault (const guint8 * data, gsize size)
{
#ifdef MADV_POPULATE_READ
  guintptr page = (guintptr) sysconf (_SC_PAGESIZE);
  guintptr start = (guintptr) data & ~(page - 1);

  madvise ((gpointer) start, (guintptr) data + size - start,
      MADV_POPULATE_READ);
#endif
}

/* A page stored as raw rows in the file: a part of the file's buffer, with
 * a video meta where its rows are not padded as GstVideoInfo pads them. */
static GstBuffer *
in_place_frame (GstTiffDec * self, gsize offset)
{
  const BwTiffInfo *tinfo = &self->tinfo;
  const GstVideoInfo *vinfo = &self->vinfo;
  gsize row_bytes = (gsize) tinfo->width * tinfo->bytes_per_pixel;
  GstBuffer *out = gst_buffer_copy_region (self->file, GST_BUFFER_COPY_MEMORY,
      offset, row_bytes * tinfo->height);

  if (self->file_mapped)
    prefault (self->file_map.data + offset, row_bytes * tinfo->height);
  if (row_bytes != (gsize) GST_VIDEO_INFO_PLANE_STRIDE (vinfo, 0)) {
    gsize offsets[GST_VIDEO_MAX_PLANES] = { 0 };
    gint strides[GST_VIDEO_MAX_PLANES] = { (gint) row_bytes };

    gst_buffer_add_video_meta_full (out, GST_VIDEO_FRAME_FLAG_NONE,
        GST_VIDEO_INFO_FORMAT (vinfo), tinfo->width, tinfo->height, 1,
        offsets, strides);
  }
  return out;
}

/* Called by the reader while a page decodes: posts a progress message once
 * the page has taken progress-delay, at most every PROGRESS_INTERVAL and
 * at its end; stops the decoding when a flushing seek or a stop waits. */
static gboolean
decode_progress (gpointer user_data, gdouble fraction)
{
  GstTiffDec *self = user_data;
  gint64 now = g_get_monotonic_time ();

  if (now - self->decode_start >= self->progress_delay_us
      && (self->progress_posted == 0 || fraction >= 1.0
          || now - self->progress_posted >= PROGRESS_INTERVAL)) {
    GstStructure *s = gst_structure_new ("tiffdec-progress",
        "page", G_TYPE_UINT, self->decode_page + 1,
        "pages", G_TYPE_UINT, self->tinfo.n_pages,
        "fraction", G_TYPE_DOUBLE, CLAMP (fraction, 0.0, 1.0), NULL);

    if (self->location)
      gst_structure_set (s, "location", G_TYPE_STRING, self->location, NULL);
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_element (GST_OBJECT (self), s));
    self->progress_posted = now;
  }
  return !g_atomic_int_get (&self->cancel);
}

/* A buffer for a decoded page: from the pool, else a new one; NULL and
 * err when flushing (as if cancelled) or out of memory. */
static GstBuffer *
frame_buffer (GstTiffDec * self, GError ** err)
{
  GstBuffer *out = NULL;
  GstBufferPool *pool;
  GstFlowReturn ret = GST_FLOW_ERROR;

  GST_OBJECT_LOCK (self);
  pool = self->pool ? gst_object_ref (self->pool) : NULL;
  GST_OBJECT_UNLOCK (self);
  if (pool && (gst_buffer_pool_is_active (pool)
          || gst_buffer_pool_set_active (pool, TRUE)))
    ret = gst_buffer_pool_acquire_buffer (pool, &out, NULL);
  else if (pool)
    GST_WARNING_OBJECT (self, "cannot activate %" GST_PTR_FORMAT, pool);
  gst_clear_object (&pool);
  if (ret == GST_FLOW_FLUSHING) {
    g_set_error (err, BW_TIFF_ERROR, BW_TIFF_ERROR_CANCELLED, "flushing");
    return NULL;
  }
  if (ret != GST_FLOW_OK)
    out = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&self->vinfo),
        NULL);
  if (!out)
    g_set_error (err, BW_TIFF_ERROR, BW_TIFF_ERROR_TOO_LARGE,
        "could not allocate a %dx%d frame",
        GST_VIDEO_INFO_WIDTH (&self->vinfo),
        GST_VIDEO_INFO_HEIGHT (&self->vinfo));
  return out;
}

/* A page decoded into a buffer of the pool; NULL and err on failure. */
static GstBuffer *
decoded_frame (GstTiffDec * self, guint page, GError ** err)
{
  GstBuffer *out = frame_buffer (self, err);
  GstVideoFrame frame;
  guint n_threads;
  gboolean ok;

  if (!out)
    return NULL;
  if (!gst_video_frame_map (&frame, &self->vinfo, out, GST_MAP_WRITE)) {
    gst_buffer_unref (out);
    g_set_error (err, BW_TIFF_ERROR, BW_TIFF_ERROR_TOO_LARGE,
        "could not map a %dx%d frame", GST_VIDEO_INFO_WIDTH (&self->vinfo),
        GST_VIDEO_INFO_HEIGHT (&self->vinfo));
    return NULL;
  }
  GST_OBJECT_LOCK (self);
  n_threads = self->n_threads;
  self->progress_delay_us = self->progress_delay / GST_USECOND;
  GST_OBJECT_UNLOCK (self);
  self->decode_page = page;
  self->decode_start = g_get_monotonic_time ();
  self->progress_posted = 0;
  ok = bw_tiff_reader_read_page_as (self->reader, page, self->out_layout,
      GST_VIDEO_FRAME_PLANE_DATA (&frame, 0),
      GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0), n_threads, decode_progress,
      self, err);
  gst_video_frame_unmap (&frame);
  if (!ok)
    gst_clear_buffer (&out);
  return out;
}

/* How long after the sink pad starts pulling an error may be dropped. */
#define PLUGGING_TIME (2 * G_TIME_SPAN_SECOND)

/* Posts "TIFF file NAME: cause".  In pull mode the task starts while
 * decodebin is still plugging the element, and decodebin drops the errors
 * of an element it is plugging: a file refused at once (or a short stack
 * that ends early) would go unnoticed and the pipeline would wait for ever.
 * So in pull mode, in the first 2 s, the error is posted again every 200 ms
 * until the element is stopped: an application that reacts to the first
 * one never sees another. */
static void
post_decode_error (GstTiffDec * self, const gchar * name, const gchar * cause)
{
  for (;;) {
    gboolean again;

    GST_ELEMENT_ERROR (self, STREAM, DECODE, ("TIFF file %s: %s", name,
            cause), (NULL));
    g_mutex_lock (&self->stop_lock);
    again = !self->stopping && self->pull_mode
        && g_get_monotonic_time () < self->pull_start + PLUGGING_TIME;
    if (again)
      g_cond_wait_until (&self->stop_cond, &self->stop_lock,
          g_get_monotonic_time () + 200 * G_TIME_SPAN_MILLISECOND);
    again = again && !self->stopping;
    g_mutex_unlock (&self->stop_lock);
    if (!again)
      break;
  }
}

/* Drops the pool of decoded pages (the buffers downstream still holds
 * are freed as they come back). */
static void
drop_pool (GstTiffDec * self)
{
  GstBufferPool *pool;

  GST_OBJECT_LOCK (self);
  pool = self->pool;
  self->pool = NULL;
  GST_OBJECT_UNLOCK (self);
  if (pool) {
    gst_buffer_pool_set_active (pool, FALSE);
    gst_object_unref (pool);
  }
}

/* Forgets the file (its streaming task must be stopped). */
static void
release_file (GstTiffDec * self)
{
  drop_pool (self);
  g_clear_pointer (&self->reader, bw_tiff_reader_free);
  if (self->file) {
    gst_buffer_unmap (self->file, &self->file_map);
    gst_clear_buffer (&self->file);
  }
  self->file_mapped = FALSE;
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->location, g_free);
  GST_OBJECT_LOCK (self);
  self->n_pages = 0;
  self->last_page = -1;
  gst_clear_caps (&self->other_caps);
  GST_OBJECT_UNLOCK (self);
}

/* The caps of the pages decoded as layout, and their video info. */
static GstCaps *
layout_caps (GstTiffDec * self, BwTiffLayout layout, GstVideoInfo * vinfo)
{
  gst_video_info_set_format (vinfo, layout_formats[layout],
      self->tinfo.width, self->tinfo.height);
  GST_VIDEO_INFO_FPS_N (vinfo) = self->out_fps_n;
  GST_VIDEO_INFO_FPS_D (vinfo) = self->out_fps_d;
  return gst_video_info_to_caps (vinfo);
}

/* Whether s (a structure of downstream's caps) takes a format that is not
 * gray (a structure that names no format takes them all); sets *gray8
 * when it takes GRAY8. */
static gboolean
structure_takes_colour (const GstStructure * s, gboolean * gray8)
{
  const GValue *formats = gst_structure_get_value (s, "format");
  guint n, i;

  if (!formats)
    return TRUE;
  n = GST_VALUE_HOLDS_LIST (formats) ? gst_value_list_get_size (formats) : 1;
  for (i = 0; i < n; i++) {
    const GValue *v = GST_VALUE_HOLDS_LIST (formats) ?
        gst_value_list_get_value (formats, i) : formats;
    GstVideoFormat f;

    if (!G_VALUE_HOLDS_STRING (v))
      return TRUE;
    f = gst_video_format_from_string (g_value_get_string (v));
    if (f == GST_VIDEO_FORMAT_UNKNOWN
        || !GST_VIDEO_FORMAT_INFO_IS_GRAY (gst_video_format_get_info (f)))
      return TRUE;
    if (f == GST_VIDEO_FORMAT_GRAY8)
      *gray8 = TRUE;
  }
  return FALSE;
}

/* What to decode the pages as: the file's own layout, or for colour the
 * luma (GRAY8) when downstream takes no colour at all: when it refuses
 * the file's colour format, or when the caps it prefers (its structures
 * before the first that takes any colour format, videoconvert's answer
 * for gray caps after it) take only gray formats, GRAY8 among them.  A
 * list that takes colour and GRAY8 alike keeps the colour: downstream
 * may want it (an encoder, a converter to another colour format). */
static BwTiffLayout
choose_layout (GstTiffDec * self)
{
  BwTiffLayout own = self->tinfo.layout, layout = own;
  GstCaps *ours, *gray, *peer;
  GstVideoInfo vi;
  gboolean gray8 = FALSE;
  guint i;

  if (own == BW_TIFF_GRAY8 || !bw_tiff_layout_converts (own, BW_TIFF_GRAY8))
    return own;
  ours = layout_caps (self, own, &vi);
  gray = layout_caps (self, BW_TIFF_GRAY8, &vi);
  /* No filter: downstream's order is its preference. */
  peer = gst_pad_peer_query_caps (self->srcpad, NULL);
  if (!gst_caps_can_intersect (peer, ours)) {
    gray8 = gst_caps_can_intersect (peer, gray);
  } else {
    for (i = 0; i < gst_caps_get_size (peer); i++) {
      GstCaps *one = gst_caps_copy_nth (peer, i);
      gboolean takes_gray8 = FALSE, colour;

      colour = structure_takes_colour (gst_caps_get_structure (one, 0),
          &takes_gray8);
      if (!colour && takes_gray8 && gst_caps_can_intersect (one, gray))
        gray8 = TRUE;
      gst_caps_unref (one);
      if (colour)
        break;
    }
  }
  if (gray8)
    layout = BW_TIFF_GRAY8;
  GST_DEBUG_OBJECT (self, "downstream takes %" GST_PTR_FORMAT ": decoding "
      "as %s", peer, bw_tiff_layout_name (layout));
  gst_caps_unref (peer);
  gst_caps_unref (gray);
  gst_caps_unref (ours);
  return layout;
}

/* A pool for decoded pages: downstream's when it takes our configuration,
 * else a video buffer pool of our own.  Its buffers are allocated when
 * first needed (uncompressed pages need none) and reused. */
static GstBufferPool *
output_pool (GstTiffDec * self, GstQuery * query, GstCaps * caps)
{
  GstBufferPool *pool = NULL;
  GstAllocator *allocator = NULL;
  GstAllocationParams params;
  gsize size = GST_VIDEO_INFO_SIZE (&self->vinfo);
  guint min = 0, max = 0, attempt;

  if (size > G_MAXUINT)
    return NULL;
  gst_allocation_params_init (&params);
  if (gst_query_get_n_allocation_params (query) > 0)
    gst_query_parse_nth_allocation_param (query, 0, &allocator, &params);
  if (gst_query_get_n_allocation_pools (query) > 0)
    gst_query_parse_nth_allocation_pool (query, 0, &pool, NULL, &min, &max);
  for (attempt = 0; attempt < 2; attempt++) {
    GstStructure *config;

    if (!pool) {
      pool = gst_video_buffer_pool_new ();
      min = max = 0;
    }
    config = gst_buffer_pool_get_config (pool);
    gst_buffer_pool_config_set_params (config, caps, size, min, max);
    gst_buffer_pool_config_set_allocator (config, allocator, &params);
    if (self->video_meta)
      gst_buffer_pool_config_add_option (config,
          GST_BUFFER_POOL_OPTION_VIDEO_META);
    if (gst_buffer_pool_set_config (pool, config))
      break;
    GST_DEBUG_OBJECT (self, "%" GST_PTR_FORMAT " refused the configuration",
        pool);
    gst_clear_object (&pool);
  }
  gst_clear_object (&allocator);
  return pool;
}

/* Sets what caps queries answer besides the current caps: the other
 * layout the pages can be decoded as, if any. */
static void
set_other_caps (GstTiffDec * self, BwTiffLayout layout)
{
  BwTiffLayout other = layout == BW_TIFF_GRAY8 ? self->tinfo.layout :
      BW_TIFF_GRAY8;
  GstCaps *caps = NULL;
  GstVideoInfo vinfo;

  if (other != layout && bw_tiff_layout_converts (self->tinfo.layout, other))
    caps = layout_caps (self, other, &vinfo);
  GST_OBJECT_LOCK (self);
  gst_clear_caps (&self->other_caps);
  self->other_caps = caps;
  GST_OBJECT_UNLOCK (self);
}

/* Decides what the pages are decoded as (sending new caps when that
 * changes) and into what. */
static void
negotiate (GstTiffDec * self)
{
  BwTiffLayout layout = choose_layout (self);
  GstVideoInfo vinfo;
  GstCaps *caps = layout_caps (self, layout, &vinfo);
  GstBufferPool *pool;
  GstQuery *q;

  set_other_caps (self, layout);
  if (layout != self->out_layout) {
    self->out_layout = layout;
    self->vinfo = vinfo;
    gst_pad_push_event (self->srcpad, gst_event_new_caps (caps));
  }
  /* Rows used where they lie in the file need a video meta when their
   * stride is not the default one: only if downstream reads metas. */
  q = gst_query_new_allocation (caps, TRUE);
  self->video_meta = gst_pad_peer_query (self->srcpad, q)
      && gst_query_find_allocation_meta (q, GST_VIDEO_META_API_TYPE, NULL);
  pool = output_pool (self, q, caps);
  gst_query_unref (q);
  gst_caps_unref (caps);
  drop_pool (self);
  GST_OBJECT_LOCK (self);
  self->pool = pool;
  GST_OBJECT_UNLOCK (self);
}

/* Opens the whole file in buf (taking a reference; mapped: a mapping of
 * the file itself), adds the source pad and sets up the stream from page
 * 0; FALSE (with an error posted) if the file cannot be read at all. */
static gboolean
open_file (GstTiffDec * self, GstBuffer * buf, gboolean mapped)
{
  GError *err = NULL;
  guint64 max_bytes;
  GstCaps *caps;

  release_file (self);
  GST_OBJECT_LOCK (self);
  self->out_fps_n = self->fps_n;
  self->out_fps_d = self->fps_d;
  max_bytes = self->max_frame_bytes;
  GST_OBJECT_UNLOCK (self);

  self->name = input_name (self);
  self->location = input_location (self);
  if (!gst_buffer_map (buf, &self->file_map, GST_MAP_READ)) {
    post_decode_error (self, self->name, "could not map its data");
    return FALSE;
  }
  self->file = gst_buffer_ref (buf);
  self->file_mapped = mapped;
  self->reader = bw_tiff_reader_open (self->file_map.data,
      self->file_map.size, max_bytes, &self->tinfo, &err);
  if (!self->reader) {
    post_decode_error (self, self->name, err->message);
    g_clear_error (&err);
    return FALSE;
  }
  bw_tiff_reader_set_release_input (self->reader, mapped);
  GST_INFO_OBJECT (self, "%u page(s) of %ux%u %s%s", self->tinfo.n_pages,
      self->tinfo.width, self->tinfo.height,
      bw_tiff_layout_name (self->tinfo.layout), mapped ? ", mapped" : "");
  if (bw_tiff_reader_get_stop_error (self->reader))
    GST_WARNING_OBJECT (self, "the pages end early: %s",
        bw_tiff_reader_get_stop_error (self->reader)->message);

  /* The file's own layout until downstream (linked once the pad is
   * added) says what it takes. */
  self->out_layout = self->tinfo.layout;
  caps = layout_caps (self, self->out_layout, &self->vinfo);
  set_other_caps (self, self->out_layout);
  start_output (self, caps);
  gst_caps_unref (caps);
  gst_pad_check_reconfigure (self->srcpad);
  negotiate (self);

  gst_segment_init (&self->segment, GST_FORMAT_TIME);
  self->seqnum = gst_util_seqnum_next ();
  self->need_segment = TRUE;
  self->discont = TRUE;
  self->next_page = 0;
  GST_OBJECT_LOCK (self);
  self->n_pages = self->tinfo.n_pages;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

/* Ends the stream (or the segment of a segment seek) and pauses the task;
 * past the last good page, says why there are no more. */
static void
end_of_pages (GstTiffDec * self, GstPad * task_pad, gboolean all_pages)
{
  const GError *stop = bw_tiff_reader_get_stop_error (self->reader);

  gst_pad_pause_task (task_pad);
  if (all_pages && stop) {
    gchar *cause = g_strdup_printf ("%s (the stack ends after page %u)",
        stop->message, self->tinfo.n_pages);

    post_decode_error (self, self->name, cause);
    g_free (cause);
  }
  if (self->segment.flags & GST_SEGMENT_FLAG_SEGMENT) {
    GstClockTime end = GST_CLOCK_TIME_IS_VALID (self->segment.stop) ?
        self->segment.stop : page_time (self->out_fps_n, self->out_fps_d,
        self->tinfo.n_pages);
    GstMessage *msg = gst_message_new_segment_done (GST_OBJECT (self),
        GST_FORMAT_TIME, end);
    GstEvent *ev = gst_event_new_segment_done (GST_FORMAT_TIME, end);

    self->segment.position = end;
    gst_message_set_seqnum (msg, self->seqnum);
    gst_element_post_message (GST_ELEMENT (self), msg);
    gst_event_set_seqnum (ev, self->seqnum);
    gst_pad_push_event (self->srcpad, ev);
  } else {
    GstEvent *ev = gst_event_new_eos ();

    gst_event_set_seqnum (ev, self->seqnum);
    gst_pad_push_event (self->srcpad, ev);
  }
}

/* One run of the streaming task: pushes the next page of the segment. */
static void
push_next_page (GstTiffDec * self, GstPad * task_pad)
{
  guint page = self->next_page;
  gint fps_n = self->out_fps_n, fps_d = self->out_fps_d;
  GstClockTime pts = page_time (fps_n, fps_d, page);
  GError *err = NULL;
  GstFlowReturn ret;
  GstBuffer *out;
  gsize offset;

  if (self->need_segment) {
    GstEvent *ev = gst_event_new_segment (&self->segment);

    gst_event_set_seqnum (ev, self->seqnum);
    gst_pad_push_event (self->srcpad, ev);
    self->need_segment = FALSE;
  }
  if (page >= self->tinfo.n_pages || (GST_CLOCK_TIME_IS_VALID
          (self->segment.stop) && pts >= self->segment.stop)) {
    end_of_pages (self, task_pad, page >= self->tinfo.n_pages);
    return;
  }

  if (gst_pad_check_reconfigure (self->srcpad))
    negotiate (self);
  if (self->out_layout == self->tinfo.layout
      && bw_tiff_reader_page_in_place (self->reader, page, &offset)
      && (self->video_meta || (gsize) self->tinfo.width *
          self->tinfo.bytes_per_pixel ==
          (gsize) GST_VIDEO_INFO_PLANE_STRIDE (&self->vinfo, 0))) {
    out = in_place_frame (self, offset);
  } else {
    out = decoded_frame (self, page, &err);
    if (!out && g_error_matches (err, BW_TIFF_ERROR, BW_TIFF_ERROR_CANCELLED)) {
      /* a flushing seek or a stop: it restarts the task if need be */
      GST_DEBUG_OBJECT (self, "page %u abandoned", page + 1);
      g_clear_error (&err);
      gst_pad_pause_task (task_pad);
      return;
    }
    if (!out) {
      post_decode_error (self, self->name, err->message);
      g_clear_error (&err);
      gst_pad_pause_task (task_pad);
      push_event (self, gst_event_new_eos ());
      return;
    }
  }
  GST_BUFFER_PTS (out) = pts;
  if (fps_n > 0)
    GST_BUFFER_DURATION (out) = page_time (fps_n, fps_d, page + 1) - pts;
  GST_BUFFER_OFFSET (out) = page;
  GST_BUFFER_OFFSET_END (out) = page + 1;
  if (self->discont) {
    GST_BUFFER_FLAG_SET (out, GST_BUFFER_FLAG_DISCONT);
    self->discont = FALSE;
  }
  self->next_page = page + 1;
  /* the end of the page: where a seek without flushing continues from */
  self->segment.position = page_time (fps_n, fps_d, page + 1);
  GST_OBJECT_LOCK (self);
  self->last_page = page;
  GST_OBJECT_UNLOCK (self);

  ret = gst_pad_push (self->srcpad, out);
  if (ret != GST_FLOW_OK) {
    GST_DEBUG_OBJECT (self, "pausing: %s", gst_flow_get_name (ret));
    gst_pad_pause_task (task_pad);
    if (ret == GST_FLOW_NOT_LINKED || ret < GST_FLOW_EOS)
      GST_ELEMENT_FLOW_ERROR (self, ret);
    if (ret != GST_FLOW_FLUSHING)
      push_event (self, gst_event_new_eos ());
  }
}

/* ---- seeking and queries ------------------------------------------------- */

static GstPad *
task_pad (GstTiffDec * self)
{
  gboolean pull;

  g_mutex_lock (&self->stop_lock);
  pull = self->pull_mode;
  g_mutex_unlock (&self->stop_lock);
  return pull ? self->sinkpad : self->srcpad;
}

/* Makes a page being decoded stop (cancel) or lets pages decode again,
 * and the pool's waits return. */
static void
set_flushing (GstTiffDec * self, gboolean flushing)
{
  GstBufferPool *pool;

  g_atomic_int_set (&self->cancel, flushing);
  GST_OBJECT_LOCK (self);
  pool = self->pool ? gst_object_ref (self->pool) : NULL;
  GST_OBJECT_UNLOCK (self);
  if (pool && gst_buffer_pool_is_active (pool))
    gst_buffer_pool_set_flushing (pool, flushing);
  gst_clear_object (&pool);
}

static void
start_task (GstTiffDec * self, GstPad * pad)
{
  if (pad == self->sinkpad)
    gst_pad_start_task (pad, (GstTaskFunction) gst_tiff_dec_pull_loop, self,
        NULL);
  else
    gst_pad_start_task (pad, (GstTaskFunction) gst_tiff_dec_push_loop, self,
        NULL);
}

/* A seek in time (with a frame rate) or in pages (GST_FORMAT_DEFAULT):
 * continues from the page shown at the new start. */
static gboolean
gst_tiff_dec_do_seek (GstTiffDec * self, GstEvent * event)
{
  gdouble rate;
  GstFormat format;
  GstSeekFlags flags;
  GstSeekType start_type, stop_type;
  gint64 start, stop;
  gint fps_n, fps_d;
  guint n_pages;
  guint64 page;
  gboolean flush, update, ok;
  guint32 seqnum = gst_event_get_seqnum (event);
  GstSegment seg;
  GstPad *pad;

  gst_event_parse_seek (event, &rate, &format, &flags, &start_type, &start,
      &stop_type, &stop);
  GST_OBJECT_LOCK (self);
  n_pages = self->n_pages;
  fps_n = self->out_fps_n;
  fps_d = self->out_fps_d;
  GST_OBJECT_UNLOCK (self);
  if (n_pages == 0 || rate <= 0.0) {
    GST_DEBUG_OBJECT (self, "seek refused: %s", n_pages == 0 ? "no file yet"
        : "backwards playback is not supported");
    return FALSE;
  }
  if (format == GST_FORMAT_DEFAULT) {
    if (start_type != GST_SEEK_TYPE_NONE && start >= 0)
      start = page_time (fps_n, fps_d, start);
    if (stop_type != GST_SEEK_TYPE_NONE && stop >= 0)
      stop = page_time (fps_n, fps_d, stop);
  } else if (format != GST_FORMAT_TIME || fps_n <= 0) {
    GST_DEBUG_OBJECT (self, "seek refused: %s seeks need a frame rate",
        gst_format_get_name (format));
    return FALSE;
  }
  flush = (flags & GST_SEEK_FLAG_FLUSH) != 0;
  pad = task_pad (self);

  if (flush) {
    GstEvent *ev = gst_event_new_flush_start ();

    set_flushing (self, TRUE);
    gst_event_set_seqnum (ev, seqnum);
    gst_pad_push_event (self->srcpad, ev);
  }
  gst_pad_pause_task (pad);
  GST_PAD_STREAM_LOCK (pad);
  if (flush)
    set_flushing (self, FALSE);

  seg = self->segment;
  ok = gst_segment_do_seek (&seg, rate, GST_FORMAT_TIME, flags, start_type,
      start, stop_type, stop, &update);
  if (ok) {
    page = page_at (fps_n, fps_d, seg.start);
    /* Every page is a key unit: snapping moves the start to one. */
    if (page < n_pages && (flags & (GST_SEEK_FLAG_KEY_UNIT |
                GST_SEEK_FLAG_SNAP_BEFORE | GST_SEEK_FLAG_SNAP_AFTER))) {
      GstClockTime before = page_time (fps_n, fps_d, page);
      GstClockTime after = page_time (fps_n, fps_d, page + 1);

      if (before != seg.start && ((flags & GST_SEEK_FLAG_SNAP_NEAREST) ==
              GST_SEEK_FLAG_SNAP_NEAREST ? after - seg.start < seg.start -
              before : (flags & GST_SEEK_FLAG_SNAP_AFTER) != 0)) {
        page++;
        before = after;
      }
      seg.start = seg.time = seg.position = before;
    }
  }
  if (flush) {
    GstEvent *ev = gst_event_new_flush_stop (TRUE);

    gst_event_set_seqnum (ev, seqnum);
    gst_pad_push_event (self->srcpad, ev);
  }
  if (ok) {
    GST_DEBUG_OBJECT (self, "seek to page %" G_GUINT64_FORMAT
        " (segment %" GST_SEGMENT_FORMAT ")", page, &seg);
    self->segment = seg;
    self->seqnum = seqnum;
    self->next_page = MIN (page, n_pages);
    self->need_segment = TRUE;
    self->discont = TRUE;
    if (seg.flags & GST_SEGMENT_FLAG_SEGMENT) {
      GstMessage *msg = gst_message_new_segment_start (GST_OBJECT (self),
          GST_FORMAT_TIME, seg.start);

      gst_message_set_seqnum (msg, seqnum);
      gst_element_post_message (GST_ELEMENT (self), msg);
    }
  }
  start_task (self, pad);
  GST_PAD_STREAM_UNLOCK (pad);
  return ok;
}

static gboolean
gst_tiff_dec_src_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  GstTiffDec *self = GST_TIFF_DEC (parent);
  gboolean ok;

  if (GST_EVENT_TYPE (event) != GST_EVENT_SEEK)
    return gst_pad_event_default (pad, parent, event);
  ok = gst_tiff_dec_do_seek (self, event);
  gst_event_unref (event);
  return ok;
}

/* The formats the pages can be given in: the current one first, then the
 * other one a colour file can be decoded as. */
static gboolean
answer_caps_query (GstTiffDec * self, GstPad * pad, GstQuery * query)
{
  GstCaps *caps, *filter, *result;

  caps = gst_pad_get_current_caps (pad);
  if (!caps)
    return gst_pad_query_default (pad, GST_OBJECT (self), query);
  caps = gst_caps_make_writable (caps);
  GST_OBJECT_LOCK (self);
  if (self->other_caps)
    gst_caps_append (caps, gst_caps_copy (self->other_caps));
  GST_OBJECT_UNLOCK (self);
  gst_query_parse_caps (query, &filter);
  result = filter ? gst_caps_intersect_full (filter, caps,
      GST_CAPS_INTERSECT_FIRST) : gst_caps_ref (caps);
  gst_query_set_caps_result (query, result);
  gst_caps_unref (result);
  gst_caps_unref (caps);
  return TRUE;
}

/* Duration and position in time (with a frame rate) and in pages; a stack
 * is seekable in both. */
static gboolean
gst_tiff_dec_src_query (GstPad * pad, GstObject * parent, GstQuery * query)
{
  GstTiffDec *self = GST_TIFF_DEC (parent);
  GstFormat format;
  guint n_pages;
  gint fps_n, fps_d;
  gint64 last;
  gboolean in_time, known;

  switch (GST_QUERY_TYPE (query)) {
    case GST_QUERY_CAPS:
      return answer_caps_query (self, pad, query);
    case GST_QUERY_DURATION:
      gst_query_parse_duration (query, &format, NULL);
      break;
    case GST_QUERY_POSITION:
      gst_query_parse_position (query, &format, NULL);
      break;
    case GST_QUERY_SEEKING:
      gst_query_parse_seeking (query, &format, NULL, NULL, NULL);
      break;
    default:
      return gst_pad_query_default (pad, parent, query);
  }
  GST_OBJECT_LOCK (self);
  n_pages = self->n_pages;
  fps_n = self->out_fps_n;
  fps_d = self->out_fps_d;
  last = self->last_page;
  GST_OBJECT_UNLOCK (self);
  in_time = format == GST_FORMAT_TIME && fps_n > 0;
  known = n_pages > 0 && (in_time || format == GST_FORMAT_DEFAULT);

  switch (GST_QUERY_TYPE (query)) {
    case GST_QUERY_DURATION:
      if (known)
        gst_query_set_duration (query, format, in_time ?
            (gint64) page_time (fps_n, fps_d, n_pages) : n_pages);
      return known;
    case GST_QUERY_POSITION:
      if (known)
        gst_query_set_position (query, format, last < 0 ? 0 : in_time ?
            (gint64) page_time (fps_n, fps_d, last) : last);
      return known;
    default:
      gst_query_set_seeking (query, format, known, 0, !known ? -1 : in_time ?
          (gint64) page_time (fps_n, fps_d, n_pages) : n_pages);
      return TRUE;
  }
}

static gboolean
gst_tiff_dec_src_activate_mode (GstPad * pad, GstObject * parent,
    GstPadMode mode, gboolean active)
{
  /* the push-mode streaming task runs on this pad */
  return active ? TRUE : gst_pad_stop_task (pad);
}

/* ---- pull mode: the whole file mapped, or in one read ------------------- */

typedef struct
{
  gpointer data;
  gsize size;
} FileMapping;

static void
file_mapping_free (gpointer user_data)
{
  FileMapping *m = user_data;

  munmap (m->data, m->size);
  g_free (m);
}

/* The file upstream reads, mapped read-only (shared with the page cache,
 * unmapped when the last buffer using it goes), when upstream is a local
 * regular file of the size it reports; NULL otherwise. */
static GstBuffer *
map_file (GstTiffDec * self, gint64 size)
{
  GstQuery *q = gst_query_new_uri ();
  gchar *uri = NULL, *path;
  FileMapping *m;
  struct stat st;
  gpointer data;
  gint fd;

  if (gst_pad_peer_query (self->sinkpad, q))
    gst_query_parse_uri (q, &uri);
  gst_query_unref (q);
  path = uri ? g_filename_from_uri (uri, NULL, NULL) : NULL;
  g_free (uri);
  if (!path)
    return NULL;
  /* non-blocking: a FIFO is not mapped, and must not block the open */
  fd = g_open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0 || fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)
      || st.st_size != size) {
    GST_DEBUG_OBJECT (self, "not mapping %s: %s", path, fd < 0 ?
        g_strerror (errno) : "not a regular file of the size upstream says");
    if (fd >= 0)
      close (fd);
    g_free (path);
    return NULL;
  }
  data = mmap (NULL, size, PROT_READ, MAP_SHARED, fd, 0);
  close (fd);
  if (data == MAP_FAILED) {
    GST_DEBUG_OBJECT (self, "cannot map %s: %s", path, g_strerror (errno));
    g_free (path);
    return NULL;
  }
  GST_DEBUG_OBJECT (self, "mapped %s", path);
  g_free (path);
  m = g_new (FileMapping, 1);
  m->data = data;
  m->size = size;
  return gst_buffer_new_wrapped_full (GST_MEMORY_FLAG_READONLY, data, size,
      0, size, m, file_mapping_free);
}

#define HUGE_PAGE (2 << 20)

/* Memory for a whole file, in huge pages where the system gives them on
 * request (Linux's transparent huge pages in "madvise" mode): reading a
 * file of hundreds of megabytes then takes a page fault per 2 MB instead
 * of per 4 KB, which on virtual machines costs more than the copy. */
static GstBuffer *
alloc_file_buffer (gsize size)
{
  gpointer mem = NULL;

  if (size < HUGE_PAGE || posix_memalign (&mem, HUGE_PAGE, size) != 0)
    return gst_buffer_new_allocate (NULL, size, NULL);
#ifdef MADV_HUGEPAGE
  madvise (mem, size, MADV_HUGEPAGE);
#endif
  return gst_buffer_new_wrapped_full (0, mem, size, 0, size, mem, free);
}

/* Reads the whole file from upstream; FALSE if it cannot. */
static gboolean
pull_file (GstTiffDec * self)
{
  GstBuffer *buf = NULL;
  GstFlowReturn ret;
  gint64 size = -1;
  gboolean ok;

  if (!gst_pad_peer_query_duration (self->sinkpad, GST_FORMAT_BYTES, &size)
      || size <= 0) {
    GST_ELEMENT_ERROR (self, STREAM, DECODE, ("Could not read the TIFF file"),
        ("upstream does not know the file size"));
    return FALSE;
  }
  buf = map_file (self, size);
  if (buf) {
    ok = open_file (self, buf, TRUE);
    gst_buffer_unref (buf);
    return ok;
  }
  buf = alloc_file_buffer (size);
  if (!buf) {
    gchar *name = input_name (self);

    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT, ("TIFF file %s: no "
            "memory for its %" G_GINT64_FORMAT " bytes", name, size), (NULL));
    g_free (name);
    return FALSE;
  }
  ret = gst_pad_pull_range (self->sinkpad, 0, size, &buf);
  if (ret != GST_FLOW_OK) {
    gst_clear_buffer (&buf);
    if (ret == GST_FLOW_NOT_LINKED || ret < GST_FLOW_EOS)
      GST_ELEMENT_FLOW_ERROR (self, ret);
    return FALSE;
  }
  ok = open_file (self, buf, FALSE);
  gst_buffer_unref (buf);
  return ok;
}

static void
gst_tiff_dec_pull_loop (GstTiffDec * self)
{
  if (!self->reader && !pull_file (self)) {
    gst_pad_pause_task (self->sinkpad);
    push_event (self, gst_event_new_eos ());
    return;
  }
  push_next_page (self, self->sinkpad);
}

static gboolean
gst_tiff_dec_sink_activate (GstPad * pad, GstObject * parent)
{
  GstQuery *query = gst_query_new_scheduling ();
  gboolean pull;

  pull = gst_pad_peer_query (pad, query)
      && gst_query_has_scheduling_mode_with_flags (query, GST_PAD_MODE_PULL,
      GST_SCHEDULING_FLAG_SEEKABLE);
  gst_query_unref (query);
  return gst_pad_activate_mode (pad, pull ? GST_PAD_MODE_PULL :
      GST_PAD_MODE_PUSH, TRUE);
}

static gboolean
gst_tiff_dec_sink_activate_mode (GstPad * pad, GstObject * parent,
    GstPadMode mode, gboolean active)
{
  GstTiffDec *self = GST_TIFF_DEC (parent);

  if (mode != GST_PAD_MODE_PULL)
    return TRUE;
  g_mutex_lock (&self->stop_lock);
  self->pull_mode = active;
  self->stopping = !active;
  self->pull_start = g_get_monotonic_time ();
  g_cond_broadcast (&self->stop_cond);
  g_mutex_unlock (&self->stop_lock);
  if (active) {
    return gst_pad_start_task (pad, (GstTaskFunction) gst_tiff_dec_pull_loop,
        self, NULL);
  }
  return gst_pad_stop_task (pad);
}

/* ---- push mode: collect until EOS, then stream from our own task -------- */

static void
gst_tiff_dec_push_loop (GstTiffDec * self)
{
  push_next_page (self, self->srcpad);
}

/* Refuses the stream once it grows past max-input-bytes (or upstream says
 * it will): TIFF is decoded only once it is whole. */
static gboolean
input_too_large (GstTiffDec * self, guint64 total, guint64 limit)
{
  gchar *name;

  if (total <= limit)
    return FALSE;
  name = input_name (self);
  GST_ELEMENT_ERROR (self, STREAM, DECODE, ("TIFF file %s: more than %"
          G_GUINT64_FORMAT " bytes, the limit set by max-input-bytes (a TIFF "
          "stream is held in memory until it ends)", name, limit),
      ("%" G_GUINT64_FORMAT " bytes", total));
  g_free (name);
  gst_adapter_clear (self->adapter);
  self->input_refused = TRUE;
  return TRUE;
}

static GstFlowReturn
gst_tiff_dec_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  GstTiffDec *self = GST_TIFF_DEC (parent);
  gsize held = gst_adapter_available (self->adapter);
  guint64 limit;
  gint64 upstream = -1;

  GST_OBJECT_LOCK (self);
  limit = self->max_input_bytes;
  GST_OBJECT_UNLOCK (self);

  if (!self->input_refused && held == 0
      && gst_pad_peer_query_duration (pad, GST_FORMAT_BYTES, &upstream)
      && upstream > 0)
    input_too_large (self, upstream, limit);
  if (self->input_refused || input_too_large (self,
          (guint64) held + gst_buffer_get_size (buf), limit)) {
    gst_buffer_unref (buf);
    return GST_FLOW_ERROR;
  }
  gst_adapter_push (self->adapter, buf);
  return GST_FLOW_OK;
}

/* The whole file has come: decode it from the source pad's task. */
static void
push_mode_eos (GstTiffDec * self)
{
  gsize avail = gst_adapter_available (self->adapter);
  GstBuffer *file;

  if (self->input_refused)
    return;
  if (avail == 0) {
    gchar *name = input_name (self);

    GST_ELEMENT_ERROR (self, STREAM, DECODE, ("TIFF file %s is empty",
            name), (NULL));
    g_free (name);
    push_event (self, gst_event_new_eos ());
    return;
  }
  if (self->srcpad)
    gst_pad_stop_task (self->srcpad);
  file = gst_adapter_take_buffer (self->adapter, avail);
  if (open_file (self, file, FALSE))
    start_task (self, self->srcpad);
  else
    push_event (self, gst_event_new_eos ());
  gst_buffer_unref (file);
}

static gboolean
gst_tiff_dec_sink_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  GstTiffDec *self = GST_TIFF_DEC (parent);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_STREAM_START:
    case GST_EVENT_CAPS:
    case GST_EVENT_SEGMENT:
      /* Ours are sent with the first frame. */
      gst_event_unref (event);
      return TRUE;
    case GST_EVENT_FLUSH_STOP:
      gst_adapter_clear (self->adapter);
      self->input_refused = FALSE;
      return push_event (self, event);
    case GST_EVENT_EOS:
      /* our task sends EOS after the last page */
      gst_event_unref (event);
      push_mode_eos (self);
      return TRUE;
    default:
      return self->srcpad ? gst_pad_event_default (pad, parent, event) :
          (gst_event_unref (event), TRUE);
  }
}

/* ---- properties and lifecycle ------------------------------------------- */

static void
gst_tiff_dec_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstTiffDec *self = GST_TIFF_DEC (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_FRAMERATE:
      self->fps_n = gst_value_get_fraction_numerator (value);
      self->fps_d = gst_value_get_fraction_denominator (value);
      break;
    case PROP_MAX_FRAME_BYTES:
      self->max_frame_bytes = g_value_get_uint64 (value);
      break;
    case PROP_MAX_INPUT_BYTES:
      self->max_input_bytes = g_value_get_uint64 (value);
      break;
    case PROP_N_THREADS:
      self->n_threads = g_value_get_uint (value);
      break;
    case PROP_PROGRESS_DELAY:
      self->progress_delay = g_value_get_uint64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_tiff_dec_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstTiffDec *self = GST_TIFF_DEC (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_FRAMERATE:
      gst_value_set_fraction (value, self->fps_n, self->fps_d);
      break;
    case PROP_MAX_FRAME_BYTES:
      g_value_set_uint64 (value, self->max_frame_bytes);
      break;
    case PROP_MAX_INPUT_BYTES:
      g_value_set_uint64 (value, self->max_input_bytes);
      break;
    case PROP_N_THREADS:
      g_value_set_uint (value, self->n_threads);
      break;
    case PROP_PROGRESS_DELAY:
      g_value_set_uint64 (value, self->progress_delay);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static GstStateChangeReturn
gst_tiff_dec_change_state (GstElement * element, GstStateChange transition)
{
  GstTiffDec *self = GST_TIFF_DEC (element);
  GstStateChangeReturn ret;

  /* Stopping does not wait for a page to be decoded. */
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY)
    set_flushing (self, TRUE);
  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    g_atomic_int_set (&self->cancel, FALSE);
    /* the pads are inactive: no task runs any more */
    gst_adapter_clear (self->adapter);
    self->input_refused = FALSE;
    release_file (self);
    if (self->srcpad) {
      gst_element_remove_pad (element, self->srcpad);
      self->srcpad = NULL;
    }
  }
  return ret;
}

static void
gst_tiff_dec_finalize (GObject * object)
{
  GstTiffDec *self = GST_TIFF_DEC (object);

  release_file (self);
  g_mutex_clear (&self->stop_lock);
  g_cond_clear (&self->stop_cond);
  g_object_unref (self->adapter);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_tiff_dec_class_init (GstTiffDecClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_tiff_dec_debug, "tiffdec", 0,
      "TIFF decoder (libtiff)");

  gobject_class->set_property = gst_tiff_dec_set_property;
  gobject_class->get_property = gst_tiff_dec_get_property;
  gobject_class->finalize = gst_tiff_dec_finalize;

  /**
   * GstTiffDec:framerate:
   *
   * The frame rate given to the pages of a file: page n has the timestamp
   * n / framerate.  0/1 marks the pages as still images (then durations
   * and seeks are in pages only, GST_FORMAT_DEFAULT).
   */
  g_object_class_install_property (gobject_class, PROP_FRAMERATE,
      gst_param_spec_fraction ("framerate", "Frame rate",
          "Frame rate of the pages of a multi-page TIFF (a time-lapse or a "
          "stack): page n is at n / framerate seconds; 0/1 = still images",
          0, 1, G_MAXINT, 1, DEFAULT_FPS_N, DEFAULT_FPS_D,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstTiffDec:max-frame-bytes:
   *
   * The largest decoded page accepted, in bytes: a header that declares a
   * huge image in a small file is refused before anything is allocated.
   */
  g_object_class_install_property (gobject_class, PROP_MAX_FRAME_BYTES,
      g_param_spec_uint64 ("max-frame-bytes", "Maximum frame bytes",
          "Largest decoded page accepted, in bytes (default 4 GiB)", 1,
          G_MAXUINT64, DEFAULT_MAX_FRAME_BYTES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstTiffDec:max-input-bytes:
   *
   * The largest TIFF stream collected in push mode, in bytes (default
   * 4 GiB).  Without random access upstream the file is held in memory
   * until its end; a stream that grows past this (or that upstream says is
   * larger) is an error, not a memory exhaustion.  Files pulled from
   * upstream (filesrc) are read at their own size and are not limited.
   */
  g_object_class_install_property (gobject_class, PROP_MAX_INPUT_BYTES,
      g_param_spec_uint64 ("max-input-bytes", "Maximum input bytes",
          "Largest TIFF stream held in memory in push mode until its end, in "
          "bytes (default 4 GiB); more is an error", 1, G_MAXUINT64,
          DEFAULT_MAX_INPUT_BYTES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstTiffDec:n-threads:
   *
   * How many threads decode the compressed tiles or strips of a page, each
   * with its own libtiff handle: 0 (the default) for one per CPU.  The
   * decoded pages do not depend on it.
   */
  g_object_class_install_property (gobject_class, PROP_N_THREADS,
      g_param_spec_uint ("n-threads", "Threads",
          "Threads decoding the compressed tiles or strips of a page "
          "(0 = one per CPU)", 0, MAX_N_THREADS, DEFAULT_N_THREADS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstTiffDec:progress-delay:
   *
   * How long a page decodes, in nanoseconds, before the element posts
   * `tiffdec-progress` messages about it (see the element's
   * description); G_MAXUINT64 for none.
   */
  g_object_class_install_property (gobject_class, PROP_PROGRESS_DELAY,
      g_param_spec_uint64 ("progress-delay", "Progress delay",
          "Time a page decodes before progress messages are posted about "
          "it, in nanoseconds", 0, G_MAXUINT64, DEFAULT_PROGRESS_DELAY,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "TIFF decoder",
      "Codec/Decoder/Image",
      "Decodes TIFF images (also multi-page stacks, BigTIFF, tiles, every "
      "compression libtiff reads) in their own depth: 8/16-bit gray, 8-bit "
      "RGB and RGBA", "gst-blockwise developers");
  element_class->change_state = GST_DEBUG_FUNCPTR (gst_tiff_dec_change_state);
}

static void
gst_tiff_dec_init (GstTiffDec * self)
{
  self->sinkpad = gst_pad_new_from_static_template (&sink_template, "sink");
  gst_pad_set_activate_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_tiff_dec_sink_activate));
  gst_pad_set_activatemode_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_tiff_dec_sink_activate_mode));
  gst_pad_set_chain_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_tiff_dec_chain));
  gst_pad_set_event_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_tiff_dec_sink_event));
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);

  self->adapter = gst_adapter_new ();
  g_mutex_init (&self->stop_lock);
  g_cond_init (&self->stop_cond);
  self->fps_n = DEFAULT_FPS_N;
  self->fps_d = DEFAULT_FPS_D;
  self->max_frame_bytes = DEFAULT_MAX_FRAME_BYTES;
  self->max_input_bytes = DEFAULT_MAX_INPUT_BYTES;
  self->n_threads = DEFAULT_N_THREADS;
  self->progress_delay = DEFAULT_PROGRESS_DELAY;
  self->last_page = -1;
  gst_segment_init (&self->segment, GST_FORMAT_TIME);
}
