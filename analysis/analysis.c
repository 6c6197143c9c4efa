/* gst-blockwise: the per-frame analysis (analysis.h).
 *
 * The worker threads take block rows twice.  First, per row, the exact
 * block sums, the displacement search and the statistics of every block
 * into the grids.  Then, once the frame's background is known (it is
 * estimated from all blocks when min_intensity is automatic), per row, the
 * background mask, the row's partial summary and the caller's row hook.
 * The partial summaries are merged in row order afterwards and the verdict
 * is formed from the whole grids, so the results do not depend on the
 * number of threads or on which thread did which row.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include "analysis.h"
#include "global-shift.h"
#include "growbuf.h"
#include "moved-sums.h"
#include "summary.h"
#include "worker.h"

static const gchar *const grid_names[BW_N_GRIDS] = {
  "r", "covariance", "mean-0", "mean-1", "stddev-0", "stddev-1", "dx", "dy",
  "r-best"
};

const gchar *
bw_grid_name (BwGrid grid)
{
  return (guint) grid < BW_N_GRIDS ? grid_names[grid] : NULL;
}

/* Summary of one block row's valid r values. */
typedef struct
{
  guint valid, below_count, background;
  gdouble sum, min, max;
} RowPartial;

struct _BwAnalysis
{
  BwWorker *worker;
  /* Grown when a frame has more blocks (or rows) than any before.  Only
   * what outlives a block row is kept per block. */
  BwBlockSums *sums;            /* a row's sums, per thread */
  gsize sums_len;
  BwBlockStats *stats;          /* a row's statistics, per thread */
  gsize stats_len;
  /* The background estimate's working memory, then the valid r values
   * packed per row, for the median. */
  gdouble *values;
  gsize values_len;
  guint8 *background;           /* non-zero: a background block */
  gsize background_len;
  BwBlockShift *shifts;         /* the search's results (with a search) */
  gsize shifts_len;
  RowPartial *row_partials;
  gsize row_partials_len;
  guint *median_bins;
  /* Each thread's histogram of the valid r values, for the median. */
  guint *thread_bins;
  gsize thread_bins_len;
  BwVerdictWork *verdict_work;
  BwGlobalWork *global_work;
  /* The last frame's paths and threads, for the callers' logs. */
  const gchar *stats_path, *search_path;
  guint n_threads_used;
};

/* What the rows of one frame share. */
typedef struct
{
  BwAnalysis *an;
  const BwParams *params;
  BwStatsPlan plan;
  BwFrameResults results;
  gboolean estimated;           /* min_intensity is BW_AUTO */
  BwBackground background[2];
  BwRowHook row_hook;
  gpointer row_hook_data;
  /* The coarse global shift and the search's centre. */
  BwGlobalShift global;
  gint cx, cy;
} FrameJob;

BwAnalysis *
bw_analysis_new (void)
{
  BwAnalysis *an = g_new0 (BwAnalysis, 1);

  an->worker = bw_worker_new ();
  an->median_bins = g_new (guint, BW_MEDIAN_BINS);
  an->verdict_work = bw_verdict_work_new ();
  an->global_work = bw_global_work_new ();
  an->stats_path = an->search_path = "none";
  return an;
}

static void
free_buffers (BwAnalysis * an)
{
  g_clear_pointer (&an->sums, g_free);
  g_clear_pointer (&an->stats, g_free);
  g_clear_pointer (&an->values, g_free);
  g_clear_pointer (&an->background, g_free);
  g_clear_pointer (&an->shifts, g_free);
  g_clear_pointer (&an->row_partials, g_free);
  g_clear_pointer (&an->thread_bins, g_free);
  an->sums_len = an->stats_len = an->values_len = an->background_len =
      an->shifts_len = an->row_partials_len = an->thread_bins_len = 0;
}

void
bw_analysis_reset (BwAnalysis * an)
{
  free_buffers (an);
  bw_worker_free (an->worker);
  an->worker = bw_worker_new ();
}

void
bw_analysis_free (BwAnalysis * an)
{
  if (!an)
    return;
  free_buffers (an);
  bw_worker_free (an->worker);
  g_free (an->median_bins);
  bw_verdict_work_free (an->verdict_work);
  bw_global_work_free (an->global_work);
  g_free (an);
}

void
bw_analysis_last_paths (const BwAnalysis * an, const gchar ** stats_path,
    const gchar ** search_path, guint * n_threads)
{
  *stats_path = an->stats_path;
  *search_path = an->search_path;
  *n_threads = an->n_threads_used;
}

static void
reserve (BwAnalysis * an, guint cols, guint rows, guint n_threads,
    gboolean estimated, gboolean searched)
{
  gsize n_blocks = (gsize) cols * rows;

  BW_GROW (an->sums, an->sums_len, (gsize) n_threads * cols);
  BW_GROW (an->stats, an->stats_len, (gsize) n_threads * cols);
  BW_GROW (an->values, an->values_len, estimated ? 2 * n_blocks : n_blocks);
  BW_GROW (an->background, an->background_len, n_blocks);
  if (searched)
    BW_GROW (an->shifts, an->shifts_len, n_blocks);
  BW_GROW (an->row_partials, an->row_partials_len, rows);
  BW_GROW (an->thread_bins, an->thread_bins_len,
      (gsize) n_threads * BW_MEDIAN_BINS);
}

/* The number of pixels of block i (a partial block at the right or bottom
 * edge has fewer). */
static guint
block_pixels (const BwStatsPlan * plan, gsize i)
{
  const BwGeometry *g = &plan->geom;
  guint x = (i % plan->cols) * g->block_width;
  guint y = (i / plan->cols) * g->block_height;

  return MIN (g->block_width, g->width - x) * MIN (g->block_height,
      g->height - y);
}

/* First pass over a block row: sums, search, statistics into the grids. */
static void
measure_row (gpointer data, BwScratch * scratch, guint thread, guint row)
{
  FrameJob *job = data;
  BwAnalysis *an = job->an;
  const gdouble min_intensity = job->params->min_intensity;
  const guint radius = job->params->search_radius;
  const guint cols = job->plan.cols;
  const gsize first = (gsize) row * cols;
  /* The row's sums and statistics are needed only here: in this thread's
   * part of the row scratch. */
  BwBlockSums *sums = an->sums + (gsize) thread * cols;
  BwBlockStats *stats = an->stats + (gsize) thread * cols;
  guint8 *background = an->background;
  gfloat *grids[BW_N_GRIDS];
  gsize i;

  memcpy (grids, job->results.grids, sizeof (grids));
  bw_stats_plan_rows (&job->plan, scratch, row, row + 1, sums);
  if (radius > 0)
    bw_search_rows_at (&job->plan, scratch, radius, job->cx, job->cy, row,
        row + 1, sums, an->shifts + first);

  bw_stats_from_sums_many (sums, stats, cols);
  for (i = first; i < first + cols; i++) {
    const BwBlockStats st = stats[i - first];
    /* Without a search, only (0, 0): what bw_search_rows() gives at
     * radius 0, without forming r a second time. */
    const gfloat dx = radius ? an->shifts[i].dx : st.valid ? 0 : NAN;
    const gfloat dy = radius ? an->shifts[i].dy : st.valid ? 0 : NAN;
    const gfloat r_best = radius ? an->shifts[i].r_best : st.valid ? st.r : NAN;

    /* A fixed level gives the background now; an estimated one is
     * applied in the second pass. */
    background[i] = !job->estimated && st.mean_a < min_intensity
        && st.mean_b < min_intensity;
    /* Means, deviations and covariance are defined for every block with
     * pixels (a flat block has a standard deviation of 0); r only where
     * both inputs vary (and, after the second pass, not in background). */
    grids[BW_GRID_R][i] = st.valid ? st.r : NAN;
    grids[BW_GRID_COVARIANCE][i] = st.covariance;
    grids[BW_GRID_MEAN_0][i] = st.mean_a;
    grids[BW_GRID_MEAN_1][i] = st.mean_b;
    grids[BW_GRID_STDDEV_0][i] = st.stddev_a;
    grids[BW_GRID_STDDEV_1][i] = st.stddev_b;
    grids[BW_GRID_DX][i] = dx;
    grids[BW_GRID_DY][i] = dy;
    grids[BW_GRID_R_BEST][i] = r_best;
  }
}

/* Second pass over a block row: the background, the row's summary and the
 * caller's hook. */
static void
finish_row (gpointer data, BwScratch * scratch, guint thread, guint row)
{
  FrameJob *job = data;
  BwAnalysis *an = job->an;
  /* Locals, which the compiler can keep in registers (job fields might
   * alias the stores below). */
  const gboolean estimated = job->estimated;
  const gboolean searched = job->params->search_radius > 0;
  const BwBackground bg0 = job->background[0], bg1 = job->background[1];
  const gdouble threshold = job->params->threshold;
  const guint cols = job->plan.cols;
  const gsize first = (gsize) row * cols;
  guint8 *background = an->background;
  gfloat *grids[BW_N_GRIDS];
  /* Valid r values of this row, packed at the start of the row's range (the
   * median is selected from them afterwards). */
  gdouble *packed = an->values + first;
  guint *bins = an->thread_bins + (gsize) thread * BW_MEDIAN_BINS;
  RowPartial acc;
  gsize i;

  memcpy (grids, job->results.grids, sizeof (grids));
  /* Accumulated in locals and stored once: the rows' partials share cache
   * lines, which the threads would otherwise fight over. */
  acc.valid = acc.below_count = acc.background = 0;
  acc.sum = 0.0;
  acc.min = INFINITY;
  acc.max = -INFINITY;
  for (i = first; i < first + cols; i++) {
    gfloat r;

    if (estimated)
      background[i] = bw_background_contains (&bg0, &bg1,
          grids[BW_GRID_MEAN_0][i], grids[BW_GRID_STDDEV_0][i],
          grids[BW_GRID_MEAN_1][i], grids[BW_GRID_STDDEV_1][i],
          searched ? grids[BW_GRID_R_BEST][i] : NAN,
          searched ? an->shifts[i].n : block_pixels (&job->plan, i));
    if (background[i]) {
      acc.background++;
      grids[BW_GRID_R][i] = NAN;
      grids[BW_GRID_DX][i] = NAN;
      grids[BW_GRID_DY][i] = NAN;
      grids[BW_GRID_R_BEST][i] = NAN;
    }
    r = grids[BW_GRID_R][i];
    if (!isnan (r)) {
      /* The summary is of the float32 values the grids carry. */
      packed[acc.valid++] = r;
      bins[bw_median_r_bin (r)]++;
      acc.sum += r;
      acc.min = MIN (acc.min, r);
      acc.max = MAX (acc.max, r);
      if (r < threshold)
        acc.below_count++;
    }
  }
  an->row_partials[row] = acc;

  if (job->row_hook)
    job->row_hook (job->row_hook_data, &job->results, row);
}

/* Merges the rows' partial summaries, in row order (a floating-point sum
 * depends on its order), and selects the median from the packed r values
 * with the threads' histograms of them. */
static void
summarize (BwAnalysis * an, guint cols, guint rows, guint n_threads,
    BwSummary * out)
{
  gdouble sum = 0.0, mn = INFINITY, mx = -INFINITY;
  guint valid = 0, below_count = 0, background = 0, row, t, b;

  for (row = 0; row < rows; row++) {
    const RowPartial *p = &an->row_partials[row];
    gdouble *packed = an->values + (gsize) row * cols;

    /* Gather the packed values of all rows at the start of the buffer. */
    if (packed != an->values + valid)
      memmove (an->values + valid, packed, p->valid * sizeof (gdouble));
    valid += p->valid;
    below_count += p->below_count;
    background += p->background;
    sum += p->sum;
    mn = MIN (mn, p->min);
    mx = MAX (mx, p->max);
  }

  out->valid_blocks = valid;
  out->invalid_blocks = cols * rows - valid;
  out->background_blocks = background;
  if (valid == 0) {
    out->mean_r = out->min_r = out->max_r = out->median_r =
        out->below_fraction = NAN;
    return;
  }
  memcpy (an->median_bins, an->thread_bins, BW_MEDIAN_BINS * sizeof (guint));
  for (t = 1; t < n_threads; t++)
    for (b = 0; b < BW_MEDIAN_BINS; b++)
      an->median_bins[b] += an->thread_bins[(gsize) t * BW_MEDIAN_BINS + b];
  out->median_r = bw_median_r_binned (an->values, valid, an->median_bins);
  out->mean_r = sum / valid;
  out->min_r = mn;
  out->max_r = mx;
  out->below_fraction = (gdouble) below_count / valid;
}

/* The frame's verdict from the finished grids. */
static void
judge (BwAnalysis * an, FrameJob * job, BwSummary * summary)
{
  const BwParams *p = job->params;
  gfloat *const *grids = job->results.grids;
  BwVerdictParams vp;
  gsize i;

  memset (&vp, 0, sizeof (vp));

  for (i = 0; i < 2; i++) {
    summary->background[i] = job->background[i];
    summary->min_intensity[i] = job->estimated ?
        job->background[i].min_intensity : p->min_intensity;
  }
  vp.cols = job->plan.cols;
  vp.rows = job->plan.rows;
  vp.width = job->plan.geom.width;
  vp.height = job->plan.geom.height;
  vp.block_width = job->plan.geom.block_width;
  vp.block_height = job->plan.geom.block_height;
  vp.search_radius = p->search_radius;
  vp.centre_x = job->cx;
  vp.centre_y = job->cy;
  vp.coarse_found = job->global.found;
  vp.coarse_at_limit = job->global.at_limit;
  vp.min_region_blocks = p->min_region_blocks;
  vp.shift_tolerance = p->shift_tolerance;
  vp.stddev_a = grids[BW_GRID_STDDEV_0];
  vp.stddev_b = grids[BW_GRID_STDDEV_1];
  vp.mean_a = grids[BW_GRID_MEAN_0];
  vp.mean_b = grids[BW_GRID_MEAN_1];
  vp.median_r = summary->median_r;
  vp.noise = job->background;
  /* The planes are still there: r at a few more offsets, for blocks that
   * might disagree with a global shift. */
  vp.r_at = bw_search_block_r_at;
  vp.r_pair = bw_search_pair_r_at;
  vp.r_at_data = &job->plan;
  vp.worker = an->worker;
  vp.n_threads = an->n_threads_used;
  bw_verdict_compute (&vp, grids[BW_GRID_R],
      p->search_radius > 0 ? an->shifts : NULL, an->verdict_work,
      &summary->verdict, NULL);
}

gboolean
bw_analysis_run (BwAnalysis * an, const BwParams * params, guint width,
    guint height, const BwPlane * plane0, const BwPlane * plane1,
    gfloat * grids, BwRowHook row_hook, gpointer row_hook_data,
    BwSummary * summary)
{
  FrameJob job;
  BwGeometry geom;
  gsize n_blocks;
  guint i, n_threads;

  if (!an || !params || !plane0 || !plane1 || !grids || !summary
      || !bw_params_check (params, NULL))
    return FALSE;
  geom = bw_params_geometry (params, width, height);
  if (!bw_stats_plan_init (&job.plan, BW_IMPL_AUTO, &geom, plane0, plane1))
    return FALSE;
  n_blocks = (gsize) job.plan.cols * job.plan.rows;
  /* Resolved once per frame: the CPUs available can change between two
   * calls, and the per-thread memory is sized for this count. */
  n_threads = bw_worker_n_threads (params->n_threads, job.plan.rows);
  reserve (an, job.plan.cols, job.plan.rows, n_threads,
      params->min_intensity == BW_AUTO, params->search_radius > 0);
  job.an = an;
  job.params = params;
  job.results.cols = job.plan.cols;
  job.results.rows = job.plan.rows;
  for (i = 0; i < BW_N_GRIDS; i++)
    job.results.grids[i] = grids + i * n_blocks;
  job.results.background = an->background;
  job.estimated = params->min_intensity == BW_AUTO;
  job.row_hook = row_hook;
  job.row_hook_data = row_hook_data;
  job.cx = job.cy = 0;
  memset (&job.global, 0, sizeof (job.global));
  if (params->search_radius > 0) {
    /* The search is centred on the coarse global shift where that lies
     * beyond the radius; nearer, the search around (0, 0) finds it (its
     * fit looks a pixel beyond the radius). */
    bw_global_shift_estimate (an->global_work, an->worker, n_threads, plane0,
        plane1, width, height, &job.global);
    if (job.global.found && MAX (ABS (lround (job.global.x)),
            ABS (lround (job.global.y))) > (glong) params->search_radius)
    {
      job.cx = (gint) lround (job.global.x);
      job.cy = (gint) lround (job.global.y);
    }
  }

  bw_worker_run (an->worker, n_threads, job.plan.rows, measure_row, &job);
  for (i = 0; i < 2; i++)
    job.background[i].level = job.background[i].noise =
        job.background[i].min_intensity =
        job.background[i].noise_var_offset =
        job.background[i].noise_var_slope =
        job.background[i].noise_mean_max = NAN;
  if (job.estimated) {
    bw_background_estimate (job.results.grids[BW_GRID_MEAN_0],
        job.results.grids[BW_GRID_STDDEV_0], n_blocks, an->values,
        &job.background[0]);
    bw_background_estimate (job.results.grids[BW_GRID_MEAN_1],
        job.results.grids[BW_GRID_STDDEV_1], n_blocks, an->values,
        &job.background[1]);
    bw_background_estimate_noise (job.results.grids[BW_GRID_MEAN_0],
        job.results.grids[BW_GRID_MEAN_1], job.results.grids[BW_GRID_STDDEV_0],
        job.results.grids[BW_GRID_STDDEV_1],
        job.results.grids[BW_GRID_COVARIANCE], n_blocks,
        geom.block_width * geom.block_height, an->values, job.background);
  }
  an->n_threads_used = n_threads;
  memset (an->thread_bins, 0,
      (gsize) n_threads * BW_MEDIAN_BINS * sizeof (guint));
  bw_worker_run (an->worker, n_threads, job.plan.rows, finish_row, &job);

  an->stats_path = job.plan.path_name;
  an->search_path = params->search_radius > 0 ?
      bw_moved_sums_path_name (BW_IMPL_AUTO, job.plan.a.format,
      job.plan.b.format, geom.block_width) : "none";
  summarize (an, job.plan.cols, job.plan.rows, an->n_threads_used, summary);
  judge (an, &job, summary);
  return TRUE;
}
