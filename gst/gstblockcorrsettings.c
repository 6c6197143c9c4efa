/* gst-blockwise: the analysis and heatmap properties that blockcorr and
 * blockdrift share (see gstblockcorrsettings.h).  Their documentation is
 * blockcorr's; blockdrift's refers to it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>

#include "gstblockcorrsettings.h"
#include "worker.h"

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
#define MAX_THREADS BW_WORKER_MAX_THREADS

void
gst_blockcorr_settings_init (GstBlockCorrSettings * s)
{
  bw_params_init (&s->params);
  s->measure = DEFAULT_MEASURE;
  s->colormap = DEFAULT_COLORMAP;
  s->range_min = NAN;
  s->range_max = NAN;
  s->invalid_color = DEFAULT_INVALID_COLOR;
  s->post_messages = DEFAULT_POST_MESSAGES;
  s->output_size = DEFAULT_OUTPUT_SIZE;
}

/* Sets block-width, block-height or edge-mode (prop_id) to value, unless
 * then no block would fit in the frames the output is negotiated for: a
 * value that would stop the stream is refused as a value (FALSE).  Before
 * the first negotiation (frame_width 0) there is nothing to check against:
 * the caps are checked then. */
static gboolean
set_geometry (GstBlockCorrSettings * s, guint prop_id, const GValue * value,
    gint frame_width, gint frame_height, gboolean * changed)
{
  BwGeometry geom = { frame_width, frame_height,
    s->params.block_width, s->params.block_height, s->params.edge_mode
  };
  guint cols, rows;

  if (prop_id == GST_BLOCKCORR_PROP_BLOCK_WIDTH)
    geom.block_width = g_value_get_uint (value);
  else if (prop_id == GST_BLOCKCORR_PROP_BLOCK_HEIGHT)
    geom.block_height = g_value_get_uint (value);
  else
    geom.edge_mode = g_value_get_enum (value);
  if (frame_width > 0 && !bw_geometry_grid_size (&geom, &cols, &rows))
    return FALSE;
  *changed = geom.block_width != s->params.block_width
      || geom.block_height != s->params.block_height
      || geom.edge_mode != s->params.edge_mode;
  s->params.block_width = geom.block_width;
  s->params.block_height = geom.block_height;
  s->params.edge_mode = geom.edge_mode;
  return TRUE;
}

/* The warning's text for a refused geometry value. */
static gchar *
geometry_refusal (const GstBlockCorrSettings * s, GParamSpec * pspec,
    const GValue * value, gint frame_width, gint frame_height)
{
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
      frame_width, frame_height);
  g_free (given);
  return text;
}

void
gst_blockcorr_settings_warn_refused (GstElement * element, GParamSpec * pspec,
    gchar * refusal)
{
  GST_ELEMENT_WARNING (element, CORE, FAILED, ("%s", refusal),
      ("%s keeps its value; use a smaller block, or edge-mode=partial to "
          "analyse the frame as partial blocks", pspec->name));
  g_free (refusal);
}

GstBlockCorrSettingResult
gst_blockcorr_settings_set (GstBlockCorrSettings * s, guint prop_id,
    const GValue * value, GParamSpec * pspec, gint frame_width,
    gint frame_height, gchar ** refusal)
{
  gboolean renegotiate = FALSE;

  switch (prop_id) {
    case GST_BLOCKCORR_PROP_BLOCK_WIDTH:
    case GST_BLOCKCORR_PROP_BLOCK_HEIGHT:
    case GST_BLOCKCORR_PROP_EDGE_MODE:
      if (!set_geometry (s, prop_id, value, frame_width, frame_height,
              &renegotiate)) {
        *refusal = geometry_refusal (s, pspec, value, frame_width,
            frame_height);
        return GST_BLOCKCORR_SETTING_REFUSED;
      }
      break;
    case GST_BLOCKCORR_PROP_MEASURE:
      s->measure = g_value_get_enum (value);
      break;
    case GST_BLOCKCORR_PROP_COLORMAP:
      s->colormap = g_value_get_enum (value);
      break;
    case GST_BLOCKCORR_PROP_RANGE_MIN:
      s->range_min = g_value_get_double (value);
      break;
    case GST_BLOCKCORR_PROP_RANGE_MAX:
      s->range_max = g_value_get_double (value);
      break;
    case GST_BLOCKCORR_PROP_INVALID_COLOR:
      s->invalid_color = g_value_get_uint (value);
      break;
    case GST_BLOCKCORR_PROP_MIN_INTENSITY:
      /* Every negative value asks for the estimate. */
      s->params.min_intensity = g_value_get_double (value) < 0 ? BW_AUTO :
          g_value_get_double (value);
      break;
    case GST_BLOCKCORR_PROP_THRESHOLD:
      s->params.threshold = g_value_get_double (value);
      break;
    case GST_BLOCKCORR_PROP_N_THREADS:
      s->params.n_threads = g_value_get_uint (value);
      break;
    case GST_BLOCKCORR_PROP_POST_MESSAGES:
      s->post_messages = g_value_get_boolean (value);
      break;
    case GST_BLOCKCORR_PROP_OUTPUT_SIZE:
      renegotiate = s->output_size !=
          (GstBlockCorrOutputSize) g_value_get_enum (value);
      s->output_size = g_value_get_enum (value);
      break;
    case GST_BLOCKCORR_PROP_SEARCH_RADIUS:
      s->params.search_radius = g_value_get_uint (value);
      break;
    case GST_BLOCKCORR_PROP_MIN_REGION_BLOCKS:
      s->params.min_region_blocks = g_value_get_uint (value);
      break;
    case GST_BLOCKCORR_PROP_SHIFT_TOLERANCE:
      s->params.shift_tolerance = g_value_get_double (value);
      break;
    default:
      return GST_BLOCKCORR_SETTING_NOT_SHARED;
  }
  return renegotiate ? GST_BLOCKCORR_SETTING_RENEGOTIATE :
      GST_BLOCKCORR_SETTING_HANDLED;
}

gboolean
gst_blockcorr_settings_get (const GstBlockCorrSettings * s, guint prop_id,
    GValue * value)
{
  switch (prop_id) {
    case GST_BLOCKCORR_PROP_BLOCK_WIDTH:
      g_value_set_uint (value, s->params.block_width);
      break;
    case GST_BLOCKCORR_PROP_BLOCK_HEIGHT:
      g_value_set_uint (value, s->params.block_height);
      break;
    case GST_BLOCKCORR_PROP_EDGE_MODE:
      g_value_set_enum (value, s->params.edge_mode);
      break;
    case GST_BLOCKCORR_PROP_MEASURE:
      g_value_set_enum (value, s->measure);
      break;
    case GST_BLOCKCORR_PROP_COLORMAP:
      g_value_set_enum (value, s->colormap);
      break;
    case GST_BLOCKCORR_PROP_RANGE_MIN:
      g_value_set_double (value, s->range_min);
      break;
    case GST_BLOCKCORR_PROP_RANGE_MAX:
      g_value_set_double (value, s->range_max);
      break;
    case GST_BLOCKCORR_PROP_INVALID_COLOR:
      g_value_set_uint (value, s->invalid_color);
      break;
    case GST_BLOCKCORR_PROP_MIN_INTENSITY:
      g_value_set_double (value, s->params.min_intensity);
      break;
    case GST_BLOCKCORR_PROP_THRESHOLD:
      g_value_set_double (value, s->params.threshold);
      break;
    case GST_BLOCKCORR_PROP_N_THREADS:
      g_value_set_uint (value, s->params.n_threads);
      break;
    case GST_BLOCKCORR_PROP_POST_MESSAGES:
      g_value_set_boolean (value, s->post_messages);
      break;
    case GST_BLOCKCORR_PROP_OUTPUT_SIZE:
      g_value_set_enum (value, s->output_size);
      break;
    case GST_BLOCKCORR_PROP_SEARCH_RADIUS:
      g_value_set_uint (value, s->params.search_radius);
      break;
    case GST_BLOCKCORR_PROP_MIN_REGION_BLOCKS:
      g_value_set_uint (value, s->params.min_region_blocks);
      break;
    case GST_BLOCKCORR_PROP_SHIFT_TOLERANCE:
      g_value_set_double (value, s->params.shift_tolerance);
      break;
    default:
      return FALSE;
  }
  return TRUE;
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


void
gst_blockcorr_settings_install (GObjectClass * klass,
    const gchar * message_name)
{
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING;
  gchar *text = g_strdup_printf ("Post an element message named \"%s\" "
      "with the summary of each frame", message_name);
  /* Interned: a property's blurb lives as long as its class. */
  const gchar *post_blurb = g_intern_string (text);

  g_free (text);

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
  g_object_class_install_property (klass, GST_BLOCKCORR_PROP_BLOCK_WIDTH,
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
  g_object_class_install_property (klass, GST_BLOCKCORR_PROP_BLOCK_HEIGHT,
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
  g_object_class_install_property (klass, GST_BLOCKCORR_PROP_EDGE_MODE,
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
  g_object_class_install_property (klass, GST_BLOCKCORR_PROP_MEASURE,
      g_param_spec_enum ("measure", "Measure",
          "What the heatmap shows (the metadata always carries all grids)",
          GST_TYPE_BLOCKCORR_MEASURE, DEFAULT_MEASURE, flags));
  /**
   * GstBlockCorr:colormap:
   *
   * The heatmap's 256-entry colormap.  Gray outputs (GRAY8, GRAY16_LE)
   * carry the scaled value itself instead.
   */
  g_object_class_install_property (klass, GST_BLOCKCORR_PROP_COLORMAP,
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
  g_object_class_install_property (klass, GST_BLOCKCORR_PROP_RANGE_MIN,
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
  g_object_class_install_property (klass, GST_BLOCKCORR_PROP_RANGE_MAX,
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
  g_object_class_install_property (klass, GST_BLOCKCORR_PROP_INVALID_COLOR,
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
  g_object_class_install_property (klass, GST_BLOCKCORR_PROP_MIN_INTENSITY,
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
  g_object_class_install_property (klass, GST_BLOCKCORR_PROP_THRESHOLD,
      g_param_spec_double ("threshold", "Threshold",
          "r level of the below-threshold summary (fraction of valid blocks "
          "with r below it)", -1.0, 1.0, DEFAULT_THRESHOLD, flags));
  /**
   * GstBlockCorr:n-threads:
   *
   * Worker threads per frame, 0 for one per CPU.  The results are
   * bit-identical for every value.
   */
  g_object_class_install_property (klass, GST_BLOCKCORR_PROP_N_THREADS,
      g_param_spec_uint ("n-threads", "Threads",
          "Worker threads (0 = one per CPU); results are identical for every "
          "value", 0, MAX_THREADS, DEFAULT_N_THREADS, flags));
  /**
   * GstBlockCorr:post-messages:
   *
   * Post an element message named "blockcorr" (blockdrift: "blockdrift")
   * per output frame (its fields are listed above).
   */
  g_object_class_install_property (klass, GST_BLOCKCORR_PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          post_blurb, DEFAULT_POST_MESSAGES, (flags & ~G_PARAM_STATIC_BLURB)));
  /**
   * GstBlockCorr:output-size:
   *
   * The heatmap's size: one pixel per block, or the input size with each
   * block filled with its colour.  A new value renegotiates the output.
   */
  g_object_class_install_property (klass, GST_BLOCKCORR_PROP_OUTPUT_SIZE,
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
  g_object_class_install_property (klass, GST_BLOCKCORR_PROP_SEARCH_RADIUS,
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
  g_object_class_install_property (klass, GST_BLOCKCORR_PROP_MIN_REGION_BLOCKS,
      g_param_spec_uint ("min-region-blocks", "Minimum region blocks",
          "Suspect blocks a region needs to count (smaller ones are noise)",
          1, G_MAXUINT, DEFAULT_MIN_REGION_BLOCKS, flags));
  /**
   * GstBlockCorr:shift-tolerance:
   *
   * The median displacement of the informative blocks, in pixels, from
   * which on the whole compared input counts as shifted.
   */
  g_object_class_install_property (klass, GST_BLOCKCORR_PROP_SHIFT_TOLERANCE,
      g_param_spec_double ("shift-tolerance", "Shift tolerance",
          "Median displacement, px, from which the compared input counts as "
          "shifted as a whole", 0.0, BW_MAX_SEARCH_RADIUS,
          DEFAULT_SHIFT_TOLERANCE, flags));
  gst_type_mark_as_plugin_api (GST_TYPE_BLOCKCORR_EDGE_MODE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_BLOCKCORR_MEASURE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_BLOCKCORR_COLORMAP, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_BLOCKCORR_OUTPUT_SIZE, 0);
}
