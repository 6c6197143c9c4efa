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
 * * #gdouble `median-outside-regions`: the median r of the valid blocks
 *   whose top-left corner lies in none of `largest-regions` (the median of
 *   all valid blocks without regions; NaN when there is no such block)
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
 * ## One camera
 *
 * blockcorr has exactly two inputs.  To compare one stream with its own
 * first or previous frame, trace its drift, raise a drift alarm or correct
 * the drift, use blockdrift.
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
 */

#include "config.h"

#include <math.h>

#include "gstblockcorr.h"
#include "gstblockcorranalysis.h"
#include "gstblockcorrheatmap.h"
#include "gstblockcorrmeta.h"
#include "gstblockcorrsettings.h"
#include "worker.h"
#include "displacement.h"

GST_DEBUG_CATEGORY (gst_blockcorr_debug);
#define GST_CAT_DEFAULT gst_blockcorr_debug

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

/* Whether sink_0 and sink_1 exist.  With the object lock. */
static gboolean
inputs_exist (GstBlockCorr * self)
{
  return self->sink_pads[0] && self->sink_pads[1];
}

/* Returns the two inputs (referenced), sink_0 and sink_1; FALSE when one
 * is missing. */
static gboolean
gst_blockcorr_get_pads (GstBlockCorr * self, GstVideoAggregatorPad * pads[2])
{
  gboolean ready;

  GST_OBJECT_LOCK (self);
  ready = inputs_exist (self);
  pads[0] = ready ? gst_object_ref (self->sink_pads[0]) : NULL;
  pads[1] = ready ? gst_object_ref (self->sink_pads[1]) : NULL;
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

static void
gst_blockcorr_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstBlockCorr *self = GST_BLOCKCORR (object);
  GstBlockCorrSettingResult result;
  gchar *refusal = NULL;

  GST_OBJECT_LOCK (self);
  result = gst_blockcorr_settings_set (&self->settings, prop_id, value, pspec,
      self->frame_width, self->frame_height, &refusal);
  GST_OBJECT_UNLOCK (self);

  if (result == GST_BLOCKCORR_SETTING_NOT_SHARED)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  else if (result == GST_BLOCKCORR_SETTING_REFUSED)
    gst_blockcorr_settings_warn_refused (GST_ELEMENT (self), pspec, refusal);
  /* A new grid or output size takes effect at the next frame, through a
   * renegotiation of the output caps. */
  else if (result == GST_BLOCKCORR_SETTING_RENEGOTIATE)
    gst_blockcorr_mark_reconfigure (self);
}

static void
gst_blockcorr_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstBlockCorr *self = GST_BLOCKCORR (object);
  gboolean known;

  GST_OBJECT_LOCK (self);
  known = gst_blockcorr_settings_get (&self->settings, prop_id, value);
  GST_OBJECT_UNLOCK (self);
  if (!known)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

/* ---- pads --------------------------------------------------------------- */

static GstPad *
gst_blockcorr_request_new_pad (GstElement * element, GstPadTemplate * templ,
    const gchar * req_name, const GstCaps * caps)
{
  GstBlockCorr *self = GST_BLOCKCORR (element);
  gboolean used[2];
  guint index = G_MAXUINT;
  gchar name[16];
  GstPad *pad = NULL;

  /* One request at a time: the check and the creation belong together. */
  g_mutex_lock (&self->request_lock);
  GST_OBJECT_LOCK (self);
  used[0] = self->sink_pads[0] != NULL;
  used[1] = self->sink_pads[1] != NULL;
  GST_OBJECT_UNLOCK (self);

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
        ("blockcorr compares sink_1 with sink_0 and has exactly two "
            "inputs; link sink_1, or use blockdrift to compare one stream "
            "with its own first or previous frame"));
  if (!ready) {
    gst_blockcorr_wait_for_inputs (self);
    return GST_AGGREGATOR_FLOW_NEED_DATA;
  }

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
              "compare one stream with its own frames with blockdrift"));
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
    if (!gst_blockcorr_component_within_memory (in[i], 0, &need_first,
            &need_last, &have)) {
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

  /* An input released since create_output_buffer() (release_pad() forgets
   * it before the base class can take its lock): no pair, so no output,
   * rather than the blank buffer the base class would push. */
  if (!gst_blockcorr_get_pads (self, pads))
    return GST_AGGREGATOR_FLOW_NEED_DATA;
  gst_blockcorr_settings (self, &s);

  if (!gst_blockcorr_input_frames (self, pads, in, pts))
    goto done;
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
    pair.planes[i].format =
        gst_blockcorr_sample_format (GST_VIDEO_FRAME_FORMAT (in[i]));
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
  self->frame_count++;
  if (s.post_messages)
    gst_blockcorr_post_message (self, outbuf, st);
  else
    gst_structure_free (st);
  ret = GST_FLOW_OK;

done:
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
  GST_OBJECT_LOCK (self);
  self->frame_width = self->frame_height = 0;
  GST_OBJECT_UNLOCK (self);
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

  gst_blockcorr_analysis_reset (self->analysis);
  return GST_AGGREGATOR_CLASS (parent_class)->stop (agg);
}

static void
gst_blockcorr_finalize (GObject * object)
{
  GstBlockCorr *self = GST_BLOCKCORR (object);

  gst_blockcorr_analysis_free (self->analysis);
  g_cond_clear (&self->pads_cond);
  g_mutex_clear (&self->request_lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_blockcorr_class_init (GstBlockCorrClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstAggregatorClass *agg_class = GST_AGGREGATOR_CLASS (klass);
  GstVideoAggregatorClass *vagg_class = GST_VIDEO_AGGREGATOR_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_blockcorr_debug, "blockcorr", 0,
      "Block-wise correlation of two video streams");

  gobject_class->set_property = gst_blockcorr_set_property;
  gobject_class->get_property = gst_blockcorr_get_property;
  gobject_class->finalize = gst_blockcorr_finalize;

  gst_blockcorr_settings_install (gobject_class, "blockcorr");

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
}

static void
gst_blockcorr_init (GstBlockCorr * self)
{
  gst_blockcorr_settings_init (&self->settings);
  self->analysis = gst_blockcorr_analysis_new ();
  self->vfr_pair_end = GST_CLOCK_TIME_NONE;
  g_cond_init (&self->pads_cond);
  g_mutex_init (&self->request_lock);
}
