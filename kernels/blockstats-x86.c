/* gst-blockwise: AVX2 and AVX-512 paths of the block sums (x86-64).
 *
 * The AVX2 path serves every even block width of one sample format: blocks
 * a multiple of 16 bytes wide as lanes (raster order, sums per 128-bit
 * half), other even widths as strips of pair columns (see each).  The
 * AVX-512 path sums each block of a multiple of 32 samples in registers.
 * The kernel tables hold them only where the CPU has the instructions (each
 * function carries its own target attribute, so the library runs on any
 * x86-64).
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
 * 32-bit (and 16-bit) sums are moved into 64-bit ones before they could
 * overflow.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <immintrin.h>
#include "blockstats-private.h"

/* ---- AVX2 ---------------------------------------------------------------- */

#define AVX2 __attribute__ ((target ("avx2")))

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

/* Sums of a block narrower than the vectors (the last one of a partial
 * frame, or a part of a row after the last whole vector). */
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

/* The AVX2 path reads a block row in raster order, one image row after the
 * other, each from left to right: two sequential streams, which hardware
 * prefetchers follow on any frame width (reading several rows in turn left
 * it waiting for memory; bench/NOTES.md).  The sums live in 32-byte vectors
 * in scratch memory (L1) between rows, one set per block or per 32 bytes of
 * the row; at the end of the block row each block adds up its part. */

/* Scratch memory for n_u32 32-bit words, 64-byte aligned (whole cache lines
 * for the vectors). */
static gpointer
scratch_aligned (BwScratch * scratch, gsize n_u32)
{
  bw_scratch_reserve ((gpointer *) & scratch->cols32, &scratch->cols32_len,
      n_u32 + 16, sizeof (guint32));
  return (gpointer) (((guintptr) scratch->cols32 + 63) & ~(guintptr) 63);
}

/* -- Lanes: block widths a multiple of 16 bytes -- */

/* Each 128-bit half of a vector then belongs to one block, so its sums may
 * mix the half's columns.  8-bit samples: Σa by vpsadbw (64-bit lanes),
 * squares and products as 32-bit sums of four (below 2^18 a row, 2^30 over
 * 4096 rows).  16-bit samples, offset to a' (see the top of the file): Σa'
 * as 32-bit pair sums (|.| <= 2^16 a row, 2^28 over 4096 rows), squares and
 * products widened to 64 bits every row. */
#define LANE_VECS 5

/* The five sums of a set: Σa, Σb, Σa², Σb², Σab, in the lanes above. */
typedef struct
{
  __m256i a, b, aa, bb, ab;
} LaneSums;

static inline AVX2 void
lane_sums_load (LaneSums * s, const __m256i * acc, gboolean zero)
{
  if (zero) {
    s->a = s->b = s->aa = s->bb = s->ab = _mm256_setzero_si256 ();
    return;
  }
  s->a = _mm256_load_si256 (acc);
  s->b = _mm256_load_si256 (acc + 1);
  s->aa = _mm256_load_si256 (acc + 2);
  s->bb = _mm256_load_si256 (acc + 3);
  s->ab = _mm256_load_si256 (acc + 4);
}

static inline AVX2 void
lane_sums_store (const LaneSums * s, __m256i * acc)
{
  _mm256_store_si256 (acc, s->a);
  _mm256_store_si256 (acc + 1, s->b);
  _mm256_store_si256 (acc + 2, s->aa);
  _mm256_store_si256 (acc + 3, s->bb);
  _mm256_store_si256 (acc + 4, s->ab);
}

/* Adds 32 8-bit samples of each plane. */
static inline AVX2 void
lane_add_u8 (LaneSums * s, __m256i va, __m256i vb)
{
  const __m256i zero = _mm256_setzero_si256 ();
  __m256i al = _mm256_unpacklo_epi8 (va, zero);
  __m256i ah = _mm256_unpackhi_epi8 (va, zero);
  __m256i bl = _mm256_unpacklo_epi8 (vb, zero);
  __m256i bh = _mm256_unpackhi_epi8 (vb, zero);

  s->a = _mm256_add_epi64 (s->a, _mm256_sad_epu8 (va, zero));
  s->b = _mm256_add_epi64 (s->b, _mm256_sad_epu8 (vb, zero));
  s->aa = _mm256_add_epi32 (s->aa, _mm256_add_epi32 (_mm256_madd_epi16 (al,
              al), _mm256_madd_epi16 (ah, ah)));
  s->bb = _mm256_add_epi32 (s->bb, _mm256_add_epi32 (_mm256_madd_epi16 (bl,
              bl), _mm256_madd_epi16 (bh, bh)));
  s->ab = _mm256_add_epi32 (s->ab, _mm256_add_epi32 (_mm256_madd_epi16 (al,
              bl), _mm256_madd_epi16 (ah, bh)));
}

/* nvec vectors of one row into one set of sums (they belong to one block,
 * or nvec is 1). */
static inline AVX2 void
lanes_row_u8 (const guint8 * ra, const guint8 * rb, guint nvec,
    __m256i * acc, gboolean first)
{
  LaneSums s;
  guint k;

  lane_sums_load (&s, acc, first);
  for (k = 0; k < nvec; k++)
    lane_add_u8 (&s, _mm256_loadu_si256 ((const __m256i *) (ra + 32 * k)),
        _mm256_loadu_si256 ((const __m256i *) (rb + 32 * k)));
  lane_sums_store (&s, acc);
}

/* Loads 16 samples, offset to a' = a - 32768. */
static inline AVX2 __m256i
load_u16_offset (const guint8 * p, gboolean be)
{
  const __m256i swap = _mm256_setr_epi8 (1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10,
      13, 12, 15, 14, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14);
  __m256i v = _mm256_loadu_si256 ((const __m256i *) p);

  if (be)
    v = _mm256_shuffle_epi8 (v, swap);
  return _mm256_xor_si256 (v, _mm256_set1_epi16 ((short) 0x8000));
}

/* The signed pair products of vpmaddwd on offset samples, sign-extended to
 * 64 bits (lo: pairs {0, 1, 4, 5}, hi: {2, 3, 6, 7}).  Their only overflow,
 * +2^31, wraps to INT32_MIN, a value otherwise unreachable: zero-extended
 * instead. */
static inline AVX2 void
widen_products (__m256i ab, __m256i * lo, __m256i * hi)
{
  __m256i sign = _mm256_andnot_si256 (_mm256_cmpeq_epi32 (ab,
          _mm256_set1_epi32 (G_MININT32)), _mm256_srai_epi32 (ab, 31));

  *lo = _mm256_unpacklo_epi32 (ab, sign);
  *hi = _mm256_unpackhi_epi32 (ab, sign);
}

/* Adds 16 offset 16-bit samples of each plane. */
static inline AVX2 void
lane_add_u16 (LaneSums * s, __m256i va, __m256i vb)
{
  const __m256i ones = _mm256_set1_epi16 (1);
  const __m256i zero = _mm256_setzero_si256 ();
  __m256i sq, lo, hi;

  s->a = _mm256_add_epi32 (s->a, _mm256_madd_epi16 (va, ones));
  s->b = _mm256_add_epi32 (s->b, _mm256_madd_epi16 (vb, ones));
  /* squares: pair sums in [0, 2^31], unsigned */
  sq = _mm256_madd_epi16 (va, va);
  s->aa = _mm256_add_epi64 (s->aa, _mm256_add_epi64 (_mm256_unpacklo_epi32 (sq,
              zero), _mm256_unpackhi_epi32 (sq, zero)));
  sq = _mm256_madd_epi16 (vb, vb);
  s->bb = _mm256_add_epi64 (s->bb, _mm256_add_epi64 (_mm256_unpacklo_epi32 (sq,
              zero), _mm256_unpackhi_epi32 (sq, zero)));
  widen_products (_mm256_madd_epi16 (va, vb), &lo, &hi);
  s->ab = _mm256_add_epi64 (s->ab, _mm256_add_epi64 (lo, hi));
}

static inline AVX2 void
lanes_row_u16 (const guint8 * ra, const guint8 * rb, guint nvec, gboolean be,
    __m256i * acc, gboolean first)
{
  LaneSums s;
  guint k;

  lane_sums_load (&s, acc, first);
  for (k = 0; k < nvec; k++)
    lane_add_u16 (&s, load_u16_offset (ra + 32 * k, be),
        load_u16_offset (rb + 32 * k, be));
  lane_sums_store (&s, acc);
}

/* The sum of the two 64-bit lanes of v. */
static inline AVX2 gint64
hsum128_epi64 (__m128i v)
{
  return _mm_cvtsi128_si64 (v) + _mm_extract_epi64 (v, 1);
}

/* The sum of the four 32-bit lanes of v, unsigned or signed. */
static inline AVX2 gint64
hsum128_epi32 (__m128i v, gboolean is_signed)
{
  __m128i hi = _mm_srli_si128 (v, 8);

  if (is_signed)
    return hsum128_epi64 (_mm_add_epi64 (_mm_cvtepi32_epi64 (v),
            _mm_cvtepi32_epi64 (hi)));
  return hsum128_epi64 (_mm_add_epi64 (_mm_cvtepu32_epi64 (v),
          _mm_cvtepu32_epi64 (hi)));
}

/* Adds the sums of one 128-bit half (part 0 or 1) of a set to t, in
 * registers (through memory, each vector's store and narrower loads
 * stalled). */
static inline AVX2 void
lanes_half_sums (const LaneSums * s, gboolean u8, guint part, gint64 * t)
{
  const __m256i w[LANE_VECS] = { s->a, s->b, s->aa, s->bb, s->ab };
  __m128i v[LANE_VECS];
  guint i;

  for (i = 0; i < LANE_VECS; i++)
    v[i] = part ? _mm256_extracti128_si256 (w[i], 1) :
        _mm256_castsi256_si128 (w[i]);
  if (u8) {
    t[0] += hsum128_epi64 (v[0]);
    t[1] += hsum128_epi64 (v[1]);
    t[2] += hsum128_epi32 (v[2], FALSE);
    t[3] += hsum128_epi32 (v[3], FALSE);
    t[4] += hsum128_epi32 (v[4], FALSE);
  } else {
    t[0] += hsum128_epi32 (v[0], TRUE);
    t[1] += hsum128_epi32 (v[1], TRUE);
    t[2] += hsum128_epi64 (v[2]);
    t[3] += hsum128_epi64 (v[3]);
    t[4] += hsum128_epi64 (v[4]);
  }
}

/* Writes block sums from t (offset sums for 16-bit samples). */
static void
put_block_sums (const gint64 * t, gboolean u8, gint64 n, BwBlockSums * s)
{
  if (u8) {
    s->n = n;
    s->sum_a = t[0];
    s->sum_b = t[1];
    s->sum_aa = t[2];
    s->sum_bb = t[3];
    s->sum_ab = t[4];
  } else {
    finish_u16 (t[0], t[1], t[2], t[3], t[4], n, s);
  }
}

/* The whole blocks of a block row, widths a multiple of 16 bytes.  Blocks
 * of a multiple of 32 bytes keep one set of sums each; others one per 32
 * bytes of the row (two blocks' halves, or a last lone half).  The 32-bit
 * sums of a set take nvec vectors a row, so they are folded into 64-bit
 * totals per half before they could overflow (8-bit: 4 squares < 2^18 a
 * lane; 16-bit: |a'0 + a'1| <= 2^16), and at the end of the block row. */
static AVX2 void
block_row_lanes_avx2 (BwScratch * scratch, const BwBlockRow * row,
    guint nfull, BwBlockSums * out)
{
  const gboolean u8 = row->a->format == BW_SAMPLE_U8;
  const gboolean be = row->a->format == BW_SAMPLE_U16BE;
  const guint bpp = u8 ? 1 : 2;
  const guint block_bytes = row->block_width * bpp;
  const gboolean per_block = block_bytes % 32 == 0;
  const gsize covered = (gsize) nfull * block_bytes;
  const gsize nsets = per_block ? nfull : covered / 32;
  const guint nvec = per_block ? block_bytes / 32 : 1;
  const guint fold_rows = MAX (1, (u8 ? G_MAXUINT32 >> 18 : G_MAXINT32 >> 16)
      / nvec);
  const guint halves = block_bytes / 16;
  const gint64 n = (gint64) row->block_width * row->h;
  __m256i *acc;
  gint64 *wide;
  guint y, c, since = 0;
  gsize s, hf;

  /* the sets, then 5 64-bit totals per half */
  acc = scratch_aligned (scratch, MAX (nsets, 1) * LANE_VECS * 8
      + nsets * 2 * 5 * 2);
  wide = (gint64 *) (acc + MAX (nsets, 1) * LANE_VECS);
  memset (wide, 0, nsets * 2 * 5 * sizeof (gint64));

  for (y = row->y0; y < row->y0 + row->h; y++) {
    const guint8 *ra = bw_plane_row (row->a, y);
    const guint8 *rb = bw_plane_row (row->b, y);

    if (u8 && nvec == 1) {
      for (s = 0; s < nsets; s++)
        lanes_row_u8 (ra + 32 * s, rb + 32 * s, 1, acc + LANE_VECS * s,
            since == 0);
    } else if (u8) {
      for (s = 0; s < nsets; s++)
        lanes_row_u8 (ra + 32 * nvec * s, rb + 32 * nvec * s, nvec,
            acc + LANE_VECS * s, since == 0);
    } else if (be) {
      for (s = 0; s < nsets; s++)
        lanes_row_u16 (ra + 32 * nvec * s, rb + 32 * nvec * s, nvec, TRUE,
            acc + LANE_VECS * s, since == 0);
    } else if (nvec == 1) {
      /* the common 16-pixel blocks, unrolled */
      for (s = 0; s < nsets; s++)
        lanes_row_u16 (ra + 32 * s, rb + 32 * s, 1, FALSE,
            acc + LANE_VECS * s, since == 0);
    } else {
      for (s = 0; s < nsets; s++)
        lanes_row_u16 (ra + 32 * nvec * s, rb + 32 * nvec * s, nvec, FALSE,
            acc + LANE_VECS * s, since == 0);
    }
    if (++since == fold_rows || y + 1 == row->y0 + row->h) {
      for (hf = 0; hf < 2 * nsets; hf++) {
        LaneSums set;

        lane_sums_load (&set, acc + LANE_VECS * (hf / 2), FALSE);
        lanes_half_sums (&set, u8, hf % 2, wide + 5 * hf);
      }
      since = 0;
    }
  }

  for (c = 0; c < nfull; c++) {
    gint64 t[5] = { 0, };
    guint q;

    if (per_block) {
      for (q = 0; q < 5; q++)
        t[q] = wide[10 * c + q] + wide[10 * c + 5 + q];
      put_block_sums (t, u8, n, &out[c]);
      continue;
    }
    /* half hf belongs to block hf / halves */
    for (hf = (gsize) c * halves; hf < (gsize) (c + 1) * halves; hf++) {
      if (hf < 2 * nsets) {
        for (q = 0; q < 5; q++)
          t[q] += wide[5 * hf + q];
      } else {
        /* the lone half after the last whole vector */
        BwBlockSums tail;
        gint64 m;

        block_scalar (row, hf * 16 / bpp, (hf + 1) * 16 / bpp, &tail);
        m = tail.n;
        if (u8) {
          t[0] += tail.sum_a;
          t[1] += tail.sum_b;
          t[2] += tail.sum_aa;
          t[3] += tail.sum_bb;
          t[4] += tail.sum_ab;
        } else {
          /* as offset sums, like the vectors' */
          t[0] += tail.sum_a - 32768 * m;
          t[1] += tail.sum_b - 32768 * m;
          t[2] += tail.sum_aa - 65536 * tail.sum_a + (m << 30);
          t[3] += tail.sum_bb - 65536 * tail.sum_b + (m << 30);
          t[4] += tail.sum_ab - 32768 * (tail.sum_a + tail.sum_b) + (m << 30);
        }
      }
    }
    put_block_sums (t, u8, n, &out[c]);
  }
}

/* -- 16-pixel blocks on narrower frames: registers -- */

/* One vector of a block row (one 16-bit block, two 8-bit ones) is summed
 * down the block row in registers, with the lines PREFETCH_ROWS rows below
 * (the next block row's) prefetched: on 16-pixel blocks the lanes' five
 * stores and loads per vector cost more than the lost raster order.  Frames
 * whose rows lie a page or more apart take the lanes: 2 x 16 streams a page
 * apart defeat the prefetchers. */
#define PREFETCH_ROWS 16

/* The sum of the four 64-bit lanes of v. */
static inline AVX2 gint64
hsum_epi64 (__m256i v)
{
  __m128i s = _mm_add_epi64 (_mm256_castsi256_si128 (v),
      _mm256_extracti128_si256 (v, 1));

  return _mm_cvtsi128_si64 (s) + _mm_extract_epi64 (s, 1);
}

/* The eight signed 32-bit lanes of v added pairwise into four 64-bit ones. */
static inline AVX2 __m256i
widen_s32 (__m256i v)
{
  return _mm256_add_epi64 (_mm256_cvtepi32_epi64 (_mm256_castsi256_si128 (v)),
      _mm256_cvtepi32_epi64 (_mm256_extracti128_si256 (v, 1)));
}

static AVX2 void
block_u16_regs_avx2 (const BwBlockRow * row, guint x0, gboolean be,
    BwBlockSums * out)
{
  LaneSums s;
  gint64 t[5];
  guint y;

  lane_sums_load (&s, NULL, TRUE);
  for (y = row->y0; y < row->y0 + row->h; y++) {
    const guint8 *ra = bw_plane_row (row->a, y) + 2 * x0;
    const guint8 *rb = bw_plane_row (row->b, y) + 2 * x0;

    __m256i va = load_u16_offset (ra, be), vb = load_u16_offset (rb, be);

    /* after the loads, which the prefetches would otherwise delay */
    _mm_prefetch ((const char *) ra + PREFETCH_ROWS * row->a->stride,
        _MM_HINT_T0);
    _mm_prefetch ((const char *) rb + PREFETCH_ROWS * row->b->stride,
        _MM_HINT_T0);
    /* |a'0 + a'1| <= 2^16: 4096 rows fit 32 bits */
    lane_add_u16 (&s, va, vb);
  }
  t[0] = hsum_epi64 (widen_s32 (s.a));
  t[1] = hsum_epi64 (widen_s32 (s.b));
  t[2] = hsum_epi64 (s.aa);
  t[3] = hsum_epi64 (s.bb);
  t[4] = hsum_epi64 (s.ab);
  put_block_sums (t, FALSE, (gint64) 16 * row->h, out);
}

/* Two 16-pixel 8-bit blocks (one vector), as block_u16_regs_avx2(). */
static AVX2 void
blocks_u8_regs_avx2 (const BwBlockRow * row, guint x0, BwBlockSums * out)
{
  LaneSums s;
  guint y, part;

  lane_sums_load (&s, NULL, TRUE);
  for (y = row->y0; y < row->y0 + row->h; y++) {
    const guint8 *ra = bw_plane_row (row->a, y) + x0;
    const guint8 *rb = bw_plane_row (row->b, y) + x0;

    __m256i va = _mm256_loadu_si256 ((const __m256i *) ra);
    __m256i vb = _mm256_loadu_si256 ((const __m256i *) rb);

    _mm_prefetch ((const char *) ra + PREFETCH_ROWS * row->a->stride,
        _MM_HINT_T0);
    _mm_prefetch ((const char *) rb + PREFETCH_ROWS * row->b->stride,
        _MM_HINT_T0);
    lane_add_u8 (&s, va, vb);
  }
  for (part = 0; part < 2; part++) {
    gint64 t[5] = { 0, };

    lanes_half_sums (&s, TRUE, part, t);
    put_block_sums (t, TRUE, (gint64) 16 * row->h, &out[part]);
  }
}

/* -- Strips: other even block widths (10, 12, 20, ...) -- */

/* A pixel pair never straddles two blocks, so sums are kept per pair
 * column: a strip of 32 bytes per plane goes down the rows of the block row
 * with its sums in registers, and is then stored, in pair order, into
 * column arrays; each block adds up its pair columns.  Raster order would
 * move eight vectors of sums per 32 bytes to memory and back every row.
 * Going down the rows reads 2 x block_height streams, so each row
 * prefetches its line of the next chunk of rows (the next block row), as
 * the 16-pixel blocks do.  Rows are taken in chunks, which bounds the
 * 16-bit pair sums of 8-bit samples to 128 * 510 < 2^16. */
#define STRIP_ROWS 128

/* Rows of a frame whose stride is a multiple of 4 KiB (4096-pixel 8-bit or
 * 2048-pixel 16-bit frames) put a column's lines in one L1 set of 8 ways,
 * so a strip going down more than 4 rows of two planes evicts the lines the
 * next strip needs; chunks that small cost where there is no conflict.  The
 * rows per chunk: at most 4 per L1 set that a column's lines fall into. */
static guint
strip_chunk_rows (const BwBlockRow * row)
{
  gsize sa = ABS (row->a->stride), sb = ABS (row->b->stride), g = 4096;

  /* the largest power of two up to 4096 that divides either stride (the
   * plane whose lines fall into the fewest sets) */
  while (g > 64 && sa % g != 0 && sb % g != 0)
    g /= 2;
  return CLAMP (4 * (4096 / g), 4, STRIP_ROWS);
}

/* Stores (or adds) eight 32-bit pair sums held as lo = pairs {0-3, 8-11},
 * hi = {4-7, 12-15} (the layout unpacklo/unpackhi leave) into dst[0..16) in
 * pair order. */
static inline AVX2 void
put_pairs_u32 (guint32 * dst, __m256i lo, __m256i hi, gboolean add)
{
  __m256i p0 = _mm256_permute2x128_si256 (lo, hi, 0x20);
  __m256i p1 = _mm256_permute2x128_si256 (lo, hi, 0x31);

  if (add) {
    p0 = _mm256_add_epi32 (p0, _mm256_loadu_si256 ((const __m256i *) dst));
    p1 = _mm256_add_epi32 (p1, _mm256_loadu_si256 ((const __m256i *) (dst +
                8)));
  }
  _mm256_storeu_si256 ((__m256i *) dst, p0);
  _mm256_storeu_si256 ((__m256i *) (dst + 8), p1);
}

/* The same for 64-bit sums: lo = pairs {0, 1, 4, 5}, hi = {2, 3, 6, 7} into
 * dst[0..8). */
static inline AVX2 void
put_pairs_u64 (gint64 * dst, __m256i lo, __m256i hi, gboolean add)
{
  __m256i p0 = _mm256_permute2x128_si256 (lo, hi, 0x20);
  __m256i p1 = _mm256_permute2x128_si256 (lo, hi, 0x31);

  if (add) {
    p0 = _mm256_add_epi64 (p0, _mm256_loadu_si256 ((const __m256i *) dst));
    p1 = _mm256_add_epi64 (p1, _mm256_loadu_si256 ((const __m256i *) (dst +
                4)));
  }
  _mm256_storeu_si256 ((__m256i *) dst, p0);
  _mm256_storeu_si256 ((__m256i *) (dst + 4), p1);
}

/* Pair-column arrays of one block row.  8-bit samples: all five are 32-bit
 * (a pair column of at most 4096 rows sums to below 4096 * 2 * 255^2 <
 * 2^32).  16-bit samples, offset by -32768: a, b 32-bit, the rest 64-bit. */
typedef struct
{
  gint32 *a, *b;
  gint32 *aa32, *bb32, *ab32;
  gint64 *aa, *bb, *ab;
} PairCols;

/* 16 pair columns of 8-bit samples over h rows. */
static AVX2 void
strip_u8_avx2 (const guint8 * ra, gssize stride_a, const guint8 * rb,
    gssize stride_b, guint h, const PairCols * pc, gsize p, gboolean add)
{
  const __m256i ones = _mm256_set1_epi8 (1);
  const __m256i zero = _mm256_setzero_si256 ();
  __m256i a16 = zero, b16 = zero, aa_lo = zero, aa_hi = zero, bb_lo = zero;
  __m256i bb_hi = zero, ab_lo = zero, ab_hi = zero;
  guint y;

  for (y = 0; y < h; y++) {
    __m256i va = _mm256_loadu_si256 ((const __m256i *) ra);
    __m256i vb = _mm256_loadu_si256 ((const __m256i *) rb);
    __m256i al = _mm256_unpacklo_epi8 (va, zero);
    __m256i ah = _mm256_unpackhi_epi8 (va, zero);
    __m256i bl = _mm256_unpacklo_epi8 (vb, zero);
    __m256i bh = _mm256_unpackhi_epi8 (vb, zero);

    /* unsigned x signed bytes: pair sums a0 + a1 <= 510, no saturation */
    a16 = _mm256_add_epi16 (a16, _mm256_maddubs_epi16 (va, ones));
    b16 = _mm256_add_epi16 (b16, _mm256_maddubs_epi16 (vb, ones));
    aa_lo = _mm256_add_epi32 (aa_lo, _mm256_madd_epi16 (al, al));
    aa_hi = _mm256_add_epi32 (aa_hi, _mm256_madd_epi16 (ah, ah));
    bb_lo = _mm256_add_epi32 (bb_lo, _mm256_madd_epi16 (bl, bl));
    bb_hi = _mm256_add_epi32 (bb_hi, _mm256_madd_epi16 (bh, bh));
    ab_lo = _mm256_add_epi32 (ab_lo, _mm256_madd_epi16 (al, bl));
    ab_hi = _mm256_add_epi32 (ab_hi, _mm256_madd_epi16 (ah, bh));
    _mm_prefetch ((const char *) ra + h * stride_a, _MM_HINT_T0);
    _mm_prefetch ((const char *) rb + h * stride_b, _MM_HINT_T0);
    ra += stride_a;
    rb += stride_b;
  }
  put_pairs_u32 ((guint32 *) pc->a + p, _mm256_unpacklo_epi16 (a16, zero),
      _mm256_unpackhi_epi16 (a16, zero), add);
  put_pairs_u32 ((guint32 *) pc->b + p, _mm256_unpacklo_epi16 (b16, zero),
      _mm256_unpackhi_epi16 (b16, zero), add);
  put_pairs_u32 ((guint32 *) pc->aa32 + p, aa_lo, aa_hi, add);
  put_pairs_u32 ((guint32 *) pc->bb32 + p, bb_lo, bb_hi, add);
  put_pairs_u32 ((guint32 *) pc->ab32 + p, ab_lo, ab_hi, add);
}

/* 8 pair columns of 16-bit samples over h rows, offset to a' = a - 32768
 * (see the top of the file). */
static AVX2 void
strip_u16_avx2 (const guint8 * ra, gssize stride_a, const guint8 * rb,
    gssize stride_b, guint h, gboolean be, const PairCols * pc, gsize p,
    gboolean add)
{
  const __m256i ones = _mm256_set1_epi16 (1);
  const __m256i zero = _mm256_setzero_si256 ();
  __m256i a32 = zero, b32 = zero, aa_lo = zero, aa_hi = zero, bb_lo = zero;
  __m256i bb_hi = zero, ab_lo = zero, ab_hi = zero;
  guint y;

  for (y = 0; y < h; y++) {
    __m256i va = load_u16_offset (ra, be);
    __m256i vb = load_u16_offset (rb, be);
    __m256i sq, lo, hi;

    /* |a'0 + a'1| <= 2^16: 4096 rows fit 32 bits */
    a32 = _mm256_add_epi32 (a32, _mm256_madd_epi16 (va, ones));
    b32 = _mm256_add_epi32 (b32, _mm256_madd_epi16 (vb, ones));
    sq = _mm256_madd_epi16 (va, va);
    aa_lo = _mm256_add_epi64 (aa_lo, _mm256_unpacklo_epi32 (sq, zero));
    aa_hi = _mm256_add_epi64 (aa_hi, _mm256_unpackhi_epi32 (sq, zero));
    sq = _mm256_madd_epi16 (vb, vb);
    bb_lo = _mm256_add_epi64 (bb_lo, _mm256_unpacklo_epi32 (sq, zero));
    bb_hi = _mm256_add_epi64 (bb_hi, _mm256_unpackhi_epi32 (sq, zero));
    widen_products (_mm256_madd_epi16 (va, vb), &lo, &hi);
    ab_lo = _mm256_add_epi64 (ab_lo, lo);
    ab_hi = _mm256_add_epi64 (ab_hi, hi);
    _mm_prefetch ((const char *) ra + h * stride_a, _MM_HINT_T0);
    _mm_prefetch ((const char *) rb + h * stride_b, _MM_HINT_T0);
    ra += stride_a;
    rb += stride_b;
  }
  if (add) {
    a32 = _mm256_add_epi32 (a32, _mm256_loadu_si256 ((const __m256i *)
            (pc->a + p)));
    b32 = _mm256_add_epi32 (b32, _mm256_loadu_si256 ((const __m256i *)
            (pc->b + p)));
  }
  _mm256_storeu_si256 ((__m256i *) (pc->a + p), a32);
  _mm256_storeu_si256 ((__m256i *) (pc->b + p), b32);
  put_pairs_u64 (pc->aa + p, aa_lo, aa_hi, add);
  put_pairs_u64 (pc->bb + p, bb_lo, bb_hi, add);
  put_pairs_u64 (pc->ab + p, ab_lo, ab_hi, add);
}

/* Pair columns [p0, p1) after the last whole strip, over rows [y0, y1),
 * added one by one (with the offset for 16-bit samples). */
static void
pairs_scalar (const BwBlockRow * row, guint y0, guint y1, gsize p0, gsize p1,
    const PairCols * pc, gboolean u8)
{
  const gint off = u8 ? 0 : 32768;
  guint y;
  gsize p;

  for (y = y0; y < y1; y++) {
    const guint8 *ra = bw_plane_row (row->a, y);
    const guint8 *rb = bw_plane_row (row->b, y);

    for (p = p0; p < p1; p++) {
      gint64 a0 = (gint64) bw_sample_at (ra, 2 * p, row->a->format) - off;
      gint64 a1 = (gint64) bw_sample_at (ra, 2 * p + 1, row->a->format) - off;
      gint64 b0 = (gint64) bw_sample_at (rb, 2 * p, row->b->format) - off;
      gint64 b1 = (gint64) bw_sample_at (rb, 2 * p + 1, row->b->format) - off;

      pc->a[p] += a0 + a1;
      pc->b[p] += b0 + b1;
      if (u8) {
        pc->aa32[p] += a0 * a0 + a1 * a1;
        pc->bb32[p] += b0 * b0 + b1 * b1;
        pc->ab32[p] += a0 * b0 + a1 * b1;
      } else {
        pc->aa[p] += a0 * a0 + a1 * a1;
        pc->bb[p] += b0 * b0 + b1 * b1;
        pc->ab[p] += a0 * b0 + a1 * b1;
      }
    }
  }
}

/* The whole blocks of a block row, any even width. */
static AVX2 void
block_row_strips_avx2 (BwScratch * scratch, const BwBlockRow * row,
    guint nfull, BwBlockSums * out)
{
  const gboolean u8 = row->a->format == BW_SAMPLE_U8;
  const gboolean be = row->a->format == BW_SAMPLE_U16BE;
  const guint bpp = u8 ? 1 : 2, per_strip = u8 ? 16 : 8;
  const gsize npairs = (gsize) nfull * row->block_width / 2;
  const gsize nstrips = npairs / per_strip, rest = nstrips * per_strip;
  const gsize n = (gsize) row->block_width * row->h, bp = row->block_width / 2;
  PairCols pc;
  guint chunk = strip_chunk_rows (row), y0, c;
  gsize s;

  /* u8: five 32-bit arrays; u16: two 32-bit and three 64-bit ones.  The
   * strips store theirs; only the columns after them start from zero. */
  bw_scratch_reserve ((gpointer *) & scratch->cols32, &scratch->cols32_len,
      8 * npairs, sizeof (guint32));
  pc.a = (gint32 *) scratch->cols32;
  pc.b = pc.a + npairs;
  pc.aa32 = pc.b + npairs;
  pc.bb32 = pc.aa32 + npairs;
  pc.ab32 = pc.bb32 + npairs;
  pc.aa = (gint64 *) pc.aa32;
  pc.bb = pc.aa + npairs;
  pc.ab = pc.bb + npairs;
  for (s = rest; s < npairs; s++) {
    pc.a[s] = pc.b[s] = 0;
    if (u8)
      pc.aa32[s] = pc.bb32[s] = pc.ab32[s] = 0;
    else
      pc.aa[s] = pc.bb[s] = pc.ab[s] = 0;
  }

  for (y0 = 0; y0 < row->h; y0 += chunk) {
    guint h = MIN (chunk, row->h - y0);
    const guint8 *ra = bw_plane_row (row->a, row->y0 + y0);
    const guint8 *rb = bw_plane_row (row->b, row->y0 + y0);

    for (s = 0; s < nstrips; s++) {
      gsize byte = s * per_strip * 2 * bpp;

      if (u8)
        strip_u8_avx2 (ra + byte, row->a->stride, rb + byte, row->b->stride,
            h, &pc, s * per_strip, y0 > 0);
      else
        strip_u16_avx2 (ra + byte, row->a->stride, rb + byte, row->b->stride,
            h, be, &pc, s * per_strip, y0 > 0);
    }
    pairs_scalar (row, row->y0 + y0, row->y0 + y0 + h, rest, npairs, &pc, u8);
  }

  for (c = 0; c < nfull; c++) {
    gint64 t[5] = { 0, };
    gsize p;

    if (u8) {
      for (p = c * bp; p < (c + 1) * bp; p++) {
        t[0] += pc.a[p];
        t[1] += pc.b[p];
        t[2] += (guint32) pc.aa32[p];
        t[3] += (guint32) pc.bb32[p];
        t[4] += (guint32) pc.ab32[p];
      }
    } else {
      for (p = c * bp; p < (c + 1) * bp; p++) {
        t[0] += pc.a[p];
        t[1] += pc.b[p];
        t[2] += pc.aa[p];
        t[3] += pc.bb[p];
        t[4] += pc.ab[p];
      }
    }
    put_block_sums (t, u8, n, &out[c]);
  }
}

void
bw_block_row_avx2 (BwScratch * scratch, const BwBlockRow * row,
    BwBlockSums * out)
{
  guint bpp = row->a->format == BW_SAMPLE_U8 ? 1 : 2;
  guint nfull = MIN (row->n_blocks, row->width_px / row->block_width);
  guint c;

  if (nfull > 0) {
    if (row->block_width == 16 && ABS (row->a->stride) < 4096
        && ABS (row->b->stride) < 4096) {
      if (bpp == 2) {
        for (c = 0; c < nfull; c++)
          block_u16_regs_avx2 (row, 16 * c,
              row->a->format == BW_SAMPLE_U16BE, &out[c]);
      } else {
        for (c = 0; c + 1 < nfull; c += 2)
          blocks_u8_regs_avx2 (row, 16 * c, &out[c]);
        if (c < nfull)
          block_scalar (row, 16 * c, 16 * c + 16, &out[c]);
      }
    } else if (row->block_width * bpp % 16 == 0) {
      block_row_lanes_avx2 (scratch, row, nfull, out);
    } else {
      block_row_strips_avx2 (scratch, row, nfull, out);
    }
  }
  /* the last, narrower block of a partial frame */
  for (c = nfull; c < row->n_blocks; c++)
    block_scalar (row, c * row->block_width, MIN ((c + 1) * row->block_width,
            row->width_px), &out[c]);
}

/* ---- AVX-512 (BW): 32 samples at a time ---------------------------------- */

/* Walking a block row block by block reads block_height rows at once, more
 * streams than the hardware prefetcher follows: each row asks for the same
 * columns 16 rows further down (for 16-row blocks, the next block row),
 * which are read soon after. */
#define PREFETCH_NEXT_BLOCK_ROW(row, y, ra, rb, bytes) G_STMT_START { \
    const char *pa_ = (const char *) (ra) \
        + (gssize) PREFETCH_ROWS * (row)->a->stride; \
    const char *pb_ = (const char *) (rb) \
        + (gssize) PREFETCH_ROWS * (row)->b->stride; \
    guint off_; \
    for (off_ = 0; off_ < (bytes); off_ += 64) { \
      _mm_prefetch (pa_ + off_, _MM_HINT_T0); \
      _mm_prefetch (pb_ + off_, _MM_HINT_T0); \
    } \
  } G_STMT_END

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
  s->n = (guint64) w *row->h;
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
