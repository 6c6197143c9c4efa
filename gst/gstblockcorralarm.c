/* gst-blockwise: blockcorr's drift alarm (see gstblockcorralarm.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gstblockcorralarm.h"

void
gst_blockcorr_alarm_reset (GstBlockCorrAlarm * alarm)
{
  alarm->raised = FALSE;
  alarm->run = 0;
}

GstBlockCorrFrameState
gst_blockcorr_alarm_judge (const BwSummary * sum, gdouble fraction)
{
  if (sum->verdict.verdict == BW_VERDICT_NEEDS_REGISTRATION
      || (sum->valid_blocks > 0 && sum->below_fraction > fraction))
    return GST_BLOCKCORR_FRAME_BAD;
  if (sum->verdict.verdict == BW_VERDICT_NO_TEXTURE)
    return GST_BLOCKCORR_FRAME_NEUTRAL;
  return GST_BLOCKCORR_FRAME_GOOD;
}

gboolean
gst_blockcorr_alarm_drop (GstBlockCorrAlarm * alarm)
{
  gboolean was_raised = alarm->raised;

  gst_blockcorr_alarm_reset (alarm);
  return was_raised;
}

gboolean
gst_blockcorr_alarm_update (GstBlockCorrAlarm * alarm, guint frames,
    GstBlockCorrFrameState state)
{
  if (frames == 0)
    return gst_blockcorr_alarm_drop (alarm);
  if (state == GST_BLOCKCORR_FRAME_NEUTRAL)
    return FALSE;
  /* Hysteresis: the state changes only after `frames` frames in a row
   * that disagree with it. */
  alarm->run = (state == GST_BLOCKCORR_FRAME_BAD) == alarm->raised ? 0 :
      alarm->run + 1;
  if (alarm->run < frames)
    return FALSE;
  alarm->raised = !alarm->raised;
  alarm->run = 0;
  return TRUE;
}

GstStructure *
gst_blockcorr_alarm_structure (gboolean raised, const gchar * reason,
    guint64 frame, GstClockTime running_time, const GstStructure * summary)
{
  static const gchar *const fields[] = {
    "verdict", "below-threshold", "shift-x", "shift-y", "regions",
    "largest-regions", NULL
  };
  GstStructure *st = gst_structure_new ("blockcorr-alarm",
      "state", G_TYPE_STRING, raised ? "raised" : "cleared",
      "reason", G_TYPE_STRING, reason,
      "frame", G_TYPE_UINT64, frame,
      "running-time", G_TYPE_UINT64, (guint64) running_time, NULL);
  guint i;

  for (i = 0; summary && fields[i]; i++) {
    const GValue *v = gst_structure_get_value (summary, fields[i]);

    if (v)
      gst_structure_set_value (st, fields[i], v);
  }
  return st;
}
