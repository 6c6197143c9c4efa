/* gst-blockwise: resampling a plane through a transform (drift
 * correction), in the plane's own sample format.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BW_WARP_H__
#define __BW_WARP_H__

#include "motion.h"

G_BEGIN_DECLS

typedef enum
{
  BW_BORDER_EDGE = 0,           /* uncovered pixels repeat the nearest edge */
  BW_BORDER_CONSTANT            /* uncovered pixels get the fill value */
} BwBorder;

/* One plane of a frame as stored: first byte of the top row, bytes from
 * row to row, bytes from one pixel to the next (the sample size, or twice
 * it for the interleaved chroma of NV12), the components interleaved per
 * pixel (1, or 2 for NV12's UV), and the plane's size relative to the
 * analysed plane (1 for luma, 0.5 for subsampled chroma). */
typedef struct
{
  guint8 *data;
  gssize stride;
  guint pixel_stride;
  guint components;
  BwSampleFormat format;
  guint width, height;
  gdouble scale_x, scale_y;
} BwWarpPlane;

/* Writes dst(p) = src(motion(p)) for every pixel p of dst, motion taken in
 * the analysed plane's coordinates (the plane's scale maps pixel centres
 * between them), interpolated with Keys' cubic convolution (a = -0.5),
 * rounded and clamped to the format's range.  A whole-pixel shift copies
 * samples exactly; a flat plane stays flat.  Pixels whose source lies
 * outside src get fill (border CONSTANT) or the nearest edge's value
 * (EDGE).  src and dst have the same size, format and layout and do not
 * overlap.  FALSE on invalid arguments. */
gboolean bw_warp_plane (const BwTransform * motion, const BwWarpPlane * src,
    BwWarpPlane * dst, BwBorder border, guint fill);

G_END_DECLS

#endif /* __BW_WARP_H__ */
