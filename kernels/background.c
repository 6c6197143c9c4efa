/* gst-blockwise: background level and noise of an image from its blocks
 * (see background.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include "background.h"
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
  out->min_intensity = out->level + 3.0 * out->noise;
}
