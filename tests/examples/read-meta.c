/* gst-blockwise example: reading GstBlockCorrMeta from an application
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * blockcorr attaches a GstCustomMeta named "GstBlockCorrMeta" to every
 * output buffer.  Its GstStructure holds the per-frame summary (frame,
 * pts-0, pts-1, cols, rows, block-width, block-height, valid, invalid,
 * mean, min, max, median, below-threshold, threshold) and the grids r,
 * mean-0, mean-1, stddev-0 and stddev-1 as GBytes of native-endian float32,
 * row-major, rows x cols, NaN where a block is invalid.
 *
 * This program runs a pipeline ending in an appsink named "out", pulls the
 * samples, and prints one line per frame with the summary and the r value
 * of the centre block.
 *
 * Usage:
 *   read-meta [--frames N] [PIPELINE-DESCRIPTION]
 *
 * Without a description it compares snow with its horizontal mirror.  A
 * description must contain "appsink name=out" after blockcorr, e.g.
 *   read-meta --frames 3 "videotestsrc num-buffers=3 \
 *     ! video/x-raw,format=GRAY8 ! tee name=t \
 *     t. ! queue ! c.sink_0  t. ! queue ! c.sink_1 \
 *     blockcorr name=c ! appsink name=out"
 * --frames N is the number of frames expected (default 5); with the default
 * pipeline it is also the number of buffers videotestsrc produces.
 *
 * Exit status: 0 on success, 1 on a pipeline error, a buffer without the
 * meta or a wrong number of frames.
 *
 * Build: cc read-meta.c $(pkg-config --cflags --libs gstreamer-app-1.0)
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gst/gst.h>
#include <gst/app/gstappsink.h>

#define DEFAULT_PIPELINE \
  "videotestsrc num-buffers=%d pattern=snow " \
  "! video/x-raw,format=GRAY16_LE,width=320,height=240,framerate=30/1 " \
  "! tee name=t " \
  "t. ! queue ! c.sink_0 " \
  "t. ! queue ! videoflip video-direction=horiz ! c.sink_1 " \
  "blockcorr name=c ! appsink name=out"

/* Returns the float at (row, col) of a grid stored as GBytes in the field
 * @name of @s, or NaN if the field is missing or too small. */
static gfloat
grid_value (const GstStructure * s, const gchar * name, guint row, guint col,
    guint cols)
{
  const GValue *v = gst_structure_get_value (s, name);
  GBytes *bytes;
  const gfloat *data;
  gsize size;

  if (v == NULL || !G_VALUE_HOLDS (v, G_TYPE_BYTES))
    return NAN;
  bytes = g_value_get_boxed (v);
  data = g_bytes_get_data (bytes, &size);
  if ((row * cols + col + 1) * sizeof (gfloat) > size)
    return NAN;
  /* Row-major: element (row, col) is at row * cols + col. */
  return data[row * cols + col];
}

/* Prints the line for one buffer.  Returns FALSE if it has no meta. */
static gboolean
print_meta (GstBuffer * buf)
{
  GstCustomMeta *meta;
  GstStructure *s;
  guint64 frame = 0, pts0 = 0;
  guint valid = 0, invalid = 0, cols = 0, rows = 0;
  gdouble mean = NAN, median = NAN, below = NAN;
  gfloat centre = NAN;

  /* The meta is looked up by the name it was registered with; the
   * structure belongs to the meta (do not free it). */
  meta = gst_buffer_get_custom_meta (buf, "GstBlockCorrMeta");
  if (meta == NULL)
    return FALSE;
  s = gst_custom_meta_get_structure (meta);

  gst_structure_get (s,
      "frame", G_TYPE_UINT64, &frame,
      "pts-0", G_TYPE_UINT64, &pts0,
      "valid", G_TYPE_UINT, &valid,
      "invalid", G_TYPE_UINT, &invalid,
      "cols", G_TYPE_UINT, &cols,
      "rows", G_TYPE_UINT, &rows,
      "mean", G_TYPE_DOUBLE, &mean,
      "median", G_TYPE_DOUBLE, &median,
      "below-threshold", G_TYPE_DOUBLE, &below, NULL);

  if (cols > 0 && rows > 0)
    centre = grid_value (s, "r", rows / 2, cols / 2, cols);

  g_print ("frame %" G_GUINT64_FORMAT " pts-0 %" GST_TIME_FORMAT
      " valid %u invalid %u mean %.4f median %.4f below-threshold %.4f"
      " r[%u,%u] %.4f\n", frame, GST_TIME_ARGS (pts0), valid, invalid,
      mean, median, below, rows / 2, cols / 2, centre);
  return TRUE;
}

int
main (int argc, char **argv)
{
  gint frames = 5;
  GOptionEntry entries[] = {
    {"frames", 'n', 0, G_OPTION_ARG_INT, &frames,
        "Number of frames expected (default 5)", "N"},
    {NULL}
  };
  GOptionContext *ctx;
  GError *err = NULL;
  gchar *desc;
  GstElement *pipeline, *sink;
  GstBus *bus;
  GstMessage *msg;
  GstSample *sample;
  gint n_frames = 0, ret = 0;

  ctx = g_option_context_new ("[PIPELINE-DESCRIPTION] - print the "
      "GstBlockCorrMeta of each frame");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("%s\n", err->message);
    return 1;
  }
  g_option_context_free (ctx);

  if (argc > 1)
    desc = g_strjoinv (" ", argv + 1);
  else
    desc = g_strdup_printf (DEFAULT_PIPELINE, frames);

  pipeline = gst_parse_launch (desc, &err);
  g_free (desc);
  if (err != NULL) {
    /* Also for a "recoverable" error (e.g. a missing element), where a
     * partial pipeline is returned: better stop here. */
    g_printerr ("Cannot build pipeline: %s\n", err->message);
    g_clear_error (&err);
    gst_clear_object (&pipeline);
    return 1;
  }

  sink = gst_bin_get_by_name (GST_BIN (pipeline), "out");
  if (sink == NULL || !GST_IS_APP_SINK (sink)) {
    g_printerr ("The pipeline needs an appsink named \"out\"\n");
    gst_clear_object (&sink);
    gst_object_unref (pipeline);
    return 1;
  }
  /* Don't sync to the clock: we want the frames as fast as they come. */
  g_object_set (sink, "sync", FALSE, NULL);

  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  /* Wait up to 100 ms for each sample, so that we can look at the bus for
   * errors in between (a failing pipeline does not always reach EOS, and
   * gst_app_sink_pull_sample() would then block for ever).  A NULL sample
   * with the appsink at EOS means the stream is over. */
  while (!gst_app_sink_is_eos (GST_APP_SINK (sink))) {
    sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
        100 * GST_MSECOND);

    if (sample != NULL) {
      GstBuffer *buf = gst_sample_get_buffer (sample);

      if (!print_meta (buf)) {
        g_printerr ("Buffer %d has no GstBlockCorrMeta\n", n_frames);
        ret = 1;
      }
      n_frames++;
      gst_sample_unref (sample);
      if (ret != 0)
        break;
    }

    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    if (msg != NULL) {
      GError *gerr = NULL;
      gchar *dbg = NULL;

      gst_message_parse_error (msg, &gerr, &dbg);
      g_printerr ("Error from %s: %s\n%s\n", GST_OBJECT_NAME (msg->src),
          gerr->message, dbg ? dbg : "");
      g_clear_error (&gerr);
      g_free (dbg);
      gst_message_unref (msg);
      ret = 1;
      break;
    }
  }
  gst_object_unref (bus);

  if (ret == 0 && n_frames != frames) {
    g_printerr ("Expected %d frames, got %d\n", frames, n_frames);
    ret = 1;
  }

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  /* Not needed before exit, but it lets leak checkers (GST_TRACERS=leaks)
   * see that everything was released. */
  gst_deinit ();
  return ret;
}
