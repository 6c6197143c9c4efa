/* gst-blockwise: the displacement search driver: moved-window sums, r at
 * every offset, the best offset and its sub-pixel estimate.
 *
 * Per block row and vertical offset dy, the column sums of b and b² over the
 * moved rows are formed once and turned into prefix sums, so Σb and Σb² of
 * any moved window cost two subtractions; the cross sums Σab come from the
 * path chosen once (BwCrossFunc).  r is formed from the exact sums as
 * bw_stats_from_sums() forms it, so r at (0, 0) equals the block's r bit
 * for bit.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include "blockstats-private.h"
#include "displacement.h"

/* Column sums of b and b² (b² in its low and high 16-bit halves, each in a
 * guint32: exact for up to 4096 rows) over the moved rows.  _add adds one
 * row; _slide moves the rows down by one, adding row `in` and taking out
 * row `out` in one pass (guint32 arithmetic wraps, and every final sum
 * fits, so the differences are exact). */
#define DEFINE_COLUMN_ROWS(SUFFIX, LOAD)                                 \
static BW_VECTORIZE void                                                \
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
static BW_VECTORIZE void                                                \
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

static BwCrossFunc
choose_cross (BwSampleFormat fa, BwSampleFormat fb)
{
#ifdef HAVE_X86_CROSS
  if (bw_stats_avx2_allowed () && fa == fb && (fa == BW_SAMPLE_U8 || fa == BW_SAMPLE_U16LE))
    return bw_cross_row_avx2;
#endif
  return bw_cross_row_c;
}

const gchar *
bw_search_path_name (BwSampleFormat fa, BwSampleFormat fb)
{
  return choose_cross (fa, fb) == bw_cross_row_c ? "c" : "avx2";
}

/* The centred sums of a moved window: n·Σab − ΣaΣb and n·Σb² − (Σb)². */
static inline void
centred_sums (guint64 n, guint64 sa, guint64 sb, guint64 sbb, guint64 sab,
    gdouble * cab_out, gdouble * vbb_out)
{
  *vbb_out = bw_centred_sum (n, sb, sb, sbb);
  *cab_out = bw_centred_sum (n, sa, sb, sab);
}

/* r from a moved window's centred sums (bw_centred_sum()) and sqrt of the
 * block's own, with the arithmetic of bw_stats_from_sums(), so r at (0, 0)
 * equals the block's r bit for bit; NaN for a flat side.  Finding the best
 * offset needs no square root per offset (see pick_best()). */
static inline gdouble
r_of (gdouble cab, gdouble vbb, gdouble sqrt_vaa)
{
  if (sqrt_vaa == 0.0 || !(vbb > 0.0))
    return NAN;
  return CLAMP (cab / (sqrt_vaa * sqrt (vbb)), -1.0, 1.0);
}


/* Vertex of the parabola through (-1, lo), (0, mid), (1, hi), within half a
 * pixel; 0 (and *fitted FALSE) when a neighbour is missing or mid is no
 * peak. */
static gdouble
parabola_peak (gdouble lo, gdouble mid, gdouble hi, gboolean * fitted)
{
  gdouble denom = lo - 2.0 * mid + hi;

  if (!isfinite (lo) || !isfinite (hi) || !(denom < 0.0)) {
    *fitted = FALSE;
    return 0.0;
  }
  return CLAMP (0.5 * (lo - hi) / denom, -0.5, 0.5);
}

/* Peak of the quadratic surface fitted (least squares) to the 3 x 3 values
 * f[y + 1][x + 1] around the best offset: unlike two separate parabolas it
 * follows a peak stretched along a diagonal (texture with one dominant
 * orientation).  FALSE when the surface has no maximum, when it is a ridge
 * (its curvatures differ more than tenfold: the peak could lie anywhere
 * along it) or when its peak lies more than half a pixel away. */
static gboolean
quadratic_peak (const gdouble f[3][3], gdouble * px, gdouble * py)
{
  gdouble col[3] = { 0, 0, 0 }, row[3] = { 0, 0, 0 };
  gdouble b, c, d, e, g, det, tr, disc, l1, l2, x, y;
  gint i, j;

  for (j = 0; j < 3; j++)
    for (i = 0; i < 3; i++) {
      col[i] += f[j][i];
      row[j] += f[j][i];
    }
  /* f ~ a + b x + c y + d x² + e y² + g x y */
  b = (col[2] - col[0]) / 6.0;
  c = (row[2] - row[0]) / 6.0;
  d = (col[0] + col[2] - 2.0 * col[1]) / 6.0;
  e = (row[0] + row[2] - 2.0 * row[1]) / 6.0;
  g = (f[2][2] - f[0][2] - f[2][0] + f[0][0]) / 4.0;
  det = 4.0 * d * e - g * g;
  if (!(d < 0.0 && det > 0.0))
    return FALSE;
  /* Curvatures: the eigenvalues of the Hessian [2d g; g 2e], both < 0. */
  tr = 2.0 * (d + e);
  disc = sqrt (MAX (tr * tr - 4.0 * det, 0.0));
  l1 = 0.5 * (tr - disc);
  l2 = 0.5 * (tr + disc);
  if (!(l2 < 0.0) || l1 < 10.0 * l2)
    return FALSE;
  x = (g * c - 2.0 * e * b) / det;
  y = (g * b - 2.0 * d * c) / det;
  if (fabs (x) > 0.5 || fabs (y) > 0.5)
    return FALSE;
  *px = x;
  *py = y;
  return TRUE;
}

/* The best offset of one block from its centred sums (cab[k], vbb[k] with
 * k = (dy+R)*nd + dx+R; vbb 0 where untried or flat): (0, 0) unless another
 * offset has a strictly higher r.  For a block, r grows with
 * cab·|cab| / vbb, compared by cross-multiplying: no square root or
 * division per offset. */
static void
pick_best (const gdouble * cab, const gdouble * vbb, gdouble sqrt_vaa,
    gint radius, gdouble r_zero, guint64 n, const BwStatsPlan * plan,
    guint col, guint row, BwBlockShift * o)
{
  const gint nd = 2 * radius + 1;
  gint bx = 0, by = 0, x, y, kb = radius * nd + radius;
  gdouble best, key_cab, key_vbb;
  gboolean fitted = TRUE, beyond, found = sqrt_vaa > 0.0 && vbb[kb] > 0.0;

  key_cab = cab[kb] * fabs (cab[kb]);
  key_vbb = vbb[kb];
  for (y = -radius; y <= radius && sqrt_vaa > 0.0; y++)
    for (x = -radius; x <= radius; x++) {
      gint k = (y + radius) * nd + x + radius;
      gdouble kc = cab[k] * fabs (cab[k]);

      if (!(vbb[k] > 0.0))
        continue;
      if (!found || kc * key_vbb > key_cab * vbb[k]) {
        found = TRUE;
        key_cab = kc;
        key_vbb = vbb[k];
        bx = x;
        by = y;
      }
    }
  best = found ? r_of (cab[(by + radius) * nd + bx + radius],
      vbb[(by + radius) * nd + bx + radius], sqrt_vaa) : -INFINITY;

  o->r_zero = r_zero;
  if (best == -INFINITY) {
    o->dx = o->dy = o->r_best = NAN;
    o->best_x = o->best_y = 0;
    o->at_radius = FALSE;
    o->fitted = FALSE;
    return;
  }
  o->best_x = bx;
  o->best_y = by;
  o->r_best = best;
  o->at_radius = radius > 0 && (ABS (bx) == radius || ABS (by) == radius);
  /* Neighbours one pixel beyond the radius are computed for the fit alone
   * (the best offset stays within the radius): a block whose peak lies on
   * the radius would otherwise snap to a whole pixel.  Only where the peak
   * is signal (Fisher z of r above 5 standard errors): in noise the best
   * offset lies on the radius most of the time, and its fit means
   * nothing. */
  beyond = radius > 0 && n > 3
      && atanh (CLAMP (best, -0.999999, 0.999999)) * sqrt (n - 3.0) > 5.0;
#define R_AT(X, Y) (ABS (X) > radius || ABS (Y) > radius ? \
    (beyond ? bw_search_block_r (plan, col, row, (X), (Y)) : NAN) : \
    r_of (cab[((Y) + radius) * nd + (X) + radius], \
        vbb[((Y) + radius) * nd + (X) + radius], sqrt_vaa))
  {
    gdouble f[3][3], px, py;
    gboolean all = TRUE;

    for (y = -1; y <= 1; y++)
      for (x = -1; x <= 1; x++) {
        f[y + 1][x + 1] = R_AT (bx + x, by + y);
        all = all && isfinite (f[y + 1][x + 1]);
      }
    if (all && quadratic_peak (f, &px, &py)) {
      o->dx = bx + px;
      o->dy = by + py;
      o->fitted = TRUE;
      return;
    }
  }
  o->dx = bx + parabola_peak (R_AT (bx - 1, by), best, R_AT (bx + 1, by),
      &fitted);
  o->dy = by + parabola_peak (R_AT (bx, by - 1), best, R_AT (bx, by + 1),
      &fitted);
  o->fitted = fitted;
#undef R_AT
}

gdouble
bw_search_block_r (const BwStatsPlan * plan, guint col, guint row, gint dx,
    gint dy)
{
  const BwGeometry *g = &plan->geom;
  gint x0 = col * g->block_width, y0 = row * g->block_height;
  gint w = MIN (g->block_width, g->width - x0);
  gint h = MIN (g->block_height, g->height - y0);
  BwBlockSums s = { 0, };
  BwBlockStats st;
  gint x, y;

  if (col >= plan->cols || row >= plan->rows || x0 + dx < 0 || y0 + dy < 0
      || x0 + w + dx > (gint) g->width || y0 + h + dy > (gint) g->height)
    return NAN;
  for (y = 0; y < h; y++) {
    const guint8 *ra = bw_plane_row (&plan->a, y0 + y);
    const guint8 *rb = bw_plane_row (&plan->b, y0 + y + dy);

    for (x = 0; x < w; x++)
      bw_sums_add (&s, bw_sample_at (ra, x0 + x, plan->a.format),
          bw_sample_at (rb, x0 + x + dx, plan->b.format));
  }
  s.n = (guint64) w * h;
  bw_stats_from_sums (&s, &st);
  return st.r;
}

gdouble
bw_search_block_r_at (gpointer data, gsize block, gint dx, gint dy)
{
  const BwStatsPlan *plan = data;

  return bw_search_block_r (plan, block % plan->cols, block / plan->cols, dx,
      dy);
}

gboolean
bw_search_rows (const BwStatsPlan * plan, BwScratch * scratch, guint radius,
    guint row_start, guint row_end, const BwBlockSums * sums,
    BwBlockShift * out)
{
  const guint cols = plan ? plan->cols : 0;
  const gint R = radius;
  const gint nd = 2 * R + 1;
  const gsize n_off = (gsize) nd * nd;
  BwCrossFunc cross;
  BwCrossRow row;
  gsize width;
  guint64 *pre_b, *pre_bb, *sum_ab;
  guint32 *col_b, *col_lo, *col_hi;
  ColumnAddFunc add_row;
  ColumnSlideFunc slide_rows;
  gdouble *cab_cube, *vbb_cube, *sqrt_vaa;
  guint r;

  if (!plan || !plan->row_func || !scratch || !sums || !out
      || radius > BW_MAX_SEARCH_RADIUS || row_start > row_end
      || row_end > plan->rows)
    return FALSE;

  cross = choose_cross (plan->a.format, plan->b.format);
  width = plan->geom.width;
  row.a = &plan->a;
  row.b = &plan->b;
  row.width = plan->geom.width;
  row.width_px = MIN (plan->geom.width, cols * plan->geom.block_width);
  row.block_width = plan->geom.block_width;
  row.n_blocks = cols;
  row.radius = radius;

  bw_scratch_reserve ((gpointer *) & scratch->search32,
      &scratch->search32_len, 3 * width, sizeof (guint32));
  bw_scratch_reserve ((gpointer *) & scratch->search64,
      &scratch->search64_len, 2 * (width + 1) + (gsize) nd * cols,
      sizeof (guint64));
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
  sqrt_vaa = vbb_cube + n_off * cols;

  for (r = row_start; r < row_end; r++) {
    const BwBlockSums *s0 = sums + (gsize) (r - row_start) * cols;
    BwBlockShift *o = out + (gsize) (r - row_start) * cols;
    gsize i;
    guint c;
    gint dy, dx;

    row.y0 = r * plan->geom.block_height;
    row.h = MIN (plan->geom.block_height, plan->geom.height - row.y0);

    for (c = 0; c < cols; c++) {
      sqrt_vaa[c] = sqrt (bw_centred_sum (s0[c].n, s0[c].sum_a, s0[c].sum_a,
              s0[c].sum_aa));
    }
    /* Untried offsets: vbb 0, no r. */
    memset (vbb_cube, 0, n_off * cols * sizeof (gdouble));

    if (R == 0) {
      for (c = 0; c < cols; c++)
        centred_sums (s0[c].n, s0[c].sum_a, s0[c].sum_b, s0[c].sum_bb,
            s0[c].sum_ab, &cab_cube[c], &vbb_cube[c]);
    }

    /* The first vertical offset whose rows lie in the frame. */
    dy = MAX (-R, -(gint) row.y0);
    if (R > 0) {
      guint y;

      memset (col_b, 0, 3 * width * sizeof (guint32));
      for (y = 0; y < row.h && (gint) (row.y0 + y) + dy < (gint)
          plan->geom.height; y++)
        add_row (bw_plane_row (&plan->b, row.y0 + dy + y), width, col_b,
            col_lo, col_hi);
    }
    for (; dy <= R && R > 0; dy++) {
      if ((gint) (row.y0 + row.h) + dy > (gint) plan->geom.height)
        break;
      if (dy > MAX (-R, -(gint) row.y0)) {
        /* Slide the columns down by one row. */
        slide_rows (bw_plane_row (&plan->b, row.y0 + dy - 1),
            bw_plane_row (&plan->b, row.y0 + dy + row.h - 1), width, col_b,
            col_lo, col_hi);
      }

      /* Σb and Σb² of every column over the moved rows, as prefix sums. */
      pre_b[0] = pre_bb[0] = 0;
      for (i = 0; i < width; i++) {
        pre_b[i + 1] = pre_b[i] + col_b[i];
        pre_bb[i + 1] = pre_bb[i] + ((guint64) col_hi[i] << 16) + col_lo[i];
      }

      cross (scratch, &row, dy, sum_ab);

      for (dx = -R; dx <= R; dx++) {
        const guint64 *ab = sum_ab + (gsize) (dx + R) * cols;

        for (c = 0; c < cols; c++) {
          gssize x0 = (gssize) c * row.block_width;
          gssize w = MIN ((gssize) row.block_width, (gssize) row.width_px - x0);
          gssize xs = x0 + dx;

          if (xs < 0 || xs + w > (gssize) width)
            continue;
          gsize k = (gsize) c * n_off + (dy + R) * nd + dx + R;

          centred_sums (s0[c].n, s0[c].sum_a, pre_b[xs + w] - pre_b[xs],
              pre_bb[xs + w] - pre_bb[xs], ab[c], &cab_cube[k], &vbb_cube[k]);
        }
      }
    }

    for (c = 0; c < cols; c++) {
      const gsize k = (gsize) c * n_off;

      pick_best (cab_cube + k, vbb_cube + k, sqrt_vaa[c], R,
          r_of (cab_cube[k + R * nd + R], vbb_cube[k + R * nd + R],
              sqrt_vaa[c]), s0[c].n, plan, c, r, &o[c]);
      o[c].n = (guint32) s0[c].n;
    }
  }
  return TRUE;
}
