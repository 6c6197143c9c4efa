/* gst-blockwise: the background of an image, estimated from its own blocks.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Fluorescence images are mostly dark background with noise; a block there
 * has no signal, and its r is noise whether or not the pair is registered.
 * The darkest tenth of an image's blocks gives the background level (the
 * median of their means) and the noise (the median of their standard
 * deviations).  A block is background when its mean is below
 * level + 3 · noise and its standard deviation below 1.5 · noise: no
 * brighter object and no edge or texture inside.  Where an image has no
 * background, its darkest blocks are textured, their deviation is the
 * texture's, and only the smoothest of the dark blocks pass.
 */
#ifndef __BW_BACKGROUND_H__
#define __BW_BACKGROUND_H__

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gdouble level;                /* median mean of the darkest blocks */
  gdouble noise;                /* median standard deviation there */
  gdouble min_intensity;        /* level + 3 · noise: brighter is signal */
} BwBackground;

/* Estimates the background of an image from the means and standard
 * deviations of its n blocks (NaN entries are skipped).  work holds n
 * doubles.  Without blocks, everything is NaN (nothing is background). */
void bw_background_estimate (const gfloat * mean, const gfloat * stddev,
    gsize n, gdouble * work, BwBackground * out);

/* Whether a block with this mean and standard deviation is background. */
static inline gboolean
bw_background_contains (const BwBackground * bg, gdouble mean,
    gdouble stddev)
{
  return mean < bg->min_intensity && stddev < 1.5 * bg->noise;
}

G_END_DECLS

#endif /* __BW_BACKGROUND_H__ */
