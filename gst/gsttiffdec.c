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
 * TIFF needs random access, so the whole file is read before decoding:
 * pulled in one piece where upstream allows it (filesrc, also through
 * decodebin), collected until EOS otherwise.  Ranked above avdec_tiff, so
 * decodebin picks it.
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

#include <stdlib.h>
#include <sys/mman.h>
#include <gst/video/video.h>

#include "gsttiffdec.h"
#include "tiffreader.h"

GST_DEBUG_CATEGORY_STATIC (gst_tiff_dec_debug);
#define GST_CAT_DEFAULT gst_tiff_dec_debug

#define DEFAULT_FPS_N 1
#define DEFAULT_FPS_D 1
#define DEFAULT_MAX_FRAME_BYTES (G_GUINT64_CONSTANT (4) << 30)

enum
{
  PROP_0,
  PROP_FRAMERATE,
  PROP_MAX_FRAME_BYTES
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
GST_ELEMENT_REGISTER_DEFINE (tiffdec, "tiffdec", GST_RANK_PRIMARY,
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
      GST_RANK_PRIMARY, bigtiff_typefind, "tif,tiff,btf",
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

/* The file's name for messages: upstream's URI, or "input". */
static gchar *
input_name (GstTiffDec * self)
{
  GstQuery *q = gst_query_new_uri ();
  gchar *uri = NULL, *name;

  if (gst_pad_peer_query (self->sinkpad, q))
    gst_query_parse_uri (q, &uri);
  gst_query_unref (q);
  if (!uri)
    return g_strdup ("input");
  name = g_filename_from_uri (uri, NULL, NULL);
  if (!name)
    name = g_strdup (uri);
  g_free (uri);
  return name;
}

/* Adds the source pad (once) with caps, and starts a segment. */
static void
start_output (GstTiffDec * self, GstCaps * caps)
{
  GstSegment segment;

  if (!self->srcpad) {
    gchar *id;

    self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
    gst_pad_use_fixed_caps (self->srcpad);
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
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (self->srcpad, gst_event_new_segment (&segment));
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

/* A page stored as raw rows in the file: a part of the file's buffer, with
 * a video meta where its rows are not padded as GstVideoInfo pads them. */
static GstBuffer *
in_place_frame (GstBuffer * file, gsize offset, const GstVideoInfo * vinfo,
    const BwTiffInfo * tinfo)
{
  gsize row_bytes = (gsize) tinfo->width * tinfo->bytes_per_pixel;
  GstBuffer *out = gst_buffer_copy_region (file, GST_BUFFER_COPY_MEMORY,
      offset, row_bytes * tinfo->height);

  if (row_bytes != (gsize) GST_VIDEO_INFO_PLANE_STRIDE (vinfo, 0)) {
    gsize offsets[GST_VIDEO_MAX_PLANES] = { 0 };
    gint strides[GST_VIDEO_MAX_PLANES] = { (gint) row_bytes };

    gst_buffer_add_video_meta_full (out, GST_VIDEO_FRAME_FLAG_NONE,
        GST_VIDEO_INFO_FORMAT (vinfo), tinfo->width, tinfo->height, 1,
        offsets, strides);
  }
  return out;
}

/* A page decoded into a buffer of its own; NULL and err on failure. */
static GstBuffer *
decoded_frame (BwTiffReader * reader, guint page, const GstVideoInfo * vinfo,
    GError ** err)
{
  GstBuffer *out = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (vinfo),
      NULL);
  GstMapInfo omap;
  gboolean ok;

  if (!out || !gst_buffer_map (out, &omap, GST_MAP_WRITE)) {
    gst_clear_buffer (&out);
    g_set_error (err, BW_TIFF_ERROR, BW_TIFF_ERROR_TOO_LARGE,
        "could not allocate a %dx%d frame", GST_VIDEO_INFO_WIDTH (vinfo),
        GST_VIDEO_INFO_HEIGHT (vinfo));
    return NULL;
  }
  ok = bw_tiff_reader_read_page (reader, page, omap.data,
      GST_VIDEO_INFO_PLANE_STRIDE (vinfo, 0), err);
  gst_buffer_unmap (out, &omap);
  if (!ok)
    gst_clear_buffer (&out);
  return out;
}

/* Posts "TIFF file NAME: cause".  In pull mode the task starts while
 * decodebin is still plugging the element, and decodebin drops the errors
 * of an element it is plugging: a file refused at once would go unnoticed
 * and the pipeline would wait for ever.  So in pull mode the error is
 * posted again every 200 ms until the element is stopped (at most 2 s):
 * an application that reacts to the first one never sees another. */
static void
post_decode_error (GstTiffDec * self, const GError * err)
{
  gchar *name = input_name (self);
  guint i;

  for (i = 0; i < 10; i++) {
    gboolean stopping;

    GST_ELEMENT_ERROR (self, STREAM, DECODE, ("TIFF file %s: %s", name,
            err->message), (NULL));
    g_mutex_lock (&self->stop_lock);
    if (!self->stopping && self->pull_mode)
      g_cond_wait_until (&self->stop_cond, &self->stop_lock,
          g_get_monotonic_time () + 200 * G_TIME_SPAN_MILLISECOND);
    stopping = self->stopping || !self->pull_mode;
    g_mutex_unlock (&self->stop_lock);
    if (stopping)
      break;
  }
  g_free (name);
}

/* Decodes the whole file in buf and pushes its pages. */
static GstFlowReturn
gst_tiff_dec_decode (GstTiffDec * self, GstBuffer * buf)
{
  GstMapInfo map;
  BwTiffReader *reader;
  BwTiffInfo tinfo;
  GstVideoInfo vinfo;
  GError *err = NULL;
  GstFlowReturn ret = GST_FLOW_OK;
  gint fps_n, fps_d;
  guint64 max_bytes;
  gboolean video_meta;
  guint page;

  GST_OBJECT_LOCK (self);
  fps_n = self->fps_n;
  fps_d = self->fps_d;
  max_bytes = self->max_frame_bytes;
  GST_OBJECT_UNLOCK (self);

  if (!gst_buffer_map (buf, &map, GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, RESOURCE, READ, ("Could not map the TIFF data"),
        (NULL));
    return GST_FLOW_ERROR;
  }
  reader = bw_tiff_reader_open (map.data, map.size, max_bytes, &tinfo, &err);
  if (!reader)
    goto failed;
  GST_INFO_OBJECT (self, "%u page(s) of %ux%u %s", tinfo.n_pages, tinfo.width,
      tinfo.height, bw_tiff_layout_name (tinfo.layout));

  gst_video_info_set_format (&vinfo, layout_formats[tinfo.layout],
      tinfo.width, tinfo.height);
  GST_VIDEO_INFO_FPS_N (&vinfo) = fps_n;
  GST_VIDEO_INFO_FPS_D (&vinfo) = fps_d;
  {
    GstCaps *caps = gst_video_info_to_caps (&vinfo);
    GstQuery *q;

    start_output (self, caps);
    /* Rows used where they lie in the file need a video meta when their
     * stride is not the default one: only if downstream reads metas. */
    q = gst_query_new_allocation (caps, FALSE);
    video_meta = gst_pad_peer_query (self->srcpad, q)
        && gst_query_find_allocation_meta (q, GST_VIDEO_META_API_TYPE, NULL);
    gst_query_unref (q);
    gst_caps_unref (caps);
  }

  for (page = 0; page < tinfo.n_pages && ret == GST_FLOW_OK; page++) {
    GstBuffer *out;
    gsize offset;

    if (bw_tiff_reader_page_in_place (reader, page, &offset)
        && (video_meta || (gsize) tinfo.width * tinfo.bytes_per_pixel ==
            (gsize) GST_VIDEO_INFO_PLANE_STRIDE (&vinfo, 0))) {
      out = in_place_frame (buf, offset, &vinfo, &tinfo);
    } else {
      out = decoded_frame (reader, page, &vinfo, &err);
      if (!out)
        break;
    }
    if (fps_n > 0) {
      GST_BUFFER_PTS (out) = gst_util_uint64_scale (page, fps_d * GST_SECOND,
          fps_n);
      GST_BUFFER_DURATION (out) = gst_util_uint64_scale (page + 1,
          fps_d * GST_SECOND, fps_n) - GST_BUFFER_PTS (out);
    } else {
      GST_BUFFER_PTS (out) = page;      /* still images: in order */
    }
    GST_BUFFER_OFFSET (out) = page;
    ret = gst_pad_push (self->srcpad, out);
  }
  bw_tiff_reader_free (reader);
  if (err)
    goto failed;
  gst_buffer_unmap (buf, &map);
  return ret;

failed:
  post_decode_error (self, err);
  g_clear_error (&err);
  gst_buffer_unmap (buf, &map);
  return GST_FLOW_ERROR;
}

/* ---- pull mode: the whole file in one read ------------------------------ */

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

static void
gst_tiff_dec_loop (GstTiffDec * self)
{
  GstBuffer *buf = NULL;
  GstFlowReturn ret;
  gint64 size = -1;


  if (!gst_pad_peer_query_duration (self->sinkpad, GST_FORMAT_BYTES, &size)
      || size <= 0) {
    GST_ELEMENT_ERROR (self, STREAM, DECODE, ("Could not read the TIFF file"),
        ("upstream does not know the file size"));
    ret = GST_FLOW_ERROR;
    goto pause;
  }
  buf = alloc_file_buffer (size);
  ret = gst_pad_pull_range (self->sinkpad, 0, size, &buf);
  if (ret != GST_FLOW_OK) {
    gst_clear_buffer (&buf);
    goto pause;
  }
  ret = gst_tiff_dec_decode (self, buf);
  gst_buffer_unref (buf);
  if (ret == GST_FLOW_OK)
    ret = GST_FLOW_EOS;

pause:
  gst_pad_pause_task (self->sinkpad);
  if (ret == GST_FLOW_EOS) {
    push_event (self, gst_event_new_eos ());
  } else if (ret == GST_FLOW_NOT_LINKED || ret < GST_FLOW_EOS) {
    if (ret != GST_FLOW_ERROR)
      GST_ELEMENT_FLOW_ERROR (self, ret);
    push_event (self, gst_event_new_eos ());
  }
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
  g_cond_broadcast (&self->stop_cond);
  g_mutex_unlock (&self->stop_lock);
  if (active) {
    return gst_pad_start_task (pad, (GstTaskFunction) gst_tiff_dec_loop, self,
        NULL);
  }
  return gst_pad_stop_task (pad);
}

/* ---- push mode: collect until EOS --------------------------------------- */

static GstFlowReturn
gst_tiff_dec_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  GstTiffDec *self = GST_TIFF_DEC (parent);

  gst_adapter_push (self->adapter, buf);
  return GST_FLOW_OK;
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
      return push_event (self, event);
    case GST_EVENT_EOS:{
      gsize avail = gst_adapter_available (self->adapter);

      if (avail > 0) {
        GstBuffer *file = gst_adapter_take_buffer (self->adapter, avail);

        gst_tiff_dec_decode (self, file);
        gst_buffer_unref (file);
      } else {
        gchar *name = input_name (self);

        GST_ELEMENT_ERROR (self, STREAM, DECODE, ("TIFF file %s is empty",
                name), (NULL));
        g_free (name);
      }
      return push_event (self, event);
    }
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

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    gst_adapter_clear (self->adapter);
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
   * n / framerate.  0/1 marks the pages as still images.
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
}
