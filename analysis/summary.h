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

/* The same median, faster for many values that all lie in [-1, 1] (Pearson
 * r): bins holds BW_MEDIAN_BINS counters of working memory. */
gdouble bw_median_r (gdouble * v, gsize n, guint * bins);

/* The k-th smallest of a[0..n) (k < n, no NaN), by selection: leaves
 * a[0..k) <= a[k] <= a[k+1..n). */
gdouble bw_select_kth (gdouble * a, gsize n, gsize k);

/* The ks[j]-th smallest of a[0..n) into out[j], for nk ranks in
 * increasing order (each < n, no NaN), by selections that split the array
 * in turn: O(n log nk) instead of nk selections over all of it. */
void bw_select_many (gdouble * a, gsize n, const gsize * ks, guint nk,
    gdouble * out);

G_END_DECLS
#endif /* __BW_SUMMARY_H__ */
