/* gst-blockwise tests: GstHarness set-up shared by the element tests, the
 * reliability tests and the element fuzzer. */
#ifndef __BLOCKCORR_HARNESS_H__
#define __BLOCKCORR_HARNESS_H__

#include <gst/check/gstharness.h>

static GstStaticPadTemplate bc_harness_src_tmpl =
GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate bc_harness_sink_tmpl =
GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS_ANY);

/* A harness on one sink pad of el (and on its src pad when with_src).  The
 * harness is made live or not before the element is added: setting it
 * afterwards races with the aggregator's first latency query. */
static inline GstHarness *
bc_harness_new (GstElement * el, const gchar * sinkpad, gboolean with_src,
    gboolean live)
{
  GstHarness *h = gst_harness_new_empty ();

  gst_harness_set_live (h, live);
  gst_harness_add_element_full (h, el, &bc_harness_src_tmpl, sinkpad,
      &bc_harness_sink_tmpl, with_src ? "src" : NULL);
  return h;
}

#endif /* __BLOCKCORR_HARNESS_H__ */
