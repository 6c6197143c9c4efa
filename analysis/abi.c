/* gst-blockwise: the layout of the API's structures, for bindings (abi.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "abi.h"
#include "blockgrids.h"
#include "worker.h"

#include <string.h>

#define STRUCT(t) { #t, NULL, 0, sizeof (t) }
#define FIELD(t, f) { #t, #f, G_STRUCT_OFFSET (t, f), sizeof (((t *) 0)->f) }

static const BwAbiField layout[] = {
  STRUCT (BwPlane),
  FIELD (BwPlane, data),
  FIELD (BwPlane, stride),
  FIELD (BwPlane, format),

  STRUCT (BwGeometry),
  FIELD (BwGeometry, width),
  FIELD (BwGeometry, height),
  FIELD (BwGeometry, block_width),
  FIELD (BwGeometry, block_height),
  FIELD (BwGeometry, edge_mode),

  STRUCT (BwGridsOut),
  FIELD (BwGridsOut, n),
  FIELD (BwGridsOut, sum_a),
  FIELD (BwGridsOut, sum_b),
  FIELD (BwGridsOut, mean_a),
  FIELD (BwGridsOut, mean_b),
  FIELD (BwGridsOut, var_a),
  FIELD (BwGridsOut, var_b),
  FIELD (BwGridsOut, cov),
  FIELD (BwGridsOut, r),

  STRUCT (BwParams),
  FIELD (BwParams, block_width),
  FIELD (BwParams, block_height),
  FIELD (BwParams, edge_mode),
  FIELD (BwParams, search_radius),
  FIELD (BwParams, min_intensity),
  FIELD (BwParams, threshold),
  FIELD (BwParams, min_region_blocks),
  FIELD (BwParams, shift_tolerance),
  FIELD (BwParams, n_threads),

  STRUCT (BwBackground),
  FIELD (BwBackground, level),
  FIELD (BwBackground, noise),
  FIELD (BwBackground, min_intensity),
  FIELD (BwBackground, noise_var_offset),
  FIELD (BwBackground, noise_var_slope),
  FIELD (BwBackground, noise_mean_max),

  STRUCT (BwRegion),
  FIELD (BwRegion, x),
  FIELD (BwRegion, y),
  FIELD (BwRegion, width),
  FIELD (BwRegion, height),
  FIELD (BwRegion, blocks),
  FIELD (BwRegion, median_r),
  FIELD (BwRegion, shift_x),
  FIELD (BwRegion, shift_y),
  FIELD (BwRegion, unmatched),
  FIELD (BwRegion, at_radius),

  STRUCT (BwVerdict),
  FIELD (BwVerdict, verdict),
  FIELD (BwVerdict, informative),
  FIELD (BwVerdict, shift_x),
  FIELD (BwVerdict, shift_y),
  FIELD (BwVerdict, shift_significant),
  FIELD (BwVerdict, shift_at_limit),
  FIELD (BwVerdict, uncorrelated),
  FIELD (BwVerdict, n_regions),
  FIELD (BwVerdict, n_reported),
  FIELD (BwVerdict, regions),
  FIELD (BwVerdict, median_r_outside),

  STRUCT (BwSummary),
  FIELD (BwSummary, valid_blocks),
  FIELD (BwSummary, invalid_blocks),
  FIELD (BwSummary, mean_r),
  FIELD (BwSummary, min_r),
  FIELD (BwSummary, max_r),
  FIELD (BwSummary, median_r),
  FIELD (BwSummary, below_fraction),
  FIELD (BwSummary, background_blocks),
  FIELD (BwSummary, min_intensity),
  FIELD (BwSummary, background),
  FIELD (BwSummary, verdict),

  STRUCT (BwTransform),
  FIELD (BwTransform, m),

  STRUCT (BwMotionFit),
  FIELD (BwMotionFit, found),
  FIELD (BwMotionFit, model),
  FIELD (BwMotionFit, motion),
  FIELD (BwMotionFit, informative),
  FIELD (BwMotionFit, inliers),
  FIELD (BwMotionFit, rms_residual),

  STRUCT (BwWarpPlane),
  FIELD (BwWarpPlane, data),
  FIELD (BwWarpPlane, stride),
  FIELD (BwWarpPlane, pixel_stride),
  FIELD (BwWarpPlane, components),
  FIELD (BwWarpPlane, format),
  FIELD (BwWarpPlane, width),
  FIELD (BwWarpPlane, height),
  FIELD (BwWarpPlane, scale_x),
  FIELD (BwWarpPlane, scale_y),

  {NULL, NULL, 0, 0}
};

#define CONSTANT(c) { #c, c }

static const BwAbiConstant constants[] = {
  CONSTANT (BW_MAX_BLOCK_SIZE),
  CONSTANT (BW_MAX_SIDE),
  CONSTANT (BW_MAX_SEARCH_RADIUS),
  CONSTANT (BW_WORKER_MAX_THREADS),
  CONSTANT (BW_AUTO),
  CONSTANT (BW_N_GRIDS),
  CONSTANT (BW_MAX_REPORTED_REGIONS),
  CONSTANT (BW_SAMPLE_U8),
  CONSTANT (BW_SAMPLE_U16LE),
  CONSTANT (BW_SAMPLE_U16BE),
  CONSTANT (BW_EDGE_TRIM),
  CONSTANT (BW_EDGE_PARTIAL),
  CONSTANT (BW_MOTION_SHIFT),
  CONSTANT (BW_MOTION_AFFINE),
  CONSTANT (BW_BORDER_EDGE),
  CONSTANT (BW_BORDER_CONSTANT),
  {NULL, 0}
};

const BwAbiField *
bw_abi_layout (void)
{
  return layout;
}

const BwAbiConstant *
bw_abi_constants (void)
{
  return constants;
}

/* The background mask, copied row by row as the analysis finishes them. */
typedef struct
{
  guint8 *background;
} MotionRows;

static void
copy_background_row (gpointer data, const BwFrameResults * results, guint row)
{
  MotionRows *rows = data;
  gsize at = (gsize) row * results->cols;

  memcpy (rows->background + at, results->background + at, results->cols);
}

gboolean
bw_abi_frame_motion (BwAnalysis * an, const BwParams * params, guint width,
    guint height, const BwPlane * plane0, const BwPlane * plane1,
    BwMotionModel model, gfloat * grids, BwSummary * summary, BwMotionFit * fit)
{
  BwAnalysis *own_an = NULL;
  gfloat *own_grids = NULL;
  BwSummary own_summary;
  MotionRows rows = { NULL };
  BwGeometry geom;
  guint cols, n_rows;
  gboolean ok;

  if (!params || !fit || !bw_params_check (params, NULL))
    return FALSE;
  geom = bw_params_geometry (params, width, height);
  if (!bw_geometry_grid_size (&geom, &cols, &n_rows) || cols == 0
      || n_rows == 0)
    return FALSE;
  if (!an)
    an = own_an = bw_analysis_new ();
  if (!grids)
    grids = own_grids = g_new (gfloat, (gsize) BW_N_GRIDS * cols * n_rows);
  if (!summary)
    summary = &own_summary;
  rows.background = g_new0 (guint8, (gsize) cols * n_rows);
  ok = bw_analysis_run (an, params, width, height, plane0, plane1, grids,
      copy_background_row, &rows, summary)
      && bw_motion_fit (model, params, width, height, grids, rows.background,
      fit);
  g_free (rows.background);
  g_free (own_grids);
  if (own_an)
    bw_analysis_free (own_an);
  return ok;
}
