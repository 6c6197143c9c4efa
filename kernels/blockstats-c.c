/* gst-blockwise: the portable C path of the block sums.
 *
 * bw_block_row_c() accumulates whole image rows into per-column arrays (a
 * loop the compiler vectorizes) and reduces them per block; it runs where
 * the ORC kernels do not apply.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "blockstats-private.h"

/* ---- C column sums ------------------------------------------------------
 *
 * Whole image rows are added into per-column guint32 arrays, in loops the
 * compiler vectorizes with the baseline SSE2 (and wider where enabled): the
 * samples are 16-bit lanes, their products are formed 16 x 16 -> 32 bits and
 * split into their low and high 16-bit halves, and every half is summed in a
 * guint32 column, as the ORC kernels do.  Exact: a column adds at most
 * BW_MAX_BLOCK_SIZE = 4096 values below 2^16, and 4096 * 65535 < 2^32.  Per
 * block, the columns are reduced in 64 bits and Σ = (Σhi << 16) + Σlo. */

/* U8 x U8: every product is below 2^16, so the high halves stay 0. */
static BW_VECTORIZE void
accumulate_u8_u8 (const guint8 * restrict ra, const guint8 * restrict rb,
    gsize n, guint32 * restrict sa, guint32 * restrict sb,
    guint32 * restrict saa, guint32 * restrict saa_hi,
    guint32 * restrict sbb, guint32 * restrict sbb_hi,
    guint32 * restrict sab, guint32 * restrict sab_hi)
{
  gsize x;

  for (x = 0; x < n; x++) {
    guint16 va = ra[x], vb = rb[x];

    sa[x] += va;
    sb[x] += vb;
    saa[x] += (guint16) (va * va);
    sbb[x] += (guint16) (vb * vb);
    sab[x] += (guint16) (va * vb);
  }
}

#define DEFINE_ACCUMULATE_ROW(NAME, LOAD_A, LOAD_B)                      \
static BW_VECTORIZE void                                                \
NAME (const guint8 * restrict ra, const guint8 * restrict rb, gsize n,  \
    guint32 * restrict sa, guint32 * restrict sb,                       \
    guint32 * restrict saa_lo, guint32 * restrict saa_hi,               \
    guint32 * restrict sbb_lo, guint32 * restrict sbb_hi,               \
    guint32 * restrict sab_lo, guint32 * restrict sab_hi)               \
{                                                                       \
  gsize x;                                                              \
  for (x = 0; x < n; x++) {                                             \
    guint16 va = LOAD_A (ra, x), vb = LOAD_B (rb, x);                   \
    guint32 aa = (guint32) va * va;                                     \
    guint32 bb = (guint32) vb * vb;                                     \
    guint32 ab = (guint32) va * vb;                                     \
    sa[x] += va;                                                        \
    sb[x] += vb;                                                        \
    saa_lo[x] += (guint16) aa;                                          \
    saa_hi[x] += (guint16) (aa >> 16);                                  \
    sbb_lo[x] += (guint16) bb;                                          \
    sbb_hi[x] += (guint16) (bb >> 16);                                  \
    sab_lo[x] += (guint16) ab;                                          \
    sab_hi[x] += (guint16) (ab >> 16);                                  \
  }                                                                     \
}

DEFINE_ACCUMULATE_ROW (accumulate_u8_le, bw_load_u8, bw_load_u16le);
DEFINE_ACCUMULATE_ROW (accumulate_u8_be, bw_load_u8, bw_load_u16be);
DEFINE_ACCUMULATE_ROW (accumulate_le_u8, bw_load_u16le, bw_load_u8);
DEFINE_ACCUMULATE_ROW (accumulate_le_le, bw_load_u16le, bw_load_u16le);
DEFINE_ACCUMULATE_ROW (accumulate_le_be, bw_load_u16le, bw_load_u16be);
DEFINE_ACCUMULATE_ROW (accumulate_be_u8, bw_load_u16be, bw_load_u8);
DEFINE_ACCUMULATE_ROW (accumulate_be_le, bw_load_u16be, bw_load_u16le);
DEFINE_ACCUMULATE_ROW (accumulate_be_be, bw_load_u16be, bw_load_u16be);

typedef void (*AccumulateRowFunc) (const guint8 *, const guint8 *, gsize,
    guint32 *, guint32 *, guint32 *, guint32 *, guint32 *, guint32 *,
    guint32 *, guint32 *);

/* Indexed [format a][format b]. */
static const AccumulateRowFunc accumulate_row[3][3] = {
  {accumulate_u8_u8, accumulate_u8_le, accumulate_u8_be},
  {accumulate_le_u8, accumulate_le_le, accumulate_le_be},
  {accumulate_be_u8, accumulate_be_le, accumulate_be_be},
};

void
bw_block_row_c (BwScratch * scratch, const BwBlockRow * row, BwBlockSums * out)
{
  gsize n = row->width_px;
  guint32 *col[BW_N_COLS];
  guint c, y, i;
  AccumulateRowFunc func = accumulate_row[row->a->format][row->b->format];

  bw_scratch_zero_columns (scratch, BW_N_COLS, n);
  for (i = 0; i < BW_N_COLS; i++)
    col[i] = scratch->cols32 + i * n;

  for (y = row->y0; y < row->y0 + row->h; y++)
    func (bw_plane_row (row->a, y), bw_plane_row (row->b, y), n,
        col[BW_COL_A], col[BW_COL_B], col[BW_COL_AA_LO], col[BW_COL_AA_HI],
        col[BW_COL_BB_LO], col[BW_COL_BB_HI], col[BW_COL_AB_LO],
        col[BW_COL_AB_HI]);

  for (c = 0; c < row->n_blocks; c++) {
    gsize x0 = (gsize) c * row->block_width;
    gsize x1 = MIN (x0 + row->block_width, n);
    BwBlockSums s = { 0, };

    bw_reduce_columns (col, x0, x1, &s);
    s.n = (guint64) (x1 - x0) * row->h;
    out[c] = s;
  }
}
