/* gst-blockwise: reliability tests of the blockcorr element.
 *
 * 1. nothing lost:   1000 non-live frame pairs -> 1000 outputs, in order.
 * 2. live:           a stalled input (GstHarness + GstTestClock), and QoS.
 * 3. state changes:  1000 NULL->PLAYING->NULL cycles of a real pipeline,
 *                    pad release/request while PLAYING, flushing seeks.
 * 4. hostile sizes:  1x1, 65535x2, block 4096 on 16x16, 16120x16840
 *                    (skip the last one with BW_SKIP_HUGE=1).
 * 5. faults:         regressions of faults found by adversarial testing:
 *                    interlace mismatch, inputs without frame rate, GAP
 *                    events, video metas past the buffer, range back to
 *                    automatic, one input only, and blockdrift's alarm
 *                    switched off and on from another thread.
 *
 * Every test runs under a watchdog thread that aborts the process when the
 * test takes longer than its bound, so a deadlock fails instead of hanging,
 * also with CK_FORK=no (valgrind), where check's own timeouts do not work.
 * BW_TIMEOUT_SCALE=<n> multiplies the bounds (for valgrind).
 * BW_STATE_CYCLES=<n> changes the number of state cycles (default 1000).
 *
 * The pipeline tests need videotestsrc, tee, queue and fakesink
 * (gst-plugins-base and core) from the system plugin path.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include "../blockcorr-harness.h"
#include "../gray16-frames.h"
#include <gst/check/gsttestclock.h>
#include <gst/video/video.h>



/* ------------------------------------------------------------------------ */
/* Watchdog */

typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean done;
  gdouble secs;
  gchar *name;
  GThread *thread;
} Watchdog;

static gdouble
timeout_scale (void)
{
  const gchar *s = g_getenv ("BW_TIMEOUT_SCALE");
  gdouble v = s ? g_ascii_strtod (s, NULL) : 1.0;

  return v > 0 ? v : 1.0;
}

static gpointer
watchdog_func (gpointer data)
{
  Watchdog *w = data;
  gint64 end = g_get_monotonic_time () + (gint64) (w->secs * G_USEC_PER_SEC);

  g_mutex_lock (&w->lock);
  while (!w->done) {
    if (!g_cond_wait_until (&w->cond, &w->lock, end) && !w->done) {
      g_printerr ("\nWATCHDOG: test %s still running after %.0f s: deadlock "
          "or hang, aborting\n", w->name, w->secs);
      abort ();
    }
  }
  g_mutex_unlock (&w->lock);
  return NULL;
}

static Watchdog *
watchdog_start (const gchar * name, gdouble secs)
{
  Watchdog *w = g_new0 (Watchdog, 1);

  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
  w->secs = secs * timeout_scale ();
  w->name = g_strdup (name);
  w->thread = g_thread_new ("watchdog", watchdog_func, w);
  return w;
}

static void
watchdog_stop (Watchdog * w)
{
  g_mutex_lock (&w->lock);
  w->done = TRUE;
  g_cond_signal (&w->cond);
  g_mutex_unlock (&w->lock);
  g_thread_join (w->thread);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
  g_free (w->name);
  g_free (w);
}

/* ------------------------------------------------------------------------ */
/* Harness pair (as in tests/test-blockcorr.c) */


/* GRAY8 w x h frame: value = (x * 7 + y * 13 + seed) & 255, plus a per-frame
 * offset on the second input, so blocks have variance. */
static GstBuffer *
make_gray8 (gint w, gint h, guint seed, GstClockTime pts)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, (gsize) GST_ROUND_UP_4 (w)
      * h, NULL);
  GstMapInfo map;
  gint x, y;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  for (y = 0; y < h; y++)
    for (x = 0; x < GST_ROUND_UP_4 (w); x++)
      map.data[y * GST_ROUND_UP_4 (w) + x] = (x * 7 + y * 13 + seed) & 255;
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = frame_pts (1);
  return buf;
}

/* ------------------------------------------------------------------------ */
/* Meta helpers */


/* Pulls one output buffer within timeout_ms, or NULL. */
static GstBuffer *
pull_timeout (GstHarness * h, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * (gint64) 1000;
  GstBuffer *b;

  while (!(b = gst_harness_try_pull (h))) {
    if (g_get_monotonic_time () > end)
      return NULL;
    g_usleep (200);
  }
  return b;
}

/* ------------------------------------------------------------------------ */
/* 1. Nothing lost (non-live) */

GST_START_TEST (test_nothing_lost)
{
  Watchdog *wd = watchdog_start ("nothing_lost", 120);
  gchar *caps = caps_str ("GRAY8", 32, 24);
  GstBuffer *out;
  gboolean eos = FALSE;
  guint n, got = 0;
  Ctx c;

  ctx_init (&c, new_element (), caps, caps, "video/x-raw,format=RGBA", FALSE);
  for (n = 0; n < 1000; n++) {
    /* non-live: a pad holds one buffer, so this alternation never blocks
     * longer than one aggregation; the harness sink queue is unbounded */
    fail_unless_equals_int (gst_harness_push (c.h0, make_gray8 (32, 24, n,
                frame_pts (n))), GST_FLOW_OK);
    fail_unless_equals_int (gst_harness_push (c.h1, make_gray8 (32, 24,
                n * 3 + 1, frame_pts (n))), GST_FLOW_OK);
  }
  fail_unless (gst_harness_push_event (c.h0, gst_event_new_eos ()));
  fail_unless (gst_harness_push_event (c.h1, gst_event_new_eos ()));

  while (!eos) {
    GstEvent *ev;

    out = pull_timeout (c.h0, 10000);
    if (out) {
      const GstStructure *s = get_meta (out);

      fail_unless_equals_uint64 (get_uint64 (s, "frame"), got);
      fail_unless_equals_uint64 (get_uint64 (s, "pts-0"), frame_pts (got));
      fail_unless_equals_uint64 (get_uint64 (s, "pts-1"), frame_pts (got));
      fail_unless_equals_uint64 (GST_BUFFER_PTS (out), frame_pts (got));
      got++;
      gst_buffer_unref (out);
      fail_unless (got <= 1000, "more than 1000 outputs");
      continue;
    }
    /* no buffer for 10 s: EOS must be there (events are queued in order
     * with the buffers, so it only comes after the last buffer) */
    while ((ev = gst_harness_try_pull_event (c.h0))) {
      if (GST_EVENT_TYPE (ev) == GST_EVENT_EOS)
        eos = TRUE;
      gst_event_unref (ev);
    }
    fail_unless (eos, "no output and no EOS after %u buffers", got);
  }
  fail_unless_equals_int (got, 1000);
  fail_unless (gst_harness_try_pull (c.h0) == NULL);
  fail_on_error_message (c.bus, "nothing lost");
  ctx_clear (&c);
  g_free (caps);
  watchdog_stop (wd);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* 2. Live */

typedef struct
{
  guint64 frame;
  GstClockTime pts, pts0, pts1;
} OutRec;

static void
rec_from_buffer (GstBuffer * b, OutRec * r)
{
  const GstStructure *s = get_meta (b);

  r->frame = get_uint64 (s, "frame");
  r->pts = GST_BUFFER_PTS (b);
  r->pts0 = get_uint64 (s, "pts-0");
  r->pts1 = get_uint64 (s, "pts-1");
}

/* Releases the aggregator's clock wait if it has one within timeout_ms
 * (advancing the test clock to it).  Returns FALSE if it had none. */
static gboolean
crank_if_waiting (GstHarness * h, guint timeout_ms)
{
  GstTestClock *tc = gst_harness_get_testclock (h);
  gboolean waiting;

  waiting = gst_test_clock_timed_wait_for_multiple_pending_ids (tc, 1,
      timeout_ms, NULL);
  if (waiting)
    gst_test_clock_crank (tc);
  gst_object_unref (tc);
  return waiting;
}

#define STALL_START 30
#define STALL_LEN 30
#define LIVE_TICKS 90

/* Live inputs at 30 fps; sink_1 delivers nothing for frames
 * [STALL_START, STALL_START + STALL_LEN) (1 s), then resumes with the
 * current frame (a live source that missed frames).  sink_0 pushes every
 * frame.  The test thread pushes the frames of a tick, then releases the
 * aggregator's clock wait if it waits (it does when a pad has no data), then
 * takes the output of the tick. */
GST_START_TEST (test_live_stall)
{
  Watchdog *wd = watchdog_start ("live_stall", 120);
  gchar *caps = caps_str ("GRAY8", 32, 24);
  OutRec recs[LIVE_TICKS];
  guint n, got = 0, cranks_stall = 0, cranks_normal = 0, resync = G_MAXUINT;
  GstClockTime lat_min = 0, lat_max = 0;
  gboolean live = FALSE;
  GstQuery *q;
  Ctx c;

  ctx_init (&c, new_element (), caps, caps, "video/x-raw,format=RGBA", TRUE);

  for (n = 0; n < LIVE_TICKS; n++) {
    gboolean stalled = n >= STALL_START && n < STALL_START + STALL_LEN;
    GstBuffer *out;

    fail_unless_equals_int (gst_harness_push (c.h0, make_gray8 (32, 24, n,
                frame_pts (n))), GST_FLOW_OK);
    if (!stalled)
      fail_unless_equals_int (gst_harness_push (c.h1, make_gray8 (32, 24,
                  n + 5, frame_pts (n))), GST_FLOW_OK);

    out = pull_timeout (c.h0, stalled ? 50 : 200);
    if (!out) {
      /* the aggregator waits on the clock for the missing input: let the
       * clock reach the deadline, then it must output */
      if (crank_if_waiting (c.h0, 2000)) {
        if (stalled)
          cranks_stall++;
        else
          cranks_normal++;
      }
      out = pull_timeout (c.h0, 2000);
    }
    fail_unless (out != NULL, "no output at tick %u (%s)", n,
        stalled ? "sink_1 stalled" : "both inputs present");
    rec_from_buffer (out, &recs[got]);
    GST_INFO ("tick %u: out pts %" GST_TIME_FORMAT " frame %" G_GUINT64_FORMAT
        " pts-0 %" GST_TIME_FORMAT " pts-1 %" GST_TIME_FORMAT, n,
        GST_TIME_ARGS (recs[got].pts), recs[got].frame,
        GST_TIME_ARGS (recs[got].pts0), GST_TIME_ARGS (recs[got].pts1));
    gst_buffer_unref (out);
    got++;
    /* nothing else pending: exactly one output per tick */
    out = pull_timeout (c.h0, 5);
    fail_unless (out == NULL, "two outputs at tick %u", n);
  }

  for (n = 0; n < LIVE_TICKS; n++) {
    OutRec *r = &recs[n];

    fail_unless_equals_uint64 (r->frame, n);
    fail_unless_equals_uint64 (r->pts, frame_pts (n));
    fail_unless_equals_uint64 (r->pts0, frame_pts (n));
    if (n < STALL_START) {
      fail_unless_equals_uint64 (r->pts1, frame_pts (n));
    } else if (n < STALL_START + STALL_LEN) {
      /* the stalled pad's last frame is repeated, and pts-1 says so */
      fail_unless_equals_uint64 (r->pts1, frame_pts (STALL_START - 1));
    } else if (r->pts1 == r->pts0 && resync == G_MAXUINT) {
      resync = n;
    }
  }
  fail_unless (resync != G_MAXUINT, "pts-0 != pts-1 after sink_1 resumed");
  fail_unless (resync <= STALL_START + STALL_LEN + 2,
      "pts-0 == pts-1 only %u frames after sink_1 resumed",
      resync - (STALL_START + STALL_LEN));
  for (n = resync; n < LIVE_TICKS; n++)
    fail_unless_equals_uint64 (recs[n].pts1, recs[n].pts0);
  /* the outputs of the stall came from the clock timeout */
  fail_unless (cranks_stall >= STALL_LEN - 1, "only %u clock releases in the "
      "stall", cranks_stall);

  q = gst_query_new_latency ();
  fail_unless (gst_pad_peer_query (c.h0->sinkpad, q));
  gst_query_parse_latency (q, &live, &lat_min, &lat_max);
  gst_query_unref (q);
  GST_INFO ("latency: live %d min %" GST_TIME_FORMAT " max %" GST_TIME_FORMAT
      ", clock releases: %u in the stall, %u otherwise", live,
      GST_TIME_ARGS (lat_min), GST_TIME_ARGS (lat_max), cranks_stall,
      cranks_normal);
  fail_unless (live);

  fail_on_error_message (c.bus, "live stall");
  ctx_clear (&c);
  g_free (caps);
  watchdog_stop (wd);
}

GST_END_TEST;

#define QOS_TICK 20
#define QOS_JITTER (500 * GST_MSECOND)
#define QOS_TICKS 80

/* Live, both inputs present.  After output QOS_TICK, downstream reports
 * (QoS event upstream on the src pad) that this output arrived QOS_JITTER
 * late.  GstVideoAggregator then skips aggregate_frames for the outputs
 * whose running time is before timestamp + jitter (when live; when not
 * live, timestamp + 2 * jitter + one frame duration) and posts a QoS
 * message for each.  The QoS type (overflow, underflow) makes no
 * difference.  The inputs are consumed at the same pace
 * (no backlog), and blockcorr's `frame` counts outputs made, so it has no
 * gap while the PTS do. */
GST_START_TEST (test_live_qos)
{
  Watchdog *wd = watchdog_start ("live_qos", 120);
  gchar *caps = caps_str ("GRAY8", 32, 24);
  guint n, outputs = 0, dropped = 0;
  guint64 next_frame = 0;
  GstClockTime earliest, first_after = GST_CLOCK_TIME_NONE;
  Ctx c;

  ctx_init (&c, new_element (), caps, caps, "video/x-raw,format=RGBA", TRUE);
  /* live: GstVideoAggregator's earliest time is timestamp + jitter */
  earliest = frame_pts (QOS_TICK) + QOS_JITTER;

  for (n = 0; n < QOS_TICKS; n++) {
    GstBuffer *out = NULL;
    GstMessage *msg = NULL;
    gint64 end;

    fail_unless_equals_int (gst_harness_push (c.h0, make_gray8 (32, 24, n,
                frame_pts (n))), GST_FLOW_OK);
    fail_unless_equals_int (gst_harness_push (c.h1, make_gray8 (32, 24,
                n + 5, frame_pts (n))), GST_FLOW_OK);

    /* either an output or a QoS message (dropped frame) per tick */
    end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
    while (!out && !msg && g_get_monotonic_time () < end) {
      out = gst_harness_try_pull (c.h0);
      if (!out)
        msg = gst_bus_pop_filtered (c.bus, GST_MESSAGE_QOS);
      /* no clock release here: both inputs are present, so the
       * aggregator never needs its timeout (releasing it would make it
       * output the next frame early, repeating this one) */
      if (!out && !msg)
        g_usleep (200);
    }
    fail_unless (out || msg, "neither output nor QoS message at tick %u", n);
    if (out) {
      OutRec r;

      rec_from_buffer (out, &r);
      gst_buffer_unref (out);
      fail_unless_equals_uint64 (r.pts, frame_pts (n));
      fail_unless_equals_uint64 (r.pts0, frame_pts (n));
      fail_unless_equals_uint64 (r.pts1, frame_pts (n));
      /* frame counts outputs made: no gap even across dropped frames */
      fail_unless_equals_uint64 (r.frame, next_frame);
      next_frame++;
      outputs++;
      if (n > QOS_TICK && !GST_CLOCK_TIME_IS_VALID (first_after))
        first_after = r.pts;
      fail_unless (n <= QOS_TICK || r.pts >= earliest,
          "output %" GST_TIME_FORMAT " should have been dropped",
          GST_TIME_ARGS (r.pts));
    } else {
      GstFormat fmt;
      guint64 processed, qdropped;

      gst_message_parse_qos_stats (msg, &fmt, &processed, &qdropped);
      GST_INFO ("tick %u: QoS message, processed %" G_GUINT64_FORMAT
          " dropped %" G_GUINT64_FORMAT, n, processed, qdropped);
      gst_message_unref (msg);
      dropped++;
      fail_unless (n > QOS_TICK, "dropped before the QoS event");
      fail_unless (frame_pts (n) < earliest, "frame %u dropped, although "
          "at or after the earliest time %" GST_TIME_FORMAT, n,
          GST_TIME_ARGS (earliest));
      fail_unless_equals_uint64 (qdropped, dropped);
    }

    if (n == QOS_TICK) {
      fail_unless (gst_harness_push_upstream_event (c.h0,
              gst_event_new_qos (__i__ ? GST_QOS_TYPE_OVERFLOW :
                  GST_QOS_TYPE_UNDERFLOW, 2.0, QOS_JITTER, frame_pts (n))));
    }
    /* pending QoS messages were consumed above, one per tick */
    out = pull_timeout (c.h0, 2);
    fail_unless (out == NULL, "two outputs at tick %u", n);
  }

  GST_INFO ("QoS: %u outputs, %u dropped of %u; first output after the "
      "event %" GST_TIME_FORMAT ", earliest %" GST_TIME_FORMAT, outputs,
      dropped, QOS_TICKS, GST_TIME_ARGS (first_after),
      GST_TIME_ARGS (earliest));
  fail_unless_equals_int (outputs + dropped, QOS_TICKS);
  /* exactly the outputs between the late one and timestamp + jitter:
   * 500 ms at 30 fps = 15 frame periods, i.e. frames QOS_TICK+1 ..
   * QOS_TICK+14 */
  fail_unless_equals_int (dropped, 14);
  fail_unless_equals_uint64 (first_after, earliest);
  fail_unless (outputs > QOS_TICK + 20, "output did not resume");
  fail_unless (GST_CLOCK_TIME_IS_VALID (first_after));
  fail_on_error_message (c.bus, "live qos");
  ctx_clear (&c);
  g_free (caps);
  watchdog_stop (wd);
}

GST_END_TEST;

/* Live, sink_1 exists but has no caps yet while sink_0 streams: the
 * aggregator times out and negotiates its output with one input unknown.
 * blockcorr must wait (no output, no crash); once sink_1 gets caps and
 * frames, outputs pair both. */
GST_START_TEST (test_live_one_input_without_caps)
{
  Watchdog *wd = watchdog_start ("live_one_input_without_caps", 60);
  gchar *caps = caps_str ("GRAY8", 32, 24);
  GstBuffer *out;
  guint n, outputs = 0;
  Ctx c;

  ctx_init (&c, new_element (), NULL, NULL, "video/x-raw,format=RGBA", TRUE);
  gst_harness_set_src_caps_str (c.h0, caps);
  for (n = 0; n < 5; n++) {
    fail_unless_equals_int (gst_harness_push (c.h0, make_gray8 (32, 24, n,
                frame_pts (n))), GST_FLOW_OK);
    crank_if_waiting (c.h0, 200);
    while ((out = pull_timeout (c.h0, 20))) {
      outputs++;
      gst_buffer_unref (out);
    }
  }
  fail_unless_equals_int (outputs, 0);
  gst_harness_set_src_caps_str (c.h1, caps);
  /* sink_0's first frames went by while the output was not negotiated
   * (GstVideoAggregator advances on timeout), so the first ticks after
   * sink_1 got caps may give nothing; then every output pairs both */
  for (; n < 15; n++) {
    OutRec r;

    fail_unless_equals_int (gst_harness_push (c.h0, make_gray8 (32, 24, n,
                frame_pts (n))), GST_FLOW_OK);
    fail_unless_equals_int (gst_harness_push (c.h1, make_gray8 (32, 24, n,
                frame_pts (n))), GST_FLOW_OK);
    out = pull_timeout (c.h0, 200);
    if (!out && crank_if_waiting (c.h0, 200))
      out = pull_timeout (c.h0, 200);
    if (!out)
      continue;
    rec_from_buffer (out, &r);
    gst_buffer_unref (out);
    fail_unless_equals_uint64 (r.pts0, r.pts1);
    outputs++;
  }
  fail_unless (outputs >= 5, "only %u outputs in the 10 ticks after sink_1 "
      "got caps", outputs);
  fail_on_error_message (c.bus, "one input without caps");
  ctx_clear (&c);
  g_free (caps);
  watchdog_stop (wd);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* 3. State changes (real pipelines, base plugins) */

typedef struct
{
  GMutex lock;
  guint count, no_meta;
  OutRec last;
  guint n_synced_after;         /* outputs with pts-0 >= watch_from and pts-0 == pts-1 */
  guint n_unsynced_after;       /* outputs with pts-0 >= watch_from and pts-0 != pts-1 */
  GstClockTime watch_from;
} SinkStats;

static void
on_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, gpointer data)
{
  SinkStats *st = data;
  GstCustomMeta *meta = gst_buffer_get_custom_meta (buf, META_NAME);

  g_mutex_lock (&st->lock);
  st->count++;
  if (!meta) {
    st->no_meta++;
  } else {
    const GstStructure *s = gst_custom_meta_get_structure (meta);

    gst_structure_get_uint64 (s, "frame", &st->last.frame);
    gst_structure_get_uint64 (s, "pts-0", &st->last.pts0);
    gst_structure_get_uint64 (s, "pts-1", &st->last.pts1);
    st->last.pts = GST_BUFFER_PTS (buf);
    if (GST_CLOCK_TIME_IS_VALID (st->watch_from)
        && st->last.pts0 >= st->watch_from) {
      if (st->last.pts0 == st->last.pts1)
        st->n_synced_after++;
      else
        st->n_unsynced_after++;
    }
  }
  g_mutex_unlock (&st->lock);
}

static guint
stats_count (SinkStats * st)
{
  guint n;

  g_mutex_lock (&st->lock);
  n = st->count;
  g_mutex_unlock (&st->lock);
  return n;
}

static GstElement *
make_pipeline (const gchar * desc, SinkStats * st)
{
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err);
  GstElement *fs;

  fail_unless (p != NULL && err == NULL, "%s: %s", desc,
      err ? err->message : "?");
  fs = gst_bin_get_by_name (GST_BIN (p), "fs");
  fail_unless (fs != NULL);
  g_object_set (fs, "signal-handoffs", TRUE, NULL);
  g_signal_connect (fs, "handoff", G_CALLBACK (on_handoff), st);
  gst_object_unref (fs);
  return p;
}

static void
set_state_checked (GstElement * p, GstState state, const gchar * label, guint i)
{
  GstStateChangeReturn ret = gst_element_set_state (p, state);
  GstState cur = GST_STATE_VOID_PENDING;

  fail_unless (ret != GST_STATE_CHANGE_FAILURE, "%s %u: set_state %s failed",
      label, i, gst_element_state_get_name (state));
  ret = gst_element_get_state (p, &cur, NULL, 5 * GST_SECOND);
  fail_unless (ret == GST_STATE_CHANGE_SUCCESS
      || ret == GST_STATE_CHANGE_NO_PREROLL, "%s %u: state change to %s did "
      "not complete within 5 s (ret %s, state %s)", label, i,
      gst_element_state_get_name (state),
      gst_element_state_change_return_get_name (ret),
      gst_element_state_get_name (cur));
  fail_unless (cur == state);
}

#define CYCLE_BUFFERS 3

/* NULL -> PLAYING -> NULL, in three variants: wait for EOS (and count
 * exactly CYCLE_BUFFERS outputs), wait for PLAYING then stop, stop while the
 * async state change is still going on. */
GST_START_TEST (test_state_cycles)
{
  const gchar *env = g_getenv ("BW_STATE_CYCLES");
  guint cycles = env ? atoi (env) : 1000, i, full = 0, shutdown_races = 0;
  Watchdog *wd = watchdog_start ("state_cycles", 240);
  gchar *desc = g_strdup_printf ("videotestsrc is-live=false num-buffers=%d "
      "pattern=ball ! video/x-raw,format=GRAY16_LE,width=64,height=48,"
      "framerate=30/1 ! tee name=t  t. ! queue ! bc.sink_0  t. ! queue ! "
      "bc.sink_1  blockcorr name=bc block-width=8 block-height=8 ! "
      "fakesink name=fs sync=false", CYCLE_BUFFERS);
  SinkStats st = { 0 };
  GstElement *p;
  GstBus *bus;
  gint64 t0 = g_get_monotonic_time ();

  g_mutex_init (&st.lock);
  st.watch_from = GST_CLOCK_TIME_NONE;
  p = make_pipeline (desc, &st);
  g_object_set (p, "auto-flush-bus", FALSE, NULL);
  bus = gst_element_get_bus (p);

  for (i = 0; i < cycles; i++) {
    GstMessage *msg;
    guint before = stats_count (&st);

    switch (i % 3) {
      case 0:
        set_state_checked (p, GST_STATE_PLAYING, "cycle", i);
        msg = gst_bus_timed_pop_filtered (bus, 5 * GST_SECOND,
            GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
        fail_unless (msg != NULL, "cycle %u: no EOS within 5 s", i);
        if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
          gchar *t = error_text (msg);

          fail ("cycle %u: ERROR %s", i, t);
        }
        gst_message_unref (msg);
        fail_unless_equals_int (stats_count (&st) - before, CYCLE_BUFFERS);
        full++;
        break;
      case 1:
        set_state_checked (p, GST_STATE_PLAYING, "cycle", i);
        break;
      default:
        fail_unless (gst_element_set_state (p, GST_STATE_PLAYING) !=
            GST_STATE_CHANGE_FAILURE);
        break;
    }
    set_state_checked (p, GST_STATE_NULL, "cycle", i);
    while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR |
                GST_MESSAGE_WARNING))) {
      gchar *t = NULL;

      if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
        t = error_text (msg);
      /* Stopping while the change to PLAYING is still going on makes
       * videotestsrc post "streaming stopped, reason error" now and then.
       * That is GStreamer's own shutdown race, not blockcorr's: elements
       * deactivate their source pads before their sink pads, so a sticky
       * event that the source pushes in between (into capsfilter or tee)
       * is refused by the already flushing source pad, the sink pad turns
       * the refusal into GST_FLOW_ERROR, and basesrc reports it.  Debug
       * logs of the failing cycle show exactly that, and the same pipeline
       * with compositor, or with only tee, queues and fakesinks, does it
       * too.  The source negotiates in its streaming thread as it starts,
       * so the same race can also refuse its caps query and end as "reason
       * not-negotiated".  Counted and reported, not failed; any other error
       * fails. */
      if (t && i % 3 == 2 && GST_MESSAGE_SRC (msg)
          && g_str_has_prefix (GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)),
              "videotestsrc") && (strstr (t, "reason error")
              || strstr (t, "reason not-negotiated"))) {
        shutdown_races++;
        g_printerr ("cycle %u: source flow error while stopping: %s\n", i, t);
        g_clear_pointer (&t, g_free);
      }
      gst_message_unref (msg);
      fail_unless (t == NULL, "cycle %u: ERROR %s", i, t);
    }
    gst_bus_set_flushing (bus, TRUE);
    gst_bus_set_flushing (bus, FALSE);
  }
  GST_INFO ("%u state cycles (%u to EOS) in %.1f s, %u outputs", cycles, full,
      (g_get_monotonic_time () - t0) / 1e6, stats_count (&st));
  g_printerr ("state cycles: %u in %.1f s, %u source flow errors while "
      "stopping\n", cycles, (g_get_monotonic_time () - t0) / 1e6,
      shutdown_races);
  fail_unless_equals_int (st.no_meta, 0);

  gst_object_unref (bus);
  gst_object_unref (p);
  g_mutex_clear (&st.lock);
  g_free (desc);
  watchdog_stop (wd);
}

GST_END_TEST;

#define STREAM_DESC "videotestsrc is-live=false pattern=ball ! " \
    "video/x-raw,format=GRAY16_LE,width=64,height=48,framerate=30/1 ! " \
    "tee name=t  t. ! queue name=q0 ! bc.sink_0  t. ! queue name=q1 ! " \
    "bc.sink_1  blockcorr name=bc block-width=8 block-height=8 ! " \
    "fakesink name=fs sync=true"

/* Waits until the sink has seen `more` outputs more than `from`. */
static gboolean
wait_outputs (SinkStats * st, guint from, guint more, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * (gint64) 1000;

  while (stats_count (st) < from + more) {
    if (g_get_monotonic_time () > end)
      return FALSE;
    g_usleep (2000);
  }
  return TRUE;
}

static void
check_bus_errors (GstElement * p, const gchar * label)
{
  GstBus *bus = gst_element_get_bus (p);

  fail_on_error_message (bus, label);
  gst_object_unref (bus);
}

typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean blocked;
} BlockState;

static GstPadProbeReturn
on_blocked (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  BlockState *bs = data;

  g_mutex_lock (&bs->lock);
  bs->blocked = TRUE;
  g_cond_signal (&bs->cond);
  g_mutex_unlock (&bs->lock);
  return GST_PAD_PROBE_OK;
}

/* Releases sink_1 while PLAYING and requests it again, relinking queue q1.
 * With block=TRUE, q1's src pad is blocked around the swap (the usual
 * dynamic relinking); with block=FALSE it is unlinked under streaming (q1
 * gets NOT_LINKED and pauses; the RECONFIGURE event sent on relinking
 * restarts it). */
static void
run_pad_cycles (gboolean block)
{
  SinkStats st = { 0 };
  GstElement *p, *bc, *q1;
  GstPad *q1src;
  guint i;

  g_mutex_init (&st.lock);
  st.watch_from = GST_CLOCK_TIME_NONE;
  p = make_pipeline (STREAM_DESC, &st);
  bc = gst_bin_get_by_name (GST_BIN (p), "bc");
  q1 = gst_bin_get_by_name (GST_BIN (p), "q1");
  q1src = gst_element_get_static_pad (q1, "src");

  set_state_checked (p, GST_STATE_PLAYING, "pads", 0);
  fail_unless (wait_outputs (&st, 0, 10, 5000), "no output at start");

  for (i = 0; i < 5; i++) {
    GstPad *sink1 = gst_pad_get_peer (q1src), *newpad;
    BlockState bs = { 0 };
    gulong probe = 0;
    guint before;
    gchar *name;

    fail_unless (sink1 != NULL);
    if (block) {
      g_mutex_init (&bs.lock);
      g_cond_init (&bs.cond);
      probe = gst_pad_add_probe (q1src, GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM,
          on_blocked, &bs, NULL);
      g_mutex_lock (&bs.lock);
      while (!bs.blocked)
        fail_unless (g_cond_wait_until (&bs.cond, &bs.lock,
                g_get_monotonic_time () + 5 * G_USEC_PER_SEC),
            "q1 src did not block");
      g_mutex_unlock (&bs.lock);
    }
    fail_unless (gst_pad_unlink (q1src, sink1));
    gst_element_release_request_pad (bc, sink1);
    gst_object_unref (sink1);
    g_usleep (100000);
    check_bus_errors (p, "after release");

    before = stats_count (&st);
    newpad = gst_element_request_pad_simple (bc, "sink_%u");
    fail_unless (newpad != NULL, "cycle %u: could not request the pad again",
        i);
    name = gst_pad_get_name (newpad);
    fail_unless_equals_string (name, "sink_1");
    g_free (name);
    fail_unless_equals_int (gst_pad_link (q1src, newpad), GST_PAD_LINK_OK);
    gst_object_unref (newpad);
    if (block) {
      gst_pad_remove_probe (q1src, probe);
      g_mutex_clear (&bs.lock);
      g_cond_clear (&bs.cond);
    }
    if (!block) {
      /* Releasing sink_1 while q1 pushes into it makes that push return
       * FLUSHING (the released pad is deactivated); queue then pauses for
       * good (only NOT_LINKED is undone by the RECONFIGURE of the relink)
       * and tee passes FLUSHING upstream, so the whole pipeline stops:
       * base-class behaviour, hence no output check here, only no crash,
       * no ERROR and a bounded shutdown. */
      g_usleep (300000);
      check_bus_errors (p, "after unblocked relink");
      break;
    }
    fail_unless (wait_outputs (&st, before, 15, 10000),
        "%s cycle %u: output did not continue after relinking sink_1 "
        "(%u outputs)", block ? "blocked" : "unblocked", i,
        stats_count (&st) - before);
    g_mutex_lock (&st.lock);
    fail_unless (st.last.pts0 == st.last.pts1, "cycle %u: last output pairs "
        "%" GST_TIME_FORMAT " with %" GST_TIME_FORMAT, i,
        GST_TIME_ARGS (st.last.pts0), GST_TIME_ARGS (st.last.pts1));
    g_mutex_unlock (&st.lock);
    check_bus_errors (p, "after relink");
  }
  fail_unless_equals_int (st.no_meta, 0);
  set_state_checked (p, GST_STATE_NULL, "pads", 1);
  gst_object_unref (q1src);
  gst_object_unref (q1);
  gst_object_unref (bc);
  gst_object_unref (p);
  g_mutex_clear (&st.lock);
}

GST_START_TEST (test_pad_release_request_blocked)
{
  Watchdog *wd = watchdog_start ("pad_release_request_blocked", 120);

  run_pad_cycles (TRUE);
  watchdog_stop (wd);
}

GST_END_TEST;

GST_START_TEST (test_pad_release_request_unblocked)
{
  Watchdog *wd = watchdog_start ("pad_release_request_unblocked", 120);

  run_pad_cycles (FALSE);
  watchdog_stop (wd);
}

GST_END_TEST;

/* Flushing seeks on non-live (seekable) inputs while PLAYING: after each,
 * outputs come with pts-0 >= the seek position and pts-0 == pts-1. */
GST_START_TEST (test_flushing_seeks)
{
  static const gint64 positions_ms[] = { 10000, 2000, 30000, 0, 5000, 5000,
    60000, 1000
  };
  Watchdog *wd = watchdog_start ("flushing_seeks", 120);
  SinkStats st = { 0 };
  GstElement *p;
  guint i;

  g_mutex_init (&st.lock);
  st.watch_from = GST_CLOCK_TIME_NONE;
  p = make_pipeline (STREAM_DESC, &st);
  set_state_checked (p, GST_STATE_PLAYING, "seeks", 0);
  fail_unless (wait_outputs (&st, 0, 5, 5000), "no output at start");

  for (i = 0; i < G_N_ELEMENTS (positions_ms); i++) {
    GstClockTime pos = positions_ms[i] * GST_MSECOND;
    gint64 end;
    guint synced = 0, unsynced = 0;

    g_mutex_lock (&st.lock);
    st.watch_from = pos;
    st.n_synced_after = st.n_unsynced_after = 0;
    g_mutex_unlock (&st.lock);
    fail_unless (gst_element_seek_simple (p, GST_FORMAT_TIME,
            GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE, pos),
        "seek %u to %" GST_TIME_FORMAT " refused", i, GST_TIME_ARGS (pos));
    end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    while (g_get_monotonic_time () < end) {
      g_mutex_lock (&st.lock);
      synced = st.n_synced_after;
      unsynced = st.n_unsynced_after;
      g_mutex_unlock (&st.lock);
      if (synced >= 5)
        break;
      g_usleep (5000);
    }
    GST_INFO ("seek %u to %" GST_TIME_FORMAT ": %u synced, %u unsynced", i,
        GST_TIME_ARGS (pos), synced, unsynced);
    fail_unless (synced >= 5, "seek %u to %" GST_TIME_FORMAT ": only %u "
        "paired outputs after it (%u unpaired) within 10 s", i,
        GST_TIME_ARGS (pos), synced, unsynced);
    fail_unless (unsynced <= 2, "seek %u: %u outputs after the seek pair "
        "different frames", i, unsynced);
    check_bus_errors (p, "seeks");
  }
  fail_unless_equals_int (st.no_meta, 0);
  set_state_checked (p, GST_STATE_NULL, "seeks", 1);
  gst_object_unref (p);
  g_mutex_clear (&st.lock);
  watchdog_stop (wd);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* 4. Hostile sizes */

/* Pearson r of a block by the two-pass formula in double; NAN if a
 * variance is zero.  get(ctx, x, y, which) returns a sample. */
typedef guint (*SampleFunc) (gconstpointer ctx, guint x, guint y, gint which);

static gdouble
ref_block_r (SampleFunc get, gconstpointer ctx, guint x0, guint y0, guint x1,
    guint y1)
{
  gdouble sa = 0, sb = 0, ma, mb, saa = 0, sbb = 0, sab = 0;
  guint x, y, n = (x1 - x0) * (y1 - y0);

  for (y = y0; y < y1; y++)
    for (x = x0; x < x1; x++) {
      sa += get (ctx, x, y, 0);
      sb += get (ctx, x, y, 1);
    }
  ma = sa / n;
  mb = sb / n;
  for (y = y0; y < y1; y++)
    for (x = x0; x < x1; x++) {
      gdouble da = get (ctx, x, y, 0) - ma, db = get (ctx, x, y, 1) - mb;

      saa += da * da;
      sbb += db * db;
      sab += da * db;
    }
  if (saa == 0 || sbb == 0)
    return NAN;
  return sab / sqrt (saa * sbb);
}

static void
assert_r (gfloat got, gdouble exp, const gchar * what, guint k)
{
  if (isnan (exp)) {
    fail_unless (isnan (got), "%s block %u: expected NaN, got %.9g", what, k,
        got);
    return;
  }
  fail_unless (!isnan (got) && fabs (got - exp) <= 1e-5,
      "%s block %u: expected %.9g, got %.9g", what, k, exp, got);
}

/* Pushes one pair with the given caps and pulls the output (or NULL). */
static GstBuffer *
run_pair (Ctx * c, GstBuffer * a, GstBuffer * b)
{
  fail_unless_equals_int (gst_harness_push (c->h0, a), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_push (c->h1, b), GST_FLOW_OK);
  return pull_timeout (c->h0, 60000);
}

GST_START_TEST (test_tiny_1x1)
{
  Watchdog *wd = watchdog_start ("tiny_1x1", 60);
  gchar *caps = caps_str ("GRAY8", 1, 1);
  GstElement *el = new_element ();
  const GstStructure *s;
  GstBuffer *out;
  Ctx c;

  g_object_set (el, "block-width", 1, "block-height", 1, NULL);
  ctx_init (&c, el, caps, caps, "video/x-raw,format=RGBA", FALSE);
  out = run_pair (&c, make_gray8 (1, 1, 1, 0), make_gray8 (1, 1, 2, 0));
  fail_unless (out != NULL, "no output for 1x1 frames");
  s = get_meta (out);
  fail_unless_equals_int (get_uint (s, "cols"), 1);
  fail_unless_equals_int (get_uint (s, "rows"), 1);
  fail_unless_equals_int (get_uint (s, "valid"), 0);
  fail_unless_equals_int (get_uint (s, "invalid"), 1);
  fail_unless (isnan (get_grid (s, "r", 1)[0]));
  fail_unless_equals_int (gst_buffer_get_size (out), 4);
  gst_buffer_unref (out);
  fail_on_error_message (c.bus, "1x1");
  ctx_clear (&c);
  g_free (caps);
  watchdog_stop (wd);
}

GST_END_TEST;

/* 65535 x 2 GRAY16_LE: full-range samples (sums of squares far beyond 32
 * bits), blocks 16x2, trim (4095 blocks) and partial (4096, the last 15
 * wide). */
typedef struct
{
  guint w, h;
  const guint16 *a, *b;
} Plane16;

static guint
plane16_get (gconstpointer ctx, guint x, guint y, gint which)
{
  const Plane16 *p = ctx;

  return (which ? p->b : p->a)[(gsize) y * p->w + x];
}

static GstBuffer *
buffer_from_plane16 (const guint16 * v, guint w, guint h, GstClockTime pts)
{
  gsize stride = GST_ROUND_UP_4 (w * 2);
  GstBuffer *buf = gst_buffer_new_allocate (NULL, stride * h, NULL);
  GstMapInfo map;
  guint x, y;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      GST_WRITE_UINT16_LE (map.data + y * stride + 2 * x, v[(gsize) y * w + x]);
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = frame_pts (1);
  return buf;
}

GST_START_TEST (test_wide_65535)
{
  const guint w = 65535, h = 2;
  Watchdog *wd = watchdog_start ("wide_65535", 120);
  gchar *caps = caps_str ("GRAY16_LE", w, h);
  guint16 *a = g_new (guint16, w * h), *b = g_new (guint16, w * h);
  GRand *rnd = g_rand_new_with_seed (65535);
  Plane16 pl = { w, h, a, b };
  gint partial;
  guint i;

  for (i = 0; i < w * h; i++) {
    guint x = i % w, kind = (x / 16) % 4;

    /* extremes: 0 / 65535 alternating, B equal, inverted, random or
     * constant by block */
    a[i] = g_rand_boolean (rnd) ? 65535 : (guint16) g_rand_int_range (rnd, 0,
        65536);
    switch (kind) {
      case 0:
        b[i] = a[i];
        break;
      case 1:
        b[i] = 65535 - a[i];
        break;
      case 2:
        b[i] = g_rand_int_range (rnd, 0, 65536);
        break;
      default:
        b[i] = 65535;
        break;
    }
  }
  g_rand_free (rnd);

  for (partial = 0; partial <= 1; partial++) {
    GstElement *el = new_element ();
    guint cols = partial ? 4096 : 4095, k;
    const GstStructure *s;
    const gfloat *r;
    GstBuffer *out;
    Ctx c;

    g_object_set (el, "block-width", 16, "block-height", 2, NULL);
    gst_util_set_object_arg (G_OBJECT (el), "edge-mode",
        partial ? "partial" : "trim");
    ctx_init (&c, el, caps, caps, "video/x-raw,format=RGBA", FALSE);
    out = run_pair (&c, buffer_from_plane16 (a, w, h, 0),
        buffer_from_plane16 (b, w, h, 0));
    fail_unless (out != NULL);
    s = get_meta (out);
    fail_unless_equals_int (get_uint (s, "cols"), cols);
    fail_unless_equals_int (get_uint (s, "rows"), 1);
    r = get_grid (s, "r", cols);
    for (k = 0; k < cols; k++) {
      gdouble exp = ref_block_r (plane16_get, &pl, k * 16, 0,
          MIN (k * 16 + 16, w), 2);

      assert_r (r[k], exp, partial ? "65535x2 partial" : "65535x2 trim", k);
      if (k % 4 == 0 && !isnan (exp))
        fail_unless (fabs (r[k] - 1.0) < 1e-5);
      if (k % 4 == 1 && !isnan (exp))
        fail_unless (fabs (r[k] + 1.0) < 1e-5);
      if (k % 4 == 3)
        fail_unless (isnan (r[k]));
    }
    gst_buffer_unref (out);
    fail_on_error_message (c.bus, "65535x2");
    ctx_clear (&c);
  }
  g_free (a);
  g_free (b);
  g_free (caps);
  watchdog_stop (wd);
}

GST_END_TEST;

/* Block 4096x4096 on 16x16: trim has no block (element ERROR, no output, no
 * crash), partial has one block covering the frame. */
GST_START_TEST (test_block_4096_on_16)
{
  Watchdog *wd = watchdog_start ("block_4096_on_16", 60);
  gchar *caps = caps_str ("GRAY8", 16, 16);
  gint partial;

  for (partial = 0; partial <= 1; partial++) {
    GstElement *el = new_element ();
    GstBuffer *a = make_gray8 (16, 16, 3, 0), *b = make_gray8 (16, 16, 9, 0);
    Ctx c;

    g_object_set (el, "block-width", 4096, "block-height", 4096, NULL);
    gst_util_set_object_arg (G_OBJECT (el), "edge-mode",
        partial ? "partial" : "trim");
    ctx_init (&c, el, NULL, NULL, "video/x-raw,format=RGBA", FALSE);
    if (!partial) {
      GstMessage *msg;
      gchar *t;

      /* caps are refused (update_caps posts the error) or the first
       * aggregation fails: either way an ERROR, and no output */
      gst_harness_set_src_caps_str (c.h0, caps);
      gst_harness_set_src_caps_str (c.h1, caps);
      gst_harness_push (c.h0, a);
      gst_harness_push (c.h1, b);
      msg = gst_bus_timed_pop_filtered (c.bus, 5 * GST_SECOND,
          GST_MESSAGE_ERROR);
      fail_unless (msg != NULL, "no ERROR for a 4096 block on 16x16 (trim)");
      t = error_text (msg);
      GST_INFO ("trim 4096 on 16x16: %s", t);
      fail_unless (strstr (t, "4096x4096") != NULL, "%s", t);
      g_free (t);
      gst_message_unref (msg);
      fail_unless (pull_timeout (c.h0, 100) == NULL);
    } else {
      const GstStructure *s;
      GstBuffer *out;
      GstMapInfo ma, mb;
      gdouble sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, n = 256, exp;
      guint x, y;

      fail_unless (gst_buffer_map (a, &ma, GST_MAP_READ));
      fail_unless (gst_buffer_map (b, &mb, GST_MAP_READ));
      for (y = 0; y < 16; y++)
        for (x = 0; x < 16; x++) {
          sa += ma.data[y * 16 + x];
          sb += mb.data[y * 16 + x];
        }
      for (y = 0; y < 16; y++)
        for (x = 0; x < 16; x++) {
          gdouble da = ma.data[y * 16 + x] - sa / n;
          gdouble db = mb.data[y * 16 + x] - sb / n;

          saa += da * da;
          sbb += db * db;
          sab += da * db;
        }
      exp = sab / sqrt (saa * sbb);
      gst_buffer_unmap (a, &ma);
      gst_buffer_unmap (b, &mb);

      gst_harness_set_src_caps_str (c.h0, caps);
      gst_harness_set_src_caps_str (c.h1, caps);
      out = run_pair (&c, a, b);
      fail_unless (out != NULL);
      s = get_meta (out);
      fail_unless_equals_int (get_uint (s, "cols"), 1);
      fail_unless_equals_int (get_uint (s, "rows"), 1);
      fail_unless_equals_int (get_uint (s, "valid"), 1);
      assert_r (get_grid (s, "r", 1)[0], exp, "4096 partial", 0);
      gst_buffer_unref (out);
      fail_on_error_message (c.bus, "4096 partial");
    }
    ctx_clear (&c);
  }
  g_free (caps);
  watchdog_stop (wd);
}

GST_END_TEST;

/* 16120 x 16840 GRAY16_LE pair (2 x 543 MB), 16x16 trim: grid 1007 x 1052.
 * Samples are a hash of (x, y), B mixes A with another hash by region. */
typedef struct
{
  const guint8 *a, *b;
  gsize stride;
} HugeCtx;

static guint
huge_get (gconstpointer ctx, guint x, guint y, gint which)
{
  const HugeCtx *h = ctx;

  return GST_READ_UINT16_LE ((which ? h->b : h->a) + (gsize) y * h->stride +
      2 * x);
}

static inline guint32
hash32 (guint32 v)
{
  v ^= v >> 16;
  v *= 0x7feb352d;
  v ^= v >> 15;
  v *= 0x846ca68b;
  v ^= v >> 16;
  return v;
}

GST_START_TEST (test_huge_frame)
{
  const guint w = 16120, h = 16840, cols = 1007, rows = 1052;
  const gsize stride = GST_ROUND_UP_4 (w * 2);
  Watchdog *wd;
  gchar *caps;
  GstElement *el;
  GstBuffer *a, *b, *out;
  GstMapInfo ma, mb;
  const GstStructure *s;
  const gfloat *r;
  HugeCtx hc;
  gint64 t0, t1, t2;
  guint x, y, i;
  GstVideoInfo oinfo;
  GstCaps *ocaps;
  Ctx c;
  static const guint probe_blocks[][2] = { {0, 0}, {1006, 0}, {0, 1051},
  {1006, 1051}, {503, 526}, {17, 900}, {999, 3}, {640, 640}
  };

  if (g_getenv ("BW_SKIP_HUGE") && atoi (g_getenv ("BW_SKIP_HUGE"))) {
    g_printerr ("huge frame test skipped (BW_SKIP_HUGE)\n");
    return;
  }
  wd = watchdog_start ("huge_frame", 300);
  caps = caps_str ("GRAY16_LE", w, h);
  el = new_element ();

  t0 = g_get_monotonic_time ();
  a = gst_buffer_new_allocate (NULL, stride * h, NULL);
  b = gst_buffer_new_allocate (NULL, stride * h, NULL);
  fail_unless (a && b, "could not allocate 2 x %" G_GSIZE_FORMAT " bytes",
      stride * h);
  fail_unless (gst_buffer_map (a, &ma, GST_MAP_WRITE));
  fail_unless (gst_buffer_map (b, &mb, GST_MAP_WRITE));
  for (y = 0; y < h; y++) {
    guint8 *la = ma.data + y * stride, *lb = mb.data + y * stride;

    for (x = 0; x < w; x++) {
      guint32 hv = hash32 (x * 0x9e3779b1u ^ y * 0x85ebca6bu);
      guint va = hv & 0xffff, vb, region = ((x >> 7) + (y >> 7)) % 4;

      if (region == 0)
        vb = va;
      else if (region == 1)
        vb = (va + (hv >> 16)) >> 1;
      else if (region == 2)
        vb = 65535 - va;
      else
        vb = hv >> 16;
      GST_WRITE_UINT16_LE (la + 2 * x, va);
      GST_WRITE_UINT16_LE (lb + 2 * x, vb);
    }
  }
  gst_buffer_unmap (a, &ma);
  gst_buffer_unmap (b, &mb);
  GST_BUFFER_PTS (a) = GST_BUFFER_PTS (b) = 0;
  GST_BUFFER_DURATION (a) = GST_BUFFER_DURATION (b) = frame_pts (1);
  t1 = g_get_monotonic_time ();

  ctx_init (&c, el, caps, caps, "video/x-raw,format=RGBA", FALSE);
  gst_buffer_ref (a);
  gst_buffer_ref (b);
  out = run_pair (&c, a, b);
  t2 = g_get_monotonic_time ();
  fail_unless (out != NULL, "no output for the huge pair");
  s = get_meta (out);
  fail_unless_equals_int (get_uint (s, "cols"), cols);
  fail_unless_equals_int (get_uint (s, "rows"), rows);
  ocaps = gst_pad_get_current_caps (c.h0->sinkpad);
  fail_unless (gst_video_info_from_caps (&oinfo, ocaps));
  gst_caps_unref (ocaps);
  fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (&oinfo), cols);
  fail_unless_equals_int (GST_VIDEO_INFO_HEIGHT (&oinfo), rows);
  fail_unless_equals_int (gst_buffer_get_size (out),
      GST_VIDEO_INFO_SIZE (&oinfo));
  r = get_grid (s, "r", (gsize) cols * rows);

  fail_unless (gst_buffer_map (a, &ma, GST_MAP_READ));
  fail_unless (gst_buffer_map (b, &mb, GST_MAP_READ));
  hc.a = ma.data;
  hc.b = mb.data;
  hc.stride = stride;
  for (i = 0; i < G_N_ELEMENTS (probe_blocks); i++) {
    guint bx = probe_blocks[i][0], by = probe_blocks[i][1];
    gdouble exp = ref_block_r (huge_get, &hc, bx * 16, by * 16, bx * 16 + 16,
        by * 16 + 16);

    assert_r (r[(gsize) by * cols + bx], exp, "huge", by * cols + bx);
  }
  gst_buffer_unmap (a, &ma);
  gst_buffer_unmap (b, &mb);
  gst_buffer_unref (a);
  gst_buffer_unref (b);
  gst_buffer_unref (out);
  fail_on_error_message (c.bus, "huge");
  ctx_clear (&c);
  g_free (caps);
  g_printerr ("huge frame 16120x16840: fill %.2f s, push+aggregate+pull "
      "%.2f s\n", (t1 - t0) / 1e6, (t2 - t1) / 1e6);
  watchdog_stop (wd);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* 5. Faults found by adversarial testing (each failed before its fix) */

/* Two GRAY8 images: a random texture and a noisy, partly inverted copy, so
 * that r varies from block to block. */
typedef struct
{
  guint w, h;
  guint8 *a, *b;
} Plane8;

static guint
plane8_get (gconstpointer ctx, guint x, guint y, gint which)
{
  const Plane8 *p = ctx;

  return (which ? p->b : p->a)[(gsize) y * p->w + x];
}

static void
plane8_init (Plane8 * p, guint w, guint h, guint32 seed)
{
  guint32 st = seed | 1;
  gsize i;

  p->w = w;
  p->h = h;
  p->a = g_malloc ((gsize) w * h);
  p->b = g_malloc ((gsize) w * h);
  for (i = 0; i < (gsize) w * h; i++) {
    guint x = i % w, noise;

    st ^= st << 13;
    st ^= st >> 17;
    st ^= st << 5;
    p->a[i] = st & 255;
    noise = (st >> 8) % (1 + x % 97);
    p->b[i] = (x / 16) % 3 == 1 ? 255u - p->a[i] : (p->a[i] + noise) & 255u;
  }
}

static void
plane8_clear (Plane8 * p)
{
  g_free (p->a);
  g_free (p->b);
}

/* A GRAY8 buffer of size bytes holding img (w x h) with its rows at
 * offset + y * stride (stride may be negative), described by a video meta;
 * the other bytes are 0xa5. */
static GstBuffer *
buffer_with_meta (const guint8 * img, guint w, guint h, gsize size,
    gsize offset, gint stride, GstClockTime pts)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, size, NULL);
  gsize offsets[GST_VIDEO_MAX_PLANES] = { offset };
  gint strides[GST_VIDEO_MAX_PLANES] = { stride };
  GstMapInfo map;
  guint y;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  memset (map.data, 0xa5, size);
  for (y = 0; y < h; y++) {
    gint64 at = (gint64) offset + (gint64) y * stride;

    if (at >= 0 && at + w <= (gint64) size)
      memcpy (map.data + at, img + (gsize) y * w, w);
  }
  gst_buffer_unmap (buf, &map);
  gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_FORMAT_GRAY8, w, h, 1, offsets, strides);
  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = frame_pts (1);
  return buf;
}

/* A tightly packed GRAY8 buffer of img. */
static GstBuffer *
buffer_packed (const guint8 * img, guint w, guint h, GstClockTime pts,
    GstClockTime duration)
{
  GstBuffer *buf = gst_buffer_new_memdup (img, (gsize) w * h);

  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = duration;
  return buf;
}

/* The meta's r grid against the reference, trim mode, bw x bh blocks. */
static void
check_r_grid (const GstStructure * s, const Plane8 * p, guint bw, guint bh,
    const gchar * what)
{
  guint cols = p->w / bw, rows = p->h / bh, i, j;
  const gfloat *r;

  fail_unless_equals_int (get_uint (s, "cols"), cols);
  fail_unless_equals_int (get_uint (s, "rows"), rows);
  r = get_grid (s, "r", (gsize) cols * rows);
  for (j = 0; j < rows; j++)
    for (i = 0; i < cols; i++)
      assert_r (r[j * cols + i], ref_block_r (plane8_get, p, i * bw, j * bh,
              (i + 1) * bw, (j + 1) * bh), what, j * cols + i);
}

/* Pops ERROR messages until one whose text contains needle (the test fails
 * if none comes within 5 s). */
static void
expect_error (GstBus * bus, const gchar * needle, const gchar * label)
{
  GstMessage *msg;

  while ((msg = gst_bus_timed_pop_filtered (bus, 5 * GST_SECOND,
              GST_MESSAGE_ERROR))) {
    gchar *t = error_text (msg);
    gboolean found = strstr (t, needle) != NULL;

    GST_INFO ("%s: %s", label, t);
    g_free (t);
    gst_message_unref (msg);
    if (found)
      return;
  }
  fail ("%s: no ERROR message containing \"%s\" within 5 s", label, needle);
}

/* Pushes frames on both inputs until one push fails (the element stopped
 * taking data after its error), and returns that flow; OK if 50 pushes
 * went through. */
static GstFlowReturn
push_until_refused (Ctx * c, const Plane8 * p)
{
  GstFlowReturn ret = GST_FLOW_OK;
  guint n;

  for (n = 0; n < 50 && ret == GST_FLOW_OK; n++) {
    ret = gst_harness_push (c->h0, buffer_packed (p->a, p->w, p->h,
            frame_pts (n), frame_pts (1)));
    if (ret == GST_FLOW_OK)
      ret = gst_harness_push (c->h1, buffer_packed (p->b, p->w, p->h,
              frame_pts (n), frame_pts (1)));
    if (ret == GST_FLOW_OK)
      g_usleep (20000);
  }
  return ret;
}

/* Inputs that differ in interlace mode: GstVideoAggregator refuses the
 * second one's caps; this used to leave its buffers queued without caps and
 * the aggregate loop spinning at 100% CPU with nothing on the bus. */
GST_START_TEST (test_interlace_mismatch)
{
  static const gchar *modes[] = { "interleaved", "mixed" };
  Watchdog *wd = watchdog_start ("interlace_mismatch", 60);
  Plane8 p;
  guint m;

  plane8_init (&p, 64, 48, 11);
  for (m = 0; m < G_N_ELEMENTS (modes); m++) {
    gchar *caps = caps_str ("GRAY8", 64, 48);
    gchar *icaps = g_strdup_printf ("%s,interlace-mode=%s", caps, modes[m]);
    Ctx c;

    /* Either input may be the interlaced one. */
    ctx_init (&c, new_element (), NULL, NULL, "video/x-raw,format=GRAY8",
        FALSE);
    gst_harness_set_src_caps_str (c.h0, m == 0 ? icaps : caps);
    gst_harness_set_src_caps_str (c.h1, m == 0 ? caps : icaps);
    push_until_refused (&c, &p);
    expect_error (c.bus, "differ in interlacing", modes[m]);
    /* The aggregate loop stopped: the inputs are refused, not queued. */
    fail_if (push_until_refused (&c, &p) == GST_FLOW_OK,
        "%s: inputs still taken after the error", modes[m]);
    ctx_clear (&c);
    g_free (icaps);
    g_free (caps);
  }
  plane8_clear (&p);
  watchdog_stop (wd);
}

GST_END_TEST;

/* Both inputs interlaced the same way are analysed as stored, also across
 * an output renegotiation and the inputs sending their caps again. */
static void
push_pair8 (Ctx * c, const Plane8 * p, guint n)
{
  fail_unless_equals_int (gst_harness_push (c->h0, buffer_packed (p->a, p->w,
              p->h, frame_pts (n), frame_pts (1))), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_push (c->h1, buffer_packed (p->b, p->w,
              p->h, frame_pts (n), frame_pts (1))), GST_FLOW_OK);
}

static void
pull_and_check (Ctx * c, const Plane8 * p, guint bw, const gchar * what)
{
  GstBuffer *out = pull_timeout (c->h0, 60000);

  fail_unless (out != NULL, "%s: no output", what);
  check_r_grid (get_meta (out), p, bw, 16, what);
  gst_buffer_unref (out);
}

GST_START_TEST (test_interlace_both)
{
  Watchdog *wd = watchdog_start ("interlace_both", 60);
  gchar *caps = g_strdup_printf ("video/x-raw,format=GRAY8,width=64,"
      "height=48,framerate=%d/1,interlace-mode=interleaved", FPS);
  Plane8 p;
  Ctx c;

  plane8_init (&p, 64, 48, 12);
  ctx_init (&c, new_element (), caps, caps, "video/x-raw,format=GRAY8", FALSE);
  push_pair8 (&c, &p, 0);
  pull_and_check (&c, &p, 16, "interleaved");
  /* A new block size renegotiates the output. */
  g_object_set (c.el, "block-width", 8, NULL);
  push_pair8 (&c, &p, 1);
  pull_and_check (&c, &p, 8, "interleaved, new block size");
  /* The inputs send their caps again (the base class renegotiates once the
   * next frames are queued). */
  gst_harness_set_src_caps_str (c.h0, caps);
  gst_harness_set_src_caps_str (c.h1, caps);
  push_pair8 (&c, &p, 2);
  push_pair8 (&c, &p, 3);
  pull_and_check (&c, &p, 8, "interleaved, caps again");
  pull_and_check (&c, &p, 8, "interleaved, caps again");
  fail_on_error_message (c.bus, "interleaved");
  ctx_clear (&c);
  plane8_clear (&p);
  g_free (caps);
  watchdog_stop (wd);
}

GST_END_TEST;

/* Inputs without a frame rate (framerate=0/1) whose buffers have durations:
 * the output used to repeat the last pair without end after EOS, and every
 * output had PTS 0.  Without durations (still images) as well. */
GST_START_TEST (test_no_framerate_timing)
{
  static const GstClockTime pts_ms[] = { 0, 10, 50 };
  Watchdog *wd = watchdog_start ("no_framerate_timing", 60);
  gchar *caps = g_strdup ("video/x-raw,format=GRAY8,width=64,height=48,"
      "framerate=0/1");
  Plane8 p;
  guint with_duration;

  plane8_init (&p, 64, 48, 13);
  for (with_duration = 0; with_duration < 2; with_duration++) {
    GstClockTime dur = with_duration ? 5 * GST_MSECOND : GST_CLOCK_TIME_NONE;
    GstBuffer *out;
    GstMessage *msg;
    guint n = 0, i;
    Ctx c;

    ctx_init (&c, new_element (), caps, caps, "video/x-raw,format=GRAY8",
        FALSE);
    for (i = 0; i < G_N_ELEMENTS (pts_ms); i++) {
      fail_unless_equals_int (gst_harness_push (c.h0, buffer_packed (p.a, 64,
                  48, pts_ms[i] * GST_MSECOND, dur)), GST_FLOW_OK);
      fail_unless_equals_int (gst_harness_push (c.h1, buffer_packed (p.b, 64,
                  48, pts_ms[i] * GST_MSECOND, dur)), GST_FLOW_OK);
    }
    fail_unless (gst_harness_push_event (c.h0, gst_event_new_eos ()));
    fail_unless (gst_harness_push_event (c.h1, gst_event_new_eos ()));
    while (gst_harness_pull_until_eos (c.h0, &out) && out) {
      fail_unless (n < G_N_ELEMENTS (pts_ms),
          "more outputs than input pairs (duration %d)", with_duration);
      fail_unless_equals_uint64 (GST_BUFFER_PTS (out), pts_ms[n] * GST_MSECOND);
      fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), dur);
      check_r_grid (get_meta (out), &p, 16, 16, "0/1");
      gst_buffer_unref (out);
      n++;
    }
    fail_unless_equals_int (n, G_N_ELEMENTS (pts_ms));
    /* The messages carry the same timing. */
    for (i = 0; i < n; i++) {
      const GstStructure *st;

      msg = gst_bus_pop_filtered (c.bus, GST_MESSAGE_ELEMENT);
      fail_unless (msg != NULL, "message %u missing", i);
      st = gst_message_get_structure (msg);
      fail_unless_equals_uint64 (get_uint64 (st, "timestamp"),
          pts_ms[i] * GST_MSECOND);
      fail_unless_equals_uint64 (get_uint64 (st, "running-time"),
          pts_ms[i] * GST_MSECOND);
      gst_message_unref (msg);
    }
    fail_on_error_message (c.bus, "0/1");
    ctx_clear (&c);
  }
  plane8_clear (&p);
  g_free (caps);
  watchdog_stop (wd);
}

GST_END_TEST;

/* A GAP event in place of a frame (a live source that missed one) used to
 * fail the pipeline with "buffer of 0 bytes".  That pair gives no output;
 * the frames around it are analysed. */
GST_START_TEST (test_gap_event)
{
  Watchdog *wd = watchdog_start ("gap_event", 60);
  gchar *caps = caps_str ("GRAY8", 64, 48);
  GstBuffer *out;
  Plane8 p;
  guint n, got = 0;
  Ctx c;

  plane8_init (&p, 64, 48, 14);
  ctx_init (&c, new_element (), caps, caps, "video/x-raw,format=GRAY8", FALSE);
  for (n = 0; n < 5; n++) {
    fail_unless_equals_int (gst_harness_push (c.h0, buffer_packed (p.a, 64,
                48, frame_pts (n), frame_pts (1))), GST_FLOW_OK);
    if (n == 2)
      fail_unless (gst_harness_push_event (c.h1,
              gst_event_new_gap (frame_pts (n), frame_pts (1))));
    else
      fail_unless_equals_int (gst_harness_push (c.h1, buffer_packed (p.b, 64,
                  48, frame_pts (n), frame_pts (1))), GST_FLOW_OK);
  }
  fail_unless (gst_harness_push_event (c.h0, gst_event_new_eos ()));
  fail_unless (gst_harness_push_event (c.h1, gst_event_new_eos ()));
  while (gst_harness_pull_until_eos (c.h0, &out) && out) {
    const GstStructure *s = get_meta (out);
    guint64 pts1 = get_uint64 (s, "pts-1");

    fail_unless (pts1 != frame_pts (2), "output for the gap");
    fail_unless_equals_uint64 (get_uint64 (s, "pts-0"), pts1);
    fail_unless_equals_uint64 (get_uint64 (s, "frame"), got);
    check_r_grid (s, &p, 16, 16, "around the gap");
    gst_buffer_unref (out);
    got++;
  }
  fail_unless_equals_int (got, 4);
  fail_on_error_message (c.bus, "gap");
  ctx_clear (&c);
  plane8_clear (&p);
  g_free (caps);
  watchdog_stop (wd);
}

GST_END_TEST;

/* Video metas whose rows reach past the buffer used to be read anyway
 * (heap-buffer-overflow under ASan, foreign memory otherwise).  Valid metas,
 * padded or bottom-up (negative stride), are analysed from their rows. */
GST_START_TEST (test_video_meta_extent)
{
  static const struct
  {
    const gchar *what;
    gsize size, offset;
    gint stride;
    gboolean valid;
  } cases[] = {
    {"stride 128 on a 64x48 buffer", 64 * 48, 0, 128, FALSE},
    {"offset past the end", 64 * 48, 64, 64, FALSE},
    {"last row one byte short", 128 * 47 + 63, 0, 128, FALSE},
    {"negative stride from the start", 64 * 48, 0, -64, FALSE},
    {"offset at the very end", 64 * 48, 64 * 48, 64, FALSE},
    {"padded rows", 128 * 47 + 64, 0, 128, TRUE},
    {"offset and padding", 7 + 100 * 47 + 64, 7, 100, TRUE},
    {"bottom-up rows", 64 * 48, 64 * 47, -64, TRUE},
  };
  Watchdog *wd = watchdog_start ("video_meta_extent", 120);
  gchar *caps = caps_str ("GRAY8", 64, 48);
  Plane8 p;
  guint k;

  plane8_init (&p, 64, 48, 15);
  for (k = 0; k < G_N_ELEMENTS (cases); k++) {
    GstBuffer *out;
    Ctx c;

    ctx_init (&c, new_element (), caps, caps, "video/x-raw,format=GRAY8",
        FALSE);
    gst_harness_push (c.h0, buffer_packed (p.a, 64, 48, 0, frame_pts (1)));
    gst_harness_push (c.h1, buffer_with_meta (p.b, 64, 48, cases[k].size,
            cases[k].offset, cases[k].stride, 0));
    if (cases[k].valid) {
      out = pull_timeout (c.h0, 60000);
      fail_unless (out != NULL, "%s: no output", cases[k].what);
      check_r_grid (get_meta (out), &p, 16, 16, cases[k].what);
      gst_buffer_unref (out);
      fail_on_error_message (c.bus, cases[k].what);
    } else {
      expect_error (c.bus, "smaller than its video meta says", cases[k].what);
      out = gst_harness_try_pull (c.h0);
      fail_if (out != NULL, "%s: output from an invalid meta", cases[k].what);
    }
    ctx_clear (&c);
  }
  plane8_clear (&p);
  g_free (caps);
  watchdog_stop (wd);
}

GST_END_TEST;

/* A video meta of another size than the caps: an error, not the base
 * class's assertion (gst-check fails on criticals). */
GST_START_TEST (test_video_meta_other_size)
{
  Watchdog *wd = watchdog_start ("video_meta_other_size", 60);
  gchar *caps = caps_str ("GRAY8", 64, 48);
  GstBuffer *small;
  Plane8 p;
  Ctx c;

  plane8_init (&p, 64, 48, 17);
  ctx_init (&c, new_element (), caps, caps, "video/x-raw,format=GRAY8", FALSE);
  small = buffer_with_meta (p.b, 32, 48, 64 * 48, 0, 64, 0);
  gst_harness_push (c.h0, buffer_packed (p.a, 64, 48, 0, frame_pts (1)));
  gst_harness_push (c.h1, small);
  expect_error (c.bus, "does not match its caps", "meta 32x48 on 64x48 caps");
  ctx_clear (&c);
  plane8_clear (&p);
  g_free (caps);
  watchdog_stop (wd);
}

GST_END_TEST;

/* range-min/range-max: NaN (automatic, the default) used to be refused once
 * another value was set, so automatic could not come back. */
GST_START_TEST (test_range_back_to_automatic)
{
  static const gchar *props[] = { "range-min", "range-max" };
  GstElement *el = new_element (), *bin;
  gdouble v;
  guint i;

  for (i = 0; i < 2; i++) {
    g_object_set (el, props[i], 0.25, NULL);
    g_object_get (el, props[i], &v, NULL);
    fail_unless (v == 0.25);
    g_object_set (el, props[i], (gdouble) NAN, NULL);
    g_object_get (el, props[i], &v, NULL);
    fail_unless (isnan (v), "%s: g_object_set NAN left %g", props[i], v);
    g_object_set (el, props[i], -3.5, NULL);
    gst_util_set_object_arg (G_OBJECT (el), props[i], "nan");
    g_object_get (el, props[i], &v, NULL);
    fail_unless (isnan (v), "%s: \"nan\" left %g", props[i], v);
  }
  gst_object_unref (el);

  bin = gst_parse_launch ("blockcorr name=c range-min=0.25 range-max=0.75 "
      "range-min=nan range-max=NaN ! fakesink", NULL);
  fail_unless (bin != NULL);
  el = gst_bin_get_by_name (GST_BIN (bin), "c");
  g_object_get (el, "range-min", &v, NULL);
  fail_unless (isnan (v), "launch line: range-min %g", v);
  g_object_get (el, "range-max", &v, NULL);
  fail_unless (isnan (v), "launch line: range-max %g", v);
  gst_object_unref (el);
  gst_object_unref (bin);
}

GST_END_TEST;

/* Only sink_0 linked: the aggregate loop used to spin at 100% CPU.  It now
 * waits for the second pad.  The base class's calls of aggregate are counted
 * through its debug log: a spin makes thousands in a second, the wait at
 * most ten. */
static gint n_waits;

static void
count_waits (GstDebugCategory * cat, GstDebugLevel level, const gchar * file,
    const gchar * func, gint line, GObject * obj, GstDebugMessage * msg,
    gpointer data)
{
  if (g_str_equal (gst_debug_category_get_name (cat), "aggregator")
      && strstr (gst_debug_message_get (msg), "Actually aggregating"))
    g_atomic_int_inc (&n_waits);
}

GST_START_TEST (test_one_input_no_spin)
{
  Watchdog *wd = watchdog_start ("one_input_no_spin", 60);
  gchar *caps = caps_str ("GRAY8", 64, 48);
  GstElement *el = new_element ();
  GstHarness *h, *h1;
  GstBuffer *out;
  Plane8 p;
  gint waits;

  plane8_init (&p, 64, 48, 16);
  gst_debug_set_threshold_for_name ("aggregator", GST_LEVEL_LOG);
  gst_debug_remove_log_function (gst_debug_log_default);
  gst_debug_add_log_function (count_waits, NULL, NULL);
  h = bc_harness_new (el, "sink_0", TRUE, FALSE);
  gst_object_unref (el);
  gst_harness_set_src_caps_str (h, caps);
  gst_harness_set_sink_caps_str (h, "video/x-raw,format=GRAY8");
  fail_unless_equals_int (gst_harness_push (h, buffer_packed (p.a, 64, 48,
              0, frame_pts (1))), GST_FLOW_OK);
  g_usleep (G_USEC_PER_SEC / 5);
  g_atomic_int_set (&n_waits, 0);
  g_usleep (G_USEC_PER_SEC);
  waits = g_atomic_int_get (&n_waits);
  gst_debug_remove_log_function (count_waits);
  gst_debug_add_log_function (gst_debug_log_default, NULL, NULL);
  gst_debug_unset_threshold_for_name ("aggregator");
  fail_unless (waits <= 30, "%d aggregate wake-ups in 1 s with one input",
      waits);

  /* The second input arrives: the pair is analysed. */
  h1 = bc_harness_new (h->element, "sink_1", FALSE, FALSE);
  gst_harness_set_src_caps_str (h1, caps);
  fail_unless_equals_int (gst_harness_push (h1, buffer_packed (p.b, 64, 48,
              0, frame_pts (1))), GST_FLOW_OK);
  out = pull_timeout (h, 60000);
  fail_unless (out != NULL, "no output once sink_1 is linked");
  check_r_grid (get_meta (out), &p, 16, 16, "late sink_1");
  gst_buffer_unref (out);
  gst_harness_teardown (h1);
  gst_harness_teardown (h);
  plane8_clear (&p);
  g_free (caps);
  watchdog_stop (wd);
}

GST_END_TEST;

/* The drift alarm switched off and on from another thread while frames
 * that raise and clear it arrive: the messages must still alternate,
 * raised then cleared, and the last one must be a cleared once the element
 * is stopped.  A raised alarm dropped without a message, or two changes
 * posted out of order by the two threads, break the alternation. */
typedef struct
{
  GstElement *el;
  gint stop;
  guint toggles;
} AlarmToggler;

static gpointer
toggle_alarm (gpointer data)
{
  AlarmToggler *t = data;

  while (!g_atomic_int_get (&t->stop)) {
    g_object_set (t->el, "alarm-frames", 0u, NULL);
    g_thread_yield ();
    g_object_set (t->el, "alarm-frames", 1u, NULL);
    g_thread_yield ();
    t->toggles++;
  }
  return NULL;
}

GST_START_TEST (test_alarm_toggle_storm)
{
  const guint n_frames = 400;
  Watchdog *wd = watchdog_start ("alarm_toggle_storm", 120);
  gchar *caps = caps_str ("GRAY16_LE", 32, 24);
  guint16 *ref = random_texture (32, 24, 1);
  GstElement *el = gst_element_factory_make ("blockdrift", NULL);
  GstBus *bus = gst_bus_new ();
  AlarmToggler t = { el, 0, 0 };
  GString *seq = g_string_new (NULL);
  GstMessage *msg;
  GThread *thread;
  GstHarness *h;
  guint k, i;

  fail_unless (el != NULL, "could not create blockdrift");
  gst_element_set_bus (el, bus);
  gst_util_set_object_arg (G_OBJECT (el), "reference", "first");
  g_object_set (el, "alarm-frames", 1u, "alarm-fraction", 0.5,
      "post-messages", FALSE, NULL);
  h = bc_harness_new (el, "sink", TRUE, FALSE);
  gst_harness_set_src_caps_str (h, caps);
  thread = g_thread_new ("toggler", toggle_alarm, &t);
  /* The reference, then bad (independent) and good frames in turn: with
   * alarm-frames=1 each one changes the alarm's state when it is on. */
  for (k = 0; k < n_frames; k++) {
    guint16 *f = k % 2 ? random_texture (32, 24, 100 + k) : NULL;
    GstBuffer *out;

    fail_unless_equals_int (gst_harness_push (h, gray16_buffer (f ? f : ref,
                32, 24, k)), GST_FLOW_OK);
    out = pull_timeout (h, 60000);
    fail_unless (out != NULL, "no output for frame %u", k);
    gst_buffer_unref (out);
    g_free (f);
  }
  g_atomic_int_set (&t.stop, 1);
  g_thread_join (thread);
  gst_harness_teardown (h);

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    const GstStructure *s = gst_message_get_structure (msg);

    if (gst_structure_has_name (s, "blockcorr-alarm"))
      g_string_append_c (seq, g_str_equal (gst_structure_get_string (s,
                  "state"), "raised") ? 'R' : 'C');
    gst_message_unref (msg);
  }
  GST_INFO ("%u toggles, %" G_GSIZE_FORMAT " alarm messages", t.toggles,
      seq->len);
  fail_unless (seq->len > 0, "no alarm at all in %u frames", n_frames);
  for (i = 0; i < seq->len; i++)
    fail_unless (seq->str[i] == (i % 2 ? 'C' : 'R'),
        "alarm message %u is %s, not %s (%u toggles)", i,
        seq->str[i] == 'R' ? "raised" : "cleared",
        i % 2 ? "cleared" : "raised", t.toggles);
  fail_unless (seq->len % 2 == 0, "the last alarm raised was not cleared");

  gst_object_unref (el);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
  g_string_free (seq, TRUE);
  g_free (ref);
  g_free (caps);
  watchdog_stop (wd);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */

/* A leak-checking run (GST_TRACERS=leaks) has the tracer it asks for. */
GST_START_TEST (test_leaks_tracer_active)
{
  fail_unless_leaks_tracer_active ();
}

GST_END_TEST;

static Suite *
reliability_suite (void)
{
  Suite *s = suite_create ("reliability");
  TCase *tc;

  tc = tcase_create ("setup");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_leaks_tracer_active);

  tc = tcase_create ("lossless");
  tcase_set_timeout (tc, 150);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_nothing_lost);

  tc = tcase_create ("live");
  tcase_set_timeout (tc, 150);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_live_stall);
  tcase_add_loop_test (tc, test_live_qos, 0, 2);
  tcase_add_test (tc, test_live_one_input_without_caps);

  tc = tcase_create ("states");
  tcase_set_timeout (tc, 300);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_state_cycles);
  /* Regression: this stalled in about 1 run of 8 until blockcorr answered
   * ALLOCATION queries without queueing them (tee + aggregator deadlock). */
  tcase_add_test (tc, test_pad_release_request_blocked);
  tcase_add_test (tc, test_pad_release_request_unblocked);
  tcase_add_test (tc, test_flushing_seeks);

  tc = tcase_create ("sizes");
  tcase_set_timeout (tc, 400);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_tiny_1x1);
  tcase_add_test (tc, test_wide_65535);
  tcase_add_test (tc, test_block_4096_on_16);
  tcase_add_test (tc, test_huge_frame);

  tc = tcase_create ("faults");
  tcase_set_timeout (tc, 300);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_interlace_mismatch);
  tcase_add_test (tc, test_interlace_both);
  tcase_add_test (tc, test_no_framerate_timing);
  tcase_add_test (tc, test_gap_event);
  tcase_add_test (tc, test_video_meta_extent);
  tcase_add_test (tc, test_video_meta_other_size);
  tcase_add_test (tc, test_range_back_to_automatic);
  tcase_add_test (tc, test_one_input_no_spin);
  tcase_add_test (tc, test_alarm_toggle_storm);

  return s;
}

GST_CHECK_MAIN (reliability);
