/* gst-blockwise: the whole registration check of a pair in one call (see
 * registration.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include "registration.h"

void
bw_registration_params_init (BwRegistrationParams * params)
{
  params->search_radius = 2;
  params->min_intensity = NAN;
  params->min_region_blocks = 3;
  params->shift_tolerance = 0.25;
}

gboolean
bw_block_is_background (const BwBlockStats * st, const BwBlockShift * shift,
    guint search_radius, gdouble min_intensity, const BwBackground * bg_a,
    const BwBackground * bg_b)
{
  /* The estimated background is tested on float32 values, as the element
   * tests the grids it carries in its meta. */
  if (isnan (min_intensity))
    return bw_background_contains (bg_a, bg_b, (gfloat) st->mean_a,
        (gfloat) st->stddev_a, (gfloat) st->mean_b, (gfloat) st->stddev_b,
        search_radius > 0 ? (gfloat) shift->r_best : NAN, shift->n);
  return st->mean_a < min_intensity && st->mean_b < min_intensity;
}

gboolean
bw_check_registration (const BwGeometry * geom, const BwPlane * a,
    const BwPlane * b, const BwRegistrationParams * params,
    BwRegistration * out, gfloat * r_grid, BwBlockShift * shifts)
{
  BwStatsPlan plan;
  BwScratch *scratch;
  BwVerdictWork *work;
  BwBlockSums *sums;
  BwBlockShift *sh;
  BwBlockStats *stats;
  gfloat *r, *mean_a, *mean_b, *sd_a, *sd_b;
  gdouble *tmp;
  BwVerdictParams vp;
  gsize n, i;
  gboolean ok;

  if (!params || !out || params->search_radius > BW_MAX_SEARCH_RADIUS
      || !bw_stats_plan_init (&plan, BW_IMPL_AUTO, geom, a, b))
    return FALSE;
  n = (gsize) plan.cols * plan.rows;
  scratch = bw_scratch_new ();
  sums = g_new (BwBlockSums, n);
  sh = shifts ? shifts : g_new (BwBlockShift, n);
  stats = g_new (BwBlockStats, n);
  r = r_grid ? r_grid : g_new (gfloat, n);
  mean_a = g_new (gfloat, n);
  mean_b = g_new (gfloat, n);
  sd_a = g_new (gfloat, n);
  sd_b = g_new (gfloat, n);
  tmp = g_new (gdouble, n);

  ok = bw_stats_plan_rows (&plan, scratch, 0, plan.rows, sums)
      && bw_search_rows (&plan, scratch, params->search_radius, 0, plan.rows,
      sums, sh);
  for (i = 0; i < n; i++)
    bw_stats_from_sums (&sums[i], &stats[i]);

  /* The background estimates also give the noise levels the verdict
   * needs, so they are made whether or not they set the background. */
  out->background = 0;
  for (i = 0; i < n; i++) {
    mean_a[i] = stats[i].mean_a;
    sd_a[i] = stats[i].stddev_a;
    mean_b[i] = stats[i].mean_b;
    sd_b[i] = stats[i].stddev_b;
  }
  bw_background_estimate (mean_a, sd_a, n, tmp, &out->background_a);
  bw_background_estimate (mean_b, sd_b, n, tmp, &out->background_b);
  for (i = 0; i < n; i++) {
    gboolean bg = bw_block_is_background (&stats[i], &sh[i],
        params->search_radius, params->min_intensity,
        &out->background_a, &out->background_b);

    out->background += bg;
    r[i] = stats[i].valid && !bg ? (gfloat) stats[i].r : NAN;
  }

  vp.cols = plan.cols;
  vp.rows = plan.rows;
  vp.width = geom->width;
  vp.height = geom->height;
  vp.block_width = geom->block_width;
  vp.block_height = geom->block_height;
  vp.search_radius = params->search_radius;
  vp.min_region_blocks = params->min_region_blocks;
  vp.shift_tolerance = params->shift_tolerance;
  vp.stddev_a = sd_a;
  vp.stddev_b = sd_b;
  vp.mean_a = mean_a;
  vp.mean_b = mean_b;
  vp.median_r = NAN;
  vp.r_at = bw_search_block_r_at;
  vp.r_at_data = &plan;
  work = bw_verdict_work_new ();
  bw_verdict_compute (&vp, r, sh, work, &out->verdict, NULL);
  bw_verdict_work_free (work);

  g_free (tmp);
  g_free (sd_a);
  g_free (sd_b);
  g_free (mean_a);
  g_free (mean_b);
  if (r != r_grid)
    g_free (r);
  g_free (stats);
  if (sh != shifts)
    g_free (sh);
  g_free (sums);
  bw_scratch_free (scratch);
  return ok;
}
