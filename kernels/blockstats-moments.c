/* gst-blockwise: means, standard deviations, covariance and r from the exact
 * block sums.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include "blockstats-private.h"

void
bw_stats_from_sums (const BwBlockSums * s, BwBlockStats * st)
{
  double n = (double) s->n;
  double vaa, vbb, cab, sa, sb;

  memset (st, 0, sizeof (*st));
  st->n = (guint32) s->n;
  st->r = NAN;
  if (s->n == 0) {
    st->mean_a = st->mean_b = st->stddev_a = st->stddev_b = NAN;
    st->covariance = NAN;
    return;
  }

  /* n²·var = n·Σa² − (Σa)², exactly. */
  vaa = bw_centred_sum (s->n, s->sum_a, s->sum_a, s->sum_aa);
  vbb = bw_centred_sum (s->n, s->sum_b, s->sum_b, s->sum_bb);
  cab = bw_centred_sum (s->n, s->sum_a, s->sum_b, s->sum_ab);

  st->mean_a = (double) s->sum_a / n;
  st->mean_b = (double) s->sum_b / n;
  sa = sqrt (vaa);
  sb = sqrt (vbb);
  st->stddev_a = sa / n;
  st->stddev_b = sb / n;
  st->covariance = cab / (n * n);
  if (vaa != 0 && vbb != 0) {
    st->r = CLAMP (cab / (sa * sb), -1.0, 1.0);
    st->valid = TRUE;
  }
}

/* The AVX2 version where the CPU has it (and BLOCKWISE_KERNEL allows it),
 * chosen once. */
typedef void (*StatsManyFunc) (const BwBlockSums * sums, BwBlockStats * stats,
    gsize count);

static void
stats_many_c (const BwBlockSums * sums, BwBlockStats * stats, gsize count)
{
  gsize i;

  for (i = 0; i < count; i++)
    bw_stats_from_sums (&sums[i], &stats[i]);
}

static gpointer
choose_stats_many (gpointer data)
{
#ifdef HAVE_X86_PATHS
  if (bw_stats_avx2_allowed ())
    return (gpointer) bw_stats_from_sums_avx2;
#endif
  return (gpointer) stats_many_c;
}

static StatsManyFunc
stats_many_func (void)
{
  static GOnce once = G_ONCE_INIT;

  return (StatsManyFunc) g_once (&once, choose_stats_many, NULL);
}

void
bw_stats_from_sums_many (const BwBlockSums * sums, BwBlockStats * stats,
    gsize count)
{
  stats_many_func () (sums, stats, count);
}

const gchar *
bw_stats_moments_path_name (void)
{
  return stats_many_func () == stats_many_c ? "c" : "avx2";
}
