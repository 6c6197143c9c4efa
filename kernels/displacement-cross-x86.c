/* gst-blockwise: the AVX2 and AVX-512BW paths of the displacement
 * search's cross sums (x86-64).
 *
 * One call takes a block row at every vertical offset.  B's rows are first
 * copied into a buffer of 16-bit lanes, once for all offsets (zero outside
 * the frame), so that the inner loops read them as they are.  A block row
 * is then walked in chunks of 16 columns of A.  Per chunk, offset group and
 * row, A is loaded once and B once per offset (unaligned loads at x + dx),
 * multiplied with vpmaddwd and added into one register per offset (or two,
 * for 16-bit samples), several offsets at a time.  vpmaddwd adds the
 * products of the columns x and x + 1: with an even block width the blocks
 * start at even columns, so each such pair belongs to one block.  At the
 * end of a chunk the pair sums go to per-pair-column 64-bit arrays, and each
 * block adds up its pairs.  Hence even block widths only, and equal
 * formats, U8 or U16LE (the kernel tables offer nothing else here).
 *
 * Exact sums:
 * - 8-bit samples, zero-extended to 16 bits: a pair sum is below 2^17, so
 *   32-bit lanes take 16384 rows.
 * - 16-bit samples: B is offset to b' = b - 32768 (b XOR 0x8000, signed)
 *   in the buffer, A is split into its bytes al, ah (0..255): |al·b'| pair
 *   sums stay below 2^24, so 32-bit lanes take 64 rows and more before they
 *   are widened.  Then Σab = 256 Σ ah·b' + Σ al·b' + 32768 Σa, where Σa
 *   comes from vpmaddwd (a XOR 0x8000, 1) + 65536 per pair.
 *
 * Never reads outside the planes: the last chunk, when it would pass
 * width_px, reads A from a zero-padded copy.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <immintrin.h>
#include "blockstats-private.h"

#define AVX2 __attribute__ ((target ("avx2")))
#define AVX2_INLINE __attribute__ ((target ("avx2"), always_inline)) inline
#define AVX512 __attribute__ ((target ("avx2,avx512f,avx512bw")))
#define AVX512_INLINE \
  __attribute__ ((target ("avx2,avx512f,avx512bw"), always_inline)) inline

/* Columns of A per chunk, pair columns per chunk (AVX2; twice as many on
 * the AVX-512 path). */
#define CHUNK 16
#define CHUNK_PAIRS 8

/* Offsets per pass over a chunk: two accumulators each for 16-bit samples
 * (plus al, ah and a product: 13 of the 16 registers), one for 8-bit
 * samples; AVX-512 has 32 registers. */
#define GROUP_U16 5
#define GROUP_U8 12
#define GROUP_U16_512 12
#define GROUP_U8_512 17

/* Rows summed in 32 bits before widening: 16-bit pair sums are below 2^24
 * in magnitude (2^30 after 64 rows), 8-bit ones below 2^17. */
#define FLUSH_U16 64
#define FLUSH_U8 16384

/* GCC 12 otherwise hoists every load of a row ahead of the
 * multiplications and spills accumulators to the stack; an empty asm
 * statement that reads and writes the accumulator in a register keeps each
 * offset's load, multiply and add together. */
#define KEEP_IN_REGISTER(v) __asm__ volatile ("" : "+x" (v))

/* Where one chunk's samples are read: A at its first column, each row
 * stride_a bytes after the one before; B in the buffer, at the chunk's
 * first column moved by the group's first offset, rows stride_b lanes
 * apart. */
typedef struct
{
  const guint8 *a;
  gssize stride_a;
  const gint16 *b;
  gsize stride_b;
  guint h;
} ChunkSrc;

/* Adds (first) or stores the eight signed 32-bit lanes of lo plus 256 times
 * those of hi into p[0..8). */
static AVX2_INLINE void
flush_lanes (gint64 * p, __m256i lo, __m256i hi, gboolean first)
{
  __m256i l0 = _mm256_cvtepi32_epi64 (_mm256_castsi256_si128 (lo));
  __m256i l1 = _mm256_cvtepi32_epi64 (_mm256_extracti128_si256 (lo, 1));
  __m256i h0 = _mm256_cvtepi32_epi64 (_mm256_castsi256_si128 (hi));
  __m256i h1 = _mm256_cvtepi32_epi64 (_mm256_extracti128_si256 (hi, 1));
  __m256i v0 = _mm256_add_epi64 (l0, _mm256_slli_epi64 (h0, 8));
  __m256i v1 = _mm256_add_epi64 (l1, _mm256_slli_epi64 (h1, 8));

  if (!first) {
    v0 = _mm256_add_epi64 (v0, _mm256_loadu_si256 ((const __m256i *) p));
    v1 = _mm256_add_epi64 (v1, _mm256_loadu_si256 ((const __m256i *) (p + 4)));
  }
  _mm256_storeu_si256 ((__m256i *) p, v0);
  _mm256_storeu_si256 ((__m256i *) (p + 4), v1);
}

/* 16-bit samples: offsets 0 .. G - 1 of one chunk from src->b on into
 * pairs[i * pair_stride + 0..8) for offset i. */
static AVX2_INLINE void
chunk_u16 (const ChunkSrc * src, const guint G, gint64 * pairs,
    gsize pair_stride)
{
  const __m256i low8 = _mm256_set1_epi16 (0xff);
  const __m256i zero = _mm256_setzero_si256 ();
  guint ys, y, i;

  for (ys = 0; ys < src->h; ys += FLUSH_U16) {
    guint ye = MIN (src->h, ys + FLUSH_U16);
    __m256i lo[GROUP_U16], hi[GROUP_U16];

#pragma GCC unroll 8
    for (i = 0; i < G; i++)
      lo[i] = hi[i] = zero;
    for (y = ys; y < ye; y++) {
      const guint8 *ra = src->a + (gssize) y * src->stride_a;
      const gint16 *rb = src->b + (gsize) y * src->stride_b;
      __m256i va = _mm256_loadu_si256 ((const __m256i *) ra);
      __m256i al = _mm256_and_si256 (va, low8);
      __m256i ah = _mm256_srli_epi16 (va, 8);

#pragma GCC unroll 8
      for (i = 0; i < G; i++) {
        __m256i vb = _mm256_loadu_si256 ((const __m256i *) (rb + i));

        lo[i] = _mm256_add_epi32 (_mm256_madd_epi16 (al, vb), lo[i]);
        hi[i] = _mm256_add_epi32 (_mm256_madd_epi16 (ah, vb), hi[i]);
        KEEP_IN_REGISTER (lo[i]);
        KEEP_IN_REGISTER (hi[i]);
      }
    }
#pragma GCC unroll 8
    for (i = 0; i < G; i++)
      flush_lanes (pairs + i * pair_stride, lo[i], hi[i], ys == 0);
  }
}

/* 16-bit samples: Σa of each pair column of one chunk into sum_a[0..8). */
static AVX2_INLINE void
chunk_sum_a (const ChunkSrc * src, gint64 * sum_a)
{
  const __m256i flip = _mm256_set1_epi16 ((short) 0x8000);
  const __m256i ones = _mm256_set1_epi16 (1);
  __m256i sa = _mm256_setzero_si256 ();
  guint y;

  /* |a - 32768| pair sums are at most 2^16: 32-bit lanes take every
   * block height */
  for (y = 0; y < src->h; y++) {
    __m256i va = _mm256_loadu_si256 ((const __m256i *) (src->a +
            (gssize) y * src->stride_a));

    sa = _mm256_add_epi32 (sa, _mm256_madd_epi16 (_mm256_xor_si256 (va,
                flip), ones));
  }
  /* a XOR 0x8000 is a - 32768: add 65536 per pair and row back */
  sa = _mm256_add_epi32 (sa, _mm256_set1_epi32 (65536 * src->h));
  flush_lanes (sum_a, sa, _mm256_setzero_si256 (), TRUE);
}

/* 8-bit samples, as chunk_u16. */
static AVX2_INLINE void
chunk_u8 (const ChunkSrc * src, const guint G, gint64 * pairs,
    gsize pair_stride)
{
  const __m256i zero = _mm256_setzero_si256 ();
  guint ys, y, i;

  for (ys = 0; ys < src->h; ys += FLUSH_U8) {
    guint ye = MIN (src->h, ys + FLUSH_U8);
    __m256i acc[GROUP_U8];

#pragma GCC unroll 16
    for (i = 0; i < G; i++)
      acc[i] = zero;
    for (y = ys; y < ye; y++) {
      const guint8 *ra = src->a + (gssize) y * src->stride_a;
      const gint16 *rb = src->b + (gsize) y * src->stride_b;
      __m256i va = _mm256_cvtepu8_epi16 (_mm_loadu_si128 ((const __m128i *)
              ra));

#pragma GCC unroll 16
      for (i = 0; i < G; i++) {
        __m256i vb = _mm256_loadu_si256 ((const __m256i *) (rb + i));

        acc[i] = _mm256_add_epi32 (_mm256_madd_epi16 (va, vb), acc[i]);
        KEEP_IN_REGISTER (acc[i]);
      }
    }
#pragma GCC unroll 16
    for (i = 0; i < G; i++)
      flush_lanes (pairs + i * pair_stride, acc[i], zero, ys == 0);
  }
}

/* One instance per group size, so the accumulators live in registers. */
#define U16_CASE(n) case n: chunk_u16 (src, n, pairs, pair_stride); break
#define U8_CASE(n) case n: chunk_u8 (src, n, pairs, pair_stride); break

static AVX2 void
chunk_u16_group (const ChunkSrc * src, guint n, gint64 * pairs,
    gsize pair_stride)
{
  switch (n) {
      U16_CASE (1);
      U16_CASE (2);
      U16_CASE (3);
      U16_CASE (4);
      U16_CASE (5);
    default:
      g_assert_not_reached ();
  }
}

static AVX2 void
chunk_u8_group (const ChunkSrc * src, guint n, gint64 * pairs,
    gsize pair_stride)
{
  switch (n) {
      U8_CASE (1);
      U8_CASE (2);
      U8_CASE (3);
      U8_CASE (4);
      U8_CASE (5);
      U8_CASE (6);
      U8_CASE (7);
      U8_CASE (8);
      U8_CASE (9);
      U8_CASE (10);
      U8_CASE (11);
      U8_CASE (12);
    default:
      g_assert_not_reached ();
  }
}

static AVX2 void
chunk_sum_a_avx2 (const ChunkSrc * src, gint64 * sum_a)
{
  chunk_sum_a (src, sum_a);
}

/* Copies n_rows rows of B from plane row y on into buf (len lanes a row):
 * lane i of a row is B's column first + i as a 16-bit lane (16-bit
 * samples XOR 0x8000), 0 outside the frame. */
static AVX2 void
copy_b_rows (const BwCrossRow * row, gint y, guint n_rows, gssize first,
    gsize len, gint16 * buf)
{
  const gboolean u8 = row->b->format == BW_SAMPLE_U8;
  const __m256i flip = _mm256_set1_epi16 ((short) 0x8000);
  gssize lo = MAX (first, 0);
  gssize hi = MIN (first + (gssize) len, (gssize) row->width);
  guint j;

  for (j = 0; j < n_rows; j++) {
    const guint8 *src = bw_plane_row (row->b, y + j);
    gint16 *d = buf + (gsize) j * len;
    gssize x = lo;

    memset (d, 0, len * sizeof (gint16));
    if (hi <= lo)
      continue;
    if (u8) {
      for (; x + 16 <= hi; x += 16)
        _mm256_storeu_si256 ((__m256i *) (d + (x - first)),
            _mm256_cvtepu8_epi16 (_mm_loadu_si128 ((const __m128i *)
                    (src + x))));
      for (; x < hi; x++)
        d[x - first] = src[x];
    } else {
      for (; x + 16 <= hi; x += 16)
        _mm256_storeu_si256 ((__m256i *) (d + (x - first)),
            _mm256_xor_si256 (_mm256_loadu_si256 ((const __m256i *)
                    (src + 2 * x)), flip));
      for (; x < hi; x++)
        d[x - first] = (gint16) (bw_load_u16le (src, x) ^ 0x8000);
    }
  }
}

/* Copies A's samples of the chunk from column x into buf (chunk columns
 * a row, 0 past width_px). */
static void
copy_a_chunk (const BwCrossRow * row, gsize x, gsize bps, guint chunk,
    guint8 * buf)
{
  gsize n = MIN ((gsize) chunk, row->width_px - x);
  guint y;

  for (y = 0; y < row->h; y++) {
    guint8 *d = buf + (gsize) y * chunk * bps;

    memset (d, 0, chunk * bps);
    memcpy (d, bw_plane_row (row->a, row->y0 + y) + x * bps, n * bps);
  }
}

/* The sum of block c's pair columns of p. */
static AVX2_INLINE gint64
sum_pairs (const gint64 * p, const BwCrossRow * row, guint c)
{
  gsize p0 = (gsize) c * row->block_width / 2;
  gsize p1 = (MIN ((gsize) (c + 1) * row->block_width,
          (gsize) row->width_px) + 1) / 2;
  __m256i v = _mm256_setzero_si256 ();
  __m128i h;
  gint64 t;

  for (; p0 + 4 <= p1; p0 += 4)
    v = _mm256_add_epi64 (v, _mm256_loadu_si256 ((const __m256i *) (p + p0)));
  h = _mm_add_epi64 (_mm256_castsi256_si128 (v),
      _mm256_extracti128_si256 (v, 1));
  t = _mm_cvtsi128_si64 (h) + _mm_extract_epi64 (h, 1);
  for (; p0 < p1; p0++)
    t += p[p0];
  return t;
}

/* out[c] = the sum of block c's pair columns of p, plus 32768 Σa of the
 * block where sum_a is given. */
static AVX2_INLINE void
sum_blocks (const gint64 * p, const BwCrossRow * row, const gint64 * sum_a,
    guint64 * out)
{
  const gsize n_pairs = row->block_width / 2;
  const guint full = MIN (row->n_blocks, row->width_px / row->block_width);
  const gint64 *q = p;
  guint c;

  /* whole blocks: n_pairs pair columns each, one after the other */
  for (c = 0; c < full; c++, q += n_pairs) {
    gint64 t = 0;
    gsize i;

    for (i = 0; i < n_pairs; i++)
      t += q[i];
    out[c] = (guint64) (t + (sum_a ? 32768 * sum_a[c] : 0));
  }
  for (; c < row->n_blocks; c++)
    out[c] = (guint64) (sum_pairs (p, row, c) + (sum_a ? 32768 * sum_a[c] : 0));
}

/* One path's chunk functions: chunk columns of A at a time, groups of at
 * most group_u16 (group_u8) offsets. */
typedef struct
{
  guint chunk;
  guint group_u16, group_u8;
  void (*u16) (const ChunkSrc * src, guint n, gint64 * pairs,
      gsize pair_stride);
  void (*u8) (const ChunkSrc * src, guint n, gint64 * pairs, gsize pair_stride);
  void (*sum_a) (const ChunkSrc * src, gint64 * sum_a);
} ChunkPath;

static AVX2 void
cross_rows (BwScratch * scratch, const BwCrossRow * row, gint dy0,
    guint n_dy, guint64 * sum_ab, const ChunkPath * path)
{
  const gboolean u8 = row->a->format == BW_SAMPLE_U8;
  const gsize bps = u8 ? 1 : 2;
  const guint radius = row->radius;
  const guint nd = 2 * radius + 1;
  const guint n_off = n_dy * nd;
  const guint chunk = path->chunk, chunk_pairs = chunk / 2;
  const guint group = u8 ? path->group_u8 : path->group_u16;
  gsize n_chunks, n_pairs, b_len, b_rows, a_bytes, k;
  gint64 *pairs, *sum_a;
  gint16 *bbuf;
  guint8 *abuf;
  guint j, d, c;

  if (n_dy == 0)
    return;
  /* n_off arrays of pair sums, one of Σa, B's rows, A's last chunk */
  n_chunks = (row->width_px + chunk - 1) / chunk;
  n_pairs = n_chunks * chunk_pairs;
  b_len = n_chunks * chunk + 2 * radius;
  b_rows = row->h + n_dy - 1;
  a_bytes = (gsize) row->h * chunk * bps;
  bw_scratch_reserve ((gpointer *) & scratch->cols32, &scratch->cols32_len,
      2 * (n_off + 1) * n_pairs + (b_rows * b_len + 1) / 2 + (a_bytes + 3) / 4,
      sizeof (guint32));
  pairs = (gint64 *) scratch->cols32;
  sum_a = pairs + n_off * n_pairs;
  bbuf = (gint16 *) (sum_a + n_pairs);
  abuf = (guint8 *) (bbuf + b_rows * b_len);

  copy_b_rows (row, (gint) row->y0 + dy0, b_rows,
      (gssize) row->cx - (gssize) radius, b_len, bbuf);

  for (k = 0; k < n_chunks; k++) {
    gsize x = k * chunk;
    ChunkSrc src;

    if (x + chunk <= row->width_px) {
      src.a = bw_plane_row (row->a, row->y0) + x * bps;
      src.stride_a = row->a->stride;
    } else {
      copy_a_chunk (row, x, bps, chunk, abuf);
      src.a = abuf;
      src.stride_a = chunk * bps;
    }
    src.stride_b = b_len;
    src.h = row->h;
    if (!u8)
      path->sum_a (&src, sum_a + k * chunk_pairs);
    for (j = 0; j < n_dy; j++)
      for (d = 0; d < nd; d += group) {
        guint n = MIN (group, nd - d);
        gint64 *p = pairs + (j * nd + d) * n_pairs + k * chunk_pairs;

        src.b = bbuf + (gsize) j *b_len + x + d;
        if (u8)
          path->u8 (&src, n, p, n_pairs);
        else
          path->u16 (&src, n, p, n_pairs);
      }
  }

  /* Each block adds up its pair columns; Σa is the same at every offset. */
  if (!u8)
    for (c = 0; c < row->n_blocks; c++)
      /* in place: block c's pairs start at c * block_width / 2 >= c */
      sum_a[c] = sum_pairs (sum_a, row, c);
  for (j = 0; j < n_off; j++)
    sum_blocks (pairs + j * n_pairs, row, u8 ? NULL : sum_a,
        sum_ab + (gsize) j * row->n_blocks);
}

static const ChunkPath avx2_path = {
  CHUNK, GROUP_U16, GROUP_U8, chunk_u16_group, chunk_u8_group,
  chunk_sum_a_avx2
};

void
bw_cross_rows_avx2 (BwScratch * scratch, const BwCrossRow * row, gint dy0,
    guint n_dy, guint64 * sum_ab)
{
  cross_rows (scratch, row, dy0, n_dy, sum_ab, &avx2_path);
}

/* The AVX-512BW chunks: as above, 32 columns of A at a time. */

/* Adds (first: stores) the sixteen 32-bit lanes of lo plus 256 times those
 * of hi into p[0..16). */
static AVX512_INLINE void
flush_lanes_512 (gint64 * p, __m512i lo, __m512i hi, gboolean first)
{
  __m512i l0 = _mm512_cvtepi32_epi64 (_mm512_castsi512_si256 (lo));
  __m512i l1 = _mm512_cvtepi32_epi64 (_mm512_extracti64x4_epi64 (lo, 1));
  __m512i h0 = _mm512_cvtepi32_epi64 (_mm512_castsi512_si256 (hi));
  __m512i h1 = _mm512_cvtepi32_epi64 (_mm512_extracti64x4_epi64 (hi, 1));
  __m512i v0 = _mm512_add_epi64 (l0, _mm512_slli_epi64 (h0, 8));
  __m512i v1 = _mm512_add_epi64 (l1, _mm512_slli_epi64 (h1, 8));

  if (!first) {
    v0 = _mm512_add_epi64 (v0, _mm512_loadu_si512 (p));
    v1 = _mm512_add_epi64 (v1, _mm512_loadu_si512 (p + 8));
  }
  _mm512_storeu_si512 (p, v0);
  _mm512_storeu_si512 (p + 8, v1);
}

static AVX512_INLINE void
chunk_u16_512 (const ChunkSrc * src, const guint G, gint64 * pairs,
    gsize pair_stride)
{
  const __m512i low8 = _mm512_set1_epi16 (0xff);
  const __m512i zero = _mm512_setzero_si512 ();
  guint ys, y, i;

  for (ys = 0; ys < src->h; ys += FLUSH_U16) {
    guint ye = MIN (src->h, ys + FLUSH_U16);
    __m512i lo[GROUP_U16_512], hi[GROUP_U16_512];

#pragma GCC unroll 16
    for (i = 0; i < G; i++)
      lo[i] = hi[i] = zero;
    for (y = ys; y < ye; y++) {
      const guint8 *ra = src->a + (gssize) y * src->stride_a;
      const gint16 *rb = src->b + (gsize) y * src->stride_b;
      __m512i va = _mm512_loadu_si512 (ra);
      __m512i al = _mm512_and_si512 (va, low8);
      __m512i ah = _mm512_srli_epi16 (va, 8);

#pragma GCC unroll 16
      for (i = 0; i < G; i++) {
        __m512i vb = _mm512_loadu_si512 (rb + i);

        lo[i] = _mm512_add_epi32 (_mm512_madd_epi16 (al, vb), lo[i]);
        hi[i] = _mm512_add_epi32 (_mm512_madd_epi16 (ah, vb), hi[i]);
        KEEP_IN_REGISTER (lo[i]);
        KEEP_IN_REGISTER (hi[i]);
      }
    }
#pragma GCC unroll 16
    for (i = 0; i < G; i++)
      flush_lanes_512 (pairs + i * pair_stride, lo[i], hi[i], ys == 0);
  }
}

static AVX512_INLINE void
chunk_u8_512 (const ChunkSrc * src, const guint G, gint64 * pairs,
    gsize pair_stride)
{
  const __m512i zero = _mm512_setzero_si512 ();
  guint ys, y, i;

  for (ys = 0; ys < src->h; ys += FLUSH_U8) {
    guint ye = MIN (src->h, ys + FLUSH_U8);
    __m512i acc[GROUP_U8_512];

#pragma GCC unroll 32
    for (i = 0; i < G; i++)
      acc[i] = zero;
    for (y = ys; y < ye; y++) {
      const guint8 *ra = src->a + (gssize) y * src->stride_a;
      const gint16 *rb = src->b + (gsize) y * src->stride_b;
      __m512i va = _mm512_cvtepu8_epi16 (_mm256_loadu_si256 ((const __m256i *)
              ra));

#pragma GCC unroll 32
      for (i = 0; i < G; i++) {
        __m512i vb = _mm512_loadu_si512 (rb + i);

        acc[i] = _mm512_add_epi32 (_mm512_madd_epi16 (va, vb), acc[i]);
        KEEP_IN_REGISTER (acc[i]);
      }
    }
#pragma GCC unroll 32
    for (i = 0; i < G; i++)
      flush_lanes_512 (pairs + i * pair_stride, acc[i], zero, ys == 0);
  }
}

static AVX512 void
chunk_sum_a_512 (const ChunkSrc * src, gint64 * sum_a)
{
  const __m512i flip = _mm512_set1_epi16 ((short) 0x8000);
  const __m512i ones = _mm512_set1_epi16 (1);
  __m512i sa = _mm512_setzero_si512 ();
  guint y;

  for (y = 0; y < src->h; y++)
    sa = _mm512_add_epi32 (sa, _mm512_madd_epi16 (_mm512_xor_si512
            (_mm512_loadu_si512 (src->a + (gssize) y * src->stride_a), flip),
            ones));
  sa = _mm512_add_epi32 (sa, _mm512_set1_epi32 (65536 * src->h));
  flush_lanes_512 (sum_a, sa, _mm512_setzero_si512 (), TRUE);
}

#define U16_512_CASE(n) case n: chunk_u16_512 (src, n, pairs, pair_stride); \
      break
#define U8_512_CASE(n) case n: chunk_u8_512 (src, n, pairs, pair_stride); \
      break

static AVX512 void
chunk_u16_group_512 (const ChunkSrc * src, guint n, gint64 * pairs,
    gsize pair_stride)
{
  switch (n) {
      U16_512_CASE (1);
      U16_512_CASE (2);
      U16_512_CASE (3);
      U16_512_CASE (4);
      U16_512_CASE (5);
      U16_512_CASE (6);
      U16_512_CASE (7);
      U16_512_CASE (8);
      U16_512_CASE (9);
      U16_512_CASE (10);
      U16_512_CASE (11);
      U16_512_CASE (12);
    default:
      g_assert_not_reached ();
  }
}

static AVX512 void
chunk_u8_group_512 (const ChunkSrc * src, guint n, gint64 * pairs,
    gsize pair_stride)
{
  switch (n) {
      U8_512_CASE (1);
      U8_512_CASE (2);
      U8_512_CASE (3);
      U8_512_CASE (4);
      U8_512_CASE (5);
      U8_512_CASE (6);
      U8_512_CASE (7);
      U8_512_CASE (8);
      U8_512_CASE (9);
      U8_512_CASE (10);
      U8_512_CASE (11);
      U8_512_CASE (12);
      U8_512_CASE (13);
      U8_512_CASE (14);
      U8_512_CASE (15);
      U8_512_CASE (16);
      U8_512_CASE (17);
    default:
      g_assert_not_reached ();
  }
}

static const ChunkPath avx512_path = {
  2 * CHUNK, GROUP_U16_512, GROUP_U8_512, chunk_u16_group_512,
  chunk_u8_group_512,
  chunk_sum_a_512
};

void
bw_cross_rows_avx512 (BwScratch * scratch, const BwCrossRow * row, gint dy0,
    guint n_dy, guint64 * sum_ab)
{
  cross_rows (scratch, row, dy0, n_dy, sum_ab, &avx512_path);
}
