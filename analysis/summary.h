/* gst-blockwise: medians, by selection instead of a sort.  Every median in
 * the project comes from here.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BW_SUMMARY_H__
#define __BW_SUMMARY_H__

#include <glib.h>

G_BEGIN_DECLS
/* Counters a median of r values needs: give bw_median_r() an array of
 * this many. */
#define BW_MEDIAN_BINS 2048
/* Median of the values of v[0..n) that are not NaN: the middle one, or the
 * mean of the two middle ones for an even count; NaN when there are none.
 * Reorders and overwrites v. */
    gdouble bw_median (gdouble * v, gsize n);

/* The same median of m <= 8 values that are not NaN (m >= 1), without
 * reordering v: by a sorting network, without branches on the values
 * (few values in no order defeat a branch predictor). */
gdouble bw_median8 (const gdouble * v, guint m);

/* The same median, faster for many values that all lie in [-1, 1] (Pearson
 * r): bins holds BW_MEDIAN_BINS counters of working memory. */
gdouble bw_median_r (gdouble * v, gsize n, guint * bins);

/* bw_median_r()'s histogram bin of r, for a caller that counts the
 * values as it produces them. */
static inline guint
bw_median_r_bin (gdouble r)
{
  gint b = (gint) ((r + 1.0) * (BW_MEDIAN_BINS / 2));

  return CLAMP (b, 0, BW_MEDIAN_BINS - 1);
}

/* bw_median_r() of n values that are not NaN, whose histogram by
 * bw_median_r_bin() bins already holds.  Reorders and overwrites v. */
gdouble bw_median_r_binned (gdouble * v, gsize n, const guint * bins);

/* The k-th smallest of a[0..n) (k < n, no NaN), by selection: leaves
 * a[0..k) <= a[k] <= a[k+1..n). */
gdouble bw_select_kth (gdouble * a, gsize n, gsize k);

/* The ks[j]-th smallest of a[0..n) into out[j], for nk ranks in
 * increasing order (each < n, no NaN), by selections that split the array
 * in turn: O(n log nk) instead of nk selections over all of it. */
void bw_select_many (gdouble * a, gsize n, const gsize * ks, guint nk,
    gdouble * out);

/* The same ranks of a[0..n) (no NaN; at most BW_SELECT_MAX_RANKS of them),
 * without reordering a: a histogram over the values' range finds each
 * rank's bin, and only those bins' values are selected from, which on many
 * values is far faster than selections over all of them.  scratch holds n
 * doubles. */
#define BW_SELECT_MAX_RANKS 64
void bw_select_ranks (const gdouble * a, gsize n, const gsize * ks,
    guint nk, gdouble * out, gdouble * scratch);

G_END_DECLS
#endif /* __BW_SUMMARY_H__ */
