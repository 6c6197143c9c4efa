/* gst-blockwise: the portable C path of the displacement search's cross
 * sums.
 *
 * For each horizontal offset, whole rows of products a(x)·b(x + dx) are
 * added into per-column guint32 arrays of their low and high 16-bit halves
 * (a loop the compiler vectorizes, as in blockstats-c.c), then reduced per
 * block.  Exact: a column adds at most BW_MAX_BLOCK_SIZE values below 2^16.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "blockstats-private.h"

/* Adds a(x)·b(x) for x in [0, n) into the column halves. */
#define DEFINE_CROSS_ROW(NAME, LOAD_A, LOAD_B)                           \
static BW_VECTORIZE void                                                \
NAME (const guint8 * restrict ra, const guint8 * restrict rb, gsize n,  \
    guint32 * restrict lo, guint32 * restrict hi)                       \
{                                                                       \
  gsize x;                                                              \
  for (x = 0; x < n; x++) {                                             \
    guint32 ab = (guint32) LOAD_A (ra, x) * LOAD_B (rb, x);             \
    lo[x] += (guint16) ab;                                              \
    hi[x] += (guint16) (ab >> 16);                                      \
  }                                                                     \
}

DEFINE_CROSS_ROW (cross_u8_u8, bw_load_u8, bw_load_u8);
DEFINE_CROSS_ROW (cross_u8_le, bw_load_u8, bw_load_u16le);
DEFINE_CROSS_ROW (cross_u8_be, bw_load_u8, bw_load_u16be);
DEFINE_CROSS_ROW (cross_le_u8, bw_load_u16le, bw_load_u8);
DEFINE_CROSS_ROW (cross_le_le, bw_load_u16le, bw_load_u16le);
DEFINE_CROSS_ROW (cross_le_be, bw_load_u16le, bw_load_u16be);
DEFINE_CROSS_ROW (cross_be_u8, bw_load_u16be, bw_load_u8);
DEFINE_CROSS_ROW (cross_be_le, bw_load_u16be, bw_load_u16le);
DEFINE_CROSS_ROW (cross_be_be, bw_load_u16be, bw_load_u16be);

typedef void (*CrossRowFunc) (const guint8 *, const guint8 *, gsize,
    guint32 *, guint32 *);

/* Indexed [format a][format b]. */
static const CrossRowFunc cross_row[3][3] = {
  {cross_u8_u8, cross_u8_le, cross_u8_be},
  {cross_le_u8, cross_le_le, cross_le_be},
  {cross_be_u8, cross_be_le, cross_be_be},
};

static gsize
bytes_per_sample (BwSampleFormat f)
{
  return f == BW_SAMPLE_U8 ? 1 : 2;
}

/* The cross sums of one vertical offset dy (the layout of BwCrossFunc's
 * first offset). */
static void
cross_dy (BwScratch * scratch, const BwCrossRow * row, gint dy,
    guint64 * sum_ab)
{
  const gint radius = row->radius;
  const gsize n = row->width_px;
  const gsize bpp_a = bytes_per_sample (row->a->format);
  const gsize bpp_b = bytes_per_sample (row->b->format);
  CrossRowFunc func = cross_row[row->a->format][row->b->format];
  gint dx;

  for (dx = -radius; dx <= radius; dx++) {
    /* Columns of A whose partner x + cx + dx lies in the frame. */
    const gssize shift = (gssize) row->cx + dx;
    gsize x_lo = shift < 0 ? (gsize) - shift : 0;
    gssize x_end = MIN ((gssize) n, (gssize) row->width - shift);
    guint64 *out = sum_ab + (gsize) (dx + radius) * row->n_blocks;
    guint32 *lo, *hi;
    guint y, c;

    bw_scratch_zero_columns (scratch, 2, n);
    lo = scratch->cols32;
    hi = scratch->cols32 + n;
    if (x_end > (gssize) x_lo) {
      for (y = 0; y < row->h; y++) {
        const guint8 *ra = bw_plane_row (row->a, row->y0 + y);
        const guint8 *rb = bw_plane_row (row->b, row->y0 + dy + y);

        func (ra + x_lo * bpp_a, rb + (x_lo + shift) * bpp_b,
            x_end - x_lo, lo + x_lo, hi + x_lo);
      }
    }
    for (c = 0; c < row->n_blocks; c++) {
      gsize x0 = (gsize) c * row->block_width;
      gsize x1 = MIN (x0 + row->block_width, n);
      guint64 tlo = 0, thi = 0;
      gsize x;

      for (x = x0; x < x1; x++) {
        tlo += lo[x];
        thi += hi[x];
      }
      out[c] = (thi << 16) + tlo;
    }
  }
}

void
bw_cross_rows_c (BwScratch * scratch, const BwCrossRow * row, gint dy0,
    guint n_dy, guint64 * sum_ab)
{
  const gsize per_dy = (gsize) (2 * row->radius + 1) * row->n_blocks;
  guint j;

  for (j = 0; j < n_dy; j++)
    cross_dy (scratch, row, dy0 + (gint) j, sum_ab + j * per_dy);
}
