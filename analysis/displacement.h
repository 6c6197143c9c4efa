/* gst-blockwise: per-block displacement search (analysis/search.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * For every block of the reference plane A, Pearson r against the compared
 * plane B's window moved by every integer offset (dx, dy) in [-R, R]², the
 * offset with the highest r and a sub-pixel estimate around it.  A positive
 * dx means B's content lies dx pixels to the right of A's: B's window at
 * (x0 + dx, y0 + dy) matches A's block at (x0, y0).
 *
 * Offsets whose moved window would leave the frame are not tried (at the
 * frame's edges the search is one-sided).  Every r comes from exact integer
 * sums, as bw_stats_from_sums() does for the unmoved blocks: Σb and Σb² of
 * the moved windows from column sums shared by all blocks of a block row,
 * only Σab is new per offset.
 */
#ifndef __BW_DISPLACEMENT_H__
#define __BW_DISPLACEMENT_H__

#include "blockstats.h"
#include "moved-sums.h"

G_BEGIN_DECLS

/* The search result of one block. */
typedef struct
{
  gfloat dx;                    /* displacement, px, sub-pixel; NaN when no */
  gfloat dy;                    /* offset gave a valid r */
  gfloat r_best;                /* r at the best integer offset, or NaN */
  gint8 best_x;                 /* the best integer offset, from the */
  gint8 best_y;                 /* search's centre */
  /* TRUE when the best offset lies on the search radius (the displacement
   * may be larger than the radius). */
  guint8 at_radius;
  /* TRUE when the sub-pixel estimate found a peak along both axes (both
   * neighbours tried, and r curved down on each side). */
  guint8 fitted;
  /* r at (0, 0), and n, for the significance of the gain (double: the
   * library's tests compare it exactly). */
  gdouble r_zero;
  guint32 n;
} BwBlockShift;

/* Searches the blocks of block rows [row_start, row_end) of plan with the
 * given radius (0 .. BW_MAX_SEARCH_RADIUS; 0 only evaluates (0, 0)).  sums
 * holds the unmoved sums of these rows as bw_stats_plan_rows() computed them
 * (Σa and Σa² are taken from there); out[(row - row_start) * cols + col]
 * receives each block's result.  Thread-safe for disjoint ranges with
 * separate scratch objects.  FALSE on invalid arguments. */
gboolean bw_search_rows (const BwStatsPlan * plan, BwScratch * scratch,
    guint radius, guint row_start, guint row_end, const BwBlockSums * sums,
    BwBlockShift * out);

/* bw_search_rows() around the centre (cx, cy): the offsets tried are
 * (cx + dx, cy + dy), (dx, dy) in [-radius, radius]²; dx and dy in out are
 * whole (centre included), best_x and best_y counted from the centre, and
 * r_zero still r at (0, 0).  Blocks whose moved windows leave the frame are
 * not tried there. */
gboolean bw_search_rows_at (const BwStatsPlan * plan, BwScratch * scratch,
    guint radius, gint cx, gint cy, guint row_start, guint row_end,
    const BwBlockSums * sums, BwBlockShift * out);

/* r of one block (col, row) of plan against B's window moved by (dx, dy),
 * from exact sums, as bw_search_rows() computes it; NaN when the window
 * leaves the frame or a side is flat.  Costs one pass over the block. */
gdouble bw_search_block_r (const BwStatsPlan * plan, guint col, guint row,
    gint dx, gint dy);

/* bw_search_block_r() for block index block (row-major) of the plan passed
 * as data: the shape of BwVerdictParams.r_at. */
gdouble bw_search_block_r_at (gpointer plan, gsize block, gint dx, gint dy);

/* r of A's window at block index block (of the plan passed as data) moved
 * by (ax, ay) against B's moved by (bx, by); NaN when a window leaves the
 * frame or a side is flat.  The shape of BwVerdictParams.r_pair. */
gdouble bw_search_pair_r_at (gpointer plan, gsize block, gint ax, gint ay,
    gint bx, gint by);

/* Vertex of the parabola through (-1, lo), (0, mid), (1, hi), within half a
 * sample; 0 (and *fitted FALSE) when a neighbour is missing (not finite)
 * or mid is no peak. */
gdouble bw_parabola_peak (gdouble lo, gdouble mid, gdouble hi,
    gboolean * fitted);

/* Name of the path that computes the cross sums for these formats in AUTO
 * plans ("avx2" or "c", block widths aside); for logs and benchmarks. */
const gchar *bw_search_path_name (BwSampleFormat fa, BwSampleFormat fb);

G_END_DECLS
#endif /* __BW_DISPLACEMENT_H__ */
