/* gst-blockwise: means, standard deviations, covariance and r of four
 * blocks at a time (AVX2).
 *
 * Per block, two square roots and six divisions dominate; in 256-bit
 * vectors they serve four blocks.  The same IEEE operations on the same
 * operands as bw_stats_from_sums(), so the results are identical bit for
 * bit (tests/test-kernels.c checks that).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <immintrin.h>
#include <math.h>
#include "blockstats-private.h"

#define AVX2 __attribute__ ((target ("avx2")))

AVX2 void
bw_stats_from_sums_avx2 (const BwBlockSums * sums, BwBlockStats * stats,
    gsize count)
{
  gsize i = 0;

  for (; i + 4 <= count; i += 4) {
    const BwBlockSums *s = sums + i;
    double n[4], sa[4], sb[4], vaa[4], vbb[4], cab[4];
    double out[6][4];
    __m256d vn, sda, sdb, r, valid;
    guint k, mask;

    if (s[0].n == 0 || s[1].n == 0 || s[2].n == 0 || s[3].n == 0) {
      for (k = 0; k < 4; k++)
        bw_block_stats_of (&s[k], &stats[i + k]);
      continue;
    }
    /* the exact integer part, as bw_stats_from_sums() */
    for (k = 0; k < 4; k++) {
      n[k] = (double) s[k].n;
      sa[k] = (double) s[k].sum_a;
      sb[k] = (double) s[k].sum_b;
      vaa[k] = bw_centred_sum (s[k].n, s[k].sum_a, s[k].sum_a, s[k].sum_aa);
      vbb[k] = bw_centred_sum (s[k].n, s[k].sum_b, s[k].sum_b, s[k].sum_bb);
      cab[k] = bw_centred_sum (s[k].n, s[k].sum_a, s[k].sum_b, s[k].sum_ab);
    }
    vn = _mm256_loadu_pd (n);
    sda = _mm256_sqrt_pd (_mm256_loadu_pd (vaa));
    sdb = _mm256_sqrt_pd (_mm256_loadu_pd (vbb));
    _mm256_storeu_pd (out[0], _mm256_div_pd (_mm256_loadu_pd (sa), vn));
    _mm256_storeu_pd (out[1], _mm256_div_pd (_mm256_loadu_pd (sb), vn));
    _mm256_storeu_pd (out[2], _mm256_div_pd (sda, vn));
    _mm256_storeu_pd (out[3], _mm256_div_pd (sdb, vn));
    _mm256_storeu_pd (out[4], _mm256_div_pd (_mm256_loadu_pd (cab),
            _mm256_mul_pd (vn, vn)));
    /* r where both vary, clamped to [-1, 1].  vminpd and vmaxpd return
     * their second operand when either is NaN, so r goes second: a NaN (a
     * negative variance, from sums no frame can give) stays NaN, as with
     * CLAMP (). */
    r = _mm256_div_pd (_mm256_loadu_pd (cab), _mm256_mul_pd (sda, sdb));
    r = _mm256_max_pd (_mm256_set1_pd (-1.0), _mm256_min_pd (_mm256_set1_pd
            (1.0), r));
    valid = _mm256_and_pd (_mm256_cmp_pd (_mm256_loadu_pd (vaa),
            _mm256_setzero_pd (), _CMP_NEQ_OQ),
        _mm256_cmp_pd (_mm256_loadu_pd (vbb), _mm256_setzero_pd (),
            _CMP_NEQ_OQ));
    _mm256_storeu_pd (out[5], _mm256_blendv_pd (_mm256_set1_pd (NAN), r,
            valid));
    mask = _mm256_movemask_pd (valid);

    for (k = 0; k < 4; k++) {
      BwBlockStats *st = &stats[i + k];

      st->n = (guint32) s[k].n;
      st->valid = (mask >> k) & 1;
      st->mean_a = out[0][k];
      st->mean_b = out[1][k];
      st->stddev_a = out[2][k];
      st->stddev_b = out[3][k];
      st->covariance = out[4][k];
      st->r = out[5][k];
    }
  }
  for (; i < count; i++)
    bw_block_stats_of (&sums[i], &stats[i]);
}
