/* gst-blockwise: whole grids in one call, for bindings.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include "blockgrids.h"
#include "blockstats-private.h"

typedef struct
{
  const BwStatsPlan *plan;
  guint row_start, row_end;
  double *out[9];
  gboolean ok;
} Slice;

/* The centred moments n·Σx² − (Σx)² are computed exactly (as in
 * bw_stats_from_sums); here they are divided by n, giving Σ(x - mean)². */
static gpointer
run_slice (gpointer data)
{
  Slice *sl = data;
  const BwStatsPlan *plan = sl->plan;
  BwScratch *scratch = bw_scratch_new ();
  BwBlockSums *sums = g_new (BwBlockSums, plan->cols);
  guint row, c;

  sl->ok = TRUE;
  for (row = sl->row_start; row < sl->row_end && sl->ok; row++) {
    sl->ok = bw_stats_plan_rows (plan, scratch, row, row + 1, sums);
    for (c = 0; c < plan->cols; c++) {
      const BwBlockSums *s = &sums[c];
      gsize i = (gsize) row * plan->cols + c;
      BwBlockStats st;
      double nn = (double) s->n;

      bw_stats_from_sums (s, &st);
      if (sl->out[0])
        sl->out[0][i] = nn;
      if (sl->out[1])
        sl->out[1][i] = (double) s->sum_a;
      if (sl->out[2])
        sl->out[2][i] = (double) s->sum_b;
      if (sl->out[3])
        sl->out[3][i] = st.mean_a;
      if (sl->out[4])
        sl->out[4][i] = st.mean_b;
      if (sl->out[5])
        sl->out[5][i] = st.stddev_a * st.stddev_a * nn;
      if (sl->out[6])
        sl->out[6][i] = st.stddev_b * st.stddev_b * nn;
      if (sl->out[7])
        sl->out[7][i] = st.covariance * nn;
      if (sl->out[8])
        sl->out[8][i] = st.r;
    }
  }
  g_free (sums);
  bw_scratch_free (scratch);
  return NULL;
}

gboolean
bw_grids_compute (const BwGeometry * geom, const BwPlane * a,
    const BwPlane * b, guint n_threads, double *n, double *sum_a,
    double *sum_b, double *mean_a, double *mean_b, double *var_a,
    double *var_b, double *cov, double *r)
{
  BwStatsPlan plan;
  Slice slices[64];
  GThread *threads[64];
  guint t, nt;
  gboolean ok = TRUE;

  if (!bw_stats_plan_init (&plan, BW_IMPL_AUTO, geom, a, b))
    return FALSE;
  nt = n_threads ? n_threads : g_get_num_processors ();
  nt = CLAMP (nt, 1, MIN (64, plan.rows));
  for (t = 0; t < nt; t++) {
    Slice *sl = &slices[t];
    double *outs[9] = { n, sum_a, sum_b, mean_a, mean_b, var_a, var_b, cov,
      r
    };

    sl->plan = &plan;
    sl->row_start = (guint) ((guint64) plan.rows * t / nt);
    sl->row_end = (guint) ((guint64) plan.rows * (t + 1) / nt);
    memcpy (sl->out, outs, sizeof (outs));
    threads[t] = t == 0 ? NULL : g_thread_new ("bw-grids", run_slice, sl);
  }
  run_slice (&slices[0]);
  for (t = 1; t < nt; t++)
    g_thread_join (threads[t]);
  for (t = 0; t < nt; t++)
    ok &= slices[t].ok;
  return ok;
}
