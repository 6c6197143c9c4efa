/* gst-blockwise: means, standard deviations, covariance and r from the exact
 * block sums.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "kernels.h"

void
bw_stats_from_sums (const BwBlockSums * s, BwBlockStats * st)
{
  bw_block_stats_of (s, st);
}

void
bw_stats_from_sums_many_c (const BwBlockSums * sums, BwBlockStats * stats,
    gsize count)
{
  gsize i;

  for (i = 0; i < count; i++)
    bw_block_stats_of (&sums[i], &stats[i]);
}

void
bw_stats_from_sums_many (const BwBlockSums * sums, BwBlockStats * stats,
    gsize count)
{
  bw_kernels_get (BW_IMPL_AUTO)->stats_many (sums, stats, count);
}

const gchar *
bw_stats_moments_path_name (void)
{
  return bw_kernels_get (BW_IMPL_AUTO)->stats_many_name;
}
