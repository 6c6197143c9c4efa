/* gst-blockwise: numerics of a frame's summary.
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

/* Median of n values in [-1, 1] (Pearson r), exactly: the middle value, or
 * the mean of the two middle values for an even n.  Reorders v; bins holds
 * BW_MEDIAN_BINS counters of working memory.  NaN when n is 0. */
gdouble bw_median_r (gdouble * v, gsize n, guint * bins);

/* The k-th smallest of a[0..n) (k < n), by selection: leaves
 * a[0..k) <= a[k] <= a[k+1..n). */
gdouble bw_select_kth (gdouble * a, gsize n, gsize k);

/* Median of n values (n > 0): the middle one, or the mean of the two middle
 * ones for an even n.  Reorders v. */
gdouble bw_median (gdouble * v, gsize n);

G_END_DECLS

#endif /* __BW_SUMMARY_H__ */
