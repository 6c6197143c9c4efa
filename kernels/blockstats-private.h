/* gst-blockwise: internals shared by the block-statistics implementations.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BW_BLOCKSTATS_PRIVATE_H__
#define __BW_BLOCKSTATS_PRIVATE_H__

#include <math.h>
#include <string.h>
#include "blockstats.h"

G_BEGIN_DECLS

struct _BwScratch
{
  /* Per-column accumulators, grown on demand (never in the per-row loop). */
  guint32 *cols32;
  gsize cols32_len;
  /* The displacement search's column sums, prefix sums, cross sums and
   * centred sums (see moved-sums.c), likewise grown on demand. */
  guint32 *search32;
  gsize search32_len;
  guint64 *search64;
  gsize search64_len;
  gdouble *search_r;
  gsize search_r_len;
  /* The sub-pixel refinement's arrays for one block (analysis/
   * subpixel.c), likewise. */
  gfloat *subpixel;
  gsize subpixel_len;
};

/* One block row to compute: pixel rows [y0, y0 + h), pixel columns
 * [0, width_px), blocks of block_width columns (the last may be narrower). */
typedef struct
{
  const BwPlane *a;
  const BwPlane *b;
  guint y0;
  guint h;
  guint width_px;
  guint block_width;
  guint n_blocks;
} BwBlockRow;

static inline guint
bw_sample_at (const guint8 * row, guint x, BwSampleFormat format)
{
  switch (format) {
    case BW_SAMPLE_U8:
      return row[x];
    case BW_SAMPLE_U16LE:
      return row[2 * x] | ((guint) row[2 * x + 1] << 8);
    default:
      return ((guint) row[2 * x] << 8) | row[2 * x + 1];
  }
}

/* GCC's -O2 vectorizes only loops whose trip count it knows to be a
 * multiple of the vector length ("very cheap" cost model), so the C paths'
 * row loops ask for tree vectorization (with its cheap cost model)
 * explicitly. */
#if defined(__GNUC__) && !defined(__clang__)
#define BW_VECTORIZE \
  __attribute__ ((optimize ("tree-vectorize", "vect-cost-model=cheap")))
#else
#define BW_VECTORIZE
#endif

/* A second copy for AVX2 where the CPU has it, chosen when the program
 * loads: for the C loops that stream whole rows (the search's column sums,
 * the global shift's reduction and correlations), whose baseline build is
 * SSE2 only. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define BW_WIDE_CLONES __attribute__ ((target_clones ("avx2", "default")))
#else
#define BW_WIDE_CLONES
#endif

/* Sample loads specialised per format, for the C paths' row loops; each
 * returns the sample as a 16-bit lane. */
static inline guint16
bw_load_u8 (const guint8 * p, gsize x)
{
  return p[x];
}

static inline guint16
bw_load_u16le (const guint8 * p, gsize x)
{
  guint16 v;
  memcpy (&v, p + 2 * x, 2);
  return GUINT16_FROM_LE (v);
}

static inline guint16
bw_load_u16be (const guint8 * p, gsize x)
{
  guint16 v;
  memcpy (&v, p + 2 * x, 2);
  return GUINT16_FROM_BE (v);
}

static inline const guint8 *
bw_plane_row (const BwPlane * plane, guint y)
{
  return plane->data + (gssize) y * plane->stride;
}

/* n·Σxy − Σx·Σy of one block, computed exactly and converted to double
 * (the centred sums: n² times a variance or covariance; no cancellation
 * when the spread is tiny next to the mean).  n < 2^25 and every sum of
 * squares or products is below 2^56, so 128 bits always suffice; for
 * blocks of at most 2^12 pixels every term is below 2^56 and 64 bits do
 * (the same integer, so the same double, without libgcc's slow 128-bit
 * conversions).  0.0 exactly when the integer is 0. */
static inline double
bw_centred_sum (guint64 n, guint64 sx, guint64 sy, guint64 sxy)
{
  if (n <= 4096)
    return (double) (gint64) (n * sxy - sx * sy);
  return (double) (__int128) ((unsigned __int128) n * sxy
      - (unsigned __int128) sx * sy);
}

/* bw_stats_from_sums(), inline for the batched versions: the vector code
 * handles its tails and empty blocks with exactly this arithmetic. */
static inline void
bw_block_stats_of (const BwBlockSums * s, BwBlockStats * st)
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

/* Adds one pixel pair to exact sums. */
static inline void
bw_sums_add (BwBlockSums * s, guint64 va, guint64 vb)
{
  s->sum_a += va;
  s->sum_b += vb;
  s->sum_aa += va * va;
  s->sum_bb += vb * vb;
  s->sum_ab += va * vb;
}

/* Column accumulators of one block row, in this order: Σa, Σb, then the low
 * and high 16-bit halves of Σa², Σb², Σab (see blockstats-c.c). */
enum
{
  BW_COL_A,
  BW_COL_B,
  BW_COL_AA_LO,
  BW_COL_AA_HI,
  BW_COL_BB_LO,
  BW_COL_BB_HI,
  BW_COL_AB_LO,
  BW_COL_AB_HI,
  BW_N_COLS
};

/* n guint32 columns for each of n_arrays accumulators, zeroed, at
 * scratch->cols32 + i * n; grows the scratch only when a frame is wider than
 * any before (never per row in steady state). */
void bw_scratch_zero_columns (BwScratch * scratch, guint n_arrays, gsize n);

/* Sums columns [first, last) of the column arrays into exact block sums
 * (without n).  col[BW_COL_*_HI] may be NULL where every product fits in 16
 * bits (8-bit samples). */
static inline void
bw_reduce_columns (guint32 * const col[BW_N_COLS], gsize first, gsize last,
    BwBlockSums * s)
{
  guint64 t[BW_N_COLS] = { 0, };
  gsize x;
  guint i;

  for (i = 0; i < BW_N_COLS; i++)
    if (col[i])
      for (x = first; x < last; x++)
        t[i] += col[i][x];
  s->sum_a += t[BW_COL_A];
  s->sum_b += t[BW_COL_B];
  s->sum_aa += (t[BW_COL_AA_HI] << 16) + t[BW_COL_AA_LO];
  s->sum_bb += (t[BW_COL_BB_HI] << 16) + t[BW_COL_BB_LO];
  s->sum_ab += (t[BW_COL_AB_HI] << 16) + t[BW_COL_AB_LO];
}

gboolean bw_sample_format_valid (BwSampleFormat f);

/* Makes *array hold at least len elements of size bytes (contents
 * undefined); grows only when a frame needs more than any before. */
void bw_scratch_reserve (gpointer * array, gsize * array_len, gsize len,
    gsize size);

/* One block row of the displacement search: reference rows [y0, y0 + h),
 * pixel columns [0, width_px) in blocks of block_width (the last may be
 * narrower), in a frame width pixels wide; the horizontal offsets are
 * counted from cx (the search's centre). */
typedef struct
{
  const BwPlane *a;
  const BwPlane *b;
  guint y0;
  guint h;
  guint width;
  guint width_px;
  guint block_width;
  guint n_blocks;
  guint radius;
  gint cx;
} BwCrossRow;

/* The cross sums of a block row against B moved by dy0 + j rows for j in
 * [0, n_dy) (B's rows y0 + dy0 .. y0 + dy0 + n_dy + h - 2 lie in the
 * frame): for every dx in [-radius, radius], Σab of every block against B
 * moved by cx + dx columns into
 * sum_ab[(j (2 radius + 1) + dx + radius) * n_blocks + block].  A block
 * whose window moved by dx leaves the frame gets an unspecified value (the
 * caller skips it). */
typedef void (*BwCrossFunc) (BwScratch * scratch, const BwCrossRow * row,
    gint dy0, guint n_dy, guint64 * sum_ab);

void bw_cross_rows_c (BwScratch * scratch, const BwCrossRow * row, gint dy0,
    guint n_dy, guint64 * sum_ab);
#ifdef HAVE_X86_PATHS
/* Equal formats (U8 or U16LE), even block widths. */
void bw_cross_rows_avx2 (BwScratch * scratch, const BwCrossRow * row,
    gint dy0, guint n_dy, guint64 * sum_ab);
void bw_cross_rows_avx512 (BwScratch * scratch, const BwCrossRow * row,
    gint dy0, guint n_dy, guint64 * sum_ab);
#endif

/* The paths: each computes the sums of every block of one block row.  Only
 * the kernel tables (kernels.c) name them. */
typedef void (*BwBlockRowFunc) (BwScratch * scratch, const BwBlockRow * row,
    BwBlockSums * out);

/* Statistics of count blocks from their sums. */
typedef void (*BwStatsManyFunc) (const BwBlockSums * sums,
    BwBlockStats * stats, gsize count);

void bw_stats_from_sums_many_c (const BwBlockSums * sums,
    BwBlockStats * stats, gsize count);

void bw_block_row_reference (BwScratch * scratch, const BwBlockRow * row,
    BwBlockSums * out);
void bw_block_row_c (BwScratch * scratch, const BwBlockRow * row,
    BwBlockSums * out);
#ifdef HAVE_X86_PATHS
void bw_block_row_avx2 (BwScratch * scratch, const BwBlockRow * row,
    BwBlockSums * out);
void bw_block_row_avx512 (BwScratch * scratch, const BwBlockRow * row,
    BwBlockSums * out);
void bw_stats_from_sums_avx2 (const BwBlockSums * sums, BwBlockStats * stats,
    gsize count);
#endif
#ifdef HAVE_ORC
void bw_block_row_orc_u8 (BwScratch * scratch, const BwBlockRow * row,
    BwBlockSums * out);
void bw_block_row_orc_u16 (BwScratch * scratch, const BwBlockRow * row,
    BwBlockSums * out);
gboolean bw_orc_compiles (void);
#endif

G_END_DECLS
#endif /* __BW_BLOCKSTATS_PRIVATE_H__ */
