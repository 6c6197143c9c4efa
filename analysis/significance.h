/* gst-blockwise: whether a correlation, or a gain in correlation, is more
 * than noise.  Pearson r over n pixel pairs is compared on Fisher's z
 * scale, where its standard error is 1 / sqrt (n - 3) whatever r is.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BW_SIGNIFICANCE_H__
#define __BW_SIGNIFICANCE_H__

#include <glib.h>

G_BEGIN_DECLS

/* Standard errors by which r must exceed 0 to count as signal: the images
 * correlate in this block. */
#define BW_SIGNAL_Z 5.0

/* Fisher's z of r, kept finite for |r| = 1. */
gdouble bw_fisher_z (gdouble r);

/* TRUE when r over n pairs lies more than k standard errors above 0 (FALSE
 * for NaN r or n <= 3). */
gboolean bw_r_above_zero (gdouble r, guint n, gdouble k);

/* TRUE when r1 exceeds r0, two estimates over n pairs each, by more than k
 * standard errors of their difference (FALSE for NaN or n <= 3). */
gboolean bw_r_gain_above (gdouble r1, gdouble r0, guint n, gdouble k);

G_END_DECLS

#endif /* __BW_SIGNIFICANCE_H__ */
