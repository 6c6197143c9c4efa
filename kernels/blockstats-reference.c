/* gst-blockwise: the reference path of the block sums, the plain per-block
 * loop that the faster paths are tested against.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "blockstats-private.h"

void
bw_block_row_reference (BwScratch * scratch, const BwBlockRow * row,
    BwBlockSums * out)
{
  guint c, x, y;

  for (c = 0; c < row->n_blocks; c++) {
    guint x0 = c * row->block_width;
    guint x1 = MIN (x0 + row->block_width, row->width_px);
    BwBlockSums s = { 0, };

    for (y = row->y0; y < row->y0 + row->h; y++) {
      const guint8 *ra = bw_plane_row (row->a, y);
      const guint8 *rb = bw_plane_row (row->b, y);

      for (x = x0; x < x1; x++) {
        bw_sums_add (&s, bw_sample_at (ra, x, row->a->format),
            bw_sample_at (rb, x, row->b->format));
      }
    }
    s.n = (guint64) (x1 - x0) * row->h;
    out[c] = s;
  }
}
