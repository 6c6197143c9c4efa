/* gst-blockwise: the transforms' algebra and the robust motion fit
 * (analysis/motion.h).
 *
 *  1. The algebra against transforms composed and inverted by hand.
 *  2. Fits to synthetic displacement grids: each block's displacement is a
 *     known transform's at the block's centre (worked out here from the
 *     block geometry, edge blocks included) plus normal noise, with
 *     coherent outliers (a rectangle of blocks moving by several pixels),
 *     scattered wild blocks, background and NaN blocks.  The fit is
 *     compared with plain least squares on the known inliers (double
 *     precision, normal equations solved here) and with the truth; too few,
 *     collinear, clustered and disagreeing blocks are not found.
 *  3. End to end through bw_check_registration(): 16-bit 512 x 512 frames
 *     of a smooth texture (smooth-texture.h) with noise, the moved frame
 *     sampled analytically at the transformed coordinates (every Gaussian
 *     spot carried by the transform, so nothing is resampled): sub-pixel
 *     and larger shifts, a rotation and scaling about an off-centre point,
 *     and a patch of a tenth of the frame moving on its own.  The fitted
 *     motion must match the truth: shifts within 0.05 px, affine
 *     displacements within 0.1 px RMS over the block centres.
 *
 * Set BW_MOTION_VERBOSE=1 to print the errors.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "motion.h"
#include "registration.h"
#include "smooth-texture.h"

static gboolean verbose;

#define SIDE 512

/* ---- 1. The algebra ---- */

static void
assert_transform (const BwTransform * t, const gdouble * expected,
    gdouble tolerance)
{
  guint i;

  for (i = 0; i < 6; i++)
    g_assert_cmpfloat (fabs (t->m[i] - expected[i]), <=, tolerance);
}

static void
test_algebra (void)
{
  /* A shift by (2, -3), a quarter turn about the origin ((x, y) goes to
   * (-y, x)) and a scaling by 2 with a shift by (4, 6). */
  const BwTransform shift = { {2, 1, 0, -3, 0, 1} };
  const BwTransform turn = { {0, 0, -1, 0, 1, 0} };
  const BwTransform grow = { {4, 2, 0, 6, 0, 2} };
  /* Turn after shift: (x, y) -> (x + 2, y - 3) -> (3 - y, x + 2). */
  const gdouble turn_after_shift[6] = { 3, 0, -1, 2, 1, 0 };
  /* Shift after turn: (x, y) -> (-y, x) -> (2 - y, x - 3). */
  const gdouble shift_after_turn[6] = { 2, 0, -1, -3, 1, 0 };
  /* (x, y) = (2 u + 4, 2 v + 6) solved for (u, v). */
  const gdouble grow_inverse[6] = { -2, 0.5, 0, -3, 0, 0.5 };
  const BwTransform singular = { {1, 1, 2, 1, 2, 4} };
  BwTransform t, u, v;
  gdouble x, y;
  guint i;

  bw_transform_identity (&t);
  g_assert_true (bw_transform_is_identity (&t));
  bw_transform_apply (&t, 3.25, -7.5, &x, &y);
  g_assert_cmpfloat (x, ==, 3.25);
  g_assert_cmpfloat (y, ==, -7.5);
  for (i = 0; i < 6; i++) {
    bw_transform_identity (&u);
    u.m[i] += 1e-9;
    g_assert_false (bw_transform_is_identity (&u));
  }

  bw_transform_apply (&shift, 1, 1, &x, &y);
  g_assert_cmpfloat (x, ==, 3);
  g_assert_cmpfloat (y, ==, -2);
  bw_transform_apply (&turn, 1, 2, &x, &y);
  g_assert_cmpfloat (x, ==, -2);
  g_assert_cmpfloat (y, ==, 1);

  bw_transform_compose (&turn, &shift, &t);
  assert_transform (&t, turn_after_shift, 0);
  bw_transform_compose (&shift, &turn, &t);
  assert_transform (&t, shift_after_turn, 0);
  /* The result may be either argument. */
  u = turn;
  bw_transform_compose (&u, &shift, &u);
  assert_transform (&u, turn_after_shift, 0);
  u = turn;
  bw_transform_compose (&shift, &u, &u);
  assert_transform (&u, shift_after_turn, 0);
  /* With the identity on either side. */
  bw_transform_identity (&v);
  bw_transform_compose (&v, &grow, &t);
  assert_transform (&t, grow.m, 0);
  bw_transform_compose (&grow, &v, &t);
  assert_transform (&t, grow.m, 0);

  g_assert_true (bw_transform_invert (&grow, &t));
  assert_transform (&t, grow_inverse, 1e-15);
  bw_transform_compose (&t, &grow, &u);
  g_assert_true (bw_transform_is_identity (&u));
  g_assert_true (bw_transform_invert (&turn, &t));
  bw_transform_compose (&turn, &t, &u);
  assert_transform (&u, v.m, 1e-15);
  /* In place. */
  u = grow;
  g_assert_true (bw_transform_invert (&u, &u));
  assert_transform (&u, grow_inverse, 1e-15);
  /* A singular transform leaves out untouched. */
  u = shift;
  g_assert_false (bw_transform_invert (&singular, &u));
  assert_transform (&u, shift.m, 0);

  /* A stream's trajectory: against the first frame the motion itself (the
   * identity when none was found); against the previous the motion after
   * the trajectory so far (left where it was when none was found). */
  {
    BwMotionFit fit = { 0 };
    BwTransform traj;

    fit.found = TRUE;
    fit.motion = grow;
    traj = shift;
    g_assert_true (bw_trajectory_step (FALSE, &fit, &traj));
    assert_transform (&traj, grow.m, 0);
    traj = shift;
    g_assert_true (bw_trajectory_step (TRUE, &fit, &traj));
    bw_transform_compose (&grow, &shift, &u);
    assert_transform (&traj, u.m, 0);
    fit.found = FALSE;
    traj = shift;
    g_assert_false (bw_trajectory_step (TRUE, &fit, &traj));
    assert_transform (&traj, shift.m, 0);
    g_assert_false (bw_trajectory_step (FALSE, &fit, &traj));
    g_assert_true (bw_transform_is_identity (&traj));
  }

  /* The correction takes a shift within a hundredth of whole pixels as
   * whole, per axis, and leaves any other transform as it is. */
  {
    const BwTransform near = { {3.004, 1, 0, -1.996, 0, 1} };
    const BwTransform half = { {3.02, 1, 0, 1.0, 0, 1} };
    const gdouble near_whole[6] = { 3, 1, 0, -2, 0, 1 };
    const gdouble half_whole[6] = { 3.02, 1, 0, 1, 0, 1 };

    bw_transform_correction (&near, &u);
    assert_transform (&u, near_whole, 0);
    bw_transform_correction (&half, &u);
    assert_transform (&u, half_whole, 0);
    bw_transform_correction (&turn, &u);
    assert_transform (&u, turn.m, 0);
  }
}

/* ---- 2. Fits to synthetic grids ---- */

/* A frame's grids as the analysis fills them, for a geometry. */
typedef struct
{
  BwParams params;
  guint width, height, cols, rows;
  gsize n;
  gfloat *grids;
  guint8 *background;
  /* Per block: its true centre and whether it follows the truth. */
  gdouble *cx, *cy;
  gboolean *inlier;
} Grids;

static void
grids_init (Grids * g, guint width, guint height, guint block, BwEdgeMode edge)
{
  guint col, row;

  bw_params_init (&g->params);
  g->params.block_width = g->params.block_height = block;
  g->params.edge_mode = edge;
  g->width = width;
  g->height = height;
  if (edge == BW_EDGE_PARTIAL) {
    g->cols = (width + block - 1) / block;
    g->rows = (height + block - 1) / block;
  } else {
    g->cols = width / block;
    g->rows = height / block;
  }
  g->n = (gsize) g->cols * g->rows;
  g->grids = g_new (gfloat, BW_N_GRIDS * g->n);
  g->background = g_new0 (guint8, g->n);
  g->cx = g_new (gdouble, g->n);
  g->cy = g_new (gdouble, g->n);
  g->inlier = g_new (gboolean, g->n);
  for (row = 0; row < g->rows; row++)
    for (col = 0; col < g->cols; col++) {
      gsize i = (gsize) row * g->cols + col;
      /* The block's pixels run from col * block to the frame's edge at
       * most; its centre is the middle of its first and last pixel. */
      guint x1 = MIN ((col + 1) * block, width) - 1;
      guint y1 = MIN ((row + 1) * block, height) - 1;

      g->cx[i] = 0.5 * (col * block + x1);
      g->cy[i] = 0.5 * (row * block + y1);
    }
}

static void
grids_clear (Grids * g)
{
  g_free (g->grids);
  g_free (g->background);
  g_free (g->cx);
  g_free (g->cy);
  g_free (g->inlier);
}

static gfloat *
grid (Grids * g, BwGrid which)
{
  return g->grids + which * g->n;
}

/* Every block follows truth, plus normal noise of sd noise per
 * coordinate; r-best 0.9 (significant). */
static void
grids_fill (Grids * g, const BwTransform * truth, gdouble noise, GRand * rng)
{
  gsize i;

  for (i = 0; i < BW_N_GRIDS * g->n; i++)
    g->grids[i] = NAN;
  memset (g->background, 0, g->n);
  for (i = 0; i < g->n; i++) {
    gdouble x, y;

    bw_transform_apply (truth, g->cx[i], g->cy[i], &x, &y);
    grid (g, BW_GRID_DX)[i] = x - g->cx[i] + noise * smooth_texture_gauss (rng);
    grid (g, BW_GRID_DY)[i] = y - g->cy[i] + noise * smooth_texture_gauss (rng);
    grid (g, BW_GRID_R_BEST)[i] = 0.9;
    grid (g, BW_GRID_R)[i] = 0.8;
    g->inlier[i] = TRUE;
  }
}

/* The blocks of columns [c0, c1) and rows [r0, r1) move by (mx, my) more:
 * a region with a motion of its own. */
static void
grids_move (Grids * g, guint c0, guint c1, guint r0, guint r1, gdouble mx,
    gdouble my)
{
  guint col, row;

  for (row = r0; row < r1; row++)
    for (col = c0; col < c1; col++) {
      gsize i = (gsize) row * g->cols + col;

      grid (g, BW_GRID_DX)[i] += mx;
      grid (g, BW_GRID_DY)[i] += my;
      g->inlier[i] = FALSE;
    }
}

/* The reference: least squares of model to the inliers' displacements
 * (a constant, or linear in x and y), the normal equations solved by
 * Gaussian elimination. */
static void
reference_fit (Grids * g, BwMotionModel model, BwTransform * out)
{
  const guint k = model == BW_MOTION_SHIFT ? 1 : 3;
  gdouble a[3][5];
  guint r, c, j;
  gsize i;

  memset (a, 0, sizeof (a));
  for (i = 0; i < g->n; i++) {
    gdouble row[3] = { 1, g->cx[i], g->cy[i] };
    gdouble tx = grid (g, BW_GRID_DX)[i], ty = grid (g, BW_GRID_DY)[i];

    if (!g->inlier[i])
      continue;
    for (r = 0; r < k; r++) {
      for (c = 0; c < k; c++)
        a[r][c] += row[r] * row[c];
      a[r][3] += row[r] * tx;
      a[r][4] += row[r] * ty;
    }
  }
  for (c = 0; c < k; c++)
    for (r = c + 1; r < k; r++) {
      gdouble f = a[r][c] / a[c][c];

      for (j = c; j < 5; j++)
        a[r][j] -= f * a[c][j];
    }
  for (c = k; c-- > 0;) {
    for (j = c + 1; j < k; j++) {
      a[c][3] -= a[c][j] * a[j][3];
      a[c][4] -= a[c][j] * a[j][4];
    }
    a[c][3] /= a[c][c];
    a[c][4] /= a[c][c];
  }
  bw_transform_identity (out);
  out->m[0] = a[0][3];
  out->m[3] = a[0][4];
  if (k == 3) {
    out->m[1] += a[1][3];
    out->m[2] = a[2][3];
    out->m[4] = a[1][4];
    out->m[5] += a[2][4];
  }
}

/* The largest and the RMS distance between a's and b's images of the
 * block centres, px. */
static gdouble
distance (const Grids * g, const BwTransform * a, const BwTransform * b,
    gdouble * rms)
{
  gdouble most = 0, sum = 0;
  gsize i;

  for (i = 0; i < g->n; i++) {
    gdouble ax, ay, bx, by, d;

    bw_transform_apply (a, g->cx[i], g->cy[i], &ax, &ay);
    bw_transform_apply (b, g->cx[i], g->cy[i], &bx, &by);
    d = hypot (ax - bx, ay - by);
    most = MAX (most, d);
    sum += d * d;
  }
  if (rms)
    *rms = sqrt (sum / g->n);
  return most;
}

static guint
count_inliers (const Grids * g)
{
  guint n = 0;
  gsize i;

  for (i = 0; i < g->n; i++)
    n += g->inlier[i];
  return n;
}

/* A rotation by degrees and a scaling by scale about (px, py), then a
 * shift by (tx, ty). */
static void
make_transform (gdouble degrees, gdouble scale, gdouble px, gdouble py,
    gdouble tx, gdouble ty, BwTransform * t)
{
  gdouble c = scale * cos (degrees * G_PI / 180);
  gdouble s = scale * sin (degrees * G_PI / 180);

  t->m[1] = c;
  t->m[2] = -s;
  t->m[4] = s;
  t->m[5] = c;
  t->m[0] = px - c * px + s * py + tx;
  t->m[3] = py - s * px - c * py + ty;
}

static gdouble
fit_and_compare (Grids * g, BwMotionModel model, const BwTransform * truth,
    const gchar * what, BwMotionFit * fit)
{
  BwTransform ref;
  gdouble to_ref, to_truth;

  g_assert_true (bw_motion_fit (model, &g->params, g->width, g->height,
          g->grids, g->background, fit));
  g_assert_true (fit->found);
  g_assert_cmpint (fit->model, ==, model);
  reference_fit (g, model, &ref);
  to_ref = distance (g, &fit->motion, &ref, NULL);
  to_truth = distance (g, &fit->motion, truth, NULL);
  if (verbose)
    g_print ("%-32s %s: %u informative, %u inliers (%u true), rms %.4f px; "
        "largest distance to least squares on the inliers %.4f px, to the "
        "truth %.4f px\n", what, model == BW_MOTION_SHIFT ? "shift" :
        "affine", fit->informative, fit->inliers, count_inliers (g),
        fit->rms_residual, to_ref, to_truth);
  return to_ref;
}

/* No noise: the fit is the truth, to the float32 grids' precision, which
 * only holds with each block at its true centre (the partial edge blocks'
 * included). */
static void
test_fit_exact (void)
{
  static const BwEdgeMode edges[] = { BW_EDGE_PARTIAL, BW_EDGE_TRIM };
  GRand *rng = g_rand_new_with_seed (1);
  BwTransform truth;
  BwMotionFit fit;
  Grids g;
  guint e;

  for (e = 0; e < G_N_ELEMENTS (edges); e++) {
    grids_init (&g, 500, 390, 16, edges[e]);
    make_transform (1.0, 1.005, 120, 300, 0.3, -0.4, &truth);
    grids_fill (&g, &truth, 0, rng);
    fit_and_compare (&g, BW_MOTION_AFFINE, &truth, "exact", &fit);
    g_assert_cmpfloat (distance (&g, &fit.motion, &truth, NULL), <, 1e-4);
    g_assert_cmpuint (fit.informative, ==, g.n);
    g_assert_cmpuint (fit.inliers, ==, g.n);
    g_assert_cmpfloat (fit.rms_residual, <, 1e-5);

    make_transform (0, 1, 0, 0, -1.37, 2.61, &truth);
    grids_fill (&g, &truth, 0, rng);
    fit_and_compare (&g, BW_MOTION_SHIFT, &truth, "exact", &fit);
    g_assert_cmpfloat (distance (&g, &fit.motion, &truth, NULL), <, 1e-5);
    grids_clear (&g);
  }
  g_rand_free (rng);
}

/* Noise, then coherent outliers of 10 to 30 % of the blocks and scattered
 * wild ones: the fit stays with least squares on the inliers. */
static void
test_fit_outliers (void)
{
  static const gdouble fractions[] = { 0, 0.1, 0.2, 0.3 };
  static const BwMotionModel models[] = { BW_MOTION_SHIFT, BW_MOTION_AFFINE };
  GRand *rng = g_rand_new_with_seed (2);
  BwTransform truth;
  BwMotionFit fit;
  Grids g;
  guint f, m;

  grids_init (&g, 512, 512, 16, BW_EDGE_TRIM);
  for (m = 0; m < G_N_ELEMENTS (models); m++)
    for (f = 0; f < G_N_ELEMENTS (fractions); f++) {
      /* A square of the fraction of the blocks, off the centre. */
      guint side = (guint) round (sqrt (fractions[f] * g.n));
      gchar *what = g_strdup_printf ("noise 0.05, %.0f %% outliers",
          100 * fractions[f]);

      if (models[m] == BW_MOTION_SHIFT)
        make_transform (0, 1, 0, 0, 0.37, -1.21, &truth);
      else
        make_transform (-0.8, 0.996, 400, 90, 0.37, -1.21, &truth);
      grids_fill (&g, &truth, 0.05, rng);
      grids_move (&g, 3, 3 + side, 2, 2 + side, 4.0, -2.5);
      g_assert_cmpfloat (fit_and_compare (&g, models[m], &truth, what, &fit),
          <, 0.02);
      g_assert_cmpfloat (distance (&g, &fit.motion, &truth, NULL), <, 0.05);
      g_assert_cmpuint (fit.informative, ==, g.n);
      g_assert_cmpuint (fit.inliers, <=, count_inliers (&g));
      g_assert_cmpuint (fit.inliers, >=, 0.95 * count_inliers (&g));
      g_free (what);
    }

  /* 5 % wild blocks scattered anywhere within 10 px, with the coherent
   * 20 %. */
  for (m = 0; m < G_N_ELEMENTS (models); m++) {
    gsize i;

    if (models[m] == BW_MOTION_SHIFT)
      make_transform (0, 1, 0, 0, -2.2, 0.6, &truth);
    else
      make_transform (0.5, 1.003, 100, 400, -2.2, 0.6, &truth);
    grids_fill (&g, &truth, 0.03, rng);
    grids_move (&g, 20, 20 + 14, 10, 10 + 15, -3.0, -3.0);
    for (i = 7; i < g.n; i += 20) {
      grid (&g, BW_GRID_DX)[i] = g_rand_double_range (rng, -10, 10);
      grid (&g, BW_GRID_DY)[i] = g_rand_double_range (rng, -10, 10);
      g.inlier[i] = FALSE;
    }
    g_assert_cmpfloat (fit_and_compare (&g, models[m], &truth,
            "noise 0.03, 20 % + 5 % wild", &fit), <, 0.02);
  }
  grids_clear (&g);
  g_rand_free (rng);
}

/* Background blocks, NaN displacements and r-best that is not significant
 * (or NaN) count for nothing, however wild their displacement. */
static void
test_fit_ignored (void)
{
  static const BwMotionModel models[] = { BW_MOTION_SHIFT, BW_MOTION_AFFINE };
  GRand *rng = g_rand_new_with_seed (3);
  BwTransform truth;
  BwMotionFit clean, fit;
  Grids g;
  guint m;
  gsize i, ignored = 0;

  grids_init (&g, 320, 256, 16, BW_EDGE_TRIM);
  for (m = 0; m < G_N_ELEMENTS (models); m++) {
    gfloat *save = g_new (gfloat, BW_N_GRIDS * g.n);

    if (models[m] == BW_MOTION_SHIFT)
      make_transform (0, 1, 0, 0, 1.1, 0.4, &truth);
    else
      make_transform (0.3, 1.002, 50, 60, 1.1, 0.4, &truth);

    grids_fill (&g, &truth, 0.04, rng);
    memcpy (save, g.grids, sizeof (gfloat) * BW_N_GRIDS * g.n);
    /* The blocks to ignore get NaN displacements: the clean fit. */
    for (i = 0; i < g.n; i++)
      if (i % 3 == 0) {
        grid (&g, BW_GRID_DX)[i] = NAN;
        grid (&g, BW_GRID_DY)[i] = NAN;
      }
    g_assert_true (bw_motion_fit (models[m], &g.params, g.width, g.height,
            g.grids, NULL, &clean));
    g_assert_true (clean.found);
    /* Now wild, but each ignored for one reason. */
    memcpy (g.grids, save, sizeof (gfloat) * BW_N_GRIDS * g.n);
    ignored = 0;
    for (i = 0; i < g.n; i++) {
      if (i % 3 != 0)
        continue;
      ignored++;
      grid (&g, BW_GRID_DX)[i] = 7.5;
      grid (&g, BW_GRID_DY)[i] = -6.5;
      switch (i % 5) {
        case 0:
          g.background[i] = 1;
          break;
        case 1:
          grid (&g, BW_GRID_DX)[i] = NAN;
          break;
        case 2:
          grid (&g, BW_GRID_DY)[i] = INFINITY;
          break;
        case 3:
          /* 5 standard errors of Fisher's z over 256 pixels: r 0.31. */
          grid (&g, BW_GRID_R_BEST)[i] = 0.3;
          break;
        default:
          grid (&g, BW_GRID_R_BEST)[i] = NAN;
          break;
      }
    }
    g_assert_true (bw_motion_fit (models[m], &g.params, g.width, g.height,
            g.grids, g.background, &fit));
    g_assert_true (fit.found);
    g_assert_cmpuint (fit.informative, ==, g.n - ignored);
    g_assert_cmpuint (clean.informative, ==, g.n - ignored);
    g_assert_cmpmem (fit.motion.m, sizeof (fit.motion.m), clean.motion.m,
        sizeof (clean.motion.m));
    g_assert_cmpuint (fit.inliers, ==, clean.inliers);
    g_assert_cmpfloat (distance (&g, &fit.motion, &truth, NULL), <, 0.05);
    /* Just significant: counted. */
    grid (&g, BW_GRID_R_BEST)[3] = 0.32;
    g_assert_true (bw_motion_fit (models[m], &g.params, g.width, g.height,
            g.grids, g.background, &fit));
    g_assert_cmpuint (fit.informative, ==, g.n - ignored + 1);
    g_free (save);
  }
  grids_clear (&g);
  g_rand_free (rng);
}

/* Keeps the blocks for which keep (col, row) holds informative. */
static void
keep_only (Grids * g, gboolean (*keep) (guint col, guint row))
{
  gsize i;

  for (i = 0; i < g->n; i++)
    if (!keep (i % g->cols, i / g->cols))
      grid (g, BW_GRID_R_BEST)[i] = NAN;
}

static guint keep_count;

static gboolean
keep_first (guint col, guint row)
{
  return row * 20 + col < keep_count;
}

static gboolean
keep_row (guint col, guint row)
{
  return row == 7;
}

static gboolean
keep_two_rows (guint col, guint row)
{
  return row == 7 || row == 8;
}

static gboolean
keep_diagonal (guint col, guint row)
{
  return col == row;
}

static gboolean
keep_patch (guint col, guint row)
{
  return col >= 2 && col < 7 && row >= 10 && row < 13;
}

/* 12 blocks spread over the frame. */
static gboolean
keep_spread (guint col, guint row)
{
  return (col == 1 || col == 7 || col == 12 || col == 18)
      && (row == 1 || row == 8 || row == 14);
}

static gboolean
fit_found (Grids * g, BwMotionModel model, gboolean (*keep) (guint, guint),
    GRand * rng)
{
  BwTransform truth;
  BwMotionFit fit;

  if (model == BW_MOTION_SHIFT)
    make_transform (0, 1, 0, 0, 0.5, 0.25, &truth);
  else
    make_transform (0.2, 1.001, 140, 100, 0.5, 0.25, &truth);
  grids_fill (g, &truth, 0.02, rng);
  keep_only (g, keep);
  g_assert_true (bw_motion_fit (model, &g->params, g->width, g->height,
          g->grids, NULL, &fit));
  if (!fit.found)
    g_assert_true (bw_transform_is_identity (&fit.motion));
  return fit.found;
}

/* Too few blocks, blocks on a line or in a small patch (for the affine
 * model) and blocks that do not agree: not found. */
static void
test_fit_not_found (void)
{
  GRand *rng = g_rand_new_with_seed (4);
  BwTransform truth;
  BwMotionFit fit;
  Grids g;
  gsize i;

  grids_init (&g, 320, 256, 16, BW_EDGE_TRIM);
  keep_count = 5;
  g_assert_false (fit_found (&g, BW_MOTION_SHIFT, keep_first, rng));
  keep_count = 6;
  g_assert_true (fit_found (&g, BW_MOTION_SHIFT, keep_first, rng));
  g_assert_true (fit_found (&g, BW_MOTION_AFFINE, keep_spread, rng));
  keep_count = 11;
  g_assert_false (fit_found (&g, BW_MOTION_AFFINE, keep_first, rng));

  g_assert_true (fit_found (&g, BW_MOTION_SHIFT, keep_row, rng));
  g_assert_false (fit_found (&g, BW_MOTION_AFFINE, keep_row, rng));
  g_assert_false (fit_found (&g, BW_MOTION_AFFINE, keep_two_rows, rng));
  g_assert_false (fit_found (&g, BW_MOTION_AFFINE, keep_diagonal, rng));
  g_assert_false (fit_found (&g, BW_MOTION_AFFINE, keep_patch, rng));
  g_assert_true (fit_found (&g, BW_MOTION_SHIFT, keep_patch, rng));

  /* Displacements scattered over +-3 px: no motion of the frame. */
  make_transform (0, 1, 0, 0, 0, 0, &truth);
  grids_fill (&g, &truth, 0, rng);
  for (i = 0; i < g.n; i++) {
    grid (&g, BW_GRID_DX)[i] = g_rand_double_range (rng, -3, 3);
    grid (&g, BW_GRID_DY)[i] = g_rand_double_range (rng, -3, 3);
  }
  g_assert_true (bw_motion_fit (BW_MOTION_SHIFT, &g.params, g.width, g.height,
          g.grids, NULL, &fit));
  g_assert_false (fit.found);
  g_assert_cmpuint (fit.informative, ==, g.n);
  g_assert_true (bw_motion_fit (BW_MOTION_AFFINE, &g.params, g.width,
          g.height, g.grids, NULL, &fit));
  g_assert_false (fit.found);

  /* Without a search nothing was measured. */
  grids_fill (&g, &truth, 0, rng);
  g.params.search_radius = 0;
  g_assert_true (bw_motion_fit (BW_MOTION_SHIFT, &g.params, g.width, g.height,
          g.grids, NULL, &fit));
  g_assert_false (fit.found);
  g.params.search_radius = 2;

  /* Invalid arguments. */
  g_assert_false (bw_motion_fit (BW_MOTION_SHIFT, &g.params, g.width,
          g.height, NULL, NULL, &fit));
  g_assert_false (bw_motion_fit (BW_MOTION_SHIFT, &g.params, g.width,
          g.height, g.grids, NULL, NULL));
  g_assert_false (bw_motion_fit (BW_MOTION_SHIFT, NULL, g.width, g.height,
          g.grids, NULL, &fit));
  g_assert_false (bw_motion_fit (7, &g.params, g.width, g.height, g.grids,
          NULL, &fit));
  g_assert_false (bw_motion_fit (BW_MOTION_SHIFT, &g.params, 0, g.height,
          g.grids, NULL, &fit));
  g_assert_false (bw_motion_fit (BW_MOTION_SHIFT, &g.params, 10, 10, g.grids,
          NULL, &fit));
  grids_clear (&g);
  g_rand_free (rng);
}

/* ---- 3. End to end ---- */

/* The texture carried by t: the frame's value at p is the texture's at
 * t^-1 (p).  A spot at s becomes a Gaussian at t (s) whose inverse
 * covariance is L^-T L^-1 / sigma² (L: t's linear part); out is added
 * to. */
static void
render_transformed (const SmoothTexture * tex, const BwTransform * t,
    gdouble * out)
{
  const gint w = tex->width, h = tex->height;
  const gdouble det = t->m[1] * t->m[5] - t->m[2] * t->m[4];
  /* L^-1 */
  const gdouble i11 = t->m[5] / det, i12 = -t->m[2] / det;
  const gdouble i21 = -t->m[4] / det, i22 = t->m[1] / det;
  const gdouble stretch = MAX (hypot (t->m[1], t->m[4]),
      hypot (t->m[2], t->m[5])) * 1.5;
  guint k;

  for (k = 0; k < tex->spots->len; k++) {
    const SmoothSpot *s = &g_array_index (tex->spots, SmoothSpot, k);
    gdouble cx, cy, reach = 4 * s->sigma * stretch;
    gdouble q = -0.5 / (s->sigma * s->sigma);
    gint x0, x1, y0, y1, x, y;

    bw_transform_apply (t, s->x, s->y, &cx, &cy);
    x0 = MAX ((gint) floor (cx - reach), 0);
    x1 = MIN ((gint) ceil (cx + reach), w - 1);
    y0 = MAX ((gint) floor (cy - reach), 0);
    y1 = MIN ((gint) ceil (cy + reach), h - 1);
    for (y = y0; y <= y1; y++)
      for (x = x0; x <= x1; x++) {
        gdouble u = i11 * (x - cx) + i12 * (y - cy);
        gdouble v = i21 * (x - cx) + i22 * (y - cy);

        out[(gsize) y * w + x] += s->amp * exp (q * (u * u + v * v));
      }
  }
}

typedef struct
{
  SmoothTexture tex;
  gdouble *field, *patch_field, scale;
  guint16 *ref, *frame;
  GRand *rng;
  gdouble noise;                /* sd, counts */
} Scene;

#define LEVEL 20000
#define TEXTURE_SD 3000
/* Noise of 2 % of the texture's sd on each frame, unless a test asks
 * for more. */
#define NOISE 60

static void
scene_init (Scene * s)
{
  BwTransform shift;
  gsize i;

  smooth_texture_init (&s->tex, SIDE, SIDE, 2311);
  s->field = g_new0 (gdouble, SIDE * SIDE);
  s->patch_field = g_new0 (gdouble, SIDE * SIDE);
  s->ref = g_new (guint16, SIDE * SIDE);
  s->frame = g_new (guint16, SIDE * SIDE);
  s->rng = g_rand_new_with_seed (5);
  s->noise = NOISE;
  /* A shift carried spot by spot is the texture's own render of it (up to
   * where each spot is cut off). */
  make_transform (0, 1, 0, 0, 1.3, -0.7, &shift);
  render_transformed (&s->tex, &shift, s->patch_field);
  smooth_texture_render (&s->tex, 1.3, -0.7, s->field);
  for (i = 0; i < SIDE * SIDE; i++)
    g_assert_cmpfloat (fabs (s->field[i] - s->patch_field[i]), <, 1e-3);
  smooth_texture_render (&s->tex, 0, 0, s->field);
  s->scale = TEXTURE_SD / smooth_texture_sd (s->field, SIDE * SIDE);
  smooth_texture_store (s->field, SIDE * SIDE, LEVEL, s->scale, NOISE, s->rng,
      TRUE, G_BYTE_ORDER == G_BIG_ENDIAN, (guint8 *) s->ref);
}

/* The reference again, with the scene's noise now. */
static void
scene_store_reference (Scene * s)
{
  memset (s->field, 0, sizeof (gdouble) * SIDE * SIDE);
  smooth_texture_render (&s->tex, 0, 0, s->field);
  smooth_texture_store (s->field, SIDE * SIDE, LEVEL, s->scale, s->noise,
      s->rng, TRUE, G_BYTE_ORDER == G_BIG_ENDIAN, (guint8 *) s->ref);
}

static void
scene_clear (Scene * s)
{
  smooth_texture_clear (&s->tex);
  g_free (s->field);
  g_free (s->patch_field);
  g_free (s->ref);
  g_free (s->frame);
  g_rand_free (s->rng);
}

/* The frame: the scene carried by truth, except in the square of side
 * patch px at (px, py), where it is carried by truth and then shifted by
 * (mx, my) more.  Its fit by model against the reference. */
static void
scene_fit (Scene * s, const BwTransform * truth, guint patch, guint px,
    guint py, gdouble mx, gdouble my, guint radius, BwMotionModel model,
    BwMotionFit * fit)
{
  BwParams params;
  BwPlane p0 = { (const guint8 *) s->ref, SIDE * 2, BW_SAMPLE_U16LE };
  BwPlane p1 = { (const guint8 *) s->frame, SIDE * 2, BW_SAMPLE_U16LE };
  gfloat *grids;
  BwSummary summary;
  guint cols, rows, x, y;

  if (G_BYTE_ORDER == G_BIG_ENDIAN)
    p0.format = p1.format = BW_SAMPLE_U16BE;
  memset (s->field, 0, sizeof (gdouble) * SIDE * SIDE);
  render_transformed (&s->tex, truth, s->field);
  if (patch > 0) {
    BwTransform moved = *truth;

    moved.m[0] += mx;
    moved.m[3] += my;
    memset (s->patch_field, 0, sizeof (gdouble) * SIDE * SIDE);
    render_transformed (&s->tex, &moved, s->patch_field);
    for (y = py; y < py + patch; y++)
      for (x = px; x < px + patch; x++)
        s->field[y * SIDE + x] = s->patch_field[y * SIDE + x];
  }
  smooth_texture_store (s->field, SIDE * SIDE, LEVEL, s->scale, s->noise,
      s->rng, TRUE, G_BYTE_ORDER == G_BIG_ENDIAN, (guint8 *) s->frame);

  bw_params_init (&params);
  params.search_radius = radius;
  cols = SIDE / params.block_width;
  rows = SIDE / params.block_height;
  grids = g_new (gfloat, BW_N_GRIDS * cols * rows);
  g_assert_true (bw_check_registration (&params, SIDE, SIDE, &p0, &p1, grids,
          &summary));
  g_assert_true (bw_motion_fit (model, &params, SIDE, SIDE, grids, NULL, fit));
  g_free (grids);
}

/* RMS and largest distance between a's and b's images of the 16 x 16 block
 * centres of the frame. */
static gdouble
block_rms (const BwTransform * a, const BwTransform * b, gdouble * most)
{
  gdouble sum = 0;
  guint x, y, n = 0;

  *most = 0;
  for (y = 0; y < SIDE / 16; y++)
    for (x = 0; x < SIDE / 16; x++) {
      gdouble ax, ay, bx, by, d;

      bw_transform_apply (a, x * 16 + 7.5, y * 16 + 7.5, &ax, &ay);
      bw_transform_apply (b, x * 16 + 7.5, y * 16 + 7.5, &bx, &by);
      d = hypot (ax - bx, ay - by);
      *most = MAX (*most, d);
      sum += d * d;
      n++;
    }
  return sqrt (sum / n);
}

/* Translations: sub-pixel, on the search's radius, beyond it (the search
 * centred on the coarse global shift), alone and with a patch of a tenth
 * of the frame moving 4 px further. */
static void
test_end_to_end_shift (void)
{
  static const gdouble shifts[][2] = {
    {0.3, -0.2}, {1.37, 0.81}, {-0.55, 1.45}, {2.4, -1.6}, {5.3, 3.7},
    {-7.62, 2.45}, {31.25, -12.8}
  };
  Scene s;
  guint k, p;
  gdouble worst = 0, sum = 0;
  guint n = 0;

  scene_init (&s);
  for (p = 0; p < 2; p++)
    for (k = 0; k < G_N_ELEMENTS (shifts); k++) {
      BwTransform truth;
      BwMotionFit fit;
      gdouble err;

      make_transform (0, 1, 0, 0, shifts[k][0], shifts[k][1], &truth);
      /* 162 x 162: a tenth of the frame. */
      scene_fit (&s, &truth, p ? 162 : 0, 300, 60, 4.0, 3.0, 2,
          BW_MOTION_SHIFT, &fit);
      g_assert_true (fit.found);
      err = hypot (fit.motion.m[0] - shifts[k][0],
          fit.motion.m[3] - shifts[k][1]);
      if (verbose)
        g_print ("shift (%+6.2f, %+6.2f)%s: fit (%+8.4f, %+8.4f), error "
            "%.4f px, %u informative, %u inliers, rms %.4f px\n",
            shifts[k][0], shifts[k][1], p ? " + patch" : "        ",
            fit.motion.m[0], fit.motion.m[3], err, fit.informative,
            fit.inliers, fit.rms_residual);
      worst = MAX (worst, err);
      sum += err * err;
      n++;
      g_assert_cmpfloat (err, <, 0.05);
    }
  if (verbose)
    g_print ("shift: RMS error %.4f px, worst %.4f px\n", sqrt (sum / n),
        worst);

  /* Noise of 60 % of the texture's sd in both frames: each block
   * scatters by 0.4 px or so, and the fit must keep them all, not only
   * those that happen to agree. */
  s.noise = 0.6 * TEXTURE_SD;
  scene_store_reference (&s);
  for (k = 0; k < 2; k++) {
    BwTransform truth;
    BwMotionFit fit;
    gdouble err;

    make_transform (0, 1, 0, 0, shifts[k][0], shifts[k][1], &truth);
    scene_fit (&s, &truth, 162, 300, 60, 4.0, 3.0, 2, BW_MOTION_SHIFT, &fit);
    g_assert_true (fit.found);
    err = hypot (fit.motion.m[0] - shifts[k][0],
        fit.motion.m[3] - shifts[k][1]);
    if (verbose)
      g_print ("shift (%+6.2f, %+6.2f) + patch, noise 60 %%: error %.4f px, "
          "%u informative, %u inliers, rms %.4f px\n", shifts[k][0],
          shifts[k][1], err, fit.informative, fit.inliers, fit.rms_residual);
    g_assert_cmpfloat (err, <, 0.05);
  }
  scene_clear (&s);
}

/* A rotation of 1 degree (and 0.5 degree) with a scaling by 0.5 % about
 * an off-centre point, with and without a moving patch, and about the
 * centre with the default search: the affine fit's displacements at the
 * block centres. */
static void
test_end_to_end_affine (void)
{
  static const struct
  {
    gdouble degrees, scale, px, py, tx, ty;
    guint patch, radius;
  } cases[] = {
    /* The displacements reach 6 px from the frame's: a search that covers
     * them. */
    {0.5, 1.005, 400, 130, 0.6, -0.3, 0, 8},
    {-1.0, 0.995, 140, 380, -1.2, 0.7, 0, 8},
    {1.0, 1.005, 300, 200, 0.2, 0.45, 162, 8},
    /* The default search reaches 2.5 px from the global shift, 140 px
     * from the centre here: the blocks beyond are measured wrong, and
     * must be left out as outliers. */
    {1.0, 1.005, 256, 256, 0.2, 0.45, 0, 2},
  };
  Scene s;
  guint k;

  scene_init (&s);
  for (k = 0; k < G_N_ELEMENTS (cases); k++) {
    BwTransform truth;
    BwMotionFit fit;
    gdouble rms, most;

    make_transform (cases[k].degrees, cases[k].scale, cases[k].px,
        cases[k].py, cases[k].tx, cases[k].ty, &truth);
    scene_fit (&s, &truth, cases[k].patch, 40, 300, 4.0, 3.0,
        cases[k].radius, BW_MOTION_AFFINE, &fit);
    g_assert_true (fit.found);
    rms = block_rms (&fit.motion, &truth, &most);
    if (verbose)
      g_print ("affine %+.1f deg, scale %.3f about (%.0f, %.0f)%s, radius "
          "%u: error at the block centres %.4f px RMS, %.4f px worst; %u "
          "informative, %u inliers, rms %.4f px\n", cases[k].degrees,
          cases[k].scale, cases[k].px, cases[k].py,
          cases[k].patch ? " + patch" : "", cases[k].radius,
          rms, most, fit.informative, fit.inliers, fit.rms_residual);
    g_assert_cmpfloat (rms, <, 0.1);
  }
  scene_clear (&s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  verbose = g_getenv ("BW_MOTION_VERBOSE") != NULL;
  g_test_add_func ("/motion/algebra", test_algebra);
  g_test_add_func ("/motion/fit/exact", test_fit_exact);
  g_test_add_func ("/motion/fit/outliers", test_fit_outliers);
  g_test_add_func ("/motion/fit/ignored", test_fit_ignored);
  g_test_add_func ("/motion/fit/not-found", test_fit_not_found);
  g_test_add_func ("/motion/end-to-end/shift", test_end_to_end_shift);
  g_test_add_func ("/motion/end-to-end/affine", test_end_to_end_affine);
  return g_test_run ();
}
