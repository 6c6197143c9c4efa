/* gst-blockwise: the blockdrift element
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:element-blockdrift
 * @title: blockdrift
 *
 * Watches one camera for drift, traces the drift and, when asked, outputs
 * the registered (drift-corrected) stream.  Every frame is compared with a
 * reference frame by the same analysis as blockcorr's (per-block Pearson
 * correlation, the displacement search, background and verdict; the
 * analysis properties are blockcorr's, see its documentation): with
 * #GstBlockDrift:reference `first` the first frame after the start, a
 * flushing seek, a caps change or #GstBlockDrift::reset-reference, with
 * `previous` the frame before.  The reference is a copy, so an upstream
 * buffer pool never runs dry while it is held; the reference frame itself
 * is analysed against itself and its motion is the identity.
 *
 * The inputs are GRAY8, GRAY16_LE, GRAY16_BE, I420, YV12, NV12, NV21,
 * Y42B and Y444; the luma plane is analysed.
 *
 * ## Motion, trajectory and correction
 *
 * From the displacements of the informative blocks a robust fit (a shift,
 * or an affine transform with #GstBlockDrift:correct `affine`; blocks that
 * move on their own are rejected as outliers) gives the frame's motion
 * against its reference.  With `previous`, the motions add up, composed,
 * to the trajectory: the motion against the first frame.
 *
 * #GstBlockDrift:correct `none` (the default) passes the frames through
 * untouched, in place.  `shift` and `affine` resample every plane of the
 * frame through the trajectory (Keys' cubic convolution, in the stream's
 * own format and depth; a whole-pixel shift copies samples exactly), so
 * that the output lies on the first frame; #GstBlockDrift:border says what
 * fills the uncovered edge.  A frame in which no motion is found (no
 * texture, or the blocks disagree) passes unchanged, and its `correction`
 * field says `none`.  The frame analysed is the frame output: no latency
 * is added.
 *
 * With #GstBlockDrift:output `heatmap` the element outputs blockcorr's
 * heatmap of each frame against its reference instead of the frames
 * (#GstBlockCorr:measure, #GstBlockCorr:colormap, #GstBlockCorr:output-size
 * and the range properties as in blockcorr).
 *
 * ## Metadata and messages
 *
 * Every output buffer carries a GstCustomMeta named "GstBlockCorrMeta"
 * with the grids and the fields of the message below, as blockcorr's (the
 * reference is input 0: `mean-0`, `pts-0`; the frame input 1).  With
 * #GstBlockCorr:post-messages, an element message named "blockdrift" per
 * frame with blockcorr's fields (`frame`, `pts-0` (the reference frame's),
 * `pts-1`, `cols`, `rows`, ..., `verdict`, `shift-x`, `shift-y`,
 * `regions`, `largest-regions`, `median-outside-regions`, and
 * `timestamp`, `stream-time`, `running-time`, `duration` as the level
 * element gives them), and:
 *
 * * #gboolean `motion-found`: enough informative blocks agreed on a motion
 * * #gdouble `motion-x`, `motion-y`: the frame's motion against its
 *   reference at the frame's centre, px (0 when none was found)
 * * #gdouble `drift-x`, `drift-y`: the motion against the first frame at
 *   the frame's centre, px: the trajectory (equal to the motion with
 *   `reference=first`)
 * * #GstValueArray `motion`, `trajectory`: the 6 coefficients m of each
 *   transform, x' = m0 + m1 x + m2 y, y' = m3 + m4 x + m5 y, in luma pixels
 *   (pixel centres on integers): where a point of the reference is in the
 *   frame
 * * #gchararray `correction`: what was applied to the output frame:
 *   `none`, `shift` or `affine`
 *
 * ## Drift alarm
 *
 * With #GstBlockDrift:alarm-frames N, N bad frames in a row (verdict
 * `needs-registration`, or more than #GstBlockDrift:alarm-fraction of the
 * blocks below #GstBlockCorr:threshold) post one element message
 * "blockcorr-alarm" with `state` = `raised`, and N good ones one with
 * `state` = `cleared`.  Every `raised` is followed by exactly one
 * `cleared`: switching the alarm off (alarm-frames=0) or stopping the
 * element (to READY or NULL) while it is raised posts the `cleared` at
 * once.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 -m videotestsrc num-buffers=60 pattern=zone-plate kx2=12 ky2=20 kxy=8 kx=20 horizontal-speed=1 \
 *     ! video/x-raw,format=GRAY8,width=640,height=480,framerate=30/1 \
 *   ! blockdrift reference=previous search-radius=2 alarm-frames=3 ! fakesink
 * ]| Watches a drifting stream against its previous frames, prints the
 * drift of every frame and posts a blockcorr-alarm message once the drift
 * has lasted three frames.
 * |[
 * gst-launch-1.0 videotestsrc is-live=true pattern=zone-plate kx2=12 ky2=20 kxy=8 kx=20 horizontal-speed=1 \
 *     ! video/x-raw,format=GRAY8,width=640,height=480,framerate=30/1 \
 *   ! blockdrift reference=previous correct=shift ! videoconvert ! autovideosink
 * ]| Shows the stream registered on its first frame: the moving pattern
 * stands still.
 * |[
 * gst-launch-1.0 videotestsrc is-live=true pattern=zone-plate kx2=12 ky2=20 kxy=8 kx=20 horizontal-speed=1 \
 *     ! video/x-raw,format=GRAY8,width=640,height=480,framerate=30/1 \
 *   ! blockdrift output=heatmap measure=shift output-size=input ! videoconvert ! autovideosink
 * ]| Shows the displacement of every block against the first frame.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "gstblockdrift.h"
#include "gstblockdriftwarp.h"
#include "gstblockcorrheatmap.h"
#include "gstblockcorrmeta.h"
#include "gstblockcorrsettings.h"

GST_DEBUG_CATEGORY_STATIC (gst_blockdrift_debug);
#define GST_CAT_DEFAULT gst_blockdrift_debug

#define DEFAULT_REFERENCE GST_BLOCKDRIFT_REFERENCE_FIRST
#define DEFAULT_CORRECT GST_BLOCKDRIFT_CORRECT_NONE
#define DEFAULT_BORDER GST_BLOCKDRIFT_BORDER_EDGE
#define DEFAULT_FILL 0
#define DEFAULT_OUTPUT GST_BLOCKDRIFT_OUTPUT_FRAMES
#define DEFAULT_ALARM_FRAMES 0
#define DEFAULT_ALARM_FRACTION 1.0

enum
{
  PROP_REFERENCE = GST_BLOCKCORR_N_SHARED_PROPS,
  PROP_CORRECT,
  PROP_BORDER,
  PROP_FILL,
  PROP_OUTPUT,
  PROP_ALARM_FRAMES,
  PROP_ALARM_FRACTION
};

enum
{
  SIGNAL_RESET_REFERENCE,
  N_SIGNALS
};

#define FRAME_FORMATS "{ GRAY8, GRAY16_LE, GRAY16_BE, I420, YV12, NV12, NV21, Y42B, Y444 }"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (FRAME_FORMATS)));

/* The heatmap's formats first: caps are intersected with the template in
 * its order, and a heatmap is preferably drawn in colour. */
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (GST_BLOCKCORR_HEATMAP_FORMATS) ";"
        GST_VIDEO_CAPS_MAKE (FRAME_FORMATS)));

#define gst_blockdrift_parent_class parent_class
G_DEFINE_TYPE (GstBlockDrift, gst_blockdrift, GST_TYPE_VIDEO_FILTER);

static guint signals[N_SIGNALS];

/* Registers the meta with the element, so it exists whenever the element
 * does (applications look it up by name). */
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (blockdrift, "blockdrift",
    GST_RANK_NONE, GST_TYPE_BLOCKDRIFT, gst_blockcorr_meta_register ());

/* The properties of one frame, copied under the object lock. */
typedef struct
{
  GstBlockCorrSettings s;
  GstBlockDriftReference reference;
  GstBlockDriftCorrect correct;
  GstBlockDriftBorder border;
  guint fill;
  GstBlockDriftOutput output;
  gboolean reset;
} FrameSettings;

/* In place (the frames untouched) when nothing is written to them, else a
 * new output buffer.  Never GstBaseTransform's passthrough: the meta is
 * added to every buffer, which needs it writable. */
static void
gst_blockdrift_update_mode (GstBlockDrift * self)
{
  gboolean in_place;

  GST_OBJECT_LOCK (self);
  in_place = self->output == GST_BLOCKDRIFT_OUTPUT_FRAMES
      && self->correct == GST_BLOCKDRIFT_CORRECT_NONE;
  GST_OBJECT_UNLOCK (self);
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), in_place);
}

/* ---- the drift alarm ---------------------------------------------------- */

/* Posts the alarm's new state.  With alarm_lock. */
static void
gst_blockdrift_post_alarm (GstBlockDrift * self, const gchar * reason,
    const GstStructure * summary)
{
  GST_INFO_OBJECT (self, "alarm %s (%s) at frame %" G_GUINT64_FORMAT,
      self->alarm.raised ? "raised" : "cleared", reason, self->alarm_frame);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self),
          gst_blockcorr_alarm_structure (self->alarm.raised, reason,
              self->alarm_frame, self->alarm_running_time, summary)));
}

/* Resets the alarm, and when it was raised posts that it is cleared: every
 * raised gets its cleared, also when the state is dropped without a good
 * frame (the alarm switched off, the element stopped). */
static void
gst_blockdrift_drop_alarm (GstBlockDrift * self, const gchar * reason)
{
  g_rec_mutex_lock (&self->alarm_lock);
  if (gst_blockcorr_alarm_drop (&self->alarm))
    gst_blockdrift_post_alarm (self, reason, NULL);
  g_rec_mutex_unlock (&self->alarm_lock);
}

/* Feeds the frame of buf (index frame, summary st) to the alarm and posts
 * its new state when it changes. */
static void
gst_blockdrift_update_alarm (GstBlockDrift * self, GstBuffer * buf,
    guint64 frame, const BwSummary * summary, const GstStructure * st)
{
  GstSegment *seg = &GST_BASE_TRANSFORM (self)->segment;
  GstBlockCorrFrameState state;
  guint frames;
  gdouble fraction;

  g_rec_mutex_lock (&self->alarm_lock);
  /* The values of now, not of the frame's start: an alarm switched off
   * meanwhile (and dropped by that) must not be raised again. */
  GST_OBJECT_LOCK (self);
  frames = self->alarm_frames;
  fraction = self->alarm_fraction;
  GST_OBJECT_UNLOCK (self);
  if (frames == 0) {
    gst_blockdrift_drop_alarm (self, GST_BLOCKCORR_ALARM_REASON_OFF);
    g_rec_mutex_unlock (&self->alarm_lock);
    return;
  }
  self->alarm_frame = frame;
  self->alarm_running_time = gst_segment_to_running_time (seg,
      GST_FORMAT_TIME, GST_BUFFER_PTS (buf));
  state = gst_blockcorr_alarm_judge (summary, fraction);
  if (gst_blockcorr_alarm_update (&self->alarm, frames, state))
    gst_blockdrift_post_alarm (self, GST_BLOCKCORR_ALARM_REASON_FRAMES, st);
  g_rec_mutex_unlock (&self->alarm_lock);
}

/* ---- properties --------------------------------------------------------- */

static void
gst_blockdrift_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstBlockDrift *self = GST_BLOCKDRIFT (object);
  GstBlockCorrSettingResult result;
  gboolean alarm_off = FALSE, mode = FALSE, refused_output = FALSE;
  gchar *refusal = NULL;

  GST_OBJECT_LOCK (self);
  result = gst_blockcorr_settings_set (&self->settings, prop_id, value, pspec,
      self->frame_width, self->frame_height, &refusal);
  if (result == GST_BLOCKCORR_SETTING_NOT_SHARED) {
    result = GST_BLOCKCORR_SETTING_HANDLED;
    switch (prop_id) {
      case PROP_REFERENCE:
        if (self->reference != (GstBlockDriftReference) g_value_get_enum
            (value))
          self->ref_reset = TRUE;
        self->reference = g_value_get_enum (value);
        break;
      case PROP_CORRECT:
        self->correct = g_value_get_enum (value);
        mode = TRUE;
        break;
      case PROP_BORDER:
        self->border = g_value_get_enum (value);
        break;
      case PROP_FILL:
        self->fill = g_value_get_uint (value);
        break;
      case PROP_OUTPUT:
        /* What the element outputs decides its caps: not while running. */
        if (GST_STATE (self) > GST_STATE_READY
            || GST_STATE_PENDING (self) > GST_STATE_READY) {
          refused_output = TRUE;
          break;
        }
        self->output = g_value_get_enum (value);
        mode = TRUE;
        break;
      case PROP_ALARM_FRAMES:
        self->alarm_frames = g_value_get_uint (value);
        alarm_off = self->alarm_frames == 0;
        break;
      case PROP_ALARM_FRACTION:
        self->alarm_fraction = g_value_get_double (value);
        break;
      default:
        result = GST_BLOCKCORR_SETTING_NOT_SHARED;
        break;
    }
  }
  GST_OBJECT_UNLOCK (self);

  if (result == GST_BLOCKCORR_SETTING_NOT_SHARED)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  else if (result == GST_BLOCKCORR_SETTING_REFUSED)
    gst_blockcorr_settings_warn_refused (GST_ELEMENT (self), pspec, refusal);
  else if (refused_output)
    GST_ELEMENT_WARNING (self, LIBRARY, SETTINGS,
        ("output can only be changed in the NULL or READY state"),
        ("output stays as it was"));
  /* The heatmap's size follows the grid: renegotiate at the next frame. */
  else if (result == GST_BLOCKCORR_SETTING_RENEGOTIATE)
    gst_base_transform_reconfigure_src (GST_BASE_TRANSFORM (self));
  if (mode) {
    gst_blockdrift_update_mode (self);
    gst_base_transform_reconfigure_src (GST_BASE_TRANSFORM (self));
  }
  if (alarm_off)
    gst_blockdrift_drop_alarm (self, GST_BLOCKCORR_ALARM_REASON_OFF);
}

static void
gst_blockdrift_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstBlockDrift *self = GST_BLOCKDRIFT (object);

  GST_OBJECT_LOCK (self);
  if (gst_blockcorr_settings_get (&self->settings, prop_id, value)) {
    GST_OBJECT_UNLOCK (self);
    return;
  }
  switch (prop_id) {
    case PROP_REFERENCE:
      g_value_set_enum (value, self->reference);
      break;
    case PROP_CORRECT:
      g_value_set_enum (value, self->correct);
      break;
    case PROP_BORDER:
      g_value_set_enum (value, self->border);
      break;
    case PROP_FILL:
      g_value_set_uint (value, self->fill);
      break;
    case PROP_OUTPUT:
      g_value_set_enum (value, self->output);
      break;
    case PROP_ALARM_FRAMES:
      g_value_set_uint (value, self->alarm_frames);
      break;
    case PROP_ALARM_FRACTION:
      g_value_set_double (value, self->alarm_fraction);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_blockdrift_reset_reference (GstBlockDrift * self)
{
  GST_OBJECT_LOCK (self);
  self->ref_reset = TRUE;
  GST_OBJECT_UNLOCK (self);
}

/* ---- caps --------------------------------------------------------------- */

static GstBlockDriftOutput
gst_blockdrift_output (GstBlockDrift * self)
{
  GstBlockDriftOutput output;

  GST_OBJECT_LOCK (self);
  output = self->output;
  GST_OBJECT_UNLOCK (self);
  return output;
}

static GstCaps *
gst_blockdrift_transform_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * filter)
{
  GstBlockDrift *self = GST_BLOCKDRIFT (trans);
  GstCaps *ret, *frames;

  frames = gst_static_pad_template_get_caps (&sink_template);
  if (gst_blockdrift_output (self) == GST_BLOCKDRIFT_OUTPUT_FRAMES) {
    /* The frames as they came, in any of the formats analysed. */
    ret = gst_caps_intersect (caps, frames);
  } else if (direction == GST_PAD_SINK) {
    /* Any heatmap; its size and rate are fixed from the input's. */
    ret = gst_caps_from_string (GST_VIDEO_CAPS_MAKE
        (GST_BLOCKCORR_HEATMAP_FORMATS));
  } else {
    ret = gst_caps_ref (frames);
  }
  gst_caps_unref (frames);
  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, ret,
        GST_CAPS_INTERSECT_FIRST);

    gst_caps_unref (ret);
    ret = tmp;
  }
  GST_LOG_OBJECT (self, "%s %" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT,
      direction == GST_PAD_SINK ? "sink" : "src", caps, ret);
  return ret;
}

static GstCaps *
gst_blockdrift_fixate_caps (GstBaseTransform * trans,
    GstPadDirection direction, GstCaps * caps, GstCaps * othercaps)
{
  GstBlockDrift *self = GST_BLOCKDRIFT (trans);
  GstBlockCorrSettings s;
  GstVideoInfo in;
  BwGeometry geom;
  guint cols, rows, i;
  gint w, h, par_n, par_d;

  if (direction != GST_PAD_SINK
      || gst_blockdrift_output (self) != GST_BLOCKDRIFT_OUTPUT_HEATMAP
      || !gst_video_info_from_caps (&in, caps))
    return GST_BASE_TRANSFORM_CLASS (parent_class)->fixate_caps (trans,
        direction, caps, othercaps);

  GST_OBJECT_LOCK (self);
  s = self->settings;
  GST_OBJECT_UNLOCK (self);
  w = GST_VIDEO_INFO_WIDTH (&in);
  h = GST_VIDEO_INFO_HEIGHT (&in);
  par_n = GST_VIDEO_INFO_PAR_N (&in);
  par_d = GST_VIDEO_INFO_PAR_D (&in);
  geom = bw_params_geometry (&s.params, w, h);
  /* One square pixel per block.  With no block in the frame set_info()
   * posts the error. */
  if (s.output_size == GST_BLOCKCORR_OUTPUT_SIZE_GRID
      && bw_geometry_grid_size (&geom, &cols, &rows) && cols && rows) {
    w = cols;
    h = rows;
    par_n = par_d = 1;
  }
  othercaps = gst_caps_make_writable (othercaps);
  for (i = 0; i < gst_caps_get_size (othercaps); i++) {
    GstStructure *st = gst_caps_get_structure (othercaps, i);

    gst_structure_set (st, "width", G_TYPE_INT, w, "height", G_TYPE_INT, h,
        "framerate", GST_TYPE_FRACTION, GST_VIDEO_INFO_FPS_N (&in),
        GST_VIDEO_INFO_FPS_D (&in), "pixel-aspect-ratio", GST_TYPE_FRACTION,
        par_n, par_d, NULL);
    gst_structure_remove_fields (st, "colorimetry", "chroma-site", NULL);
  }
  return gst_caps_fixate (othercaps);
}

static gboolean
gst_blockdrift_set_info (GstVideoFilter * filter, GstCaps * incaps,
    GstVideoInfo * in_info, GstCaps * outcaps, GstVideoInfo * out_info)
{
  GstBlockDrift *self = GST_BLOCKDRIFT (filter);
  BwGeometry geom;
  guint cols, rows;

  GST_OBJECT_LOCK (self);
  geom = bw_params_geometry (&self->settings.params,
      GST_VIDEO_INFO_WIDTH (in_info), GST_VIDEO_INFO_HEIGHT (in_info));
  GST_OBJECT_UNLOCK (self);
  if (!bw_geometry_grid_size (&geom, &cols, &rows) || !cols || !rows) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("Block size %ux%u is larger than the frame size %dx%d",
            geom.block_width, geom.block_height,
            GST_VIDEO_INFO_WIDTH (in_info), GST_VIDEO_INFO_HEIGHT (in_info)),
        ("With edge-mode=trim no block fits; use smaller blocks or "
            "edge-mode=partial"));
    return FALSE;
  }
  GST_OBJECT_LOCK (self);
  self->frame_width = GST_VIDEO_INFO_WIDTH (in_info);
  self->frame_height = GST_VIDEO_INFO_HEIGHT (in_info);
  GST_OBJECT_UNLOCK (self);
  gst_blockdrift_update_mode (self);
  GST_DEBUG_OBJECT (self, "grid %ux%u, %" GST_PTR_FORMAT " -> %"
      GST_PTR_FORMAT, cols, rows, incaps, outcaps);
  return TRUE;
}

/* ---- frames ------------------------------------------------------------- */

static void
gst_blockdrift_frame_settings (GstBlockDrift * self, FrameSettings * fs)
{
  GST_OBJECT_LOCK (self);
  fs->s = self->settings;
  fs->reference = self->reference;
  fs->correct = self->correct;
  fs->border = self->border;
  fs->fill = self->fill;
  fs->output = self->output;
  fs->reset = self->ref_reset;
  self->ref_reset = FALSE;
  GST_OBJECT_UNLOCK (self);
}

/* Keeps a copy of buf (info) as the reference. */
static void
gst_blockdrift_store_reference (GstBlockDrift * self, GstBuffer * buf,
    const GstVideoInfo * info)
{
  gst_clear_buffer (&self->ref_buffer);
  self->ref_buffer = gst_buffer_copy_deep (buf);
  self->ref_info = *info;
  self->ref_pts = GST_BUFFER_PTS (buf);
}

static void
transform_value (const BwTransform * t, GValue * out)
{
  guint i;

  g_value_init (out, GST_TYPE_ARRAY);
  for (i = 0; i < 6; i++) {
    GValue v = G_VALUE_INIT;

    g_value_init (&v, G_TYPE_DOUBLE);
    g_value_set_double (&v, t->m[i]);
    gst_value_array_append_and_take_value (out, &v);
  }
}

/* The fields blockdrift adds to blockcorr's summary. */
static void
add_motion_fields (GstStructure * st, const GstVideoInfo * info,
    gboolean found, const BwTransform * motion,
    const BwTransform * trajectory, const gchar * correction)
{
  gdouble cx = (GST_VIDEO_INFO_WIDTH (info) - 1) / 2.0;
  gdouble cy = (GST_VIDEO_INFO_HEIGHT (info) - 1) / 2.0;
  gdouble mx, my, tx, ty;
  GValue v = G_VALUE_INIT;

  bw_transform_apply (motion, cx, cy, &mx, &my);
  bw_transform_apply (trajectory, cx, cy, &tx, &ty);
  gst_structure_set (st, "motion-found", G_TYPE_BOOLEAN, found,
      "motion-x", G_TYPE_DOUBLE, mx - cx, "motion-y", G_TYPE_DOUBLE, my - cy,
      "drift-x", G_TYPE_DOUBLE, tx - cx, "drift-y", G_TYPE_DOUBLE, ty - cy,
      "correction", G_TYPE_STRING, correction, NULL);
  transform_value (motion, &v);
  gst_structure_take_value (st, "motion", &v);
  transform_value (trajectory, &v);
  gst_structure_take_value (st, "trajectory", &v);
}

static void
gst_blockdrift_post_message (GstBlockDrift * self, GstBuffer * buf,
    GstStructure * st)
{
  GstSegment *seg = &GST_BASE_TRANSFORM (self)->segment;
  GstClockTime ts = GST_BUFFER_PTS (buf);

  /* The same timing fields as the level element posts. */
  gst_structure_set (st,
      "timestamp", G_TYPE_UINT64, (guint64) ts,
      "stream-time", G_TYPE_UINT64,
      (guint64) gst_segment_to_stream_time (seg, GST_FORMAT_TIME, ts),
      "running-time", G_TYPE_UINT64,
      (guint64) gst_segment_to_running_time (seg, GST_FORMAT_TIME, ts),
      "duration", G_TYPE_UINT64, (guint64) GST_BUFFER_DURATION (buf), NULL);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), st));
}

/* The motion of the frame analysed into grids, and the trajectory it
 * continues.  is_reference: the frame is its own reference. */
static void
gst_blockdrift_track (GstBlockDrift * self, const FrameSettings * fs,
    gboolean is_reference, guint width, guint height, GBytes * grids,
    guint cols, guint rows, BwMotionFit * fit)
{
  const gfloat *g = g_bytes_get_data (grids, NULL);
  const gsize n = (gsize) cols * rows;

  if (is_reference) {
    memset (fit, 0, sizeof (*fit));
    fit->found = TRUE;
    bw_transform_identity (&fit->motion);
    bw_transform_identity (&self->trajectory);
    return;
  }
  if (!bw_motion_fit (fs->correct == GST_BLOCKDRIFT_CORRECT_AFFINE ?
          BW_MOTION_AFFINE : BW_MOTION_SHIFT, &fs->s.params, width, height,
          g, (const guint8 *) (g + BW_N_GRIDS * n), fit)) {
    memset (fit, 0, sizeof (*fit));
    bw_transform_identity (&fit->motion);
  }
  if (!fit->found)
    bw_transform_identity (&fit->motion);
  bw_trajectory_step (fs->reference == GST_BLOCKDRIFT_REFERENCE_PREVIOUS,
      fit, &self->trajectory);
}

/* Posts an element error when a component's rows, as the frame's video
 * meta places them, reach outside the buffer's memory. */
static gboolean
gst_blockdrift_check_memory (GstBlockDrift * self, const GstVideoFrame * in)
{
  guint c;

  for (c = 0; c < GST_VIDEO_FRAME_N_COMPONENTS (in); c++) {
    gint64 first, last;
    gsize have;

    if (gst_blockcorr_component_within_memory (in, c, &first, &last, &have))
      continue;
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("Input buffer is smaller than its video meta says"),
        ("component %u: %d rows of %d samples with stride %d need bytes %"
            G_GINT64_FORMAT " to %" G_GINT64_FORMAT " of the memory, which "
            "has %" G_GSIZE_FORMAT, c, GST_VIDEO_FRAME_COMP_HEIGHT (in, c),
            GST_VIDEO_FRAME_COMP_WIDTH (in, c),
            GST_VIDEO_FRAME_COMP_STRIDE (in, c), first, last, have));
    return FALSE;
  }
  return TRUE;
}

/* Analyses the frame in (of buffer inbuf) against the reference, writes
 * out (NULL: in place, the frame untouched) and puts the meta on outbuf. */
static GstFlowReturn
gst_blockdrift_process (GstBlockDrift * self, GstVideoFrame * in,
    GstVideoFrame * out)
{
  GstBuffer *inbuf = in->buffer;
  GstBuffer *outbuf = out ? out->buffer : inbuf;
  FrameSettings fs;
  GstVideoFrame ref;
  GstBlockCorrPair pair;
  BwSummary summary;
  BwMotionFit fit;
  GstStructure *st;
  GBytes *grids;
  BwGeometry geom;
  guint cols, rows;
  gboolean is_reference = FALSE, heatmap;
  const gchar *correction = "none";

  gst_blockdrift_frame_settings (self, &fs);
  heatmap = fs.output == GST_BLOCKDRIFT_OUTPUT_HEATMAP;
  if (!gst_blockdrift_check_memory (self, in))
    return GST_FLOW_ERROR;

  if (GST_BUFFER_FLAG_IS_SET (inbuf, GST_BUFFER_FLAG_GAP)) {
    /* Nothing to analyse: the frame passes as it is, no heatmap. */
    GST_DEBUG_OBJECT (self, "gap at %" GST_TIME_FORMAT,
        GST_TIME_ARGS (GST_BUFFER_PTS (inbuf)));
    /* A new reference asked for is the next frame with content. */
    if (fs.reset) {
      GST_OBJECT_LOCK (self);
      self->ref_reset = TRUE;
      GST_OBJECT_UNLOCK (self);
    }
    if (heatmap)
      return GST_BASE_TRANSFORM_FLOW_DROPPED;
    if (out)
      gst_video_frame_copy (out, in);
    return GST_FLOW_OK;
  }

  if (fs.reset || !self->ref_buffer
      || !gst_video_info_is_equal (&self->ref_info, &in->info)) {
    GST_DEBUG_OBJECT (self, "new reference frame at %" GST_TIME_FORMAT,
        GST_TIME_ARGS (GST_BUFFER_PTS (inbuf)));
    gst_blockdrift_store_reference (self, inbuf, &in->info);
    is_reference = TRUE;
  }
  if (!gst_video_frame_map (&ref, &self->ref_info, self->ref_buffer,
          GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED,
        ("Could not map the reference frame"), (NULL));
    return GST_FLOW_ERROR;
  }

  pair.width = GST_VIDEO_FRAME_WIDTH (in);
  pair.height = GST_VIDEO_FRAME_HEIGHT (in);
  pair.planes[0].data = GST_VIDEO_FRAME_COMP_DATA (&ref, 0);
  pair.planes[0].stride = GST_VIDEO_FRAME_COMP_STRIDE (&ref, 0);
  pair.planes[1].data = GST_VIDEO_FRAME_COMP_DATA (in, 0);
  pair.planes[1].stride = GST_VIDEO_FRAME_COMP_STRIDE (in, 0);
  pair.planes[0].format = pair.planes[1].format =
      gst_blockcorr_sample_format (GST_VIDEO_FRAME_FORMAT (in));
  pair.max_value[0] = pair.max_value[1] =
      pair.planes[0].format == BW_SAMPLE_U8 ? 255 : 65535;
  geom = bw_params_geometry (&fs.s.params, pair.width, pair.height);
  if (!bw_geometry_grid_size (&geom, &cols, &rows))
    cols = rows = 0;

  GST_LOG_OBJECT (self, "frame %" G_GUINT64_FORMAT, self->frame_count);
  grids = gst_blockcorr_analysis_run (self->analysis, &fs.s, &pair,
      heatmap ? out : NULL, &summary);
  gst_video_frame_unmap (&ref);
  if (!grids) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not analyse the frame"),
        ("invalid geometry %ux%u, blocks %ux%u", pair.width, pair.height,
            fs.s.params.block_width, fs.s.params.block_height));
    return GST_FLOW_ERROR;
  }

  gst_blockdrift_track (self, &fs, is_reference, pair.width, pair.height,
      grids, cols, rows, &fit);

  if (out && !heatmap) {
    if (fs.correct != GST_BLOCKDRIFT_CORRECT_NONE && fit.found) {
      BwTransform t;

      bw_transform_correction (&self->trajectory, &t);
      if (!gst_blockdrift_warp_frame (&t, in, out, (BwBorder) fs.border,
              fs.fill)) {
        GST_ELEMENT_ERROR (self, STREAM, FAILED,
            ("Could not resample the frame"), ("format %s, %ux%u",
                GST_VIDEO_INFO_NAME (&in->info), pair.width, pair.height));
        g_bytes_unref (grids);
        return GST_FLOW_ERROR;
      }
      correction = fs.correct == GST_BLOCKDRIFT_CORRECT_AFFINE ? "affine" :
          "shift";
    } else {
      gst_video_frame_copy (out, in);
    }
  }

  st = gst_blockcorr_summary_structure ("blockdrift", self->frame_count,
      self->ref_pts, GST_BUFFER_PTS (inbuf), cols, rows, &fs.s, &summary);
  add_motion_fields (st, &in->info, fit.found, &fit.motion,
      &self->trajectory, correction);
  gst_blockcorr_meta_add (outbuf, st, grids, (gsize) cols * rows);
  g_bytes_unref (grids);
  gst_blockdrift_update_alarm (self, outbuf, self->frame_count, &summary, st);
  self->frame_count++;
  if (fs.s.post_messages)
    gst_blockdrift_post_message (self, outbuf, st);
  else
    gst_structure_free (st);

  /* previous: this (raw) frame is the next one's reference, when its
   * place is known; otherwise the next frame is measured against the last
   * frame that was placed, so that no step of the drift is lost. */
  if (fs.reference == GST_BLOCKDRIFT_REFERENCE_PREVIOUS && !is_reference
      && fit.found)
    gst_blockdrift_store_reference (self, inbuf, &in->info);
  return GST_FLOW_OK;
}

static GstFlowReturn
gst_blockdrift_transform_frame (GstVideoFilter * filter,
    GstVideoFrame * in, GstVideoFrame * out)
{
  return gst_blockdrift_process (GST_BLOCKDRIFT (filter), in, out);
}

/* In place (correct=none): the frame is mapped for reading only, so its
 * memory is never copied or written. */
static GstFlowReturn
gst_blockdrift_transform_ip (GstBaseTransform * trans, GstBuffer * buf)
{
  GstVideoFilter *filter = GST_VIDEO_FILTER (trans);
  GstVideoFrame frame;
  GstFlowReturn ret;

  if (!filter->negotiated) {
    GST_ELEMENT_ERROR (trans, CORE, NOT_IMPLEMENTED, (NULL),
        ("unknown format"));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  /* Without a reference of its own, so the buffer stays writable for the
   * meta. */
  if (!gst_video_frame_map (&frame, &filter->in_info, buf,
          GST_MAP_READ | GST_VIDEO_FRAME_MAP_FLAG_NO_REF)) {
    GST_ELEMENT_ERROR (trans, STREAM, FORMAT,
        ("Input buffer is smaller than its caps say"),
        ("buffer of %" G_GSIZE_FORMAT " bytes, caps need %" G_GSIZE_FORMAT
            " bytes for %dx%d %s", gst_buffer_get_size (buf),
            GST_VIDEO_INFO_SIZE (&filter->in_info),
            GST_VIDEO_INFO_WIDTH (&filter->in_info),
            GST_VIDEO_INFO_HEIGHT (&filter->in_info),
            GST_VIDEO_INFO_NAME (&filter->in_info)));
    return GST_FLOW_ERROR;
  }
  ret = gst_blockdrift_process (GST_BLOCKDRIFT (trans), &frame, NULL);
  gst_video_frame_unmap (&frame);
  return ret;
}

/* An upstream GstBlockCorrMeta describes another analysis: only this
 * element's goes on the output. */
static gboolean
gst_blockdrift_transform_meta (GstBaseTransform * trans, GstBuffer * outbuf,
    GstMeta * meta, GstBuffer * inbuf)
{
  if (gst_meta_info_is_custom (meta->info)
      && gst_custom_meta_has_name ((GstCustomMeta *) meta,
          GST_BLOCKCORR_META_NAME))
    return FALSE;
  return GST_BASE_TRANSFORM_CLASS (parent_class)->transform_meta (trans,
      outbuf, meta, inbuf);
}

static gboolean
gst_blockdrift_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  /* After a flushing seek the next frame is the new reference. */
  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP)
    gst_blockdrift_reset_reference (GST_BLOCKDRIFT (trans));
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

/* ---- lifecycle ---------------------------------------------------------- */

static gboolean
gst_blockdrift_start (GstBaseTransform * trans)
{
  GstBlockDrift *self = GST_BLOCKDRIFT (trans);

  self->frame_count = 0;
  bw_transform_identity (&self->trajectory);
  g_rec_mutex_lock (&self->alarm_lock);
  gst_blockcorr_alarm_reset (&self->alarm);
  self->alarm_frame = 0;
  self->alarm_running_time = GST_CLOCK_TIME_NONE;
  g_rec_mutex_unlock (&self->alarm_lock);
  GST_OBJECT_LOCK (self);
  self->frame_width = self->frame_height = 0;
  self->ref_reset = TRUE;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static gboolean
gst_blockdrift_stop (GstBaseTransform * trans)
{
  GstBlockDrift *self = GST_BLOCKDRIFT (trans);

  /* The next start begins with the alarm down: tell the application. */
  gst_blockdrift_drop_alarm (self, GST_BLOCKCORR_ALARM_REASON_STOPPED);
  gst_blockcorr_analysis_reset (self->analysis);
  gst_clear_buffer (&self->ref_buffer);
  return TRUE;
}

static void
gst_blockdrift_finalize (GObject * object)
{
  GstBlockDrift *self = GST_BLOCKDRIFT (object);

  gst_blockcorr_analysis_free (self->analysis);
  gst_clear_buffer (&self->ref_buffer);
  g_rec_mutex_clear (&self->alarm_lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_blockdrift_class_init (GstBlockDriftClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING;

  GST_DEBUG_CATEGORY_INIT (gst_blockdrift_debug, "blockdrift", 0,
      "Drift of one video stream against its first or previous frame");

  gobject_class->set_property = gst_blockdrift_set_property;
  gobject_class->get_property = gst_blockdrift_get_property;
  gobject_class->finalize = gst_blockdrift_finalize;

  gst_blockcorr_settings_install (gobject_class, "blockdrift");

  /**
   * GstBlockDrift:reference:
   *
   * What each frame is compared with: `first`, the first frame after the
   * start, a flushing seek, a caps change or
   * #GstBlockDrift::reset-reference; or `previous`, the frame before (its
   * raw, uncorrected copy), the motions composed into the trajectory.  A
   * new value takes the next frame as the reference.
   */
  g_object_class_install_property (gobject_class, PROP_REFERENCE,
      g_param_spec_enum ("reference", "Reference",
          "What each frame is compared with: the first frame (after start, "
          "seek, caps change or reset-reference) or the frame before",
          GST_TYPE_BLOCKDRIFT_REFERENCE, DEFAULT_REFERENCE, flags));
  /**
   * GstBlockDrift:correct:
   *
   * The correction of the output frames: `none` passes them through
   * untouched (in place); `shift` moves each frame back by its drift (a
   * translation, to a fraction of a pixel); `affine` maps it back by a
   * robust affine fit (rotation, scale, shear and shift; blocks that move
   * on their own are outliers).  Every plane is resampled with Keys' cubic
   * convolution in the stream's format and depth.  A frame with no motion
   * found passes unchanged (`correction` = `none`).
   */
  g_object_class_install_property (gobject_class, PROP_CORRECT,
      g_param_spec_enum ("correct", "Correct",
          "Correction of the output frames: none (untouched, in place), "
          "shift (moved back by the drift) or affine (a robust affine fit)",
          GST_TYPE_BLOCKDRIFT_CORRECT, DEFAULT_CORRECT, flags));
  /**
   * GstBlockDrift:border:
   *
   * What a corrected frame shows where its content moved out: `edge`
   * repeats the nearest edge pixel, `constant` draws #GstBlockDrift:fill.
   */
  g_object_class_install_property (gobject_class, PROP_BORDER,
      g_param_spec_enum ("border", "Border",
          "What a corrected frame shows where its content moved out: the "
          "nearest edge pixel, or the fill value",
          GST_TYPE_BLOCKDRIFT_BORDER, DEFAULT_BORDER, flags));
  /**
   * GstBlockDrift:fill:
   *
   * The value of the uncovered pixels with `border=constant`, in sample
   * units of the luma or gray plane (clamped to 255 for 8-bit formats);
   * chroma planes get their neutral middle (128), no colour.
   */
  g_object_class_install_property (gobject_class, PROP_FILL,
      g_param_spec_uint ("fill", "Fill",
          "Value of uncovered pixels with border=constant, in sample units "
          "(clamped to 255 for 8-bit formats; chroma gets 128)", 0, 65535,
          DEFAULT_FILL, flags));
  /**
   * GstBlockDrift:output:
   *
   * What the element outputs: the `frames` (corrected as
   * #GstBlockDrift:correct says), or the `heatmap` of each frame against
   * its reference, drawn as blockcorr draws it (#GstBlockCorr:measure,
   * #GstBlockCorr:colormap, #GstBlockCorr:output-size, the range
   * properties).
   */
  g_object_class_install_property (gobject_class, PROP_OUTPUT,
      g_param_spec_enum ("output", "Output",
          "What the element outputs: the frames, or the heatmap of each "
          "frame against its reference (measure, colormap, output-size)",
          GST_TYPE_BLOCKDRIFT_OUTPUT, DEFAULT_OUTPUT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstBlockDrift:alarm-frames:
   *
   * Drift alarm: when this many frames in a row are bad (verdict
   * `needs-registration`, or more than #GstBlockDrift:alarm-fraction of the
   * valid blocks below #GstBlockCorr:threshold), post one element message
   * `blockcorr-alarm` with `state` = `raised`; when this many frames in a
   * row are good again, one with `state` = `cleared`.  Frames with nothing
   * to compare (`no-texture`) count neither way.  0 turns the alarm off.
   *
   * Every `raised` is followed by exactly one `cleared`.  Switching the
   * alarm off while it is raised posts its `cleared` at once (`reason`
   * `alarm-off`), and so does stopping the element, to READY or NULL
   * (`reason` `stopped`): it starts again with the alarm down.  A raised
   * alarm stays raised through changes of #GstBlockDrift:alarm-frames to
   * another non-zero value or of #GstBlockDrift:alarm-fraction,
   * #GstBlockDrift::reset-reference, flushing seeks and caps changes, until
   * N good frames clear it.
   *
   * Fields: #gchararray `state` (`raised` or `cleared`), #gchararray
   * `reason` (`frames`: N frames in a row changed it; `alarm-off`,
   * `stopped`), #guint64 `frame` and `running-time` (of the frame that
   * changed the state, or for `alarm-off` and `stopped` of the last frame
   * judged), and for `reason` `frames` that frame's `verdict`,
   * `below-threshold`, `shift-x`, `shift-y`, `regions`, `largest-regions`.
   */
  g_object_class_install_property (gobject_class, PROP_ALARM_FRAMES,
      g_param_spec_uint ("alarm-frames", "Alarm frames",
          "Bad (or good) frames in a row that raise (or clear) the drift "
          "alarm, a blockcorr-alarm message (0 = off)", 0, G_MAXUINT,
          DEFAULT_ALARM_FRAMES, flags));
  /**
   * GstBlockDrift:alarm-fraction:
   *
   * A frame is also bad for the alarm when more than this fraction of its
   * valid blocks have r below #GstBlockCorr:threshold; 1 (the default)
   * leaves the alarm to the verdict alone.
   */
  g_object_class_install_property (gobject_class, PROP_ALARM_FRACTION,
      g_param_spec_double ("alarm-fraction", "Alarm fraction",
          "Fraction of valid blocks below threshold that makes a frame bad "
          "for the alarm (1 = the verdict alone decides)", 0.0, 1.0,
          DEFAULT_ALARM_FRACTION, flags));

  /**
   * GstBlockDrift::reset-reference:
   * @blockdrift: the element
   *
   * Action signal: the next frame becomes the reference, and the
   * trajectory starts again from it (after re-focusing or moving the stage
   * on purpose).
   */
  signals[SIGNAL_RESET_REFERENCE] = g_signal_new_class_handler
      ("reset-reference", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_blockdrift_reset_reference), NULL, NULL, NULL,
      G_TYPE_NONE, 0);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Block drift", "Filter/Analyzer/Video",
      "Drift of one grayscale or YUV video stream against its first or "
      "previous frame, from blockcorr's per-block analysis: a "
      "GstBlockCorrMeta on every buffer, a \"blockdrift\" message per frame "
      "with the drift and its trajectory, a drift alarm, and the frames "
      "corrected for the drift (or the heatmap)", "gst-blockwise developers");

  trans_class->transform_caps =
      GST_DEBUG_FUNCPTR (gst_blockdrift_transform_caps);
  trans_class->fixate_caps = GST_DEBUG_FUNCPTR (gst_blockdrift_fixate_caps);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_blockdrift_transform_ip);
  trans_class->transform_meta =
      GST_DEBUG_FUNCPTR (gst_blockdrift_transform_meta);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_blockdrift_sink_event);
  trans_class->start = GST_DEBUG_FUNCPTR (gst_blockdrift_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_blockdrift_stop);
  trans_class->transform_ip_on_passthrough = FALSE;

  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_blockdrift_set_info);
  filter_class->transform_frame =
      GST_DEBUG_FUNCPTR (gst_blockdrift_transform_frame);

  gst_type_mark_as_plugin_api (GST_TYPE_BLOCKDRIFT_REFERENCE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_BLOCKDRIFT_CORRECT, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_BLOCKDRIFT_BORDER, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_BLOCKDRIFT_OUTPUT, 0);
}

static void
gst_blockdrift_init (GstBlockDrift * self)
{
  gst_blockcorr_settings_init (&self->settings);
  self->reference = DEFAULT_REFERENCE;
  self->correct = DEFAULT_CORRECT;
  self->border = DEFAULT_BORDER;
  self->fill = DEFAULT_FILL;
  self->output = DEFAULT_OUTPUT;
  self->alarm_frames = DEFAULT_ALARM_FRAMES;
  self->alarm_fraction = DEFAULT_ALARM_FRACTION;
  self->ref_pts = GST_CLOCK_TIME_NONE;
  self->alarm_running_time = GST_CLOCK_TIME_NONE;
  self->analysis = gst_blockcorr_analysis_new ();
  bw_transform_identity (&self->trajectory);
  g_rec_mutex_init (&self->alarm_lock);
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
  /* Every frame is analysed: a late one is not dropped. */
  gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self), FALSE);
}
