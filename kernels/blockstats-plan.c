/* gst-blockwise: plans: a frame's geometry and planes with the block-sum
 * kernel its table gives for them, and the loop over block rows.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "kernels.h"

const gchar *
bw_stats_impl_name (BwImpl impl, BwSampleFormat fa, BwSampleFormat fb,
    guint block_width)
{
  const BwKernels *k = bw_kernels_get (impl);

  if (!k || !bw_sample_format_valid (fa) || !bw_sample_format_valid (fb))
    return "none";
  return bw_kernels_row (k, fa, fb, block_width, 0)->name;
}

gboolean
bw_stats_plan_init (BwStatsPlan * plan, BwImpl impl, const BwGeometry * geom,
    const BwPlane * a, const BwPlane * b)
{
  const BwKernels *kernels;
  const BwRowKernel *rk;

  if (!plan)
    return FALSE;
  memset (plan, 0, sizeof (*plan));
  if (!a || !b || !a->data || !b->data)
    return FALSE;
  if (!bw_sample_format_valid (a->format)
      || !bw_sample_format_valid (b->format))
    return FALSE;
  if (!bw_geometry_grid_size (geom, &plan->cols, &plan->rows))
    return FALSE;

  kernels = bw_kernels_get (impl);
  if (!kernels)
    return FALSE;
  rk = bw_kernels_row (kernels, a->format, b->format, geom->block_width,
      (guintptr) a->data | (guintptr) b->data | (guintptr) a->stride
      | (guintptr) b->stride);
  plan->kernels = kernels;
  plan->row_func = rk->func[a->format][b->format];
  plan->path_name = rk->name;
  plan->geom = *geom;
  plan->a = *a;
  plan->b = *b;
  return TRUE;
}

gboolean
bw_stats_plan_rows (const BwStatsPlan * plan, BwScratch * scratch,
    guint row_start, guint row_end, BwBlockSums * sums)
{
  BwBlockRowFunc func;
  BwBlockRow row;
  guint r;

  if (!plan || !plan->row_func || !scratch || !sums)
    return FALSE;
  if (row_start > row_end || row_end > plan->rows)
    return FALSE;

  func = (BwBlockRowFunc) plan->row_func;
  row.a = &plan->a;
  row.b = &plan->b;
  row.block_width = plan->geom.block_width;
  row.n_blocks = plan->cols;
  row.width_px = MIN (plan->geom.width, plan->cols * plan->geom.block_width);
  for (r = row_start; r < row_end; r++) {
    row.y0 = r * plan->geom.block_height;
    row.h = MIN (plan->geom.block_height, plan->geom.height - row.y0);
    func (scratch, &row, sums + (gsize) (r - row_start) * plan->cols);
  }
  return TRUE;
}

gboolean
bw_stats_compute_rows (BwScratch * scratch, BwImpl impl,
    const BwGeometry * geom, const BwPlane * a, const BwPlane * b,
    guint row_start, guint row_end, BwBlockSums * sums)
{
  BwStatsPlan plan;

  return bw_stats_plan_init (&plan, impl, geom, a, b)
      && bw_stats_plan_rows (&plan, scratch, row_start, row_end, sums);
}
