/* gst-blockwise: unit tests of the medians (analysis/summary.c) against a
 * sort: the median of r values, of any values, with NaN among them, and
 * selection of the k-th value.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "summary.h"

static int
cmp_double (const void *a, const void *b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y;
}

/* The median of the values that are not NaN by a full sort: the
 * reference. */
static gdouble
sorted_median (const gdouble * v, gsize n)
{
  gdouble *s = g_new (gdouble, n + 1), m = NAN;
  gsize i, k = 0;

  for (i = 0; i < n; i++)
    if (!isnan (v[i]))
      s[k++] = v[i];
  qsort (s, k, sizeof (gdouble), cmp_double);
  if (k)
    m = k % 2 ? s[k / 2] : 0.5 * (s[k / 2 - 1] + s[k / 2]);
  g_free (s);
  return m;
}

/* Replaces each value by NaN with probability nan_share. */
static void
sprinkle_nan (GRand * rand, gdouble * v, gsize n, gdouble nan_share)
{
  gsize i;

  for (i = 0; i < n; i++)
    if (g_rand_double (rand) < nan_share)
      v[i] = NAN;
}

/* Equal values, or both NaN. */
static gboolean
same (gdouble a, gdouble b)
{
  return a == b || (isnan (a) && isnan (b));
}

/* NaN shares of the tests: none, a few, most, all. */
static const gdouble nan_shares[] = { 0.0, 0.1, 0.9, 1.0 };

/* Values of several shapes: uniform on [-1, 1], clustered near 1 (a
 * registered pair), few distinct values (ties), values on the histogram's
 * bin edges, and the ends -1 and 1. */
static gdouble
draw (GRand * rand, guint shape)
{
  switch (shape) {
    case 0:
      return g_rand_double_range (rand, -1.0, 1.0);
    case 1:
      return 1.0 - g_rand_double_range (rand, 0.0, 1e-3);
    case 2:
      return (g_rand_int_range (rand, 0, 5) - 2) / 2.0;
    case 3:
      return g_rand_int_range (rand, 0, BW_MEDIAN_BINS + 1) * 2.0 /
          BW_MEDIAN_BINS - 1.0;
    default:
      return g_rand_boolean (rand) ? 1.0 : -1.0;
  }
}

static void
test_median_against_sort (void)
{
  GRand *rand = g_rand_new_with_seed (20261130);
  guint *bins = g_new (guint, BW_MEDIAN_BINS);
  static const gsize sizes[] = { 1, 2, 3, 4, 5, 16, 17, 1000, 1001, 8160 };
  guint shape, si, rep;

  for (shape = 0; shape < 5; shape++)
    for (si = 0; si < G_N_ELEMENTS (sizes); si++)
      for (rep = 0; rep < 20; rep++) {
        gsize n = sizes[si], i;
        gdouble *v = g_new (gdouble, n), expected, got;

        for (i = 0; i < n; i++)
          v[i] = draw (rand, shape);
        sprinkle_nan (rand, v, n, nan_shares[rep % 4]);
        expected = sorted_median (v, n);
        got = bw_median_r (v, n, bins);
        if (!same (got, expected))
          g_error ("shape %u, n %" G_GSIZE_FORMAT ": median %.17g, sort says "
              "%.17g", shape, n, got, expected);
        g_free (v);
      }
  g_free (bins);
  g_rand_free (rand);
}

static void
test_median_empty (void)
{
  guint *bins = g_new (guint, BW_MEDIAN_BINS);

  g_assert_true (isnan (bw_median_r (NULL, 0, bins)));
  g_assert_true (isnan (bw_median (NULL, 0)));
  g_free (bins);
}

static void
test_select_kth (void)
{
  GRand *rand = g_rand_new_with_seed (7);
  guint rep;

  for (rep = 0; rep < 200; rep++) {
    gsize n = g_rand_int_range (rand, 1, 300), k, i;
    gdouble *v = g_new (gdouble, n), *sorted;

    for (i = 0; i < n; i++)
      v[i] = g_rand_int_range (rand, 0, 20);    /* many ties */
    sorted = g_memdup2 (v, n * sizeof (gdouble));
    qsort (sorted, n, sizeof (gdouble), cmp_double);
    k = g_rand_int_range (rand, 0, n);
    g_assert_cmpfloat (bw_select_kth (v, n, k), ==, sorted[k]);
    /* The partition the header promises. */
    for (i = 0; i < k; i++)
      g_assert_cmpfloat (v[i], <=, v[k]);
    for (i = k + 1; i < n; i++)
      g_assert_cmpfloat (v[i], >=, v[k]);
    g_free (sorted);
    g_free (v);
  }
  g_rand_free (rand);
}

static void
test_select_many (void)
{
  GRand *rand = g_rand_new_with_seed (17);
  guint rep;

  for (rep = 0; rep < 200; rep++) {
    gsize n = g_rand_int_range (rand, 1, 400), ks[40], i;
    guint nk = 0, j;
    gdouble *v = g_new (gdouble, n), *sorted, got[40];

    for (i = 0; i < n; i++)
      v[i] = rep % 2 ? g_rand_int_range (rand, 0, 20) : g_rand_double (rand);
    sorted = g_memdup2 (v, n * sizeof (gdouble));
    qsort (sorted, n, sizeof (gdouble), cmp_double);
    /* Increasing ranks, some side by side, the first and last among them. */
    for (i = 0; i < n && nk < G_N_ELEMENTS (ks); i++)
      if (i == 0 || i == n - 1 || g_rand_int_range (rand, 0, 8) == 0)
        ks[nk++] = i;
    bw_select_many (v, n, ks, nk, got);
    for (j = 0; j < nk; j++)
      g_assert_cmpfloat (got[j], ==, sorted[ks[j]]);
    g_free (sorted);
    g_free (v);
  }
  g_rand_free (rand);
}

static void
test_select_ranks (void)
{
  GRand *rand = g_rand_new_with_seed (29);
  guint rep;

  for (rep = 0; rep < 120; rep++) {
    /* One rank of many values takes the histogram's path too. */
    gboolean one = rep % 3 == 0;
    gsize n = one ? g_rand_int_range (rand, 30000, 70000) :
        g_rand_int_range (rand, 1, 20000), ks[BW_SELECT_MAX_RANKS], i;
    guint nk = 0, j, kind = rep % 5;
    gdouble *v = g_new (gdouble, n), *copy, *sorted, *scratch, got[64];

    for (i = 0; i < n; i++) {
      switch (kind) {
        case 0:                /* continuous */
          v[i] = g_rand_double_range (rand, -50, 3000);
          break;
        case 1:                /* many ties */
          v[i] = g_rand_int_range (rand, 0, 20);
          break;
        case 2:                /* nearly all in one bin, and outliers */
          v[i] = g_rand_int_range (rand, 0, 100) ? 1.0 + 1e-9 *
              g_rand_double (rand) : g_rand_boolean (rand) ? 1e300 : -1e300;
          break;
        case 3:                /* an infinite value: no finite range */
          v[i] = i == n / 2 ? INFINITY : g_rand_double (rand);
          break;
        default:               /* all equal */
          v[i] = 7.25;
          break;
      }
    }
    copy = g_memdup2 (v, n * sizeof (gdouble));
    sorted = g_memdup2 (v, n * sizeof (gdouble));
    scratch = g_new (gdouble, n);
    qsort (sorted, n, sizeof (gdouble), cmp_double);
    for (i = 0; i < n && nk < BW_SELECT_MAX_RANKS && !one; i++)
      if (i == 0 || i == n - 1 || g_rand_int_range (rand, 0, n / 30 + 1) == 0
          || (nk > 0 && ks[nk - 1] == i - 1 && g_rand_boolean (rand)))
        ks[nk++] = i;
    if (one)
      ks[nk++] = g_rand_int_range (rand, 0, n);
    bw_select_ranks (v, n, ks, nk, got, scratch);
    for (j = 0; j < nk; j++)
      g_assert_cmpfloat (got[j], ==, sorted[ks[j]]);
    /* a is left as it was. */
    g_assert_true (memcmp (v, copy, n * sizeof (gdouble)) == 0);
    g_free (scratch);
    g_free (sorted);
    g_free (copy);
    g_free (v);
  }
  g_rand_free (rand);
}

static void
test_median_any (void)
{
  GRand *rand = g_rand_new_with_seed (11);
  guint rep;

  for (rep = 0; rep < 300; rep++) {
    gsize n = g_rand_int_range (rand, 1, 200), i;
    gdouble *v = g_new (gdouble, n), ref, got;

    /* Odd reps: many ties. */
    for (i = 0; i < n; i++)
      v[i] = rep % 2 ? g_rand_int_range (rand, -5, 5) :
          g_rand_double_range (rand, -1e6, 1e6);
    sprinkle_nan (rand, v, n, nan_shares[rep / 2 % 4]);
    ref = sorted_median (v, n);
    got = bw_median (v, n);
    if (!same (got, ref))
      g_error ("n %" G_GSIZE_FORMAT ": median %.17g, sort says %.17g", n, got,
          ref);
    g_free (v);
  }
  g_rand_free (rand);
}

/* bw_median8() against a sort: every 0/1 input of each count (a network
 * that sorts all of them sorts everything), then random values, with and
 * without ties; the input is left as it was. */
static void
test_median8 (void)
{
  GRand *rand = g_rand_new_with_seed (12);
  gdouble v[8], copy[8];
  guint m, bits, rep, i;

  for (m = 1; m <= 8; m++)
    for (bits = 0; bits < 1u << m; bits++) {
      for (i = 0; i < m; i++)
        v[i] = (bits >> i) & 1;
      g_assert_cmpfloat (bw_median8 (v, m), ==, sorted_median (v, m));
    }
  for (rep = 0; rep < 4000; rep++) {
    gdouble got, ref;

    m = g_rand_int_range (rand, 1, 9);
    for (i = 0; i < m; i++)
      v[i] = rep % 2 ? g_rand_int_range (rand, -3, 3) * 0.25 :
          g_rand_double_range (rand, -10.0, 10.0);
    memcpy (copy, v, sizeof (v));
    got = bw_median8 (v, m);
    ref = sorted_median (v, m);
    if (got != ref)
      g_error ("m %u: median %.17g, sort says %.17g", m, got, ref);
    g_assert_cmpmem (v, m * sizeof (gdouble), copy, m * sizeof (gdouble));
  }
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/summary/median-against-sort", test_median_against_sort);
  g_test_add_func ("/summary/median-empty", test_median_empty);
  g_test_add_func ("/summary/select-kth", test_select_kth);
  g_test_add_func ("/summary/select-many", test_select_many);
  g_test_add_func ("/summary/select-ranks", test_select_ranks);
  g_test_add_func ("/summary/median-any", test_median_any);
  g_test_add_func ("/summary/median8", test_median8);
  return g_test_run ();
}
