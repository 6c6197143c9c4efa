/* gst-blockwise tests: GstHarness set-up shared by the element tests, the
 * reliability tests and the element fuzzer.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BLOCKCORR_HARNESS_H__
#define __BLOCKCORR_HARNESS_H__

#include <string.h>
#include <gst/check/gstcheck.h>
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
/* The meta's published name, spelled out as applications spell it (not
 * taken from the element's header, so that a rename fails the tests). */
#define META_NAME "GstBlockCorrMeta"

/* The structure of an output buffer's GstBlockCorrMeta, or the test fails. */
static inline const GstStructure *
get_meta (GstBuffer * buf)
{
  GstCustomMeta *meta = gst_buffer_get_custom_meta (buf, META_NAME);

  fail_unless (meta != NULL, "output buffer has no %s", META_NAME);
  return gst_custom_meta_get_structure (meta);
}

/* A field of a meta or message structure; the test fails if it is missing
 * or of another type. */
static inline guint
get_uint (const GstStructure * s, const gchar * name)
{
  guint v = 0;

  fail_unless (gst_structure_get_uint (s, name, &v), "no guint field %s in %"
      GST_PTR_FORMAT, name, s);
  return v;
}

static inline guint64
get_uint64 (const GstStructure * s, const gchar * name)
{
  guint64 v = 0;

  fail_unless (gst_structure_get_uint64 (s, name, &v),
      "no guint64 field %s in %" GST_PTR_FORMAT, name, s);
  return v;
}

static inline gdouble
get_double (const GstStructure * s, const gchar * name)
{
  gdouble v = 0;

  fail_unless (gst_structure_get_double (s, name, &v),
      "no gdouble field %s in %" GST_PTR_FORMAT, name, s);
  return v;
}

/* A new blockcorr, or the test fails. */
static inline GstElement *
new_element (void)
{
  GstElement *el = gst_element_factory_make ("blockcorr", NULL);

  fail_unless (el != NULL, "could not create blockcorr");
  return el;
}

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

/* The element with one harness per sink pad (h0 also holds the src pad)
 * and a bus of its own. */
typedef struct
{
  GstElement *el;
  GstHarness *h0, *h1;
  GstBus *bus;
} Ctx;

/* Takes ownership of el.  The second harness adopts the first one's
 * GstTestClock (gst_harness_add_element_full reuses an element's test
 * clock), so both share one clock.  Caps that are NULL are set later. */
static inline void
ctx_init (Ctx * c, GstElement * el, const gchar * caps0, const gchar * caps1,
    const gchar * outcaps, gboolean live)
{
  c->el = el;
  c->bus = gst_bus_new ();
  gst_element_set_bus (el, c->bus);
  c->h0 = bc_harness_new (el, "sink_0", TRUE, live);
  c->h1 = bc_harness_new (el, "sink_1", FALSE, live);
  gst_object_unref (el);
  if (outcaps)
    gst_harness_set_sink_caps_str (c->h0, outcaps);
  if (caps0)
    gst_harness_set_src_caps_str (c->h0, caps0);
  if (caps1)
    gst_harness_set_src_caps_str (c->h1, caps1);
}

/* A grid of the meta: n float32, or the test fails. */
static inline const gfloat *
get_grid (const GstStructure * s, const gchar * name, gsize n)
{
  const GValue *v = gst_structure_get_value (s, name);
  GBytes *bytes;
  gsize size = 0;
  const gfloat *data;

  fail_unless (v != NULL, "grid %s missing", name);
  fail_unless (G_VALUE_HOLDS (v, G_TYPE_BYTES), "grid %s is a %s", name,
      G_VALUE_TYPE_NAME (v));
  bytes = g_value_get_boxed (v);
  fail_unless (bytes != NULL, "grid %s is NULL", name);
  data = g_bytes_get_data (bytes, &size);
  fail_unless_equals_uint64 (size, (guint64) n * sizeof (gfloat));
  return data;
}

static inline void
ctx_clear (Ctx * c)
{
  gst_harness_teardown (c->h1);
  gst_harness_teardown (c->h0);
  gst_bus_set_flushing (c->bus, TRUE);
  gst_object_unref (c->bus);
  memset (c, 0, sizeof (*c));
}

/* Frame rate of the test streams. */
#define FPS 30

static inline gchar *
caps_str (const gchar * fmt, gint w, gint h)
{
  return g_strdup_printf ("video/x-raw,format=%s,width=%d,height=%d,"
      "framerate=%d/1", fmt, w, h, FPS);
}

static inline GstClockTime
frame_pts (guint n)
{
  return gst_util_uint64_scale (n, GST_SECOND, FPS);
}

/* "source: message | debug" of an ERROR message, to be freed. */
static inline gchar *
error_text (GstMessage * msg)
{
  GError *err = NULL;
  gchar *dbg = NULL, *ret;

  gst_message_parse_error (msg, &err, &dbg);
  ret = g_strdup_printf ("%s: %s | %s", GST_MESSAGE_SRC_NAME (msg),
      err ? err->message : "", dbg ? dbg : "");
  g_clear_error (&err);
  g_free (dbg);
  return ret;
}

static inline void
fail_on_error_message (GstBus * bus, const gchar * label)
{
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

  if (msg) {
    gchar *t = error_text (msg);

    gst_message_unref (msg);
    fail ("%s: unexpected ERROR: %s", label, t);
  }
}

/* When GST_TRACERS asks for the leaks tracer, it must really be running:
 * without GStreamer's core tracers plugin on the plugin path the request
 * is silently ignored, and a leak-checking run checks nothing. */
static inline void
fail_unless_leaks_tracer_active (void)
{
  const gchar *tracers = g_getenv ("GST_TRACERS");
  GList *active, *l;
  gboolean found = FALSE;

  if (!tracers || !strstr (tracers, "leaks"))
    return;
  active = gst_tracing_get_active_tracers ();
  for (l = active; l; l = l->next)
    if (g_str_equal (G_OBJECT_TYPE_NAME (l->data), "GstLeaksTracer"))
      found = TRUE;
  g_list_free_full (active, gst_object_unref);
  fail_unless (found, "GST_TRACERS=%s but the leaks tracer is not active "
      "(is the core tracers plugin on the plugin path?)", tracers);
}

#endif /* __BLOCKCORR_HARNESS_H__ */
