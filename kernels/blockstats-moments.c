/* gst-blockwise: means, standard deviations, covariance and r from the exact
 * block sums.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include "blockstats-private.h"

typedef unsigned __int128 bw_u128;
typedef __int128 bw_i128;

void
bw_stats_from_sums (const BwBlockSums * s, BwBlockStats * st)
{
  double n = (double) s->n;
  bw_u128 vaa, vbb;
  bw_i128 cab;
  double sa, sb, sa_d, sb_d, cab_d;

  memset (st, 0, sizeof (*st));
  st->n = (guint32) s->n;
  st->r = NAN;
  if (s->n == 0) {
    st->mean_a = st->mean_b = st->stddev_a = st->stddev_b = NAN;
    st->covariance = NAN;
    return;
  }

  /* n²·var = n·Σa² − (Σa)², exactly: no cancellation when the variance is
   * tiny next to the mean.  n < 2^25 and Σa² < 2^56, so 128 bits suffice;
   * for blocks of at most 2^12 pixels every term is below 2^56 and 64 bits
   * do (the same integers, so the same doubles, without the slow 128-bit
   * conversions). */
  if (s->n <= 4096) {
    guint64 a2 = s->n * s->sum_aa - s->sum_a * s->sum_a;
    guint64 b2 = s->n * s->sum_bb - s->sum_b * s->sum_b;
    gint64 ab = (gint64) (s->n * s->sum_ab - s->sum_a * s->sum_b);

    vaa = a2;
    vbb = b2;
    cab = ab;
    sa_d = (double) a2;
    sb_d = (double) b2;
    cab_d = (double) ab;
  } else {
    vaa = (bw_u128) s->n * s->sum_aa - (bw_u128) s->sum_a * s->sum_a;
    vbb = (bw_u128) s->n * s->sum_bb - (bw_u128) s->sum_b * s->sum_b;
    cab = (bw_i128) ((bw_u128) s->n * s->sum_ab
        - (bw_u128) s->sum_a * s->sum_b);
    sa_d = (double) vaa;
    sb_d = (double) vbb;
    cab_d = (double) cab;
  }

  st->mean_a = (double) s->sum_a / n;
  st->mean_b = (double) s->sum_b / n;
  sa = sqrt (sa_d);
  sb = sqrt (sb_d);
  st->stddev_a = sa / n;
  st->stddev_b = sb / n;
  st->covariance = cab_d / (n * n);
  if (vaa != 0 && vbb != 0) {
    st->r = CLAMP (cab_d / (sa * sb), -1.0, 1.0);
    st->valid = TRUE;
  }
}
