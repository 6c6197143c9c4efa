/* gst-blockwise: medians by selection (see summary.h), which unlike a full
 * sort takes linear time on the whole grids of every frame.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>
#include "summary.h"

/* Hoare's selection, O(n) on average. */
gdouble
bw_select_kth (gdouble * a, gsize n, gsize k)
{
  gsize lo = 0, hi = n - 1;

  while (lo < hi) {
    gdouble pivot = a[lo + (hi - lo) / 2];
    gsize i = lo, j = hi;

    while (i <= j) {
      while (a[i] < pivot)
        i++;
      while (a[j] > pivot)
        j--;
      if (i <= j) {
        gdouble t = a[i];

        a[i] = a[j];
        a[j] = t;
        i++;
        if (j == 0)
          break;
        j--;
      }
    }
    if (k <= j)
      hi = j;
    else if (k >= i)
      lo = i;
    else
      break;
  }
  return a[k];
}

/* The ranks ks[0..nk) among a[lo..hi), which the elements before lo do
 * not exceed and those from hi on are not below. */
static void
select_range (gdouble * a, gsize lo, gsize hi, const gsize * ks, guint nk,
    gdouble * out)
{
  while (nk > 0) {
    guint j = nk / 2;

    out[j] = bw_select_kth (a + lo, hi - lo, ks[j] - lo);
    /* a[lo..ks[j]) <= out[j] <= a(ks[j]..hi): the halves are independent. */
    select_range (a, lo, ks[j], ks, j, out);
    lo = ks[j] + 1;
    ks += j + 1;
    out += j + 1;
    nk -= j + 1;
  }
}

void
bw_select_many (gdouble * a, gsize n, const gsize * ks, guint nk, gdouble * out)
{
  select_range (a, 0, n, ks, nk, out);
}

/* Moves the values of v[0..n) that are not NaN to its front, in order;
 * returns how many there are. */
static gsize
drop_nan (gdouble * v, gsize n)
{
  gsize i, m = 0;

  for (i = 0; i < n; i++)
    if (!isnan (v[i]))
      v[m++] = v[i];
  return m;
}

static inline guint
median_bin (gdouble r)
{
  gint b = (gint) ((r + 1.0) * (BW_MEDIAN_BINS / 2));

  return CLAMP (b, 0, BW_MEDIAN_BINS - 1);
}

/* A histogram over value bins finds the bin that holds the middle, and only
 * that bin's values go through the selection, whose branchy comparisons on
 * random data are slow on a whole grid. */
gdouble
bw_median_r (gdouble * v, gsize n, guint * bins)
{
  gsize k_lo, k_hi, n_below = 0, i, m = 0;
  guint b;
  gdouble lo, hi = INFINITY;

  n = drop_nan (v, n);
  if (n == 0)
    return NAN;
  k_lo = (n - 1) / 2;
  k_hi = n / 2;
  memset (bins, 0, BW_MEDIAN_BINS * sizeof (guint));
  for (i = 0; i < n; i++)
    bins[median_bin (v[i])]++;
  for (b = 0; n_below + bins[b] <= k_lo; b++)
    n_below += bins[b];

  /* k_lo lies in bin b; k_hi too, or it is the smallest value above it. */
  if (k_hi - n_below >= bins[b]) {
    for (i = 0; i < n; i++)
      if (median_bin (v[i]) > b)
        hi = MIN (hi, v[i]);
  }
  for (i = 0; i < n; i++)
    if (median_bin (v[i]) == b)
      v[m++] = v[i];
  lo = bw_select_kth (v, m, k_lo - n_below);
  if (k_hi == k_lo)
    return lo;
  if (k_hi - n_below < m)
    hi = bw_select_kth (v, m, k_hi - n_below);
  return 0.5 * (lo + hi);
}

gdouble
bw_median (gdouble * v, gsize n)
{
  gdouble hi, lo;
  gsize i;

  n = drop_nan (v, n);
  if (n == 0)
    return NAN;
  hi = lo = bw_select_kth (v, n, n / 2);
  if (n % 2 == 0) {
    /* After the selection, the lower middle is the largest of v[0..n/2). */
    lo = v[0];
    for (i = 1; i < n / 2; i++)
      lo = MAX (lo, v[i]);
  }
  return 0.5 * (lo + hi);
}
