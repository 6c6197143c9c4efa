/* gst-blockwise: the blockcorr element.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_BLOCKCORR_H__
#define __GST_BLOCKCORR_H__

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/video/gstvideoaggregator.h>
#include "gstblockcorrtypes.h"
#include "gstblockcorranalysis.h"

G_BEGIN_DECLS
#define GST_TYPE_BLOCKCORR (gst_blockcorr_get_type ())
G_DECLARE_FINAL_TYPE (GstBlockCorr, gst_blockcorr, GST, BLOCKCORR,
    GstVideoAggregator);

struct _GstBlockCorr
{
  GstVideoAggregator parent;

  /* Properties, with the object lock. */
  GstBlockCorrSettings settings;

  /* 1 + index of a sink pad that got a buffer without PTS, or 0. */
  gint missing_pts_pad;
  /* TRUE once an input's caps were refused (an error was posted): the
   * output cannot be negotiated until the element is restarted. */
  gint caps_refused;
  /* Signalled (with the object lock) when a sink pad is added, so that the
   * aggregate thread waiting for the second input wakes up. */
  GCond pads_cond;

  /* sink_0 and sink_1 while they exist, with the object lock; requests
   * are serialised by request_lock. */
  GstVideoAggregatorPad *sink_pads[2];
  GMutex request_lock;

  /* Streaming state, only touched by the aggregate thread. */
  guint64 frame_count;
  /* Running time of the current pair of input buffers (start, end), and
   * for inputs without a frame rate (0/1) the end of the last pair taken, to
   * move the output position past it; GST_CLOCK_TIME_NONE when unknown. */
  GstClockTime pair_start, pair_end;
  GstClockTime vfr_pair_end;
  /* Set when an input ended and nothing more can be paired. */
  gboolean inputs_ended;
  GstBlockCorrAnalysis *analysis;

  /* The input frame size the output was last negotiated for (0 before),
   * with the object lock: the geometry properties are checked against
   * it. */
  gint frame_width, frame_height;
  /* Warnings posted once: only sink_0 linked; the inputs' frame rates
   * differ (until the caps change). */
  gboolean warned_one_input;
  gboolean warned_rates;
};

GST_ELEMENT_REGISTER_DECLARE (blockcorr);

G_END_DECLS
#endif /* __GST_BLOCKCORR_H__ */
