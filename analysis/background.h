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
 * mean (shot noise).  The pair gives its own noise: where a block has no
 * structure, or the two images agree, the variance of their difference
 * (var0 + var1 - 2 cov) is the noise of both.  Binned by the block's mean,
 * the low end of each bin (its tenth percentile, corrected for the scatter
 * of a variance of n pixels) is fitted, robustly from below, with
 * a + b · mean (through two bins at least 1.5 times apart in mean, or
 * through one and the origin): photon noise and read noise at any
 * brightness (above the brightest bin, at least in proportion to the
 * mean).  The fit
 * counts only when some blocks stand out from it (the 95th percentile of
 * the blocks' variance is at least four times the fit's), as for the dark
 * background.  A block whose variance, in both images, stays within what
 * that noise gives for its mean and its n pixels (four standard errors of
 * a variance, sqrt (2 / (n - 1)), and 25 % for the fit's error and smooth
 * shading, added in quadrature) and whose best r is not significant is
 * background at any brightness.  A block flat in both images (saturated,
 * or clipped at 0) is background: it has nothing to compare.
 */
#ifndef __BW_BACKGROUND_H__
#define __BW_BACKGROUND_H__

#include <glib.h>

G_BEGIN_DECLS typedef struct
{
  gdouble level;                /* median mean of the darkest blocks */
  gdouble noise;                /* median standard deviation there */
  gdouble min_intensity;        /* level + 3 · noise: brighter is signal;
                                 * NaN when the image has no background */
  /* The pair's noise: the noise variance of one image at a block mean m
   * is noise_var_offset + noise_var_slope · m; NaN when not estimated. */
  gdouble noise_var_offset;
  gdouble noise_var_slope;
  /* The brightest mean the fit saw; above it the noise variance grows at
   * least in proportion to the mean. */
  gdouble noise_mean_max;
} BwBackground;

/* Estimates the background of an image from the means and standard
 * deviations of its n blocks (NaN entries are skipped).  work holds 2 n
 * doubles.  Without blocks, everything is NaN (nothing is background). */
void bw_background_estimate (const gfloat * mean, const gfloat * stddev,
    gsize n, gdouble * work, BwBackground * out);

/* Estimates the pair's noise from the means, (population) standard
 * deviations and covariances of its n blocks of block_pixels pixels each,
 * into the noise_var_ fields of bg[0] and bg[1] (NaN when it cannot be
 * told from texture).  work holds 2 n doubles. */
void bw_background_estimate_noise (const gfloat * mean0,
    const gfloat * mean1, const gfloat * stddev0, const gfloat * stddev1,
    const gfloat * covariance, gsize n, guint block_pixels, gdouble * work,
    BwBackground bg[2]);

/* The noise variance of one image, of the pair's noise bg, at a block mean
 * (NaN when the noise was not estimated). */
gdouble bw_background_noise_var (const BwBackground * bg, gdouble mean);

/* Whether a block is background: its means and standard deviations in
 * the two images, its best r from a displacement search (NaN without a
 * search or when undefined) and its number of pixels. */
gboolean bw_background_contains (const BwBackground * bg_a,
    const BwBackground * bg_b, gdouble mean_a, gdouble stddev_a,
    gdouble mean_b, gdouble stddev_b, gdouble r_best, guint n);

G_END_DECLS
#endif /* __BW_BACKGROUND_H__ */
