/* gst-blockwise: blockcorr's drift alarm: raised after N bad frames in a
 * row, cleared after N good ones.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_BLOCKCORR_ALARM_H__
#define __GST_BLOCKCORR_ALARM_H__

#include <gst/gst.h>
#include "gstblockcorrtypes.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean raised;
  guint run;                    /* frames in a row against the state */
} GstBlockCorrAlarm;

void gst_blockcorr_alarm_reset (GstBlockCorrAlarm * alarm);

typedef enum
{
  GST_BLOCKCORR_FRAME_GOOD,
  GST_BLOCKCORR_FRAME_BAD,
  GST_BLOCKCORR_FRAME_NEUTRAL   /* no-texture: says nothing either way */
} GstBlockCorrFrameState;

/* A frame is bad when its verdict is needs-registration or more than
 * fraction of its valid blocks are below the threshold; neutral when its
 * verdict is no-texture (nothing to compare, as when the view goes dark or
 * the content moved out of reach), good otherwise. */
GstBlockCorrFrameState gst_blockcorr_alarm_judge (const BwSummary *
    sum, gdouble fraction);

/* Resets the alarm; TRUE when it was raised: the application, told it was
 * raised, must now be told it is cleared. */
gboolean gst_blockcorr_alarm_drop (GstBlockCorrAlarm * alarm);

/* Feeds one frame; TRUE when the alarm changes state (alarm->raised is the
 * new state).  Neutral frames neither extend nor break a run.  frames 0
 * turns the alarm off (gst_blockcorr_alarm_drop()). */
gboolean gst_blockcorr_alarm_update (GstBlockCorrAlarm * alarm, guint frames,
    GstBlockCorrFrameState state);

/* Why the alarm changed state: the message's `reason` field. */
#define GST_BLOCKCORR_ALARM_REASON_FRAMES "frames"
#define GST_BLOCKCORR_ALARM_REASON_OFF "alarm-off"
#define GST_BLOCKCORR_ALARM_REASON_STOPPED "stopped"

/* The "blockcorr-alarm" message fields: state, reason, frame and
 * running-time, and from the summary structure of the frame that changed
 * the state (NULL when no frame did) its verdict, below-threshold, shift-x,
 * shift-y, regions and largest-regions. */
GstStructure *gst_blockcorr_alarm_structure (gboolean raised,
    const gchar * reason, guint64 frame, GstClockTime running_time,
    const GstStructure * summary);

G_END_DECLS

#endif /* __GST_BLOCKCORR_ALARM_H__ */
