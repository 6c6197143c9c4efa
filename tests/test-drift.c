/* gst-blockwise: the global shift of drifting fluorescence time-lapses,
 * whatever its size up to a quarter of the frame.
 *
 * The frames are rendered here from one continuous scene (textured nuclei:
 * soft ellipses with Gaussian spots inside, on a camera offset), evaluated
 * at x - sx, so a sub-pixel shift is exact and the expected shift comes
 * from the synthesis, never from the library.  Each frame gets its own
 * photon and read noise and may be bleached (its signal scaled down).
 * Every frame is compared with the unbleached, unmoved first frame through
 * bw_analysis_run() with the default parameters (search radius 2, 16x16
 * blocks):
 *
 *  1. slow sub-pixel drift (in x, in y, diagonal), then sudden jumps of
 *     6 px, 30 px and near a quarter of the frame's smaller side, in x, y
 *     and diagonal, with bleaching: the global shift within 0.1 px of the
 *     truth wherever the drift is at least 0.5 px, needs-registration
 *     there, and not at the limit;
 *  2. a shift beyond a quarter of the frame: needs-registration, at the
 *     limit;
 *  3. still frames (unbleached, and bleached to half): the global shift
 *     (0, 0), not at the limit; unbleached, registered;
 *  4. a frame drifted 6 px (beyond the radius, so the search is centred on
 *     it) with a box moved 3 px further, and a shift tolerance of 8 px (the
 *     drift does not count as shifted): the box is still a region.
 *
 * Set BW_DRIFT_VERBOSE=1 to print every frame.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "registration.h"

#define SIDE 256
#define ACCURACY 0.1
#define OFFSET 100.0

static gboolean verbose;

/* A nucleus (spot FALSE: a soft ellipse) or a spot inside one. */
typedef struct
{
  gboolean spot;
  gdouble x, y;
  gdouble a, b, cos_t, sin_t;   /* ellipse half-axes, orientation */
  gdouble sigma;                /* spot */
  gdouble amp;
} Object;

/* The scene covers the frame and a margin around it wide enough for every
 * shift the test renders. */
static GArray *
make_scene (guint32 seed, gdouble margin)
{
  GRand *rnd = g_rand_new_with_seed (seed);
  GArray *objects = g_array_new (FALSE, FALSE, sizeof (Object));
  gdouble extent = SIDE + 2 * margin;
  gint n = (gint) (extent * extent / 900), i, j;

  for (i = 0; i < n; i++) {
    Object nuc = { FALSE };
    gdouble t = g_rand_double_range (rnd, 0, G_PI);
    gint spots = g_rand_int_range (rnd, 3, 7);

    nuc.x = g_rand_double_range (rnd, -margin, SIDE + margin);
    nuc.y = g_rand_double_range (rnd, -margin, SIDE + margin);
    nuc.a = g_rand_double_range (rnd, 7, 14);
    nuc.b = nuc.a * g_rand_double_range (rnd, 0.6, 1.0);
    nuc.cos_t = cos (t);
    nuc.sin_t = sin (t);
    nuc.amp = g_rand_double_range (rnd, 300, 800);
    g_array_append_val (objects, nuc);
    for (j = 0; j < spots; j++) {
      Object sp = { TRUE };
      gdouble r = g_rand_double_range (rnd, 0, 0.8) * nuc.b;
      gdouble phi = g_rand_double_range (rnd, 0, 2 * G_PI);

      sp.x = nuc.x + r * cos (phi);
      sp.y = nuc.y + r * sin (phi);
      sp.sigma = g_rand_double_range (rnd, 1.0, 2.5);
      sp.amp = g_rand_double_range (rnd, 100, 400);
      g_array_append_val (objects, sp);
    }
  }
  g_rand_free (rnd);
  return objects;
}

/* The frame of the scene moved by (sx, sy) (its content at x + sx), with
 * the signal scaled by bleach, photon noise (one count per photon) and
 * read noise of 3 counts. */
static guint16 *
render (const GArray * scene, gdouble sx, gdouble sy, gdouble bleach,
    guint32 seed)
{
  GRand *rnd = g_rand_new_with_seed (seed);
  gdouble *signal = g_new0 (gdouble, SIDE * SIDE);
  guint16 *out = g_new (guint16, SIDE * SIDE);
  guint i;
  gint x, y;

  for (i = 0; i < scene->len; i++) {
    const Object *o = &g_array_index (scene, Object, i);
    gdouble cx = o->x + sx, cy = o->y + sy;
    gdouble reach = o->spot ? 4 * o->sigma : 1.6 * o->a;
    gint x0 = MAX (0, (gint) floor (cx - reach));
    gint x1 = MIN (SIDE - 1, (gint) ceil (cx + reach));
    gint y0 = MAX (0, (gint) floor (cy - reach));
    gint y1 = MIN (SIDE - 1, (gint) ceil (cy + reach));

    for (y = y0; y <= y1; y++)
      for (x = x0; x <= x1; x++) {
        gdouble u = x - cx, v = y - cy;

        if (o->spot) {
          signal[y * SIDE + x] += o->amp * exp (-(u * u + v * v)
              / (2 * o->sigma * o->sigma));
        } else {
          gdouble p = (u * o->cos_t + v * o->sin_t) / o->a;
          gdouble q = (-u * o->sin_t + v * o->cos_t) / o->b;
          /* A soft edge about 1.5 px wide: the optics' blur. */
          gdouble d = (sqrt (p * p + q * q) - 1) * o->a / 1.5;

          signal[y * SIDE + x] += o->amp / (1 + exp (4 * d));
        }
      }
  }
  for (i = 0; i < SIDE * SIDE; i++) {
    gdouble s = (20 + signal[i]) * bleach;
    gdouble v = OFFSET + s + sqrt (s + 9) * (g_rand_double (rnd) * 2 - 1)
        * sqrt (3.0);

    out[i] = (guint16) CLAMP (lround (v), 0, 65535);
  }
  g_free (signal);
  g_rand_free (rnd);
  return out;
}

typedef struct
{
  guint frames, judged, verdict_right, accurate, not_at_limit;
  gdouble worst;
} Tally;

/* Compares frame with the reference; returns its summary. */
static void
analyse_with (const guint16 * ref, const guint16 * frame,
    gdouble shift_tolerance, BwSummary * summary)
{
  BwParams params;
  BwPlane p0 = { (const guint8 *) ref, SIDE * 2, BW_SAMPLE_U16LE };
  BwPlane p1 = { (const guint8 *) frame, SIDE * 2, BW_SAMPLE_U16LE };

  bw_params_init (&params);
  params.n_threads = 1;
  params.shift_tolerance = shift_tolerance;
  g_assert_true (bw_check_registration (&params, SIDE, SIDE, &p0, &p1, NULL,
          summary));
}

static void
analyse (const guint16 * ref, const guint16 * frame, BwSummary * summary)
{
  analyse_with (ref, frame, BW_DEFAULT_SHIFT_TOLERANCE, summary);
}

/* One frame moved by (sx, sy) against the reference: checks 1 and 3. */
static void
check_frame (const GArray * scene, const guint16 * ref, const gchar * what,
    gdouble sx, gdouble sy, gdouble bleach, guint32 seed, Tally * t)
{
  guint16 *frame = render (scene, sx, sy, bleach, seed);
  BwSummary s;
  const BwVerdict *v = &s.verdict;
  gdouble len = hypot (sx, sy), err;
  gboolean right;

  analyse (ref, frame, &s);
  err = hypot (v->shift_x - sx, v->shift_y - sy);
  if (verbose)
    g_print ("%-10s truth (%+7.2f, %+7.2f) bleach %.2f: (%+7.3f, %+7.3f) "
        "error %.3f %s%s\n", what, sx, sy, bleach, v->shift_x, v->shift_y,
        err, bw_verdict_name (v->verdict), v->shift_at_limit ?
        " at limit" : "");
  t->frames++;
  /* A still frame and every drift of at least 0.5 px are judged (the
   * significance of a shift of a few tenths depends on the noise). */
  if (len == 0 || len >= 0.5) {
    t->judged++;
    right = len == 0 ? v->verdict == BW_VERDICT_REGISTERED || bleach < 1
        : v->verdict == BW_VERDICT_NEEDS_REGISTRATION;
    t->verdict_right += right;
    t->accurate += err <= ACCURACY;
    t->worst = MAX (t->worst, err);
    t->not_at_limit += !v->shift_at_limit;
    if (err > ACCURACY || !right || v->shift_at_limit)
      g_printerr ("%s: truth (%.2f, %.2f), bleach %.2f: measured (%.3f, "
          "%.3f), %s%s\n", what, sx, sy, bleach, v->shift_x, v->shift_y,
          bw_verdict_name (v->verdict), v->shift_at_limit ? " at limit" : "");
  }
  g_free (frame);
}

static void
test_drifting_stack (void)
{
  /* The largest shift rendered: beyond a quarter of the side. */
  const gdouble beyond = SIDE / 4 + 16;
  GArray *scene = make_scene (7, beyond + 20);
  guint16 *ref = render (scene, 0, 0, 1, 1000);
  static const gdouble dirs[3][2] = { {1, 0}, {0, 1}, {M_SQRT1_2, -M_SQRT1_2}
  };
  static const gdouble jumps[] = { 6.3, 30.6, SIDE / 4 - 2.4 };
  Tally t = { 0 };
  guint32 seed = 1;
  guint d, k;

  /* 1. Slow drift, 0.3 px a frame, bleaching as it goes, then the jumps
   * (on a bleached frame). */
  for (d = 0; d < 3; d++) {
    for (k = 1; k <= 10; k++)
      check_frame (scene, ref, "drift", 0.3 * k * dirs[d][0],
          0.3 * k * dirs[d][1], exp (-(gdouble) k / 60), seed++, &t);
    for (k = 0; k < G_N_ELEMENTS (jumps); k++)
      check_frame (scene, ref, "jump", jumps[k] * dirs[d][0],
          jumps[k] * dirs[d][1], 0.5, seed++, &t);
  }
  /* 3. Still frames. */
  check_frame (scene, ref, "still", 0, 0, 1, seed++, &t);
  check_frame (scene, ref, "still", 0, 0, 0.5, seed++, &t);
  if (verbose)
    g_print ("%u frames, %u judged: verdict right on %u, shift within "
        "%.1f px on %u, worst error %.3f px\n", t.frames, t.judged,
        t.verdict_right, ACCURACY, t.accurate, t.worst);
  g_assert_cmpuint (t.accurate, ==, t.judged);
  g_assert_cmpuint (t.verdict_right, ==, t.judged);
  g_assert_cmpuint (t.not_at_limit, ==, t.judged);

  /* 2. Beyond the quarter: at the limit, in x, y and diagonal. */
  for (d = 0; d < 3; d++) {
    gdouble sx = beyond * (d == 2 ? 1 : dirs[d][0]);
    gdouble sy = beyond * (d == 2 ? 1 : dirs[d][1]);
    guint16 *frame = render (scene, sx, sy, 0.5, seed++);
    BwSummary s;

    analyse (ref, frame, &s);
    if (verbose)
      g_print ("beyond     truth (%+7.2f, %+7.2f): (%+7.3f, %+7.3f) %s%s\n",
          sx, sy, s.verdict.shift_x, s.verdict.shift_y,
          bw_verdict_name (s.verdict.verdict), s.verdict.shift_at_limit ?
          " at limit" : "");
    g_assert_true (s.verdict.shift_at_limit);
    g_assert_cmpint (s.verdict.verdict, ==, BW_VERDICT_NEEDS_REGISTRATION);
    g_free (frame);
  }
  g_free (ref);
  g_array_free (scene, TRUE);
}

/* Check 4: the reference of the regions is the drift the search was
 * centred on, even where the drift itself does not count. */
static void
test_region_beyond_uncounted_drift (void)
{
  const guint bx = 80, by = 96, bw = 96, bh = 80;
  GArray *scene = make_scene (7, 64);
  guint16 *ref = render (scene, 0, 0, 1.0, 1);
  guint16 *frame = render (scene, 6, 0, 1.0, 2);
  guint16 *moved = render (scene, 9, 0, 1.0, 2);
  BwSummary s;
  const BwRegion *reg;
  guint y;

  for (y = by; y < by + bh; y++)
    memcpy (frame + y * SIDE + bx, moved + y * SIDE + bx, bw * 2);
  analyse_with (ref, frame, 8.0, &s);
  if (verbose)
    g_printerr ("drift 6 px, box +3 px, tolerance 8: %s, shift (%.3f, %.3f)"
        " %s, %u regions\n", bw_verdict_name (s.verdict.verdict),
        s.verdict.shift_x, s.verdict.shift_y,
        s.verdict.shift_significant ? "counts" : "does not count",
        s.verdict.n_regions);
  g_assert_false (s.verdict.shift_significant);
  g_assert_cmpint (s.verdict.verdict, ==, BW_VERDICT_NEEDS_REGISTRATION);
  g_assert_cmpuint (s.verdict.n_regions, >=, 1);
  reg = &s.verdict.regions[0];
  /* The largest region lies on the box and moved about 3 px further. */
  g_assert_cmpuint (reg->x + reg->width, >, bx);
  g_assert_cmpuint (reg->x, <, bx + bw);
  g_assert_cmpuint (reg->y + reg->height, >, by);
  g_assert_cmpuint (reg->y, <, by + bh);
  g_assert_cmpfloat (fabs (reg->shift_x - 9), <, 1.0);
  g_free (moved);
  g_free (frame);
  g_free (ref);
  g_array_free (scene, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  verbose = g_getenv ("BW_DRIFT_VERBOSE") != NULL;
  g_test_add_func ("/drift/stack", test_drifting_stack);
  g_test_add_func ("/drift/region-beyond-uncounted-drift",
      test_region_beyond_uncounted_drift);
  return g_test_run ();
}
