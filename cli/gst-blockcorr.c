/* gst-blockcorr: do two images (or two stacks) need registering, and where?
 *
 * Decodes REFERENCE and COMPARED frame by frame (any image format GStreamer
 * reads, multi-page TIFF stacks, image-sequence patterns), pairs them by
 * index, runs each pair through blockcorr and writes the heatmap, the grids
 * as float32 TIFF, a CSV summary and a verdict.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>

#include "args.h"
#include "colormap.h"
#include "find-plugin.h"
#include "frames.h"
#include "interrupt.h"
#include "output-set.h"
#include "outputs.h"
#include "pull.h"
#include "render.h"
#include "verdict-text.h"

/* Exit statuses, as --help says; 128 + the signal's number when a signal
 * stopped the run, as shells report it. */
#define EXIT_REGISTERED 0
#define EXIT_NEEDS_REGISTRATION 1
#define EXIT_ERROR 2
#define EXIT_SIGNAL_BASE 128

/* Every name the program writes in the output folder: an earlier run's
 * files of these names are replaced or removed, so that the folder holds
 * one run's results. */
#define RESULT_NAMES "^((heatmap|shift)(-[0-9]{4,})?\\.png|median-r\\.png|" \
  "summary\\.csv|(r|r-best|dx|dy|mean-[01]|stddev-[01]|covariance)\\.tif)$"

/* The grids written as TIFF, by the meta's field names. */
static const gchar *const tiff_grids[] = {
  "r", "mean-0", "mean-1", "stddev-0", "stddev-1", "covariance", "dx", "dy",
  "r-best"
};

static const struct
{
  const gchar *name;
  BwColormap map;
} colormaps[] = {
  {"viridis", BW_COLORMAP_VIRIDIS}, {"magma", BW_COLORMAP_MAGMA},
  {"coolwarm", BW_COLORMAP_COOLWARM}, {"gray", BW_COLORMAP_GRAY},
};

typedef struct
{
  guint block_w, block_h;
  gchar *edge_mode;
  gdouble threshold;
  gdouble min_intensity;        /* -1: estimated */
  gint search_radius;
  gint min_region_blocks;
  BwColormap colormap;
  gdouble range_min, range_max;
  gchar *out_dir;
  gboolean json;
  gboolean quiet;
} Options;

static Options opt;
/* The run's results, deleted by die() before they are committed. */
static BcOutputSet *outputs;

static gboolean
parse_block (const gchar * name, const gchar * value, gpointer data,
    GError ** error)
{
  guint64 w, h;
  gchar *end;

  w = g_ascii_strtoull (value, &end, 10);
  if (*end == 'x' || *end == 'X')
    h = g_ascii_strtoull (end + 1, &end, 10);
  else
    h = w;
  if (*end || w < 1 || h < 1 || w > 4096 || h > 4096) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--block wants a size such as 16 or 16x8 (1..4096), not \"%s\"",
        value);
    return FALSE;
  }
  opt.block_w = w;
  opt.block_h = h;
  return TRUE;
}

static gboolean
parse_range (const gchar * name, const gchar * value, gpointer data,
    GError ** error)
{
  return bc_parse_range (value, &opt.range_min, &opt.range_max, error);
}

static gboolean
parse_min_intensity (const gchar * name, const gchar * value, gpointer data,
    GError ** error)
{
  gchar *end;
  gdouble v;

  if (g_str_equal (value, "auto")) {
    opt.min_intensity = -1;
    return TRUE;
  }
  v = g_ascii_strtod (value, &end);
  if (*end || !(v >= 0 && v <= 65535)) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--min-intensity wants auto or a level between 0 and 65535, not "
        "\"%s\"", value);
    return FALSE;
  }
  opt.min_intensity = v;
  return TRUE;
}

static gboolean
parse_colormap (const gchar * name, const gchar * value, gpointer data,
    GError ** error)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (colormaps); i++)
    if (g_str_equal (value, colormaps[i].name)) {
      opt.colormap = colormaps[i].map;
      return TRUE;
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
      "--colormap wants viridis, magma, coolwarm or gray, not \"%s\"", value);
  return FALSE;
}

static void
die (const gchar * fmt, ...) G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN;

static void
die (const gchar * fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  fputs ("gst-blockcorr: ", stderr);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  va_end (ap);
  bc_output_set_discard (outputs);
  exit (EXIT_ERROR);
}

/* Prints to standard output at once (a reader of --json gets each frame
 * as it is done), or dies naming the cause: results that cannot be printed
 * are an error like results that cannot be written. */
static void
print_checked (const gchar * fmt, ...) G_GNUC_PRINTF (1, 2);

static void
print_checked (const gchar * fmt, ...)
{
  va_list ap;
  gint written;

  va_start (ap, fmt);
  written = vprintf (fmt, ap);
  va_end (ap);
  if (written < 0 || fflush (stdout) != 0 || ferror (stdout))
    die ("cannot write to standard output: %s", g_strerror (errno));
}

/* A standard stream closed by the parent would be the number of the next
 * file opened, which printing would then write into.  /dev/null opened the
 * wrong way round keeps the number taken and makes printing fail, as it
 * should. */
static void
keep_standard_streams (void)
{
  gint fd;

  for (fd = 0; fd <= 2; fd++)
    if (fcntl (fd, F_GETFD) < 0 && errno == EBADF
        && open ("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY) != fd)
      exit (EXIT_ERROR);
}

/* A file name as text for people: bytes that are not UTF-8 become U+FFFD
 * (the name on the terminal and in the outputs is the same). */
static gchar *
display_name (const gchar * name)
{
  return g_utf8_make_valid (name, -1);
}

/* ---- the analysis pipeline ----------------------------------------------- */

typedef struct
{
  GstElement *pipeline;
  GstElement *src[2];
  GstElement *sink;
  GstCaps *caps[2];
} Analysis;

static void
analysis_init (Analysis * an)
{
  GError *err = NULL;
  GstElement *bc;
  gchar *desc;

  desc = g_strdup_printf ("appsrc name=s0 format=time ! blockcorr name=c "
      "block-width=%u block-height=%u output-size=grid "
      "! video/x-raw,format=GRAY8 ! appsink name=out sync=false "
      "appsrc name=s1 format=time ! c.sink_1", opt.block_w, opt.block_h);
  an->pipeline = gst_parse_launch (desc, &err);
  g_free (desc);
  if (!an->pipeline)
    die ("cannot build the analysis: %s", err->message);
  bc = gst_bin_get_by_name (GST_BIN (an->pipeline), "c");
  gst_util_set_object_arg (G_OBJECT (bc), "edge-mode", opt.edge_mode);
  g_object_set (bc, "threshold", opt.threshold, "min-intensity",
      opt.min_intensity, "search-radius", (guint) opt.search_radius,
      "min-region-blocks", (guint) opt.min_region_blocks, "post-messages",
      FALSE, NULL);
  gst_object_unref (bc);
  an->src[0] = gst_bin_get_by_name (GST_BIN (an->pipeline), "s0");
  an->src[1] = gst_bin_get_by_name (GST_BIN (an->pipeline), "s1");
  an->sink = gst_bin_get_by_name (GST_BIN (an->pipeline), "out");
  if (gst_element_set_state (an->pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE)
    die ("cannot start the analysis");
}

static void
analysis_clear (Analysis * an)
{
  guint i;

  gst_element_set_state (an->pipeline, GST_STATE_NULL);
  for (i = 0; i < 2; i++) {
    gst_clear_object (&an->src[i]);
    gst_clear_caps (&an->caps[i]);
  }
  gst_clear_object (&an->sink);
  gst_clear_object (&an->pipeline);
}

/* Pushes frame n of one input: the decoded buffer, timed as frame n of a
 * 1 frame-per-second stream (pairing is by index, not by the files' own
 * times). */
static void
analysis_push (Analysis * an, guint input, GstSample * sample, guint n)
{
  GstCaps *caps = gst_caps_copy (gst_sample_get_caps (sample));
  GstBuffer *buf = gst_buffer_copy (gst_sample_get_buffer (sample));

  gst_caps_set_simple (caps, "framerate", GST_TYPE_FRACTION, 1, 1, NULL);
  if (!an->caps[input] || !gst_caps_is_equal (caps, an->caps[input])) {
    gst_caps_replace (&an->caps[input], caps);
    gst_app_src_set_caps (GST_APP_SRC (an->src[input]), caps);
  }
  gst_caps_unref (caps);
  GST_BUFFER_PTS (buf) = n * GST_SECOND;
  GST_BUFFER_DTS (buf) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (buf) = GST_SECOND;
  gst_app_src_push_buffer (GST_APP_SRC (an->src[input]), buf);
}

static gboolean
take_error (gpointer analysis, GError ** error)
{
  Analysis *an = analysis;
  GstBus *bus = gst_element_get_bus (an->pipeline);
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  GError *err = NULL;

  gst_object_unref (bus);
  if (!msg)
    return TRUE;
  gst_message_parse_error (msg, &err, NULL);
  g_set_error (error, err->domain, err->code, "analysis failed: %s",
      err->message);
  g_clear_error (&err);
  gst_message_unref (msg);
  return FALSE;
}

/* The result of the pair just pushed, or death with the element's error. */
static GstSample *
analysis_pull (Analysis * an)
{
  GError *err = NULL;
  GstSample *s = bc_pull_sample (GST_APP_SINK (an->sink), take_error, an,
      &err);

  if (!s)
    die ("%s", err ? err->message :
        "analysis failed: it ended without a result");
  return s;
}

/* ---- one pair's results -------------------------------------------------- */

typedef struct
{
  BcTiffStack *tiffs[G_N_ELEMENTS (tiff_grids)];
  BcOutput *csv;
  GArray *median, *below;
  guint needing;
  GString *needing_list;
} Results;

static const gfloat *
grid (const GstStructure * s, const gchar * name)
{
  const GValue *v = gst_structure_get_value (s, name);

  return v ? g_bytes_get_data (g_value_get_boxed (v), NULL) : NULL;
}

/* The length of each block's displacement, for the shift picture. */
static gfloat *
shift_lengths (const GstStructure * s, guint n)
{
  const gfloat *dx = grid (s, "dx"), *dy = grid (s, "dy");
  gfloat *len = g_new (gfloat, n);
  guint i;

  for (i = 0; i < n; i++)
    len[i] = dx && dy ? hypotf (dx[i], dy[i]) : NAN;
  return len;
}

static void
write_heatmap (const gchar * kind, guint n, guint total, const BcHeatmap * hm)
{
  GError *err = NULL;
  gchar *name = total > 1 ? g_strdup_printf ("%s-%04u.png", kind, n) :
      g_strdup_printf ("%s.png", kind);
  BcOutput *png = bc_output_set_create (outputs, name, &err);

  if (!png || !bc_render_heatmap (hm, png, &err)
      || !bc_output_close (png, &err))
    die ("%s", err->message);
  g_free (name);
}

/* Writes what one pair gives and returns whether it needs registration. */
static gboolean
record_pair (Results * res, guint n, guint total, const gchar * l0,
    const gchar * l1, const GstStructure * s, guint width, guint height)
{
  guint cols = bc_number (s, "cols"), rows = bc_number (s, "rows"), i;
  gdouble below = bc_number (s, "below-threshold");
  gdouble median = bc_number (s, "median");
  const gchar *verdict = gst_structure_get_string (s, "verdict");
  gboolean needs = g_strcmp0 (verdict, "needs-registration") == 0;
  gchar *line, *title, *subtitle, *text, *headline, *b0, *b1;
  GError *err = NULL;
  BcHeatmap hm;

  text = bc_verdict_text (s, width, height);
  if (g_strcmp0 (verdict, "no-texture") == 0 && total == 1) {
    b0 = display_name (l0);
    b1 = display_name (l1);
    die ("%s and %s: %s: nothing to compare", b0, b1, text);
  }

  for (i = 0; i < G_N_ELEMENTS (tiff_grids); i++) {
    gchar *desc = g_strdup_printf ("%s of %s against %s, %ux%u blocks",
        tiff_grids[i], l1, l0, opt.block_w, opt.block_h);

    if (!bc_tiff_stack_add (res->tiffs[i], grid (s, tiff_grids[i]), cols,
            rows, desc, &err))
      die ("%s", err->message);
    g_free (desc);
  }
  line = bc_csv_row (n, l0, l1, s);
  if (!bc_output_write (res->csv, line, strlen (line))
      || !bc_output_write (res->csv, "\n", 1)) {
    bc_output_report (res->csv, &err);
    die ("%s", err->message);
  }
  g_free (line);

  /* The files' own names: folders make the caption longer than the
   * picture (the CSV keeps the whole paths). */
  b0 = g_path_get_basename (l0);
  b1 = g_path_get_basename (l1);
  title = g_strdup_printf ("r per block: %s against %s", b1, b0);
  headline = bc_verdict_headline (s);
  subtitle = g_strdup_printf ("%ux%u blocks (%u x %u), median r %.3f: %s",
      opt.block_w, opt.block_h, cols, rows, median, headline);
  g_free (headline);
  hm.values = grid (s, "r");
  hm.cols = cols;
  hm.rows = rows;
  hm.range_min = opt.range_min;
  hm.range_max = opt.range_max;
  hm.colormap = opt.colormap;
  hm.title = title;
  hm.subtitle = subtitle;
  hm.quantity = "r";
  write_heatmap ("heatmap", n, total, &hm);
  g_free (title);
  if (opt.search_radius > 0) {
    gfloat *len = shift_lengths (s, cols * rows);

    title = g_strdup_printf ("displacement per block, px: %s against %s", b1,
        b0);
    hm.values = len;
    hm.range_min = 0;
    hm.range_max = opt.search_radius;
    hm.colormap = BW_COLORMAP_VIRIDIS;
    hm.title = title;
    hm.quantity = "shift, px";
    write_heatmap ("shift", n, total, &hm);
    g_free (title);
    g_free (len);
  }
  g_free (subtitle);
  g_free (b0);
  g_free (b1);

  g_array_append_val (res->median, median);
  g_array_append_val (res->below, below);

  if (opt.json) {
    line = bc_json_line (n, l0, l1, s, text);
    print_checked ("%s\n", line);
    g_free (line);
  } else if (!opt.quiet) {
    gdouble background = bc_number (s, "background");
    gchar *shown = display_name (l1);
    gchar *which = total > 1 ? g_strdup_printf ("frame %u (%s): ", n,
        shown) : g_strdup ("");

    print_checked ("%s%s. Median r %.3f over %.0f valid blocks of %ux%u; "
        "%.0f background, %.0f invalid.\n", which, text, median,
        bc_number (s, "valid"), opt.block_w, opt.block_h, background,
        bc_number (s, "invalid") - background);
    g_free (which);
    g_free (shown);
  }
  g_free (text);
  if (needs) {
    res->needing++;
    g_string_append_printf (res->needing_list, "%s%u",
        res->needing_list->len ? ", " : "", n);
  }
  return needs;
}

/* ---- main ---------------------------------------------------------------- */

/* Refuses inputs that the results would replace: they would be lost. */
static void
check_inputs (BcFrames * in[2])
{
  GPtrArray *files = g_ptr_array_new ();
  GError *err = NULL;
  guint i, k;

  for (i = 0; i < 2; i++)
    for (k = 0; k < bc_frames_n_files (in[i]); k++)
      g_ptr_array_add (files, (gpointer) bc_frames_file (in[i], k));
  if (!bc_output_set_check_inputs (outputs,
          (const gchar * const *) files->pdata, files->len, &err))
    die ("%s", err->message);
  g_ptr_array_unref (files);
}

/* The median r and the fraction below the threshold over the frames done
 * (all, unless the run was interrupted). */
static void
write_series (Results * res, guint done, guint total, const gchar * arg0,
    const gchar * arg1)
{
  GError *err = NULL;
  gchar *title = done < total ? g_strdup_printf ("%s against %s, %ux%u "
      "blocks (frames 0 to %u of %u: interrupted)", arg1, arg0, opt.block_w,
      opt.block_h, done - 1, total) : g_strdup_printf ("%s against %s, "
      "%ux%u blocks", arg1, arg0, opt.block_w, opt.block_h);
  BcOutput *png = bc_output_set_create (outputs, "median-r.png", &err);

  if (!png || !bc_render_series ((gdouble *) res->median->data,
          (gdouble *) res->below->data, done, opt.threshold, title, png,
          &err) || !bc_output_close (png, &err))
    die ("%s", err->message);
  g_free (title);
}

/* Completes every file and renames them all into place, or dies (and
 * none of them is). */
static void
commit_results (Results * res, guint done, guint total, const gchar * arg0,
    const gchar * arg1)
{
  GError *err = NULL;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (tiff_grids); i++)
    if (!bc_tiff_stack_close (res->tiffs[i], &err))
      die ("%s", err->message);
  if (!bc_output_close (res->csv, &err))
    die ("%s", err->message);
  if (total > 1)
    write_series (res, done, total, arg0, arg1);
  bc_interrupt_hold ();
  if (!bc_output_set_commit (outputs, &err))
    die ("%s", err->message);
  bc_interrupt_release ();
  bc_output_set_free (outputs);
  outputs = NULL;
}

/* No frame done: nothing to keep. */
static void
drop_results (Results * res)
{
  guint i;

  bc_interrupt_hold ();
  for (i = 0; i < G_N_ELEMENTS (tiff_grids); i++)
    bc_tiff_stack_free (res->tiffs[i]);
  bc_output_set_free (outputs);
  outputs = NULL;
  bc_interrupt_release ();
}

static const gchar *
signal_name (gint sig)
{
  switch (sig) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "a signal";
  }
}

static void
report_interruption (guint done, guint total)
{
  const gchar *sig = signal_name (bc_interrupt_signal ());
  gchar *shown = display_name (opt.out_dir);
  gchar *which = done > 1 ? g_strdup_printf ("frames 0 to %u", done - 1) :
      g_strdup ("frame 0");

  if (done == 0)
    fprintf (stderr, "gst-blockcorr: interrupted by %s before the first "
        "frame was done: no results written\n", sig);
  else
    fprintf (stderr, "gst-blockcorr: interrupted by %s: the results in %s/ "
        "hold %u of %u frames: %s\n", sig, shown, done, total, which);
  g_free (which);
  g_free (shown);
}

static void
progress (guint done, guint total, gint64 start)
{
  if (opt.quiet || opt.json || total < 2 || !isatty (fileno (stderr)))
    return;
  if (g_get_monotonic_time () - start < G_USEC_PER_SEC && done < total)
    return;
  fprintf (stderr, "\r%u / %u frames", done, total);
  if (done == total)
    fputc ('\n', stderr);
  fflush (stderr);
}

int
main (int argc, char **argv)
{
  static const gchar summary[] =
      "Answers \"do these two images need registering (aligning), and "
      "where?\".\n"
      "REFERENCE and COMPARED are image files (TIFF, PNG, ... any format "
      "GStreamer\nreads), multi-page TIFF stacks, or image-sequence patterns "
      "such as frame_%04d.png.\nFrames are paired by index: frame n of one "
      "with frame n of the other, or every\nframe with a single image.";
  static const gchar description[] =
      "Writes into the output folder: heatmap.png and shift.png "
      "(heatmap-NNNN.png and\nshift-NNNN.png per frame of a stack, and "
      "median-r.png), r.tif, dx.tif, dy.tif,\nr-best.tif, mean-0.tif, "
      "mean-1.tif, stddev-0.tif, stddev-1.tif and covariance.tif\n(float32 "
      "grids, one page per frame, NaN where undefined), and summary.csv.\n"
      "They are written under temporary names and renamed when the run is "
      "done, replacing\nan earlier run's results there as a whole; a run "
      "that fails leaves the folder\nas it was.  An input that the results "
      "would replace is refused.\n\n"
      "Each block is searched for the offset, up to --search-radius pixels, "
      "where it\ncorrelates best.  A pair needs registration when the "
      "compared image is shifted\nas a whole (by at least 0.25 px), or when "
      "a region of blocks is displaced or\nmatches nowhere; background "
      "blocks (estimated, see --min-intensity) count for\nnothing.\n\n"
      "Ctrl-C (SIGINT), SIGTERM or SIGHUP stops the run after the frame in "
      "progress and\nkeeps the frames done; a second one stops it at once, "
      "without results.\n\n"
      "Exit status: 0 = looks registered (every pair), 1 = needs registration "
      "(some pair),\n2 = usage, input or output error, 128 + the signal's "
      "number when a signal\nstopped the run (130 for SIGINT, 143 for "
      "SIGTERM).";
  GOptionEntry entries[] = {
    {"block", 'b', 0, G_OPTION_ARG_CALLBACK, parse_block,
        "Block size in pixels (default 16)", "16 or 16x8"},
    {"edge-mode", 0, 0, G_OPTION_ARG_STRING, &opt.edge_mode,
        "trim (default) drops the partial blocks at the right and bottom "
          "edges; partial keeps them", "trim|partial"},
    {"search-radius", 'r', 0, G_OPTION_ARG_INT, &opt.search_radius,
          "Largest displacement searched per block, px (0..8, default 2; 0: "
          "r only, regions of low r)", "R"},
    {"min-region-blocks", 0, 0, G_OPTION_ARG_INT, &opt.min_region_blocks,
        "Blocks a displaced region needs to count (default 3)", "N"},
    {"threshold", 't', 0, G_OPTION_ARG_DOUBLE, &opt.threshold,
        "r level of the below-threshold fraction (default 0.5)", "R"},
    {"min-intensity", 0, 0, G_OPTION_ARG_CALLBACK, parse_min_intensity,
          "Background level in sample units: blocks darker in both images "
          "count for nothing; auto (the default) estimates it per image, 0 "
          "turns it off", "auto|LEVEL"},
    {"colormap", 0, 0, G_OPTION_ARG_CALLBACK, parse_colormap,
        "Heatmap colours (default viridis)", "viridis|magma|coolwarm|gray"},
    {"range", 0, 0, G_OPTION_ARG_CALLBACK, parse_range,
          "r values at the two ends of the colour bar (default 0:1, where "
          "registered and shifted pairs differ)", "MIN:MAX"},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &opt.out_dir,
        "Output folder (default blockcorr-out)", "DIR"},
    {"json", 0, 0, G_OPTION_ARG_NONE, &opt.json,
        "One JSON object per frame on stdout instead of sentences", NULL},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt.quiet,
        "Print nothing but errors (the exit status answers)", NULL},
    {NULL}
  };
  GOptionContext *ctx;
  GError *err = NULL;
  BcFrames *in[2];
  GstSample *frame[2] = { NULL, NULL }, *single[2] = { NULL, NULL };
  gchar *label[2] = { NULL, NULL };
  guint count[2], total, n, i;
  Analysis an = { 0, };
  Results res = { 0, };
  gint64 start;
  gint status;

  keep_standard_streams ();
  opt.block_w = opt.block_h = 16;
  opt.threshold = 0.5;
  opt.min_intensity = -1;
  opt.search_radius = 2;
  opt.min_region_blocks = 3;
  opt.colormap = BW_COLORMAP_VIRIDIS;
  opt.range_min = 0.0;
  opt.range_max = 1.0;

  ctx = g_option_context_new ("REFERENCE COMPARED");
  g_option_context_set_summary (ctx, summary);
  g_option_context_set_description (ctx, description);
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err))
    die ("%s (see --help)", err->message);
  g_option_context_free (ctx);
  if (argc != 3)
    die ("two images are needed: gst-blockcorr [OPTIONS] REFERENCE COMPARED "
        "(see --help)");
  if (!opt.edge_mode)
    opt.edge_mode = g_strdup ("trim");
  if (!g_str_equal (opt.edge_mode, "trim")
      && !g_str_equal (opt.edge_mode, "partial"))
    die ("--edge-mode wants trim or partial, not \"%s\"", opt.edge_mode);
  if (!(opt.threshold >= -1 && opt.threshold <= 1))
    die ("--threshold wants an r level between -1 and 1");
  if (opt.search_radius < 0 || opt.search_radius > 8)
    die ("--search-radius wants 0..8 pixels, not %d", opt.search_radius);
  if (opt.min_region_blocks < 1)
    die ("--min-region-blocks wants at least 1, not %d",
        opt.min_region_blocks);
  if (!opt.out_dir)
    opt.out_dir = g_strdup ("blockcorr-out");
  if (!bc_find_plugin (&err))
    die ("%s", err->message);

  for (i = 0; i < 2; i++) {
    in[i] = bc_frames_open (argv[1 + i], &err);
    if (!in[i])
      die ("%s", err->message);
    count[i] = bc_frames_count (in[i]);
  }
  if (count[0] != count[1] && count[0] != 1 && count[1] != 1)
    die ("%s has %u frames and %s has %u: two stacks must have the same "
        "length (or one of them be a single image)", argv[1], count[0],
        argv[2], count[1]);
  total = MAX (count[0], count[1]);

  /* Until now a signal ends the program at once: nothing is written yet. */
  bc_interrupt_install ();
  outputs = bc_output_set_new (opt.out_dir, RESULT_NAMES, &err);
  if (!outputs)
    die ("%s", err->message);
  check_inputs (in);
  for (i = 0; i < G_N_ELEMENTS (tiff_grids); i++) {
    gchar *name = g_strdup_printf ("%s.tif", tiff_grids[i]);
    BcOutput *out = bc_output_set_create (outputs, name, &err);

    if (!out || !(res.tiffs[i] = bc_tiff_stack_new (out, &err)))
      die ("%s", err->message);
    g_free (name);
  }
  res.csv = bc_output_set_create (outputs, "summary.csv", &err);
  if (!res.csv)
    die ("%s", err->message);
  {
    gchar *header = bc_csv_header ();

    if (!bc_output_write (res.csv, header, strlen (header))
        || !bc_output_write (res.csv, "\n", 1)) {
      bc_output_report (res.csv, &err);
      die ("%s", err->message);
    }
    g_free (header);
  }
  res.median = g_array_new (FALSE, FALSE, sizeof (gdouble));
  res.below = g_array_new (FALSE, FALSE, sizeof (gdouble));
  res.needing_list = g_string_new (NULL);

  analysis_init (&an);
  /* Both inputs decode at once (each file in its own pipeline). */
  for (i = 0; i < 2; i++)
    if (!bc_frames_prefetch (in[i], &err))
      die ("%s", err->message);
  start = g_get_monotonic_time ();
  for (n = 0; n < total && !bc_interrupt_signal (); n++) {
    GstSample *out;
    GstVideoInfo vi[2];

    for (i = 0; i < 2; i++) {
      if (count[i] == 1 && single[i]) {
        frame[i] = gst_sample_ref (single[i]);
        continue;
      }
      g_free (label[i]);
      label[i] = NULL;
      frame[i] = bc_frames_next (in[i], &label[i], &err);
      if (!frame[i])
        die ("%s", err ? err->message : "a frame is missing");
      if (count[i] == 1)
        single[i] = gst_sample_ref (frame[i]);
    }
    /* Also for a single image reused from the first pair. */
    for (i = 0; i < 2; i++)
      gst_video_info_from_caps (&vi[i], gst_sample_get_caps (frame[i]));
    if (n == 0 || count[0] > 1 || count[1] > 1) {
      GstVideoInfo a, b;

      gst_video_info_from_caps (&a, gst_sample_get_caps (frame[0]));
      gst_video_info_from_caps (&b, gst_sample_get_caps (frame[1]));
      if (a.width != b.width || a.height != b.height)
        die ("the images differ in size: %s is %dx%d, %s is %dx%d (register "
            "or crop them to one size first)", label[0], a.width, a.height,
            label[1], b.width, b.height);
      if (((guint) a.width < opt.block_w || (guint) a.height < opt.block_h)
          && g_str_equal (opt.edge_mode, "trim"))
        die ("the block size %ux%u is larger than the images (%dx%d)",
            opt.block_w, opt.block_h, a.width, a.height);
    }
    for (i = 0; i < 2; i++) {
      analysis_push (&an, i, frame[i], n);
      gst_sample_unref (frame[i]);
    }
    out = analysis_pull (&an);
    record_pair (&res, n, total, label[0], label[1],
        gst_custom_meta_get_structure (gst_buffer_get_custom_meta
            (gst_sample_get_buffer (out), "GstBlockCorrMeta")),
        GST_VIDEO_INFO_WIDTH (&vi[0]), GST_VIDEO_INFO_HEIGHT (&vi[0]));
    gst_sample_unref (out);
    progress (n + 1, total, start);
  }
  for (i = 0; i < 2; i++) {
    gst_app_src_end_of_stream (GST_APP_SRC (an.src[i]));
    if (single[i])
      gst_sample_unref (single[i]);
    bc_frames_free (in[i]);
    g_free (label[i]);
  }
  analysis_clear (&an);

  /* n: the frames done, all of them unless a signal stopped the run. */
  if (n > 0)
    commit_results (&res, n, total, argv[1], argv[2]);
  else
    drop_results (&res);

  if (n > 0 && total > 1 && !opt.quiet && !opt.json) {
    if (res.needing)
      print_checked ("%u of %u frames need registration: %s.\n",
          res.needing, n, res.needing_list->str);
    else
      print_checked ("All %u frames look registered.\n", n);
  }
  if (n > 0 && !opt.quiet && !opt.json) {
    gchar *shown = display_name (opt.out_dir);

    print_checked ("Results in %s/: heatmap%s.png%s, r.tif and the other "
        "grids, summary.csv.\n", shown, total > 1 ? "-NNNN" : "",
        opt.search_radius > 0 ? (total > 1 ? ", shift-NNNN.png" :
            ", shift.png") : "");
    g_free (shown);
  }
  if (n < total) {
    report_interruption (n, total);
    status = EXIT_SIGNAL_BASE + bc_interrupt_signal ();
  } else {
    status = res.needing ? EXIT_NEEDS_REGISTRATION : EXIT_REGISTERED;
  }
  g_array_unref (res.median);
  g_array_unref (res.below);
  g_string_free (res.needing_list, TRUE);
  g_free (opt.out_dir);
  g_free (opt.edge_mode);
  gst_deinit ();
  return status;
}
