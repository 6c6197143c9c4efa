/* gst-blockwise: single-threaded benchmark of the motion fit against the
 * analysis whose grids it reads.
 *
 * A GRAY16 pair of a smooth texture (tests/smooth-texture.h), the second
 * frame the first moved by a sub-pixel shift, is analysed with the default
 * settings on one thread (bw_analysis_run); then the shift and the affine
 * motion are fitted to its grids (bw_motion_fit).  Prints the median time
 * of each per frame, in ms, and each fit's share of the analysis.
 *
 *   bench-motion [--size WxH] [--reps N]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>

#include "analysis.h"
#include "motion.h"
#include "smooth-texture.h"
#include "bench-common.h"

int
main (int argc, char **argv)
{
  guint width = 1920, height = 1080, reps = 20, cols, rows, k, m;
  GOptionEntry entries[] = {
    {"reps", 0, 0, G_OPTION_ARG_INT, &reps, "Frames timed (20)", "N"},
    {NULL}
  };
  gchar *size = NULL;
  GOptionEntry size_entry[] = {
    {"size", 0, 0, G_OPTION_ARG_STRING, &size, "Frame size (1920x1080)",
        "WxH"},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("- time the motion fit");
  GError *error = NULL;
  SmoothTexture tex;
  gdouble *field, *times[3], scale = 1;
  guint8 *plane[2];
  gfloat *grids;
  BwParams params;
  BwGeometry geom;
  BwAnalysis *an;
  GRand *rng;
  static const gchar *names[3] = { "analysis", "fit shift", "fit affine" };

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_main_entries (ctx, size_entry, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
    g_printerr ("bench-motion: %s\n", error->message);
    return 2;
  }
  g_option_context_free (ctx);
  if (size && sscanf (size, "%ux%u", &width, &height) != 2) {
    g_printerr ("bench-motion: --size takes WxH, not %s\n", size);
    return 2;
  }
  g_free (size);
  if (reps < 1 || width < 64 || height < 64) {
    g_printerr ("bench-motion: at least 1 rep and 64x64 px\n");
    return 2;
  }

  bw_params_init (&params);
  params.n_threads = 1;
  geom = bw_params_geometry (&params, width, height);
  bw_geometry_grid_size (&geom, &cols, &rows);
  smooth_texture_init (&tex, width, height, 7);
  field = g_new (gdouble, (gsize) width * height);
  rng = g_rand_new_with_seed (8);
  for (k = 0; k < 2; k++) {
    plane[k] = g_malloc ((gsize) width * height * 2);
    smooth_texture_render (&tex, k ? 1.37 : 0, k ? -0.61 : 0, field);
    if (k == 0)
      scale = 3000 / smooth_texture_sd (field, (gsize) width * height);
    smooth_texture_store (field, (gsize) width * height, 20000, scale, 60,
        rng, TRUE, FALSE, plane[k]);
  }
  grids = g_new (gfloat, (gsize) BW_N_GRIDS * cols * rows);
  an = bw_analysis_new ();
  for (m = 0; m < 3; m++)
    times[m] = g_new (gdouble, reps);

  for (k = 0; k < reps; k++) {
    BwPlane p0 = { plane[0], width * 2, BW_SAMPLE_U16LE };
    BwPlane p1 = { plane[1], width * 2, BW_SAMPLE_U16LE };
    BwSummary summary;
    BwMotionFit fit;
    gdouble t0 = now_seconds ();

    bw_analysis_run (an, &params, width, height, &p0, &p1, grids, NULL, NULL,
        &summary);
    times[0][k] = now_seconds () - t0;
    for (m = 1; m < 3; m++) {
      t0 = now_seconds ();
      bw_motion_fit (m == 1 ? BW_MOTION_SHIFT : BW_MOTION_AFFINE, &params,
          width, height, grids, NULL, &fit);
      times[m][k] = now_seconds () - t0;
      if (!fit.found)
        g_printerr ("bench-motion: no %s found\n", names[m]);
    }
  }

  printf ("%ux%u GRAY16, %ux%u blocks, one thread, medians of %u frames\n",
      width, height, cols, rows, reps);
  {
    gdouble analysis = bw_median (times[0], reps) * 1e3;

    printf ("%-12s %8.3f ms\n", names[0], analysis);
    for (m = 1; m < 3; m++) {
      gdouble t = bw_median (times[m], reps) * 1e3;

      printf ("%-12s %8.3f ms  (%.1f %% of the analysis)\n", names[m], t,
          100 * t / analysis);
    }
  }

  for (m = 0; m < 3; m++)
    g_free (times[m]);
  bw_analysis_free (an);
  g_free (grids);
  g_free (plane[0]);
  g_free (plane[1]);
  g_free (field);
  g_rand_free (rng);
  smooth_texture_clear (&tex);
  return 0;
}
