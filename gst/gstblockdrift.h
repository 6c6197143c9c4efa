/* gst-blockwise: the blockdrift element.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_BLOCKDRIFT_H__
#define __GST_BLOCKDRIFT_H__

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/video/gstvideofilter.h>
#include "gstblockcorrtypes.h"
#include "gstblockcorranalysis.h"
#include "gstblockcorralarm.h"
#include "motion.h"

G_BEGIN_DECLS
#define GST_TYPE_BLOCKDRIFT (gst_blockdrift_get_type ())
G_DECLARE_FINAL_TYPE (GstBlockDrift, gst_blockdrift, GST, BLOCKDRIFT,
    GstVideoFilter);

struct _GstBlockDrift
{
  GstVideoFilter parent;

  /* Properties, with the object lock. */
  GstBlockCorrSettings settings;
  GstBlockDriftReference reference;
  GstBlockDriftCorrect correct;
  GstBlockDriftBorder border;
  guint fill;
  GstBlockDriftOutput output;
  guint alarm_frames;
  gdouble alarm_fraction;
  /* With the object lock: the next frame becomes the reference
   * (reset-reference, a flushing seek, a new reference mode or caps). */
  gboolean ref_reset;
  /* The input frame size negotiated (0 before), with the object lock: the
   * geometry properties are checked against it. */
  gint frame_width, frame_height;

  /* Streaming state, touched only by the streaming thread. */
  GstBlockCorrAnalysis *analysis;
  guint64 frame_count;
  /* The reference frame (a copy: an upstream pool must not run dry while
   * it is held), its caps and PTS. */
  GstBuffer *ref_buffer;
  GstVideoInfo ref_info;
  GstClockTime ref_pts;
  /* The motion of the last frame against the first (the trajectory). */
  BwTransform trajectory;

  /* The drift alarm, and the index and running time of the last frame it
   * judged, with alarm_lock.  The lock is held while a change of state is
   * posted, so that the application gets raised and cleared in the order
   * of the changes whichever thread makes them (the streaming thread, a
   * property change, a state change).  Recursive: a synchronous bus
   * handler may set alarm-frames from within the post. */
  GstBlockCorrAlarm alarm;
  guint64 alarm_frame;
  GstClockTime alarm_running_time;
  GRecMutex alarm_lock;
};

GST_ELEMENT_REGISTER_DECLARE (blockdrift);

G_END_DECLS
#endif /* __GST_BLOCKDRIFT_H__ */
