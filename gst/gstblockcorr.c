/* gst-blockwise: the blockcorr element
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:element-blockcorr
 * @title: blockcorr
 *
 * Answers "do these two images need registering (aligning), and where?"
 * for a pair of grayscale frames or two live streams.  blockcorr has exactly
 * two inputs: `sink_0`, the reference, and `sink_1`, the compared image.  It
 * splits both frames into blocks (16x16 pixels by default) and computes per
 * block, from exact integer sums, the means, standard deviations, covariance
 * and the Pearson correlation r.  A single whole-image coefficient hides
 * local misalignment; a grid of r shows where it is.
 *
 * The inputs are GRAY8, GRAY16_LE, GRAY16_BE or the luma plane of I420,
 * YV12, NV12, NV21, Y42B and Y444, analysed as they are (no conversion);
 * both must have the same width and height.  Either input may change its
 * format or size mid-stream: the output is renegotiated at the first frame
 * with the new caps, and inputs left with two sizes are an error.  Frames
 * are paired by running time; inputs without a frame rate are paired frame
 * by frame.  A block is invalid when either input has zero variance in it,
 * or when it is darker than #GstBlockCorr:min-intensity in both inputs; r
 * is NaN there, while the means, standard deviations and covariance are
 * defined for every block.  The heatmap draws #GstBlockCorr:invalid-color
 * where the shown measure is NaN, and background blocks (darker than
 * min-intensity, or, when it is estimated, noise only at any brightness)
 * in that colour darkened to half.
 * A GAP on an input gives no output for that pair.
 *
 * ## Where and how far
 *
 * With #GstBlockCorr:search-radius R > 0, the frame's global shift is found
 * first (coarse to fine, up to a quarter of the frame's smaller side), and
 * every block is compared with the compared input's window moved by every
 * whole-pixel offset up to R in x and y around it; the offset with the
 * highest r, and a sub-pixel estimate around it (a quadratic surface fitted
 * to r at the peak and its eight neighbours, refined by window deformation
 * where the peak is signal), give the block's displacement (`dx`, `dy`: the
 * compared input's content lies dx to the right and dy below the
 * reference's).  Offsets whose window would leave the frame are not tried.
 * Every r is still formed from exact integer sums.  From the grids the
 * element forms a verdict per frame: the median displacement of the blocks
 * that clearly correlate (`shift-x`, `shift-y`; the whole compared input is
 * shifted when it is at least #GstBlockCorr:shift-tolerance long), and
 * regions of blocks whose displacement differs from it by more than noise
 * explains, or which match nowhere within R although their texture is well
 * above the frame's noise (#GstBlockCorr:min-region-blocks of them at
 * least).  Background blocks (#GstBlockCorr:min-intensity, or -1 to
 * estimate it per frame) count for nothing.  Without a search the regions
 * are those whose r is far below the frame's median.
 *
 * ## Heatmap
 *
 * The output video shows the chosen #GstBlockCorr:measure through
 * #GstBlockCorr:colormap, one pixel per block (`output-size=grid`) or at
 * the input size (`output-size=input`).
 *
 * ## Metadata
 *
 * Every output buffer carries a GstCustomMeta named "GstBlockCorrMeta"
 * (`gst_buffer_get_custom_meta (buf, "GstBlockCorrMeta")`, then
 * gst_custom_meta_get_structure()) with the fields of the message below
 * (without the timing fields) and the grids, each a #GBytes of rows x cols
 * native-endian float32, row-major (r is NaN where the block is invalid):
 *
 * * `r`: Pearson correlation
 * * `covariance`: covariance of the two inputs
 * * `mean-0`, `mean-1`: means of the reference and of the compared input
 * * `stddev-0`, `stddev-1`: their (population) standard deviations
 * * `dx`, `dy`: the displacement found by the search, px (0 without one;
 *   NaN where no offset gave a valid r, or the block is background)
 * * `r-best`: r at the best whole-pixel offset (r without a search)
 *
 * and `background-mask`, a #GBytes of rows x cols bytes, 1 where the block
 * is background (it counts for nothing), else 0.
 *
 * ## Messages
 *
 * With #GstBlockCorr:post-messages, an element message named "blockcorr"
 * per output frame:
 *
 * * #guint64 `frame`: index of the output since the element started
 * * #guint64 `pts-0`, `pts-1`: PTS of the two paired input buffers
 * * #guint `cols`, `rows`: grid size in blocks
 * * #guint `block-width`, `block-height`: block size used
 * * #guint `valid`, `invalid`: numbers of valid and invalid blocks
 * * #gdouble `mean`, `min`, `max`, `median`: of r over the valid blocks
 *   (NaN when there are none)
 * * #gdouble `below-threshold`: fraction of the valid blocks whose r is
 *   below `threshold`
 * * #gdouble `threshold`: #GstBlockCorr:threshold
 * * #guint `background`: blocks that are background
 * * #gdouble `min-intensity-0`, `min-intensity-1`: the background levels
 *   used (NaN when an estimate found no background)
 * * #guint `search-radius`: #GstBlockCorr:search-radius
 * * #guint `informative`: blocks that took part in the verdict
 * * #gchararray `verdict`: `registered`, `needs-registration` or
 *   `no-texture` (too few informative blocks)
 * * #gdouble `shift-x`, `shift-y`: median displacement, px (NaN without a
 *   search)
 * * #gboolean `shifted`: that median counts as a shift of the whole input
 * * #gboolean `shift-at-limit`: the shift may be larger than `shift-x`,
 *   `shift-y`: the coarse estimate of the global shift (which the search
 *   is centred on) lay on the bound of its range, a quarter of the frame's
 *   smaller side, or none was found and most blocks' displacements reached
 *   the search radius
 * * #guint `regions`: displaced or unmatched regions found
 * * #GstValueArray `largest-regions`: the largest regions (at most 8),
 *   largest first, as "region" structures with #guint `x`, `y`, `width`,
 *   `height` (pixels), `blocks`, `unmatched`, #gdouble `median-r`,
 *   `shift-x`, `shift-y` (NaN when no block of it matches within the
 *   radius) and #gboolean `at-radius` (the displacement reached the radius)
 * * #guint64 `timestamp`, `stream-time`, `running-time`, `duration`: of the
 *   output buffer, as the level element gives them
 *
 * Reading the grid r of each output in C:
 * |[<!-- language="C" -->
 * static GstPadProbeReturn
 * on_output (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
 * {
 *   GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
 *   GstCustomMeta *meta = gst_buffer_get_custom_meta (buf, "GstBlockCorrMeta");
 *   const GstStructure *s = gst_custom_meta_get_structure (meta);
 *   guint cols, rows;
 *   gsize size;
 *   GBytes *grid;
 *   const gfloat *r;
 *
 *   gst_structure_get (s, "cols", G_TYPE_UINT, &cols, "rows", G_TYPE_UINT,
 *       &rows, "r", G_TYPE_BYTES, &grid, NULL);
 *   r = g_bytes_get_data (grid, &size);
 *   g_print ("r of the top-left block: %f (%u x %u blocks)\n", r[0], cols,
 *       rows);
 *   g_bytes_unref (grid);
 *   return GST_PAD_PROBE_OK;
 * }
 * ]|
 * (tests/examples/read-meta.c is a complete program.)
 *
 * ## One camera: reference frames and drift alarms
 *
 * With only `sink_0` requested and #GstBlockCorr:reference set to `first`
 * or `previous`, every frame is compared with a copy of the first frame
 * (after the start, a flushing seek or #GstBlockCorr::reset-reference) or
 * of the frame before it; `pts-0` is then the reference frame's PTS.  With
 * #GstBlockCorr:alarm-frames N, N bad frames in a row (verdict
 * `needs-registration`, or more than #GstBlockCorr:alarm-fraction of the
 * blocks below #GstBlockCorr:threshold) post one element message
 * "blockcorr-alarm" with `state` = `raised`, and N good ones one with
 * `state` = `cleared`.  Every `raised` is followed by exactly one `cleared`:
 * switching the alarm off (alarm-frames=0) or stopping the element (to
 * READY or NULL) while it is raised posts the `cleared` at once.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 blockcorr name=c output-size=input ! videoconvert ! pngenc ! filesink location=heatmap.png \
 *   filesrc location=a.png ! pngdec ! c.sink_0  filesrc location=b.png ! pngdec ! c.sink_1
 * ]| Writes the correlation heatmap of two 16-bit PNG images at their size.
 * |[
 * gst-launch-1.0 -m videotestsrc pattern=ball is-live=true ! video/x-raw,format=GRAY16_LE,width=640,height=480 ! tee name=t \
 *   t. ! queue ! c.sink_0  t. ! queue ! videoflip video-direction=horiz ! c.sink_1 \
 *   blockcorr name=c block-width=32 block-height=32 ! videoconvert ! autovideosink
 * ]| Shows a live heatmap and prints the per-frame summary messages.
 * |[
 * gst-launch-1.0 -m blockcorr name=c search-radius=2 min-intensity=-1 measure=shift output-size=input \
 *     ! videoconvert ! pngenc ! filesink location=shift.png \
 *   filesrc location=a.png ! pngdec ! c.sink_0  filesrc location=b.png ! pngdec ! c.sink_1
 * ]| Writes the displacement of every block of b.png (0 to 2 px, viridis) and
 * prints the verdict, the median shift and the displaced regions.
 * |[
 * gst-launch-1.0 -m videotestsrc num-buffers=60 pattern=zone-plate kx2=12 ky2=20 kxy=8 kx=20 horizontal-speed=1 \
 *     ! video/x-raw,format=GRAY8,width=640,height=480,framerate=30/1 \
 *   ! blockcorr reference=previous search-radius=2 alarm-frames=3 ! fakesink
 * ]| Watches one (drifting) stream against its previous frames and posts a
 * blockcorr-alarm message once the drift has lasted three frames.
 */

#include "config.h"

#include <math.h>

#include "gstblockcorr.h"
#include "gstblockcorranalysis.h"
#include "gstblockcorrheatmap.h"
#include "gstblockcorrmeta.h"
#include "worker.h"
#include "displacement.h"

GST_DEBUG_CATEGORY (gst_blockcorr_debug);
#define GST_CAT_DEFAULT gst_blockcorr_debug

#define DEFAULT_BLOCK_SIZE BW_DEFAULT_BLOCK_SIZE
#define DEFAULT_EDGE_MODE BW_DEFAULT_EDGE_MODE
#define DEFAULT_MEASURE GST_BLOCKCORR_MEASURE_PEARSON
#define DEFAULT_COLORMAP GST_BLOCKCORR_COLORMAP_AUTO
#define DEFAULT_INVALID_COLOR 0xffffffff
#define DEFAULT_MIN_INTENSITY BW_DEFAULT_MIN_INTENSITY
#define DEFAULT_THRESHOLD BW_DEFAULT_THRESHOLD
#define DEFAULT_N_THREADS BW_DEFAULT_N_THREADS
#define DEFAULT_POST_MESSAGES TRUE
#define DEFAULT_OUTPUT_SIZE GST_BLOCKCORR_OUTPUT_SIZE_GRID
#define DEFAULT_SEARCH_RADIUS BW_DEFAULT_SEARCH_RADIUS
#define DEFAULT_MIN_REGION_BLOCKS BW_DEFAULT_MIN_REGION_BLOCKS
#define DEFAULT_SHIFT_TOLERANCE BW_DEFAULT_SHIFT_TOLERANCE
#define DEFAULT_REFERENCE GST_BLOCKCORR_REFERENCE_PAD
#define DEFAULT_ALARM_FRAMES 0
#define DEFAULT_ALARM_FRACTION 1.0
#define MAX_THREADS BW_WORKER_MAX_THREADS

enum
{
  PROP_0,
  PROP_BLOCK_WIDTH,
  PROP_BLOCK_HEIGHT,
  PROP_EDGE_MODE,
  PROP_MEASURE,
  PROP_COLORMAP,
  PROP_RANGE_MIN,
  PROP_RANGE_MAX,
  PROP_INVALID_COLOR,
  PROP_MIN_INTENSITY,
  PROP_THRESHOLD,
  PROP_N_THREADS,
  PROP_POST_MESSAGES,
  PROP_OUTPUT_SIZE,
  PROP_SEARCH_RADIUS,
  PROP_MIN_REGION_BLOCKS,
  PROP_SHIFT_TOLERANCE,
  PROP_REFERENCE,
  PROP_ALARM_FRAMES,
  PROP_ALARM_FRACTION
};

enum
{
  SIGNAL_RESET_REFERENCE,
  N_SIGNALS
};

#define SINK_FORMATS "{ GRAY8, GRAY16_LE, GRAY16_BE, I420, YV12, NV12, NV21, Y42B, Y444 }"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink_%u",
    GST_PAD_SINK,
    GST_PAD_REQUEST,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (SINK_FORMATS)));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (GST_BLOCKCORR_HEATMAP_FORMATS)));

/* ---- element ------------------------------------------------------------ */

#define gst_blockcorr_parent_class parent_class
G_DEFINE_TYPE (GstBlockCorr, gst_blockcorr, GST_TYPE_VIDEO_AGGREGATOR);

static guint signals[N_SIGNALS];

/* Registers the meta with the element, so it exists whenever the element
 * does (applications look it up by name). */
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (blockcorr, "blockcorr", GST_RANK_NONE,
    GST_TYPE_BLOCKCORR, gst_blockcorr_meta_register ());

static void
gst_blockcorr_settings (GstBlockCorr * self, GstBlockCorrSettings * out)
{
  GST_OBJECT_LOCK (self);
  *out = self->settings;
  GST_OBJECT_UNLOCK (self);
}

static BwSampleFormat
sample_format (GstVideoFormat format)
{
  switch (format) {
    case GST_VIDEO_FORMAT_GRAY16_LE:
      return BW_SAMPLE_U16LE;
    case GST_VIDEO_FORMAT_GRAY16_BE:
      return BW_SAMPLE_U16BE;
    default:
      return BW_SAMPLE_U8;      /* GRAY8 and the luma plane of YUV formats */
  }
}

/* Whether the inputs the mode needs exist: sink_0 and sink_1, or sink_0
 * alone in the one-input modes.  With the object lock. */
static gboolean
inputs_exist (GstBlockCorr * self)
{
  if (self->settings.reference != GST_BLOCKCORR_REFERENCE_PAD)
    return self->sink_pads[0] != NULL;
  return self->sink_pads[0] && self->sink_pads[1];
}

/* Returns the two inputs (referenced): sink_0 and sink_1, or sink_0 twice
 * in the one-input modes (the reference frame is stored apart); FALSE when
 * one is missing. */
static gboolean
gst_blockcorr_get_pads (GstBlockCorr * self, GstVideoAggregatorPad * pads[2])
{
  gboolean ready;
  guint second;

  GST_OBJECT_LOCK (self);
  ready = inputs_exist (self);
  second = self->settings.reference == GST_BLOCKCORR_REFERENCE_PAD ? 1 : 0;
  pads[0] = ready ? gst_object_ref (self->sink_pads[0]) : NULL;
  pads[1] = ready ? gst_object_ref (self->sink_pads[second]) : NULL;
  GST_OBJECT_UNLOCK (self);
  return ready;
}

static void
gst_blockcorr_unref_pads (GstVideoAggregatorPad * pads[2])
{
  gst_clear_object (&pads[0]);
  gst_clear_object (&pads[1]);
}

static void
gst_blockcorr_mark_reconfigure (GstBlockCorr * self)
{
  gst_pad_mark_reconfigure (GST_AGGREGATOR_SRC_PAD (self));
}

/* Posts the alarm's new state.  With alarm_lock. */
static void
gst_blockcorr_post_alarm (GstBlockCorr * self, const gchar * reason,
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
gst_blockcorr_drop_alarm (GstBlockCorr * self, const gchar * reason)
{
  g_rec_mutex_lock (&self->alarm_lock);
  if (gst_blockcorr_alarm_drop (&self->alarm))
    gst_blockcorr_post_alarm (self, reason, NULL);
  g_rec_mutex_unlock (&self->alarm_lock);
}

/* Sets block-width, block-height or edge-mode (prop_id) to value, unless
 * then no block would fit in the frames the output is negotiated for: a
 * value that would stop the stream is refused as a value (FALSE).  Before
 * the first negotiation there is nothing to check against: the caps are
 * checked then.  With the object lock. */
static gboolean
gst_blockcorr_set_geometry (GstBlockCorr * self, guint prop_id,
    const GValue * value, gboolean * changed)
{
  GstBlockCorrSettings *s = &self->settings;
  BwGeometry geom = { self->frame_width, self->frame_height,
    s->params.block_width, s->params.block_height, s->params.edge_mode
  };
  guint cols, rows;

  if (prop_id == PROP_BLOCK_WIDTH)
    geom.block_width = g_value_get_uint (value);
  else if (prop_id == PROP_BLOCK_HEIGHT)
    geom.block_height = g_value_get_uint (value);
  else
    geom.edge_mode = g_value_get_enum (value);
  if (self->frame_width > 0 && !bw_geometry_grid_size (&geom, &cols, &rows))
    return FALSE;
  *changed = geom.block_width != s->params.block_width
      || geom.block_height != s->params.block_height
      || geom.edge_mode != s->params.edge_mode;
  s->params.block_width = geom.block_width;
  s->params.block_height = geom.block_height;
  s->params.edge_mode = geom.edge_mode;
  return TRUE;
}

/* The warning's text for a refused geometry value.  With the object
 * lock. */
static gchar *
gst_blockcorr_geometry_refusal (GstBlockCorr * self, GParamSpec * pspec,
    const GValue * value)
{
  const GstBlockCorrSettings *s = &self->settings;
  guint bw = s->params.block_width, bh = s->params.block_height;
  gchar *given, *text;

  if (G_VALUE_HOLDS_UINT (value)) {
    if (g_str_equal (pspec->name, "block-width"))
      bw = g_value_get_uint (value);
    else
      bh = g_value_get_uint (value);
    given = g_strdup_printf ("%u", g_value_get_uint (value));
  } else {
    GEnumValue *v = g_enum_get_value (G_PARAM_SPEC_ENUM (pspec)->enum_class,
        g_value_get_enum (value));

    given = g_strdup (v ? v->value_nick : "?");
  }
  text = g_strdup_printf ("%s=%s refused: no %ux%u block fits in the %dx%d "
      "frames with edge-mode=trim", pspec->name, given, bw, bh,
      self->frame_width, self->frame_height);
  g_free (given);
  return text;
}

static void
gst_blockcorr_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstBlockCorr *self = GST_BLOCKCORR (object);
  GstBlockCorrSettings *s = &self->settings;
  gboolean reconfigure = FALSE, alarm_off = FALSE;
  gint refused_reference = -1;
  gchar *refused = NULL;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_BLOCK_WIDTH:
    case PROP_BLOCK_HEIGHT:
    case PROP_EDGE_MODE:
      if (!gst_blockcorr_set_geometry (self, prop_id, value, &reconfigure))
        refused = gst_blockcorr_geometry_refusal (self, pspec, value);
      break;
    case PROP_MEASURE:
      s->measure = g_value_get_enum (value);
      break;
    case PROP_COLORMAP:
      s->colormap = g_value_get_enum (value);
      break;
    case PROP_RANGE_MIN:
      s->range_min = g_value_get_double (value);
      break;
    case PROP_RANGE_MAX:
      s->range_max = g_value_get_double (value);
      break;
    case PROP_INVALID_COLOR:
      s->invalid_color = g_value_get_uint (value);
      break;
    case PROP_MIN_INTENSITY:
      /* Every negative value asks for the estimate. */
      s->params.min_intensity = g_value_get_double (value) < 0 ? BW_AUTO :
          g_value_get_double (value);
      break;
    case PROP_THRESHOLD:
      s->params.threshold = g_value_get_double (value);
      break;
    case PROP_N_THREADS:
      s->params.n_threads = g_value_get_uint (value);
      break;
    case PROP_POST_MESSAGES:
      s->post_messages = g_value_get_boolean (value);
      break;
    case PROP_OUTPUT_SIZE:
      reconfigure = s->output_size !=
          (GstBlockCorrOutputSize) g_value_get_enum (value);
      s->output_size = g_value_get_enum (value);
      break;
    case PROP_SEARCH_RADIUS:
      s->params.search_radius = g_value_get_uint (value);
      break;
    case PROP_MIN_REGION_BLOCKS:
      s->params.min_region_blocks = g_value_get_uint (value);
      break;
    case PROP_SHIFT_TOLERANCE:
      s->params.shift_tolerance = g_value_get_double (value);
      break;
    case PROP_REFERENCE:{
      GstBlockCorrReference mode = g_value_get_enum (value);

      /* A one-input mode cannot use an existing sink_1. */
      if (mode != GST_BLOCKCORR_REFERENCE_PAD && self->sink_pads[1]) {
        refused_reference = mode;
        break;
      }
      if (mode != s->reference)
        self->ref_reset = TRUE;
      s->reference = mode;
      /* Wake the aggregate thread if it waited for sink_1. */
      g_cond_broadcast (&self->pads_cond);
      break;
    }
    case PROP_ALARM_FRAMES:
      s->alarm_frames = g_value_get_uint (value);
      alarm_off = s->alarm_frames == 0;
      break;
    case PROP_ALARM_FRACTION:
      s->alarm_fraction = g_value_get_double (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);

  if (refused_reference >= 0) {
    GEnumValue *v = g_enum_get_value (g_type_class_peek
        (GST_TYPE_BLOCKCORR_REFERENCE), refused_reference);

    GST_ELEMENT_WARNING (self, CORE, FAILED,
        ("reference=%s needs sink_1 released first", v ? v->value_nick : "?"),
        ("the one-input modes compare sink_0 with its own frames; release "
            "sink_1 (gst_element_release_request_pad) before choosing one; "
            "reference stays as it was"));
  }

  if (refused) {
    GST_ELEMENT_WARNING (self, CORE, FAILED, ("%s", refused),
        ("%s keeps its value; use a smaller block, or edge-mode=partial to "
            "analyse the frame as partial blocks", pspec->name));
    g_free (refused);
  }

  /* A new grid or output size takes effect at the next frame, through a
   * renegotiation of the output caps. */
  if (reconfigure)
    gst_blockcorr_mark_reconfigure (self);
  if (alarm_off)
    gst_blockcorr_drop_alarm (self, GST_BLOCKCORR_ALARM_REASON_OFF);
}

static void
gst_blockcorr_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstBlockCorr *self = GST_BLOCKCORR (object);
  GstBlockCorrSettings *s = &self->settings;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_BLOCK_WIDTH:
      g_value_set_uint (value, s->params.block_width);
      break;
    case PROP_BLOCK_HEIGHT:
      g_value_set_uint (value, s->params.block_height);
      break;
    case PROP_EDGE_MODE:
      g_value_set_enum (value, s->params.edge_mode);
      break;
    case PROP_MEASURE:
      g_value_set_enum (value, s->measure);
      break;
    case PROP_COLORMAP:
      g_value_set_enum (value, s->colormap);
      break;
    case PROP_RANGE_MIN:
      g_value_set_double (value, s->range_min);
      break;
    case PROP_RANGE_MAX:
      g_value_set_double (value, s->range_max);
      break;
    case PROP_INVALID_COLOR:
      g_value_set_uint (value, s->invalid_color);
      break;
    case PROP_MIN_INTENSITY:
      g_value_set_double (value, s->params.min_intensity);
      break;
    case PROP_THRESHOLD:
      g_value_set_double (value, s->params.threshold);
      break;
    case PROP_N_THREADS:
      g_value_set_uint (value, s->params.n_threads);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, s->post_messages);
      break;
    case PROP_OUTPUT_SIZE:
      g_value_set_enum (value, s->output_size);
      break;
    case PROP_SEARCH_RADIUS:
      g_value_set_uint (value, s->params.search_radius);
      break;
    case PROP_MIN_REGION_BLOCKS:
      g_value_set_uint (value, s->params.min_region_blocks);
      break;
    case PROP_SHIFT_TOLERANCE:
      g_value_set_double (value, s->params.shift_tolerance);
      break;
    case PROP_REFERENCE:
      g_value_set_enum (value, s->reference);
      break;
    case PROP_ALARM_FRAMES:
      g_value_set_uint (value, s->alarm_frames);
      break;
    case PROP_ALARM_FRACTION:
      g_value_set_double (value, s->alarm_fraction);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* ---- pads --------------------------------------------------------------- */

static GstPad *
gst_blockcorr_request_new_pad (GstElement * element, GstPadTemplate * templ,
    const gchar * req_name, const GstCaps * caps)
{
  GstBlockCorr *self = GST_BLOCKCORR (element);
  gboolean used[2], one_input;
  guint index = G_MAXUINT;
  gchar name[16];
  GstPad *pad = NULL;

  /* One request at a time: the check and the creation belong together. */
  g_mutex_lock (&self->request_lock);
  GST_OBJECT_LOCK (self);
  used[0] = self->sink_pads[0] != NULL;
  used[1] = self->sink_pads[1] != NULL;
  one_input = self->settings.reference != GST_BLOCKCORR_REFERENCE_PAD;
  GST_OBJECT_UNLOCK (self);
  if (one_input) {
    /* Only sink_0 exists in the one-input modes. */
    used[1] = TRUE;
    if (req_name && g_str_equal (req_name, "sink_1")) {
      GST_ELEMENT_WARNING (self, CORE, PAD, ("Cannot add pad sink_1 with "
              "reference=first or reference=previous"),
          ("those modes compare sink_0 with its own first or previous frame; "
              "set reference=pad to compare two inputs"));
      goto done;
    }
  }

  if (req_name) {
    if (g_str_equal (req_name, "sink_0"))
      index = 0;
    else if (g_str_equal (req_name, "sink_1"))
      index = 1;
    if (index > 1 || used[index]) {
      GST_ELEMENT_WARNING (self, CORE, PAD, ("Cannot add pad %s", req_name),
          ("blockcorr has exactly two inputs, sink_0 (reference) and sink_1 "
              "(compared)%s", index <= 1 ? ", and it is taken" : ""));
      goto done;
    }
  } else if (!used[0] || !used[1]) {
    index = used[0] ? 1 : 0;
  } else {
    GST_ELEMENT_WARNING (self, CORE, PAD, ("Cannot add a third input pad"),
        ("blockcorr has exactly two inputs, sink_0 (reference) and sink_1 "
            "(compared), and both exist"));
    goto done;
  }

  g_snprintf (name, sizeof (name), "sink_%u", index);
  pad = GST_ELEMENT_CLASS (parent_class)->request_new_pad (element, templ,
      name, caps);
  if (pad) {
    GST_OBJECT_LOCK (self);
    self->sink_pads[index] = GST_VIDEO_AGGREGATOR_PAD (pad);
    /* Wake the aggregate thread if it waits for this input. */
    g_cond_broadcast (&self->pads_cond);
    GST_OBJECT_UNLOCK (self);
  }
done:
  g_mutex_unlock (&self->request_lock);
  return pad;
}

static void
gst_blockcorr_release_pad (GstElement * element, GstPad * pad)
{
  GstBlockCorr *self = GST_BLOCKCORR (element);
  guint i;

  GST_OBJECT_LOCK (self);
  for (i = 0; i < 2; i++)
    if (self->sink_pads[i] == (GstVideoAggregatorPad *) pad)
      self->sink_pads[i] = NULL;
  GST_OBJECT_UNLOCK (self);
  GST_ELEMENT_CLASS (parent_class)->release_pad (element, pad);
}

static gboolean
gst_blockcorr_sink_query (GstAggregator * agg, GstAggregatorPad * bpad,
    GstQuery * query)
{
  switch (GST_QUERY_TYPE (query)) {
    case GST_QUERY_CAPS:{
      /* Inputs are analysed as they are: any supported format and size,
       * whatever the output is (the base class would derive them from it). */
      GstCaps *filter, *caps;

      gst_query_parse_caps (query, &filter);
      caps = gst_pad_get_pad_template_caps (GST_PAD (bpad));
      if (filter) {
        GstCaps *tmp = gst_caps_intersect_full (filter, caps,
            GST_CAPS_INTERSECT_FIRST);
        gst_caps_unref (caps);
        caps = tmp;
      }
      gst_query_set_caps_result (query, caps);
      gst_caps_unref (caps);
      return TRUE;
    }
    case GST_QUERY_ACCEPT_CAPS:{
      GstCaps *caps, *templ;

      gst_query_parse_accept_caps (query, &caps);
      templ = gst_pad_get_pad_template_caps (GST_PAD (bpad));
      gst_query_set_accept_caps_result (query,
          gst_caps_is_subset (caps, templ));
      gst_caps_unref (templ);
      return TRUE;
    }
    default:
      return GST_AGGREGATOR_CLASS (parent_class)->sink_query (agg, bpad, query);
  }
}

/* Whether a pad got its caps.  A new pad's info is all zero (no format
 * info at all), so look at the size.  With the object lock. */
static gboolean
pad_has_caps (GstVideoAggregatorPad * pad)
{
  return pad->info.finfo != NULL && GST_VIDEO_INFO_WIDTH (&pad->info) > 0;
}

/* The interlace mode of the other input's caps, or FALSE when it has none
 * yet. */
static gboolean
other_input_interlace_mode (GstBlockCorr * self, GstAggregatorPad * pad,
    GstVideoInterlaceMode * mode, gchar ** name)
{
  gboolean found = FALSE;
  GList *l;

  GST_OBJECT_LOCK (self);
  for (l = GST_ELEMENT (self)->sinkpads; l; l = l->next) {
    GstVideoAggregatorPad *other = l->data;

    if (l->data == (gpointer) pad || !pad_has_caps (other))
      continue;
    *mode = GST_VIDEO_INFO_INTERLACE_MODE (&other->info);
    *name = g_strdup (GST_PAD_NAME (other));
    found = TRUE;
  }
  GST_OBJECT_UNLOCK (self);
  return found;
}

/* Refuses, with an element error, input caps that cannot be analysed next
 * to the other input's.  Interlaced frames are analysed as stored (both
 * fields, line by line), but GstVideoAggregator requires both inputs to
 * have the same interlace mode.  (Frames of one field each, alternate, need
 * the format:Interlaced caps feature, which the pad template does not
 * have: they are refused at negotiation.) */
static gboolean
gst_blockcorr_check_input_caps (GstBlockCorr * self, GstAggregatorPad * pad,
    GstCaps * caps)
{
  GstVideoInfo info;
  GstVideoInterlaceMode other_mode;
  gchar *other = NULL;

  if (!gst_video_info_from_caps (&info, caps)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Invalid caps on %s", GST_PAD_NAME (pad)), ("%" GST_PTR_FORMAT, caps));
    return FALSE;
  }
  if (other_input_interlace_mode (self, pad, &other_mode, &other)
      && other_mode != GST_VIDEO_INFO_INTERLACE_MODE (&info)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("The two inputs differ in interlacing: %s is %s, %s is %s", other,
            gst_video_interlace_mode_to_string (other_mode),
            GST_PAD_NAME (pad),
            gst_video_interlace_mode_to_string (GST_VIDEO_INFO_INTERLACE_MODE
                (&info))),
        ("blockcorr analyses frames as stored and needs both inputs in the "
            "same interlace mode; deinterlace the interlaced input "
            "(deinterlace) or give both the same mode"));
    g_free (other);
    return FALSE;
  }
  g_free (other);
  return TRUE;
}

static gboolean
gst_blockcorr_sink_event (GstAggregator * agg, GstAggregatorPad * pad,
    GstEvent * event)
{
  GstBlockCorr *self = GST_BLOCKCORR (agg);
  GstCaps *caps;
  gboolean ret;

  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP) {
    /* After a flushing seek the next frame is the new reference. */
    GST_OBJECT_LOCK (self);
    self->ref_reset = TRUE;
    GST_OBJECT_UNLOCK (self);
  }
  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_AGGREGATOR_CLASS (parent_class)->sink_event (agg, pad, event);

  /* Caps refused here would leave the pad without caps while its buffers
   * wait: an output that can never be negotiated.  Post the reason, and
   * let the output fail to negotiate instead of waiting for ever. */
  gst_event_parse_caps (event, &caps);
  if (!gst_blockcorr_check_input_caps (self, pad, caps)) {
    gst_event_unref (event);
    ret = FALSE;
  } else {
    gst_caps_ref (caps);
    ret = GST_AGGREGATOR_CLASS (parent_class)->sink_event (agg, pad, event);
    if (!ret)
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
          ("Caps on %s were refused", GST_PAD_NAME (pad)),
          ("%" GST_PTR_FORMAT, caps));
    gst_caps_unref (caps);
  }
  if (!ret) {
    g_atomic_int_set (&self->caps_refused, TRUE);
    gst_pad_mark_reconfigure (GST_AGGREGATOR_SRC_PAD (agg));
  }
  return ret;
}

static gboolean
gst_blockcorr_sink_query_pre_queue (GstAggregator * agg,
    GstAggregatorPad * bpad, GstQuery * query)
{
  /* ALLOCATION is serialized: the base class holds it until the buffers
   * queued on the pad are consumed.  When a tee feeds both inputs (as after
   * a reconfigure upstream), the tee sends it down both branches in turn;
   * the branch held here blocks the tee, which starves the other input, so
   * the queued buffer is never consumed: a deadlock.  The answer does not
   * depend on the queued buffers, so give it now. */
  if (GST_QUERY_TYPE (query) == GST_QUERY_ALLOCATION)
    return GST_AGGREGATOR_CLASS (parent_class)->sink_query (agg, bpad, query);
  return GST_AGGREGATOR_CLASS (parent_class)->sink_query_pre_queue (agg, bpad,
      query);
}

static GstBuffer *
gst_blockcorr_clip (GstAggregator * agg, GstAggregatorPad * bpad,
    GstBuffer * buffer)
{
  /* The base class pairs frames by running time and fails on a buffer
   * without a timestamp.  This runs under the element's object lock, so only
   * note the pad here; gst_blockcorr_aggregate() posts the error. */
  if (!GST_BUFFER_PTS_IS_VALID (buffer))
    g_atomic_int_set (&GST_BLOCKCORR (agg)->missing_pts_pad,
        g_str_equal (GST_PAD_NAME (bpad), "sink_1") ? 2 : 1);
  if (GST_AGGREGATOR_CLASS (parent_class)->clip)
    return GST_AGGREGATOR_CLASS (parent_class)->clip (agg, bpad, buffer);
  return buffer;
}

/* With one input missing, the base class finds the existing input ready and
 * calls aggregate again at once: wait until a pad is requested instead (at
 * most 100 ms at a time, so stopping or flushing is never held up for
 * longer). */
static void
gst_blockcorr_wait_for_inputs (GstBlockCorr * self)
{
  gint64 end = g_get_monotonic_time () + 100 * G_TIME_SPAN_MILLISECOND;

  GST_OBJECT_LOCK (self);
  if (!inputs_exist (self)) {
    GST_DEBUG_OBJECT (self, "waiting for the second input pad");
    g_cond_wait_until (&self->pads_cond, GST_OBJECT_GET_LOCK (self), end);
  }
  GST_OBJECT_UNLOCK (self);
}

/* Inputs without a frame rate: GstVideoAggregator gives every output the
 * segment start as timestamp and, when the buffers have durations, takes
 * the last pair again and again after EOS (its output never ends).  Moving
 * the output position to the end of the pair just analysed makes it drop
 * the pair once it is used, and end with the inputs. */
static void
gst_blockcorr_advance_vfr_position (GstBlockCorr * self)
{
  GstSegment *seg =
      &GST_AGGREGATOR_PAD (GST_AGGREGATOR_SRC_PAD (self))->segment;

  if (!GST_CLOCK_TIME_IS_VALID (self->vfr_pair_end))
    return;
  GST_OBJECT_LOCK (self);
  seg->position = gst_segment_position_from_running_time (seg,
      GST_FORMAT_TIME, self->vfr_pair_end);
  GST_OBJECT_UNLOCK (self);
  self->vfr_pair_end = GST_CLOCK_TIME_NONE;
}

/* In the one-input modes, whether sink_0 has no new frame.  A live
 * timeout would then make the base class produce an output anyway (the
 * last frame again) and move its output position ahead in real time, and
 * a camera whose timestamps lag behind would then have its frames dropped
 * as late: every camera frame is to be analysed once, when it arrives. */
static gboolean
gst_blockcorr_one_input_idle (GstBlockCorr * self)
{
  GstAggregatorPad *pad = NULL;
  gboolean idle;

  GST_OBJECT_LOCK (self);
  if (self->settings.reference != GST_BLOCKCORR_REFERENCE_PAD
      && self->sink_pads[0])
    pad = gst_object_ref (GST_AGGREGATOR_PAD (self->sink_pads[0]));
  GST_OBJECT_UNLOCK (self);
  if (!pad)
    return FALSE;
  idle = !gst_aggregator_pad_has_buffer (pad)
      && !gst_aggregator_pad_is_eos (pad);
  gst_object_unref (pad);
  return idle;
}

/* Whether the base class has just taken an input buffer with new caps: it
 * then marks the output for renegotiation and returns NEED_DATA without
 * aggregating (the output caps may no longer fit the frames it holds). */
static gboolean
gst_blockcorr_took_new_caps (GstBlockCorr * self)
{
  GstVideoAggregator *vagg = GST_VIDEO_AGGREGATOR (self);
  gboolean negotiated;

  GST_OBJECT_LOCK (self);
  negotiated = GST_VIDEO_INFO_FORMAT (&vagg->info) != GST_VIDEO_FORMAT_UNKNOWN;
  GST_OBJECT_UNLOCK (self);
  return negotiated
      && gst_pad_needs_reconfigure (GST_AGGREGATOR_SRC_PAD (self));
}

/* The base class renegotiates only at the top of its loop, after waiting
 * for a new buffer on every input: fed one pair at a time, the pair it took
 * would wait for the next one.  Negotiate now and aggregate the pair it
 * holds. */
static GstFlowReturn
gst_blockcorr_renegotiate_and_aggregate (GstBlockCorr * self, gboolean timeout)
{
  GstAggregator *agg = GST_AGGREGATOR (self);

  GST_DEBUG_OBJECT (self, "an input's caps changed: renegotiating");
  if (!gst_aggregator_negotiate (agg))
    return GST_PAD_IS_FLUSHING (agg->srcpad) ? GST_FLOW_FLUSHING :
        GST_FLOW_NOT_NEGOTIATED;
  return GST_AGGREGATOR_CLASS (parent_class)->aggregate (agg, timeout);
}

static GstFlowReturn
gst_blockcorr_aggregate (GstAggregator * agg, gboolean timeout)
{
  GstBlockCorr *self = GST_BLOCKCORR (agg);
  GstFlowReturn ret;
  gint pad;
  gboolean ready, waiting;

  GST_OBJECT_LOCK (self);
  ready = inputs_exist (self);
  waiting = !ready && self->sink_pads[0] && !self->warned_one_input;
  if (waiting)
    self->warned_one_input = TRUE;
  GST_OBJECT_UNLOCK (self);
  if (waiting)
    GST_ELEMENT_WARNING (self, STREAM, WRONG_TYPE,
        ("Only sink_0 is linked: waiting for sink_1"),
        ("reference=pad compares sink_1 with sink_0; link sink_1, or set "
            "reference=first or reference=previous to compare sink_0 with "
            "its own first or previous frame"));
  if (!ready) {
    gst_blockcorr_wait_for_inputs (self);
    return GST_AGGREGATOR_FLOW_NEED_DATA;
  }

  if (timeout && gst_blockcorr_one_input_idle (self))
    return GST_AGGREGATOR_FLOW_NEED_DATA;

  self->inputs_ended = FALSE;
  ret = GST_AGGREGATOR_CLASS (parent_class)->aggregate (agg, timeout);
  if (ret == GST_AGGREGATOR_FLOW_NEED_DATA
      && gst_blockcorr_took_new_caps (self))
    ret = gst_blockcorr_renegotiate_and_aggregate (self, timeout);
  gst_blockcorr_advance_vfr_position (self);
  if (ret == GST_FLOW_OK && self->inputs_ended)
    ret = GST_FLOW_EOS;
  pad = g_atomic_int_get (&self->missing_pts_pad);

  if (ret == GST_FLOW_ERROR && pad == 0)
    GST_WARNING_OBJECT (agg, "the base class returned an error");
  if (ret == GST_FLOW_ERROR && pad != 0) {
    GST_ELEMENT_ERROR (agg, STREAM, FORMAT,
        ("Input buffer on sink_%d has no timestamp", pad - 1),
        ("blockcorr pairs frames by running time; timestamp the input "
            "(for example with rawvideoparse, or do-timestamp=true on the "
            "source)"));
  }
  return ret;
}

/* ---- caps --------------------------------------------------------------- */

/* Checks that the inputs have the same size and the block grid is not
 * empty; posts an element error naming the sizes otherwise. */
static gboolean
gst_blockcorr_check_geometry (GstBlockCorr * self, gint w0, gint h0, gint w1,
    gint h1, const GstBlockCorrSettings * s, guint * cols, guint * rows)
{
  BwGeometry geom = { w0, h0, s->params.block_width, s->params.block_height,
    s->params.edge_mode
  };

  if (w0 != w1 || h0 != h1) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("The two inputs have different frame sizes: sink_0 is %dx%d, "
            "sink_1 is %dx%d", w0, h0, w1, h1),
        ("blockcorr compares frames pixel by pixel; scale or crop one input "
            "(videoscale, videocrop) to the other's size"));
    return FALSE;
  }
  if (!bw_geometry_grid_size (&geom, cols, rows)) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("Block size %ux%u is larger than the frame size %dx%d",
            s->params.block_width, s->params.block_height, w0, h0),
        ("With edge-mode=trim no block fits; use smaller blocks or "
            "edge-mode=partial"));
    return FALSE;
  }
  return TRUE;
}

/* Copies the video info of both inputs; FALSE until both pads exist and got
 * their caps. */
static gboolean
gst_blockcorr_input_infos (GstBlockCorr * self, GstVideoInfo * info0,
    GstVideoInfo * info1)
{
  GstVideoAggregatorPad *pads[2];
  gboolean ready;

  if (!gst_blockcorr_get_pads (self, pads))
    return FALSE;
  GST_OBJECT_LOCK (self);
  ready = pad_has_caps (pads[0]) && pad_has_caps (pads[1]);
  *info0 = pads[0]->info;
  *info1 = pads[1]->info;
  GST_OBJECT_UNLOCK (self);
  gst_blockcorr_unref_pads (pads);
  return ready;
}

/* Output caps for the inputs info0 and info1 within caps (what downstream
 * accepts): the grid or input size, the inputs' frame rate.  NULL, with an
 * element error, when the inputs differ in size or no block fits. */
static GstCaps *
gst_blockcorr_src_caps_for (GstBlockCorr * self, GstCaps * caps,
    const GstVideoInfo * info0, const GstVideoInfo * info1)
{
  GstBlockCorrSettings s;
  guint cols, rows, i;
  gint out_w, out_h, par_n = 1, par_d = 1;
  GstCaps *ret, *templ;

  gst_blockcorr_settings (self, &s);

  if (!gst_blockcorr_check_geometry (self, GST_VIDEO_INFO_WIDTH (info0),
          GST_VIDEO_INFO_HEIGHT (info0), GST_VIDEO_INFO_WIDTH (info1),
          GST_VIDEO_INFO_HEIGHT (info1), &s, &cols, &rows))
    return NULL;

  if (s.output_size == GST_BLOCKCORR_OUTPUT_SIZE_INPUT) {
    out_w = GST_VIDEO_INFO_WIDTH (info0);
    out_h = GST_VIDEO_INFO_HEIGHT (info0);
    par_n = GST_VIDEO_INFO_PAR_N (info0);
    par_d = GST_VIDEO_INFO_PAR_D (info0);
  } else {
    out_w = cols;
    out_h = rows;
  }

  templ = gst_pad_get_pad_template_caps (GST_AGGREGATOR_SRC_PAD (self));
  ret = gst_caps_intersect (caps, templ);
  gst_caps_unref (templ);
  ret = gst_caps_make_writable (ret);
  for (i = 0; i < gst_caps_get_size (ret); i++) {
    GstStructure *st = gst_caps_get_structure (ret, i);

    gst_structure_set (st, "width", G_TYPE_INT, out_w, "height", G_TYPE_INT,
        out_h, "framerate", GST_TYPE_FRACTION, GST_VIDEO_INFO_FPS_N (info0),
        GST_VIDEO_INFO_FPS_D (info0), "pixel-aspect-ratio",
        GST_TYPE_FRACTION, par_n, par_d, NULL);
    gst_structure_remove_fields (st, "colorimetry", "chroma-site", NULL);
    /* GstVideoAggregator refuses input caps whose interlace mode differs
     * from the output's, so the output keeps the inputs' mode (both have
     * the same, see gst_blockcorr_check_input_caps()). */
    if (GST_VIDEO_INFO_IS_INTERLACED (info0))
      gst_structure_set (st, "interlace-mode", G_TYPE_STRING,
          gst_video_interlace_mode_to_string (GST_VIDEO_INFO_INTERLACE_MODE
              (info0)), NULL);
  }
  GST_DEBUG_OBJECT (self, "grid %ux%u, output caps %" GST_PTR_FORMAT, cols,
      rows, ret);
  return ret;
}

/* Negotiation entry point: the caps are computed here from one snapshot of
 * both pads, so a pad released meanwhile cannot fail the negotiation; with
 * an input missing or without caps yet, wait for data. */
static GstFlowReturn
gst_blockcorr_update_src_caps (GstAggregator * agg, GstCaps * caps,
    GstCaps ** ret)
{
  GstBlockCorr *self = GST_BLOCKCORR (agg);
  GstVideoInfo info0, info1;

  /* An input whose caps were refused (the error is posted) never gets any:
   * waiting for them would spin on its queued buffers. */
  if (g_atomic_int_get (&self->caps_refused))
    return GST_FLOW_NOT_NEGOTIATED;
  if (!gst_blockcorr_input_infos (self, &info0, &info1)) {
    gst_pad_mark_reconfigure (agg->srcpad);
    return GST_AGGREGATOR_FLOW_NEED_DATA;
  }
  if (GST_VIDEO_INFO_FPS_N (&info0) * GST_VIDEO_INFO_FPS_D (&info1)
      != GST_VIDEO_INFO_FPS_N (&info1) * GST_VIDEO_INFO_FPS_D (&info0)) {
    if (!self->warned_rates)
      GST_ELEMENT_WARNING (self, STREAM, FORMAT,
          ("The inputs' frame rates differ: sink_0 %d/%d, sink_1 %d/%d",
              GST_VIDEO_INFO_FPS_N (&info0), GST_VIDEO_INFO_FPS_D (&info0),
              GST_VIDEO_INFO_FPS_N (&info1), GST_VIDEO_INFO_FPS_D (&info1)),
          ("frames are paired by running time at sink_0's rate: each output "
              "takes the frame of each input current at its time, so frames "
              "of the faster input are skipped and those of the slower one "
              "are used again; give both inputs one rate (videorate), or "
              "compare one stream with its own frames (reference=first)"));
    self->warned_rates = TRUE;
  } else {
    self->warned_rates = FALSE;
  }
  *ret = gst_blockcorr_src_caps_for (self, caps, &info0, &info1);
  if (!*ret)
    return GST_FLOW_NOT_NEGOTIATED;
  GST_OBJECT_LOCK (self);
  self->frame_width = GST_VIDEO_INFO_WIDTH (&info0);
  self->frame_height = GST_VIDEO_INFO_HEIGHT (&info0);
  GST_OBJECT_UNLOCK (self);
  return GST_FLOW_OK;
}

static GstCaps *
gst_blockcorr_fixate_src_caps (GstAggregator * agg, GstCaps * caps)
{
  /* update_src_caps fixed size and rate; the first format is downstream's
   * preference. */
  return gst_caps_fixate (caps);
}

static gboolean
gst_blockcorr_negotiated_src_caps (GstAggregator * agg, GstCaps * caps)
{
  GstVideoAggregator *vagg = GST_VIDEO_AGGREGATOR (agg);
  GstVideoInfo info;

  if (!gst_video_info_from_caps (&info, caps))
    return FALSE;
  if (GST_VIDEO_INFO_FPS_N (&info) != 0)
    return GST_AGGREGATOR_CLASS (parent_class)->negotiated_src_caps (agg, caps);

  /* Still images (framerate 0/1, as pngdec gives): the base class would
   * derive its latency from an undefined frame duration.  Do its work
   * without that. */
  GST_OBJECT_LOCK (vagg);
  vagg->info = info;
  GST_OBJECT_UNLOCK (vagg);
  gst_aggregator_set_src_caps (agg, caps);
  gst_aggregator_set_latency (agg, 0, 0);
  return TRUE;
}

/* ---- timing and frames ------------------------------------------------ */

/* Running time of a pad's current buffer: its start, and its end when the
 * buffer has a duration (else GST_CLOCK_TIME_NONE). */
static void
buffer_running_time (GstVideoAggregatorPad * pad, GstBuffer * buf,
    GstClockTime * start, GstClockTime * end)
{
  GstSegment *seg = &GST_AGGREGATOR_PAD (pad)->segment;

  GST_OBJECT_LOCK (pad);
  *start = gst_segment_to_running_time (seg, GST_FORMAT_TIME,
      GST_BUFFER_PTS (buf));
  *end = GST_BUFFER_DURATION_IS_VALID (buf) ?
      gst_segment_to_running_time (seg, GST_FORMAT_TIME,
      GST_BUFFER_PTS (buf) + GST_BUFFER_DURATION (buf)) : GST_CLOCK_TIME_NONE;
  GST_OBJECT_UNLOCK (pad);
}

/* Notes when the pair of current buffers starts and ends in running time:
 * from the later start to the earlier end.  Outputs for inputs without a
 * frame rate take their timestamps from it. */
static void
gst_blockcorr_note_pair_time (GstBlockCorr * self,
    GstVideoAggregatorPad * pads[2], GstBuffer * bufs[2])
{
  GstClockTime start = GST_CLOCK_TIME_NONE, end = GST_CLOCK_TIME_NONE;
  guint i;

  for (i = 0; i < 2; i++) {
    GstClockTime s, e;

    buffer_running_time (pads[i], bufs[i], &s, &e);
    if (GST_CLOCK_TIME_IS_VALID (s))
      start = GST_CLOCK_TIME_IS_VALID (start) ? MAX (start, s) : s;
    if (GST_CLOCK_TIME_IS_VALID (e))
      end = GST_CLOCK_TIME_IS_VALID (end) ? MIN (end, e) : e;
  }
  if (GST_CLOCK_TIME_IS_VALID (start) && GST_CLOCK_TIME_IS_VALID (end))
    end = MAX (start, end);
  self->pair_start = start;
  self->pair_end = end;
  if (GST_VIDEO_INFO_FPS_N (&GST_VIDEO_AGGREGATOR (self)->info) == 0)
    self->vfr_pair_end = end;
}

static GstFlowReturn
gst_blockcorr_create_output_buffer (GstVideoAggregator * vagg,
    GstBuffer ** outbuf)
{
  GstBlockCorr *self = GST_BLOCKCORR (vagg);
  GstVideoAggregatorPad *pads[2];
  GstBuffer *bufs[2];
  guint i;

  *outbuf = NULL;
  if (!gst_blockcorr_get_pads (self, pads))
    return GST_FLOW_OK;         /* nothing to pair yet */

  for (i = 0; i < 2; i++) {
    bufs[i] = gst_video_aggregator_pad_get_current_buffer (pads[i]);
    if (bufs[i])
      continue;
    if (gst_aggregator_pad_is_eos (GST_AGGREGATOR_PAD (pads[i]))) {
      /* Nothing more can be paired: gst_blockcorr_aggregate() ends the
       * output (an EOS from here would be logged as a failure). */
      GST_INFO_OBJECT (self, "%s ended, no more pairs", GST_PAD_NAME (pads[i]));
      self->inputs_ended = TRUE;
      gst_blockcorr_unref_pads (pads);
      return GST_FLOW_OK;
    }
    gst_blockcorr_unref_pads (pads);
    return GST_FLOW_OK;         /* no frame yet on this input (live start) */
  }
  gst_blockcorr_note_pair_time (self, pads, bufs);

  /* A video meta that describes another frame than the caps do would trip
   * an assertion when the base class maps the frame next. */
  for (i = 0; i < 2; i++) {
    GstVideoMeta *meta = gst_buffer_get_video_meta (bufs[i]);
    const GstVideoInfo *info = &pads[i]->info;

    if (meta && (meta->width < (guint) GST_VIDEO_INFO_WIDTH (info)
            || meta->height < (guint) GST_VIDEO_INFO_HEIGHT (info)
            || meta->format != GST_VIDEO_INFO_FORMAT (info))) {
      GST_ELEMENT_ERROR (self, STREAM, FORMAT,
          ("Input buffer on %s does not match its caps",
              GST_PAD_NAME (pads[i])),
          ("its video meta describes %ux%u %s, the caps %dx%d %s", meta->width,
              meta->height, gst_video_format_to_string (meta->format),
              GST_VIDEO_INFO_WIDTH (info), GST_VIDEO_INFO_HEIGHT (info),
              GST_VIDEO_INFO_NAME (info)));
      gst_blockcorr_unref_pads (pads);
      return GST_FLOW_ERROR;
    }
  }

  if (pads[0] == pads[1] && GST_CLOCK_TIME_IS_VALID (self->last_pts)
      && GST_BUFFER_PTS (bufs[0]) == self->last_pts) {
    /* One-input modes: the frame analysed last time, offered again because
     * the next one is late (live).  Compared with itself (previous) or
     * again (first), it would only repeat or falsify a result. */
    GST_LOG_OBJECT (self, "frame at %" GST_TIME_FORMAT " already analysed",
        GST_TIME_ARGS (self->last_pts));
    gst_blockcorr_unref_pads (pads);
    return GST_FLOW_OK;
  }
  for (i = 0; i < 2; i++) {
    if (GST_BUFFER_FLAG_IS_SET (bufs[i], GST_BUFFER_FLAG_GAP)) {
      /* A GAP event (a live source that missed a frame) or a buffer of
       * neutral content: nothing to analyse, so no output for this pair. */
      GST_DEBUG_OBJECT (self, "gap on %s at %" GST_TIME_FORMAT ", no output",
          GST_PAD_NAME (pads[i]), GST_TIME_ARGS (GST_BUFFER_PTS (bufs[i])));
      gst_blockcorr_unref_pads (pads);
      return GST_FLOW_OK;
    }
  }
  gst_blockcorr_unref_pads (pads);

  return GST_VIDEO_AGGREGATOR_CLASS (parent_class)->create_output_buffer
      (vagg, outbuf);
}

/* Checks that the rows of a mapped input's luma plane lie inside the memory
 * mapped for it: gst_video_frame_map() trusts a GstVideoMeta's offsets and
 * strides (GStreamer 1.22 does not check them against the buffer), so a
 * meta can point rows past the end of the buffer.  On failure, *first and
 * *last are the byte range the rows need and *size what is mapped. */
static gboolean
plane_within_memory (const GstVideoFrame * frame, gint64 * first,
    gint64 * last, gsize * size)
{
  guint plane = GST_VIDEO_FORMAT_INFO_PLANE (frame->info.finfo, 0);
  /* Without a meta the whole buffer is map[0]; with one, each plane maps
   * the memory holding it. */
  const GstMapInfo *map = frame->meta ? &frame->map[plane] : &frame->map[0];
  gint64 stride = GST_VIDEO_FRAME_COMP_STRIDE (frame, 0);
  gint64 rows = GST_VIDEO_FRAME_COMP_HEIGHT (frame, 0);
  gint64 row_bytes = (gint64) GST_VIDEO_FRAME_COMP_WIDTH (frame, 0) *
      GST_VIDEO_FRAME_COMP_PSTRIDE (frame, 0);
  gint64 offset = (const guint8 *) GST_VIDEO_FRAME_COMP_DATA (frame, 0) -
      map->data;
  gint64 span = stride * (rows - 1);

  /* Negative strides store the rows bottom-up: the last row comes first. */
  *first = offset + MIN (span, 0);
  *last = offset + MAX (span, 0) + row_bytes;
  *size = map->size;
  return *first >= 0 && *last <= (gint64) map->size;
}

static void
gst_blockcorr_post_message (GstBlockCorr * self, GstBuffer * outbuf,
    GstStructure * st)
{
  GstAggregator *agg = GST_AGGREGATOR (self);
  GstSegment *seg = &GST_AGGREGATOR_PAD (agg->srcpad)->segment;
  GstClockTime ts = GST_BUFFER_PTS (outbuf);

  /* The same timing fields as the level element posts. */
  gst_structure_set (st,
      "timestamp", G_TYPE_UINT64, (guint64) ts,
      "stream-time", G_TYPE_UINT64,
      (guint64) gst_segment_to_stream_time (seg, GST_FORMAT_TIME, ts),
      "running-time", G_TYPE_UINT64,
      (guint64) gst_segment_to_running_time (seg, GST_FORMAT_TIME, ts),
      "duration", G_TYPE_UINT64, (guint64) GST_BUFFER_DURATION (outbuf), NULL);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), st));
}

/* The prepared (mapped) frame of each input, or an element error when one
 * could not be mapped or its video meta reaches past its memory. */
static gboolean
gst_blockcorr_input_frames (GstBlockCorr * self,
    GstVideoAggregatorPad * pads[2], GstVideoFrame * in[2], GstClockTime pts[2])
{
  guint i;

  for (i = 0; i < 2; i++) {
    GstBuffer *buf = gst_video_aggregator_pad_get_current_buffer (pads[i]);
    gint64 need_first, need_last;
    gsize have;

    in[i] = gst_video_aggregator_pad_get_prepared_frame (pads[i]);
    pts[i] = buf ? GST_BUFFER_PTS (buf) : GST_CLOCK_TIME_NONE;
    if (!in[i] && buf && gst_buffer_get_video_meta (buf)) {
      /* Mapping through a video meta fails when a plane's offset lies
       * outside the buffer's memory. */
      GST_ELEMENT_ERROR (self, STREAM, FORMAT,
          ("Input buffer on %s is smaller than its video meta says",
              GST_PAD_NAME (pads[i])),
          ("a plane of the %" G_GSIZE_FORMAT "-byte buffer starts outside it "
              "(plane 0 at offset %" G_GSIZE_FORMAT ")",
              gst_buffer_get_size (buf),
              gst_buffer_get_video_meta (buf)->offset[0]));
      return FALSE;
    }
    if (!in[i]) {
      /* The base class could not map it: shorter than its caps say. */
      GST_ELEMENT_ERROR (self, STREAM, FORMAT,
          ("Input buffer on %s is smaller than its caps say",
              GST_PAD_NAME (pads[i])),
          ("buffer of %" G_GSIZE_FORMAT " bytes, caps need %" G_GSIZE_FORMAT
              " bytes for %dx%d %s", buf ? gst_buffer_get_size (buf) : 0,
              GST_VIDEO_INFO_SIZE (&pads[i]->info),
              GST_VIDEO_INFO_WIDTH (&pads[i]->info),
              GST_VIDEO_INFO_HEIGHT (&pads[i]->info),
              pads[i]->info.
              finfo ? GST_VIDEO_INFO_NAME (&pads[i]->info) : "?"));
      return FALSE;
    }
    if (!plane_within_memory (in[i], &need_first, &need_last, &have)) {
      GST_ELEMENT_ERROR (self, STREAM, FORMAT,
          ("Input buffer on %s is smaller than its video meta says",
              GST_PAD_NAME (pads[i])),
          ("%d rows of %d pixels with stride %d from offset %" G_GSIZE_FORMAT
              " need bytes %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
              " of the memory, which has %" G_GSIZE_FORMAT,
              GST_VIDEO_FRAME_COMP_HEIGHT (in[i], 0),
              GST_VIDEO_FRAME_COMP_WIDTH (in[i], 0),
              GST_VIDEO_FRAME_COMP_STRIDE (in[i], 0),
              GST_VIDEO_FRAME_COMP_OFFSET (in[i], 0), need_first, need_last,
              have));
      return FALSE;
    }
  }
  return TRUE;
}

/* Keeps a copy of sink_0's current frame as the reference (a copy: an
 * upstream buffer pool must not run dry while the reference is held). */
static void
gst_blockcorr_store_reference (GstBlockCorr * self, GstVideoAggregatorPad * pad)
{
  GstBuffer *buf = gst_video_aggregator_pad_get_current_buffer (pad);

  gst_clear_buffer (&self->ref_buffer);
  if (!buf)
    return;
  self->ref_buffer = gst_buffer_copy_deep (buf);
  GST_OBJECT_LOCK (self);
  self->ref_info = pad->info;
  GST_OBJECT_UNLOCK (self);
  self->ref_pts = GST_BUFFER_PTS (buf);
}

/* Maps the reference frame of the one-input modes into frame: the stored
 * one, or sink_0's current frame when there is none yet, a reset was asked
 * for (reset-reference, a flushing seek, a new mode) or the caps changed. */
static gboolean
gst_blockcorr_reference_frame (GstBlockCorr * self,
    GstVideoAggregatorPad * pad, GstVideoFrame * frame)
{
  gboolean reset, same_caps;

  GST_OBJECT_LOCK (self);
  reset = self->ref_reset;
  self->ref_reset = FALSE;
  same_caps = self->ref_buffer && gst_video_info_is_equal (&self->ref_info,
      &pad->info);
  GST_OBJECT_UNLOCK (self);
  if (reset || !same_caps) {
    GST_DEBUG_OBJECT (self, "new reference frame%s", reset ? " (reset)" :
        self->ref_buffer ? " (new caps)" : "");
    gst_blockcorr_store_reference (self, pad);
  }
  if (!self->ref_buffer
      || !gst_video_frame_map (frame, &self->ref_info, self->ref_buffer,
          GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED,
        ("Could not map the reference frame"), (NULL));
    return FALSE;
  }
  return TRUE;
}

/* Feeds the frame of outbuf (index frame, summary st) to the alarm and
 * posts its new state when it changes. */
static void
gst_blockcorr_update_alarm (GstBlockCorr * self, GstBuffer * outbuf,
    guint64 frame, const BwSummary * summary, const GstStructure * st)
{
  GstSegment *seg =
      &GST_AGGREGATOR_PAD (GST_AGGREGATOR_SRC_PAD (self))->segment;
  GstBlockCorrFrameState state;
  guint frames;
  gdouble fraction;

  g_rec_mutex_lock (&self->alarm_lock);
  /* The values of now, not of the frame's start: an alarm switched off
   * meanwhile (and dropped by that) must not be raised again. */
  GST_OBJECT_LOCK (self);
  frames = self->settings.alarm_frames;
  fraction = self->settings.alarm_fraction;
  GST_OBJECT_UNLOCK (self);
  if (frames == 0) {
    gst_blockcorr_drop_alarm (self, GST_BLOCKCORR_ALARM_REASON_OFF);
    g_rec_mutex_unlock (&self->alarm_lock);
    return;
  }
  self->alarm_frame = frame;
  self->alarm_running_time = gst_segment_to_running_time (seg,
      GST_FORMAT_TIME, GST_BUFFER_PTS (outbuf));
  state = gst_blockcorr_alarm_judge (summary, fraction);
  if (gst_blockcorr_alarm_update (&self->alarm, frames, state))
    gst_blockcorr_post_alarm (self, GST_BLOCKCORR_ALARM_REASON_FRAMES, st);
  g_rec_mutex_unlock (&self->alarm_lock);
}

static GstFlowReturn
gst_blockcorr_aggregate_frames (GstVideoAggregator * vagg, GstBuffer * outbuf)
{
  GstBlockCorr *self = GST_BLOCKCORR (vagg);
  GstVideoAggregatorPad *pads[2];
  GstVideoFrame *in[2], out;
  GstClockTime pts[2];
  GstBlockCorrSettings s;
  GstBlockCorrPair pair;
  BwSummary summary;
  GstStructure *st;
  GBytes *grids;
  guint cols, rows, i;
  GstFlowReturn ret = GST_FLOW_ERROR;
  GstVideoFrame ref_frame;
  gboolean ref_mapped = FALSE;

  /* An input released since create_output_buffer() (release_pad() forgets
   * it before the base class can take its lock): no pair, so no output,
   * rather than the blank buffer the base class would push. */
  if (!gst_blockcorr_get_pads (self, pads))
    return GST_AGGREGATOR_FLOW_NEED_DATA;
  gst_blockcorr_settings (self, &s);

  if (!gst_blockcorr_input_frames (self, pads, in, pts))
    goto done;
  if (s.reference != GST_BLOCKCORR_REFERENCE_PAD) {
    if (!gst_blockcorr_reference_frame (self, pads[0], &ref_frame))
      goto done;
    ref_mapped = TRUE;
    in[0] = &ref_frame;
    pts[0] = self->ref_pts;
    self->last_pts = pts[1];
  }
  if (!gst_blockcorr_check_geometry (self, GST_VIDEO_FRAME_WIDTH (in[0]),
          GST_VIDEO_FRAME_HEIGHT (in[0]), GST_VIDEO_FRAME_WIDTH (in[1]),
          GST_VIDEO_FRAME_HEIGHT (in[1]), &s, &cols, &rows))
    goto done;

  if (GST_VIDEO_INFO_FPS_N (&vagg->info) == 0
      && GST_CLOCK_TIME_IS_VALID (self->pair_start)) {
    /* No frame rate: the base class stamps every output with the segment
     * start; the pair's own time is the right one. */
    GstSegment *seg =
        &GST_AGGREGATOR_PAD (GST_AGGREGATOR_SRC_PAD (self))->segment;

    GST_BUFFER_PTS (outbuf) = gst_segment_position_from_running_time (seg,
        GST_FORMAT_TIME, self->pair_start);
    GST_BUFFER_DURATION (outbuf) = GST_CLOCK_TIME_IS_VALID (self->pair_end) ?
        self->pair_end - self->pair_start : GST_CLOCK_TIME_NONE;
  }

  pair.width = GST_VIDEO_FRAME_WIDTH (in[0]);
  pair.height = GST_VIDEO_FRAME_HEIGHT (in[0]);
  for (i = 0; i < 2; i++) {
    pair.planes[i].data = GST_VIDEO_FRAME_COMP_DATA (in[i], 0);
    pair.planes[i].stride = GST_VIDEO_FRAME_COMP_STRIDE (in[i], 0);
    pair.planes[i].format = sample_format (GST_VIDEO_FRAME_FORMAT (in[i]));
    pair.max_value[i] = pair.planes[i].format == BW_SAMPLE_U8 ? 255 : 65535;
  }

  /* The heatmap is drawn by the worker threads: map the output first. */
  if (!gst_video_frame_map (&out, &vagg->info, outbuf, GST_MAP_WRITE)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map output buffer"),
        (NULL));
    goto done;
  }
  GST_LOG_OBJECT (self, "frame %" G_GUINT64_FORMAT, self->frame_count);
  grids = gst_blockcorr_analysis_run (self->analysis, &s, &pair, &out,
      &summary);
  gst_video_frame_unmap (&out);
  if (!grids) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not analyse the frames"),
        ("invalid geometry %ux%u, blocks %ux%u", pair.width, pair.height,
            s.params.block_width, s.params.block_height));
    goto done;
  }

  st = gst_blockcorr_summary_structure ("blockcorr", self->frame_count,
      pts[0], pts[1], cols, rows, &s, &summary);
  gst_blockcorr_meta_add (outbuf, st, grids, (gsize) cols * rows);
  g_bytes_unref (grids);
  gst_blockcorr_update_alarm (self, outbuf, self->frame_count, &summary, st);
  self->frame_count++;
  if (s.post_messages)
    gst_blockcorr_post_message (self, outbuf, st);
  else
    gst_structure_free (st);
  ret = GST_FLOW_OK;

done:
  if (ref_mapped) {
    gst_video_frame_unmap (&ref_frame);
    /* In reference=previous, this frame is the next one's reference. */
    if (ret == GST_FLOW_OK && s.reference == GST_BLOCKCORR_REFERENCE_PREVIOUS)
      gst_blockcorr_store_reference (self, pads[0]);
  }
  gst_blockcorr_unref_pads (pads);
  return ret;
}

/* ---- lifecycle ---------------------------------------------------------- */

static gboolean
gst_blockcorr_start (GstAggregator * agg)
{
  GstBlockCorr *self = GST_BLOCKCORR (agg);

  self->frame_count = 0;
  self->vfr_pair_end = GST_CLOCK_TIME_NONE;
  g_rec_mutex_lock (&self->alarm_lock);
  gst_blockcorr_alarm_reset (&self->alarm);
  self->alarm_frame = 0;
  self->alarm_running_time = GST_CLOCK_TIME_NONE;
  g_rec_mutex_unlock (&self->alarm_lock);
  GST_OBJECT_LOCK (self);
  self->frame_width = self->frame_height = 0;
  GST_OBJECT_UNLOCK (self);
  self->last_pts = GST_CLOCK_TIME_NONE;
  self->warned_one_input = FALSE;
  self->warned_rates = FALSE;
  g_atomic_int_set (&self->missing_pts_pad, 0);
  g_atomic_int_set (&self->caps_refused, FALSE);
  return GST_AGGREGATOR_CLASS (parent_class)->start (agg);
}

static gboolean
gst_blockcorr_stop (GstAggregator * agg)
{
  GstBlockCorr *self = GST_BLOCKCORR (agg);

  /* The next start begins with the alarm down: tell the application. */
  gst_blockcorr_drop_alarm (self, GST_BLOCKCORR_ALARM_REASON_STOPPED);
  gst_blockcorr_analysis_reset (self->analysis);
  gst_clear_buffer (&self->ref_buffer);
  return GST_AGGREGATOR_CLASS (parent_class)->stop (agg);
}

static void
gst_blockcorr_finalize (GObject * object)
{
  GstBlockCorr *self = GST_BLOCKCORR (object);

  gst_blockcorr_analysis_free (self->analysis);
  gst_clear_buffer (&self->ref_buffer);
  g_cond_clear (&self->pads_cond);
  g_mutex_clear (&self->request_lock);
  g_rec_mutex_clear (&self->alarm_lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_blockcorr_reset_reference (GstBlockCorr * self)
{
  GST_OBJECT_LOCK (self);
  self->ref_reset = TRUE;
  GST_OBJECT_UNLOCK (self);
}

/* The range properties default to NaN ("automatic"), which
 * g_param_spec_double() refuses as a default since NaN is in no range; set
 * it afterwards.  GParamSpecDouble's validation also reports NaN as out of
 * range (it compares NaN with the bounds), so g_object_set() would refuse
 * NaN and the value could never return to automatic: with lax validation
 * GObject stores the validated value instead of refusing it: NaN stays NaN,
 * finite values are in range, and +-infinity becomes +-G_MAXDOUBLE. */
static GParamSpec *
range_spec (GParamSpec * pspec)
{
  G_PARAM_SPEC_DOUBLE (pspec)->default_value = NAN;
  pspec->flags |= G_PARAM_LAX_VALIDATION;
  return pspec;
}

static void
gst_blockcorr_class_init (GstBlockCorrClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstAggregatorClass *agg_class = GST_AGGREGATOR_CLASS (klass);
  GstVideoAggregatorClass *vagg_class = GST_VIDEO_AGGREGATOR_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING;

  GST_DEBUG_CATEGORY_INIT (gst_blockcorr_debug, "blockcorr", 0,
      "Block-wise correlation of two video streams");

  gobject_class->set_property = gst_blockcorr_set_property;
  gobject_class->get_property = gst_blockcorr_get_property;
  gobject_class->finalize = gst_blockcorr_finalize;

  /**
   * GstBlockCorr:block-width:
   *
   * Width of a block in pixels.  A new value renegotiates the output.
   * Once the output is negotiated, a value with which no block fits in the
   * frames (wider than the frames with edge-mode=trim) is refused: a
   * warning names the value and the frame size, and the old value stays.
   * Before that, a block too large for the first frames is an error at
   * negotiation.
   */
  g_object_class_install_property (gobject_class, PROP_BLOCK_WIDTH,
      g_param_spec_uint ("block-width", "Block width",
          "Width of a block in pixels (while playing, a width with which no "
          "block fits in the frames is refused with a warning)", 1,
          BW_MAX_BLOCK_SIZE, DEFAULT_BLOCK_SIZE, flags));
  /**
   * GstBlockCorr:block-height:
   *
   * Height of a block in pixels.  A new value renegotiates the output.  A
   * value with which no block fits is refused as for
   * #GstBlockCorr:block-width.
   */
  g_object_class_install_property (gobject_class, PROP_BLOCK_HEIGHT,
      g_param_spec_uint ("block-height", "Block height",
          "Height of a block in pixels (while playing, a height with which no "
          "block fits in the frames is refused with a warning)", 1,
          BW_MAX_BLOCK_SIZE, DEFAULT_BLOCK_SIZE, flags));
  /**
   * GstBlockCorr:edge-mode:
   *
   * What happens to the pixels at the right and bottom edges when the block
   * size does not divide the frame size: `trim` leaves them out (as the
   * Python predecessor did), `partial` analyses them as smaller blocks.
   * `trim` is refused (a warning, the value stays) while the block is
   * larger than the negotiated frames.
   */
  g_object_class_install_property (gobject_class, PROP_EDGE_MODE,
      g_param_spec_enum ("edge-mode", "Edge mode",
          "What to do with the partial blocks at the right and bottom edges "
          "when the block size does not divide the frame size",
          GST_TYPE_BLOCKCORR_EDGE_MODE, DEFAULT_EDGE_MODE, flags));
  /**
   * GstBlockCorr:measure:
   *
   * The grid the heatmap shows; the metadata carries every grid whatever
   * this is.
   */
  g_object_class_install_property (gobject_class, PROP_MEASURE,
      g_param_spec_enum ("measure", "Measure",
          "What the heatmap shows (the metadata always carries all grids)",
          GST_TYPE_BLOCKCORR_MEASURE, DEFAULT_MEASURE, flags));
  /**
   * GstBlockCorr:colormap:
   *
   * The heatmap's 256-entry colormap.  Gray outputs (GRAY8, GRAY16_LE)
   * carry the scaled value itself instead.
   */
  g_object_class_install_property (gobject_class, PROP_COLORMAP,
      g_param_spec_enum ("colormap", "Colormap",
          "Colormap of the heatmap (gray outputs carry the scaled value)",
          GST_TYPE_BLOCKCORR_COLORMAP, DEFAULT_COLORMAP, flags));
  /**
   * GstBlockCorr:range-min:
   *
   * The value drawn with the bottom colormap entry, in the measure's units.
   * NaN, the default, means the measure's automatic range (see
   * #GstBlockCorrMeasure); setting NaN again returns to it
   * (`range-min=nan` on a launch line).
   */
  g_object_class_install_property (gobject_class, PROP_RANGE_MIN,
      range_spec (g_param_spec_double ("range-min", "Range minimum",
              "Value drawn with the bottom colormap entry, in the measure's "
              "units; nan (the default) = the measure's automatic range (see "
              "its values); set nan to return to automatic",
              -G_MAXDOUBLE, G_MAXDOUBLE, 0.0, flags)));
  /**
   * GstBlockCorr:range-max:
   *
   * The value drawn with the top colormap entry; NaN as for
   * #GstBlockCorr:range-min.
   */
  g_object_class_install_property (gobject_class, PROP_RANGE_MAX,
      range_spec (g_param_spec_double ("range-max", "Range maximum",
              "Value drawn with the top colormap entry, in the measure's units; "
              "nan (the default) = the measure's automatic range (see its "
              "values); set nan to return to automatic",
              -G_MAXDOUBLE, G_MAXDOUBLE, 0.0, flags)));
  /**
   * GstBlockCorr:invalid-color:
   *
   * The colour of invalid blocks and of pixels outside the grid, as
   * 0xAARRGGBB; gray outputs get its luma.
   */
  g_object_class_install_property (gobject_class, PROP_INVALID_COLOR,
      g_param_spec_uint ("invalid-color", "Invalid colour",
          "Colour of invalid blocks (zero variance or below min-intensity) "
          "and of pixels outside the grid, as 0xAARRGGBB (4294967295 = "
          "0xffffffff, opaque white)", 0, G_MAXUINT32,
          DEFAULT_INVALID_COLOR, flags));
  /**
   * GstBlockCorr:min-intensity:
   *
   * Background level in sample units (0..255 for 8-bit inputs, 0..65535
   * for 16-bit ones): a block whose mean is below it in both inputs is
   * background, invalid, and counts for nothing.  0 turns the test off.
   * -1 (the default) estimates the background of each input per frame: the darkest tenth
   * of its blocks gives the background level (their median mean) and the
   * noise (their median standard deviation); a block is background when,
   * in both inputs, its mean is below level + 3 x noise and its standard
   * deviation below 1.5 x noise (no object and no texture inside).  Blocks
   * of any brightness whose variance in both inputs stays within the
   * pair's own noise at their mean (glass in brightfield, empty medium),
   * and blocks flat in both (saturated), are background too.  The
   * levels used are in the `min-intensity-0` and `min-intensity-1` fields.
   */
  g_object_class_install_property (gobject_class, PROP_MIN_INTENSITY,
      g_param_spec_double ("min-intensity", "Minimum intensity",
          "Background level in sample units: a block whose mean is below it "
          "in both inputs is background (0 = off; -1, the default: estimated "
          "per frame from each input's darkest blocks and their noise)",
          -1.0, 65535.0, DEFAULT_MIN_INTENSITY, flags));
  /**
   * GstBlockCorr:threshold:
   *
   * The r level of the `below-threshold` summary field: the fraction of
   * the valid blocks whose r is below it.
   */
  g_object_class_install_property (gobject_class, PROP_THRESHOLD,
      g_param_spec_double ("threshold", "Threshold",
          "r level of the below-threshold summary (fraction of valid blocks "
          "with r below it)", -1.0, 1.0, DEFAULT_THRESHOLD, flags));
  /**
   * GstBlockCorr:n-threads:
   *
   * Worker threads per frame, 0 for one per CPU.  The results are
   * bit-identical for every value.
   */
  g_object_class_install_property (gobject_class, PROP_N_THREADS,
      g_param_spec_uint ("n-threads", "Threads",
          "Worker threads (0 = one per CPU); results are identical for every "
          "value", 0, MAX_THREADS, DEFAULT_N_THREADS, flags));
  /**
   * GstBlockCorr:post-messages:
   *
   * Post an element message named "blockcorr" per output frame (its fields
   * are listed above).
   */
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post an element message named \"blockcorr\" with the summary of "
          "each frame", DEFAULT_POST_MESSAGES, flags));
  /**
   * GstBlockCorr:output-size:
   *
   * The heatmap's size: one pixel per block, or the input size with each
   * block filled with its colour.  A new value renegotiates the output.
   */
  g_object_class_install_property (gobject_class, PROP_OUTPUT_SIZE,
      g_param_spec_enum ("output-size", "Output size",
          "Size of the heatmap: one pixel per block, or the input size",
          GST_TYPE_BLOCKCORR_OUTPUT_SIZE, DEFAULT_OUTPUT_SIZE, flags));

  /**
   * GstBlockCorr:search-radius:
   *
   * Displacement search: first the frame's global shift, coarse, whatever
   * its size up to a quarter of the frame's smaller side; then for every
   * block, r against the compared input's window moved by every integer
   * offset up to this many pixels in x and y from that shift (from (0, 0)
   * when the shift lies within the radius; (2R+1)² offsets), the best
   * offset, a sub-pixel estimate (a quadratic
   * surface through r at the peak and its eight neighbours, looking one
   * pixel beyond the radius where the peak lies on it), and the
   * `dx`, `dy`, `r-best` grids.  Offsets whose window would leave the frame
   * are not tried (the search is one-sided at the edges).  0 tries (0, 0)
   * only: dx = dy = 0 and r-best = r, for the least work per frame.  The
   * cost grows with the number of offsets (see the README).
   */
  g_object_class_install_property (gobject_class, PROP_SEARCH_RADIUS,
      g_param_spec_uint ("search-radius", "Search radius",
          "Largest displacement from the frame's global shift searched "
          "per block, px, in x and y (0 = off: r at (0, 0) only, no global "
          "shift; R costs (2R+1)^2 cross sums)",
          0, BW_MAX_SEARCH_RADIUS, DEFAULT_SEARCH_RADIUS, flags));
  /**
   * GstBlockCorr:min-region-blocks:
   *
   * Smallest region of suspect blocks that counts for the verdict: fewer
   * agreeing blocks are taken as noise.
   */
  g_object_class_install_property (gobject_class, PROP_MIN_REGION_BLOCKS,
      g_param_spec_uint ("min-region-blocks", "Minimum region blocks",
          "Suspect blocks a region needs to count (smaller ones are noise)",
          1, G_MAXUINT, DEFAULT_MIN_REGION_BLOCKS, flags));
  /**
   * GstBlockCorr:shift-tolerance:
   *
   * The median displacement of the informative blocks, in pixels, from
   * which on the whole compared input counts as shifted.
   */
  g_object_class_install_property (gobject_class, PROP_SHIFT_TOLERANCE,
      g_param_spec_double ("shift-tolerance", "Shift tolerance",
          "Median displacement, px, from which the compared input counts as "
          "shifted as a whole", 0.0, BW_MAX_SEARCH_RADIUS,
          DEFAULT_SHIFT_TOLERANCE, flags));

  /**
   * GstBlockCorr:reference:
   *
   * What each frame is compared with: `pad` (sink_1's frames with sink_0's,
   * paired by running time), or, with only sink_0 requested, `first` (the
   * first frame after the start, a flushing seek or
   * #GstBlockCorr::reset-reference) or `previous` (the frame before).  In
   * the one-input modes `pts-0` is the reference frame's PTS, and the
   * reference is a copy (an upstream pool never runs dry).  Changing
   * between `first` and `previous` while playing takes the next frame as
   * the reference; a one-input mode cannot be chosen while sink_1 exists
   * (a warning, the value stays).
   */
  g_object_class_install_property (gobject_class, PROP_REFERENCE,
      g_param_spec_enum ("reference", "Reference",
          "What each frame is compared with: sink_0's frame (pad), or with "
          "sink_0 alone its first or previous frame",
          GST_TYPE_BLOCKCORR_REFERENCE, DEFAULT_REFERENCE, flags));
  /**
   * GstBlockCorr:alarm-frames:
   *
   * Drift alarm: when this many frames in a row are bad (verdict
   * `needs-registration`, or more than #GstBlockCorr:alarm-fraction of the
   * valid blocks below #GstBlockCorr:threshold), post one element message
   * `blockcorr-alarm` with `state` = `raised`; when this many frames in a
   * row are good again, one with `state` = `cleared`.  Frames with nothing
   * to compare (`no-texture`) count neither way.  0 turns the alarm off.
   *
   * Every `raised` is followed by exactly one `cleared`.  Switching the
   * alarm off while it is raised posts its `cleared` at once (`reason`
   * `alarm-off`), and so does stopping the element, to READY or NULL
   * (`reason` `stopped`): it starts again with the alarm down.  A raised
   * alarm stays raised through changes of #GstBlockCorr:alarm-frames to
   * another non-zero value or of #GstBlockCorr:alarm-fraction,
   * #GstBlockCorr::reset-reference, flushing seeks and caps changes, until
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
   * GstBlockCorr:alarm-fraction:
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
   * GstBlockCorr::reset-reference:
   * @blockcorr: the element
   *
   * Action signal: the next frame becomes the reference of
   * `reference=first` (after re-focusing or moving the stage on purpose).
   */
  signals[SIGNAL_RESET_REFERENCE] = g_signal_new_class_handler
      ("reset-reference", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_blockcorr_reset_reference), NULL, NULL, NULL,
      G_TYPE_NONE, 0);

  gst_element_class_add_static_pad_template_with_gtype (element_class,
      &sink_template, GST_TYPE_VIDEO_AGGREGATOR_PAD);
  gst_element_class_add_static_pad_template_with_gtype (element_class,
      &src_template, GST_TYPE_AGGREGATOR_PAD);
  gst_element_class_set_static_metadata (element_class,
      "Block correlation", "Filter/Analyzer/Video",
      "Pearson correlation of every block of two grayscale video streams: "
      "sink_0 is the reference, sink_1 the compared input (exactly two "
      "inputs, same size); outputs a heatmap video, a GstBlockCorrMeta with "
      "the grids on every buffer and a \"blockcorr\" message per frame",
      "gst-blockwise developers");

  element_class->request_new_pad =
      GST_DEBUG_FUNCPTR (gst_blockcorr_request_new_pad);
  element_class->release_pad = GST_DEBUG_FUNCPTR (gst_blockcorr_release_pad);

  agg_class->sink_event = GST_DEBUG_FUNCPTR (gst_blockcorr_sink_event);
  agg_class->sink_query = GST_DEBUG_FUNCPTR (gst_blockcorr_sink_query);
  agg_class->sink_query_pre_queue =
      GST_DEBUG_FUNCPTR (gst_blockcorr_sink_query_pre_queue);
  agg_class->clip = GST_DEBUG_FUNCPTR (gst_blockcorr_clip);
  agg_class->aggregate = GST_DEBUG_FUNCPTR (gst_blockcorr_aggregate);
  agg_class->update_src_caps =
      GST_DEBUG_FUNCPTR (gst_blockcorr_update_src_caps);
  agg_class->fixate_src_caps =
      GST_DEBUG_FUNCPTR (gst_blockcorr_fixate_src_caps);
  agg_class->negotiated_src_caps =
      GST_DEBUG_FUNCPTR (gst_blockcorr_negotiated_src_caps);
  agg_class->start = GST_DEBUG_FUNCPTR (gst_blockcorr_start);
  agg_class->stop = GST_DEBUG_FUNCPTR (gst_blockcorr_stop);

  vagg_class->create_output_buffer =
      GST_DEBUG_FUNCPTR (gst_blockcorr_create_output_buffer);
  vagg_class->aggregate_frames =
      GST_DEBUG_FUNCPTR (gst_blockcorr_aggregate_frames);

  gst_type_mark_as_plugin_api (GST_TYPE_BLOCKCORR_EDGE_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_BLOCKCORR_MEASURE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_BLOCKCORR_COLORMAP, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_BLOCKCORR_OUTPUT_SIZE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_BLOCKCORR_REFERENCE, 0);
}

static void
gst_blockcorr_init (GstBlockCorr * self)
{
  GstBlockCorrSettings *s = &self->settings;

  bw_params_init (&s->params);
  s->measure = DEFAULT_MEASURE;
  s->colormap = DEFAULT_COLORMAP;
  s->range_min = NAN;
  s->range_max = NAN;
  s->invalid_color = DEFAULT_INVALID_COLOR;
  s->post_messages = DEFAULT_POST_MESSAGES;
  s->output_size = DEFAULT_OUTPUT_SIZE;
  s->reference = DEFAULT_REFERENCE;
  s->alarm_frames = DEFAULT_ALARM_FRAMES;
  s->alarm_fraction = DEFAULT_ALARM_FRACTION;
  self->ref_pts = GST_CLOCK_TIME_NONE;
  self->last_pts = GST_CLOCK_TIME_NONE;
  self->analysis = gst_blockcorr_analysis_new ();
  self->vfr_pair_end = GST_CLOCK_TIME_NONE;
  self->alarm_running_time = GST_CLOCK_TIME_NONE;
  g_cond_init (&self->pads_cond);
  g_mutex_init (&self->request_lock);
  g_rec_mutex_init (&self->alarm_lock);
}
