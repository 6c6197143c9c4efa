/* gst-blockwise: sub-pixel refinement of a block's displacement by window
 * deformation (see subpixel.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include "subpixel.h"
#include "blockstats-private.h"
#include "significance.h"

/* An update smaller than this (px, along both axes) ends the iterations;
 * the estimate settles within a few of them from half a pixel away. */
#define SETTLED 0.01
#define MAX_ITERATIONS 4
/* Smallest ratio of the normal matrix's eigenvalues: below it the block
 * is a straight edge or flat, and the step along it means nothing. */
#define MIN_CONDITION 0.01

/* Sums over the block of A's samples t (less a reference sample, against
 * cancellation) and of its gradients gx, gy: the template's part of the
 * normal equations. */
typedef struct
{
  gdouble n, t, tt, x, y, xt, yt, xx, yy, xy;
} TemplateSums;

/* Sums over the block of B sampled at the moved pixels, i (less the same
 * reference), against the template. */
typedef struct
{
  gdouble i, ii, ti, xi, yi;
} WindowSums;

typedef struct
{
  const BwStatsPlan *plan;
  gint x0, y0, w, h;
  gdouble ref;
} Block;

/* Cubic convolution weights (Keys, a = -0.5) of the samples at -1, 0, 1, 2
 * for a point t in [0, 1) past sample 0. */
static void
keys_weights (gdouble t, gfloat w[4])
{
  gdouble t2 = t * t, t3 = t2 * t;

  w[0] = -0.5 * t3 + t2 - 0.5 * t;
  w[1] = 1.5 * t3 - 2.5 * t2 + 1.0;
  w[2] = -1.5 * t3 + 2.0 * t2 + 0.5 * t;
  w[3] = 0.5 * t3 - 0.5 * t2;
}

/* line[i] = the column of B's rows y .. y + 3 at x + i, weighted by w, for
 * i in [0, n): the vertical half of the separable interpolation. */
static void BW_VECTORIZE
column_pass (const BwPlane * b, gint x, gint y, gint n, const gfloat w[4],
    gfloat * line)
{
  const guint8 *r0 = bw_plane_row (b, y), *r1 = bw_plane_row (b, y + 1);
  const guint8 *r2 = bw_plane_row (b, y + 2), *r3 = bw_plane_row (b, y + 3);
  gint i;

  switch (b->format) {
    case BW_SAMPLE_U8:
      for (i = 0; i < n; i++)
        line[i] = w[0] * r0[x + i] + w[1] * r1[x + i] + w[2] * r2[x + i]
            + w[3] * r3[x + i];
      break;
    case BW_SAMPLE_U16LE:
      for (i = 0; i < n; i++)
        line[i] = w[0] * bw_load_u16le (r0, x + i)
            + w[1] * bw_load_u16le (r1, x + i)
            + w[2] * bw_load_u16le (r2, x + i)
            + w[3] * bw_load_u16le (r3, x + i);
      break;
    default:
      for (i = 0; i < n; i++)
        line[i] = w[0] * bw_load_u16be (r0, x + i)
            + w[1] * bw_load_u16be (r1, x + i)
            + w[2] * bw_load_u16be (r2, x + i)
            + w[3] * bw_load_u16be (r3, x + i);
      break;
  }
}

/* A's sample (less the reference) and gradients at block pixel (x, y):
 * central differences, one-sided at the frame's edges (y_scale: 1 / the
 * distance between the rows up and down, 0 for a one-row frame). */
static inline void
template_at (const Block * k, const guint8 * up, const guint8 * mid,
    const guint8 * down, gdouble y_scale, gint x, gdouble * t, gdouble * gx,
    gdouble * gy)
{
  static const gdouble x_scale[3] = { 0.0, 1.0, 0.5 };
  const BwSampleFormat f = k->plan->a.format;
  const gint width = k->plan->geom.width;
  gint ax = k->x0 + x;
  gint l = MAX (ax - 1, 0), r = MIN (ax + 1, width - 1);

  *t = (gdouble) bw_sample_at (mid, ax, f) - k->ref;
  *gx = x_scale[r - l] * ((gdouble) bw_sample_at (mid, r, f)
      - bw_sample_at (mid, l, f));
  *gy = y_scale * ((gdouble) bw_sample_at (down, ax, f)
      - bw_sample_at (up, ax, f));
}

/* Rows above and below block row y in A, clamped to the frame, and the
 * inverse of their distance (0 when they are the same row). */
static inline gdouble
template_rows (const Block * k, gint y, const guint8 ** up,
    const guint8 ** mid, const guint8 ** down)
{
  const gint height = k->plan->geom.height;
  gint ay = k->y0 + y, u = MAX (ay - 1, 0), d = MIN (ay + 1, height - 1);

  *up = bw_plane_row (&k->plan->a, u);
  *mid = bw_plane_row (&k->plan->a, ay);
  *down = bw_plane_row (&k->plan->a, d);
  return d > u ? 1.0 / (d - u) : 0.0;
}

static void
template_sums (const Block * k, TemplateSums * s)
{
  gint x, y;

  memset (s, 0, sizeof (*s));
  for (y = 0; y < k->h; y++) {
    const guint8 *up, *mid, *down;
    gdouble step = template_rows (k, y, &up, &mid, &down);

    for (x = 0; x < k->w; x++) {
      gdouble t, gx, gy;

      template_at (k, up, mid, down, step, x, &t, &gx, &gy);
      s->t += t;
      s->tt += t * t;
      s->x += gx;
      s->y += gy;
      s->xt += gx * t;
      s->yt += gy * t;
      s->xx += gx * gx;
      s->yy += gy * gy;
      s->xy += gx * gy;
    }
  }
  s->n = (gdouble) k->w * k->h;
}

/* Samples B at the block's pixels moved by (px, py) and sums them against
 * the template; FALSE when the interpolation would read outside the
 * frame. */
static gboolean
window_sums (const Block * k, gdouble px, gdouble py, WindowSums * s)
{
  const BwGeometry *g = &k->plan->geom;
  gfloat line[BW_MAX_BLOCK_SIZE + 3], wx[4], wy[4];
  gdouble fx = floor (px), fy = floor (py);
  gint bx, by, x, y;

  /* Whole-pixel parts kept in double until checked: no overflow. */
  if (k->x0 + fx - 1 < 0 || k->y0 + fy - 1 < 0
      || k->x0 + fx + k->w + 2 > g->width || k->y0 + fy + k->h + 2 > g->height)
    return FALSE;
  bx = k->x0 + (gint) fx - 1;
  by = k->y0 + (gint) fy - 1;
  keys_weights (px - fx, wx);
  keys_weights (py - fy, wy);

  memset (s, 0, sizeof (*s));
  for (y = 0; y < k->h; y++) {
    const guint8 *up, *mid, *down;
    gdouble step = template_rows (k, y, &up, &mid, &down);

    column_pass (&k->plan->b, bx, by + y, k->w + 3, wy, line);
    for (x = 0; x < k->w; x++) {
      gdouble i = wx[0] * line[x] + wx[1] * line[x + 1] + wx[2] * line[x + 2]
          + wx[3] * line[x + 3] - k->ref;
      gdouble t, gx, gy;

      template_at (k, up, mid, down, step, x, &t, &gx, &gy);
      s->i += i;
      s->ii += i * i;
      s->ti += t * i;
      s->xi += gx * i;
      s->yi += gy * i;
    }
  }
  return TRUE;
}

gboolean
bw_subpixel_refine (const BwStatsPlan * plan, guint col, guint row,
    gdouble * dx, gdouble * dy)
{
  const BwGeometry *g;
  Block k;
  TemplateSums ts;
  gdouble vt, cx, cy, hxx, hyy, hxy, det, tr, disc, px, py;
  gint it;

  if (!plan || col >= plan->cols || row >= plan->rows || !isfinite (*dx)
      || !isfinite (*dy))
    return FALSE;
  g = &plan->geom;
  k.plan = plan;
  k.x0 = col * g->block_width;
  k.y0 = row * g->block_height;
  k.w = MIN (g->block_width, g->width - k.x0);
  k.h = MIN (g->block_height, g->height - k.y0);
  k.ref = bw_sample_at (bw_plane_row (&plan->a, k.y0), k.x0, plan->a.format);

  /* The gradients less their parts along a constant and along the block
   * itself (gx' = gx - mean - ax t), and their normal matrix H. */
  template_sums (&k, &ts);
  vt = ts.tt - ts.t * ts.t / ts.n;
  if (!(vt > 0.0))
    return FALSE;
  cx = ts.xt - ts.x * ts.t / ts.n;
  cy = ts.yt - ts.y * ts.t / ts.n;
  hxx = ts.xx - ts.x * ts.x / ts.n - cx * cx / vt;
  hyy = ts.yy - ts.y * ts.y / ts.n - cy * cy / vt;
  hxy = ts.xy - ts.x * ts.y / ts.n - cx * cy / vt;
  det = hxx * hyy - hxy * hxy;
  tr = hxx + hyy;
  disc = sqrt (MAX (tr * tr - 4.0 * det, 0.0));
  if (!(tr > 0.0) || !(0.5 * (tr - disc) >= MIN_CONDITION * 0.5 * (tr + disc)))
    return FALSE;

  px = *dx;
  py = *dy;
  for (it = 0; it < MAX_ITERATIONS; it++) {
    WindowSums ws;
    gdouble vi, ci, bx, by, scale, ux, uy;

    if (!window_sums (&k, px, py, &ws))
      return FALSE;
    vi = ws.ii - ws.i * ws.i / ts.n;
    ci = ws.ti - ts.t * ws.i / ts.n;
    if (!(vi > 0.0) || !(ci > 0.0))
      return FALSE;
    /* The moved window scaled to the block's spread: the step in pixels
     * whatever the gain between the frames. */
    scale = sqrt (vt / vi);
    bx = scale * (ws.xi - ts.x * ws.i / ts.n - cx / vt * (ws.ti - ts.t
            * ws.i / ts.n));
    by = scale * (ws.yi - ts.y * ws.i / ts.n - cy / vt * (ws.ti - ts.t
            * ws.i / ts.n));
    ux = (hyy * bx - hxy * by) / det;
    uy = (hxx * by - hxy * bx) / det;
    /* Inverse compositional: the template's step, undone on the window. */
    px -= ux;
    py -= uy;
    if (!(fabs (px - *dx) <= 1.0 && fabs (py - *dy) <= 1.0))
      return FALSE;
    if (fabs (ux) < SETTLED && fabs (uy) < SETTLED) {
      *dx = px;
      *dy = py;
      return TRUE;
    }
  }
  return FALSE;
}

void
bw_subpixel_refine_shift (const BwStatsPlan * plan, guint col, guint row,
    BwBlockShift * shift)
{
  gdouble dx = shift->dx, dy = shift->dy;

  /* Only a peak that is signal, fitted along both axes, and not on the
   * search radius (where the displacement may lie further out). */
  if (!shift->fitted || shift->at_radius
      || !bw_r_above_zero (shift->r_best, shift->n, BW_SIGNAL_Z))
    return;
  if (bw_subpixel_refine (plan, col, row, &dx, &dy)) {
    shift->dx = dx;
    shift->dy = dy;
  }
}
