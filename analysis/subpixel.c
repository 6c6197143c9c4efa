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
/* Lanes of the partial sums (vectorized; float sums of a few terms). */
#define LANES 8

/* One block and its template: A's samples t (centred) and gradients gx, gy
 * (made orthogonal to a constant and to t), w x h each, row by row, in the
 * scratch; line: three rows of w + 3 (A's rows for the gradients, then
 * one row of w + 5 of B's window), moved: the window's row
 * interpolated. */
typedef struct
{
  const BwStatsPlan *plan;
  gint x0, y0, w, h;
  gfloat *t, *gx, *gy, *line, *moved;
  /* Taken from A's and from B's samples against cancellation: A's first
   * sample, and B's where the estimate puts it. */
  gfloat ref, ref_b;
  gdouble vt;                   /* Σ t² */
  gdouble hxx, hyy, hxy;        /* the normal matrix: Σ gx², ... */
} Block;

/* Six-point cubic convolution weights (Keys) of the samples at -2 .. 3
 * for a point t in [0, 1) past sample 0. */
static void
keys_weights (gdouble t, gfloat w[6])
{
  gint i;

  for (i = 0; i < 6; i++) {
    gdouble s = fabs (t - (i - 2)), s2 = s * s, s3 = s2 * s;

    w[i] = s < 1.0 ? 4.0 / 3 * s3 - 7.0 / 3 * s2 + 1.0
        : s < 2.0 ? -7.0 / 12 * s3 + 3.0 * s2 - 59.0 / 12 * s + 2.5
        : s < 3.0 ? 1.0 / 12 * s3 - 2.0 / 3 * s2 + 7.0 / 4 * s - 1.5 : 0.0;
  }
}

#define LOAD(r, i) (f == BW_SAMPLE_U8 ? (gfloat) (r)[i] : \
    f == BW_SAMPLE_U16LE ? (gfloat) bw_load_u16le ((r), (i)) : \
    (gfloat) bw_load_u16be ((r), (i)))
#define COLUMN(f) \
  for (i = 0; i < n; i++) \
    line[i] = w[0] * LOAD (r[0], x + i) + w[1] * LOAD (r[1], x + i) \
        + w[2] * LOAD (r[2], x + i) + w[3] * LOAD (r[3], x + i) \
        + w[4] * LOAD (r[4], x + i) + w[5] * LOAD (r[5], x + i)

/* line[i] = the column of B's rows y .. y + 5 at x + i, weighted by w, for
 * i in [0, n): the vertical half of the separable interpolation (one loop
 * per format, each vectorized). */
static void BW_VECTORIZE
column_pass (const BwPlane * b, gint x, gint y, gint n, const gfloat w[6],
    gfloat * line)
{
  const guint8 *r[6];
  gint i;

  for (i = 0; i < 6; i++)
    r[i] = bw_plane_row (b, y + i);
  switch (b->format) {
    case BW_SAMPLE_U8:{
      const BwSampleFormat f = BW_SAMPLE_U8;
      COLUMN (f);
      break;
    }
    case BW_SAMPLE_U16LE:{
      const BwSampleFormat f = BW_SAMPLE_U16LE;
      COLUMN (f);
      break;
    }
    default:{
      const BwSampleFormat f = BW_SAMPLE_U16BE;
      COLUMN (f);
      break;
    }
  }
}

/* moved[x] = line[x .. x + 5] weighted by w, less ref: the horizontal
 * half. */
static void BW_VECTORIZE
row_pass (const gfloat * line, gint n, const gfloat w[6], gfloat ref,
    gfloat * moved)
{
  gint x;

  for (x = 0; x < n; x++)
    moved[x] = w[0] * line[x] + w[1] * line[x + 1] + w[2] * line[x + 2]
        + w[3] * line[x + 3] + w[4] * line[x + 4] + w[5] * line[x + 5] - ref;
}

/* Adds the k lanes of partial sums acc to s and clears them: every few
 * rows, so that no float sum grows long. */
static void BW_VECTORIZE
flush_lanes (gfloat * acc, gint k, gdouble * s)
{
  gint i, j;

  for (i = 0; i < k; i++)
    for (j = 0; j < LANES; j++) {
      s[i] += acc[i * LANES + j];
      acc[i * LANES + j] = 0.0f;
    }
}

/* Rows summed in floats before flush_lanes(). */
#define ROWS_PER_FLUSH 16

/* The sums of one row of the moved window against the template: Σ b, Σ b²,
 * Σ t b, Σ gx b, Σ gy b, added to the lanes acc. */
static void BW_VECTORIZE
row_sums (const gfloat * b, const gfloat * t, const gfloat * gx,
    const gfloat * gy, gint n, gfloat acc[5][LANES])
{
  gint x = 0, j;

  for (; x + LANES <= n; x += LANES)
    for (j = 0; j < LANES; j++) {
      gfloat v = b[x + j];

      acc[0][j] += v;
      acc[1][j] += v * v;
      acc[2][j] += t[x + j] * v;
      acc[3][j] += gx[x + j] * v;
      acc[4][j] += gy[x + j] * v;
    }
  for (; x < n; x++) {
    gfloat v = b[x];

    acc[0][0] += v;
    acc[1][0] += v * v;
    acc[2][0] += t[x] * v;
    acc[3][0] += gx[x] * v;
    acc[4][0] += gy[x] * v;
  }
}

/* out[i] = plane's sample at (x + i, y) for i in [0, n). */
static void BW_VECTORIZE
load_row (const BwPlane * p, gint y, gint x, gint n, gfloat * out)
{
  const guint8 *r = bw_plane_row (p, y);
  gint i;

  switch (p->format) {
    case BW_SAMPLE_U8:
      for (i = 0; i < n; i++)
        out[i] = r[x + i];
      break;
    case BW_SAMPLE_U16LE:
      for (i = 0; i < n; i++)
        out[i] = bw_load_u16le (r, x + i);
      break;
    default:
      for (i = 0; i < n; i++)
        out[i] = bw_load_u16be (r, x + i);
      break;
  }
}

/* One row of the template from A's row mid (n + 2 samples, from the
 * pixel left of the block) and the rows up and down (n samples, y_scale: 1
 * over their distance): t less ref, central differences. */
static void BW_VECTORIZE
template_row (const gfloat * mid, const gfloat * up, const gfloat * down,
    gint n, gfloat y_scale, gfloat ref, gfloat * t, gfloat * gx, gfloat * gy)
{
  gint x;

  for (x = 0; x < n; x++) {
    t[x] = mid[x + 1] - ref;
    gx[x] = 0.5f * (mid[x + 2] - mid[x]);
    gy[x] = y_scale * (down[x] - up[x]);
  }
}

/* The template's sums over one row, added to the lanes acc: Σ t, Σ t²,
 * Σ gx, Σ gy, Σ gx t, Σ gy t, Σ gx², Σ gy², Σ gx gy. */
static void BW_VECTORIZE
template_sums (const gfloat * t, const gfloat * gx, const gfloat * gy,
    gint n, gfloat acc[9][LANES])
{
  gint x = 0, j;

  for (; x + LANES <= n; x += LANES)
    for (j = 0; j < LANES; j++) {
      gfloat a = t[x + j], b = gx[x + j], c = gy[x + j];

      acc[0][j] += a;
      acc[1][j] += a * a;
      acc[2][j] += b;
      acc[3][j] += c;
      acc[4][j] += b * a;
      acc[5][j] += c * a;
      acc[6][j] += b * b;
      acc[7][j] += c * c;
      acc[8][j] += b * c;
    }
  for (; x < n; x++) {
    gfloat a = t[x], b = gx[x], c = gy[x];

    acc[0][0] += a;
    acc[1][0] += a * a;
    acc[2][0] += b;
    acc[3][0] += c;
    acc[4][0] += b * a;
    acc[5][0] += c * a;
    acc[6][0] += b * b;
    acc[7][0] += c * c;
    acc[8][0] += b * c;
  }
}

/* Reads A's block and its gradients (central differences, one-sided at the
 * frame's edges) into the template, centres them and makes the gradients
 * orthogonal to a constant and to t; FALSE for a flat block or one without
 * structure along some direction. */
static gboolean BW_VECTORIZE
template_init (Block * k)
{
  const BwPlane *a = &k->plan->a;
  const gint width = k->plan->geom.width, height = k->plan->geom.height;
  const gint w = k->w;
  const gdouble n = (gdouble) w * k->h;
  const gint xl = MAX (k->x0 - 1, 0), xr = MIN (k->x0 + w, width - 1);
  gfloat *mid = k->line, *up = mid + w + 3, *down = up + w + 3;
  /* Sums of t, t², gx, gy, gx t, gy t, gx², gy², gx gy. */
  gdouble s[9] = { 0 }, mt, mx, my, cx, cy, ax, ay, det, tr, disc;
  gfloat acc[9][LANES] = { {0} };
  gint y, i;

  k->ref = bw_sample_at (bw_plane_row (a, k->y0), k->x0, a->format);
  for (y = 0; y < k->h; y++) {
    gint row = k->y0 + y;
    gint u = MAX (row - 1, 0), d = MIN (row + 1, height - 1);
    gsize at = (gsize) y * w;

    /* mid[i] is A at x0 - 1 + i; at the frame's edges the missing
     * neighbour repeats the edge, and the difference there is one-sided. */
    load_row (a, row, xl, xr - xl + 1, mid + (xl - (k->x0 - 1)));
    if (k->x0 == 0)
      mid[0] = mid[1];
    if (k->x0 + w == width)
      mid[w + 1] = mid[w];
    load_row (a, u, k->x0, w, up);
    load_row (a, d, k->x0, w, down);
    template_row (mid, up, down, w, d > u ? 1.0f / (d - u) : 0.0f, k->ref,
        k->t + at, k->gx + at, k->gy + at);
    if (k->x0 == 0)
      k->gx[at] = mid[2] - mid[1];
    if (k->x0 + w == width)
      k->gx[at + w - 1] = mid[w] - mid[w - 1];
    template_sums (k->t + at, k->gx + at, k->gy + at, w, acc);
    if (y % ROWS_PER_FLUSH == ROWS_PER_FLUSH - 1 || y == k->h - 1)
      flush_lanes (&acc[0][0], 9, s);
  }
  mt = s[0] / n;
  mx = s[2] / n;
  my = s[3] / n;
  k->vt = s[1] - s[0] * mt;
  if (!(k->vt > 0.0))
    return FALSE;
  cx = s[4] - s[2] * mt;
  cy = s[5] - s[3] * mt;
  ax = cx / k->vt;
  ay = cy / k->vt;
  /* Σ (g - mean - a t)² = Σ (g - mean)² - c² / Σ t², and likewise. */
  k->hxx = s[6] - s[2] * mx - cx * ax;
  k->hyy = s[7] - s[3] * my - cy * ay;
  k->hxy = s[8] - s[2] * my - cx * ay;
  det = k->hxx * k->hyy - k->hxy * k->hxy;
  tr = k->hxx + k->hyy;
  disc = sqrt (MAX (tr * tr - 4.0 * det, 0.0));
  if (!(tr > 0.0) || !(tr - disc >= MIN_CONDITION * (tr + disc)))
    return FALSE;
  for (i = 0; i < k->w * k->h; i++) {
    gfloat t = k->t[i] - (gfloat) mt;

    k->t[i] = t;
    k->gx[i] -= (gfloat) mx + (gfloat) ax *t;
    k->gy[i] -= (gfloat) my + (gfloat) ay *t;
  }
  return TRUE;
}

/* Samples B at the block's pixels moved by (px, py) and sums them against
 * the template (s as row_sums()); FALSE when the interpolation would read
 * outside the frame. */
static gboolean BW_VECTORIZE
window_sums (const Block * k, gdouble px, gdouble py, gdouble s[5])
{
  const BwGeometry *g = &k->plan->geom;
  gfloat wx[6], wy[6], acc[5][LANES] = { {0} };
  gdouble fx = floor (px), fy = floor (py);
  gint bx, by, y;

  /* Whole-pixel parts kept in double until checked: no overflow. */
  if (k->x0 + fx - 2 < 0 || k->y0 + fy - 2 < 0
      || k->x0 + fx + k->w + 3 > g->width || k->y0 + fy + k->h + 3 > g->height)
    return FALSE;
  bx = k->x0 + (gint) fx - 2;
  by = k->y0 + (gint) fy - 2;
  keys_weights (px - fx, wx);
  keys_weights (py - fy, wy);

  memset (s, 0, 5 * sizeof (gdouble));
  for (y = 0; y < k->h; y++) {
    gsize row = (gsize) y * k->w;

    column_pass (&k->plan->b, bx, by + y, k->w + 5, wy, k->line);
    row_pass (k->line, k->w, wx, k->ref_b, k->moved);
    row_sums (k->moved, k->t + row, k->gx + row, k->gy + row, k->w, acc);
    if (y % ROWS_PER_FLUSH == ROWS_PER_FLUSH - 1 || y == k->h - 1)
      flush_lanes (&acc[0][0], 5, s);
  }
  return TRUE;
}

gboolean
bw_subpixel_refine (const BwStatsPlan * plan, BwScratch * scratch,
    guint col, guint row, gdouble * dx, gdouble * dy)
{
  const BwGeometry *g;
  Block k;
  gdouble px, py, det, n;
  gsize len;
  gint it;

  if (!plan || !scratch || col >= plan->cols || row >= plan->rows
      || !isfinite (*dx) || !isfinite (*dy))
    return FALSE;
  g = &plan->geom;
  k.plan = plan;
  k.x0 = col * g->block_width;
  k.y0 = row * g->block_height;
  k.w = MIN (g->block_width, g->width - k.x0);
  k.h = MIN (g->block_height, g->height - k.y0);
  if ((gsize) k.w * k.h > BW_SUBPIXEL_MAX_PIXELS)
    return FALSE;
  n = (gdouble) k.w * k.h;
  len = 3 * (gsize) k.w * k.h + 4 * (gsize) k.w + 9;
  bw_scratch_reserve ((gpointer *) & scratch->subpixel,
      &scratch->subpixel_len, len, sizeof (gfloat));
  k.t = scratch->subpixel;
  k.gx = k.t + (gsize) k.w * k.h;
  k.gy = k.gx + (gsize) k.w * k.h;
  k.line = k.gy + (gsize) k.w * k.h;
  k.moved = k.line + 3 * (k.w + 3);
  if (!template_init (&k))
    return FALSE;
  det = k.hxx * k.hyy - k.hxy * k.hxy;
  {
    gdouble bx = CLAMP (k.x0 + floor (*dx), 0.0, g->width - 1.0);
    gdouble by = CLAMP (k.y0 + floor (*dy), 0.0, g->height - 1.0);

    k.ref_b = bw_sample_at (bw_plane_row (&plan->b, (guint) by), (guint) bx,
        plan->b.format);
  }

  px = *dx;
  py = *dy;
  for (it = 0; it < MAX_ITERATIONS; it++) {
    gdouble s[5], vb, scale, ux, uy;

    if (!window_sums (&k, px, py, s))
      return FALSE;
    vb = s[1] - s[0] * s[0] / n;
    /* Σ t b: t is centred, so this is the covariance (times n). */
    if (!(vb > 0.0) || !(s[2] > 0.0))
      return FALSE;
    /* The window scaled to the block's spread: the step in pixels whatever
     * the gain between the frames.  The gradients are centred, so Σ g b
     * needs no mean of b. */
    scale = sqrt (k.vt / vb);
    ux = scale * (k.hyy * s[3] - k.hxy * s[4]) / det;
    uy = scale * (k.hxx * s[4] - k.hxy * s[3]) / det;
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
bw_subpixel_refine_shift (const BwStatsPlan * plan, BwScratch * scratch,
    guint col, guint row, gdouble r_around, BwBlockShift * shift)
{
  gdouble dx = shift->dx, dy = shift->dy;

  /* Only a peak that is signal, fitted along both axes, not on the search
   * radius (where the displacement may lie further out), and wider than a
   * pixel: a narrower one is content at the sampling limit, which no
   * interpolation can move (the fit keeps its whole-pixel answer). */
  if (!shift->fitted || shift->at_radius
      || !(r_around >= BW_SUBPIXEL_MIN_WIDTH * shift->r_best)
      || !bw_r_above_zero (shift->r_best, shift->n, BW_SIGNAL_Z))
    return;
  if (bw_subpixel_refine (plan, scratch, col, row, &dx, &dy)) {
    shift->dx = dx;
    shift->dy = dy;
  }
}
