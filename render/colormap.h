/* gst-blockwise: 256-entry colormaps for the heatmap.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BW_COLORMAP_H__
#define __BW_COLORMAP_H__

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  BW_COLORMAP_COOLWARM = 0,     /* Moreland's diverging blue-white-red map */
  BW_COLORMAP_VIRIDIS,
  BW_COLORMAP_MAGMA,
  BW_COLORMAP_GRAY,
  BW_COLORMAP_N
} BwColormap;

/* 256 entries of R, G, B (768 bytes); entry 0 is the low end of the range.
 * Returns NULL for an unknown map. */
const guint8 *bw_colormap_table (BwColormap map);

/* Position 0..1 of value v on the range [lo, hi] (clamped; lo > hi reverses
 * the range), also for ranges wider than the largest double (±G_MAXDOUBLE).
 * NaN for NaN. */
double bw_colormap_position (double v, double lo, double hi);

/* Index 0..255 of value v on the range [lo, hi]; values outside clamp to the
 * ends.  NaN is the caller's business (invalid colour). */
guint8 bw_colormap_index (double v, double lo, double hi);

G_END_DECLS

#endif /* __BW_COLORMAP_H__ */
