/* gst-blockwise command line: pictures a person reads without the README:
 * the heatmap of a grid with its colour bar and caption, and the plot of a
 * stack's summary over its frames.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BC_RENDER_H__
#define __BC_RENDER_H__

#include <glib.h>
#include "colormap.h"
#include "output-set.h"

G_BEGIN_DECLS

typedef struct
{
  const gfloat *values;         /* rows x cols, NaN = invalid */
  /* With dy (rows x cols), values is dx: each block is coloured by the
   * direction of (dx, dy) (hue) and its length (brightness, 0 to
   * range_max), and a colour wheel replaces the colour bar. */
  const gfloat *dy;
  const guint8 *background;     /* rows x cols, non-zero = background
                                 * (hatched, whatever the value); or NULL */
  guint cols, rows;
  gdouble range_min, range_max;
  BwColormap colormap;
  const gchar *title;           /* first caption line */
  const gchar *subtitle;        /* second caption line, may be NULL */
  const gchar *quantity;        /* what the colour bar measures, "r" */
} BcHeatmap;

/* Writes a PNG into out: the grid scaled up with nearest neighbour to
 * about 1000 pixels on its long side, a labelled colour bar, the invalid
 * colour and the background's hatching in the legend and the caption (text that is not UTF-8 is shown
 * with U+FFFD).  FALSE and error when it cannot be drawn or written; the
 * caller closes out. */
gboolean bc_render_heatmap (const BcHeatmap * hm, BcOutput * out,
    GError ** error);

/* Writes into out a PNG plot of the median r and of the fraction of
 * blocks below the threshold over the frames of a stack. */
gboolean bc_render_series (const gdouble * median,
    const gdouble * below_fraction, guint n, gdouble threshold,
    const gchar * title, BcOutput * out, GError ** error);

/* A frame's verdict, as the drift plot marks it. */
typedef enum
{
  BC_VERDICT_MARK_REGISTERED,
  BC_VERDICT_MARK_NEEDS_REGISTRATION,
  BC_VERDICT_MARK_NO_TEXTURE
} BcVerdictMark;

#define BC_DRIFT_PLOT_WIDTH 1000
#define BC_DRIFT_PLOT_HEIGHT 560

/* Writes into out a PNG plot, BC_DRIFT_PLOT_WIDTH x BC_DRIFT_PLOT_HEIGHT,
 * of a stack's drift in x and y (px, NaN where none was found) over its
 * frames, with each frame's verdict in a strip below. */
gboolean bc_render_drift (const gdouble * drift_x, const gdouble * drift_y,
    const BcVerdictMark * verdicts, guint n, const gchar * title,
    BcOutput * out, GError ** error);

G_END_DECLS

#endif /* __BC_RENDER_H__ */
