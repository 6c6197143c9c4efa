/* gst-blockwise: sub-pixel accuracy of the displacement search against the
 * truth.
 *
 * Pairs are rendered from a continuous texture (smooth-texture.h): A at
 * rest, B the same scene moved by a known fraction of a pixel (0, 0.1, ...,
 * 0.9 along x, along y and diagonally), so the true displacement of every
 * block is exact.  The search (radius 2) runs on GRAY8 and GRAY16 (both
 * byte orders) planes with 16 and 32 px blocks; the error of a block is the
 * distance between its (dx, dy) and the truth, over the blocks that do not
 * touch the frame's edge.  Without noise the per-block RMS must stay within
 * 0.1 px at every fraction, and the mean error at each fraction near 0;
 * with noise and with a gain and offset between the frames, within the
 * bounds below.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "displacement.h"
#include "smooth-texture.h"

#define SIDE 256
#define RADIUS 2
#define N_FRACTIONS 10

typedef enum
{
  FMT_U8,
  FMT_U16LE,
  FMT_U16BE,
  N_FMTS
} Fmt;

static const gchar *fmt_names[] = { "GRAY8", "GRAY16_LE", "GRAY16_BE" };

/* A direction of the shift: unit steps along x and y. */
static const gint directions[3][2] = { {1, 0}, {0, 1}, {1, 1} };

static const gchar *direction_names[] = { "x", "y", "diagonal" };

typedef struct
{
  SmoothTexture texture;
  gdouble *rest;                /* the scene at rest */
  gdouble *moved;               /* scratch for a moved render */
  gdouble scale;                /* to a texture sd of 1 */
} Scenes;

static void
scenes_init (Scenes * s)
{
  smooth_texture_init (&s->texture, SIDE, SIDE, 2201);
  s->rest = g_new (gdouble, SIDE * SIDE);
  s->moved = g_new (gdouble, SIDE * SIDE);
  smooth_texture_render (&s->texture, 0, 0, s->rest);
  s->scale = 1.0 / smooth_texture_sd (s->rest, SIDE * SIDE);
}

static void
scenes_clear (Scenes * s)
{
  smooth_texture_clear (&s->texture);
  g_free (s->rest);
  g_free (s->moved);
}

/* How B relates to A in a run. */
typedef struct
{
  Fmt fmt;
  guint block;
  gdouble noise;                /* sd, in texture sds */
  gdouble gain, offset;         /* B = gain · A + offset (offset in sds) */
} Run;

/* Sum of squared per-block errors and their count for one pair: A at rest,
 * B moved by (tx, ty) (its render in s->moved). */
static void
run_pair (const Scenes * s, const Run * run, gdouble tx, gdouble ty,
    const gint dir[2], GRand * rng, gdouble * sum_sq, gdouble * sum_along,
    guint * count)
{
  const gboolean sixteen = run->fmt != FMT_U8;
  const gboolean be = run->fmt == FMT_U16BE;
  const gdouble level = sixteen ? 20000 : 128, sd = sixteen ? 3000 : 40;
  const gsize bpp = sixteen ? 2 : 1;
  guint8 *da = g_malloc (SIDE * SIDE * bpp), *db = g_malloc (SIDE * SIDE * bpp);
  BwGeometry geom = { SIDE, SIDE, run->block, run->block, BW_EDGE_TRIM };
  BwPlane a = { da, SIDE * bpp, sixteen ? (be ? BW_SAMPLE_U16BE :
        BW_SAMPLE_U16LE) : BW_SAMPLE_U8
  };
  BwPlane b = a;
  BwStatsPlan plan;
  BwScratch *scratch = bw_scratch_new ();
  BwBlockSums *sums;
  BwBlockShift *out;
  guint col, row;

  smooth_texture_store (s->rest, SIDE * SIDE, level, sd * s->scale,
      run->noise * sd, rng, sixteen, be, da);
  smooth_texture_store (s->moved, SIDE * SIDE, level + run->offset * sd,
      run->gain * sd * s->scale, run->noise * sd, rng, sixteen, be, db);
  b.data = db;
  g_assert_true (bw_stats_plan_init (&plan, BW_IMPL_AUTO, &geom, &a, &b));
  sums = g_new (BwBlockSums, plan.cols * plan.rows);
  out = g_new (BwBlockShift, plan.cols * plan.rows);
  g_assert_true (bw_stats_plan_rows (&plan, scratch, 0, plan.rows, sums));
  g_assert_true (bw_search_rows (&plan, scratch, RADIUS, 0, plan.rows, sums,
          out));
  for (row = 1; row + 1 < plan.rows; row++)
    for (col = 1; col + 1 < plan.cols; col++) {
      const BwBlockShift *o = &out[row * plan.cols + col];
      gdouble ex = o->dx - tx, ey = o->dy - ty;

      /* A textured interior block always has an estimate. */
      g_assert_true (isfinite (o->dx) && isfinite (o->dy));
      *sum_sq += ex * ex + ey * ey;
      *sum_along += (dir[0] * ex + dir[1] * ey) / (dir[0] + dir[1]);
      (*count)++;
    }
  g_free (sums);
  g_free (out);
  bw_scratch_free (scratch);
  g_free (da);
  g_free (db);
}

/* The worst per-fraction RMS of the run over the three directions; each
 * fraction's RMS (over its blocks) is printed.  *worst_bias: the largest
 * mean signed error along the shift at one fraction (peak locking). */
static gdouble
worst_rms (Scenes * s, const Run * run, gdouble * worst_bias)
{
  GRand *rng = g_rand_new_with_seed (7);
  gdouble worst = 0, bias = 0;
  guint d, f;

  for (d = 0; d < G_N_ELEMENTS (directions); d++) {
    GString *line = g_string_new (NULL);

    for (f = 0; f < N_FRACTIONS; f++) {
      gdouble frac = f / 10.0, sum_sq = 0, sum_along = 0, rms;
      gdouble tx = frac * directions[d][0], ty = frac * directions[d][1];
      guint count = 0;

      smooth_texture_render (&s->texture, tx, ty, s->moved);
      run_pair (s, run, tx, ty, directions[d], rng, &sum_sq, &sum_along,
          &count);
      g_assert_cmpuint (count, >, 0);
      rms = sqrt (sum_sq / count);
      bias = MAX (bias, fabs (sum_along / count));
      g_string_append_printf (line, " %.3f", rms);
      worst = MAX (worst, rms);
    }
    g_test_message ("%s %u px, noise %.2f sd, gain %.2f, %s: RMS by "
        "fraction 0 .. 0.9:%s", fmt_names[run->fmt], run->block, run->noise,
        run->gain, direction_names[d], line->str);
    g_string_free (line, TRUE);
  }
  g_rand_free (rng);
  if (worst_bias)
    *worst_bias = bias;
  g_test_message ("worst RMS %.4f, worst bias %.4f", worst, bias);
  return worst;
}

/* Without noise: within 0.1 px RMS at every fraction, every format and
 * both block sizes; and no peak locking: the mean error along the shift
 * at any fraction within 0.006 px (NCC with a Gaussian fit: up to 0.008
 * on such texture, bench-subpixel). */
static void
test_noise_free (gconstpointer data)
{
  Scenes s;
  guint fmt, k;
  static const guint blocks[] = { 16, 32 };

  scenes_init (&s);
  for (fmt = 0; fmt < N_FMTS; fmt++)
    for (k = 0; k < G_N_ELEMENTS (blocks); k++) {
      Run run = { fmt, blocks[k], 0, 1, 0 };
      gdouble bias;

      g_assert_cmpfloat (worst_rms (&s, &run, &bias), <=, 0.1);
      g_assert_cmpfloat (bias, <=, 0.006);
    }
  scenes_clear (&s);
}

/* With noise of a tenth of the texture's sd on both frames (and gain and
 * offset between them): bounds a little above what the refinement gives,
 * far below what the quadratic fit alone gives. */
static void
test_noisy (gconstpointer data)
{
  Scenes s;
  Run r16 = { FMT_U16LE, 16, 0.1, 1, 0 };
  Run r32 = { FMT_U16BE, 32, 0.1, 1, 0 };
  Run r8 = { FMT_U8, 16, 0.1, 1, 0 };

  scenes_init (&s);
  g_assert_cmpfloat (worst_rms (&s, &r16, NULL), <=, 0.05);
  g_assert_cmpfloat (worst_rms (&s, &r32, NULL), <=, 0.03);
  g_assert_cmpfloat (worst_rms (&s, &r8, NULL), <=, 0.05);
  scenes_clear (&s);
}

/* A gain and an offset between the frames (B dimmer by 40 %, its level
 * raised) do not move the estimate. */
static void
test_gain_offset (gconstpointer data)
{
  Scenes s;
  Run run = { FMT_U16LE, 16, 0, 0.6, 1.5 };

  scenes_init (&s);
  g_assert_cmpfloat (worst_rms (&s, &run, NULL), <=, 0.1);
  scenes_clear (&s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/subpixel/noise-free", NULL, test_noise_free);
  g_test_add_data_func ("/subpixel/noisy", NULL, test_noisy);
  g_test_add_data_func ("/subpixel/gain-offset", NULL, test_gain_offset);
  return g_test_run ();
}
