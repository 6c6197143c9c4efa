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
 * size of bw_geometry_grid_size()), row-major; any pointer may be NULL.
 * sum_*: exact sums Σa, Σb; mean_*; var_*: Σ(x - mean)² (divide by n - ddof
 * for a variance); cov: Σ(a - mean_a)(b - mean_b); r: Pearson r, NaN where a
 * variance is zero; n: pixels per block.  Computed on n_threads threads
 * (0: one per CPU; the rows are split, results identical).  FALSE on
 * invalid arguments. */
gboolean bw_grids_compute (const BwGeometry * geom, const BwPlane * a,
    const BwPlane * b, guint n_threads, double *n, double *sum_a,
    double *sum_b, double *mean_a, double *mean_b, double *var_a,
    double *var_b, double *cov, double *r);

G_END_DECLS

#endif /* __BW_BLOCKGRIDS_H__ */
