/* gst-blockwise: drawing the block grid into a heatmap video frame, and
 * the range of values the colormap spans.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_BLOCKCORR_HEATMAP_H__
#define __GST_BLOCKCORR_HEATMAP_H__

#include <gst/video/video.h>
#include "gstblockcorrtypes.h"

G_BEGIN_DECLS

typedef struct
{
  guint cols;
  guint rows;
  const gfloat *values;         /* rows x cols, NaN = invalid block */
  const guint8 *background;     /* rows x cols, non-zero = drawn as
                                 * background whatever the value (or NULL) */
  gdouble range_min;            /* value drawn with colormap entry 0 */
  gdouble range_max;            /* value drawn with colormap entry 255 */
  const guint8 *colormap;       /* 256 x RGB */
  guint32 invalid_argb;
  /* Pixels per block in the output: 1x1 for a grid-sized output, the block
   * size for an input-sized one.  Pixels beyond the grid are invalid. */
  guint cell_width;
  guint cell_height;

  /* Filled by gst_blockcorr_heatmap_prepare(): the output pixel of each
   * colormap entry and, at GST_BLOCKCORR_HEATMAP_INVALID and
   * GST_BLOCKCORR_HEATMAP_BACKGROUND, of invalid and background blocks, in
   * the output format.  GRAY16 carries the value itself, not an entry, and
   * has no palette. */
  const GstVideoFormatInfo *finfo;
  gboolean has_palette;
  guint8 palette[258][4];
} GstBlockCorrHeatmap;

#define GST_BLOCKCORR_HEATMAP_INVALID 256
#define GST_BLOCKCORR_HEATMAP_BACKGROUND 257

/* Background blocks are drawn in the invalid colour darkened to half
 * (opaque white, the default, gives mid gray), set apart from invalid
 * blocks. */
guint32 gst_blockcorr_heatmap_background_argb (guint32 invalid_argb);

/* Output formats the renderer supports, as a caps format list string. */
#define GST_BLOCKCORR_HEATMAP_FORMATS \
  "{ RGBA, BGRA, ARGB, ABGR, RGBx, BGRx, xRGB, xBGR, RGB, BGR, GRAY8, GRAY16_LE }"

/* The values drawn with the bottom and top colormap entries: range_min and
 * range_max, or where they are NaN the measure's automatic range (see
 * GstBlockCorrMeasure), for inputs whose largest samples are max0 and max1
 * (255 or 65535), with a displacement search of search_radius px. */
void gst_blockcorr_heatmap_range (GstBlockCorrMeasure measure,
    gdouble range_min, gdouble range_max, gdouble max0, gdouble max1,
    guint search_radius, gdouble * lo, gdouble * hi);

/* Sets up hm for drawing into frames of format finfo; call it once per
 * frame, after the fields above are set. */
void gst_blockcorr_heatmap_prepare (GstBlockCorrHeatmap * hm,
    const GstVideoFormatInfo * finfo);

/* Draws output lines [y0, y1) of hm into frame, whose format must be the
 * one hm was prepared for; y0 must start a block row (a multiple of
 * cell_height) or lie below the grid.  Disjoint line ranges can be drawn in
 * parallel. */
void gst_blockcorr_heatmap_render_lines (const GstBlockCorrHeatmap * hm,
    GstVideoFrame * frame, guint y0, guint y1);

G_END_DECLS

#endif /* __GST_BLOCKCORR_HEATMAP_H__ */
