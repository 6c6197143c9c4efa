/* gst-blockwise: the displacement search's sums: for every block of a block
 * row and every offset, the centred sums of A's block against B's moved
 * window, exact.
 *
 * Per block row and vertical offset dy, the column sums of b and b² over the
 * moved rows are formed once and turned into prefix sums, so Σb and Σb² of
 * any moved window cost two subtractions; the cross sums Σab come from the
 * plan's kernel table.  The centred sums are those bw_stats_from_sums()
 * forms, so r at (0, 0) equals the block's r bit for bit.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "kernels.h"
#include "moved-sums.h"

/* Column sums of b and b² (b² in its low and high 16-bit halves, each in a
 * guint32: exact for up to 4096 rows) over the moved rows.  _add adds one
 * row; _slide moves the rows down by one, adding row `in` and taking out
 * row `out` in one pass (guint32 arithmetic wraps, and every final sum
 * fits, so the differences are exact). */
#define DEFINE_COLUMN_ROWS(SUFFIX, LOAD)                                 \
static BW_VECTORIZE BW_WIDE_CLONES void                                 \
column_add_##SUFFIX (const guint8 * restrict rb, gsize n,               \
    guint32 * restrict sb, guint32 * restrict lo, guint32 * restrict hi)\
{                                                                       \
  gsize x;                                                              \
  for (x = 0; x < n; x++) {                                             \
    guint32 v = LOAD (rb, x), vv = v * v;                               \
    sb[x] += v;                                                         \
    lo[x] += vv & 0xffff;                                               \
    hi[x] += vv >> 16;                                                  \
  }                                                                     \
}                                                                       \
static BW_VECTORIZE BW_WIDE_CLONES void                                 \
column_slide_##SUFFIX (const guint8 * restrict out,                     \
    const guint8 * restrict in, gsize n, guint32 * restrict sb,         \
    guint32 * restrict lo, guint32 * restrict hi)                       \
{                                                                       \
  gsize x;                                                              \
  for (x = 0; x < n; x++) {                                             \
    guint32 v = LOAD (in, x), w = LOAD (out, x);                        \
    guint32 vv = v * v, ww = w * w;                                     \
    sb[x] += v - w;                                                     \
    lo[x] += (vv & 0xffff) - (ww & 0xffff);                             \
    hi[x] += (vv >> 16) - (ww >> 16);                                   \
  }                                                                     \
}

DEFINE_COLUMN_ROWS (u8, bw_load_u8);
DEFINE_COLUMN_ROWS (le, bw_load_u16le);
DEFINE_COLUMN_ROWS (be, bw_load_u16be);

typedef void (*ColumnAddFunc) (const guint8 *, gsize, guint32 *, guint32 *,
    guint32 *);
typedef void (*ColumnSlideFunc) (const guint8 *, const guint8 *, gsize,
    guint32 *, guint32 *, guint32 *);

static const ColumnAddFunc column_add[3] = {
  column_add_u8, column_add_le, column_add_be
};

static const ColumnSlideFunc column_slide[3] = {
  column_slide_u8, column_slide_le, column_slide_be
};

const gchar *
bw_moved_sums_path_name (BwImpl impl, BwSampleFormat fa, BwSampleFormat fb,
    guint block_width)
{
  const BwKernels *k = bw_kernels_get (impl);

  if (!k || !bw_sample_format_valid (fa) || !bw_sample_format_valid (fb))
    return "none";
  return bw_kernels_cross (k, fa, fb, block_width)->name;
}

/* The centred sums of a moved window: n·Σab − ΣaΣb and n·Σb² − (Σb)². */
static inline void
centred_sums (guint64 n, guint64 sa, guint64 sb, guint64 sbb, guint64 sab,
    gdouble * cab_out, gdouble * vbb_out)
{
  *vbb_out = bw_centred_sum (n, sb, sb, sbb);
  *cab_out = bw_centred_sum (n, sa, sb, sab);
}

/* Σa, Σb, Σa², Σb², Σab of n sample pairs (a from sample xa of row ra, b
 * from sample xb of rb), added to s: the format chosen once per row and the
 * sums kept in registers (s may alias the rows' bytes). */
#define DEFINE_PAIR_ROW(SA, LOAD_A, SB, LOAD_B)                         \
static void                                                             \
pair_row_##SA##_##SB (const guint8 * ra, gsize xa, const guint8 * rb,   \
    gsize xb, gsize n, BwBlockSums * s)                                 \
{                                                                       \
  guint64 sum_a = 0, sum_b = 0, sum_aa = 0, sum_bb = 0, sum_ab = 0;     \
  gsize x;                                                              \
  for (x = 0; x < n; x++) {                                             \
    guint64 va = LOAD_A (ra, xa + x), vb = LOAD_B (rb, xb + x);         \
    sum_a += va;                                                        \
    sum_b += vb;                                                        \
    sum_aa += va * va;                                                  \
    sum_bb += vb * vb;                                                  \
    sum_ab += va * vb;                                                  \
  }                                                                     \
  s->sum_a += sum_a;                                                    \
  s->sum_b += sum_b;                                                    \
  s->sum_aa += sum_aa;                                                  \
  s->sum_bb += sum_bb;                                                  \
  s->sum_ab += sum_ab;                                                  \
}

DEFINE_PAIR_ROW (u8, bw_load_u8, u8, bw_load_u8);
DEFINE_PAIR_ROW (u8, bw_load_u8, le, bw_load_u16le);
DEFINE_PAIR_ROW (u8, bw_load_u8, be, bw_load_u16be);
DEFINE_PAIR_ROW (le, bw_load_u16le, u8, bw_load_u8);
DEFINE_PAIR_ROW (le, bw_load_u16le, le, bw_load_u16le);
DEFINE_PAIR_ROW (le, bw_load_u16le, be, bw_load_u16be);
DEFINE_PAIR_ROW (be, bw_load_u16be, u8, bw_load_u8);
DEFINE_PAIR_ROW (be, bw_load_u16be, le, bw_load_u16le);
DEFINE_PAIR_ROW (be, bw_load_u16be, be, bw_load_u16be);

typedef void (*PairRowFunc) (const guint8 *, gsize, const guint8 *, gsize,
    gsize, BwBlockSums *);

/* By the formats of a and b, in BwSampleFormat order. */
static const PairRowFunc pair_row[3][3] = {
  {pair_row_u8_u8, pair_row_u8_le, pair_row_u8_be},
  {pair_row_le_u8, pair_row_le_le, pair_row_le_be},
  {pair_row_be_u8, pair_row_be_le, pair_row_be_be}
};

gboolean
bw_moved_pair_sums (const BwStatsPlan * plan, guint col, guint row, gint ax,
    gint ay, gint bx, gint by, BwBlockSums * s)
{
  const BwGeometry *g = &plan->geom;
  gint x0 = col * g->block_width, y0 = row * g->block_height;
  gint w = MIN (g->block_width, g->width - x0);
  gint h = MIN (g->block_height, g->height - y0);
  PairRowFunc add_row;
  gint y;

  memset (s, 0, sizeof (*s));
  if (col >= plan->cols || row >= plan->rows
      || x0 + MIN (ax, bx) < 0 || y0 + MIN (ay, by) < 0
      || x0 + w + MAX (ax, bx) > (gint) g->width
      || y0 + h + MAX (ay, by) > (gint) g->height)
    return FALSE;
  add_row = pair_row[plan->a.format][plan->b.format];
  for (y = 0; y < h; y++)
    add_row (bw_plane_row (&plan->a, y0 + y + ay), x0 + ax,
        bw_plane_row (&plan->b, y0 + y + by), x0 + bx, w, s);
  s->n = (guint64) w *h;
  return TRUE;
}

gboolean
bw_moved_block_sums (const BwStatsPlan * plan, guint col, guint row, gint dx,
    gint dy, BwBlockSums * s)
{
  return bw_moved_pair_sums (plan, col, row, 0, 0, dx, dy, s);
}

gboolean
bw_moved_sums_row (const BwStatsPlan * plan, BwScratch * scratch,
    guint radius, gint cx, gint cy, guint r, const BwBlockSums * s0,
    BwMovedSums * moved)
{
  const guint cols = plan ? plan->cols : 0;
  const gint R = radius;
  const gint nd = 2 * R + 1;
  const gsize n_off = (gsize) nd * nd;
  BwCrossFunc cross;
  BwCrossRow row;
  gsize width, i;
  guint64 *pre_b, *pre_bb, *sum_ab;
  guint32 *col_b, *col_lo, *col_hi;
  ColumnAddFunc add_row;
  ColumnSlideFunc slide_rows;
  gdouble *cab_cube, *vbb_cube, *vaa;
  guint c;
  gint dy, first_dy, last_dy;

  if (!plan || !plan->kernels || !scratch || !s0 || !moved
      || radius > BW_MAX_SEARCH_RADIUS || r >= plan->rows)
    return FALSE;

  cross = bw_kernels_cross (plan->kernels, plan->a.format, plan->b.format,
      plan->geom.block_width)->func[plan->a.format][plan->b.format];
  width = plan->geom.width;
  row.a = &plan->a;
  row.b = &plan->b;
  row.width = plan->geom.width;
  row.width_px = MIN (plan->geom.width, cols * plan->geom.block_width);
  row.block_width = plan->geom.block_width;
  row.n_blocks = cols;
  row.radius = radius;
  row.cx = cx;
  row.y0 = r * plan->geom.block_height;
  row.h = MIN (plan->geom.block_height, plan->geom.height - row.y0);

  bw_scratch_reserve ((gpointer *) & scratch->search32,
      &scratch->search32_len, 3 * width, sizeof (guint32));
  bw_scratch_reserve ((gpointer *) & scratch->search64,
      &scratch->search64_len, 2 * (width + 1) + n_off * cols, sizeof (guint64));
  bw_scratch_reserve ((gpointer *) & scratch->search_r,
      &scratch->search_r_len, (2 * n_off + 1) * cols, sizeof (gdouble));
  col_b = scratch->search32;
  col_lo = col_b + width;
  col_hi = col_lo + width;
  pre_b = scratch->search64;
  pre_bb = pre_b + width + 1;
  sum_ab = pre_bb + width + 1;
  add_row = column_add[plan->b.format];
  slide_rows = column_slide[plan->b.format];
  cab_cube = scratch->search_r;
  vbb_cube = cab_cube + n_off * cols;
  vaa = vbb_cube + n_off * cols;
  moved->cab = cab_cube;
  moved->vbb = vbb_cube;
  moved->vaa = vaa;

  for (c = 0; c < cols; c++)
    vaa[c] = bw_centred_sum (s0[c].n, s0[c].sum_a, s0[c].sum_a, s0[c].sum_aa);
  /* Untried offsets: vbb 0. */
  memset (vbb_cube, 0, n_off * cols * sizeof (gdouble));

  if (R == 0 && cx == 0 && cy == 0) {
    for (c = 0; c < cols; c++)
      centred_sums (s0[c].n, s0[c].sum_a, s0[c].sum_b, s0[c].sum_bb,
          s0[c].sum_ab, &cab_cube[c], &vbb_cube[c]);
    return TRUE;
  }

  /* The vertical offsets whose rows lie in the frame (dy is counted from
   * the centre, the rows of B from the frame's top). */
  first_dy = MAX (-R, -(gint) row.y0 - cy);
  last_dy = MIN (R, (gint) plan->geom.height - (gint) (row.y0 + row.h) - cy);
  if (first_dy > last_dy)
    return TRUE;
  cross (scratch, &row, cy + first_dy, last_dy - first_dy + 1, sum_ab);
  dy = first_dy;
  {
    guint y;

    memset (col_b, 0, 3 * width * sizeof (guint32));
    for (y = 0; y < row.h; y++)
      add_row (bw_plane_row (&plan->b, row.y0 + cy + dy + y), width, col_b,
          col_lo, col_hi);
  }
  for (; dy <= last_dy; dy++) {
    const guint64 *ab_dy = sum_ab + (gsize) (dy - first_dy) * nd * cols;

    if (dy > first_dy) {
      /* Slide the columns down by one row. */
      slide_rows (bw_plane_row (&plan->b, row.y0 + cy + dy - 1),
          bw_plane_row (&plan->b, row.y0 + cy + dy + row.h - 1), width,
          col_b, col_lo, col_hi);
    }

    /* Σb and Σb² of every column over the moved rows, as prefix sums. */
    pre_b[0] = pre_bb[0] = 0;
    for (i = 0; i < width; i++) {
      pre_b[i + 1] = pre_b[i] + col_b[i];
      pre_bb[i + 1] = pre_bb[i] + ((guint64) col_hi[i] << 16) + col_lo[i];
    }

    for (c = 0; c < cols; c++) {
      const guint64 n = s0[c].n, sa = s0[c].sum_a;
      const gssize x0 = (gssize) c * row.block_width;
      const gssize w = MIN ((gssize) row.block_width,
          (gssize) row.width_px - x0);
      /* the offsets whose window lies in the frame */
      const gssize dx_lo = MAX ((gssize) - R, -x0 - cx);
      const gssize dx_hi = MIN ((gssize) R, (gssize) width - w - x0 - cx);
      const gsize k = (gsize) c * n_off + (dy + R) * nd + R;
      gssize d;

      for (d = dx_lo; d <= dx_hi; d++) {
        const gssize xs = x0 + cx + d;

        centred_sums (n, sa, pre_b[xs + w] - pre_b[xs],
            pre_bb[xs + w] - pre_bb[xs], ab_dy[(gsize) (d + R) * cols + c],
            &cab_cube[k + d], &vbb_cube[k + d]);
      }
    }
  }
  return TRUE;
}
