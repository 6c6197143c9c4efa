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

/* The most histogram bins of bw_select_ranks(), and the counts below which
 * a copy and selections are faster: for several ranks, and for one. */
#define RANK_BINS 4096
#define RANK_MIN_VALUES 1024
#define RANK_MIN_VALUES_ONE 32768

/* The bin of x: (x - lo) · scale, rounded down, is non-decreasing in x (each
 * rounded step is monotonic), which is all the bins need. */
static inline guint
rank_bin (gdouble x, gdouble lo, gdouble scale, guint n_bins)
{
  gdouble b = (x - lo) * scale;

  return b < n_bins - 1 ? (guint) b : n_bins - 1;
}

void
bw_select_ranks (const gdouble * a, gsize n, const gsize * ks, guint nk,
    gdouble * out, gdouble * scratch)
{
  guint32 counts[RANK_BINS];
  gint32 slot[RANK_BINS];
  /* Per slot (a bin that holds a rank): where its values go in scratch,
   * how many there are and the next free place; per rank, its slot and its
   * rank among the slot's values. */
  gsize seg[BW_SELECT_MAX_RANKS], size[BW_SELECT_MAX_RANKS];
  gsize next[BW_SELECT_MAX_RANKS];
  gsize local[BW_SELECT_MAX_RANKS];
  guint rank_slot[BW_SELECT_MAX_RANKS];
  gsize below = 0, used = 0, i;
  guint j, first, b, n_bins, n_slots = 0;
  gdouble lo, hi, scale;

  g_return_if_fail (nk <= BW_SELECT_MAX_RANKS);
  if (nk == 0)
    return;
  if (n < (nk == 1 ? RANK_MIN_VALUES_ONE : RANK_MIN_VALUES)) {
    memcpy (scratch, a, n * sizeof (gdouble));
    bw_select_many (scratch, n, ks, nk, out);
    return;
  }
  lo = hi = a[0];
  for (i = 1; i < n; i++) {
    lo = MIN (lo, a[i]);
    hi = MAX (hi, a[i]);
  }
  /* An infinite or overflowing range gives one bin: plain selection. */
  /* About four values a bin: fewer bins would leave more to select among,
   * more would cost more to clear and scan than the values. */
  n_bins = MIN (RANK_BINS, n / 4);
  scale = hi > lo && isfinite (n_bins / (hi - lo)) ? n_bins / (hi - lo) : 0.0;

  memset (counts, 0, n_bins * sizeof (guint32));
  for (i = 0; i < n; i++)
    counts[rank_bin (a[i], lo, scale, n_bins)]++;
  for (b = 0; b < n_bins; b++)
    slot[b] = -1;
  /* Each rank's bin (ranks rise, so bins do too). */
  for (b = 0, j = 0; j < nk; j++) {
    while (below + counts[b] <= ks[j])
      below += counts[b++];
    if (slot[b] < 0) {
      slot[b] = n_slots;
      size[n_slots] = counts[b];
      seg[n_slots] = next[n_slots] = used;
      used += counts[b];
      n_slots++;
    }
    rank_slot[j] = slot[b];
    local[j] = ks[j] - below;
  }
  for (i = 0; i < n; i++) {
    gint32 s = slot[rank_bin (a[i], lo, scale, n_bins)];

    if (s >= 0)
      scratch[next[s]++] = a[i];
  }
  /* The ranks of each slot, among its values only. */
  for (first = 0; first < nk; first = j) {
    guint s = rank_slot[first];

    for (j = first + 1; j < nk && rank_slot[j] == s; j++);
    bw_select_many (scratch + seg[s], size[s], local + first, j - first,
        out + first);
  }
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


/* A histogram over value bins finds the bin that holds the middle, and only
 * that bin's values go through the selection, whose branchy comparisons on
 * random data are slow on a whole grid. */
gdouble
bw_median_r (gdouble * v, gsize n, guint * bins)
{
  gsize i;

  n = drop_nan (v, n);
  if (n == 0)
    return NAN;
  memset (bins, 0, BW_MEDIAN_BINS * sizeof (guint));
  for (i = 0; i < n; i++)
    bins[bw_median_r_bin (v[i])]++;
  return bw_median_r_binned (v, n, bins);
}

gdouble
bw_median_r_binned (gdouble * v, gsize n, const guint * bins)
{
  gsize k_lo, k_hi, n_below = 0, i, m = 0;
  guint b;
  gdouble lo, hi = INFINITY;

  if (n == 0)
    return NAN;
  k_lo = (n - 1) / 2;
  k_hi = n / 2;
  for (b = 0; n_below + bins[b] <= k_lo; b++)
    n_below += bins[b];

  /* k_lo lies in bin b; k_hi too, or it is the smallest value above it. */
  if (k_hi - n_below >= bins[b]) {
    for (i = 0; i < n; i++)
      if (bw_median_r_bin (v[i]) > b)
        hi = MIN (hi, v[i]);
  }
  for (i = 0; i < n; i++)
    if (bw_median_r_bin (v[i]) == b)
      v[m++] = v[i];
  lo = bw_select_kth (v, m, k_lo - n_below);
  if (k_hi == k_lo)
    return lo;
  if (k_hi - n_below < m)
    hi = bw_select_kth (v, m, k_hi - n_below);
  return 0.5 * (lo + hi);
}

/* Knuth's 19 comparators that sort 8 values. */
static const guint8 network8[19][2] = {
  {0, 2}, {1, 3}, {4, 6}, {5, 7}, {0, 4}, {1, 5}, {2, 6}, {3, 7},
  {0, 1}, {2, 3}, {4, 5}, {6, 7}, {2, 4}, {3, 5}, {1, 4}, {3, 6},
  {1, 2}, {3, 4}, {5, 6}
};

gdouble
bw_median8 (const gdouble * v, guint m)
{
  gdouble s[8];
  guint i;

  g_return_val_if_fail (m >= 1 && m <= 8, NAN);
  /* Padded at the top: the m values sort to s[0..m). */
  for (i = 0; i < 8; i++)
    s[i] = i < m ? v[i] : INFINITY;
  for (i = 0; i < G_N_ELEMENTS (network8); i++) {
    const gdouble a = s[network8[i][0]], b = s[network8[i][1]];

    s[network8[i][0]] = MIN (a, b);
    s[network8[i][1]] = MAX (a, b);
  }
  return m % 2 ? s[m / 2] : 0.5 * (s[m / 2 - 1] + s[m / 2]);
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
