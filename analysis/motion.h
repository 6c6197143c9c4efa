/* gst-blockwise: the frame's motion from its blocks' displacements, a
 * robust fit of a shift or an affine transform, and the transforms'
 * algebra (composition along a trajectory, inversion).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BW_MOTION_H__
#define __BW_MOTION_H__

#include "params.h"

G_BEGIN_DECLS

/* A transform of the plane: the point (x, y) goes to
 *   x' = m[0] + m[1] x + m[2] y,   y' = m[3] + m[4] x + m[5] y.
 * Coordinates are in pixels of the analysed (luma) plane, sample i at
 * x = i (pixel centres on integers).  A frame's motion maps a point of the
 * reference to where its content is in the frame (B's content relative to
 * A's, as the displacement grids): the frame is corrected by sampling it
 * at the motion of every output pixel. */
typedef struct
{
  gdouble m[6];
} BwTransform;

typedef enum
{
  BW_MOTION_SHIFT = 0,          /* x' = x + tx, y' = y + ty */
  BW_MOTION_AFFINE              /* rotation, scale, shear and shift */
} BwMotionModel;

void bw_transform_identity (BwTransform * t);
gboolean bw_transform_is_identity (const BwTransform * t);
/* out = second after first: out(p) = second (first (p)).  out may be
 * either argument. */
void bw_transform_compose (const BwTransform * second,
    const BwTransform * first, BwTransform * out);
/* FALSE (out untouched) when t is singular. */
gboolean bw_transform_invert (const BwTransform * t, BwTransform * out);
void bw_transform_apply (const BwTransform * t, gdouble x, gdouble y,
    gdouble * out_x, gdouble * out_y);

/* px: a correction's shift this close to a whole number of pixels is that
 * number, so that the samples are copied exactly instead of interpolated
 * (which smooths a little); below what the search tells apart on real
 * frames. */
#define BW_WHOLE_PIXEL_SNAP 0.01

/* The transform that corrects a frame whose trajectory is t: t itself, a
 * pure shift rounded per axis to whole pixels within BW_WHOLE_PIXEL_SNAP.
 * out may be t. */
void bw_transform_correction (const BwTransform * t, BwTransform * out);

/* One frame's fitted motion. */
typedef struct
{
  gboolean found;               /* enough informative blocks agreed */
  BwMotionModel model;
  BwTransform motion;           /* identity when not found */
  guint informative;            /* blocks offered to the fit */
  guint inliers;                /* blocks the fit kept */
  gdouble rms_residual;         /* px, over the inliers */
} BwMotionFit;

/* Fits model to the displacements of a frame's informative blocks (valid,
 * not background, a significant r-best, dx and dy finite), each at its
 * block's centre, rejecting outliers (regions moving on their own) so that
 * the fit follows the majority.  grids and background are as
 * bw_analysis_run() filled them for width x height frames analysed with
 * params (background may be NULL: the analysis leaves background blocks'
 * displacements NaN).  FALSE on invalid arguments; out->found FALSE when
 * too few blocks are informative (6 for a shift, 12 for an affine
 * transform; none without a search), when they do not agree (under 30 %
 * of them within the fit's reach of a few robust standard deviations, at
 * most about a pixel), when the agreeing blocks' residuals move together
 * by more than 0.2 px from block to block (motion the model misses), or,
 * for an affine transform, when the agreeing blocks lie on a line or in a
 * small part of the frame.  Then inliers and
 * rms_residual are those of the fit that was rejected (rms_residual NaN
 * when no fit was made). */
gboolean bw_motion_fit (BwMotionModel model, const BwParams * params,
    guint width, guint height, const gfloat * grids,
    const guint8 * background, BwMotionFit * out);

/* One frame's step along a stream's trajectory (its motion against the
 * stream's first frame).  against_previous: the frame was measured against
 * the frame before (the last frame placed), so trajectory (that frame's,
 * updated in place) becomes fit's motion after it; otherwise against the
 * first frame, so it becomes fit's motion.  A fit not found leaves the
 * trajectory unknown: the identity against the first frame, the last
 * placed frame's against the previous.  Returns fit->found: whether the
 * frame is placed (and may be the next frame's reference). */
gboolean bw_trajectory_step (gboolean against_previous,
    const BwMotionFit * fit, BwTransform * trajectory);

G_END_DECLS

#endif /* __BW_MOTION_H__ */
