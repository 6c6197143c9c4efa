/* gst-blockwise: the analysis of one pair of whole images in one call
 * (registration.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "registration.h"

gboolean
bw_check_registration (const BwParams * params, guint width, guint height,
    const BwPlane * plane0, const BwPlane * plane1, gfloat * grids,
    BwSummary * summary)
{
  BwAnalysis *an;
  BwGeometry geom;
  gfloat *own = NULL;
  guint cols, rows;
  gboolean ok;

  if (!params || !bw_params_check (params, NULL))
    return FALSE;
  geom = bw_params_geometry (params, width, height);
  if (!bw_geometry_grid_size (&geom, &cols, &rows) || cols == 0 || rows == 0)
    return FALSE;
  if (!grids)
    grids = own = g_new (gfloat, (gsize) BW_N_GRIDS * cols * rows);
  an = bw_analysis_new ();
  ok = bw_analysis_run (an, params, width, height, plane0, plane1, grids,
      NULL, NULL, summary);
  bw_analysis_free (an);
  g_free (own);
  return ok;
}
