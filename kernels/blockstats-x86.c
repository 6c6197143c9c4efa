/* gst-blockwise: AVX2 and AVX-512 paths of the block sums (x86-64).
 *
 * Each block is summed row by row in vector registers, 16 (AVX2) or 32
 * (AVX-512) samples at a time, so block widths must be multiples of that;
 * the dispatch uses these paths only then, and only on a CPU that has the
 * instructions (each function carries its own target attribute, so the
 * library runs on any x86-64).
 *
 * Exact sums with vpmaddwd, which multiplies signed 16-bit pairs and adds
 * adjacent products into 32 bits:
 * - 16-bit samples are offset to a' = a - 32768 (a XOR 0x8000), so they fit
 *   signed 16 bits.  a'^2 pair sums lie in [0, 2^31]: exact as uint32 and
 *   zero-extended to 64 bits before adding.  a'b' pair sums lie in
 *   [-2^31 + 2^16, 2^31]; the only overflow, +2^31, wraps to INT32_MIN, a
 *   value otherwise unreachable, and is zero-extended instead of
 *   sign-extended.  Then Σa = Σa' + 32768 n, Σa² = Σa'² + 65536 Σa' + 2^30 n,
 *   Σab = Σa'b' + 32768 (Σa' + Σb') + 2^30 n.
 * - 8-bit samples need no offset: every pair sum is below 2^17.
 * 32-bit accumulators are flushed into 64-bit ones before they could
 * overflow.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <immintrin.h>
#include "blockstats-private.h"

/* Walking a block row block by block reads block_height rows at once, more
 * streams than the hardware prefetcher follows: each row asks for the same
 * columns 16 rows further down (for 16-row blocks, the next block row),
 * which are read soon after. */
#define PREFETCH_ROWS 16
#define PREFETCH_NEXT_BLOCK_ROW(row, y, ra, rb, bytes) G_STMT_START { \
    const char *pa_ = (const char *) (ra) + (gssize) PREFETCH_ROWS * (row)->a->stride; \
    const char *pb_ = (const char *) (rb) + (gssize) PREFETCH_ROWS * (row)->b->stride; \
    guint off_; \
    for (off_ = 0; off_ < (bytes); off_ += 64) { \
      _mm_prefetch (pa_ + off_, _MM_HINT_T0); \
      _mm_prefetch (pb_ + off_, _MM_HINT_T0); \
    } \
  } G_STMT_END

/* ---- AVX2 ---------------------------------------------------------------- */

#define AVX2 __attribute__ ((target ("avx2")))

/* Adds the eight 32-bit lanes of v (signed when sign, else unsigned) to
 * the four 64-bit lanes of acc. */
static inline AVX2 __m256i
add_wide_u32 (__m256i acc, __m256i v)
{
  const __m256i zero = _mm256_setzero_si256 ();

  acc = _mm256_add_epi64 (acc, _mm256_unpacklo_epi32 (v, zero));
  return _mm256_add_epi64 (acc, _mm256_unpackhi_epi32 (v, zero));
}

static inline AVX2 __m256i
add_wide_s32 (__m256i acc, __m256i v)
{
  __m256i sign = _mm256_srai_epi32 (v, 31);

  acc = _mm256_add_epi64 (acc, _mm256_unpacklo_epi32 (v, sign));
  return _mm256_add_epi64 (acc, _mm256_unpackhi_epi32 (v, sign));
}

static inline AVX2 gint64
hsum_epi64 (__m256i v)
{
  __m128i s = _mm_add_epi64 (_mm256_castsi256_si128 (v),
      _mm256_extracti128_si256 (v, 1));

  return _mm_cvtsi128_si64 (s) + _mm_extract_epi64 (s, 1);
}

/* The block sums of 16-bit samples from the sums of the offset samples
 * a' = a - 32768 (see the top of the file). */
static inline void
finish_u16 (gint64 ta, gint64 tb, gint64 taa, gint64 tbb, gint64 tab,
    gint64 n, BwBlockSums * s)
{
  s->n = n;
  s->sum_a = ta + 32768 * n;
  s->sum_b = tb + 32768 * n;
  s->sum_aa = taa + 65536 * ta + (n << 30);
  s->sum_bb = tbb + 65536 * tb + (n << 30);
  s->sum_ab = tab + 32768 * (ta + tb) + (n << 30);
}

/* One vector of 16 samples of each plane into the accumulators: sa32/sb32
 * (32-bit pair sums of a', b'), saa/sbb/sab (64-bit). */
static inline AVX2 void
step_u16_avx2 (__m256i va, __m256i vb, gboolean be, __m256i * sa32,
    __m256i * sb32, __m256i * saa, __m256i * sbb, __m256i * sab)
{
  const __m256i flip = _mm256_set1_epi16 ((short) 0x8000);
  const __m256i ones = _mm256_set1_epi16 (1);
  const __m256i min32 = _mm256_set1_epi32 (G_MININT32);
  const __m256i swap = _mm256_setr_epi8 (1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10,
      13, 12, 15, 14, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14);
  __m256i ab, sign;

  if (be) {
    va = _mm256_shuffle_epi8 (va, swap);
    vb = _mm256_shuffle_epi8 (vb, swap);
  }
  va = _mm256_xor_si256 (va, flip);
  vb = _mm256_xor_si256 (vb, flip);
  *sa32 = _mm256_add_epi32 (*sa32, _mm256_madd_epi16 (va, ones));
  *sb32 = _mm256_add_epi32 (*sb32, _mm256_madd_epi16 (vb, ones));
  *saa = add_wide_u32 (*saa, _mm256_madd_epi16 (va, va));
  *sbb = add_wide_u32 (*sbb, _mm256_madd_epi16 (vb, vb));
  ab = _mm256_madd_epi16 (va, vb);
  /* INT32_MIN stands for +2^31: zero-extend those lanes */
  sign = _mm256_andnot_si256 (_mm256_cmpeq_epi32 (ab, min32),
      _mm256_srai_epi32 (ab, 31));
  *sab = _mm256_add_epi64 (*sab, _mm256_unpacklo_epi32 (ab, sign));
  *sab = _mm256_add_epi64 (*sab, _mm256_unpackhi_epi32 (ab, sign));
}

/* One block of 16-bit samples, width a multiple of 16. */
static AVX2 void
block_u16_avx2 (const BwBlockRow * row, guint x0, guint w, gboolean be,
    BwBlockSums * s)
{
  __m256i sa = _mm256_setzero_si256 (), sb = sa, saa = sa, sbb = sa, sab = sa;
  __m256i sa32 = sa, sb32 = sa;
  guint chunks = w / 16, flush = MAX (1, 32768 / chunks), since = 0, y, k;

  for (y = row->y0; y < row->y0 + row->h; y++) {
    const __m256i *ra = (const __m256i *) (bw_plane_row (row->a, y) + 2 * x0);
    const __m256i *rb = (const __m256i *) (bw_plane_row (row->b, y) + 2 * x0);

    PREFETCH_NEXT_BLOCK_ROW (row, y, ra, rb, 2 * w);
    for (k = 0; k < chunks; k++)
      step_u16_avx2 (_mm256_loadu_si256 (ra + k), _mm256_loadu_si256 (rb + k),
          be, &sa32, &sb32, &saa, &sbb, &sab);
    /* |pair sums of a'| <= 2^16: 32768 of them fit 32 bits */
    if (++since == flush) {
      sa = add_wide_s32 (sa, sa32);
      sb = add_wide_s32 (sb, sb32);
      sa32 = sb32 = _mm256_setzero_si256 ();
      since = 0;
    }
  }
  sa = add_wide_s32 (sa, sa32);
  sb = add_wide_s32 (sb, sb32);
  finish_u16 (hsum_epi64 (sa), hsum_epi64 (sb), hsum_epi64 (saa),
      hsum_epi64 (sbb), hsum_epi64 (sab), (gint64) w * row->h, s);
}

/* One block of 8-bit samples, width a multiple of 16. */
static AVX2 void
block_u8_avx2 (const BwBlockRow * row, guint x0, guint w, BwBlockSums * s)
{
  const __m256i ones = _mm256_set1_epi16 (1);
  __m256i sa = _mm256_setzero_si256 (), sb = sa, saa = sa, sbb = sa, sab = sa;
  __m256i a32 = sa, b32 = sa, aa32 = sa, bb32 = sa, ab32 = sa;
  guint chunks = w / 16, flush = MAX (1, 16384 / chunks), since = 0, y, k;

  for (y = row->y0; y < row->y0 + row->h; y++) {
    const __m128i *ra = (const __m128i *) (bw_plane_row (row->a, y) + x0);
    const __m128i *rb = (const __m128i *) (bw_plane_row (row->b, y) + x0);

    PREFETCH_NEXT_BLOCK_ROW (row, y, ra, rb, w);
    for (k = 0; k < chunks; k++) {
      __m256i va = _mm256_cvtepu8_epi16 (_mm_loadu_si128 (ra + k));
      __m256i vb = _mm256_cvtepu8_epi16 (_mm_loadu_si128 (rb + k));

      a32 = _mm256_add_epi32 (a32, _mm256_madd_epi16 (va, ones));
      b32 = _mm256_add_epi32 (b32, _mm256_madd_epi16 (vb, ones));
      aa32 = _mm256_add_epi32 (aa32, _mm256_madd_epi16 (va, va));
      bb32 = _mm256_add_epi32 (bb32, _mm256_madd_epi16 (vb, vb));
      ab32 = _mm256_add_epi32 (ab32, _mm256_madd_epi16 (va, vb));
    }
    /* pair sums <= 2 * 255^2 < 2^17: 16384 of them fit 31 bits */
    if (++since == flush) {
      sa = add_wide_u32 (sa, a32);
      sb = add_wide_u32 (sb, b32);
      saa = add_wide_u32 (saa, aa32);
      sbb = add_wide_u32 (sbb, bb32);
      sab = add_wide_u32 (sab, ab32);
      a32 = b32 = aa32 = bb32 = ab32 = _mm256_setzero_si256 ();
      since = 0;
    }
  }
  sa = add_wide_u32 (sa, a32);
  sb = add_wide_u32 (sb, b32);
  saa = add_wide_u32 (saa, aa32);
  sbb = add_wide_u32 (sbb, bb32);
  sab = add_wide_u32 (sab, ab32);
  s->n = (guint64) w * row->h;
  s->sum_a = hsum_epi64 (sa);
  s->sum_b = hsum_epi64 (sb);
  s->sum_aa = hsum_epi64 (saa);
  s->sum_bb = hsum_epi64 (sbb);
  s->sum_ab = hsum_epi64 (sab);
}

/* A block narrower than the vectors (the last one of a partial frame). */
static void
block_scalar (const BwBlockRow * row, guint x0, guint x1, BwBlockSums * s)
{
  guint x, y;

  memset (s, 0, sizeof (*s));
  for (y = row->y0; y < row->y0 + row->h; y++) {
    const guint8 *ra = bw_plane_row (row->a, y);
    const guint8 *rb = bw_plane_row (row->b, y);

    for (x = x0; x < x1; x++)
      bw_sums_add (s, bw_sample_at (ra, x, row->a->format),
          bw_sample_at (rb, x, row->b->format));
  }
  s->n = (guint64) (x1 - x0) * row->h;
}

/* Row-major variant: the image rows of a block row are read one after the
 * other (two sequential streams, friendly to prefetchers and TLBs on wide
 * frames), each block's accumulators kept in scratch memory between rows.
 * Per block: sa32, sb32 (flushed), sa64, sb64, saa, sbb, sab. */
#define ACC_VECS 7

static AVX2 void
block_row_u16_avx2_rows (BwScratch * scratch, const BwBlockRow * row,
    guint nfull, gboolean be, BwBlockSums * out)
{
  guint w = row->block_width, chunks = w / 16, y, b, k, since = 0;
  guint flush = MAX (1, 32768 / chunks);
  __m256i *acc;

  bw_scratch_zero_columns (scratch, ACC_VECS * 8, nfull);
  acc = (__m256i *) scratch->cols32;
  for (y = row->y0; y < row->y0 + row->h; y++) {
    const __m256i *ra = (const __m256i *) bw_plane_row (row->a, y);
    const __m256i *rb = (const __m256i *) bw_plane_row (row->b, y);

    for (b = 0; b < nfull; b++) {
      __m256i *ac = acc + (gsize) b * ACC_VECS;
      __m256i sa32 = _mm256_loadu_si256 (ac), sb32 = _mm256_loadu_si256 (ac + 1);
      __m256i saa = _mm256_loadu_si256 (ac + 4);
      __m256i sbb = _mm256_loadu_si256 (ac + 5);
      __m256i sab = _mm256_loadu_si256 (ac + 6);

      for (k = 0; k < chunks; k++)
        step_u16_avx2 (_mm256_loadu_si256 (ra + (gsize) b * chunks + k),
            _mm256_loadu_si256 (rb + (gsize) b * chunks + k), be, &sa32,
            &sb32, &saa, &sbb, &sab);
      _mm256_storeu_si256 (ac, sa32);
      _mm256_storeu_si256 (ac + 1, sb32);
      _mm256_storeu_si256 (ac + 4, saa);
      _mm256_storeu_si256 (ac + 5, sbb);
      _mm256_storeu_si256 (ac + 6, sab);
    }
    if (++since == flush || y + 1 == row->y0 + row->h) {
      for (b = 0; b < nfull; b++) {
        __m256i *ac = acc + (gsize) b * ACC_VECS;

        _mm256_storeu_si256 (ac + 2, add_wide_s32 (_mm256_loadu_si256 (ac +
                    2), _mm256_loadu_si256 (ac)));
        _mm256_storeu_si256 (ac + 3, add_wide_s32 (_mm256_loadu_si256 (ac +
                    3), _mm256_loadu_si256 (ac + 1)));
        _mm256_storeu_si256 (ac, _mm256_setzero_si256 ());
        _mm256_storeu_si256 (ac + 1, _mm256_setzero_si256 ());
      }
      since = 0;
    }
  }
  for (b = 0; b < nfull; b++) {
    const __m256i *ac = acc + (gsize) b * ACC_VECS;

    finish_u16 (hsum_epi64 (_mm256_loadu_si256 (ac + 2)),
        hsum_epi64 (_mm256_loadu_si256 (ac + 3)),
        hsum_epi64 (_mm256_loadu_si256 (ac + 4)),
        hsum_epi64 (_mm256_loadu_si256 (ac + 5)),
        hsum_epi64 (_mm256_loadu_si256 (ac + 6)), (gint64) w * row->h,
        &out[b]);
  }
}

/* 8-bit row-major variant: per block five 32-bit accumulators (Σa, Σb, Σa²,
 * Σb², Σab pair sums, flushed before they could overflow) and five 64-bit
 * ones, kept in scratch memory between rows. */
#define ACC8_VECS 10

static AVX2 void
block_row_u8_avx2_rows (BwScratch * scratch, const BwBlockRow * row,
    guint nfull, BwBlockSums * out)
{
  const __m256i ones = _mm256_set1_epi16 (1);
  guint w = row->block_width, chunks = w / 16, y, b, k, i, since = 0;
  guint flush = MAX (1, 16384 / chunks);
  __m256i *acc;

  bw_scratch_zero_columns (scratch, ACC8_VECS * 8, nfull);
  acc = (__m256i *) scratch->cols32;
  for (y = row->y0; y < row->y0 + row->h; y++) {
    const __m128i *ra = (const __m128i *) bw_plane_row (row->a, y);
    const __m128i *rb = (const __m128i *) bw_plane_row (row->b, y);

    for (b = 0; b < nfull; b++) {
      __m256i *ac = acc + (gsize) b * ACC8_VECS;
      __m256i a32 = _mm256_loadu_si256 (ac), b32 = _mm256_loadu_si256 (ac + 1);
      __m256i aa32 = _mm256_loadu_si256 (ac + 2);
      __m256i bb32 = _mm256_loadu_si256 (ac + 3);
      __m256i ab32 = _mm256_loadu_si256 (ac + 4);

      for (k = 0; k < chunks; k++) {
        __m256i va = _mm256_cvtepu8_epi16 (_mm_loadu_si128 (ra +
                (gsize) b * chunks + k));
        __m256i vb = _mm256_cvtepu8_epi16 (_mm_loadu_si128 (rb +
                (gsize) b * chunks + k));

        a32 = _mm256_add_epi32 (a32, _mm256_madd_epi16 (va, ones));
        b32 = _mm256_add_epi32 (b32, _mm256_madd_epi16 (vb, ones));
        aa32 = _mm256_add_epi32 (aa32, _mm256_madd_epi16 (va, va));
        bb32 = _mm256_add_epi32 (bb32, _mm256_madd_epi16 (vb, vb));
        ab32 = _mm256_add_epi32 (ab32, _mm256_madd_epi16 (va, vb));
      }
      _mm256_storeu_si256 (ac, a32);
      _mm256_storeu_si256 (ac + 1, b32);
      _mm256_storeu_si256 (ac + 2, aa32);
      _mm256_storeu_si256 (ac + 3, bb32);
      _mm256_storeu_si256 (ac + 4, ab32);
    }
    /* pair sums <= 2 * 255^2 < 2^17: 16384 of them fit 32 bits */
    if (++since == flush || y + 1 == row->y0 + row->h) {
      for (b = 0; b < nfull; b++) {
        __m256i *ac = acc + (gsize) b * ACC8_VECS;

        for (i = 0; i < 5; i++) {
          _mm256_storeu_si256 (ac + 5 + i, add_wide_u32 (_mm256_loadu_si256
                  (ac + 5 + i), _mm256_loadu_si256 (ac + i)));
          _mm256_storeu_si256 (ac + i, _mm256_setzero_si256 ());
        }
      }
      since = 0;
    }
  }
  for (b = 0; b < nfull; b++) {
    const __m256i *ac = acc + (gsize) b * ACC8_VECS;
    BwBlockSums *s = &out[b];

    s->n = (guint64) w * row->h;
    s->sum_a = hsum_epi64 (_mm256_loadu_si256 (ac + 5));
    s->sum_b = hsum_epi64 (_mm256_loadu_si256 (ac + 6));
    s->sum_aa = hsum_epi64 (_mm256_loadu_si256 (ac + 7));
    s->sum_bb = hsum_epi64 (_mm256_loadu_si256 (ac + 8));
    s->sum_ab = hsum_epi64 (_mm256_loadu_si256 (ac + 9));
  }
}

/* Adds the eight signed 32-bit lanes of v, in order, to acc[0..8) (64-bit);
 * with wrapped, lanes equal to INT32_MIN stand for +2^31. */
static inline AVX2 void
add_lanes_64 (gint64 * acc, __m256i v, gboolean wrapped, gboolean is_unsigned)
{
  __m256i lo, hi;

  if (is_unsigned) {
    lo = _mm256_cvtepu32_epi64 (_mm256_castsi256_si128 (v));
    hi = _mm256_cvtepu32_epi64 (_mm256_extracti128_si256 (v, 1));
  } else {
    lo = _mm256_cvtepi32_epi64 (_mm256_castsi256_si128 (v));
    hi = _mm256_cvtepi32_epi64 (_mm256_extracti128_si256 (v, 1));
    if (wrapped) {
      const __m256i two32 = _mm256_set1_epi64x (G_GINT64_CONSTANT (1) << 32);
      __m256i m = _mm256_cmpeq_epi32 (v, _mm256_set1_epi32 (G_MININT32));

      lo = _mm256_add_epi64 (lo, _mm256_and_si256 (two32,
              _mm256_cvtepi32_epi64 (_mm256_castsi256_si128 (m))));
      hi = _mm256_add_epi64 (hi, _mm256_and_si256 (two32,
              _mm256_cvtepi32_epi64 (_mm256_extracti128_si256 (m, 1))));
    }
  }
  _mm256_storeu_si256 ((__m256i *) acc, _mm256_add_epi64 (_mm256_loadu_si256
          ((const __m256i *) acc), lo));
  _mm256_storeu_si256 ((__m256i *) (acc + 4),
      _mm256_add_epi64 (_mm256_loadu_si256 ((const __m256i *) (acc + 4)), hi));
}

/* Even block widths that are not whole vectors (10, 12, 20, ...): a pixel
 * pair never straddles two blocks, so each row's pair sums (vpmaddwd over
 * the whole row) go into per-pair-column accumulators, and each block adds
 * up its pair columns at the end.  16-bit samples are offset as above. */
static AVX2 void
block_row_pairs_avx2 (BwScratch * scratch, const BwBlockRow * row,
    guint nfull, BwBlockSums * out)
{
  const gboolean u8 = row->a->format == BW_SAMPLE_U8;
  const gboolean be = row->a->format == BW_SAMPLE_U16BE;
  const __m256i flip = _mm256_set1_epi16 ((short) 0x8000);
  const __m256i ones = _mm256_set1_epi16 (1);
  const __m256i swap = _mm256_setr_epi8 (1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10,
      13, 12, 15, 14, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14);
  const gint off = u8 ? 0 : 32768;
  gsize npairs = (gsize) nfull * row->block_width / 2, nvec = npairs / 8;
  gsize padded = (npairs + 8) & ~(gsize) 7, p, v;
  guint y, c, bp = row->block_width / 2;
  gint32 *A, *B;
  gint64 *AA, *BB, *AB;

  /* 2 x 32-bit + 3 x 64-bit per pair column */
  bw_scratch_zero_columns (scratch, 8, padded);
  A = (gint32 *) scratch->cols32;
  B = A + padded;
  AA = (gint64 *) (B + padded);
  BB = AA + padded;
  AB = BB + padded;

  for (y = row->y0; y < row->y0 + row->h; y++) {
    const guint8 *ra = bw_plane_row (row->a, y);
    const guint8 *rb = bw_plane_row (row->b, y);

    for (v = 0; v < nvec; v++) {
      __m256i va, vb;

      if (u8) {
        va = _mm256_cvtepu8_epi16 (_mm_loadu_si128 ((const __m128i *) (ra +
                    16 * v)));
        vb = _mm256_cvtepu8_epi16 (_mm_loadu_si128 ((const __m128i *) (rb +
                    16 * v)));
      } else {
        va = _mm256_loadu_si256 ((const __m256i *) (ra + 32 * v));
        vb = _mm256_loadu_si256 ((const __m256i *) (rb + 32 * v));
        if (be) {
          va = _mm256_shuffle_epi8 (va, swap);
          vb = _mm256_shuffle_epi8 (vb, swap);
        }
        va = _mm256_xor_si256 (va, flip);
        vb = _mm256_xor_si256 (vb, flip);
      }
      _mm256_storeu_si256 ((__m256i *) (A + 8 * v), _mm256_add_epi32
          (_mm256_loadu_si256 ((const __m256i *) (A + 8 * v)),
              _mm256_madd_epi16 (va, ones)));
      _mm256_storeu_si256 ((__m256i *) (B + 8 * v), _mm256_add_epi32
          (_mm256_loadu_si256 ((const __m256i *) (B + 8 * v)),
              _mm256_madd_epi16 (vb, ones)));
      add_lanes_64 (AA + 8 * v, _mm256_madd_epi16 (va, va), FALSE, TRUE);
      add_lanes_64 (BB + 8 * v, _mm256_madd_epi16 (vb, vb), FALSE, TRUE);
      add_lanes_64 (AB + 8 * v, _mm256_madd_epi16 (va, vb), !u8, FALSE);
    }
    /* the pair columns after the last whole vector */
    for (p = nvec * 8; p < npairs; p++) {
      gint64 a0 = (gint64) bw_sample_at (ra, 2 * p, row->a->format) - off;
      gint64 a1 = (gint64) bw_sample_at (ra, 2 * p + 1, row->a->format) - off;
      gint64 b0 = (gint64) bw_sample_at (rb, 2 * p, row->b->format) - off;
      gint64 b1 = (gint64) bw_sample_at (rb, 2 * p + 1, row->b->format) - off;

      A[p] += a0 + a1;
      B[p] += b0 + b1;
      AA[p] += a0 * a0 + a1 * a1;
      BB[p] += b0 * b0 + b1 * b1;
      AB[p] += a0 * b0 + a1 * b1;
    }
  }

  for (c = 0; c < nfull; c++) {
    gint64 t[5] = { 0, };
    gint64 n = (gint64) row->block_width * row->h;

    for (p = (gsize) c * bp; p < (gsize) (c + 1) * bp; p++) {
      t[0] += A[p];
      t[1] += B[p];
      t[2] += AA[p];
      t[3] += BB[p];
      t[4] += AB[p];
    }
    if (u8) {
      out[c].n = n;
      out[c].sum_a = t[0];
      out[c].sum_b = t[1];
      out[c].sum_aa = t[2];
      out[c].sum_bb = t[3];
      out[c].sum_ab = t[4];
    } else {
      finish_u16 (t[0], t[1], t[2], t[3], t[4], n, &out[c]);
    }
  }
}

void
bw_block_row_avx2 (BwScratch * scratch, const BwBlockRow * row,
    BwBlockSums * out)
{
  gboolean be = row->a->format == BW_SAMPLE_U16BE;
  guint nfull = MIN (row->n_blocks, row->width_px / row->block_width);
  guint c = 0;

  if (row->block_width % 16 != 0 && nfull > 0) {
    block_row_pairs_avx2 (scratch, row, nfull, out);
    c = nfull;
  }

  /* Row by row where blocks span several vectors or rows lie more than a
   * page apart (block by block, each row of a block is its own page:
   * 4096x4096 GRAY16 16x16 took 0.75 ns per pixel pair block by block,
   * 0.53 row by row; 64x64 blocks 0.79 and 0.24); block by block for
   * single-vector blocks of narrower frames, where keeping the
   * accumulators in registers wins (1080p GRAY16 16x16: 0.25 against 0.60). */
  if (c == 0 && nfull > 0 && (row->block_width >= 32
          || row->a->stride >= 4096 || row->b->stride >= 4096)) {
    if (row->a->format == BW_SAMPLE_U8)
      block_row_u8_avx2_rows (scratch, row, nfull, out);
    else
      block_row_u16_avx2_rows (scratch, row, nfull, be, out);
    c = nfull;
  }
  for (; c < row->n_blocks; c++) {
    guint x0 = c * row->block_width;
    guint x1 = MIN (x0 + row->block_width, row->width_px);

    if (x1 - x0 != row->block_width)
      block_scalar (row, x0, x1, &out[c]);
    else if (row->a->format == BW_SAMPLE_U8)
      block_u8_avx2 (row, x0, x1 - x0, &out[c]);
    else
      block_u16_avx2 (row, x0, x1 - x0, be, &out[c]);
  }
}

/* ---- AVX-512 (BW): 32 samples at a time ---------------------------------- */

#define AVX512 __attribute__ ((target ("avx512f,avx512bw")))

static inline AVX512 __m512i
add_wide_u32_512 (__m512i acc, __m512i v)
{
  const __m512i zero = _mm512_setzero_si512 ();

  acc = _mm512_add_epi64 (acc, _mm512_unpacklo_epi32 (v, zero));
  return _mm512_add_epi64 (acc, _mm512_unpackhi_epi32 (v, zero));
}

static inline AVX512 __m512i
add_wide_s32_512 (__m512i acc, __m512i v)
{
  __m512i sign = _mm512_srai_epi32 (v, 31);

  acc = _mm512_add_epi64 (acc, _mm512_unpacklo_epi32 (v, sign));
  return _mm512_add_epi64 (acc, _mm512_unpackhi_epi32 (v, sign));
}

static AVX512 void
block_u16_avx512 (const BwBlockRow * row, guint x0, guint w, gboolean be,
    BwBlockSums * s)
{
  const __m512i flip = _mm512_set1_epi16 ((short) 0x8000);
  const __m512i ones = _mm512_set1_epi16 (1);
  const __m512i min32 = _mm512_set1_epi32 (G_MININT32);
  const __m512i swap = _mm512_set4_epi32 (0x0e0f0c0d, 0x0a0b0809, 0x06070405,
      0x02030001);
  __m512i sa = _mm512_setzero_si512 (), sb = sa, saa = sa, sbb = sa, sab = sa;
  __m512i sa32 = sa, sb32 = sa;
  guint chunks = w / 32, flush = MAX (1, 32768 / chunks), since = 0, y, k;
  gint64 n = (gint64) w * row->h;

  for (y = row->y0; y < row->y0 + row->h; y++) {
    const guint8 *ra = bw_plane_row (row->a, y) + 2 * x0;
    const guint8 *rb = bw_plane_row (row->b, y) + 2 * x0;

    PREFETCH_NEXT_BLOCK_ROW (row, y, ra, rb, 2 * w);
    for (k = 0; k < chunks; k++) {
      __m512i va = _mm512_loadu_si512 (ra + 64 * k);
      __m512i vb = _mm512_loadu_si512 (rb + 64 * k);
      __m512i ab;
      __mmask16 wrapped;

      if (be) {
        va = _mm512_shuffle_epi8 (va, swap);
        vb = _mm512_shuffle_epi8 (vb, swap);
      }
      va = _mm512_xor_si512 (va, flip);
      vb = _mm512_xor_si512 (vb, flip);
      sa32 = _mm512_add_epi32 (sa32, _mm512_madd_epi16 (va, ones));
      sb32 = _mm512_add_epi32 (sb32, _mm512_madd_epi16 (vb, ones));
      saa = add_wide_u32_512 (saa, _mm512_madd_epi16 (va, va));
      sbb = add_wide_u32_512 (sbb, _mm512_madd_epi16 (vb, vb));
      ab = _mm512_madd_epi16 (va, vb);
      /* INT32_MIN stands for +2^31: zero-extend those lanes */
      wrapped = _mm512_cmpeq_epi32_mask (ab, min32);
      {
        __m512i sign = _mm512_mask_mov_epi32 (_mm512_srai_epi32 (ab, 31),
            wrapped, _mm512_setzero_si512 ());

        sab = _mm512_add_epi64 (sab, _mm512_unpacklo_epi32 (ab, sign));
        sab = _mm512_add_epi64 (sab, _mm512_unpackhi_epi32 (ab, sign));
      }
    }
    if (++since == flush) {
      sa = add_wide_s32_512 (sa, sa32);
      sb = add_wide_s32_512 (sb, sb32);
      sa32 = sb32 = _mm512_setzero_si512 ();
      since = 0;
    }
  }
  sa = add_wide_s32_512 (sa, sa32);
  sb = add_wide_s32_512 (sb, sb32);

  finish_u16 (_mm512_reduce_add_epi64 (sa), _mm512_reduce_add_epi64 (sb),
      _mm512_reduce_add_epi64 (saa), _mm512_reduce_add_epi64 (sbb),
      _mm512_reduce_add_epi64 (sab), n, s);
}

static AVX512 void
block_u8_avx512 (const BwBlockRow * row, guint x0, guint w, BwBlockSums * s)
{
  const __m512i ones = _mm512_set1_epi16 (1);
  __m512i sa = _mm512_setzero_si512 (), sb = sa, saa = sa, sbb = sa, sab = sa;
  __m512i a32 = sa, b32 = sa, aa32 = sa, bb32 = sa, ab32 = sa;
  guint chunks = w / 32, flush = MAX (1, 16384 / chunks), since = 0, y, k;

  for (y = row->y0; y < row->y0 + row->h; y++) {
    const guint8 *ra = bw_plane_row (row->a, y) + x0;
    const guint8 *rb = bw_plane_row (row->b, y) + x0;

    PREFETCH_NEXT_BLOCK_ROW (row, y, ra, rb, w);
    for (k = 0; k < chunks; k++) {
      __m512i va = _mm512_cvtepu8_epi16 (_mm256_loadu_si256 ((const __m256i *)
              (ra + 32 * k)));
      __m512i vb = _mm512_cvtepu8_epi16 (_mm256_loadu_si256 ((const __m256i *)
              (rb + 32 * k)));

      a32 = _mm512_add_epi32 (a32, _mm512_madd_epi16 (va, ones));
      b32 = _mm512_add_epi32 (b32, _mm512_madd_epi16 (vb, ones));
      aa32 = _mm512_add_epi32 (aa32, _mm512_madd_epi16 (va, va));
      bb32 = _mm512_add_epi32 (bb32, _mm512_madd_epi16 (vb, vb));
      ab32 = _mm512_add_epi32 (ab32, _mm512_madd_epi16 (va, vb));
    }
    if (++since == flush) {
      sa = add_wide_u32_512 (sa, a32);
      sb = add_wide_u32_512 (sb, b32);
      saa = add_wide_u32_512 (saa, aa32);
      sbb = add_wide_u32_512 (sbb, bb32);
      sab = add_wide_u32_512 (sab, ab32);
      a32 = b32 = aa32 = bb32 = ab32 = _mm512_setzero_si512 ();
      since = 0;
    }
  }
  sa = add_wide_u32_512 (sa, a32);
  sb = add_wide_u32_512 (sb, b32);
  saa = add_wide_u32_512 (saa, aa32);
  sbb = add_wide_u32_512 (sbb, bb32);
  sab = add_wide_u32_512 (sab, ab32);
  s->n = (guint64) w * row->h;
  s->sum_a = _mm512_reduce_add_epi64 (sa);
  s->sum_b = _mm512_reduce_add_epi64 (sb);
  s->sum_aa = _mm512_reduce_add_epi64 (saa);
  s->sum_bb = _mm512_reduce_add_epi64 (sbb);
  s->sum_ab = _mm512_reduce_add_epi64 (sab);
}

void
bw_block_row_avx512 (BwScratch * scratch, const BwBlockRow * row,
    BwBlockSums * out)
{
  gboolean be = row->a->format == BW_SAMPLE_U16BE;
  guint c;

  for (c = 0; c < row->n_blocks; c++) {
    guint x0 = c * row->block_width;
    guint x1 = MIN (x0 + row->block_width, row->width_px);

    if (x1 - x0 != row->block_width)
      block_scalar (row, x0, x1, &out[c]);
    else if (row->a->format == BW_SAMPLE_U8)
      block_u8_avx512 (row, x0, x1 - x0, &out[c]);
    else
      block_u16_avx512 (row, x0, x1 - x0, be, &out[c]);
  }
}

gboolean
bw_cpu_has_avx2 (void)
{
  return __builtin_cpu_supports ("avx2");
}

gboolean
bw_cpu_has_avx512 (void)
{
  return __builtin_cpu_supports ("avx512f")
      && __builtin_cpu_supports ("avx512bw");
}
