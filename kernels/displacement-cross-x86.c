/* gst-blockwise: the AVX2 path of the displacement search's cross sums
 * (x86-64).
 *
 * A block row is walked in chunks of 16 columns of A.  Per chunk and row,
 * A is loaded once and B once per horizontal offset (unaligned loads at
 * x + dx), multiplied with vpmaddwd and added into one register per offset
 * (or two, for 16-bit samples), several offsets at a time.  vpmaddwd adds
 * the products of the columns x and x + 1: with an even block width the
 * blocks start at even columns, so each such pair belongs to one block.
 * At the end of a chunk the pair sums go to per-pair-column 64-bit arrays,
 * and each block adds up its pairs.  Hence even block widths only, and
 * equal formats, U8 or U16LE (the kernel tables offer nothing else here).
 *
 * Exact sums:
 * - 8-bit samples, zero-extended to 16 bits: a pair sum is below 2^17, so
 *   32-bit lanes take 16384 rows.
 * - 16-bit samples: B is offset to b' = b - 32768 (b XOR 0x8000, signed),
 *   A is split into its bytes al, ah (0..255): |al·b'| pair sums stay below
 *   2^24, so 32-bit lanes take 64 rows and more before they are widened.
 *   Then Σab = 256 Σ ah·b' + Σ al·b' + 32768 Σa, where Σa comes from
 *   vpmaddwd (a XOR 0x8000, 1) + 65536 per pair.
 *
 * Never reads outside the planes: chunks whose loads would leave the row
 * (the first and last columns, the frame's tail past width_px) are copied
 * into a zero-padded buffer first and run through the same code.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <immintrin.h>
#include "blockstats-private.h"

#define AVX2 __attribute__ ((target ("avx2")))
#define AVX2_INLINE __attribute__ ((target ("avx2"), always_inline)) inline

/* Columns of A per chunk, pair columns per chunk. */
#define CHUNK 16
#define CHUNK_PAIRS 8

/* Offsets per pass over a chunk: two accumulators each for 16-bit samples
 * (plus al, ah, b' and the Σa accumulator: 15 of the 16 registers), one for
 * 8-bit samples. */
#define GROUP_U16 5
#define GROUP_U8 12

/* Rows summed in 32 bits before widening: 16-bit pair sums are below 2^24
 * in magnitude (2^30 after 64 rows), 8-bit ones below 2^17. */
#define FLUSH_U16 64
#define FLUSH_U8 16384

/* GCC 12 otherwise hoists every load of a row ahead of the
 * multiplications and spills accumulators to the stack; an empty asm
 * statement that reads and writes the accumulator in a register keeps each
 * offset's load, multiply and add together. */
#define KEEP_IN_REGISTER(v) __asm__ volatile ("" : "+x" (v))

/* Where one chunk's samples are read: A at its first column, B at that
 * column minus the radius (the offset dx = -radius), each row stride bytes
 * after the one before. */
typedef struct
{
  const guint8 *a;
  gssize stride_a;
  const guint8 *b;
  gssize stride_b;
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

/* 16-bit samples: offsets first .. first + G - 1 (counted from -radius) of
 * one chunk into pairs[i * pair_stride + 0..8) for offset first + i; with
 * sum_a, Σa of each pair column too. */
static AVX2_INLINE void
chunk_u16 (const ChunkSrc * src, guint first, const guint G, gint64 * pairs,
    gsize pair_stride, gint64 * sum_a)
{
  const __m256i flip = _mm256_set1_epi16 ((short) 0x8000);
  const __m256i low8 = _mm256_set1_epi16 (0xff);
  const __m256i ones = _mm256_set1_epi16 (1);
  const __m256i zero = _mm256_setzero_si256 ();
  guint ys, y, i;

  for (ys = 0; ys < src->h; ys += FLUSH_U16) {
    guint ye = MIN (src->h, ys + FLUSH_U16);
    __m256i lo[GROUP_U16], hi[GROUP_U16], sa = zero;

#pragma GCC unroll 8
    for (i = 0; i < G; i++)
      lo[i] = hi[i] = zero;
    for (y = ys; y < ye; y++) {
      const guint8 *ra = src->a + (gssize) y * src->stride_a;
      const guint8 *rb = src->b + (gssize) y * src->stride_b + 2 * first;
      __m256i va = _mm256_loadu_si256 ((const __m256i *) ra);
      __m256i al = _mm256_and_si256 (va, low8);
      __m256i ah = _mm256_srli_epi16 (va, 8);

      if (sum_a)
        sa = _mm256_add_epi32 (sa, _mm256_madd_epi16 (_mm256_xor_si256 (va,
                    flip), ones));
#pragma GCC unroll 8
      for (i = 0; i < G; i++) {
        __m256i vb = _mm256_xor_si256 (_mm256_loadu_si256 ((const __m256i *)
                (rb + 2 * i)), flip);

        lo[i] = _mm256_add_epi32 (_mm256_madd_epi16 (al, vb), lo[i]);
        hi[i] = _mm256_add_epi32 (_mm256_madd_epi16 (ah, vb), hi[i]);
        KEEP_IN_REGISTER (lo[i]);
        KEEP_IN_REGISTER (hi[i]);
      }
    }
#pragma GCC unroll 8
    for (i = 0; i < G; i++)
      flush_lanes (pairs + i * pair_stride, lo[i], hi[i], ys == 0);
    if (sum_a) {
      /* a XOR 0x8000 is a - 32768: add 65536 per pair and row back */
      sa = _mm256_add_epi32 (sa, _mm256_set1_epi32 (65536 * (ye - ys)));
      flush_lanes (sum_a, sa, zero, ys == 0);
    }
  }
}

/* 8-bit samples, as chunk_u16 without Σa. */
static AVX2_INLINE void
chunk_u8 (const ChunkSrc * src, guint first, const guint G, gint64 * pairs,
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
      const guint8 *rb = src->b + (gssize) y * src->stride_b + first;
      __m256i va = _mm256_cvtepu8_epi16 (_mm_loadu_si128 ((const __m128i *)
              ra));

#pragma GCC unroll 16
      for (i = 0; i < G; i++) {
        __m256i vb = _mm256_cvtepu8_epi16 (_mm_loadu_si128 ((const __m128i *)
                (rb + i)));

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
#define U16_CASE(n) case n: if (sum_a) \
        chunk_u16 (src, first, n, pairs, pair_stride, sum_a); \
      else \
        chunk_u16 (src, first, n, pairs, pair_stride, NULL); \
      break
#define U8_CASE(n) case n: chunk_u8 (src, first, n, pairs, pair_stride); break

static AVX2 void
chunk_u16_group (const ChunkSrc * src, guint first, guint n, gint64 * pairs,
    gsize pair_stride, gint64 * sum_a)
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
chunk_u8_group (const ChunkSrc * src, guint first, guint n, gint64 * pairs,
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

/* Copies the samples of an edge chunk (first column x) into buf: A's 16
 * columns (0 past width_px), then B's 16 + 2 radius columns from
 * x + cx - radius (0 outside the frame), row after row. */
static void
copy_edge_chunk (const BwCrossRow * row, gint dy, gsize x, gsize bps,
    guint8 * buf, ChunkSrc * src)
{
  const gssize radius = row->radius;
  const gsize len_a = CHUNK * bps, len_b = (CHUNK + 2 * radius) * bps;
  gsize a_n = MIN ((gsize) CHUNK, row->width_px - x);
  const gssize b_first = (gssize) x + row->cx - radius;
  gssize b_lo = MAX (b_first, 0);
  gssize b_hi = MIN (b_first + CHUNK + 2 * radius, (gssize) row->width);
  gsize b_skip = (gsize) (b_lo - b_first);
  guint y;

  src->a = buf;
  src->stride_a = len_a;
  src->b = buf + (gsize) row->h * len_a;
  src->stride_b = len_b;
  src->h = row->h;
  for (y = 0; y < row->h; y++) {
    guint8 *da = buf + (gsize) y * len_a;
    guint8 *db = (guint8 *) src->b + (gsize) y * len_b;

    memset (da, 0, len_a);
    memcpy (da, bw_plane_row (row->a, row->y0 + y) + x * bps, a_n * bps);
    memset (db, 0, len_b);
    if (b_hi > b_lo)
      memcpy (db + b_skip * bps, bw_plane_row (row->b, row->y0 + dy + y) +
          b_lo * bps, (b_hi - b_lo) * bps);
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

AVX2 void
bw_cross_row_avx2 (BwScratch * scratch, const BwCrossRow * row, gint dy,
    guint64 * sum_ab)
{
  const gboolean u8 = row->a->format == BW_SAMPLE_U8;
  const gsize bps = u8 ? 1 : 2;
  const guint radius = row->radius;
  const guint nd = 2 * radius + 1;
  const guint group = u8 ? GROUP_U8 : GROUP_U16;
  gsize n_chunks, n_pairs, edge_bytes, k;
  gint64 *pairs, *sum_a;
  guint8 *edge;
  guint d, c;

  /* nd arrays of pair sums, one of Σa, then the edge chunk buffer */
  n_chunks = (row->width_px + CHUNK - 1) / CHUNK;
  n_pairs = n_chunks * CHUNK_PAIRS;
  edge_bytes = (gsize) row->h * (2 * CHUNK + 2 * radius) * bps;
  bw_scratch_reserve ((gpointer *) & scratch->cols32, &scratch->cols32_len,
      2 * (nd + 1) * n_pairs + (edge_bytes + 3) / 4, sizeof (guint32));
  pairs = (gint64 *) scratch->cols32;
  sum_a = pairs + nd * n_pairs;
  edge = (guint8 *) (sum_a + n_pairs);

  for (k = 0; k < n_chunks; k++) {
    gsize x = k * CHUNK;
    gssize b_first = (gssize) x + row->cx - (gssize) radius;
    ChunkSrc src;

    if (x + CHUNK <= row->width_px && b_first >= 0
        && b_first + CHUNK + 2 * radius <= row->width) {
      src.a = bw_plane_row (row->a, row->y0) + x * bps;
      src.stride_a = row->a->stride;
      src.b = bw_plane_row (row->b, row->y0 + dy) + b_first * bps;
      src.stride_b = row->b->stride;
      src.h = row->h;
    } else {
      copy_edge_chunk (row, dy, x, bps, edge, &src);
    }
    for (d = 0; d < nd; d += group) {
      guint n = MIN (group, nd - d);
      gint64 *p = pairs + d * n_pairs + k * CHUNK_PAIRS;

      if (u8)
        chunk_u8_group (&src, d, n, p, n_pairs);
      else
        chunk_u16_group (&src, d, n, p, n_pairs,
            d == 0 ? sum_a + k * CHUNK_PAIRS : NULL);
    }
  }

  /* Each block adds up its pair columns; Σa is the same at every offset. */
  if (!u8)
    for (c = 0; c < row->n_blocks; c++)
      /* in place: block c's pairs start at c * block_width / 2 >= c */
      sum_a[c] = sum_pairs (sum_a, row, c);
  for (d = 0; d < nd; d++) {
    const gint64 *p = pairs + d * n_pairs;
    guint64 *out = sum_ab + (gsize) d * row->n_blocks;

    for (c = 0; c < row->n_blocks; c++)
      out[c] = (guint64) (sum_pairs (p, row, c) + (u8 ? 0 : 32768 * sum_a[c]));
  }
}
