/* gst-blockwise: GstBlockCorrMeta, the per-frame results on output buffers,
 * and the summary structure that the meta and the element message share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_BLOCKCORR_META_H__
#define __GST_BLOCKCORR_META_H__

#include <gst/gst.h>
#include "gstblockcorrtypes.h"

G_BEGIN_DECLS

#define GST_BLOCKCORR_META_NAME "GstBlockCorrMeta"

void gst_blockcorr_meta_register (void);

/* The summary fields of a frame, named name ("blockcorr"). */
GstStructure *gst_blockcorr_summary_structure (const gchar * name,
    guint64 frame, GstClockTime pts0, GstClockTime pts1, guint cols,
    guint rows, const GstBlockCorrSettings * s, const BwSummary * sum);

/* Attaches a GstBlockCorrMeta to buffer (in place of one already there) with the fields of summary (copied)
 * and the grids: grids holds BW_N_GRIDS grids of n_blocks float32 each, in
 * BwGrid order (named by bw_grid_name()), then the background mask of
 * n_blocks bytes ("background-mask"), which the meta references without a
 * copy.  Returns FALSE when the meta is not registered. */
gboolean gst_blockcorr_meta_add (GstBuffer * buffer,
    const GstStructure * summary, GBytes * grids, gsize n_blocks);

G_END_DECLS

#endif /* __GST_BLOCKCORR_META_H__ */
