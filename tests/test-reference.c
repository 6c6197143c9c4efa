/* gst-blockwise: blockdrift's reference modes and drift alarm, against
 * blockcorr.
 *
 * blockdrift reference=first must give, bit for bit, what blockcorr gives
 * with the first frame frozen on sink_0; reference=previous what it gives
 * with sink_0 one frame behind.  The alarm is raised and cleared once
 * each, within N + 1 frames of a drift's start and of its end, and every
 * raised alarm is cleared once.  blockcorr itself has exactly two inputs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <gst/video/video.h>
#include "blockcorr-harness.h"
#include "gray16-frames.h"

#define W 128
#define H 96
#define N_FRAMES 6

static const gchar *const grid_names[] = { "r", "dx", "dy", "r-best",
  "mean-0", "mean-1"
};

/* Frame k of a slowly drifting texture: moved by k/2 px to the right (whole
 * pixels, so the expected results do not depend on interpolation). */
static guint16 *
drifting_frame (const guint16 * base, guint k)
{
  return shifted (base, W, H, k / 2, 0, 0, 0, 0, 0);
}

/* A new blockdrift, or the test fails. */
static GstElement *
new_drift (void)
{
  GstElement *el = gst_element_factory_make ("blockdrift", NULL);

  fail_unless (el != NULL, "could not create blockdrift");
  return el;
}

static void
set_props (GstElement * el, const gchar ** props)
{
  guint i;

  for (i = 0; props && props[i]; i += 2)
    gst_util_set_object_arg (G_OBJECT (el), props[i], props[i + 1]);
}

/* blockdrift: pushes frames[0..n) (frame k at PTS k) and returns the
 * outputs. */
static GstBuffer **
run_one_input (guint16 ** frames, guint n, const gchar ** props,
    GstBus ** bus_out)
{
  gchar *caps = caps_str ("GRAY16_LE", W, H);
  GstElement *el = new_drift ();
  GstBuffer **outs = g_new0 (GstBuffer *, n);
  GstBus *bus = gst_bus_new ();
  GstHarness *h;
  guint k;

  set_props (el, props);
  gst_element_set_bus (el, bus);
  h = bc_harness_new (el, "sink", TRUE, FALSE);
  gst_object_unref (el);
  gst_harness_set_src_caps_str (h, caps);
  for (k = 0; k < n; k++) {
    fail_unless_equals_int (gst_harness_push (h, gray16_buffer (frames[k], W,
                H, k)), GST_FLOW_OK);
    outs[k] = gst_harness_pull (h);
    fail_unless (outs[k] != NULL, "no output for frame %u", k);
  }
  fail_on_error_message (bus, "run_one_input");
  gst_harness_teardown (h);
  if (bus_out) {
    *bus_out = bus;
  } else {
    /* Queued messages hold the element: drop them. */
    gst_bus_set_flushing (bus, TRUE);
    gst_object_unref (bus);
  }
  g_free (caps);
  return outs;
}

/* blockcorr, two inputs: frame k pairs refs[k] on sink_0 with frames[k] on sink_1. */
static GstBuffer **
run_two_inputs (guint16 ** refs, guint16 ** frames, guint n,
    const gchar ** props)
{
  gchar *caps = caps_str ("GRAY16_LE", W, H);
  GstBuffer **outs = g_new0 (GstBuffer *, n);
  GstElement *el = new_element ();
  Ctx c;
  guint k;

  set_props (el, props);
  ctx_init (&c, el, caps, caps, NULL, FALSE);
  for (k = 0; k < n; k++) {
    fail_unless_equals_int (gst_harness_push (c.h0, gray16_buffer (refs[k], W,
                H, k)), GST_FLOW_OK);
    fail_unless_equals_int (gst_harness_push (c.h1, gray16_buffer (frames[k],
                W, H, k)), GST_FLOW_OK);
    outs[k] = gst_harness_pull (c.h0);
    fail_unless (outs[k] != NULL);
  }
  fail_on_error_message (c.bus, "run_two_inputs");
  ctx_clear (&c);
  g_free (caps);
  return outs;
}

static void
assert_same_results (GstBuffer ** a, GstBuffer ** b, guint n,
    const gchar * what)
{
  const gsize cells = (W / 16) * (H / 16);
  guint k, i;

  for (k = 0; k < n; k++) {
    const GstStructure *sa = get_meta (a[k]), *sb = get_meta (b[k]);

    for (i = 0; i < G_N_ELEMENTS (grid_names); i++)
      fail_unless (memcmp (get_grid (sa, grid_names[i], cells),
              get_grid (sb, grid_names[i], cells), cells * 4) == 0,
          "%s: grid %s of frame %u differs", what, grid_names[i], k);
    fail_unless_equals_string (gst_structure_get_string (sa, "verdict"),
        gst_structure_get_string (sb, "verdict"));
    fail_unless (get_double (sa, "shift-x") == get_double (sb, "shift-x")
        || (isnan (get_double (sa, "shift-x"))
            && isnan (get_double (sb, "shift-x"))));
  }
}

static void
free_outputs (GstBuffer ** outs, guint n)
{
  guint k;

  for (k = 0; k < n; k++)
    gst_clear_buffer (&outs[k]);
  g_free (outs);
}

GST_START_TEST (test_first_equals_frozen_pad)
{
  const gchar *one[] = { "reference", "first", "search-radius", "2", NULL };
  const gchar *two[] = { "search-radius", "2", NULL };
  guint16 *base = random_texture (W, H, 1), *frames[N_FRAMES];
  guint16 *frozen[N_FRAMES];
  GstBuffer **a, **b;
  guint k;

  for (k = 0; k < N_FRAMES; k++) {
    frames[k] = drifting_frame (base, k);
    frozen[k] = frames[0];
  }
  a = run_one_input (frames, N_FRAMES, one, NULL);
  b = run_two_inputs (frozen, frames, N_FRAMES, two);
  assert_same_results (a, b, N_FRAMES, "reference=first");
  /* pts-0 is the first frame's in every output. */
  for (k = 0; k < N_FRAMES; k++)
    fail_unless_equals_uint64 (get_uint64 (get_meta (a[k]), "pts-0"), 0);
  free_outputs (a, N_FRAMES);
  free_outputs (b, N_FRAMES);
  for (k = 0; k < N_FRAMES; k++)
    g_free (frames[k]);
  g_free (base);
}

GST_END_TEST;

GST_START_TEST (test_previous_equals_delayed_pad)
{
  const gchar *one[] = { "reference", "previous", "search-radius", "2", NULL };
  const gchar *two[] = { "search-radius", "2", NULL };
  guint16 *base = random_texture (W, H, 2), *frames[N_FRAMES];
  guint16 *delayed[N_FRAMES];
  GstBuffer **a, **b;
  guint k;

  for (k = 0; k < N_FRAMES; k++)
    frames[k] = drifting_frame (base, 2 * k);
  for (k = 0; k < N_FRAMES; k++)
    delayed[k] = frames[k ? k - 1 : 0];
  a = run_one_input (frames, N_FRAMES, one, NULL);
  b = run_two_inputs (delayed, frames, N_FRAMES, two);
  assert_same_results (a, b, 1, "reference=previous, frame 0");
  {
    const gsize cells = (W / 16) * (H / 16);

    for (k = 1; k < N_FRAMES; k++) {
      const GstStructure *sa = get_meta (a[k]), *sb = get_meta (b[k]);
      guint i;

      for (i = 0; i < G_N_ELEMENTS (grid_names); i++)
        fail_unless (memcmp (get_grid (sa, grid_names[i], cells),
                get_grid (sb, grid_names[i], cells), cells * 4) == 0,
            "reference=previous: grid %s of frame %u differs",
            grid_names[i], k);
      fail_unless_equals_uint64 (get_uint64 (sa, "pts-0"), frame_pts (k - 1));
      /* Moved by one pixel from frame to frame. */
      fail_unless (fabs (get_double (sa, "shift-x") - 1) < 0.05);
    }
  }
  free_outputs (a, N_FRAMES);
  free_outputs (b, N_FRAMES);
  for (k = 0; k < N_FRAMES; k++)
    g_free (frames[k]);
  g_free (base);
}

GST_END_TEST;

/* reset-reference: the next frame becomes the reference. */
GST_START_TEST (test_reset_reference)
{
  gchar *caps = caps_str ("GRAY16_LE", W, H);
  guint16 *base = random_texture (W, H, 3), *frames[4];
  GstElement *el = new_drift ();
  GstHarness *h;
  GstBuffer *out;
  guint k;

  for (k = 0; k < 4; k++)
    frames[k] = drifting_frame (base, 2 * k);
  g_object_set (el, "search-radius", 2u, NULL);
  gst_util_set_object_arg (G_OBJECT (el), "reference", "first");
  h = bc_harness_new (el, "sink", TRUE, FALSE);
  gst_harness_set_src_caps_str (h, caps);
  for (k = 0; k < 4; k++) {
    const GstStructure *s;

    if (k == 2)
      g_signal_emit_by_name (el, "reset-reference");
    fail_unless_equals_int (gst_harness_push (h, gray16_buffer (frames[k], W,
                H, k)), GST_FLOW_OK);
    out = gst_harness_pull (h);
    s = get_meta (out);
    /* Frames 0 and 1 against frame 0; 2 and 3 against frame 2. */
    fail_unless_equals_uint64 (get_uint64 (s, "pts-0"),
        frame_pts (k < 2 ? 0 : 2));
    fail_unless (fabs (get_double (s, "shift-x") - (k % 2)) < 0.05,
        "frame %u: shift %g", k, get_double (s, "shift-x"));
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
  gst_object_unref (el);
  for (k = 0; k < 4; k++)
    g_free (frames[k]);
  g_free (base);
  g_free (caps);
}

GST_END_TEST;

/* Pops the first WARNING message within timeout, or NULL. */
static GstMessage *
pop_warning (GstBus * bus, GstClockTime timeout)
{
  return gst_bus_timed_pop_filtered (bus, timeout, GST_MESSAGE_WARNING);
}

static gchar *
warning_text (GstMessage * msg)
{
  GError *err = NULL;
  gchar *text;

  gst_message_parse_warning (msg, &err, NULL);
  text = g_strdup (err->message);
  g_error_free (err);
  return text;
}

/* blockcorr has exactly two inputs: the one-camera modes are gone from
 * it, and blockdrift has its one sink pad and no request pads. */
GST_START_TEST (test_blockcorr_two_inputs_only)
{
  GstElement *corr = new_element (), *drift = new_drift ();
  GstPadTemplate *templ;

  fail_unless (g_object_class_find_property (G_OBJECT_GET_CLASS (corr),
          "reference") == NULL, "blockcorr still has a reference property");
  fail_unless (g_signal_lookup ("reset-reference", G_OBJECT_TYPE (corr)) == 0,
      "blockcorr still has reset-reference");
  fail_unless (g_object_class_find_property (G_OBJECT_GET_CLASS (corr),
          "alarm-frames") == NULL, "blockcorr still has the alarm");
  templ = gst_element_get_pad_template (drift, "sink");
  fail_unless (templ != NULL
      && GST_PAD_TEMPLATE_PRESENCE (templ) == GST_PAD_ALWAYS);
  fail_unless (gst_element_get_static_pad (drift, "sink_1") == NULL);
  gst_object_unref (corr);
  gst_object_unref (drift);
}

GST_END_TEST;

/* blockcorr with only sink_0 linked: a warning that says so and names
 * blockdrift, not silence. */
GST_START_TEST (test_only_sink0_warns)
{
  gchar *caps = caps_str ("GRAY16_LE", W, H);
  guint16 *frame = random_texture (W, H, 4);
  GstElement *el = new_element ();
  GstBus *bus = gst_bus_new ();
  GstHarness *h;
  GstMessage *msg;
  gchar *text;

  gst_element_set_bus (el, bus);
  h = bc_harness_new (el, "sink_0", TRUE, FALSE);
  gst_object_unref (el);
  gst_harness_set_src_caps_str (h, caps);
  fail_unless_equals_int (gst_harness_push (h, gray16_buffer (frame, W, H,
              0)), GST_FLOW_OK);
  msg = pop_warning (bus, 5 * GST_SECOND);
  fail_unless (msg != NULL, "no warning with only sink_0 linked");
  text = warning_text (msg);
  fail_unless (strstr (text, "Only sink_0") != NULL, "%s", text);
  g_free (text);
  {
    gchar *debug = NULL;

    gst_message_parse_warning (msg, NULL, &debug);
    fail_unless (debug && strstr (debug, "blockdrift"), "%s", debug);
    g_free (debug);
  }
  gst_message_unref (msg);
  gst_harness_teardown (h);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
  g_free (frame);
  g_free (caps);
}

GST_END_TEST;

/* Inputs at two frame rates: one warning naming both. */
GST_START_TEST (test_rate_mismatch_warns)
{
  gchar *caps0 = caps_str ("GRAY16_LE", W, H);
  gchar *caps1 = g_strdup_printf ("video/x-raw,format=GRAY16_LE,width=%d,"
      "height=%d,framerate=1/1", W, H);
  guint16 *frame = random_texture (W, H, 5);
  GstElement *el = new_element ();
  GstMessage *msg;
  GstBuffer *out;
  gchar *text;
  Ctx c;

  ctx_init (&c, el, caps0, caps1, NULL, FALSE);
  fail_unless_equals_int (gst_harness_push (c.h0, gray16_buffer (frame, W, H,
              0)), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_push (c.h1, gray16_buffer (frame, W, H,
              0)), GST_FLOW_OK);
  out = gst_harness_pull (c.h0);
  gst_buffer_unref (out);
  msg = pop_warning (c.bus, 0);
  fail_unless (msg != NULL, "no warning for two frame rates");
  text = warning_text (msg);
  fail_unless (strstr (text, "30/1") && strstr (text, "1/1"), "%s", text);
  g_free (text);
  gst_message_unref (msg);
  ctx_clear (&c);
  g_free (frame);
  g_free (caps0);
  g_free (caps1);
}

GST_END_TEST;

/* The alarm: static frames, then a drift of 1 px per frame, then static
 * again after a reset: raised once within N + 1 frames of the drift's
 * start, cleared once within N + 1 frames of its end. */
GST_START_TEST (test_alarm)
{
  const guint N = 3, STATIC = 5, DRIFT = 8, AFTER = 8;
  gchar *caps = caps_str ("GRAY16_LE", W, H);
  guint16 *base = smooth_texture (W, H, 6);
  GstElement *el = new_drift ();
  GstBus *bus = gst_bus_new ();
  GstHarness *h;
  guint k, raised_at = 0, cleared_at = 0, n_raised = 0, n_cleared = 0;
  GRand *rnd = g_rand_new_with_seed (7);

  gst_element_set_bus (el, bus);
  g_object_set (el, "search-radius", 2u, "alarm-frames", N, NULL);
  gst_util_set_object_arg (G_OBJECT (el), "reference", "first");
  h = bc_harness_new (el, "sink", TRUE, FALSE);
  gst_harness_set_src_caps_str (h, caps);
  for (k = 0; k < STATIC + DRIFT + AFTER; k++) {
    /* Position: still, then moving one pixel per frame, then still. */
    gint pos = k < STATIC ? 0 : k < STATIC + DRIFT ? k - STATIC + 1 : DRIFT;
    guint16 *f = shifted (base, W, H, -pos, 0, 0, 0, 0, 0);
    GstMessage *msg;
    guint i;

    /* Sensor-like noise. */
    for (i = 0; i < W * H; i++)
      f[i] = CLAMP (f[i] + g_rand_double_range (rnd, -200, 200), 0, 65535);
    if (k == STATIC + DRIFT)
      g_signal_emit_by_name (el, "reset-reference");
    fail_unless_equals_int (gst_harness_push (h, gray16_buffer (f, W, H, k)),
        GST_FLOW_OK);
    gst_buffer_unref (gst_harness_pull (h));
    while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
      const GstStructure *s = gst_message_get_structure (msg);

      if (gst_structure_has_name (s, "blockcorr-alarm")) {
        const gchar *state = gst_structure_get_string (s, "state");

        if (g_str_equal (state, "raised")) {
          n_raised++;
          raised_at = k;
        } else {
          n_cleared++;
          cleared_at = k;
        }
        fail_unless_equals_uint64 (get_uint64 (s, "frame"), k);
        fail_unless (gst_structure_has_field (s, "largest-regions"));
      }
      gst_message_unref (msg);
    }
    g_free (f);
  }
  fail_unless_equals_int (n_raised, 1);
  fail_unless_equals_int (n_cleared, 1);
  fail_unless (raised_at >= STATIC && raised_at <= STATIC + N,
      "raised at frame %u", raised_at);
  fail_unless (cleared_at >= STATIC + DRIFT
      && cleared_at <= STATIC + DRIFT + N, "cleared at frame %u", cleared_at);
  gst_harness_teardown (h);
  gst_object_unref (el);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
  g_rand_free (rnd);
  g_free (base);
  g_free (caps);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Every alarm raised is cleared once */

#define AW 64
#define AH 48

/* Appends the blockcorr-alarm messages on the bus to seq: R for raised, c
 * for cleared by good frames, o for switched off, s for stopped (by their
 * reason field); other messages are dropped. */
static void
collect_alarms (GstBus * bus, GString * seq)
{
  GstMessage *msg;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    const GstStructure *s = gst_message_get_structure (msg);

    if (gst_structure_has_name (s, "blockcorr-alarm")) {
      const gchar *state = gst_structure_get_string (s, "state");
      const gchar *reason = gst_structure_get_string (s, "reason");
      gchar *text = gst_structure_to_string (s);

      fail_unless (state != NULL && reason != NULL, "no state or reason: %s",
          text);
      get_uint64 (s, "frame");
      get_uint64 (s, "running-time");
      if (g_str_equal (state, "raised"))
        g_string_append_c (seq, 'R');
      else if (g_str_equal (reason, "frames"))
        g_string_append_c (seq, 'c');
      else if (g_str_equal (reason, "alarm-off"))
        g_string_append_c (seq, 'o');
      else if (g_str_equal (reason, "stopped"))
        g_string_append_c (seq, 's');
      else
        fail ("unknown alarm message %s", text);
      g_free (text);
    }
    gst_message_unref (msg);
  }
}

/* Pushes a 16-bit frame at PTS *n and discards its output. */
static void
push_frame (GstHarness * h, const guint16 * v, gint w, gint hh, guint * n)
{
  GstBuffer *out;

  fail_unless_equals_int (gst_harness_push (h, gray16_buffer (v, w, hh,
              (*n)++)), GST_FLOW_OK);
  out = gst_harness_pull (h);
  fail_unless (out != NULL, "no output for frame %u", *n - 1);
  gst_buffer_unref (out);
}

/* count frames, each independent of the reference: bad for the alarm */
static void
push_bad (GstHarness * h, guint count, gint w, gint hh, guint * n)
{
  guint i;

  for (i = 0; i < count; i++) {
    guint16 *f = random_texture (w, hh, 1000 + *n);

    push_frame (h, f, w, hh, n);
    g_free (f);
  }
}

static void
push_good (GstHarness * h, const guint16 * ref, guint count, gint w, gint hh,
    guint * n)
{
  guint i;

  for (i = 0; i < count; i++)
    push_frame (h, ref, w, hh, n);
}

#define EXPECT_ALARMS(bus, seq, want) G_STMT_START { \
  collect_alarms (bus, seq); \
  fail_unless_equals_string ((seq)->str, want); \
} G_STMT_END

/* The alarm's state is dropped when it is switched off (alarm-frames=0) or
 * the element stops: a raised alarm then gets its cleared message at once.
 * It survives the other alarm properties, reset-reference, a flushing seek
 * and a caps change: good frames clear it. */
GST_START_TEST (test_alarm_cleared_once)
{
  gchar *caps = caps_str ("GRAY16_LE", AW, AH);
  gchar *small = caps_str ("GRAY16_LE", AW / 2, AH / 2);
  guint16 *ref = random_texture (AW, AH, 1);
  guint16 *ref2 = random_texture (AW, AH, 2);
  guint16 *ref3 = random_texture (AW / 2, AH / 2, 3);
  GstElement *el = new_drift ();
  GstBus *bus = gst_bus_new ();
  GString *seq = g_string_new (NULL);
  GstSegment seg;
  GstHarness *h;
  guint n = 0;

  gst_element_set_bus (el, bus);
  gst_util_set_object_arg (G_OBJECT (el), "reference", "first");
  g_object_set (el, "alarm-frames", 2u, "alarm-fraction", 0.5, NULL);
  h = bc_harness_new (el, "sink", TRUE, FALSE);
  gst_harness_set_src_caps_str (h, caps);

  /* the reference, then two bad frames: raised */
  push_good (h, ref, 1, AW, AH, &n);
  push_bad (h, 2, AW, AH, &n);
  EXPECT_ALARMS (bus, seq, "R");

  /* switched off while raised: cleared at once; nothing while off; on
   * again, two bad frames raise it again */
  g_object_set (el, "alarm-frames", 0u, NULL);
  EXPECT_ALARMS (bus, seq, "Ro");
  push_bad (h, 3, AW, AH, &n);
  g_object_set (el, "alarm-frames", 2u, NULL);
  EXPECT_ALARMS (bus, seq, "Ro");
  push_bad (h, 2, AW, AH, &n);
  EXPECT_ALARMS (bus, seq, "RoR");

  /* the other alarm properties and reset-reference keep it raised; three
   * frames like the new reference clear it */
  g_object_set (el, "alarm-fraction", 0.6, "alarm-frames", 3u, NULL);
  g_signal_emit_by_name (el, "reset-reference");
  EXPECT_ALARMS (bus, seq, "RoR");
  push_good (h, ref2, 2, AW, AH, &n);
  EXPECT_ALARMS (bus, seq, "RoR");
  push_good (h, ref2, 1, AW, AH, &n);
  EXPECT_ALARMS (bus, seq, "RoRc");

  /* a flushing seek keeps it raised (the next frame is the reference) */
  push_bad (h, 3, AW, AH, &n);
  EXPECT_ALARMS (bus, seq, "RoRcR");
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  gst_segment_init (&seg, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&seg)));
  n = 0;
  push_good (h, ref, 2, AW, AH, &n);
  EXPECT_ALARMS (bus, seq, "RoRcR");
  push_good (h, ref, 1, AW, AH, &n);
  EXPECT_ALARMS (bus, seq, "RoRcRc");

  /* so does a caps change (the first new frame is the reference) */
  push_bad (h, 3, AW, AH, &n);
  EXPECT_ALARMS (bus, seq, "RoRcRcR");
  gst_harness_set_src_caps_str (h, small);
  push_good (h, ref3, 3, AW / 2, AH / 2, &n);
  EXPECT_ALARMS (bus, seq, "RoRcRcRc");

  /* stopping (PLAYING -> READY) while raised clears it */
  push_bad (h, 3, AW / 2, AH / 2, &n);
  EXPECT_ALARMS (bus, seq, "RoRcRcRcR");
  fail_unless (gst_element_set_state (el, GST_STATE_READY) ==
      GST_STATE_CHANGE_SUCCESS);
  EXPECT_ALARMS (bus, seq, "RoRcRcRcRs");
  fail_unless (gst_element_set_state (el, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  /* the element's pad lost its sticky events: send them again */
  fail_unless (gst_harness_push_event (h,
          gst_event_new_stream_start ("again")));
  gst_harness_set_src_caps_str (h, caps);
  n = 0;
  push_good (h, ref, 1, AW, AH, &n);
  push_bad (h, 3, AW, AH, &n);
  EXPECT_ALARMS (bus, seq, "RoRcRcRcRsR");

  /* and so does the end (PLAYING -> NULL) */
  gst_harness_teardown (h);
  EXPECT_ALARMS (bus, seq, "RoRcRcRcRsRs");

  gst_object_unref (el);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
  g_string_free (seq, TRUE);
  g_free (ref);
  g_free (ref2);
  g_free (ref3);
  g_free (caps);
  g_free (small);
}

GST_END_TEST;

/* Live at 30 fps: the element adds no latency, and a frame's result leaves
 * it before the clock passes that frame's end (the test clock is not
 * advanced at all). */
GST_START_TEST (test_live_latency)
{
  gchar *caps = caps_str ("GRAY16_LE", W, H);
  guint16 *frame = smooth_texture (W, H, 8);
  GstElement *el = new_drift ();
  GstHarness *h;
  GstBuffer *out;
  GstClockTime latency;
  guint k;

  gst_util_set_object_arg (G_OBJECT (el), "reference", "previous");
  g_object_set (el, "search-radius", 1u, NULL);
  h = bc_harness_new (el, "sink", TRUE, TRUE);
  gst_object_unref (el);
  gst_harness_use_testclock (h);
  gst_harness_set_src_caps_str (h, caps);
  for (k = 0; k < 3; k++) {
    fail_unless_equals_int (gst_harness_push (h, gray16_buffer (frame, W, H,
                k)), GST_FLOW_OK);
    out = gst_harness_pull (h);
    fail_unless (out != NULL);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), frame_pts (k));
    gst_buffer_unref (out);
  }
  latency = gst_harness_query_latency (h);
  fail_unless (latency == 0, "latency %" GST_TIME_FORMAT,
      GST_TIME_ARGS (latency));
  gst_harness_teardown (h);
  g_free (frame);
  g_free (caps);
}

GST_END_TEST;

static Suite *
reference_suite (void)
{
  Suite *s = suite_create ("reference");
  TCase *tc = tcase_create ("reference");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_first_equals_frozen_pad);
  tcase_add_test (tc, test_previous_equals_delayed_pad);
  tcase_add_test (tc, test_reset_reference);
  tcase_add_test (tc, test_blockcorr_two_inputs_only);
  tcase_add_test (tc, test_only_sink0_warns);
  tcase_add_test (tc, test_rate_mismatch_warns);
  tcase_add_test (tc, test_alarm);
  tcase_add_test (tc, test_alarm_cleared_once);
  tcase_add_test (tc, test_live_latency);
  return s;
}

GST_CHECK_MAIN (reference);
