/* gst-blockwise: whole grids in one call, for bindings.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include "blockgrids.h"
#include "blockstats-private.h"
#include "worker.h"

typedef struct
{
  const BwStatsPlan *plan;
  BwBlockSums *sums;            /* one block row per thread */
  double *out[9];
  gint failed;                  /* atomic */
} Grids;

/* The centred moments n·Σx² − (Σx)² are computed exactly (as in
 * bw_stats_from_sums); here they are divided by n, giving Σ(x - mean)². */
static void
grid_row (gpointer data, BwScratch * scratch, guint thread, guint row)
{
  Grids *g = data;
  const BwStatsPlan *plan = g->plan;
  BwBlockSums *sums = g->sums + (gsize) thread * plan->cols;
  guint c;

  if (!bw_stats_plan_rows (plan, scratch, row, row + 1, sums)) {
    g_atomic_int_set (&g->failed, TRUE);
    return;
  }
  for (c = 0; c < plan->cols; c++) {
    const BwBlockSums *s = &sums[c];
    gsize i = (gsize) row * plan->cols + c;
    BwBlockStats st;
    double nn = (double) s->n;

    bw_stats_from_sums (s, &st);
    if (g->out[0])
      g->out[0][i] = nn;
    if (g->out[1])
      g->out[1][i] = (double) s->sum_a;
    if (g->out[2])
      g->out[2][i] = (double) s->sum_b;
    if (g->out[3])
      g->out[3][i] = st.mean_a;
    if (g->out[4])
      g->out[4][i] = st.mean_b;
    if (g->out[5])
      g->out[5][i] = st.stddev_a * st.stddev_a * nn;
    if (g->out[6])
      g->out[6][i] = st.stddev_b * st.stddev_b * nn;
    if (g->out[7])
      g->out[7][i] = st.covariance * nn;
    if (g->out[8])
      g->out[8][i] = st.r;
  }
}

gboolean
bw_grids_compute (const BwGeometry * geom, const BwPlane * a,
    const BwPlane * b, guint n_threads, const BwGridsOut * out)
{
  BwStatsPlan plan;
  BwWorker *worker;
  guint threads;
  Grids g = { &plan, NULL, {out->n, out->sum_a, out->sum_b, out->mean_a,
      out->mean_b, out->var_a, out->var_b, out->cov, out->r}, FALSE
  };

  if (!bw_stats_plan_init (&plan, BW_IMPL_AUTO, geom, a, b))
    return FALSE;
  /* Rows are independent: the results do not depend on the threads.  The
   * count is resolved once: the CPUs available can change between two
   * calls, and the per-thread sums are sized for it. */
  threads = bw_worker_n_threads (n_threads, plan.rows);
  g.sums = g_new (BwBlockSums, (gsize) plan.cols * threads);
  worker = bw_worker_new ();
  bw_worker_run (worker, threads, plan.rows, grid_row, &g);
  bw_worker_free (worker);
  g_free (g.sums);
  return !g_atomic_int_get (&g.failed);
}
