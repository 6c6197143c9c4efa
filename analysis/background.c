/* gst-blockwise: background level and noise of an image from its blocks
 * (see background.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include "background.h"
#include "significance.h"
#include "summary.h"

void
bw_background_estimate (const gfloat * mean, const gfloat * stddev, gsize n,
    gdouble * work, BwBackground * out)
{
  gsize m = 0, k, i, dark = 0;
  gdouble cut;

  out->level = out->noise = out->min_intensity = NAN;
  for (i = 0; i < n; i++)
    if (!isnan (mean[i]) && !isnan (stddev[i]))
      work[m++] = mean[i];
  if (m == 0)
    return;

  /* The darkest tenth (at least one block): their means lie at or below
   * the cut. */
  k = (m - 1) / 10;
  cut = bw_select_kth (work, m, k);
  m = 0;
  for (i = 0; i < n; i++)
    if (!isnan (mean[i]) && !isnan (stddev[i]) && mean[i] <= cut)
      work[m++] = mean[i];
  out->level = bw_median (work, m);
  for (i = 0; i < n; i++)
    if (!isnan (mean[i]) && !isnan (stddev[i]) && mean[i] <= cut)
      work[dark++] = stddev[i];
  out->noise = bw_median (work, dark);

  /* A background is only one when some blocks stand out from it: at least
   * one in twenty with twice its deviation.  Otherwise the darkest blocks
   * are just the darkest part of a texture that covers the image, and
   * nothing is background. */
  m = 0;
  for (i = 0; i < n; i++)
    if (!isnan (mean[i]) && !isnan (stddev[i]))
      work[m++] = stddev[i];
  if (bw_select_kth (work, m, m - 1 - (m - 1) / 20) <= 2.0 * out->noise)
    return;
  out->min_intensity = out->level + 3.0 * out->noise;
}

static gboolean
noise_only (const BwBackground * bg, gdouble mean, gdouble stddev)
{
  return mean < bg->min_intensity && stddev < 1.5 * bg->noise;
}

gboolean
bw_background_contains (const BwBackground * bg_a, const BwBackground * bg_b,
    gdouble mean_a, gdouble stddev_a, gdouble mean_b, gdouble stddev_b,
    gdouble r_best, guint n)
{
  return noise_only (bg_a, mean_a, stddev_a)
      && noise_only (bg_b, mean_b, stddev_b)
      && !bw_r_above_zero (r_best, n, BW_SIGNAL_Z);
}
