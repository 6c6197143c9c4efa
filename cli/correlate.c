/* gst-blockwise command line: the analysis of frame pairs (see
 * correlate.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

#include "correlate.h"
#include "pull.h"

struct _BcCorrelator
{
  GstElement *pipeline;
  GstElement *element;
  GstElement *src[2];
  GstElement *sink;
  GstCaps *caps[2];
};

static const gchar *
edge_mode_nick (BwEdgeMode mode)
{
  return mode == BW_EDGE_PARTIAL ? "partial" : "trim";
}

/* The analysis' settings on the element (blockcorr's and blockdrift's
 * share their names). */
static void
set_analysis (GstElement * element, const BwParams * params)
{
  gst_util_set_object_arg (G_OBJECT (element), "edge-mode",
      edge_mode_nick (params->edge_mode));
  g_object_set (element, "threshold", params->threshold, "min-intensity",
      params->min_intensity, "search-radius", params->search_radius,
      "min-region-blocks", params->min_region_blocks, "shift-tolerance",
      params->shift_tolerance, "n-threads", params->n_threads, NULL);
  /* The results come with the buffers' meta: messages would pile up on a
   * bus nobody reads. */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (element),
          "post-messages"))
    g_object_set (element, "post-messages", FALSE, NULL);
}

BcCorrelator *
bc_correlator_new (const BwParams * params, const BcDriftSettings * drift,
    GError ** error)
{
  BcCorrelator *corr;
  GError *err = NULL;
  GstElement *pipeline, *element;
  gchar *desc;

  if (drift)
    desc = g_strdup_printf ("appsrc name=s0 format=time ! blockdrift name=c "
        "block-width=%u block-height=%u ! appsink name=out sync=false",
        params->block_width, params->block_height);
  else
    desc = g_strdup_printf ("appsrc name=s0 format=time ! blockcorr name=c "
        "block-width=%u block-height=%u output-size=grid "
        "! video/x-raw,format=GRAY8 ! appsink name=out sync=false "
        "appsrc name=s1 format=time ! c.sink_1", params->block_width,
        params->block_height);
  pipeline = gst_parse_launch (desc, &err);
  g_free (desc);
  /* A missing element is an error too, though the rest is built. */
  if (err) {
    g_set_error (error, err->domain, err->code,
        "cannot build the analysis: %s", err->message);
    g_clear_error (&err);
    gst_clear_object (&pipeline);
    return NULL;
  }
  corr = g_new0 (BcCorrelator, 1);
  corr->pipeline = pipeline;
  element = gst_bin_get_by_name (GST_BIN (pipeline), "c");
  set_analysis (element, params);
  if (drift) {
    gst_util_set_object_arg (G_OBJECT (element), "reference", drift->reference);
    gst_util_set_object_arg (G_OBJECT (element), "correct", drift->correct);
    gst_util_set_object_arg (G_OBJECT (element), "border", drift->border);
    g_object_set (element, "fill", drift->fill, NULL);
  }
  corr->element = element;
  corr->src[0] = gst_bin_get_by_name (GST_BIN (pipeline), "s0");
  corr->src[1] = gst_bin_get_by_name (GST_BIN (pipeline), "s1");
  corr->sink = gst_bin_get_by_name (GST_BIN (pipeline), "out");
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE,
        "cannot start the analysis");
    bc_correlator_free (corr);
    return NULL;
  }
  return corr;
}

void
bc_correlator_reset_reference (BcCorrelator * corr)
{
  g_signal_emit_by_name (corr->element, "reset-reference");
}

/* The frame is timed as frame n of a 1 frame-per-second stream: pairing is
 * by index, not by the files' own times. */
void
bc_correlator_push (BcCorrelator * corr, guint input, GstSample * frame,
    guint n)
{
  GstCaps *caps = gst_caps_copy (gst_sample_get_caps (frame));
  GstBuffer *buf = gst_buffer_copy (gst_sample_get_buffer (frame));

  gst_caps_set_simple (caps, "framerate", GST_TYPE_FRACTION, 1, 1, NULL);
  if (!corr->caps[input] || !gst_caps_is_equal (caps, corr->caps[input])) {
    gst_caps_replace (&corr->caps[input], caps);
    gst_app_src_set_caps (GST_APP_SRC (corr->src[input]), caps);
  }
  gst_caps_unref (caps);
  GST_BUFFER_PTS (buf) = n * GST_SECOND;
  GST_BUFFER_DTS (buf) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (buf) = GST_SECOND;
  gst_app_src_push_buffer (GST_APP_SRC (corr->src[input]), buf);
}

static gboolean
take_error (gpointer correlator, GError ** error)
{
  BcCorrelator *corr = correlator;
  GstBus *bus = gst_element_get_bus (corr->pipeline);
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  GError *err = NULL;

  gst_object_unref (bus);
  if (!msg)
    return TRUE;
  gst_message_parse_error (msg, &err, NULL);
  g_set_error (error, err->domain, err->code, "analysis failed: %s",
      err->message);
  g_clear_error (&err);
  gst_message_unref (msg);
  return FALSE;
}

GstSample *
bc_correlator_pull (BcCorrelator * corr, GError ** error)
{
  GError *err = NULL;
  GstSample *s = bc_pull_sample (GST_APP_SINK (corr->sink), take_error,
      corr, &err);

  if (!s && !err)
    g_set_error (&err, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
        "analysis failed: it ended without a result");
  if (err)
    g_propagate_error (error, err);
  return s;
}

void
bc_correlator_free (BcCorrelator * corr)
{
  guint i;

  if (!corr)
    return;
  for (i = 0; i < 2; i++)
    if (corr->src[i])
      gst_app_src_end_of_stream (GST_APP_SRC (corr->src[i]));
  gst_element_set_state (corr->pipeline, GST_STATE_NULL);
  for (i = 0; i < 2; i++) {
    gst_clear_object (&corr->src[i]);
    gst_clear_caps (&corr->caps[i]);
  }
  gst_clear_object (&corr->sink);
  gst_clear_object (&corr->element);
  gst_clear_object (&corr->pipeline);
  g_free (corr);
}
