/* gst-blockwise: the background estimates (analysis/background.c) against
 * a transcription of their definition written here: every quantile taken
 * from a sorted copy of the values it is defined over, each bin of the
 * pair's noise gathered by its own scan of all blocks.  The estimates must
 * give the same numbers bit for bit, on random grids (ties at the bins'
 * edges, NaN entries, flat blocks) and on structured ones (a dark
 * background and texture under photon noise, where the noise fit counts).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "background.h"

#define MAX_BINS 32
#define BIN_MIN_BLOCKS 16
#define FIT_QUANTILE 0.25
#define SPREAD 1.5
#define STAND_OUT 4.0

static gint
cmp_double (gconstpointer p, gconstpointer q)
{
  gdouble a = *(const gdouble *) p, b = *(const gdouble *) q;

  return a < b ? -1 : a > b;
}

/* The k-th smallest of v[0..n), by a sort of a copy. */
static gdouble
kth (const gdouble * v, gsize n, gsize k)
{
  gdouble *s = g_memdup2 (v, n * sizeof (gdouble)), r;

  qsort (s, n, sizeof (gdouble), cmp_double);
  r = s[k];
  g_free (s);
  return r;
}

static gdouble
median (const gdouble * v, gsize n)
{
  if (n == 0)
    return NAN;
  return 0.5 * (kth (v, n, (n - 1) / 2) + kth (v, n, n / 2));
}

static void
ref_estimate (const gfloat * mean, const gfloat * stddev, gsize n,
    BwBackground * out)
{
  gdouble *v = g_new (gdouble, n + 1), *d = g_new (gdouble, n + 1), cut;
  gsize m = 0, dark = 0, i;

  out->level = out->noise = out->min_intensity = NAN;
  for (i = 0; i < n; i++)
    if (!isnan (mean[i]) && !isnan (stddev[i]))
      v[m++] = mean[i];
  if (m > 0) {
    cut = kth (v, m, (m - 1) / 10);
    for (i = 0; i < n; i++)
      if (!isnan (mean[i]) && !isnan (stddev[i]) && mean[i] <= cut) {
        v[dark] = mean[i];
        d[dark++] = stddev[i];
      }
    out->level = median (v, dark);
    out->noise = median (d, dark);
    m = 0;
    for (i = 0; i < n; i++)
      if (!isnan (mean[i]) && !isnan (stddev[i]))
        v[m++] = stddev[i];
    if (kth (v, m, m - 1 - (m - 1) / 20) > 2.0 * out->noise)
      out->min_intensity = out->level + 3.0 * out->noise;
  }
  g_free (v);
  g_free (d);
}

static gdouble
ref_diff (const gfloat * m0, const gfloat * m1, const gfloat * s0,
    const gfloat * s1, const gfloat * cov, gsize i)
{
  gdouble d;

  if (isnan (m0[i]) || isnan (m1[i]) || isnan (cov[i]) || !(s0[i] > 0)
      || !(s1[i] > 0))
    return NAN;
  d = (gdouble) s0[i] * s0[i] + (gdouble) s1[i] * s1[i] - 2.0 * cov[i];
  return d > 0 ? d : NAN;
}

static gdouble
ref_loss (const gdouble * x, const gdouble * v, guint m, gdouble a, gdouble b)
{
  gdouble loss = 0;
  guint k;

  for (k = 0; k < m; k++) {
    gdouble res = (v[k] - a - b * x[k]) / v[k];

    loss += res >= 0 ? FIT_QUANTILE * res : (FIT_QUANTILE - 1.0) * res;
  }
  return loss;
}

/* The line of least check loss through one point and the origin, or two
 * points at least SPREAD apart (the first found wins ties). */
static gboolean
ref_fit (const gdouble * x, const gdouble * v, guint m, gdouble * a,
    gdouble * b)
{
  gdouble best = INFINITY, loss;
  guint i, j;

  for (i = 0; i < m; i++) {
    if (!(x[i] > 0))
      continue;
    loss = ref_loss (x, v, m, 0, v[i] / x[i]);
    if (loss < best) {
      best = loss;
      *a = 0;
      *b = v[i] / x[i];
    }
    for (j = 0; j < m; j++) {
      gdouble slope;

      if (!(x[j] >= SPREAD * x[i]) || v[j] < v[i])
        continue;
      slope = (v[j] - v[i]) / (x[j] - x[i]);
      loss = ref_loss (x, v, m, v[i] - slope * x[i], slope);
      if (loss < best) {
        best = loss;
        *a = v[i] - slope * x[i];
        *b = slope;
      }
    }
  }
  return isfinite (best);
}

static void
ref_estimate_noise (const gfloat * m0, const gfloat * m1, const gfloat * s0,
    const gfloat * s1, const gfloat * cov, gsize n, guint px,
    BwBackground bg[2])
{
  gdouble *w = g_new (gdouble, n + 1), edges[MAX_BINS + 1];
  gdouble x[MAX_BINS], v[MAX_BINS], a = NAN, b = NAN, k, c, q, ratio;
  gsize m = 0, i;
  guint bins, bin, fitted = 0;

  for (bin = 0; bin < 2; bin++)
    bg[bin].noise_var_offset = bg[bin].noise_var_slope =
        bg[bin].noise_mean_max = NAN;
  if (px < 8)
    goto out;
  k = px - 1.0;
  c = 2.0 / (9.0 * k);
  q = 1.0 - c - 1.2816 * sqrt (c);
  ratio = q * q * q * k / px;
  for (i = 0; i < n; i++)
    if (!isnan (ref_diff (m0, m1, s0, s1, cov, i)))
      w[m++] = (gdouble) m0[i] + m1[i];
  bins = MIN (MAX_BINS, m / BIN_MIN_BLOCKS);
  if (bins < 2)
    goto out;
  for (bin = 0; bin < bins; bin++)
    edges[bin] = kth (w, m, bin * m / bins);
  edges[bins] = INFINITY;
  for (bin = 0; bin < bins; bin++) {
    gsize count = 0;
    gdouble low;

    for (i = 0; i < n; i++) {
      gdouble d = ref_diff (m0, m1, s0, s1, cov, i), s = (gdouble) m0[i]
          + m1[i];

      if (!isnan (d) && s >= edges[bin] && s < edges[bin + 1])
        w[count++] = d;
    }
    if (count < BIN_MIN_BLOCKS)
      continue;
    low = kth (w, count, count / 10);
    count = 0;
    for (i = 0; i < n; i++) {
      gdouble d = ref_diff (m0, m1, s0, s1, cov, i), s = (gdouble) m0[i]
          + m1[i];

      if (!isnan (d) && s >= edges[bin] && s < edges[bin + 1])
        w[count++] = s;
    }
    x[fitted] = median (w, count);
    v[fitted++] = low / ratio;
  }
  if (!ref_fit (x, v, fitted, &a, &b))
    goto out;
  m = 0;
  for (i = 0; i < n; i++) {
    gdouble s = (gdouble) m0[i] + m1[i], noise = a + b * s;

    if (!isnan (s) && !isnan (s0[i]) && !isnan (s1[i]) && noise > 0)
      w[m++] = ((gdouble) s0[i] * s0[i] + (gdouble) s1[i] * s1[i]) / noise;
  }
  if (m == 0 || kth (w, m, m - 1 - (m - 1) / 20) < STAND_OUT)
    goto out;
  for (bin = 0; bin < 2; bin++) {
    gdouble at_level = 0.5 * a + b * bg[bin].level;

    bg[bin].noise_var_offset = 0.5 * a;
    bg[bin].noise_var_slope = b;
    bg[bin].noise_mean_max = 0.5 * x[fitted - 1];
    if (at_level > 0 && bg[bin].noise * bg[bin].noise > STAND_OUT * at_level)
      bg[bin].min_intensity = NAN;
  }
out:
  g_free (w);
}

typedef struct
{
  gsize n;
  gfloat *mean[2], *stddev[2], *cov;
} Grid;

static void
grid_init (Grid * g, gsize n)
{
  guint k;

  g->n = n;
  for (k = 0; k < 2; k++) {
    g->mean[k] = g_new (gfloat, n + 1);
    g->stddev[k] = g_new (gfloat, n + 1);
  }
  g->cov = g_new (gfloat, n + 1);
}

static void
grid_clear (Grid * g)
{
  guint k;

  for (k = 0; k < 2; k++) {
    g_free (g->mean[k]);
    g_free (g->stddev[k]);
  }
  g_free (g->cov);
}

/* Random statistics: means from a few values (ties at the bins' edges) or
 * continuous, some NaN, some flat blocks, covariances of either sign. */
static void
grid_random (Grid * g, GRand * rng, gboolean ties)
{
  gsize i;
  guint k;

  for (i = 0; i < g->n; i++) {
    for (k = 0; k < 2; k++) {
      g->mean[k][i] = ties ? g_rand_int_range (rng, 0, 12) * 50.0f :
          (gfloat) g_rand_double_range (rng, 0, 4000);
      g->stddev[k][i] = g_rand_int_range (rng, 0, 20) == 0 ? 0.0f :
          (gfloat) g_rand_double_range (rng, 0, 60);
      if (g_rand_int_range (rng, 0, 50) == 0)
        g->mean[k][i] = NAN;
    }
    g->cov[i] = (gfloat) (g_rand_double_range (rng, -1, 1)
        * g->stddev[0][i] * g->stddev[1][i]);
    if (g_rand_int_range (rng, 0, 60) == 0)
      g->cov[i] = NAN;
  }
}

/* A dark background with photon noise (variance 20 + 0.5 mean) and, on a
 * part of the blocks, brighter texture that both images share. */
static void
grid_structured (Grid * g, GRand * rng, gdouble texture_fraction)
{
  gsize i;
  guint k;

  for (i = 0; i < g->n; i++) {
    gboolean texture = g_rand_double (rng) < texture_fraction;
    gdouble level = texture ? g_rand_double_range (rng, 300, 3000) :
        g_rand_double_range (rng, 90, 110);
    gdouble signal = texture ? g_rand_double_range (rng, 50, 400) : 0;
    gdouble noise_var = 20 + 0.5 * level, n0, n1;

    /* Each image's noise variance scattered as a variance of 256 pixels. */
    n0 = noise_var * (1 + 0.09 * g_rand_double_range (rng, -1.7, 1.7));
    n1 = noise_var * (1 + 0.09 * g_rand_double_range (rng, -1.7, 1.7));
    for (k = 0; k < 2; k++)
      g->mean[k][i] = (gfloat) (level + g_rand_double_range (rng, -2, 2));
    g->stddev[0][i] = (gfloat) sqrt (signal * signal + n0);
    g->stddev[1][i] = (gfloat) sqrt (signal * signal + n1);
    g->cov[i] = (gfloat) (signal * signal
        + g_rand_double_range (rng, -0.05, 0.05) * noise_var);
  }
}

static gboolean
same (gdouble a, gdouble b)
{
  return (isnan (a) && isnan (b)) || a == b;
}

static void
assert_same_background (const BwBackground * got, const BwBackground * want,
    const gchar * what, guint image)
{
  const gdouble g[] = { got->level, got->noise, got->min_intensity,
    got->noise_var_offset, got->noise_var_slope, got->noise_mean_max
  };
  const gdouble w[] = { want->level, want->noise, want->min_intensity,
    want->noise_var_offset, want->noise_var_slope, want->noise_mean_max
  };
  static const gchar *names[] = { "level", "noise", "min_intensity",
    "noise_var_offset", "noise_var_slope", "noise_mean_max"
  };
  guint k;

  for (k = 0; k < G_N_ELEMENTS (g); k++)
    if (!same (g[k], w[k]))
      g_error ("%s, image %u: %s is %.17g, the definition gives %.17g", what,
          image, names[k], g[k], w[k]);
}

/* Both estimates of a grid against the definition; TRUE when the pair's
 * noise was found. */
static gboolean
check_grid (const Grid * g, guint px, const gchar * what)
{
  gdouble *work = g_new (gdouble, 2 * g->n + 1);
  BwBackground got[2], want[2];
  guint k;

  for (k = 0; k < 2; k++) {
    bw_background_estimate (g->mean[k], g->stddev[k], g->n, work, &got[k]);
    ref_estimate (g->mean[k], g->stddev[k], g->n, &want[k]);
  }
  bw_background_estimate_noise (g->mean[0], g->mean[1], g->stddev[0],
      g->stddev[1], g->cov, g->n, px, work, got);
  ref_estimate_noise (g->mean[0], g->mean[1], g->stddev[0], g->stddev[1],
      g->cov, g->n, px, want);
  for (k = 0; k < 2; k++)
    assert_same_background (&got[k], &want[k], what, k);
  g_free (work);
  return !isnan (got[0].noise_var_slope);
}

static void
test_random (void)
{
  GRand *rng = g_rand_new_with_seed (24);
  static const gsize sizes[] = { 0, 1, 15, 31, 32, 33, 100, 511, 512, 600,
    2000, 5003
  };
  guint s, rep;

  for (s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (rep = 0; rep < 4; rep++) {
      Grid g;
      gchar *what = g_strdup_printf ("random grid of %" G_GSIZE_FORMAT
          " blocks, rep %u", sizes[s], rep);

      grid_init (&g, sizes[s]);
      grid_random (&g, rng, rep % 2 == 0);
      check_grid (&g, rep == 3 ? 4 : 256, what);
      grid_clear (&g);
      g_free (what);
    }
  g_rand_free (rng);
}

static void
test_structured (void)
{
  GRand *rng = g_rand_new_with_seed (7);
  static const gdouble fractions[] = { 0, 0.02, 0.1, 0.3, 0.6, 0.95 };
  static const gsize sizes[] = { 300, 4000, 30000 };
  guint f, s, found = 0;

  for (s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (f = 0; f < G_N_ELEMENTS (fractions); f++) {
      Grid g;
      gchar *what = g_strdup_printf ("structured grid of %" G_GSIZE_FORMAT
          " blocks, %.0f %% texture", sizes[s], 100 * fractions[f]);

      grid_init (&g, sizes[s]);
      grid_structured (&g, rng, fractions[f]);
      found += check_grid (&g, 256, what);
      grid_clear (&g);
      g_free (what);
    }
  /* The whole path, fit and stand-out test included, was compared. */
  g_assert_cmpuint (found, >, 0);
  g_rand_free (rng);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/background/random", test_random);
  g_test_add_func ("/background/structured", test_structured);
  return g_test_run ();
}
