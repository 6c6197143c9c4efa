/* gst-blockwise: background level and noise of an image from its blocks
 * (see background.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include "background.h"
#include "significance.h"
#include "summary.h"

/* Bins of blocks by mean for the bright noise: at most this many, of at
 * least BIN_MIN_BLOCKS each. */
#define MAX_BINS 32
#define BIN_MIN_BLOCKS 16
/* Noise variances of n = 256 pixels scatter by about 9 %; a bin is
 * noise-only when at least CLUSTER_FRACTION of its variances lie within
 * CLUSTER_SPAN of its tenth percentile.  Texture spreads its variances
 * over orders of magnitude and rarely does. */
#define CLUSTER_SPAN 1.35
#define CLUSTER_FRACTION 0.3

static gboolean
usable (const gfloat * mean, const gfloat * stddev, gsize i, gdouble floor)
{
  return !isnan (mean[i]) && !isnan (stddev[i]) && stddev[i] > 0
      && mean[i] > floor;
}

/* The brightest bin of blocks above floor whose variances cluster as
 * noise does: its mean and noise into out (NaN when there is none). */
static void
estimate_bright (const gfloat * mean, const gfloat * stddev, gsize n,
    gdouble floor, gdouble * work, BwBackground * out)
{
  gdouble edges[MAX_BINS + 1];
  gsize m = 0, i, bins, b;

  out->bright_level = out->bright_noise = NAN;
  for (i = 0; i < n; i++)
    if (usable (mean, stddev, i, floor))
      work[m++] = mean[i];
  bins = MIN (MAX_BINS, m / BIN_MIN_BLOCKS);
  if (bins == 0)
    return;
  /* Equal-count bins: the edges are quantiles of the means. */
  for (b = 0; b < bins; b++)
    edges[b] = bw_select_kth (work, m, b * m / bins);
  edges[bins] = INFINITY;

  for (b = bins; b-- > 0;) {
    gsize count = 0, inside = 0;
    gdouble low;

    for (i = 0; i < n; i++)
      if (usable (mean, stddev, i, floor) && mean[i] >= edges[b]
          && mean[i] < edges[b + 1])
        work[count++] = (gdouble) stddev[i] * stddev[i];
    if (count < BIN_MIN_BLOCKS)
      continue;
    low = bw_select_kth (work, count, count / 10);
    for (i = 0; i < count; i++)
      if (work[i] >= low && work[i] <= CLUSTER_SPAN * low)
        work[inside++] = work[i];
    if (inside < CLUSTER_FRACTION * count)
      continue;
    out->bright_noise = sqrt (bw_median (work, inside));
    out->bright_level = b + 1 < bins ?
        0.5 * (edges[b] + edges[b + 1]) : edges[b];
    return;
  }
}

void
bw_background_estimate (const gfloat * mean, const gfloat * stddev, gsize n,
    gdouble * work, BwBackground * out)
{
  gsize m = 0, k, i, dark = 0;
  gdouble cut;

  out->level = out->noise = out->min_intensity = NAN;
  out->bright_level = out->bright_noise = NAN;
  for (i = 0; i < n; i++)
    if (!isnan (mean[i]) && !isnan (stddev[i]))
      work[m++] = mean[i];
  if (m == 0)
    return;

  /* The darkest tenth (at least one block): their means lie at or below
   * the cut. */
  k = (m - 1) / 10;
  cut = bw_select_kth (work, m, k);
  m = 0;
  for (i = 0; i < n; i++)
    if (!isnan (mean[i]) && !isnan (stddev[i]) && mean[i] <= cut)
      work[m++] = mean[i];
  out->level = bw_median (work, m);
  for (i = 0; i < n; i++)
    if (!isnan (mean[i]) && !isnan (stddev[i]) && mean[i] <= cut)
      work[dark++] = stddev[i];
  out->noise = bw_median (work, dark);

  /* A background is only one when some blocks stand out from it: at least
   * one in twenty with twice its deviation.  Otherwise the darkest blocks
   * are just the darkest part of a texture that covers the image, and
   * nothing is background. */
  m = 0;
  for (i = 0; i < n; i++)
    if (!isnan (mean[i]) && !isnan (stddev[i]))
      work[m++] = stddev[i];
  if (bw_select_kth (work, m, m - 1 - (m - 1) / 20) > 2.0 * out->noise)
    out->min_intensity = out->level + 3.0 * out->noise;

  estimate_bright (mean, stddev, n, out->level + 3.0 * out->noise, work,
      out);
}

static gboolean
noise_only (const BwBackground * bg, gdouble mean, gdouble stddev)
{
  if (mean < bg->min_intensity && stddev < 1.5 * bg->noise)
    return TRUE;
  /* Shot noise: the variance grows in proportion to the mean. */
  if (isnan (bg->bright_noise) || mean <= bg->level + 3.0 * bg->noise)
    return FALSE;
  return (gdouble) stddev * stddev < 2.25 * bg->bright_noise
      * bg->bright_noise * mean / bg->bright_level;
}

gboolean
bw_background_contains (const BwBackground * bg_a, const BwBackground * bg_b,
    gdouble mean_a, gdouble stddev_a, gdouble mean_b, gdouble stddev_b,
    gdouble r_best, guint n)
{
  return noise_only (bg_a, mean_a, stddev_a)
      && noise_only (bg_b, mean_b, stddev_b)
      && !bw_r_above_zero (r_best, n, BW_SIGNAL_Z);
}
