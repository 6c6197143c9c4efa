/* gst-blockwise: significance of r on Fisher's z scale (significance.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include "significance.h"

gdouble
bw_fisher_z (gdouble r)
{
  return atanh (CLAMP (r, -0.999999, 0.999999));
}

gboolean
bw_r_above_zero (gdouble r, guint n, gdouble k)
{
  return n > 3 && !isnan (r) && bw_fisher_z (r) * sqrt (n - 3.0) > k;
}

gboolean
bw_r_gain_above (gdouble r1, gdouble r0, guint n, gdouble k)
{
  return n > 3 && !isnan (r1) && !isnan (r0)
      && bw_fisher_z (r1) - bw_fisher_z (r0) > k * sqrt (2.0 / (n - 3.0));
}
