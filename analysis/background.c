/* gst-blockwise: background level and noise of an image from its blocks
 * (see background.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>
#include "background.h"
#include "significance.h"
#include "summary.h"

/* Bins of blocks by mean for the pair's noise: at most this many, of at
 * least BIN_MIN_BLOCKS each. */
#define MAX_BINS 32
#define BIN_MIN_BLOCKS 16
/* The fit is a low quantile of the bins' noise (relative residuals): up to
 * most bins may hold texture whose difference adds to the noise, and
 * texture only adds. */
#define FIT_QUANTILE 0.25
/* Points a fitted line passes through lie at least this factor apart. */
#define SPREAD 1.5
/* Standard errors of a variance that a noise-only block stays within, and
 * a relative allowance besides for the fit's error and smooth shading
 * (vignetting, an illumination gradient) across a large block. */
#define NOISE_Z 4.0
#define NOISE_SLACK 0.25
/* Variances, relative to the noise, that some blocks must exceed for the
 * noise to be told from texture (the dark background's 2 in deviation). */
#define STAND_OUT 4.0

/* The ratio of the 10th percentile of a variance of n pixels (population,
 * of pure noise) to the noise variance: Wilson and Hilferty's
 * approximation of the chi-square quantile with n - 1 degrees of freedom,
 * and (n - 1) / n for the population variance. */
static gdouble
tenth_percentile_ratio (guint n)
{
  gdouble k = n - 1.0, c = 2.0 / (9.0 * k);
  gdouble q = 1.0 - c - 1.2816 * sqrt (c);

  return q * q * q * k / n;
}

/* Variance of the difference of the two images in block i (NaN when a
 * statistic is missing or the block is flat in an image). */
static gdouble
difference_variance (const gfloat * mean0, const gfloat * mean1,
    const gfloat * stddev0, const gfloat * stddev1,
    const gfloat * covariance, gsize i)
{
  gdouble d;

  if (isnan (mean0[i]) || isnan (mean1[i]) || isnan (covariance[i])
      || !(stddev0[i] > 0) || !(stddev1[i] > 0))
    return NAN;
  d = (gdouble) stddev0[i] * stddev0[i] + (gdouble) stddev1[i] * stddev1[i]
      - 2.0 * covariance[i];
  return d > 0 ? d : NAN;
}

/* The check loss of quantile FIT_QUANTILE of the relative residuals
 * (v - line) / v of the points (x, v) about the line a + b · x. */
static gdouble
check_loss (const gdouble * x, const gdouble * v, guint m, gdouble a, gdouble b)
{
  gdouble loss = 0.0;
  guint k;

  for (k = 0; k < m; k++) {
    gdouble res = (v[k] - a - b * x[k]) / v[k];

    loss += res >= 0 ? FIT_QUANTILE * res : (FIT_QUANTILE - 1.0) * res;
  }
  return loss;
}

/* The line a + b · x (b >= 0) of least check loss (a quantile regression,
 * whose optimum passes through two points): through two of the points
 * (x, v) at least SPREAD apart in x, or through one and the origin (pure
 * photon noise; a slope from a narrow cluster of bins would be noise).
 * FALSE without points. */
static gboolean
fit_low_line (const gdouble * x, const gdouble * v, guint m, gdouble * a,
    gdouble * b)
{
  gdouble best = INFINITY, loss;
  guint i, j;

  for (i = 0; i < m; i++) {
    if (!(x[i] > 0))
      continue;
    loss = check_loss (x, v, m, 0.0, v[i] / x[i]);
    if (loss < best) {
      best = loss;
      *a = 0.0;
      *b = v[i] / x[i];
    }
    for (j = 0; j < m; j++) {
      gdouble slope;

      if (!(x[j] >= SPREAD * x[i]) || v[j] < v[i])
        continue;
      slope = (v[j] - v[i]) / (x[j] - x[i]);
      loss = check_loss (x, v, m, v[i] - slope * x[i], slope);
      if (loss < best) {
        best = loss;
        *a = v[i] - slope * x[i];
        *b = slope;
      }
    }
  }
  return isfinite (best);
}

/* The bin of mean sum s among the equal-count bins: the b with
 * edges[b] <= s < edges[b + 1] (edges[0] is the least s, edges[bins] is
 * infinite), or -1 for none. */
static inline gint
bin_of (const gdouble * edges, guint bins, gdouble s)
{
  guint lo = 0, hi = bins;

  while (hi - lo > 1) {
    guint mid = (lo + hi) / 2;

    if (edges[mid] <= s)
      lo = mid;
    else
      hi = mid;
  }
  return edges[lo] <= s && s < edges[lo + 1] ? (gint) lo : -1;
}

void
bw_background_estimate_noise (const gfloat * mean0, const gfloat * mean1,
    const gfloat * stddev0, const gfloat * stddev1,
    const gfloat * covariance, gsize n, guint block_pixels, gdouble * work,
    BwBackground bg[2])
{
  gdouble edges[MAX_BINS + 1], x[MAX_BINS], v[MAX_BINS];
  gsize ranks[MAX_BINS], start[MAX_BINS + 1], next[MAX_BINS];
  gdouble a = NAN, b = NAN, ratio, top;
  gdouble *diff = work, *sum = work + n;
  gsize m = 0, i, rank;
  guint bins, bin, fitted = 0;

  for (bin = 0; bin < 2; bin++)
    bg[bin].noise_var_offset = bg[bin].noise_var_slope =
        bg[bin].noise_mean_max = NAN;
  if (block_pixels < 8)
    return;
  ratio = tenth_percentile_ratio (block_pixels);

#define DIFF(i) difference_variance (mean0, mean1, stddev0, stddev1, \
    covariance, i)
  for (i = 0; i < n; i++)
    if (!isnan (DIFF (i)))
      work[m++] = (gdouble) mean0[i] + mean1[i];
  bins = MIN (MAX_BINS, m / BIN_MIN_BLOCKS);
  if (bins < 2)
    return;
  /* Equal-count bins: the edges are quantiles of the blocks' means. */
  for (bin = 0; bin < bins; bin++)
    ranks[bin] = bin * m / bins;
  bw_select_ranks (work, m, ranks, bins, edges, work + n);
  edges[bins] = INFINITY;

  /* The blocks grouped by bin (a counting sort): each bin's differences
   * and mean sums side by side in diff[] and sum[].  The bins are counted
   * from the mean sums, which the selection left in place. */
  memset (start, 0, sizeof (start));
  for (i = 0; i < m; i++) {
    gint k = bin_of (edges, bins, work[i]);

    if (k >= 0)
      start[k + 1]++;
  }
  for (bin = 0; bin < bins; bin++) {
    start[bin + 1] += start[bin];
    next[bin] = start[bin];
  }
  for (i = 0; i < n; i++) {
    gdouble d = DIFF (i), s = (gdouble) mean0[i] + mean1[i];
    gint k;

    if (!isnan (d) && (k = bin_of (edges, bins, s)) >= 0) {
      diff[next[k]] = d;
      sum[next[k]++] = s;
    }
  }
#undef DIFF

  for (bin = 0; bin < bins; bin++) {
    gsize count = start[bin + 1] - start[bin];
    gdouble low;

    if (count < BIN_MIN_BLOCKS)
      continue;
    low = bw_select_kth (diff + start[bin], count, count / 10);
    x[fitted] = bw_median (sum + start[bin], count);
    v[fitted++] = low / ratio;
  }
  if (!fit_low_line (x, v, fitted, &a, &b))
    return;

  /* The noise counts only when some blocks stand out from it. */
  m = 0;
  for (i = 0; i < n; i++) {
    gdouble s = (gdouble) mean0[i] + mean1[i], noise = a + b * s;

    if (!isnan (s) && !isnan (stddev0[i]) && !isnan (stddev1[i])
        && noise > 0)
      work[m++] = ((gdouble) stddev0[i] * stddev0[i]
          + (gdouble) stddev1[i] * stddev1[i]) / noise;
  }
  if (m == 0)
    return;
  rank = m - 1 - (m - 1) / 20;
  bw_select_ranks (work, m, &rank, 1, &top, work + n);
  if (top < STAND_OUT)
    return;
  /* Per image at mean m: half the difference's noise at 2 m. */
  for (bin = 0; bin < 2; bin++) {
    gdouble at_level = 0.5 * a + b * bg[bin].level;

    bg[bin].noise_var_offset = 0.5 * a;
    bg[bin].noise_var_slope = b;
    bg[bin].noise_mean_max = 0.5 * x[fitted - 1];
    /* The darkest blocks vary far more than the pair's noise there: they
     * are texture (tissue in brightfield), not a dark background. */
    if (at_level > 0 && bg[bin].noise * bg[bin].noise > STAND_OUT * at_level)
      bg[bin].min_intensity = NAN;
  }
}

void
bw_background_estimate (const gfloat * mean, const gfloat * stddev, gsize n,
    gdouble * work, BwBackground * out)
{
  gdouble *means = work, *stddevs = work + n;
  gsize m = 0, i, dark = 0, rank;
  gdouble cut, spread;

  out->level = out->noise = out->min_intensity = NAN;
  for (i = 0; i < n; i++)
    if (!isnan (mean[i]) && !isnan (stddev[i]))
      means[m++] = mean[i];
  if (m == 0)
    return;

  /* The darkest tenth (at least one block): their means lie at or below
   * the cut. */
  rank = (m - 1) / 10;
  bw_select_ranks (means, m, &rank, 1, &cut, work + n);
  /* How far the blocks' deviations spread: the 95th percentile. */
  for (i = 0, m = 0; i < n; i++)
    if (!isnan (mean[i]) && !isnan (stddev[i]))
      means[m++] = stddev[i];
  rank = m - 1 - (m - 1) / 20;
  bw_select_ranks (means, m, &rank, 1, &spread, work + n);
  for (i = 0; i < n; i++)
    if (!isnan (mean[i]) && !isnan (stddev[i]) && mean[i] <= cut) {
      means[dark] = mean[i];
      stddevs[dark++] = stddev[i];
    }
  out->level = bw_median (means, dark);
  out->noise = bw_median (stddevs, dark);

  /* A background is only one when some blocks stand out from it: at least
   * one in twenty with twice its deviation.  Otherwise the darkest blocks
   * are just the darkest part of a texture that covers the image, and
   * nothing is background. */
  if (spread > 2.0 * out->noise)
    out->min_intensity = out->level + 3.0 * out->noise;
}

gdouble
bw_background_noise_var (const BwBackground * bg, gdouble mean)
{
  gdouble top = bg->noise_mean_max;
  gdouble noise = bg->noise_var_offset + bg->noise_var_slope * mean;

  /* Brighter than the fit saw (a dimmer image's saturated patch): photon
   * noise grows at least in proportion to the mean. */
  if (mean > top)
    noise = MAX (noise, (bg->noise_var_offset + bg->noise_var_slope * top)
        * mean / top);
  /* The line is fitted from below and may cross 0 at the darkest means. */
  return MAX (noise, 0.0);
}

/* Whether a block of n pixels is noise only in an image. */
static gboolean
noise_only (const BwBackground * bg, gdouble mean, gdouble stddev, guint n)
{
  gdouble noise = bw_background_noise_var (bg, mean);

  if (mean < bg->min_intensity && stddev < 1.5 * bg->noise)
    return TRUE;
  /* The pair's noise at this mean, within what n pixels scatter by. */
  return n > 1 && noise > 0 && stddev * stddev * n / (n - 1.0)
      <= noise * (1.0 + sqrt (NOISE_Z * NOISE_Z * 2.0 / (n - 1.0)
          + NOISE_SLACK * NOISE_SLACK));
}

gboolean
bw_background_contains (const BwBackground * bg_a, const BwBackground * bg_b,
    gdouble mean_a, gdouble stddev_a, gdouble mean_b, gdouble stddev_b,
    gdouble r_best, guint n)
{
  /* Flat in both: saturated, or clipped at 0; nothing to compare. */
  if (stddev_a == 0 && stddev_b == 0)
    return TRUE;
  return noise_only (bg_a, mean_a, stddev_a, n)
      && noise_only (bg_b, mean_b, stddev_b, n)
      && !bw_r_above_zero (r_best, n, BW_SIGNAL_Z);
}
