/* gst-blockwise: drawing the block grid into a heatmap video frame. */
#ifndef __GST_BLOCKCORR_HEATMAP_H__
#define __GST_BLOCKCORR_HEATMAP_H__

#include <gst/video/video.h>

G_BEGIN_DECLS

typedef struct
{
  guint cols;
  guint rows;
  const gfloat *values;         /* rows x cols, NaN = invalid block */
  gdouble range_min;            /* value drawn with colormap entry 0 */
  gdouble range_max;            /* value drawn with colormap entry 255 */
  const guint8 *colormap;       /* 256 x RGB */
  guint32 invalid_argb;
  /* Pixels per block in the output: 1x1 for a grid-sized output, the block
   * size for an input-sized one.  Pixels beyond the grid are invalid. */
  guint cell_width;
  guint cell_height;
} GstBlockCorrHeatmap;

/* Output formats the renderer supports, as a caps format list string. */
#define GST_BLOCKCORR_HEATMAP_FORMATS \
  "{ RGBA, BGRA, ARGB, ABGR, RGBx, BGRx, xRGB, xBGR, RGB, BGR, GRAY8, GRAY16_LE }"

/* Draws output lines [y0, y1) of hm into frame; y0 must start a block row
 * (a multiple of cell_height) or lie below the grid.  scratch must hold
 * cols * 4 bytes.  Disjoint line ranges can be drawn in parallel. */
void gst_blockcorr_heatmap_render_lines (const GstBlockCorrHeatmap * hm,
    GstVideoFrame * frame, guint8 * scratch, guint y0, guint y1);

G_END_DECLS

#endif /* __GST_BLOCKCORR_HEATMAP_H__ */
