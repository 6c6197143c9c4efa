/* gst-blockwise: block grid geometry and sample formats.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "blockstats-private.h"

gboolean
bw_sample_format_valid (BwSampleFormat f)
{
  return f == BW_SAMPLE_U8 || f == BW_SAMPLE_U16LE || f == BW_SAMPLE_U16BE;
}

gboolean
bw_geometry_grid_size (const BwGeometry * geom, guint * cols, guint * rows)
{
  guint c = 0, r = 0;

  if (geom && geom->width > 0 && geom->height > 0
      && geom->width <= BW_MAX_SIDE && geom->height <= BW_MAX_SIDE
      && geom->block_width >= 1 && geom->block_width <= BW_MAX_BLOCK_SIZE
      && geom->block_height >= 1 && geom->block_height <= BW_MAX_BLOCK_SIZE) {
    if (geom->edge_mode == BW_EDGE_PARTIAL) {
      c = (geom->width - 1) / geom->block_width + 1;
      r = (geom->height - 1) / geom->block_height + 1;
    } else if (geom->edge_mode == BW_EDGE_TRIM) {
      c = geom->width / geom->block_width;
      r = geom->height / geom->block_height;
    }
  }
  if (c == 0 || r == 0)
    c = r = 0;
  if (cols)
    *cols = c;
  if (rows)
    *rows = r;
  return c > 0;
}
