/* gst-blockwise: the per-frame analysis of blockcorr.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_BLOCKCORR_ANALYSIS_H__
#define __GST_BLOCKCORR_ANALYSIS_H__

#include <gst/video/video.h>
#include "blockstats.h"
#include "gstblockcorrtypes.h"

G_BEGIN_DECLS

/* Working memory and worker threads, reused from frame to frame (only the
 * grids handed to the meta are allocated per frame).  Used by one thread at
 * a time: the aggregator's streaming thread. */
typedef struct _GstBlockCorrAnalysis GstBlockCorrAnalysis;

GstBlockCorrAnalysis *gst_blockcorr_analysis_new (void);
void gst_blockcorr_analysis_free (GstBlockCorrAnalysis * an);

/* Frees the working memory and stops the worker threads (when the element
 * stops); the next frame starts them again. */
void gst_blockcorr_analysis_reset (GstBlockCorrAnalysis * an);

/* One pair of frames: the planes analysed and their largest sample values
 * (255 or 65535), for the automatic colour range. */
typedef struct
{
  BwGeometry geom;
  BwPlane planes[2];
  gdouble max_value[2];
} GstBlockCorrPair;

/* Analyses pair with the settings s on the worker threads: block
 * statistics, the heatmap drawn into out (mapped for writing) and the
 * summary.  Returns the grids, GST_BLOCKCORR_N_GRIDS of them (rows x cols
 * float32 each, NaN where invalid) in GstBlockCorrGrid order, in one
 * GBytes for the meta; NULL when the geometry is invalid. */
GBytes *gst_blockcorr_analysis_run (GstBlockCorrAnalysis * an,
    const GstBlockCorrSettings * s, const GstBlockCorrPair * pair,
    GstVideoFrame * out, GstBlockCorrSummary * summary);

G_END_DECLS

#endif /* __GST_BLOCKCORR_ANALYSIS_H__ */
