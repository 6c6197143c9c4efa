/* gst-blockwise: the per-frame analysis of blockcorr.
 *
 * The worker threads take block rows twice.  First, per row, the exact
 * block sums, the displacement search and the statistics of every block
 * into the grids.  Then, once the frame's background is known (it is
 * estimated from all blocks when min-intensity is automatic), per row, the
 * background mask, the row's partial summary and the heatmap lines of the
 * row.  The partial summaries are merged in row order afterwards and the
 * verdict is formed from the whole grids, so the results do not depend on
 * the number of threads or on which thread did which row.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include "gstblockcorranalysis.h"
#include "gstblockcorrheatmap.h"
#include "worker.h"
#include "summary.h"
#include "background.h"
#include "displacement.h"

GST_DEBUG_CATEGORY_EXTERN (gst_blockcorr_debug);
#define GST_CAT_DEFAULT gst_blockcorr_debug

/* Summary of one block row's valid r values. */
typedef struct
{
  guint valid, below;
  gdouble sum, min, max;
} RowPartial;

struct _GstBlockCorrAnalysis
{
  BwWorker *worker;
  /* Grown when a frame has more blocks (or rows) than any before. */
  gsize n_blocks;
  BwBlockSums *sums;
  gdouble *packed_r;            /* valid r values, for the median */
  guint8 *masked;               /* background blocks */
  BwBlockShift *shifts;         /* the search's results */
  BwBlockStats *stats;          /* each block row's statistics */
  gfloat *shift_length;         /* |(dx, dy)|, for the shift heatmap */
  gdouble *work;                /* background estimate */
  guint n_rows;
  RowPartial *row_partials;
  guint *median_bins;
  BwVerdictWork *verdict_work;
};

/* What the rows of one frame share. */
typedef struct
{
  GstBlockCorrAnalysis *an;
  BwStatsPlan plan;
  gfloat *grids[GST_BLOCKCORR_N_GRIDS];
  gdouble min_intensity;        /* -1: the estimates below */
  BwBackground background[2];
  gdouble threshold;
  guint search_radius;
  /* The heatmap is drawn by the worker threads too, each row's lines. */
  GstBlockCorrHeatmap hm;
  GstVideoFrame *out;
} FrameJob;

GstBlockCorrAnalysis *
gst_blockcorr_analysis_new (void)
{
  GstBlockCorrAnalysis *an = g_new0 (GstBlockCorrAnalysis, 1);

  an->worker = bw_worker_new ();
  an->median_bins = g_new (guint, BW_MEDIAN_BINS);
  an->verdict_work = bw_verdict_work_new ();
  return an;
}

static void
free_buffers (GstBlockCorrAnalysis * an)
{
  g_clear_pointer (&an->sums, g_free);
  g_clear_pointer (&an->packed_r, g_free);
  g_clear_pointer (&an->masked, g_free);
  g_clear_pointer (&an->shifts, g_free);
  g_clear_pointer (&an->shift_length, g_free);
  g_clear_pointer (&an->work, g_free);
  g_clear_pointer (&an->stats, g_free);
  g_clear_pointer (&an->row_partials, g_free);
  an->n_blocks = 0;
  an->n_rows = 0;
}

void
gst_blockcorr_analysis_reset (GstBlockCorrAnalysis * an)
{
  free_buffers (an);
  bw_worker_free (an->worker);
  an->worker = bw_worker_new ();
}

void
gst_blockcorr_analysis_free (GstBlockCorrAnalysis * an)
{
  if (!an)
    return;
  free_buffers (an);
  bw_worker_free (an->worker);
  g_free (an->median_bins);
  bw_verdict_work_free (an->verdict_work);
  g_free (an);
}

static void
reserve (GstBlockCorrAnalysis * an, gsize n_blocks, guint n_rows)
{
  if (n_blocks > an->n_blocks) {
    g_free (an->sums);
    an->sums = g_new (BwBlockSums, n_blocks);
    g_free (an->packed_r);
    an->packed_r = g_new (gdouble, n_blocks);
    g_free (an->masked);
    an->masked = g_new (guint8, n_blocks);
    g_free (an->shifts);
    an->shifts = g_new (BwBlockShift, n_blocks);
    g_free (an->shift_length);
    an->shift_length = g_new (gfloat, n_blocks);
    g_free (an->work);
    an->work = g_new (gdouble, n_blocks);
    g_free (an->stats);
    an->stats = g_new (BwBlockStats, n_blocks);
    an->n_blocks = n_blocks;
  }
  if (n_rows > an->n_rows) {
    g_free (an->row_partials);
    an->row_partials = g_new (RowPartial, n_rows);
    an->n_rows = n_rows;
  }
}

/* First pass over a block row: sums, search, statistics into the grids. */
static void
measure_row (gpointer data, BwScratch * scratch, guint row)
{
  FrameJob *job = data;
  GstBlockCorrAnalysis *an = job->an;
  const gdouble min_intensity = job->min_intensity;
  const guint cols = job->plan.cols;
  const gsize first = (gsize) row * cols;
  BwBlockSums *sums = an->sums;
  BwBlockShift *shifts = an->shifts;
  guint8 *masked = an->masked;
  gfloat *grids[GST_BLOCKCORR_N_GRIDS];
  gsize i;

  memcpy (grids, job->grids, sizeof (grids));
  bw_stats_plan_rows (&job->plan, scratch, row, row + 1, sums + first);
  if (job->search_radius > 0)
    bw_search_rows (&job->plan, scratch, job->search_radius, row, row + 1,
        sums + first, an->shifts + first);

  bw_stats_from_sums_many (sums + first, an->stats + first, cols);
  for (i = first; i < first + cols; i++) {
    const BwBlockStats st = an->stats[i];

    if (job->search_radius == 0) {
      /* Only (0, 0): what bw_search_rows() gives at radius 0, without
       * forming r a second time. */
      BwBlockShift *o = &an->shifts[i];

      memset (o, 0, sizeof (*o));
      o->n = st.n;
      o->r_zero = st.valid ? st.r : NAN;
      o->dx = o->dy = st.valid ? 0 : NAN;
      o->r_best = st.valid ? st.r : NAN;
    }
    /* With a fixed level the mask is known now; an estimated one is
     * applied in the second pass. */
    masked[i] = min_intensity >= 0 && st.mean_a < min_intensity
        && st.mean_b < min_intensity;
    /* Means, deviations and covariance are defined for every block with
     * pixels (a flat block has a standard deviation of 0); r only where
     * both inputs vary (and, after the second pass, not in background). */
    grids[GST_BLOCKCORR_GRID_R][i] = st.valid ? st.r : NAN;
    grids[GST_BLOCKCORR_GRID_COVARIANCE][i] = st.covariance;
    grids[GST_BLOCKCORR_GRID_MEAN_0][i] = st.mean_a;
    grids[GST_BLOCKCORR_GRID_MEAN_1][i] = st.mean_b;
    grids[GST_BLOCKCORR_GRID_STDDEV_0][i] = st.stddev_a;
    grids[GST_BLOCKCORR_GRID_STDDEV_1][i] = st.stddev_b;
    grids[GST_BLOCKCORR_GRID_DX][i] = shifts[i].dx;
    grids[GST_BLOCKCORR_GRID_DY][i] = shifts[i].dy;
    grids[GST_BLOCKCORR_GRID_R_BEST][i] = shifts[i].r_best;
  }
}

/* Second pass over a block row: the background mask, the row's summary
 * and its heatmap lines. */
static void
finish_row (gpointer data, BwScratch * scratch, guint row)
{
  FrameJob *job = data;
  GstBlockCorrAnalysis *an = job->an;
  /* What the per-block loop reads is copied to locals, which the compiler
   * can keep in registers (job fields might alias the stores below), and
   * which keep the loop off the job's cache lines on another thread's
   * stack. */
  const gboolean estimated = job->min_intensity < 0;
  const gboolean searched = job->search_radius > 0;
  const BwBackground bg0 = job->background[0], bg1 = job->background[1];
  const gdouble threshold = job->threshold;
  const guint cols = job->plan.cols;
  const gsize first = (gsize) row * cols;
  guint8 *masked = an->masked;
  /* Only the shift heatmap reads the lengths. */
  gfloat *shift_length = job->hm.values == an->shift_length ?
      an->shift_length : NULL;
  gfloat *grids[GST_BLOCKCORR_N_GRIDS];
  /* Valid r values of this row, packed at the start of the row's range (the
   * median is selected from them afterwards). */
  gdouble *packed = an->packed_r + first;
  RowPartial acc;
  guint y0, y1;
  gsize i;

  memcpy (grids, job->grids, sizeof (grids));
  /* Accumulated in locals and stored once: the rows' partials share cache
   * lines, and updating them per block makes the threads fight over those
   * lines (that once made two threads as slow as one). */
  acc.valid = acc.below = 0;
  acc.sum = 0.0;
  acc.min = INFINITY;
  acc.max = -INFINITY;
  for (i = first; i < first + cols; i++) {
    gfloat r;

    if (estimated)
      masked[i] = bw_background_contains (&bg0, &bg1,
          grids[GST_BLOCKCORR_GRID_MEAN_0][i],
          grids[GST_BLOCKCORR_GRID_STDDEV_0][i],
          grids[GST_BLOCKCORR_GRID_MEAN_1][i],
          grids[GST_BLOCKCORR_GRID_STDDEV_1][i],
          searched ? grids[GST_BLOCKCORR_GRID_R_BEST][i] : NAN,
          an->shifts[i].n);
    if (masked[i]) {
      /* Background: no r, no displacement. */
      grids[GST_BLOCKCORR_GRID_R][i] = NAN;
      grids[GST_BLOCKCORR_GRID_DX][i] = NAN;
      grids[GST_BLOCKCORR_GRID_DY][i] = NAN;
      grids[GST_BLOCKCORR_GRID_R_BEST][i] = NAN;
    }
    if (shift_length)
      shift_length[i] = hypotf (grids[GST_BLOCKCORR_GRID_DX][i],
          grids[GST_BLOCKCORR_GRID_DY][i]);
    r = grids[GST_BLOCKCORR_GRID_R][i];
    if (!isnan (r)) {
      /* The summary is of the float32 values the meta carries. */
      packed[acc.valid++] = r;
      acc.sum += r;
      acc.min = MIN (acc.min, r);
      acc.max = MAX (acc.max, r);
      if (r < threshold)
        acc.below++;
    }
  }
  an->row_partials[row] = acc;

  /* Output lines of this block row; the last row also draws the lines
   * below the grid. */
  y0 = row * job->hm.cell_height;
  y1 = row + 1 == job->plan.rows ? G_MAXUINT :
      (row + 1) * job->hm.cell_height;
  gst_blockcorr_heatmap_render_lines (&job->hm, job->out, y0, y1);
}

/* Merges the rows' partial summaries, in row order (a floating-point sum
 * depends on its order), and selects the median from the packed r values. */
static void
summarize (GstBlockCorrAnalysis * an, guint cols, guint rows,
    GstBlockCorrSummary * out)
{
  gdouble sum = 0.0, mn = INFINITY, mx = -INFINITY;
  guint valid = 0, below = 0, row;

  for (row = 0; row < rows; row++) {
    const RowPartial *p = &an->row_partials[row];
    gdouble *packed = an->packed_r + (gsize) row * cols;

    /* Gather the packed values of all rows at the start of the buffer. */
    if (packed != an->packed_r + valid)
      memmove (an->packed_r + valid, packed, p->valid * sizeof (gdouble));
    valid += p->valid;
    below += p->below;
    sum += p->sum;
    mn = MIN (mn, p->min);
    mx = MAX (mx, p->max);
  }

  out->valid = valid;
  out->invalid = cols * rows - valid;
  if (valid == 0) {
    out->mean = out->min = out->max = out->median = out->below = NAN;
    return;
  }
  out->median = bw_median_r (an->packed_r, valid, an->median_bins);
  out->mean = sum / valid;
  out->min = mn;
  out->max = mx;
  out->below = (gdouble) below / valid;
}

/* Sets up the heatmap of the frame: the measure's grid, its range, and the
 * cell size of the output (one pixel per block, or the block size). */
static void
prepare_heatmap (FrameJob * job, const GstBlockCorrSettings * s,
    const GstBlockCorrPair * pair, GstVideoFrame * out)
{
  GstBlockCorrHeatmap *hm = &job->hm;
  BwColormap colormap = s->colormap;

  hm->cols = job->plan.cols;
  hm->rows = job->plan.rows;
  if (s->measure == GST_BLOCKCORR_MEASURE_SHIFT)
    hm->values = job->an->shift_length;
  else if (s->measure == GST_BLOCKCORR_MEASURE_R_BEST)
    hm->values = job->grids[GST_BLOCKCORR_GRID_R_BEST];
  else
    hm->values = job->grids[s->measure];
  hm->masked = job->an->masked;
  gst_blockcorr_heatmap_range (s->measure, s->range_min, s->range_max,
      pair->max_value[0], pair->max_value[1], s->search_radius,
      &hm->range_min, &hm->range_max);
  if ((gint) colormap == GST_BLOCKCORR_COLORMAP_AUTO)
    colormap = s->measure == GST_BLOCKCORR_MEASURE_SHIFT ?
        BW_COLORMAP_VIRIDIS : BW_COLORMAP_COOLWARM;
  hm->colormap = bw_colormap_table (colormap);
  hm->invalid_argb = s->invalid_color;
  if (GST_VIDEO_FRAME_WIDTH (out) == (gint) hm->cols
      && GST_VIDEO_FRAME_HEIGHT (out) == (gint) hm->rows) {
    hm->cell_width = hm->cell_height = 1;
  } else {
    /* Input-sized output (or, for one frame after a property change, the
     * previous size until the caps are renegotiated). */
    hm->cell_width = s->block_width;
    hm->cell_height = s->block_height;
  }
  gst_blockcorr_heatmap_prepare (hm, out->info.finfo);
}

/* The frame's verdict from the finished grids. */
static void
judge (GstBlockCorrAnalysis * an, const FrameJob * job,
    const GstBlockCorrSettings * s, GstBlockCorrSummary * summary)
{
  BwVerdictParams vp;
  gsize i, n = (gsize) job->plan.cols * job->plan.rows;

  summary->background = 0;
  for (i = 0; i < n; i++)
    summary->background += an->masked[i];
  if (s->min_intensity < 0) {
    summary->min_intensity[0] = job->background[0].min_intensity;
    summary->min_intensity[1] = job->background[1].min_intensity;
  } else {
    summary->min_intensity[0] = summary->min_intensity[1] = s->min_intensity;
  }
  vp.cols = job->plan.cols;
  vp.rows = job->plan.rows;
  vp.width = job->plan.geom.width;
  vp.height = job->plan.geom.height;
  vp.block_width = job->plan.geom.block_width;
  vp.block_height = job->plan.geom.block_height;
  vp.search_radius = s->search_radius;
  vp.min_region_blocks = s->min_region_blocks;
  vp.shift_tolerance = s->shift_tolerance;
  vp.stddev_a = job->grids[GST_BLOCKCORR_GRID_STDDEV_0];
  vp.stddev_b = job->grids[GST_BLOCKCORR_GRID_STDDEV_1];
  vp.mean_a = job->grids[GST_BLOCKCORR_GRID_MEAN_0];
  vp.mean_b = job->grids[GST_BLOCKCORR_GRID_MEAN_1];
  /* The frames are still mapped: r at a few more offsets, for blocks that
   * might disagree with a global shift. */
  /* The summary's median is of the same valid r values. */
  vp.median_r = summary->median;
  vp.r_at = bw_search_block_r_at;
  vp.r_at_data = (gpointer) & job->plan;
  bw_verdict_compute (&vp, job->grids[GST_BLOCKCORR_GRID_R], an->shifts,
      an->verdict_work, &summary->verdict, NULL);
}

GBytes *
gst_blockcorr_analysis_run (GstBlockCorrAnalysis * an,
    const GstBlockCorrSettings * s, const GstBlockCorrPair * pair,
    GstVideoFrame * out, GstBlockCorrSummary * summary)
{
  FrameJob job;
  gsize n_blocks;
  gfloat *grids;
  gint64 t_start;
  guint i, n_threads;

  if (!bw_stats_plan_init (&job.plan, BW_IMPL_AUTO, &pair->geom,
          &pair->planes[0], &pair->planes[1]))
    return NULL;
  n_blocks = (gsize) job.plan.cols * job.plan.rows;
  reserve (an, n_blocks, job.plan.rows);
  /* One allocation for all grids, which the meta takes over. */
  grids = g_new (gfloat, GST_BLOCKCORR_N_GRIDS * n_blocks);
  for (i = 0; i < GST_BLOCKCORR_N_GRIDS; i++)
    job.grids[i] = grids + i * n_blocks;
  job.an = an;
  job.min_intensity = s->min_intensity;
  job.threshold = s->threshold;
  job.search_radius = MIN (s->search_radius, BW_MAX_SEARCH_RADIUS);
  job.out = out;
  prepare_heatmap (&job, s, pair, out);
  n_threads = bw_worker_n_threads (s->n_threads, job.plan.rows);

  t_start = g_get_monotonic_time ();
  bw_worker_run (an->worker, s->n_threads, job.plan.rows,
      measure_row, &job);
  for (i = 0; i < 2; i++)
    job.background[i].level = job.background[i].noise =
        job.background[i].min_intensity = NAN;
  if (s->min_intensity < 0) {
    bw_background_estimate (job.grids[GST_BLOCKCORR_GRID_MEAN_0],
        job.grids[GST_BLOCKCORR_GRID_STDDEV_0], n_blocks, an->work,
        &job.background[0]);
    bw_background_estimate (job.grids[GST_BLOCKCORR_GRID_MEAN_1],
        job.grids[GST_BLOCKCORR_GRID_STDDEV_1], n_blocks, an->work,
        &job.background[1]);
  }
  bw_worker_run (an->worker, s->n_threads, job.plan.rows,
      finish_row, &job);
  GST_LOG ("%ux%u blocks (%s path, search radius %u on the %s path) on %u "
      "threads in %" G_GINT64_FORMAT " us", job.plan.cols, job.plan.rows,
      job.plan.path_name, job.search_radius,
      bw_search_path_name (job.plan.a.format, job.plan.b.format), n_threads,
      g_get_monotonic_time () - t_start);

  summarize (an, job.plan.cols, job.plan.rows, summary);
  judge (an, &job, s, summary);
  return g_bytes_new_take (grids,
      GST_BLOCKCORR_N_GRIDS * n_blocks * sizeof (gfloat));
}
