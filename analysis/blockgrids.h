/* gst-blockwise: whole grids in one call, for bindings (the Python package
 * calls this through ctypes).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BW_BLOCKGRIDS_H__
#define __BW_BLOCKGRIDS_H__

#include "blockstats.h"

G_BEGIN_DECLS

/* Per-block results of two planes, each grid rows x cols doubles (the grid
 * size of bw_geometry_grid_size()), row-major; any pointer may be NULL
 * (that grid is not written).  Inputs a and b as the planes' arguments. */
typedef struct
{
  double *n;                    /* pixels per block */
  double *sum_a, *sum_b;        /* exact sums Σa, Σb */
  double *mean_a, *mean_b;
  double *var_a, *var_b;        /* Σ(x - mean)²: divide by n - ddof for a
                                 * variance */
  double *cov;                  /* Σ(a - mean_a)(b - mean_b) */
  double *r;                    /* Pearson r, NaN where a variance is 0 */
} BwGridsOut;

/* The grids of out for planes a and b, computed on n_threads threads (0:
 * one per CPU; the rows are split, results identical).  FALSE on invalid
 * arguments. */
gboolean bw_grids_compute (const BwGeometry * geom, const BwPlane * a,
    const BwPlane * b, guint n_threads, const BwGridsOut * out);

G_END_DECLS

#endif /* __BW_BLOCKGRIDS_H__ */
