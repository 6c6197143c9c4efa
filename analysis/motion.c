/* gst-blockwise: the frame's motion from its blocks' displacements
 * (motion.h).
 *
 * Each informative block gives one point: its centre in the reference and
 * where that centre's content lies in the frame.  The fit starts from an
 * estimate that a minority of outliers cannot move (the median shift; for
 * the affine model, the transform through three blocks whose median
 * residual over the frame is least, over a fixed series of random
 * triples), then reweights by Tukey's biweight of each block's residual
 * against a robust scale (the median residual, with a floor so that a
 * perfect fit does not reject everything) until the transform settles.
 * Blocks that keep a weight are the inliers.  Where the inliers'
 * residuals still move together from block to block, the model misses
 * part of the motion (or the search could not reach part of the frame):
 * the fit is made again with a tight scale, which keeps only the part of
 * the frame the model describes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include "motion.h"
#include "analysis.h"
#include "significance.h"
#include "summary.h"

/* Informative blocks each model needs, and the fraction of them that must
 * agree with the fit. */
#define MIN_BLOCKS_SHIFT 6
#define MIN_BLOCKS_AFFINE 12
#define MIN_INLIER_FRACTION 0.3
/* px: the residual scale's floor, below the displacements' own precision
 * only where that is excellent. */
#define MIN_SCALE 0.02
/* px: the scale's ceilings, first the wide one, then, when the inliers'
 * residuals share more than MAX_SHARED between neighbours (motion the
 * model misses, such as blocks beyond the search's reach, measured a few
 * tenths to a pixel wrong in a ring around the frame), the tight one, to
 * fit the part of the frame that the model does describe.  Displacements
 * that scatter more than a ceiling do not describe one motion: most
 * blocks then fall outside the biweight's reach and the fit is not
 * found. */
#define WIDE_SCALE 0.25
#define TIGHT_SCALE 0.05
#define MAX_SHARED 0.2
/* Tukey's constant, in scales: 95 % efficiency for normal residuals. */
#define TUKEY_C 4.685
/* The median length of a 2-D normal vector whose coordinates have unit
 * standard deviation: sqrt (2 ln 2). */
#define RAYLEIGH_MEDIAN 1.17741
#define MAX_ITERATIONS 50
/* px: the change of the transform over the frame that counts as settled. */
#define SETTLED 1e-5
/* The affine start: random triples tried, and at most this many blocks
 * (spread over the grid) on which each is scored. */
#define AFFINE_TRIALS 500
#define SCORED_BLOCKS 256
/* What an affine fit needs of its inliers' centres: a standard deviation
 * across their thinnest direction of this much of the frame's smaller side
 * (less is a line of blocks), and an ellipse of inertia of this much of
 * the frame's (less is a small patch, which says little of the rest). */
#define MIN_SPREAD 0.05
#define MIN_COVER 0.05

void
bw_transform_identity (BwTransform * t)
{
  static const BwTransform identity = { {0, 1, 0, 0, 0, 1} };

  *t = identity;
}

gboolean
bw_transform_is_identity (const BwTransform * t)
{
  return t->m[0] == 0 && t->m[1] == 1 && t->m[2] == 0 && t->m[3] == 0
      && t->m[4] == 0 && t->m[5] == 1;
}

void
bw_transform_compose (const BwTransform * second, const BwTransform * first,
    BwTransform * out)
{
  const gdouble *b = second->m, *a = first->m;
  BwTransform t;

  t.m[0] = b[0] + b[1] * a[0] + b[2] * a[3];
  t.m[1] = b[1] * a[1] + b[2] * a[4];
  t.m[2] = b[1] * a[2] + b[2] * a[5];
  t.m[3] = b[3] + b[4] * a[0] + b[5] * a[3];
  t.m[4] = b[4] * a[1] + b[5] * a[4];
  t.m[5] = b[4] * a[2] + b[5] * a[5];
  *out = t;
}

gboolean
bw_transform_invert (const BwTransform * t, BwTransform * out)
{
  const gdouble *m = t->m;
  gdouble det = m[1] * m[5] - m[2] * m[4];
  BwTransform inv;
  guint i;

  if (!isfinite (det) || det == 0)
    return FALSE;
  inv.m[1] = m[5] / det;
  inv.m[2] = -m[2] / det;
  inv.m[4] = -m[4] / det;
  inv.m[5] = m[1] / det;
  inv.m[0] = -(inv.m[1] * m[0] + inv.m[2] * m[3]);
  inv.m[3] = -(inv.m[4] * m[0] + inv.m[5] * m[3]);
  for (i = 0; i < 6; i++)
    if (!isfinite (inv.m[i]))
      return FALSE;
  *out = inv;
  return TRUE;
}

void
bw_transform_apply (const BwTransform * t, gdouble x, gdouble y,
    gdouble * out_x, gdouble * out_y)
{
  const gdouble *m = t->m;
  gdouble nx = m[0] + m[1] * x + m[2] * y, ny = m[3] + m[4] * x + m[5] * y;

  *out_x = nx;
  *out_y = ny;
}

gboolean
bw_trajectory_step (gboolean against_previous, const BwMotionFit * fit,
    BwTransform * trajectory)
{
  if (against_previous) {
    if (fit->found)
      bw_transform_compose (&fit->motion, trajectory, trajectory);
  } else if (fit->found) {
    *trajectory = fit->motion;
  } else {
    bw_transform_identity (trajectory);
  }
  return fit->found;
}

void
bw_transform_correction (const BwTransform * t, BwTransform * out)
{
  const gdouble *m = t->m;
  guint i;

  *out = *t;
  if (m[1] != 1 || m[2] != 0 || m[4] != 0 || m[5] != 1)
    return;
  for (i = 0; i <= 3; i += 3)
    if (fabs (m[i] - round (m[i])) < BW_WHOLE_PIXEL_SNAP)
      out->m[i] = round (m[i]);
}

/* One informative block: its centre, its displacement and its weight by
 * size (an edge block of fewer pixels measures less precisely). */
typedef struct
{
  gdouble x, y, dx, dy, size;
  guint col, row;
} Point;

/* The fit's working memory, one array of each per call. */
typedef struct
{
  Point *points;
  gdouble *residual, *weight, *scratch;
  gsize n;
  gint32 *point_of;             /* per block: its point, or -1 */
} Work;

/* Weighted least squares of model to points (weight NULL: all 1) into t;
 * FALSE when the weights leave the model undetermined. */
static gboolean
fit_weighted (BwMotionModel model, const Point * p, const gdouble * weight,
    gsize n, BwTransform * t)
{
  gdouble sw = 0, mx = 0, my = 0, mdx = 0, mdy = 0;
  gdouble suu = 0, suv = 0, svv = 0, sux = 0, svx = 0, suy = 0, svy = 0;
  gdouble det, cx1, cx2, cy1, cy2;
  gsize i;

  for (i = 0; i < n; i++) {
    gdouble w = weight ? weight[i] : 1;

    sw += w;
    mx += w * p[i].x;
    my += w * p[i].y;
    mdx += w * p[i].dx;
    mdy += w * p[i].dy;
  }
  if (!(sw > 0))
    return FALSE;
  mx /= sw;
  my /= sw;
  mdx /= sw;
  mdy /= sw;
  bw_transform_identity (t);
  if (model == BW_MOTION_SHIFT) {
    t->m[0] = mdx;
    t->m[3] = mdy;
    return TRUE;
  }
  /* The displacement as a linear function of the position about the
   * weighted centre, where the constant term decouples. */
  for (i = 0; i < n; i++) {
    gdouble w = weight ? weight[i] : 1;
    gdouble u = p[i].x - mx, v = p[i].y - my;
    gdouble ex = p[i].dx - mdx, ey = p[i].dy - mdy;

    suu += w * u * u;
    suv += w * u * v;
    svv += w * v * v;
    sux += w * u * ex;
    svx += w * v * ex;
    suy += w * u * ey;
    svy += w * v * ey;
  }
  det = suu * svv - suv * suv;
  if (!(det > 1e-9 * suu * svv) || !isfinite (det))
    return FALSE;
  cx1 = (svv * sux - suv * svx) / det;
  cx2 = (suu * svx - suv * sux) / det;
  cy1 = (svv * suy - suv * svy) / det;
  cy2 = (suu * svy - suv * suy) / det;
  t->m[0] = mdx - cx1 * mx - cx2 * my;
  t->m[1] = 1 + cx1;
  t->m[2] = cx2;
  t->m[3] = mdy - cy1 * mx - cy2 * my;
  t->m[4] = cy1;
  t->m[5] = 1 + cy2;
  return TRUE;
}

/* Length of point p's displacement's difference from t's. */
static gdouble
residual (const BwTransform * t, const Point * p)
{
  gdouble x, y, ex, ey;

  bw_transform_apply (t, p->x, p->y, &x, &y);
  ex = p->x + p->dx - x;
  ey = p->y + p->dy - y;
  /* Not hypot (): no overflow to guard against, and it is slow. */
  return sqrt (ex * ex + ey * ey);
}

/* xorshift32: a fixed series, so a frame's fit does not depend on
 * anything but its grids. */
static guint32
next_random (guint32 * state)
{
  guint32 x = *state;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

/* The affine transform through three blocks whose median residual over
 * (at most SCORED_BLOCKS of) the blocks is least; FALSE when no triple
 * spans a triangle of min_area px². */
static gboolean
affine_start (Work * w, gdouble min_area, BwTransform * best)
{
  const gsize n = w->n, scored = MIN (n, SCORED_BLOCKS);
  gdouble best_score = INFINITY;
  guint32 state = 2463534242u;
  guint trial;

  for (trial = 0; trial < AFFINE_TRIALS; trial++) {
    Point tri[3];
    BwTransform t;
    gdouble area, score;
    gsize k;

    for (k = 0; k < 3; k++)
      tri[k] = w->points[next_random (&state) % n];
    area = 0.5 * fabs ((tri[1].x - tri[0].x) * (tri[2].y - tri[0].y)
        - (tri[2].x - tri[0].x) * (tri[1].y - tri[0].y));
    if (!(area >= min_area) || !fit_weighted (BW_MOTION_AFFINE, tri, NULL, 3,
            &t))
      continue;
    for (k = 0; k < scored; k++)
      w->scratch[k] = residual (&t, &w->points[k * n / scored]);
    score = bw_median (w->scratch, scored);
    if (score < best_score) {
      best_score = score;
      *best = t;
    }
  }
  return best_score < INFINITY;
}

/* The largest change between transforms a and b over the frame's corners,
 * px. */
static gdouble
change (const BwTransform * a, const BwTransform * b, guint width, guint height)
{
  gdouble most = 0;
  guint k;

  for (k = 0; k < 4; k++) {
    gdouble x = k & 1 ? width - 1.0 : 0, y = k & 2 ? height - 1.0 : 0;
    gdouble ax, ay, bx, by;

    bw_transform_apply (a, x, y, &ax, &ay);
    bw_transform_apply (b, x, y, &bx, &by);
    most = MAX (most, hypot (ax - bx, ay - by));
  }
  return most;
}

/* The residuals' scale per coordinate, from their median length in
 * w->scratch (reordered), within MIN_SCALE .. ceiling. */
static gdouble
robust_scale (Work * w, gdouble ceiling)
{
  return CLAMP (bw_median (w->scratch, w->n) / RAYLEIGH_MEDIAN, MIN_SCALE,
      ceiling);
}

/* Iteratively reweighted least squares with Tukey's biweight from t;
 * FALSE when the weights leave the model undetermined. */
static gboolean
reweight (BwMotionModel model, Work * w, guint width, guint height,
    gdouble ceiling, BwTransform * t)
{
  guint iter;
  gsize i;
  gdouble c;

  for (iter = 0; iter < MAX_ITERATIONS; iter++) {
    BwTransform next;

    for (i = 0; i < w->n; i++)
      w->scratch[i] = w->residual[i] = residual (t, &w->points[i]);
    c = TUKEY_C * robust_scale (w, ceiling);
    for (i = 0; i < w->n; i++) {
      gdouble u = w->residual[i] / c;

      w->weight[i] = u < 1 ? w->points[i].size * (1 - u * u) * (1 - u * u)
          : 0;
    }
    if (!fit_weighted (model, w->points, w->weight, w->n, &next))
      return FALSE;
    if (change (t, &next, width, height) < SETTLED) {
      *t = next;
      break;
    }
    *t = next;
  }
  /* The final residuals and weights, of the final transform. */
  for (i = 0; i < w->n; i++)
    w->scratch[i] = w->residual[i] = residual (t, &w->points[i]);
  c = TUKEY_C * robust_scale (w, ceiling);
  for (i = 0; i < w->n; i++)
    w->weight[i] = w->residual[i] < c;
  return TRUE;
}

/* Whether the inliers' centres spread over enough of the frame (as
 * MIN_SPREAD and MIN_COVER ask). */
static gboolean
spread_enough (const Work * w, guint width, guint height)
{
  gdouble n = 0, mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0, half, d;
  gsize i;

  for (i = 0; i < w->n; i++)
    if (w->weight[i] > 0) {
      n++;
      mx += w->points[i].x;
      my += w->points[i].y;
    }
  if (n == 0)
    return FALSE;
  mx /= n;
  my /= n;
  for (i = 0; i < w->n; i++)
    if (w->weight[i] > 0) {
      gdouble u = w->points[i].x - mx, v = w->points[i].y - my;

      sxx += u * u;
      syy += v * v;
      sxy += u * v;
    }
  sxx /= n;
  syy /= n;
  sxy /= n;
  /* The variances along the principal axes, and the frame's own (those
   * of a uniform spread over it). */
  half = 0.5 * (sxx + syy);
  d = hypot (0.5 * (sxx - syy), sxy);
  return half - d >= MIN_SPREAD * MIN_SPREAD * MIN (width, height)
      * MIN (width, height)
      && sqrt ((half - d) * (half + d)) >= MIN_COVER * width * height / 12.0;
}

/* The informative blocks' points into w->points; returns how many. */
static gsize
gather (const BwParams * params, guint width, guint height, guint cols,
    guint rows, const gfloat * grids, const guint8 * background, Point * out)
{
  const gsize n_blocks = (gsize) cols * rows;
  const gfloat *gdx = grids + BW_GRID_DX * n_blocks;
  const gfloat *gdy = grids + BW_GRID_DY * n_blocks;
  const gfloat *r_best = grids + BW_GRID_R_BEST * n_blocks;
  const gdouble full = (gdouble) params->block_width * params->block_height;
  gsize n = 0;
  guint col, row;

  for (row = 0; row < rows; row++) {
    guint y0 = row * params->block_height;
    guint bh = MIN (params->block_height, height - y0);

    for (col = 0; col < cols; col++) {
      gsize i = (gsize) row * cols + col;
      guint x0 = col * params->block_width;
      guint bw = MIN (params->block_width, width - x0);

      if ((background && background[i]) || !isfinite (gdx[i])
          || !isfinite (gdy[i])
          || !bw_r_above_zero (r_best[i], bw * bh, BW_SIGNAL_Z))
        continue;
      out[n].x = x0 + 0.5 * (bw - 1.0);
      out[n].y = y0 + 0.5 * (bh - 1.0);
      out[n].dx = gdx[i];
      out[n].dy = gdy[i];
      out[n].size = bw * bh / full;
      out[n].col = col;
      out[n].row = row;
      n++;
    }
  }
  return n;
}

/* Point p's residual vector against t. */
static void
residual_vector (const BwTransform * t, const Point * p, gdouble * ex,
    gdouble * ey)
{
  gdouble x, y;

  bw_transform_apply (t, p->x, p->y, &x, &y);
  *ex = p->x + p->dx - x;
  *ey = p->y + p->dy - y;
}

/* The part of the inliers' residuals that neighbouring blocks share, px
 * RMS: the mean product of the residual vectors of inliers side by side
 * (noise, independent from block to block, averages out of it; motion
 * that model does not describe stays). */
static gdouble
shared_residual (const Work * w, const BwTransform * t, guint cols, guint rows)
{
  gdouble sum = 0;
  gsize i, pairs = 0;
  guint k;

  for (i = 0; i < w->n; i++) {
    const Point *p = &w->points[i];
    gdouble ex, ey;

    if (!(w->weight[i] > 0))
      continue;
    residual_vector (t, p, &ex, &ey);
    for (k = 0; k < 2; k++) {
      guint col = p->col + (k == 0), row = p->row + (k == 1);
      gint32 j;
      gdouble fx, fy;

      if (col >= cols || row >= rows)
        continue;
      j = w->point_of[(gsize) row * cols + col];
      if (j < 0 || !(w->weight[j] > 0))
        continue;
      residual_vector (t, &w->points[j], &fx, &fy);
      sum += ex * fx + ey * fy;
      pairs++;
    }
  }
  return pairs > 0 ? sqrt (MAX (sum / pairs, 0)) : 0;
}

/* One fit of model to w's points with the scale's ceiling into t, its
 * inliers and residual into out; TRUE when it is found and describes the
 * frame's motion (its residuals shared no more than MAX_SHARED). */
static gboolean
fit (BwMotionModel model, Work * w, guint width, guint height, guint cols,
    guint rows, gdouble ceiling, BwTransform * t, BwMotionFit * out)
{
  const guint min_blocks = model == BW_MOTION_SHIFT ? MIN_BLOCKS_SHIFT :
      MIN_BLOCKS_AFFINE;
  gdouble sum2 = 0;
  gsize i;

  out->inliers = 0;
  out->rms_residual = NAN;
  if (w->n < min_blocks)
    return FALSE;
  if (model == BW_MOTION_SHIFT) {
    bw_transform_identity (t);
    for (i = 0; i < w->n; i++)
      w->scratch[i] = w->points[i].dx;
    t->m[0] = bw_median (w->scratch, w->n);
    for (i = 0; i < w->n; i++)
      w->scratch[i] = w->points[i].dy;
    t->m[3] = bw_median (w->scratch, w->n);
  } else {
    gdouble side = MIN_SPREAD * MIN (width, height);

    if (!affine_start (w, side * side, t))
      return FALSE;
  }
  if (!reweight (model, w, width, height, ceiling, t))
    return FALSE;

  for (i = 0; i < w->n; i++)
    if (w->weight[i] > 0) {
      out->inliers++;
      sum2 += w->residual[i] * w->residual[i];
    }
  if (out->inliers > 0)
    out->rms_residual = sqrt (sum2 / out->inliers);
  return out->inliers >= min_blocks
      && out->inliers >= MIN_INLIER_FRACTION * w->n
      && (model == BW_MOTION_SHIFT || spread_enough (w, width, height))
      && shared_residual (w, t, cols, rows) <= MAX_SHARED;
}

gboolean
bw_motion_fit (BwMotionModel model, const BwParams * params, guint width,
    guint height, const gfloat * grids, const guint8 * background,
    BwMotionFit * out)
{
  BwGeometry geom;
  BwTransform t;
  Work w;
  guint cols, rows;
  gsize i, n_blocks;

  if (!out || !params || !grids || (model != BW_MOTION_SHIFT
          && model != BW_MOTION_AFFINE) || !bw_params_check (params, NULL))
    return FALSE;
  geom = bw_params_geometry (params, width, height);
  if (!bw_geometry_grid_size (&geom, &cols, &rows))
    return FALSE;

  memset (out, 0, sizeof (*out));
  out->model = model;
  bw_transform_identity (&out->motion);
  out->rms_residual = NAN;
  /* Without a search nothing was displaced. */
  if (params->search_radius == 0)
    return TRUE;

  n_blocks = (gsize) cols *rows;
  w.points = g_new (Point, n_blocks);
  w.residual = g_new (gdouble, 3 * n_blocks);
  w.weight = w.residual + n_blocks;
  w.scratch = w.weight + n_blocks;
  w.n = gather (params, width, height, cols, rows, grids, background, w.points);
  w.point_of = g_new (gint32, n_blocks);
  for (i = 0; i < n_blocks; i++)
    w.point_of[i] = -1;
  for (i = 0; i < w.n; i++)
    w.point_of[(gsize) w.points[i].row * cols + w.points[i].col] = i;
  out->informative = w.n;
  if (!fit (model, &w, width, height, cols, rows, WIDE_SCALE, &t, out)
      && !fit (model, &w, width, height, cols, rows, TIGHT_SCALE, &t, out))
    goto done;
  out->found = TRUE;
  out->motion = t;

done:
  g_free (w.points);
  g_free (w.point_of);
  g_free (w.residual);
  return TRUE;
}
