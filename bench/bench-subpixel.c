/* gst-blockwise: sub-pixel accuracy of the displacement search against the
 * PIV peer, on the same blocks.
 *
 * Pairs are rendered from a continuous band-limited texture
 * (tests/smooth-texture.h: the smoothness of a picture upsampled twice) as
 * GRAY16 frames, B moved by 0.0 .. 2.3 px along x, y and the diagonal, with
 * Gaussian noise of sd 0, 10, 30 and 100 counts on both frames (texture sd
 * --sd, 500 by default).  On every interior block, with 16 and 32 px
 * blocks:
 *   ours: bw_search_rows() (exact r, quadratic fit, window deformation);
 *   peer: normalized cross-correlation over the same search window, and a
 *         three-point Gaussian fit per axis around its best offset (a
 *         parabola where a value is not positive), as PIV tools do.
 * Printed: RMS and p95 of the per-block error (px) overall and by true
 * fraction, and the peak-locking bias (mean signed error along the shift
 * by true fraction).  Run by hand: bench-subpixel [--sd SD] [--seeds N].
 *
 * bench-subpixel --time instead times the block sums and the search at
 * radius 2 (one thread, CPU time, median of 15) on a textured GRAY16
 * 1920x1080 pair moved by (0.3, 0.7) px with noise sd 10, 16 px blocks:
 * the cost of the search where every block is signal.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "bench-common.h"
#include "displacement.h"
#include "smooth-texture.h"

#define SIDE 256
#define RADIUS 3
#define N_SHIFTS 24             /* 0.0 .. 2.3 px */
#define N_FRACTIONS 10

static const gint directions[3][2] = { {1, 0}, {0, 1}, {1, 1} };
static const gdouble noises[] = { 0, 10, 30, 100 };
static const guint blocks[] = { 16, 32 };

typedef enum
{
  OURS,
  PEER,
  N_METHODS
} Method;

static const gchar *method_names[] = { "blockcorr", "NCC + Gaussian" };

/* Errors of one method: all of them, and by true fraction. */
typedef struct
{
  GArray *err;                  /* gdouble, per block */
  GArray *by_frac[N_FRACTIONS];
  gdouble bias_sum[N_FRACTIONS];
  guint bias_n[N_FRACTIONS];
} Errors;

static void
errors_init (Errors * e)
{
  guint f;

  memset (e, 0, sizeof (*e));
  e->err = g_array_new (FALSE, FALSE, sizeof (gdouble));
  for (f = 0; f < N_FRACTIONS; f++)
    e->by_frac[f] = g_array_new (FALSE, FALSE, sizeof (gdouble));
}

static void
errors_clear (Errors * e)
{
  guint f;

  g_array_free (e->err, TRUE);
  for (f = 0; f < N_FRACTIONS; f++)
    g_array_free (e->by_frac[f], TRUE);
}

static gint
cmp_double (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y;
}

static void
rms_p95 (GArray * a, gdouble * rms, gdouble * p95)
{
  gdouble s = 0;
  guint i;

  if (a->len == 0) {
    *rms = *p95 = NAN;
    return;
  }
  for (i = 0; i < a->len; i++)
    s += g_array_index (a, gdouble, i) * g_array_index (a, gdouble, i);
  *rms = sqrt (s / a->len);
  g_array_sort (a, cmp_double);
  *p95 = g_array_index (a, gdouble, MIN (a->len - 1, (guint) (0.95 * a->len)));
}

/* Zero-mean normalized cross-correlation of A's block at (x0, y0) with B's
 * window moved by (dx, dy), in double; NaN outside the frame or flat. */
static gdouble
ncc (const guint16 * a, const guint16 * b, gint x0, gint y0, gint bs,
    gint dx, gint dy)
{
  gdouble sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, n = bs * bs;
  gint x, y;

  if (x0 + dx < 0 || y0 + dy < 0 || x0 + dx + bs > SIDE || y0 + dy + bs > SIDE)
    return NAN;
  for (y = 0; y < bs; y++)
    for (x = 0; x < bs; x++) {
      gdouble va = a[(y0 + y) * SIDE + x0 + x];
      gdouble vb = b[(y0 + y + dy) * SIDE + x0 + x + dx];

      sa += va;
      sb += vb;
      saa += va * va;
      sbb += vb * vb;
      sab += va * vb;
    }
  saa -= sa * sa / n;
  sbb -= sb * sb / n;
  sab -= sa * sb / n;
  if (!(saa > 0) || !(sbb > 0))
    return NAN;
  return sab / sqrt (saa * sbb);
}

/* Three-point Gaussian peak (a parabola where a value is not positive),
 * within half a pixel; 0 without a peak. */
static gdouble
gauss3 (gdouble lo, gdouble mid, gdouble hi)
{
  gdouble d;

  if (!isfinite (lo) || !isfinite (hi))
    return 0;
  if (lo > 0 && mid > 0 && hi > 0) {
    gdouble l = log (lo), m = log (mid), h = log (hi);

    d = l - 2 * m + h;
    d = d < 0 ? 0.5 * (l - h) / d : 0;
  } else {
    d = lo - 2 * mid + hi;
    d = d < 0 ? 0.5 * (lo - hi) / d : 0;
  }
  return CLAMP (d, -0.5, 0.5);
}

/* The peer's estimate for one block: the best NCC in [-R, R]², a Gaussian
 * fit per axis with neighbours one pixel beyond where needed. */
static void
peer_block (const guint16 * a, const guint16 * b, gint x0, gint y0, gint bs,
    gdouble * ex, gdouble * ey)
{
  gdouble best = -INFINITY;
  gint bx = 0, by = 0, x, y;

  for (y = -RADIUS; y <= RADIUS; y++)
    for (x = -RADIUS; x <= RADIUS; x++) {
      gdouble r = ncc (a, b, x0, y0, bs, x, y);

      if (r > best) {
        best = r;
        bx = x;
        by = y;
      }
    }
  *ex = bx + gauss3 (ncc (a, b, x0, y0, bs, bx - 1, by), best,
      ncc (a, b, x0, y0, bs, bx + 1, by));
  *ey = by + gauss3 (ncc (a, b, x0, y0, bs, bx, by - 1), best,
      ncc (a, b, x0, y0, bs, bx, by + 1));
}

/* This thread's CPU time: steadier than the wall clock on a shared
 * machine. */
static gdouble
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int
time_search (gdouble sd)
{
  const guint w = 1920, h = 1080, reps = 15;
  SmoothTexture tex;
  GRand *rng = g_rand_new_with_seed (5);
  gdouble *f = g_new (gdouble, w * h), scale, times[15];
  guint8 *da = g_new (guint8, 2 * w * h), *db = g_new (guint8, 2 * w * h);
  BwGeometry geom = { w, h, 16, 16, BW_EDGE_TRIM };
  BwPlane pa = { da, 2 * w, BW_SAMPLE_U16LE };
  BwPlane pb = { db, 2 * w, BW_SAMPLE_U16LE };
  BwScratch *scratch = bw_scratch_new ();
  BwStatsPlan plan;
  BwBlockSums *sums;
  BwBlockShift *out;
  guint i;

  smooth_texture_init (&tex, w, h, 77);
  smooth_texture_render (&tex, 0, 0, f);
  scale = sd / smooth_texture_sd (f, w * h);
  smooth_texture_store (f, w * h, 20000, scale, 10, rng, TRUE, FALSE, da);
  smooth_texture_render (&tex, 0.3, 0.7, f);
  smooth_texture_store (f, w * h, 20000, scale, 10, rng, TRUE, FALSE, db);
  g_assert (bw_stats_plan_init (&plan, BW_IMPL_AUTO, &geom, &pa, &pb));
  sums = g_new (BwBlockSums, plan.cols * plan.rows);
  out = g_new (BwBlockShift, plan.cols * plan.rows);
  for (i = 0; i < reps; i++) {
    gdouble t0 = cpu_seconds ();

    bw_stats_plan_rows (&plan, scratch, 0, plan.rows, sums);
    bw_search_rows (&plan, scratch, 2, 0, plan.rows, sums, out);
    times[i] = cpu_seconds () - t0;
  }
  qsort (times, reps, sizeof (gdouble), (GCompareFunc) cmp_double);
  printf ("GRAY16 %ux%u, 16 px blocks, textured, radius 2: %.2f ms of CPU per "
      "frame (median of %u)\n", w, h, 1e3 * times[reps / 2], reps);
  g_free (sums);
  g_free (out);
  g_free (f);
  g_free (da);
  g_free (db);
  bw_scratch_free (scratch);
  smooth_texture_clear (&tex);
  g_rand_free (rng);
  return 0;
}

static void
add_error (Errors * e, gint frac, const gint dir[2], gdouble ex, gdouble ey)
{
  gdouble d = hypot (ex, ey);
  /* Signed error along the shift. */
  gdouble along = (dir[0] * ex + dir[1] * ey) / (dir[0] + dir[1]);

  if (!isfinite (d))
    d = 10;                     /* no estimate: counts as a miss */
  g_array_append_val (e->err, d);
  g_array_append_val (e->by_frac[frac], d);
  if (isfinite (along)) {
    e->bias_sum[frac] += along;
    e->bias_n[frac]++;
  }
}

int
main (int argc, char **argv)
{
  gdouble sd = 500;
  gint n_seeds = 2, i;
  gboolean timing = FALSE;
  guint bi, ni, m, f;
  BwScratch *scratch = bw_scratch_new ();
  gdouble *rest = g_new (gdouble, SIDE * SIDE);
  gdouble *moved = g_new (gdouble, SIDE * SIDE);
  guint16 *a16 = g_new (guint16, SIDE * SIDE);
  guint16 *b16 = g_new (guint16, SIDE * SIDE);
  guint8 *abytes = g_new (guint8, 2 * SIDE * SIDE);
  guint8 *bbytes = g_new (guint8, 2 * SIDE * SIDE);
  Errors errs[G_N_ELEMENTS (blocks)][G_N_ELEMENTS (noises)][N_METHODS];
  gdouble seconds[N_METHODS] = { 0, 0 };
  guint64 n_blocks = 0, n_searched = 0;

  for (i = 1; i < argc; i++) {
    if (g_str_equal (argv[i], "--sd") && i + 1 < argc)
      sd = g_ascii_strtod (argv[++i], NULL);
    else if (g_str_equal (argv[i], "--time"))
      timing = TRUE;
    else if (g_str_equal (argv[i], "--seeds") && i + 1 < argc)
      n_seeds = atoi (argv[++i]);
    else {
      fprintf (stderr, "usage: %s [--sd SD] [--seeds N] [--time]\n", argv[0]);
      return 2;
    }
  }
  if (!(sd > 0 && sd < 10000) || n_seeds < 1) {
    fprintf (stderr, "%s: --sd must lie in (0, 10000), --seeds above 0\n",
        argv[0]);
    return 2;
  }
  if (timing)
    return time_search (sd);
  for (bi = 0; bi < G_N_ELEMENTS (blocks); bi++)
    for (ni = 0; ni < G_N_ELEMENTS (noises); ni++)
      for (m = 0; m < N_METHODS; m++)
        errors_init (&errs[bi][ni][m]);

  for (i = 0; i < n_seeds; i++) {
    SmoothTexture tex;
    GRand *rng = g_rand_new_with_seed (100 + i);
    gdouble scale;
    guint d, s;

    smooth_texture_init (&tex, SIDE, SIDE, 1000 + i);
    smooth_texture_render (&tex, 0, 0, rest);
    scale = sd / smooth_texture_sd (rest, SIDE * SIDE);
    for (d = 0; d < G_N_ELEMENTS (directions); d++)
      for (s = 0; s < N_SHIFTS; s++) {
        gdouble t = s / 10.0;
        gdouble tx = t * directions[d][0], ty = t * directions[d][1];

        smooth_texture_render (&tex, tx, ty, moved);
        for (ni = 0; ni < G_N_ELEMENTS (noises); ni++) {
          smooth_texture_store (rest, SIDE * SIDE, 20000, scale, noises[ni],
              rng, TRUE, FALSE, abytes);
          smooth_texture_store (moved, SIDE * SIDE, 20000, scale,
              noises[ni], rng, TRUE, FALSE, bbytes);
          memcpy (a16, abytes, 2 * SIDE * SIDE);
          memcpy (b16, bbytes, 2 * SIDE * SIDE);
          for (bi = 0; bi < G_N_ELEMENTS (blocks); bi++) {
            const guint bs = blocks[bi];
            BwGeometry geom = { SIDE, SIDE, bs, bs, BW_EDGE_TRIM };
            BwPlane pa = { abytes, 2 * SIDE, BW_SAMPLE_U16LE };
            BwPlane pb = { bbytes, 2 * SIDE, BW_SAMPLE_U16LE };
            BwStatsPlan plan;
            BwBlockSums *sums;
            BwBlockShift *out;
            guint col, row;
            gdouble t0;

            if (G_BYTE_ORDER != G_LITTLE_ENDIAN)
              g_error ("the peer reads the frames as native 16-bit");
            g_assert (bw_stats_plan_init (&plan, BW_IMPL_AUTO, &geom, &pa,
                    &pb));
            sums = g_new (BwBlockSums, plan.cols * plan.rows);
            out = g_new (BwBlockShift, plan.cols * plan.rows);
            t0 = now_seconds ();
            bw_stats_plan_rows (&plan, scratch, 0, plan.rows, sums);
            bw_search_rows (&plan, scratch, RADIUS, 0, plan.rows, sums, out);
            seconds[OURS] += now_seconds () - t0;
            n_searched += plan.cols * plan.rows;
            for (row = 1; row + 1 < plan.rows; row++)
              for (col = 1; col + 1 < plan.cols; col++) {
                const BwBlockShift *o = &out[row * plan.cols + col];
                gdouble px, py;

                add_error (&errs[bi][ni][OURS], s % 10, directions[d],
                    o->dx - tx, o->dy - ty);
                t0 = now_seconds ();
                peer_block (a16, b16, col * bs, row * bs, bs, &px, &py);
                seconds[PEER] += now_seconds () - t0;
                add_error (&errs[bi][ni][PEER], s % 10, directions[d],
                    px - tx, py - ty);
                n_blocks++;
              }
            g_free (sums);
            g_free (out);
          }
        }
      }
    g_rand_free (rng);
    smooth_texture_clear (&tex);
  }

  printf ("Smooth texture, sd %.0f counts on GRAY16, %d scene(s) of %dx%d, "
      "shifts 0.0-2.3 px along x, y, diagonal, radius %d; interior "
      "blocks.\n", sd, n_seeds, SIDE, SIDE, RADIUS);
  for (bi = 0; bi < G_N_ELEMENTS (blocks); bi++)
    for (ni = 0; ni < G_N_ELEMENTS (noises); ni++) {
      printf ("\n%u px blocks, noise sd %.0f (%u blocks per method)\n",
          blocks[bi], noises[ni], errs[bi][ni][OURS].err->len);
      for (m = 0; m < N_METHODS; m++) {
        Errors *e = &errs[bi][ni][m];
        gdouble rms, p95;

        rms_p95 (e->err, &rms, &p95);
        printf ("  %-15s RMS %.3f  p95 %.3f\n", method_names[m], rms, p95);
      }
      printf ("  fraction          ");
      for (f = 0; f < N_FRACTIONS; f++)
        printf ("  %4.1f", f / 10.0);
      printf ("\n");
      for (m = 0; m < N_METHODS; m++) {
        Errors *e = &errs[bi][ni][m];
        const gchar *what[] = { "RMS", "p95", "bias" };
        guint w;

        for (w = 0; w < 3; w++) {
          printf ("  %-9s %-4s    ", m == OURS ? "blockcorr" : "peer", what[w]);
          for (f = 0; f < N_FRACTIONS; f++) {
            gdouble rms, p95;

            rms_p95 (e->by_frac[f], &rms, &p95);
            if (w < 2)
              printf (" %5.3f", w == 0 ? rms : p95);
            else
              printf (" %+.3f", e->bias_sum[f] / MAX (e->bias_n[f], 1));
          }
          printf ("\n");
        }
      }
    }
  printf ("\nTime per block: blockcorr %.2f us (search and refinement, "
      "radius %d), peer %.2f us (plain C)\n",
      1e6 * seconds[OURS] / n_searched, RADIUS, 1e6 * seconds[PEER] / n_blocks);

  for (bi = 0; bi < G_N_ELEMENTS (blocks); bi++)
    for (ni = 0; ni < G_N_ELEMENTS (noises); ni++)
      for (m = 0; m < N_METHODS; m++)
        errors_clear (&errs[bi][ni][m]);
  g_free (rest);
  g_free (moved);
  g_free (a16);
  g_free (b16);
  g_free (abytes);
  g_free (bbytes);
  bw_scratch_free (scratch);
  return 0;
}
