/* gst-blockwise: the background of an image, estimated from its own blocks.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Fluorescence images are mostly dark background with noise; a block there
 * has no signal, and its r is noise whether or not the pair is registered.
 * The darkest tenth of an image's blocks gives the background level (the
 * median of their means) and the noise (the median of their standard
 * deviations).  A block is background when, in both images, its mean is
 * below level + 3 · noise and its standard deviation below 1.5 · noise (no
 * brighter object, no edge inside), and the two images do not correlate
 * there beyond noise (Fisher z of its best r below 5 standard errors).
 * An image has a background only when some blocks stand out from it (the
 * 95th percentile of the deviations above twice the noise); in an image
 * covered by texture, the darkest blocks are just the darkest texture.
 * The correlation condition (with a displacement search only: without one,
 * misaligned texture would not correlate either) keeps textured images
 * whole: a single image cannot tell fine texture from noise, but texture
 * correlates between the two images.
 *
 * Background need not be dark: glass in brightfield, empty medium or a
 * saturated area has no structure either, only noise, which grows with the
 * mean (shot noise: variance proportional to the signal).  Among the blocks
 * above the dark background, binned by mean, a bin whose low variances
 * cluster tightly (as the variance of pure noise does) gives the bright
 * noise; the brightest such bin sets bright_level and bright_noise.  A
 * block at any mean whose standard deviation stays within 1.5 times the
 * noise scaled to its mean (variance proportional to the mean), in both
 * images, and whose best r is not significant is background too; a flat
 * (saturated) block in both images is therefore background.
 */
#ifndef __BW_BACKGROUND_H__
#define __BW_BACKGROUND_H__

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gdouble level;                /* median mean of the darkest blocks */
  gdouble noise;                /* median standard deviation there */
  gdouble min_intensity;        /* level + 3 · noise: brighter is signal;
                                 * NaN when the image has no background */
  gdouble bright_level;         /* mean of the brightest noise-only bin */
  gdouble bright_noise;         /* standard deviation there; NaN when no
                                 * bright background was found */
} BwBackground;

/* Estimates the background of an image from the means and standard
 * deviations of its n blocks (NaN entries are skipped).  work holds n
 * doubles.  Without blocks, everything is NaN (nothing is background). */
void bw_background_estimate (const gfloat * mean, const gfloat * stddev,
    gsize n, gdouble * work, BwBackground * out);

/* Whether a block is background: its means and standard deviations in
 * the two images, its best r from a displacement search (NaN without a
 * search or when undefined) and its number of pixels. */
gboolean bw_background_contains (const BwBackground * bg_a,
    const BwBackground * bg_b, gdouble mean_a, gdouble stddev_a,
    gdouble mean_b, gdouble stddev_b, gdouble r_best, guint n);

G_END_DECLS

#endif /* __BW_BACKGROUND_H__ */
