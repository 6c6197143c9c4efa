/* gst-blockwise: the analysis settings' defaults and limits (params.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include "params.h"
#include "worker.h"

void
bw_params_init (BwParams * params)
{
  params->block_width = params->block_height = BW_DEFAULT_BLOCK_SIZE;
  params->edge_mode = BW_DEFAULT_EDGE_MODE;
  params->search_radius = BW_DEFAULT_SEARCH_RADIUS;
  params->min_intensity = BW_DEFAULT_MIN_INTENSITY;
  params->threshold = BW_DEFAULT_THRESHOLD;
  params->min_region_blocks = BW_DEFAULT_MIN_REGION_BLOCKS;
  params->shift_tolerance = BW_DEFAULT_SHIFT_TOLERANCE;
  params->n_threads = BW_DEFAULT_N_THREADS;
}

BwGeometry
bw_params_geometry (const BwParams * params, guint width, guint height)
{
  BwGeometry geom = { width, height, params->block_width,
    params->block_height, params->edge_mode
  };

  return geom;
}

static gboolean
fail (gchar ** error, const gchar * format, ...)
{
  va_list args;

  if (error) {
    va_start (args, format);
    *error = g_strdup_vprintf (format, args);
    va_end (args);
  }
  return FALSE;
}

gboolean
bw_params_check (const BwParams * p, gchar ** error)
{
  if (p->block_width < 1 || p->block_width > BW_MAX_BLOCK_SIZE
      || p->block_height < 1 || p->block_height > BW_MAX_BLOCK_SIZE)
    return fail (error, "block sides are 1 to %d px, not %ux%u",
        BW_MAX_BLOCK_SIZE, p->block_width, p->block_height);
  if (p->edge_mode != BW_EDGE_TRIM && p->edge_mode != BW_EDGE_PARTIAL)
    return fail (error, "edge mode is trim or partial, not %d",
        (gint) p->edge_mode);
  if (p->search_radius > BW_MAX_SEARCH_RADIUS)
    return fail (error, "search radius is 0 to %d px, not %u",
        BW_MAX_SEARCH_RADIUS, p->search_radius);
  if (!(p->min_intensity == BW_AUTO || (p->min_intensity >= 0
              && p->min_intensity <= G_MAXUINT16)))
    return fail (error, "min-intensity is automatic (%g) or 0 to %d, not %g",
        BW_AUTO, G_MAXUINT16, p->min_intensity);
  if (!(p->threshold >= -1.0 && p->threshold <= 1.0))
    return fail (error, "threshold is an r value, -1 to 1, not %g",
        p->threshold);
  if (p->min_region_blocks < 1)
    return fail (error, "a region needs at least 1 block, not %u",
        p->min_region_blocks);
  if (!(p->shift_tolerance >= 0 && p->shift_tolerance <= BW_MAX_SEARCH_RADIUS))
    return fail (error, "shift tolerance is 0 to %d px, not %g",
        BW_MAX_SEARCH_RADIUS, p->shift_tolerance);
  if (p->n_threads > BW_WORKER_MAX_THREADS)
    return fail (error, "threads are 0 (one per CPU) to %d, not %u",
        BW_WORKER_MAX_THREADS, p->n_threads);
  return TRUE;
}
