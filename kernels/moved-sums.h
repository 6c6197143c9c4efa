/* gst-blockwise: exact sums of blocks against moved windows, for the
 * displacement search (analysis/search.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BW_MOVED_SUMS_H__
#define __BW_MOVED_SUMS_H__

#include "blockstats.h"

G_BEGIN_DECLS

/* Largest accepted search radius, in pixels. */
#define BW_MAX_SEARCH_RADIUS 8
/* The centred sums of one block row against B moved by every offset
 * (cx + dx, cy + dy), (dx, dy) in [-R, R]² around a centre (cx, cy): for
 * block c and k = (dy + R) (2R + 1) + dx + R,
 * cab[c (2R + 1)² + k] = n·Σab − Σa·Σb and vbb[...] = n·Σb² − (Σb)² of the
 * moved window (vbb 0 where the window leaves the frame), and
 * vaa[c] = n·Σa² − (Σa)² of the block.  Each is the exact integer converted
 * to double, as bw_stats_from_sums() forms it. */
typedef struct
{
  const gdouble *cab;
  const gdouble *vbb;
  const gdouble *vaa;
} BwMovedSums;

/* The centred sums of block row row of plan (0 <= radius <=
 * BW_MAX_SEARCH_RADIUS) around the centre (cx, cy), from its unmoved sums
 * (bw_stats_plan_rows()); the arrays live in scratch until its next use.
 * The cross sums come from the plan's kernel table.  FALSE on invalid
 * arguments. */
gboolean bw_moved_sums_row (const BwStatsPlan * plan, BwScratch * scratch,
    guint radius, gint cx, gint cy, guint row, const BwBlockSums * sums,
    BwMovedSums * moved);

/* Exact sums of block (col, row) of plan against B's window moved by
 * (dx, dy), in one pass over the block; FALSE (and zero sums) when the
 * window leaves the frame. */
gboolean bw_moved_block_sums (const BwStatsPlan * plan, guint col, guint row,
    gint dx, gint dy, BwBlockSums * sums);

/* Exact sums of A's window at block (col, row) moved by (ax, ay) against
 * B's moved by (bx, by), in one pass; FALSE (and zero sums) when either
 * window leaves the frame. */
gboolean bw_moved_pair_sums (const BwStatsPlan * plan, guint col, guint row,
    gint ax, gint ay, gint bx, gint by, BwBlockSums * sums);

/* Name of the cross-sum kernel impl takes for these formats and block width
 * ("avx2" or "c"; block_width 0: widths aside).  For logs and tests. */
const gchar *bw_moved_sums_path_name (BwImpl impl, BwSampleFormat fa,
    BwSampleFormat fb, guint block_width);

G_END_DECLS
#endif /* __BW_MOVED_SUMS_H__ */
