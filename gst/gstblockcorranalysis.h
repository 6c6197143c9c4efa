/* gst-blockwise: the elements' side of the per-frame analysis: the settings
 * handed to the analysis (analysis/analysis.h) and the heatmap drawn from
 * its rows.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_BLOCKCORR_ANALYSIS_H__
#define __GST_BLOCKCORR_ANALYSIS_H__

#include <gst/video/video.h>
#include "gstblockcorrtypes.h"

G_BEGIN_DECLS
/* The analysis' working memory and threads and the heatmap's, reused from
 * frame to frame (only the grids handed to the meta are allocated per
 * frame).  Used by one thread at a time: the aggregator's streaming
 * thread. */
typedef struct _GstBlockCorrAnalysis GstBlockCorrAnalysis;

GstBlockCorrAnalysis *gst_blockcorr_analysis_new (void);
void gst_blockcorr_analysis_free (GstBlockCorrAnalysis * an);

/* Frees the working memory and stops the worker threads (when the element
 * stops); the next frame starts them again. */
void gst_blockcorr_analysis_reset (GstBlockCorrAnalysis * an);

/* The sample format of a frame's analysed (first) plane: 16-bit gray in
 * its byte order, else 8-bit (GRAY8 and the luma plane of YUV formats). */
BwSampleFormat gst_blockcorr_sample_format (GstVideoFormat format);

/* One pair of frames: their size, the planes analysed and their largest
 * sample values (255 or 65535), for the automatic colour range. */
typedef struct
{
  guint width, height;
  BwPlane planes[2];
  gdouble max_value[2];
} GstBlockCorrPair;

/* Analyses pair with the settings s: the grids, the summary, and, unless
 * out is NULL, the heatmap drawn into out (mapped for writing) row by row
 * as the analysis finishes them.  Returns the grids, BW_N_GRIDS of them in one GBytes for
 * the meta, followed by the background mask (a byte per block, 1 for
 * background); NULL when the settings or the geometry are invalid. */
GBytes *gst_blockcorr_analysis_run (GstBlockCorrAnalysis * an,
    const GstBlockCorrSettings * s, const GstBlockCorrPair * pair,
    GstVideoFrame * out, BwSummary * summary);

/* Checks that the rows of component comp of a mapped frame lie inside the
 * memory mapped for it: gst_video_frame_map() trusts a GstVideoMeta's
 * offsets and strides (GStreamer 1.22 does not check them against the
 * buffer), so a meta can point rows past the end of the buffer.  On
 * failure, *first and *last are the byte range the rows need and *size
 * what is mapped. */
gboolean gst_blockcorr_component_within_memory (const GstVideoFrame * frame,
    guint comp, gint64 * first, gint64 * last, gsize * size);

G_END_DECLS
#endif /* __GST_BLOCKCORR_ANALYSIS_H__ */
