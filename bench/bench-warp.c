/* gst-blockwise: the cost of correcting drift against the cost of
 * measuring it.
 *
 * On a textured GRAY16_LE 1920x1080 pair (tests/smooth-texture.h, texture
 * sd 500 counts, noise sd 10, the second frame's scene moved by (0.3,
 * 0.7) px), per rep and in turn:
 *
 *  - analysis: bw_analysis_run() on the pair with the defaults (BwParams
 *    defaults, n_threads 1), as blockdrift runs it per frame;
 *  - shift: bw_warp_plane() of the second frame by (-0.3, -0.7), the
 *    separable path (border EDGE);
 *  - whole: the same by (-3, 2) px, the copy;
 *  - rotation: a rotation by 0.5 degree about the centre, the per-pixel
 *    path.
 *
 * Times are the process's CPU time (steadier than the wall clock on a
 * shared machine; everything here runs on one thread).  Printed: each
 * one's median ms per frame, and the median over the reps of its ratio to
 * the same rep's analysis.  Run by hand:
 *
 *   build/bench/bench-warp [--reps N]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "analysis.h"
#include "bench-common.h"
#include "smooth-texture.h"
#include "warp.h"

#define WIDTH 1920
#define HEIGHT 1080

enum
{
  ANALYSIS,
  SHIFT,
  WHOLE,
  ROTATION,
  N_TIMED
};

static const gchar *timed_names[N_TIMED] = {
  "analysis (defaults, 1 thread)", "warp: shift (-0.3, -0.7) px",
  "warp: shift (-3, 2) px, a copy", "warp: rotation 0.5 degree"
};

static gdouble
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static BwTransform
shift (gdouble tx, gdouble ty)
{
  BwTransform t = { {tx, 1, 0, ty, 0, 1} };

  return t;
}

static BwTransform
rotation (gdouble deg, gdouble cx, gdouble cy)
{
  gdouble c = cos (deg * G_PI / 180), s = sin (deg * G_PI / 180);
  BwTransform t = { {cx - c * cx + s * cy, c, -s, cy - s * cx - c * cy, s,
      c}
  };

  return t;
}

int
main (int argc, char **argv)
{
  guint reps = 15, i, k, cols, rows;
  SmoothTexture tex;
  GRand *rng = g_rand_new_with_seed (5);
  gdouble *f = g_new (gdouble, WIDTH * HEIGHT), scale;
  gsize bytes = 2 * (gsize) WIDTH * HEIGHT;
  guint8 *da = g_malloc (bytes), *db = g_malloc (bytes);
  guint8 *out = g_malloc (bytes);
  BwPlane pa = { da, 2 * WIDTH, BW_SAMPLE_U16LE };
  BwPlane pb = { db, 2 * WIDTH, BW_SAMPLE_U16LE };
  BwWarpPlane src = { db, 2 * WIDTH, 2, 1, BW_SAMPLE_U16LE, WIDTH, HEIGHT,
    1, 1
  };
  BwWarpPlane dst = src;
  BwTransform motions[N_TIMED];
  BwAnalysis *an = bw_analysis_new ();
  BwParams params;
  BwGeometry geom;
  BwSummary summary;
  gfloat *grids;
  gdouble *times[N_TIMED], *ratios[N_TIMED];

  for (i = 1; i < (guint) argc; i++) {
    if (g_str_equal (argv[i], "--reps") && i + 1 < (guint) argc)
      reps = atoi (argv[++i]);
    else {
      fprintf (stderr, "usage: %s [--reps N]\n", argv[0]);
      return 2;
    }
  }
  if (reps < 1 || reps > 1000) {
    fprintf (stderr, "%s: --reps must lie in 1 .. 1000\n", argv[0]);
    return 2;
  }

  smooth_texture_init (&tex, WIDTH, HEIGHT, 77);
  smooth_texture_render (&tex, 0, 0, f);
  scale = 500 / smooth_texture_sd (f, (gsize) WIDTH * HEIGHT);
  smooth_texture_store (f, (gsize) WIDTH * HEIGHT, 20000, scale, 10, rng,
      TRUE, FALSE, da);
  smooth_texture_render (&tex, 0.3, 0.7, f);
  smooth_texture_store (f, (gsize) WIDTH * HEIGHT, 20000, scale, 10, rng,
      TRUE, FALSE, db);
  dst.data = out;

  bw_params_init (&params);
  params.n_threads = 1;
  geom = bw_params_geometry (&params, WIDTH, HEIGHT);
  if (!bw_geometry_grid_size (&geom, &cols, &rows))
    g_error ("no grid for the defaults");
  grids = g_new (gfloat, BW_N_GRIDS * (gsize) cols * rows);
  motions[SHIFT] = shift (-0.3, -0.7);
  motions[WHOLE] = shift (-3, 2);
  motions[ROTATION] = rotation (0.5, (WIDTH - 1) / 2.0, (HEIGHT - 1) / 2.0);
  for (k = 0; k < N_TIMED; k++) {
    times[k] = g_new (gdouble, reps);
    ratios[k] = g_new (gdouble, reps);
  }

  for (i = 0; i < reps; i++) {
    for (k = 0; k < N_TIMED; k++) {
      gdouble t0 = cpu_seconds ();

      if (k == ANALYSIS) {
        if (!bw_analysis_run (an, &params, WIDTH, HEIGHT, &pa, &pb, grids,
                NULL, NULL, &summary))
          g_error ("the analysis refused the pair");
      } else if (!bw_warp_plane (&motions[k], &src, &dst, BW_BORDER_EDGE, 0))
        g_error ("the warp refused its arguments");
      times[k][i] = cpu_seconds () - t0;
    }
    for (k = 0; k < N_TIMED; k++)
      ratios[k][i] = times[k][i] / times[ANALYSIS][i];
  }

  printf ("GRAY16_LE %ux%u, textured, %u reps, CPU time, one thread\n",
      WIDTH, HEIGHT, reps);
  printf ("  global shift found by the analysis: (%.3f, %.3f) px\n",
      summary.verdict.shift_x, summary.verdict.shift_y);
  for (k = 0; k < N_TIMED; k++)
    printf ("  %-32s %7.2f ms per frame, %.2f x the analysis\n",
        timed_names[k], 1e3 * bw_median (times[k], reps),
        bw_median (ratios[k], reps));

  for (k = 0; k < N_TIMED; k++) {
    g_free (times[k]);
    g_free (ratios[k]);
  }
  g_free (grids);
  bw_analysis_free (an);
  smooth_texture_clear (&tex);
  g_rand_free (rng);
  g_free (f);
  g_free (da);
  g_free (db);
  g_free (out);
  return 0;
}
