/* gst-blockwise: the displacement search: r at every offset from the
 * moved-window sums (kernels/moved-sums.c), the best offset, its sub-pixel
 * estimate and whether the fit may look beyond the radius.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include "displacement.h"
#include "moved-sums.h"
#include "significance.h"
#include "subpixel.h"

/* r from a moved window's centred sums (moved-sums.h) and sqrt of the
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

/* bw_r_above_zero (r, n, BW_SIGNAL_Z), answering FALSE without Fisher's z
 * where r lies clearly below the bound (atanh (r) <= r / (1 - r²) for
 * 0 <= r < 1): on noise the best r is small. */
static inline gboolean
r_is_signal (gdouble r, guint n)
{
  if (!(r > 0.0))
    return FALSE;
  if (n > 3 && r < 0.5
      && r / (1.0 - r * r) * sqrt (n - 3.0) < 0.999 * BW_SIGNAL_Z)
    return FALSE;
  return bw_r_above_zero (r, n, BW_SIGNAL_Z);
}

gdouble
bw_parabola_peak (gdouble lo, gdouble mid, gdouble hi, gboolean * fitted)
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
 * k = (dy+R)*nd + dx+R, offsets from the centre (cx, cy); vbb 0 where
 * untried or flat): the centre unless another offset has a strictly higher
 * r.  For a block, r grows with
 * cab·|cab| / vbb, compared by cross-multiplying: no square root or
 * division per offset. */
static void
pick_best (const gdouble * cab, const gdouble * vbb, gdouble sqrt_vaa,
    gint radius, gint cx, gint cy, gdouble r_zero, guint n,
    const BwStatsPlan * plan, guint col, guint row, BwBlockShift * o)
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
   * is signal (r above zero by BW_SIGNAL_Z standard errors): in noise the best
   * offset lies on the radius most of the time, and its fit means
   * nothing.  (Only a best offset on the radius has such neighbours.) */
  beyond = o->at_radius && r_is_signal (best, n);
#define R_AT(X, Y) (ABS (X) > radius || ABS (Y) > radius ? \
    (beyond ? bw_search_block_r (plan, col, row, cx + (X), cy + (Y)) : NAN) : \
    r_of (cab[((Y) + radius) * nd + (X) + radius], \
        vbb[((Y) + radius) * nd + (X) + radius], sqrt_vaa))
  {
    gdouble f[3][3], px, py;
    gboolean all = TRUE;

    for (y = -1; y <= 1; y++)
      for (x = -1; x <= 1; x++) {
        f[y + 1][x + 1] = x == 0 && y == 0 ? best : R_AT (bx + x, by + y);
        all = all && isfinite (f[y + 1][x + 1]);
      }
    if (all && quadratic_peak (f, &px, &py)) {
      o->dx = cx + bx + px;
      o->dy = cy + by + py;
      o->fitted = TRUE;
      return;
    }
    o->dx = cx + bx + bw_parabola_peak (f[1][0], best, f[1][2], &fitted);
    o->dy = cy + by + bw_parabola_peak (f[0][1], best, f[2][1], &fitted);
    o->fitted = fitted;
  }
#undef R_AT
}

/* Mean r at the four whole-pixel neighbours of the best offset, when they
 * all lie within the radius; NaN otherwise. */
static gdouble
r_around (const gdouble * cab, const gdouble * vbb, gdouble sqrt_vaa,
    gint radius, const BwBlockShift * o)
{
  const gint nd = 2 * radius + 1;
  const gint k = (o->best_y + radius) * nd + o->best_x + radius;

  if (isnan (o->r_best) || ABS (o->best_x) >= radius
      || ABS (o->best_y) >= radius)
    return NAN;
  return 0.25 * (r_of (cab[k - 1], vbb[k - 1], sqrt_vaa)
      + r_of (cab[k + 1], vbb[k + 1], sqrt_vaa)
      + r_of (cab[k - nd], vbb[k - nd], sqrt_vaa)
      + r_of (cab[k + nd], vbb[k + nd], sqrt_vaa));
}

gdouble
bw_search_block_r (const BwStatsPlan * plan, guint col, guint row, gint dx,
    gint dy)
{
  BwBlockSums s;
  BwBlockStats st;

  if (!bw_moved_block_sums (plan, col, row, dx, dy, &s))
    return NAN;
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

gdouble
bw_search_pair_r_at (gpointer data, gsize block, gint ax, gint ay, gint bx,
    gint by)
{
  const BwStatsPlan *plan = data;
  BwBlockSums s;
  BwBlockStats st;

  if (!bw_moved_pair_sums (plan, block % plan->cols, block / plan->cols, ax,
          ay, bx, by, &s))
    return NAN;
  bw_stats_from_sums (&s, &st);
  return st.r;
}

const gchar *
bw_search_path_name (BwSampleFormat fa, BwSampleFormat fb)
{
  return bw_moved_sums_path_name (BW_IMPL_AUTO, fa, fb, 0);
}

gboolean
bw_search_rows (const BwStatsPlan * plan, BwScratch * scratch, guint radius,
    guint row_start, guint row_end, const BwBlockSums * sums,
    BwBlockShift * out)
{
  return bw_search_rows_at (plan, scratch, radius, 0, 0, row_start, row_end,
      sums, out);
}

gboolean
bw_search_rows_at (const BwStatsPlan * plan, BwScratch * scratch,
    guint radius, gint cx, gint cy, guint row_start, guint row_end,
    const BwBlockSums * sums, BwBlockShift * out)
{
  const gint R = radius;
  const gint nd = 2 * R + 1;
  const gsize n_off = (gsize) nd * nd;
  const gboolean centred = cx == 0 && cy == 0;
  guint r, c;

  if (!plan || !plan->row_func || !scratch || !sums || !out
      || radius > BW_MAX_SEARCH_RADIUS || row_start > row_end
      || row_end > plan->rows)
    return FALSE;

  for (r = row_start; r < row_end; r++) {
    const BwBlockSums *s0 = sums + (gsize) (r - row_start) * plan->cols;
    BwBlockShift *o = out + (gsize) (r - row_start) * plan->cols;
    BwMovedSums m;

    if (!bw_moved_sums_row (plan, scratch, radius, cx, cy, r, s0, &m))
      return FALSE;
    for (c = 0; c < plan->cols; c++) {
      const gsize k = (gsize) c * n_off;
      const gdouble sqrt_vaa = sqrt (m.vaa[c]);
      gdouble r_zero;

      /* r at (0, 0): at the search's centre, or else from the unmoved
       * sums (the same value bit for bit). */
      if (centred)
        r_zero = r_of (m.cab[k + R * nd + R], m.vbb[k + R * nd + R], sqrt_vaa);
      else {
        BwBlockStats st;

        bw_stats_from_sums (&s0[c], &st);
        r_zero = st.r;
      }
      pick_best (m.cab + k, m.vbb + k, sqrt_vaa, R, cx, cy, r_zero,
          (guint) s0[c].n, plan, c, r, &o[c]);
      o[c].n = (guint32) s0[c].n;
      /* The refinement takes only fitted peaks within the radius. */
      if (o[c].fitted && !o[c].at_radius)
        bw_subpixel_refine_shift (plan, scratch, c, r,
            r_around (m.cab + k, m.vbb + k, sqrt_vaa, R, &o[c]), &o[c]);
    }
  }
  return TRUE;
}
