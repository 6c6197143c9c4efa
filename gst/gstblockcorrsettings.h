/* gst-blockwise: the analysis and heatmap properties that blockcorr and
 * blockdrift share, installed, set and read by one piece of code.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_BLOCKCORR_SETTINGS_H__
#define __GST_BLOCKCORR_SETTINGS_H__

#include <gst/gst.h>
#include "gstblockcorrtypes.h"

G_BEGIN_DECLS
/* The shared properties' ids; an element numbers its own properties from
 * GST_BLOCKCORR_N_SHARED_PROPS on. */
    enum
{
  GST_BLOCKCORR_PROP_0,
  GST_BLOCKCORR_PROP_BLOCK_WIDTH,
  GST_BLOCKCORR_PROP_BLOCK_HEIGHT,
  GST_BLOCKCORR_PROP_EDGE_MODE,
  GST_BLOCKCORR_PROP_MEASURE,
  GST_BLOCKCORR_PROP_COLORMAP,
  GST_BLOCKCORR_PROP_RANGE_MIN,
  GST_BLOCKCORR_PROP_RANGE_MAX,
  GST_BLOCKCORR_PROP_INVALID_COLOR,
  GST_BLOCKCORR_PROP_MIN_INTENSITY,
  GST_BLOCKCORR_PROP_THRESHOLD,
  GST_BLOCKCORR_PROP_N_THREADS,
  GST_BLOCKCORR_PROP_POST_MESSAGES,
  GST_BLOCKCORR_PROP_OUTPUT_SIZE,
  GST_BLOCKCORR_PROP_SEARCH_RADIUS,
  GST_BLOCKCORR_PROP_MIN_REGION_BLOCKS,
  GST_BLOCKCORR_PROP_SHIFT_TOLERANCE,
  GST_BLOCKCORR_N_SHARED_PROPS
};

/* The defaults. */
void gst_blockcorr_settings_init (GstBlockCorrSettings * s);

/* Installs the shared properties on klass; message_name names the element
 * message that post-messages switches ("blockcorr", "blockdrift"). */
void gst_blockcorr_settings_install (GObjectClass * klass,
    const gchar * message_name);

/* What setting a shared property changed. */
typedef enum
{
  GST_BLOCKCORR_SETTING_HANDLED = 0,
  GST_BLOCKCORR_SETTING_RENEGOTIATE,    /* the output's caps depend on it */
  GST_BLOCKCORR_SETTING_REFUSED,        /* a warning is due, *refusal says */
  GST_BLOCKCORR_SETTING_NOT_SHARED      /* not a shared property */
} GstBlockCorrSettingResult;

/* Sets prop_id in s, with the object lock held.  frame_width and
 * frame_height are the frames the output is negotiated for (0 before):
 * a block size or edge mode with which no block fits in them is refused,
 * *refusal (to free) then names the value and the frame size. */
GstBlockCorrSettingResult gst_blockcorr_settings_set (GstBlockCorrSettings *
    s, guint prop_id, const GValue * value, GParamSpec * pspec,
    gint frame_width, gint frame_height, gchar ** refusal);

/* Reads prop_id from s into value, with the object lock held; FALSE when
 * prop_id is not a shared property. */
gboolean gst_blockcorr_settings_get (const GstBlockCorrSettings * s,
    guint prop_id, GValue * value);

/* Posts the warning for a refused value (from gst_blockcorr_settings_set())
 * and frees refusal. */
void gst_blockcorr_settings_warn_refused (GstElement * element,
    GParamSpec * pspec, gchar * refusal);

G_END_DECLS
#endif /* __GST_BLOCKCORR_SETTINGS_H__ */
