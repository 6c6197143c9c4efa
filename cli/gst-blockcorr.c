/* gst-blockcorr: do two images (or two stacks) need registering, and where?
 * How does a stack drift?
 *
 * Decodes REFERENCE and COMPARED frame by frame (any image format GStreamer
 * reads, multi-page TIFF stacks, image-sequence patterns), pairs them by
 * index, runs each pair through blockcorr and writes the heatmap, the grids
 * as float32 TIFF, a CSV summary and a verdict.  A single STACK runs
 * through blockdrift instead, every frame against the first (or the one
 * before), and also gives its drift.  --register writes the registered
 * frames.
 *
 * Every step returns its error to main(), which reports it, deletes the
 * run's uncommitted files and exits with EXIT_ERROR.
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
#include <gst/gst.h>
#include <gst/video/video.h>
#include <glib/gstdio.h>

#include "args.h"
#include "colormap.h"
#include "correlate.h"
#include "find-plugin.h"
#include "frames.h"
#include "interrupt.h"
#include "output-set.h"
#include "outputs.h"
#include "params.h"
#include "registered.h"
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
  "(summary|drift)\\.csv|drift\\.png|" \
  "(r|r-best|dx|dy|mean-[01]|stddev-[01]|covariance)\\.tif)$"

/* --fill not given: no level a user can type. */
#define FILL_UNSET G_MININT

#define BC_ERROR (bc_error_quark ())
G_DEFINE_QUARK (gst_blockcorr_error, bc_error);

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
  BwParams params;              /* the analysis' settings */
  gchar *edge_mode;             /* as given, NULL: the default */
  gint search_radius;           /* as given, checked into params */
  gint min_region_blocks;       /* as given, checked into params */
  BwColormap colormap;
  gdouble range_min, range_max;
  gchar *out_dir;
  gboolean json;
  gboolean quiet;
  gchar *reference;             /* first|previous, NULL: first */
  gchar *register_path;         /* --register, or NULL */
  gchar *correct, *border;      /* as given, NULL: the defaults */
  gint fill;                    /* FILL_UNSET: not given */
} Options;

static Options opt;

/* The results of the pairs done so far. */
typedef struct
{
  BcTiffStack *tiffs[G_N_ELEMENTS (tiff_grids)];
  BcOutput *csv;
  GArray *median, *below_fraction;
  guint needing;
  GString *needing_list;
  /* a single stack's drift */
  BcOutput *drift_csv;
  GArray *drift_x, *drift_y, *marks;
  /* --register */
  BcRegistered *registered;
} Results;

/* Everything one run holds, freed by run_clear() however far it got. */
typedef struct
{
  gboolean one_stack;           /* STACK: in[0] against its own frames */
  const gchar *arg[2];          /* REFERENCE and COMPARED, as given */
  BcFrames *in[2];
  guint count[2];               /* frames of each input */
  guint total;                  /* pairs to analyse */
  BcOutputSet *outputs;         /* NULL once committed or dropped */
  Results res;
  BcCorrelator *corr;
  BcCorrelator *registrar;      /* --register of two inputs: blockdrift */
  guint registered_frames;      /* frames pushed into the registrar */
  GstSample *single[2];         /* an input's only frame, reused */
  gchar *label[2];              /* the current frames' files (and pages) */
  guint done;                   /* pairs analysed */
} Run;

/* ---- options ------------------------------------------------------------- */

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
  if (*end || MIN (w, h) < 1 || MAX (w, h) > BW_MAX_BLOCK_SIZE) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--block wants a size such as 16 or 16x8 (1..%u), not \"%s\"",
        BW_MAX_BLOCK_SIZE, value);
    return FALSE;
  }
  opt.params.block_width = w;
  opt.params.block_height = h;
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
    opt.params.min_intensity = BW_AUTO;
    return TRUE;
  }
  v = g_ascii_strtod (value, &end);
  if (*end || !(v >= 0 && v <= 65535)) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--min-intensity wants auto or a level between 0 and 65535, not "
        "\"%s\"", value);
    return FALSE;
  }
  opt.params.min_intensity = v;
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

/* The analysis' defaults; the command line's own for the rest. */
static void
options_init (void)
{
  bw_params_init (&opt.params);
  /* Signed copies, so that a negative option value can be refused. */
  opt.search_radius = opt.params.search_radius;
  opt.min_region_blocks = opt.params.min_region_blocks;
  opt.colormap = BW_COLORMAP_VIRIDIS;
  opt.range_min = 0.0;
  opt.range_max = 1.0;
  opt.fill = FILL_UNSET;
}

static void
options_clear (void)
{
  g_clear_pointer (&opt.out_dir, g_free);
  g_clear_pointer (&opt.edge_mode, g_free);
  g_clear_pointer (&opt.reference, g_free);
  g_clear_pointer (&opt.register_path, g_free);
  g_clear_pointer (&opt.correct, g_free);
  g_clear_pointer (&opt.border, g_free);
}

/* value is one of the words of choices (separated by |), or NULL. */
static gboolean
check_choice (const gchar * option, const gchar * value,
    const gchar * choices, GError ** error)
{
  gchar **words = g_strsplit (choices, "|", -1);
  gboolean ok = !value || g_strv_contains ((const gchar * const *) words,
      value);
  gchar *listed;

  if (!ok) {
    listed = g_strjoinv (" or ", words);
    g_set_error (error, BC_ERROR, 0, "--%s wants %s, not \"%s\"", option,
        listed, value);
    g_free (listed);
  }
  g_strfreev (words);
  return ok;
}

/* The options of one stack and of --register, for n_inputs inputs. */
static gboolean
check_drift_options (guint n_inputs, GError ** error)
{
  if (!check_choice ("reference", opt.reference, "first|previous", error)
      || !check_choice ("correct", opt.correct, "shift|affine", error)
      || !check_choice ("border", opt.border, "edge|constant", error))
    return FALSE;
  if (opt.reference && n_inputs != 1) {
    g_set_error (error, BC_ERROR, 0, "--reference is for one STACK: with "
        "two inputs frame n of one is compared with frame n of the other");
    return FALSE;
  }
  if (!opt.register_path && (opt.correct || opt.border
          || opt.fill != FILL_UNSET)) {
    g_set_error (error, BC_ERROR, 0,
        "--%s says how to register: it needs " "--register FILE",
        opt.correct ? "correct" : opt.border ? "border" : "fill");
    return FALSE;
  }
  if (opt.fill != FILL_UNSET && (opt.fill < 0 || opt.fill > 65535)) {
    g_set_error (error, BC_ERROR, 0, "--fill wants a level between 0 and "
        "65535");
    return FALSE;
  }
  if (opt.register_path && !*opt.register_path) {
    g_set_error (error, BC_ERROR, 0, "--register wants a file name");
    return FALSE;
  }
  return TRUE;
}

/* The values the option parser cannot check by itself. */
static gboolean
check_options (GError ** error)
{
  if (!opt.edge_mode || g_str_equal (opt.edge_mode, "trim"))
    opt.params.edge_mode = BW_EDGE_TRIM;
  else if (g_str_equal (opt.edge_mode, "partial"))
    opt.params.edge_mode = BW_EDGE_PARTIAL;
  else {
    g_set_error (error, BC_ERROR, 0, "--edge-mode wants trim or partial, "
        "not \"%s\"", opt.edge_mode);
    return FALSE;
  }
  if (!(opt.params.threshold >= -1 && opt.params.threshold <= 1)) {
    g_set_error (error, BC_ERROR, 0,
        "--threshold wants an r level between -1 and 1");
    return FALSE;
  }
  if (opt.search_radius < 0 || opt.search_radius > BW_MAX_SEARCH_RADIUS) {
    g_set_error (error, BC_ERROR, 0, "--search-radius wants 0..%d pixels, "
        "not %d", BW_MAX_SEARCH_RADIUS, opt.search_radius);
    return FALSE;
  }
  opt.params.search_radius = opt.search_radius;
  if (opt.min_region_blocks < 1) {
    g_set_error (error, BC_ERROR, 0, "--min-region-blocks wants at least 1, "
        "not %d", opt.min_region_blocks);
    return FALSE;
  }
  opt.params.min_region_blocks = opt.min_region_blocks;
  /* The library's own limits, for whatever the checks above let by. */
  {
    gchar *why = NULL;

    if (!bw_params_check (&opt.params, &why)) {
      g_set_error (error, BC_ERROR, 0, "the options give no valid analysis: "
          "%s", why);
      g_free (why);
      return FALSE;
    }
  }
  if (!opt.out_dir)
    opt.out_dir = g_strdup ("blockcorr-out");
  return TRUE;
}

/* Reads the options into opt; argv then holds the inputs, two or one. */
static gboolean
parse_options (gint * argc, gchar *** argv, GError ** error)
{
  static const gchar summary[] =
      "Answers \"do these two images need registering (aligning), and "
      "where?\".\n"
      "REFERENCE and COMPARED are image files (TIFF, PNG, ... any format "
      "GStreamer\nreads), multi-page TIFF stacks, or image-sequence patterns "
      "such as frame_%04d.png.\nFrames are paired by index: frame n of one "
      "with frame n of the other, or every\nframe with a single image.\n\n"
      "With one STACK (a multi-page TIFF or a pattern), every frame is "
      "compared with\nthe first (or with the one before: --reference "
      "previous), and the stack's drift\nis traced; --register FILE writes "
      "the registered (drift-corrected) frames.";
  static const gchar description[] =
      "Writes into the output folder: heatmap.png and shift.png "
      "(heatmap-NNNN.png and\nshift-NNNN.png per frame of a stack, and "
      "median-r.png), r.tif, dx.tif, dy.tif,\nr-best.tif, mean-0.tif, "
      "mean-1.tif, stddev-0.tif, stddev-1.tif and covariance.tif\n(float32 "
      "grids, one page per frame, NaN where undefined), and summary.csv;\n"
      "for one STACK also drift.csv and drift.png (its drift over the "
      "frames).\n"
      "They are written under temporary names and renamed when the run is "
      "done, replacing\nan earlier run's results there as a whole; a run "
      "that fails leaves the folder\nas it was.  An input that the results "
      "would replace is refused.\n\n"
      "Each block is searched for the offset, up to --search-radius pixels, "
      "where it\ncorrelates best.  A pair needs registration when the "
      "compared image is shifted\nas a whole (by at least "
      G_STRINGIFY (BW_DEFAULT_SHIFT_TOLERANCE) " px), or when "
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
        "Block size in pixels (default "
          G_STRINGIFY (BW_DEFAULT_BLOCK_SIZE) ")", "16 or 16x8"},
    {"edge-mode", 0, 0, G_OPTION_ARG_STRING, &opt.edge_mode,
        "trim (default) drops the partial blocks at the right and bottom "
          "edges; partial keeps them", "trim|partial"},
    {"search-radius", 'r', 0, G_OPTION_ARG_INT, &opt.search_radius,
        "Largest displacement from the global shift searched per block, "
          "px (0.."
          G_STRINGIFY (BW_MAX_SEARCH_RADIUS) ", default "
          G_STRINGIFY (BW_DEFAULT_SEARCH_RADIUS) "; 0: r only, regions of "
          "low r)", "R"},
    {"min-region-blocks", 0, 0, G_OPTION_ARG_INT, &opt.min_region_blocks,
        "Blocks a displaced region needs to count (default "
          G_STRINGIFY (BW_DEFAULT_MIN_REGION_BLOCKS) ")", "N"},
    {"threshold", 't', 0, G_OPTION_ARG_DOUBLE, &opt.params.threshold,
        "r level of the below-threshold fraction (default "
          G_STRINGIFY (BW_DEFAULT_THRESHOLD) ")", "R"},
    {"min-intensity", 0, 0, G_OPTION_ARG_CALLBACK, parse_min_intensity,
        "Background level in sample units: blocks darker in both images "
          "count for nothing; auto (the default) estimates it per image and "
          "also takes noise-only blocks at any brightness (glass, "
          "saturation), 0 turns it off", "auto|LEVEL"},
    {"colormap", 0, 0, G_OPTION_ARG_CALLBACK, parse_colormap,
        "Heatmap colours (default viridis)", "viridis|magma|coolwarm|gray"},
    {"range", 0, 0, G_OPTION_ARG_CALLBACK, parse_range,
        "r values at the two ends of the colour bar (default 0:1, where "
          "registered and shifted pairs differ)", "MIN:MAX"},
    {"reference", 0, 0, G_OPTION_ARG_STRING, &opt.reference,
          "With one STACK: compare every frame with the first (default), or "
          "with the one before and accumulate the steps into the drift",
        "first|previous"},
    {"register", 0, 0, G_OPTION_ARG_FILENAME, &opt.register_path,
        "Write the registered frames as a TIFF in their own bit depth: "
          "STACK's frames onto its first (which stays as it is), or COMPARED "
          "onto REFERENCE", "FILE"},
    {"correct", 0, 0, G_OPTION_ARG_STRING, &opt.correct,
          "How --register corrects: shift (default) moves each frame back by "
          "its drift; affine also undoes rotation, scale and shear",
        "shift|affine"},
    {"border", 0, 0, G_OPTION_ARG_STRING, &opt.border,
          "What --register puts where a moved frame leaves no pixels: edge "
          "(default) repeats the nearest one, constant the --fill level",
        "edge|constant"},
    {"fill", 0, 0, G_OPTION_ARG_INT, &opt.fill,
        "The level of --border constant, in sample units (default 0)", "V"},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &opt.out_dir,
        "Output folder (default blockcorr-out)", "DIR"},
    {"json", 0, 0, G_OPTION_ARG_NONE, &opt.json,
        "One JSON object per frame on stdout instead of sentences", NULL},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt.quiet,
        "Print nothing but errors (the exit status answers)", NULL},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("REFERENCE COMPARED | STACK");
  GError *err = NULL;

  g_option_context_set_summary (ctx, summary);
  g_option_context_set_description (ctx, description);
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, argc, argv, &err)) {
    g_set_error (error, err->domain, err->code, "%s (see --help)",
        err->message);
    g_clear_error (&err);
    g_option_context_free (ctx);
    return FALSE;
  }
  g_option_context_free (ctx);
  if (*argc != 2 && *argc != 3) {
    g_set_error (error, BC_ERROR, 0, "two images or one stack are needed: "
        "gst-blockcorr [OPTIONS] REFERENCE COMPARED, or gst-blockcorr "
        "[OPTIONS] STACK (see --help)");
    return FALSE;
  }
  return check_drift_options (*argc - 1, error) && check_options (error);
}

/* ---- standard streams ---------------------------------------------------- */

/* A standard stream closed by the parent would be the number of the next
 * file opened, which printing would then write into.  /dev/null opened the
 * wrong way round keeps the number taken and makes printing fail, as it
 * should.  FALSE when even that fails. */
static gboolean
keep_standard_streams (void)
{
  gint fd;

  for (fd = 0; fd <= 2; fd++)
    if (fcntl (fd, F_GETFD) < 0 && errno == EBADF
        && open ("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY) != fd)
      return FALSE;
  return TRUE;
}

/* Prints to standard output at once (a reader of --json gets each frame
 * as it is done); results that cannot be printed are an error like results
 * that cannot be written. */
/* *INDENT-OFF* */
static gboolean
print_checked (GError ** error, const gchar * fmt, ...) G_GNUC_PRINTF (2, 3);
/* *INDENT-ON* */

static gboolean
print_checked (GError ** error, const gchar * fmt, ...)
{
  va_list ap;
  gint written;

  va_start (ap, fmt);
  written = vprintf (fmt, ap);
  va_end (ap);
  if (written < 0 || fflush (stdout) != 0 || ferror (stdout)) {
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
        "cannot write to standard output: %s", g_strerror (errno));
    return FALSE;
  }
  return TRUE;
}

/* A file name as text for people: bytes that are not UTF-8 become U+FFFD
 * (the name on the terminal and in the outputs is the same). */
static gchar *
display_name (const gchar * name)
{
  return g_utf8_make_valid (name, -1);
}

/* ---- one pair's results -------------------------------------------------- */

static const gfloat *
grid (const GstStructure * s, const gchar * name)
{
  const GValue *v = gst_structure_get_value (s, name);

  return v ? g_bytes_get_data (g_value_get_boxed (v), NULL) : NULL;
}

/* A picture drawn in a thread of its own, while the main thread writes
 * the other outputs. */
typedef struct
{
  BcHeatmap hm;
  BcOutput *png;
  GThread *thread;
  gboolean ok;
  GError *error;
} PictureJob;

static BcOutput *
create_picture (Run * run, const gchar * kind, guint n, GError ** error)
{
  gchar *name = run->total > 1 ? g_strdup_printf ("%s-%04u.png", kind, n) :
      g_strdup_printf ("%s.png", kind);
  BcOutput *png = bc_output_set_create (run->outputs, name, error);

  g_free (name);
  return png;
}

static gboolean
write_heatmap (Run * run, const gchar * kind, guint n, const BcHeatmap * hm,
    GError ** error)
{
  BcOutput *png = create_picture (run, kind, n, error);

  return png && bc_render_heatmap (hm, png, error)
      && bc_output_close (png, error);
}

static gpointer
draw_picture (gpointer data)
{
  PictureJob *job = data;

  job->ok = bc_render_heatmap (&job->hm, job->png, &job->error)
      && bc_output_close (job->png, &job->error);
  return NULL;
}

/* Starts drawing hm into its file in another thread (job stays in place
 * until finish_picture()). */
static gboolean
start_picture (Run * run, const gchar * kind, guint n, const BcHeatmap * hm,
    PictureJob * job, GError ** error)
{
  job->png = create_picture (run, kind, n, error);
  if (!job->png)
    return FALSE;
  job->hm = *hm;
  job->thread = g_thread_new ("picture", draw_picture, job);
  return TRUE;
}

/* Waits for the picture started, if any; its error goes into error when
 * error is not set yet. */
static gboolean
finish_picture (PictureJob * job, GError ** error)
{
  if (!job->thread)
    return TRUE;
  g_thread_join (job->thread);
  job->thread = NULL;
  if (job->ok)
    return TRUE;
  if (error && !*error)
    g_propagate_error (error, job->error);
  else
    g_clear_error (&job->error);
  return FALSE;
}

/* The grids as TIFF pages and the CSV row. */
static gboolean
write_grids (Run * run, guint n, const GstStructure * s, GError ** error)
{
  const gchar *l0 = run->label[0], *l1 = run->label[1];
  guint cols = bc_number (s, "cols"), rows = bc_number (s, "rows"), i;
  gboolean ok = TRUE;
  gchar *line;

  for (i = 0; ok && i < G_N_ELEMENTS (tiff_grids); i++) {
    gchar *desc = g_strdup_printf ("%s of %s against %s, %ux%u blocks",
        tiff_grids[i], l1, l0, opt.params.block_width,
        opt.params.block_height);

    ok = bc_tiff_stack_add (run->res.tiffs[i], grid (s, tiff_grids[i]),
        cols, rows, desc, error);
    g_free (desc);
  }
  if (!ok)
    return FALSE;
  line = bc_csv_row (n, l0, l1, s);
  if (!bc_output_write (run->res.csv, line, strlen (line))
      || !bc_output_write (run->res.csv, "\n", 1))
    ok = bc_output_report (run->res.csv, error);
  g_free (line);
  return ok;
}

/* The heatmap of r and, with a search, of the displacements, and the
 * grids: the last picture is drawn in another thread while the rest are
 * written. */
static gboolean
write_outputs (Run * run, guint n, const GstStructure * s, GError ** error)
{
  guint cols = bc_number (s, "cols"), rows = bc_number (s, "rows");
  gchar *title, *shift_title, *subtitle, *headline, *b0, *b1;
  gboolean ok;
  BcHeatmap hm = { NULL, }, shift;
  PictureJob job = { {NULL,}, };

  /* The files' own names: folders make the caption longer than the
   * picture (the CSV keeps the whole paths). */
  b0 = g_path_get_basename (run->label[0]);
  b1 = g_path_get_basename (run->label[1]);
  title = g_strdup_printf ("r per block: %s against %s", b1, b0);
  shift_title = g_strdup_printf ("displacement per block: %s against %s", b1,
      b0);
  headline = bc_verdict_headline (s);
  subtitle = g_strdup_printf ("%ux%u blocks (%u x %u), median r %.3f: %s",
      opt.params.block_width, opt.params.block_height, cols, rows,
      bc_number (s, "median"), headline);
  g_free (headline);
  hm.values = grid (s, "r");
  hm.background = (const guint8 *) grid (s, "background-mask");
  hm.cols = cols;
  hm.rows = rows;
  hm.range_min = opt.range_min;
  hm.range_max = opt.range_max;
  hm.colormap = opt.colormap;
  hm.title = title;
  hm.subtitle = subtitle;
  hm.quantity = "r";
  shift = hm;
  shift.values = grid (s, "dx");
  shift.dy = grid (s, "dy");
  shift.range_min = 0;
  shift.range_max = opt.params.search_radius;
  shift.title = shift_title;
  shift.quantity = "shift";
  /* The element gives both grids whenever it searches. */
  if (opt.params.search_radius > 0 && shift.values && shift.dy)
    ok = start_picture (run, "shift", n, &shift, &job, error)
        && write_grids (run, n, s, error)
        && write_heatmap (run, "heatmap", n, &hm, error);
  else
    ok = start_picture (run, "heatmap", n, &hm, &job, error)
        && write_grids (run, n, s, error);
  ok = finish_picture (&job, error) && ok;
  g_free (title);
  g_free (shift_title);
  g_free (subtitle);
  g_free (b0);
  g_free (b1);
  return ok;
}

/* The pair's answer on standard output: a JSON line or a sentence. */
static gboolean
print_pair (Run * run, guint n, const GstStructure * s, const gchar * text,
    GError ** error)
{
  gboolean ok = TRUE;

  if (opt.json) {
    gchar *line = bc_json_line (n, run->label[0], run->label[1], s,
        run->one_stack ? bc_drift_fields : NULL, text);

    ok = print_checked (error, "%s\n", line);
    g_free (line);
  } else if (!opt.quiet) {
    gdouble background = bc_number (s, "background");
    gchar *shown = display_name (run->label[1]);
    gchar *which = run->total > 1 ? g_strdup_printf ("frame %u (%s): ", n,
        shown) : g_strdup ("");

    ok = print_checked (error, "%s%s. Median r %.3f over %.0f valid blocks "
        "of %ux%u; %.0f background, %.0f invalid.\n", which, text,
        bc_number (s, "median"), bc_number (s, "valid"),
        opt.params.block_width, opt.params.block_height, background,
        bc_number (s, "invalid") - background);
    g_free (which);
    g_free (shown);
  }
  return ok;
}

/* Writes and prints what pair n gives, and counts it when it needs
 * registration.  A single pair with no texture is an error: there is
 * nothing to compare. */
static gboolean
record_pair (Run * run, guint n, const GstStructure * s, guint width,
    guint height, GError ** error)
{
  const gchar *verdict = gst_structure_get_string (s, "verdict");
  gdouble median = bc_number (s, "median");
  gdouble below_fraction = bc_number (s, "below-threshold");
  gchar *text = bc_verdict_text (s, width, height);
  gboolean ok;

  if (g_strcmp0 (verdict, "no-texture") == 0 && run->total == 1) {
    gchar *b0 = display_name (run->label[0]);
    gchar *b1 = display_name (run->label[1]);

    g_set_error (error, BC_ERROR, 0, "%s and %s: %s: nothing to compare", b0,
        b1, text);
    g_free (b0);
    g_free (b1);
    g_free (text);
    return FALSE;
  }
  ok = write_outputs (run, n, s, error);
  if (ok) {
    g_array_append_val (run->res.median, median);
    g_array_append_val (run->res.below_fraction, below_fraction);
    ok = print_pair (run, n, s, text, error);
  }
  g_free (text);
  if (ok && g_strcmp0 (verdict, "needs-registration") == 0) {
    run->res.needing++;
    g_string_append_printf (run->res.needing_list, "%s%u",
        run->res.needing_list->len ? ", " : "", n);
  }
  return ok;
}

/* ---- the steps of a run -------------------------------------------------- */

/* One STACK: frame 0 is the reference (of every frame, or of frame 1 and
 * then each frame of the next). */
static gboolean
open_stack (Run * run, const gchar * stack, GError ** error)
{
  run->one_stack = TRUE;
  run->arg[0] = run->arg[1] = stack;
  run->in[0] = bc_frames_open (stack, error);
  if (!run->in[0])
    return FALSE;
  run->count[0] = run->count[1] = bc_frames_count (run->in[0]);
  if (run->count[0] < 2) {
    g_set_error (error, BC_ERROR, 0, "%s is a single image: one argument "
        "is a stack whose frames are compared with its first (a multi-page "
        "TIFF, or a pattern such as frame_%%04d.tif); give two images to "
        "compare them", stack);
    return FALSE;
  }
  run->total = run->count[0];
  return TRUE;
}

static gboolean
open_inputs (Run * run, gint n_args, gchar ** args, GError ** error)
{
  guint i;

  if (n_args == 1)
    return open_stack (run, args[0], error);
  run->arg[0] = args[0];
  run->arg[1] = args[1];
  for (i = 0; i < 2; i++) {
    run->in[i] = bc_frames_open (run->arg[i], error);
    if (!run->in[i])
      return FALSE;
    run->count[i] = bc_frames_count (run->in[i]);
  }
  if (run->count[0] != run->count[1] && run->count[0] != 1
      && run->count[1] != 1) {
    g_set_error (error, BC_ERROR, 0, "%s has %u frames and %s has %u: two "
        "stacks must have the same length (or one of them be a single "
        "image)", run->arg[0], run->count[0], run->arg[1], run->count[1]);
    return FALSE;
  }
  run->total = MAX (run->count[0], run->count[1]);
  return TRUE;
}

/* Refuses inputs that the results would replace: they would be lost. */
static gboolean
check_inputs (Run * run, GError ** error)
{
  GPtrArray *files = g_ptr_array_new ();
  gboolean ok;
  guint i, k;

  for (i = 0; i < (run->one_stack ? 1 : 2); i++)
    for (k = 0; k < bc_frames_n_files (run->in[i]); k++)
      g_ptr_array_add (files, (gpointer) bc_frames_file (run->in[i], k));
  ok = bc_output_set_check_inputs (run->outputs,
      (const gchar * const *) files->pdata, files->len, error)
      && (!run->res.registered
      || bc_registered_check_inputs (run->res.registered,
          (const gchar * const *) files->pdata, files->len, error));
  g_ptr_array_unref (files);
  return ok;
}

/* --register's file must not be one of the results of the output folder:
 * one would replace the other. */
static gboolean
check_register_path (GError ** error)
{
  gchar *dir = g_path_get_dirname (opt.register_path);
  gchar *base = g_path_get_basename (opt.register_path);
  GRegex *results = g_regex_new (RESULT_NAMES, G_REGEX_RAW, 0, NULL);
  GStatBuf a, b;
  gboolean ok = TRUE;

  if (g_stat (dir, &a) == 0 && g_stat (opt.out_dir, &b) == 0
      && a.st_dev == b.st_dev && a.st_ino == b.st_ino
      && g_regex_match (results, base, 0, NULL)) {
    g_set_error (error, BC_ERROR, 0, "--register %s would be a result of "
        "the output folder %s (%s): choose another file or output folder",
        opt.register_path, opt.out_dir, base);
    ok = FALSE;
  }
  g_regex_unref (results);
  g_free (dir);
  g_free (base);
  return ok;
}

/* The drift's CSV: one row per frame. */
static gboolean
create_drift_results (Run * run, GError ** error)
{
  static const gchar header[] =
      "frame,dx,dy,accumulated-dx,accumulated-dy,verdict\n";
  Results *res = &run->res;

  res->drift_x = g_array_new (FALSE, FALSE, sizeof (gdouble));
  res->drift_y = g_array_new (FALSE, FALSE, sizeof (gdouble));
  res->marks = g_array_new (FALSE, FALSE, sizeof (BcVerdictMark));
  res->drift_csv = bc_output_set_create (run->outputs, "drift.csv", error);
  if (!res->drift_csv)
    return FALSE;
  return bc_output_write (res->drift_csv, header, strlen (header))
      || bc_output_report (res->drift_csv, error);
}

/* The output folder's new files, under temporary names until the run is
 * done.  From here on a signal stops the run after the frame in progress. */
static gboolean
create_results (Run * run, GError ** error)
{
  Results *res = &run->res;
  gchar *header;
  gboolean ok;
  guint i;

  bc_interrupt_install ();
  res->median = g_array_new (FALSE, FALSE, sizeof (gdouble));
  res->below_fraction = g_array_new (FALSE, FALSE, sizeof (gdouble));
  res->needing_list = g_string_new (NULL);
  run->outputs = bc_output_set_new (opt.out_dir, RESULT_NAMES, error);
  if (!run->outputs)
    return FALSE;
  if (opt.register_path && (!check_register_path (error)
          || !(res->registered = bc_registered_new (opt.register_path,
                  run->total, error))))
    return FALSE;
  if (!check_inputs (run, error))
    return FALSE;
  if (run->one_stack && !create_drift_results (run, error))
    return FALSE;
  for (i = 0; i < G_N_ELEMENTS (tiff_grids); i++) {
    gchar *name = g_strdup_printf ("%s.tif", tiff_grids[i]);
    BcOutput *out = bc_output_set_create (run->outputs, name, error);

    g_free (name);
    /* BigTIFF: a stack of large grids can pass 4 GB. */
    if (!out || !(res->tiffs[i] = bc_tiff_stack_new (out, TRUE, error)))
      return FALSE;
  }
  res->csv = bc_output_set_create (run->outputs, "summary.csv", error);
  if (!res->csv)
    return FALSE;
  header = bc_csv_header ();
  ok = bc_output_write (res->csv, header, strlen (header))
      && bc_output_write (res->csv, "\n", 1);
  g_free (header);
  return ok || bc_output_report (res->csv, error);
}

/* The next frame of each input (a single image is decoded once and used
 * for every pair). */
static gboolean
next_frames (Run * run, GstSample * frame[2], GError ** error)
{
  guint i;

  for (i = 0; i < 2; i++) {
    GError *err = NULL;

    if (run->count[i] == 1 && run->single[i]) {
      frame[i] = gst_sample_ref (run->single[i]);
      continue;
    }
    g_clear_pointer (&run->label[i], g_free);
    frame[i] = bc_frames_next (run->in[i], &run->label[i], &err);
    if (!frame[i]) {
      if (!err)
        g_set_error (&err, BC_ERROR, 0, "a frame is missing");
      g_propagate_error (error, err);
      return FALSE;
    }
    if (run->count[i] == 1)
      run->single[i] = gst_sample_ref (frame[i]);
  }
  return TRUE;
}

/* The two frames of pair n have one size, and blocks fit into it. */
static gboolean
check_sizes (Run * run, guint n, const GstVideoInfo vi[2], GError ** error)
{
  gint width = GST_VIDEO_INFO_WIDTH (&vi[0]);
  gint height = GST_VIDEO_INFO_HEIGHT (&vi[0]);

  /* A single image against a single image or a stack: once is enough. */
  if (n > 0 && run->count[0] == 1 && run->count[1] == 1)
    return TRUE;
  if (width != GST_VIDEO_INFO_WIDTH (&vi[1])
      || height != GST_VIDEO_INFO_HEIGHT (&vi[1])) {
    g_set_error (error, BC_ERROR, 0, "the images differ in size: %s is "
        "%dx%d, %s is %dx%d (register or crop them to one size first)",
        run->label[0], width, height, run->label[1],
        GST_VIDEO_INFO_WIDTH (&vi[1]), GST_VIDEO_INFO_HEIGHT (&vi[1]));
    return FALSE;
  }
  if (((guint) width < opt.params.block_width
          || (guint) height < opt.params.block_height)
      && opt.params.edge_mode == BW_EDGE_TRIM) {
    g_set_error (error, BC_ERROR, 0, "the block size %ux%u is larger than "
        "the images (%dx%d)", opt.params.block_width,
        opt.params.block_height, width, height);
    return FALSE;
  }
  return TRUE;
}

/* The results blockdrift or blockcorr attached to an output frame. */
static const GstStructure *
frame_results (GstSample * out, guint n, GError ** error)
{
  GstCustomMeta *meta = gst_buffer_get_custom_meta (gst_sample_get_buffer
      (out), "GstBlockCorrMeta");

  if (!meta) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
        "analysis failed: frame %u came without its results", n);
    return NULL;
  }
  return gst_custom_meta_get_structure (meta);
}

/* The registered frame's page: which frame, onto which. */
static gboolean
add_registered (Run * run, GstSample * registered, GError ** error)
{
  gchar *desc = g_strdup_printf ("%s registered onto %s", run->label[1],
      run->label[0]);
  gboolean ok = bc_registered_add (run->res.registered, registered, desc,
      error);

  g_free (desc);
  return ok;
}

static BcDriftSettings
drift_settings (const gchar * reference)
{
  BcDriftSettings d;

  d.reference = reference;
  d.correct = !opt.register_path ? "none" : opt.correct ? opt.correct : "shift";
  d.border = opt.border ? opt.border : "edge";
  d.fill = opt.fill == FILL_UNSET ? 0 : opt.fill;
  return d;
}

/* --register with two inputs: compared frame n registered onto reference
 * frame n, through blockdrift with that reference (set once when the
 * reference is a single image). */
static gboolean
register_pair (Run * run, GstSample * frame[2], GError ** error)
{
  GstSample *out;
  gboolean ok;

  if (!run->registrar) {
    BcDriftSettings d = drift_settings ("first");

    run->registrar = bc_correlator_new (&opt.params, &d, error);
    if (!run->registrar)
      return FALSE;
  }
  if (run->registered_frames == 0 || run->count[0] > 1) {
    if (run->registered_frames > 0)
      bc_correlator_reset_reference (run->registrar);
    bc_correlator_push (run->registrar, 0, frame[0], run->registered_frames++);
    out = bc_correlator_pull (run->registrar, error);
    if (!out)
      return FALSE;
    gst_sample_unref (out);
  }
  bc_correlator_push (run->registrar, 0, frame[1], run->registered_frames++);
  out = bc_correlator_pull (run->registrar, error);
  if (!out)
    return FALSE;
  ok = add_registered (run, out, error);
  gst_sample_unref (out);
  return ok;
}

/* Stops the decoders and the analysis, and lets the frames go. */
static void
stop_decoding (Run * run)
{
  guint i;

  for (i = 0; i < 2; i++) {
    g_clear_pointer (&run->single[i], gst_sample_unref);
    g_clear_pointer (&run->in[i], bc_frames_free);
  }
  g_clear_pointer (&run->corr, bc_correlator_free);
  g_clear_pointer (&run->registrar, bc_correlator_free);
}

/* After the last frame's results, nothing but its outputs is needed: the
 * frames, their decoders and the analysis go before the outputs are
 * drawn and written, so that their memory is not held alongside. */
static void
release_after_last (Run * run, guint n, GstSample ** frames, guint n_frames)
{
  guint i;

  if (n + 1 < run->total || run->res.registered)
    return;
  for (i = 0; i < n_frames; i++)
    g_clear_pointer (&frames[i], gst_sample_unref);
  stop_decoding (run);
}

/* Decodes, analyses and records pair n. */
static gboolean
analyse_pair (Run * run, guint n, GError ** error)
{
  GstSample *frame[2] = { NULL, NULL }, *out = NULL;
  GstVideoInfo vi[2];
  gboolean ok;
  guint i;

  ok = next_frames (run, frame, error);
  for (i = 0; ok && i < 2; i++)
    ok = gst_video_info_from_caps (&vi[i], gst_sample_get_caps (frame[i]));
  ok = ok && check_sizes (run, n, vi, error);
  if (ok) {
    for (i = 0; i < 2; i++)
      bc_correlator_push (run->corr, i, frame[i], n);
    out = bc_correlator_pull (run->corr, error);
  }
  if (out)
    release_after_last (run, n, frame, 2);
  if (out) {
    const GstStructure *s = frame_results (out, n, error);

    ok = s && record_pair (run, n, s, GST_VIDEO_INFO_WIDTH (&vi[0]),
        GST_VIDEO_INFO_HEIGHT (&vi[0]), error);
  } else {
    ok = FALSE;
  }
  if (ok && run->res.registered)
    ok = register_pair (run, frame, error);
  for (i = 0; i < 2; i++)
    if (frame[i])
      gst_sample_unref (frame[i]);
  if (out)
    gst_sample_unref (out);
  return ok;
}

/* The next frame of one STACK; label[1] names it, label[0] its
 * reference. */
static GstSample *
next_stack_frame (Run * run, guint n, GError ** error)
{
  GError *err = NULL;
  gchar *label = NULL;
  GstSample *frame = bc_frames_next (run->in[0], &label, &err);

  if (!frame) {
    if (!err)
      g_set_error (&err, BC_ERROR, 0, "a frame is missing");
    g_propagate_error (error, err);
    g_free (label);
    return NULL;
  }
  if (n == 0) {
    g_free (run->label[0]);
    run->label[0] = g_strdup (label);
  } else if (g_strcmp0 (opt.reference, "previous") == 0) {
    g_free (run->label[0]);
    run->label[0] = run->label[1];
    run->label[1] = NULL;
  }
  g_free (run->label[1]);
  run->label[1] = label;
  return frame;
}

/* A number of the drift for the CSV: nan when there is none. */
static void
append_drift_value (GString * row, gdouble v)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_c (row, ',');
  g_string_append (row, isnan (v) ? "nan" : g_ascii_formatd (buf,
          sizeof (buf), "%.4f", v));
}

/* Frame n's row of drift.csv, and its point of drift.png. */
static gboolean
record_drift (Run * run, guint n, const GstStructure * s, GError ** error)
{
  Results *res = &run->res;
  const gchar *verdict = gst_structure_get_string (s, "verdict");
  gboolean found = FALSE;
  gdouble ax, ay;
  BcVerdictMark mark = g_strcmp0 (verdict, "registered") == 0 ?
      BC_VERDICT_MARK_REGISTERED : g_strcmp0 (verdict,
      "needs-registration") == 0 ? BC_VERDICT_MARK_NEEDS_REGISTRATION :
      BC_VERDICT_MARK_NO_TEXTURE;
  GString *row = g_string_new (NULL);
  gboolean ok;

  gst_structure_get_boolean (s, "motion-found", &found);
  /* A frame that could not be placed has no known drift: not 0. */
  ax = found ? bc_number (s, "drift-x") : NAN;
  ay = found ? bc_number (s, "drift-y") : NAN;
  g_string_append_printf (row, "%u", n);
  append_drift_value (row, found ? bc_number (s, "motion-x") : NAN);
  append_drift_value (row, found ? bc_number (s, "motion-y") : NAN);
  append_drift_value (row, ax);
  append_drift_value (row, ay);
  g_string_append_printf (row, ",%s\n", verdict ? verdict : "");
  ok = bc_output_write (res->drift_csv, row->str, row->len)
      || bc_output_report (res->drift_csv, error);
  g_string_free (row, TRUE);
  g_array_append_val (res->drift_x, ax);
  g_array_append_val (res->drift_y, ay);
  g_array_append_val (res->marks, mark);
  return ok;
}

/* Decodes, analyses and records frame n of one STACK (and registers
 * it). */
static gboolean
analyse_stack_frame (Run * run, guint n, GError ** error)
{
  GstSample *frame = next_stack_frame (run, n, error), *out = NULL;
  const GstStructure *s = NULL;
  GstVideoInfo vi[2];
  gboolean ok = frame != NULL;

  ok = ok && gst_video_info_from_caps (&vi[0], gst_sample_get_caps (frame));
  vi[1] = vi[0];
  ok = ok && check_sizes (run, n, vi, error);
  if (ok) {
    bc_correlator_push (run->corr, 0, frame, n);
    out = bc_correlator_pull (run->corr, error);
  }
  if (out)
    release_after_last (run, n, &frame, 1);
  ok = out && (s = frame_results (out, n, error))
      && record_pair (run, n, s, GST_VIDEO_INFO_WIDTH (&vi[0]),
      GST_VIDEO_INFO_HEIGHT (&vi[0]), error)
      && record_drift (run, n, s, error)
      && (!run->res.registered || add_registered (run, out, error));
  if (frame)
    gst_sample_unref (frame);
  if (out)
    gst_sample_unref (out);
  return ok;
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

/* Every pair, or those before a signal asked the run to stop. */
static gboolean
analyse_pairs (Run * run, GError ** error)
{
  gint64 start;
  guint i;

  if (run->one_stack) {
    BcDriftSettings d = drift_settings (opt.reference ? opt.reference :
        "first");

    run->corr = bc_correlator_new (&opt.params, &d, error);
  } else {
    run->corr = bc_correlator_new (&opt.params, NULL, error);
  }
  if (!run->corr)
    return FALSE;
  /* Both inputs decode at once (each file in its own pipeline). */
  for (i = 0; i < (run->one_stack ? 1 : 2); i++) {
    bc_frames_show_progress (run->in[i], !opt.quiet);
    if (!bc_frames_prefetch (run->in[i], error))
      return FALSE;
  }
  start = g_get_monotonic_time ();
  for (run->done = 0; run->done < run->total && !bc_interrupt_signal ();
      run->done++) {
    if (!(run->one_stack ? analyse_stack_frame (run, run->done, error) :
            analyse_pair (run, run->done, error)))
      return FALSE;
    progress (run->done + 1, run->total, start);
  }
  return TRUE;
}

/* Stops the decoders and the analysis. */
static void
stop_pipelines (Run * run)
{
  guint i;

  stop_decoding (run);
  for (i = 0; i < 2; i++)
    g_clear_pointer (&run->label[i], g_free);
}

/* The median r and the fraction below the threshold over the frames done
 * (all, unless the run was interrupted). */
static gchar *
series_title (Run * run)
{
  const gchar *arg0 = run->arg[0], *arg1 = run->arg[1];
  guint done = run->done, total = run->total;
  gchar *what = !run->one_stack ? g_strdup_printf ("%s against %s", arg1,
      arg0) : g_strdup_printf ("%s, every frame against %s", arg0,
      g_strcmp0 (opt.reference, "previous") == 0 ? "the one before" :
      "the first");
  gchar *title = done < total ? g_strdup_printf ("%s, %ux%u blocks (frames "
      "0 to %u of %u: interrupted)", what, opt.params.block_width,
      opt.params.block_height, done - 1, total) :
      g_strdup_printf ("%s, %ux%u blocks", what, opt.params.block_width,
      opt.params.block_height);

  g_free (what);
  return title;
}

/* The median r and the fraction below the threshold over the frames done
 * (all, unless the run was interrupted). */
static gboolean
write_series (Run * run, GError ** error)
{
  gchar *title = series_title (run);
  BcOutput *png = bc_output_set_create (run->outputs, "median-r.png", error);
  gboolean ok = png && bc_render_series ((gdouble *) run->res.median->data,
      (gdouble *) run->res.below_fraction->data, run->done,
      opt.params.threshold, title, png, error)
      && bc_output_close (png, error);

  g_free (title);
  return ok;
}

/* One STACK's drift over the frames done. */
static gboolean
write_drift (Run * run, GError ** error)
{
  gchar *title = series_title (run);
  BcOutput *png;
  gboolean ok;

  if (!bc_output_close (run->res.drift_csv, error)) {
    g_free (title);
    return FALSE;
  }
  png = bc_output_set_create (run->outputs, "drift.png", error);
  ok = png && bc_render_drift ((gdouble *) run->res.drift_x->data,
      (gdouble *) run->res.drift_y->data,
      (BcVerdictMark *) run->res.marks->data, run->done, title, png, error)
      && bc_output_close (png, error);
  g_free (title);
  return ok;
}

/* Completes every file and renames them all into place, or fails (and
 * none of them is). */
static gboolean
commit_results (Run * run, GError ** error)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (tiff_grids); i++) {
    gboolean ok = bc_tiff_stack_close (run->res.tiffs[i], error);

    run->res.tiffs[i] = NULL;
    if (!ok)
      return FALSE;
  }
  if (!bc_output_close (run->res.csv, error))
    return FALSE;
  if (run->total > 1 && !write_series (run, error))
    return FALSE;
  if (run->one_stack && !write_drift (run, error))
    return FALSE;
  if (run->res.registered && !bc_registered_close (run->res.registered, error))
    return FALSE;
  bc_interrupt_hold ();
  if (!bc_output_set_commit (run->outputs, error))
    return FALSE;
  if (run->res.registered && !bc_registered_commit (run->res.registered, error))
    return FALSE;
  bc_interrupt_release ();
  g_clear_pointer (&run->outputs, bc_output_set_free);
  g_clear_pointer (&run->res.registered, bc_registered_free);
  return TRUE;
}

/* The files of a run that is not committed. */
static void
drop_results (Run * run)
{
  guint i;

  bc_interrupt_hold ();
  for (i = 0; i < G_N_ELEMENTS (tiff_grids); i++)
    g_clear_pointer (&run->res.tiffs[i], bc_tiff_stack_free);
  g_clear_pointer (&run->outputs, bc_output_set_free);
  g_clear_pointer (&run->res.registered, bc_registered_free);
  bc_interrupt_release ();
}

/* The frames done, if any: no frame done leaves nothing to keep. */
static gboolean
keep_results (Run * run, GError ** error)
{
  stop_pipelines (run);
  if (run->done == 0) {
    drop_results (run);
    return TRUE;
  }
  return commit_results (run, error);
}

/* The frame that drifted furthest from the first. */
static gboolean
print_largest_drift (Run * run, GError ** error)
{
  const gdouble *x = (gdouble *) run->res.drift_x->data;
  const gdouble *y = (gdouble *) run->res.drift_y->data;
  gdouble largest = -1;
  guint i, at = 0;

  for (i = 0; i < run->done; i++)
    if (!isnan (x[i]) && !isnan (y[i]) && hypot (x[i], y[i]) > largest) {
      largest = hypot (x[i], y[i]);
      at = i;
    }
  if (largest < 0)
    return print_checked (error, "No drift found.\n");
  return print_checked (error, "Largest drift: (%+.2f, %+.2f) px, at frame "
      "%u (drift.csv).\n", x[at], y[at], at);
}

/* The closing lines: the frames that need registration, where the results
 * are. */
static gboolean
print_conclusion (Run * run, GError ** error)
{
  gboolean ok = TRUE;
  gchar *shown;

  if (run->done == 0 || opt.quiet || opt.json)
    return TRUE;
  if (run->total > 1 && run->res.needing)
    ok = print_checked (error, "%u of %u frames need registration: %s.\n",
        run->res.needing, run->done, run->res.needing_list->str);
  else if (run->total > 1)
    ok = print_checked (error, "All %u frames look registered.\n", run->done);
  if (ok && run->one_stack)
    ok = print_largest_drift (run, error);
  if (!ok)
    return FALSE;
  shown = display_name (opt.out_dir);
  ok = print_checked (error, "Results in %s/: heatmap%s.png%s, r.tif and "
      "the other grids, summary.csv%s.\n", shown, run->total > 1 ? "-NNNN" :
      "", opt.params.search_radius > 0 ? (run->total > 1 ?
          ", shift-NNNN.png" : ", shift.png") : "", run->one_stack ?
      ", drift.csv, drift.png" : "");
  g_free (shown);
  if (ok && opt.register_path) {
    shown = display_name (opt.register_path);
    ok = print_checked (error, "Registered frames in %s.\n", shown);
    g_free (shown);
  }
  return ok;
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
    fprintf (stderr, "gst-blockcorr: interrupted by %s: the results in %s/%s%s "
        "hold %u of %u frames: %s\n", sig, shown, opt.register_path ?
        " and " : "", opt.register_path ? opt.register_path : "", done,
        total, which);
  g_free (which);
  g_free (shown);
}

/* The answer: registered, needs registration, or stopped by a signal. */
static gint
exit_status (Run * run)
{
  if (run->done < run->total) {
    report_interruption (run->done, run->total);
    return EXIT_SIGNAL_BASE + bc_interrupt_signal ();
  }
  return run->res.needing ? EXIT_NEEDS_REGISTRATION : EXIT_REGISTERED;
}

/* Also deletes the files of a run that is not committed. */
static void
run_clear (Run * run)
{
  stop_pipelines (run);
  drop_results (run);
  if (run->res.median)
    g_array_unref (run->res.median);
  if (run->res.below_fraction)
    g_array_unref (run->res.below_fraction);
  if (run->res.needing_list)
    g_string_free (run->res.needing_list, TRUE);
  if (run->res.drift_x)
    g_array_unref (run->res.drift_x);
  if (run->res.drift_y)
    g_array_unref (run->res.drift_y);
  if (run->res.marks)
    g_array_unref (run->res.marks);
}

int
main (int argc, char **argv)
{
  Run run = { FALSE, };
  GError *err = NULL;
  gint status;

  if (!keep_standard_streams ())
    return EXIT_ERROR;
  options_init ();
  if (parse_options (&argc, &argv, &err) && bc_find_plugin (&err)
      && open_inputs (&run, argc - 1, argv + 1, &err)
      && create_results (&run, &err) && analyse_pairs (&run, &err)
      && keep_results (&run, &err) && print_conclusion (&run, &err)) {
    status = exit_status (&run);
  } else {
    fprintf (stderr, "gst-blockcorr: %s\n", err->message);
    status = EXIT_ERROR;
  }
  run_clear (&run);
  g_clear_error (&err);
  options_clear ();
  if (gst_is_initialized ())
    gst_deinit ();
  return status;
}
