/* gst-blockwise: sub-pixel refinement of a block's displacement
 * (analysis/subpixel.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The quadratic surface fitted to r at whole-pixel offsets (search.c) is a
 * first estimate: r's peak is not a paraboloid, so that estimate scatters
 * most at half pixels.  The refinement deforms B's window instead: it
 * samples B at the block's pixels moved by the current estimate (separable
 * six-point cubic convolution, Keys's third-order kernel: the four-point
 * kernel's phase error pulls the estimate towards half pixels) and moves
 * the estimate by the Gauss-Newton step that best explains the difference
 * with A's block
 * (inverse compositional Lucas-Kanade: A's gradients and their 2 x 2 normal
 * matrix are computed once per block).  The gradients are made orthogonal
 * to a constant and to A's block itself, so that a gain and an offset
 * between the frames do not move the estimate.
 */
#ifndef __BW_SUBPIXEL_H__
#define __BW_SUBPIXEL_H__

#include "displacement.h"

G_BEGIN_DECLS

/* Largest block refined, in pixels (256 x 256): beyond it the scatter of
 * the whole-pixel fit is small, and the arrays would be large. */
#define BW_SUBPIXEL_MAX_PIXELS 65536
/* Refines the displacement (*dx, *dy) of block (col, row) of plan, an
 * estimate within half a pixel or so of the peak, in place.  FALSE (and
 * *dx, *dy untouched) where the refinement cannot run or does not settle:
 * the sampled window would leave the frame, the block has no structure
 * along one direction (a flat block or a straight edge), or an iteration
 * leaves the pixel around the estimate; and for blocks of more than
 * BW_SUBPIXEL_MAX_PIXELS pixels.  Its arrays (three floats per pixel) live
 * in scratch; thread-safe with one scratch per thread. */
gboolean bw_subpixel_refine (const BwStatsPlan * plan, BwScratch * scratch,
    guint col, guint row, gdouble * dx, gdouble * dy);

/* A peak is refined only where r at the four whole-pixel neighbours of the
 * best offset averages at least this fraction of r-best. */
#define BW_SUBPIXEL_MIN_WIDTH 0.5

/* The refinement of one search result (displacement.h) where it applies:
 * a fitted peak that is signal (r-best BW_SIGNAL_Z standard errors above
 * 0), not on the search radius and at least a pixel wide (r_around, the
 * mean r at the best offset's four whole-pixel neighbours, at least
 * BW_SUBPIXEL_MIN_WIDTH r-best); elsewhere, or where the refinement fails,
 * the whole-pixel fit stays.  shift->n must be set. */
void bw_subpixel_refine_shift (const BwStatsPlan * plan,
    BwScratch * scratch, guint col, guint row, gdouble r_around,
    BwBlockShift * shift);

G_END_DECLS
#endif /* __BW_SUBPIXEL_H__ */
