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
 * the analysed plane's coordinates: a pixel centre x of a plane of scale
 * s is at X = (x + 0.5) / s - 0.5 there, and back.  Every component of
 * the plane is resampled on its own.
 *
 * Interpolation: Keys' cubic convolution with a = -0.5 (4 x 4 taps; exact
 * for quadratics, overshoot at steps is clamped), rounded to nearest and
 * clamped to the format's range.  A transform that is a pure shift takes
 * a separable path; a shift within 1e-9 px of a whole number of the
 * plane's pixels is that whole number, and copies samples exactly.  A
 * flat plane stays flat.
 *
 * Borders: with EDGE, the source point is clamped into the plane (to its
 * outermost pixel centres), so uncovered pixels repeat the nearest edge
 * samples.  With CONSTANT, pixels whose source point lies outside
 * [-0.5, size - 0.5) on either axis get fill, and the others are
 * interpolated.  In both, taps beyond the plane read its nearest edge
 * sample.
 *
 * src and dst have the same size, format, components, pixel stride and
 * scale (their row strides may differ; negative for rows stored bottom-up)
 * and their bytes do not overlap.  fill is within the format's range
 * (ignored with EDGE).  Bytes of dst between pixels and rows are left
 * alone.  FALSE on invalid arguments (dst then untouched), among them a
 * transform with a coefficient that is not finite or beyond 1e100. */
gboolean bw_warp_plane (const BwTransform * motion, const BwWarpPlane * src,
    BwWarpPlane * dst, BwBorder border, guint fill);

/* The same for dst rows [first_row, first_row + n_rows) only (the result
 * is the same bytes as bw_warp_plane()'s), so that callers can run
 * disjoint row ranges of one plane on several threads.  FALSE also when
 * the range is not within the plane. */
gboolean bw_warp_plane_rows (const BwTransform * motion,
    const BwWarpPlane * src, BwWarpPlane * dst, BwBorder border, guint fill,
    guint first_row, guint n_rows);

G_END_DECLS

#endif /* __BW_WARP_H__ */
