/* gst-blockwise: libFuzzer harness of the blockcorr element.
 *
 * Drives blockcorr through two GstHarness objects (sink_0 with the output,
 * sink_1 input only) with caps (also interlaced and without frame rate),
 * property changes, buffers (including short ones, ones without a
 * timestamp, gaps, and ones with a GstVideoMeta whose offset and stride
 * disagree with the buffer), EOS, GAP events and caps changes chosen by the
 * input.  Errors on the bus are expected; crashes, sanitizer reports, leaks
 * and hangs are not.
 *
 * A push into an aggregator pad blocks until the pad's previous buffer is
 * consumed, which never happens when the other pad gets no data: every push
 * runs in its own thread, and a pad whose push has not returned after a
 * short while is left alone until it does (or until teardown, whose state
 * change to NULL flushes the pads and releases it).
 *
 * Environment: BLOCKWISE_PLUGIN_DIR overrides the plugin directory compiled
 * in (FUZZ_PLUGIN_DIR).  FUZZ_ELEMENT_SKIP_KNOWN=1 always gives both pads
 * caps first; it steered long runs around the crash of an input pad that
 * gets EOS before any caps (regressions/element/eos-without-caps-*) before
 * that was fixed, and is off by default.  FUZZ_VERBOSE prints the output
 * buffers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gst/gst.h>
#include <gst/check/gstharness.h>
#include "../blockcorr-harness.h"
#include <gst/video/video.h>

#ifndef FUZZ_PLUGIN_DIR
#define FUZZ_PLUGIN_DIR "."
#endif
#ifndef FUZZ_REGISTRY
#define FUZZ_REGISTRY "fuzz-registry.bin"
#endif

#define MAX_OPS 24
#define MAX_BUFFERS 8
#define PUSH_WAIT_US (100 * G_TIME_SPAN_MILLISECOND)


static const gchar *in_formats[] = {
  "GRAY8", "GRAY16_LE", "GRAY16_BE", "I420", "YV12", "NV12", "NV21", "Y42B",
  "Y444"
};

static const gchar *out_caps[] = {
  NULL, "video/x-raw,format=RGBA", "video/x-raw,format=GRAY8",
  "video/x-raw,format=GRAY16_LE", "video/x-raw,format=RGB",
  "video/x-raw,format=xBGR", "video/x-raw,format=BGR,width=3,height=5",
  "video/x-raw,format=I420",
};

static const gdouble range_values[] = {
  NAN, 0.0, 1.0, -1.0, 0.5, 255.0, 65535.0, 1e300, -1e300, 1e-300,
  -G_MAXDOUBLE, G_MAXDOUBLE, 4096.0 * 4096.0
};

static const gdouble intensity_values[] = {
  -1.0, 0.0, 1.0, 16.0, 128.0, 254.5, 255.0, 1000.0, 65534.0, 65535.0
};

/* ---- input reader ------------------------------------------------------- */

typedef struct
{
  const uint8_t *d;
  size_t n, pos;
} Reader;

static guint
rd_u8 (Reader * r)
{
  return r->pos < r->n ? r->d[r->pos++] : 0;
}

static guint
rd_u16 (Reader * r)
{
  guint v = rd_u8 (r);

  return v | (rd_u8 (r) << 8);
}

static guint32
rd_u32 (Reader * r)
{
  guint32 v = rd_u16 (r);

  return v | ((guint32) rd_u16 (r) << 16);
}

/* ---- pushes in threads -------------------------------------------------- */

typedef enum
{
  JOB_BUFFER,
  JOB_EVENT,
  JOB_CAPS
} JobKind;

typedef struct
{
  GstHarness *h;
  JobKind kind;
  GstBuffer *buf;
  GstEvent *ev;
  GstCaps *caps;
  gboolean done;
} Job;

typedef struct
{
  GstHarness *h;
  Job *job;                     /* pending (stuck) job */
  GThread *thread;
  guint n_frames;
  GstClockTime last_pts;
  gboolean eos;
} FzPad;

static gboolean skip_known, verbose;
static GMutex job_lock;
static GCond job_cond;

static gpointer
job_thread (gpointer data)
{
  Job *job = data;

  switch (job->kind) {
    case JOB_BUFFER:
      gst_harness_push (job->h, job->buf);
      break;
    case JOB_EVENT:
      gst_harness_push_event (job->h, job->ev);
      break;
    case JOB_CAPS:{
      GstSegment seg;

      /* not gst_harness_set_src_caps(): it asserts that they are accepted */
      gst_pad_push_event (job->h->srcpad, gst_event_new_caps (job->caps));
      gst_segment_init (&seg, GST_FORMAT_TIME);
      gst_pad_push_event (job->h->srcpad, gst_event_new_segment (&seg));
      break;
    }
  }
  g_mutex_lock (&job_lock);
  job->done = TRUE;
  g_cond_broadcast (&job_cond);
  g_mutex_unlock (&job_lock);
  return NULL;
}

/* Reaps a finished stuck job. Returns TRUE when the pad is free. */
static gboolean
pad_free (FzPad * p, gboolean wait)
{
  gboolean done;

  if (!p->job)
    return TRUE;
  g_mutex_lock (&job_lock);
  while (wait && !p->job->done)
    g_cond_wait (&job_cond, &job_lock);
  done = p->job->done;
  g_mutex_unlock (&job_lock);
  if (!done)
    return FALSE;
  g_thread_join (p->thread);
  g_free (p->job);
  p->job = NULL;
  p->thread = NULL;
  return TRUE;
}

/* Takes ownership of buf / ev / caps. */
static void
run_job (FzPad * p, JobKind kind, GstBuffer * buf, GstEvent * ev,
    GstCaps * caps)
{
  Job *job;
  GThread *t;
  gint64 deadline;
  gboolean done;

  if (!pad_free (p, FALSE)) {
    gst_clear_buffer (&buf);
    gst_clear_event (&ev);
    gst_clear_caps (&caps);
    return;
  }
  job = g_new0 (Job, 1);
  job->h = p->h;
  job->kind = kind;
  job->buf = buf;
  job->ev = ev;
  job->caps = caps;
  t = g_thread_new ("fuzz-push", job_thread, job);
  deadline = g_get_monotonic_time () + PUSH_WAIT_US;
  g_mutex_lock (&job_lock);
  while (!job->done)
    if (!g_cond_wait_until (&job_cond, &job_lock, deadline))
      break;
  done = job->done;
  g_mutex_unlock (&job_lock);
  if (done) {
    g_thread_join (t);
    g_free (job);
  } else {
    p->job = job;
    p->thread = t;
  }
}

/* ---- element setup ------------------------------------------------------ */

static const gchar *interlace_modes[] = {
  "progressive", "interleaved", "mixed", "alternate"
};

typedef struct
{
  gint fmt;                     /* index in in_formats */
  gint w, h;
  gint fps;
  gint interlace;               /* index in interlace_modes */
} PadCaps;

static void
read_caps (Reader * r, PadCaps * c)
{
  guint f = rd_u8 (r);

  c->fmt = f % G_N_ELEMENTS (in_formats);
  c->fps = (f & 0x80) ? 0 : 30;
  /* mostly progressive, as real inputs are */
  c->interlace = (f & 0x40) ? (f >> 4) % G_N_ELEMENTS (interlace_modes) : 0;
  c->w = 1 + rd_u8 (r) % 128;
  c->h = 1 + rd_u8 (r) % 128;
}

static GstCaps *
make_caps (const PadCaps * c)
{
  GstCaps *caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING,
      in_formats[c->fmt], "width", G_TYPE_INT, c->w, "height", G_TYPE_INT,
      c->h, "framerate", GST_TYPE_FRACTION, c->fps, 1, NULL);

  if (c->interlace)
    gst_caps_set_simple (caps, "interlace-mode", G_TYPE_STRING,
        interlace_modes[c->interlace], NULL);
  return caps;
}

static void
pad_info (const PadCaps * c, GstVideoInfo * info)
{
  gst_video_info_set_format (info,
      gst_video_format_from_string (in_formats[c->fmt]), c->w, c->h);
}

static gsize
frame_size (const PadCaps * c)
{
  GstVideoInfo info;

  pad_info (c, &info);
  return GST_VIDEO_INFO_SIZE (&info);
}

/* Describes buf with a GstVideoMeta whose first plane's offset and stride
 * the input chooses: padded, shrunk (rows overlapping or running past the
 * end of the buffer), bottom-up (negative stride), or shifted. */
static void
add_video_meta (Reader * r, GstBuffer * buf, const PadCaps * c)
{
  GstVideoInfo info;
  gsize offsets[GST_VIDEO_MAX_PLANES];
  gint strides[GST_VIDEO_MAX_PLANES];
  guint how = rd_u8 (r), i;
  gint delta = (gint8) rd_u8 (r);

  pad_info (c, &info);
  for (i = 0; i < GST_VIDEO_MAX_PLANES; i++) {
    offsets[i] = info.offset[i];
    strides[i] = info.stride[i];
  }
  switch (how & 3) {
    case 0:                    /* stride changed by -128..127 bytes */
      strides[0] += delta;
      break;
    case 1:                    /* stride scaled (2x, 3x ...) */
      strides[0] *= 1 + (how >> 2) % 4;
      break;
    case 2:                    /* bottom-up rows, maybe misplaced */
      offsets[0] += (gsize) strides[0] * (c->h - 1) + delta;
      strides[0] = -strides[0];
      break;
    default:                   /* plane start shifted */
      offsets[0] += (guint8) delta;
      break;
  }
  gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_INFO_FORMAT (&info), c->w, c->h,
      GST_VIDEO_INFO_N_PLANES (&info), offsets, strides);
}

static GstBuffer *
make_buffer (Reader * r, FzPad * p, const PadCaps * c, const uint8_t * fill,
    size_t fill_n)
{
  guint mode = rd_u8 (r);
  gsize full = frame_size (c), size, i;
  GstBuffer *buf;
  GstMapInfo map;
  GstClockTime pts;

  switch (mode & 7) {
    case 0:                    /* short */
      size = full * rd_u8 (r) / 256;
      break;
    case 1:                    /* larger */
      size = full + rd_u8 (r);
      break;
    case 2:                    /* empty */
      size = 0;
      break;
    case 3:                    /* one byte short */
      size = full ? full - 1 : 0;
      break;
    case 4:                    /* a video meta decides the layout */
      size = full + rd_u8 (r) * (rd_u8 (r) % 4);
      break;
    default:
      size = full;
      break;
  }
  buf = gst_buffer_new_allocate (NULL, size, NULL);
  if (size) {
    gst_buffer_map (buf, &map, GST_MAP_WRITE);
    if (fill_n) {
      gsize off = (r->pos * 7) % fill_n;

      for (i = 0; i < size; i++)
        map.data[i] = fill[(off + i) % fill_n];
    } else {
      /* no sample bytes: a pseudo-random pattern, so that blocks vary */
      guint32 x = 0x9e3779b9u ^ (mode << 8) ^ (guint32) r->pos;

      for (i = 0; i < size; i++) {
        x = x * 1664525u + 1013904223u;
        map.data[i] = x >> 24;
      }
    }
    gst_buffer_unmap (buf, &map);
  }

  switch ((mode >> 3) & 7) {
    case 0:                    /* no timestamp */
      pts = GST_CLOCK_TIME_NONE;
      break;
    case 1:                    /* same as before */
      pts = GST_CLOCK_TIME_IS_VALID (p->last_pts) ? p->last_pts : 0;
      break;
    case 2:                    /* jump */
      pts = gst_util_uint64_scale (p->n_frames + rd_u8 (r), GST_SECOND, 30);
      break;
    case 3:                    /* backwards */
      pts = GST_CLOCK_TIME_IS_VALID (p->last_pts) && p->last_pts > GST_SECOND
          / 30 ? p->last_pts - GST_SECOND / 30 : 0;
      break;
    default:
      pts = gst_util_uint64_scale (p->n_frames, GST_SECOND, 30);
      break;
  }
  GST_BUFFER_PTS (buf) = pts;
  if (mode & 0x40)
    GST_BUFFER_DURATION (buf) = GST_SECOND / 30 * (1 + (mode >> 7));
  if ((mode & 7) == 4)
    add_video_meta (r, buf, c);
  else if ((mode & 0xc7) == 0x85)       /* neutral content: a gap */
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_GAP);
  p->n_frames++;
  if (GST_CLOCK_TIME_IS_VALID (pts))
    p->last_pts = pts;
  return buf;
}

static void
set_property (GstElement * el, Reader * r)
{
  guint which = rd_u8 (r), v = rd_u8 (r);

  switch (which % 17) {
    case 0:
    case 1:{
      guint bs = (v & 0x80) ? 1 + rd_u16 (r) % 4096 : 1 + v % 40;

      g_object_set (el, which % 17 ? "block-height" : "block-width", bs, NULL);
      break;
    }
    case 2:
      g_object_set (el, "edge-mode", v % 2, NULL);
      break;
    case 3:
      g_object_set (el, "output-size", v % 2, NULL);
      break;
    case 4:
      g_object_set (el, "measure", v % 8, NULL);
      break;
    case 5:
      g_object_set (el, "n-threads", v % 4, NULL);
      break;
    case 6:
      g_object_set (el, "min-intensity",
          intensity_values[v % G_N_ELEMENTS (intensity_values)], NULL);
      break;
    case 7:
      g_object_set (el, "range-min",
          range_values[v % G_N_ELEMENTS (range_values)], NULL);
      break;
    case 8:
      g_object_set (el, "range-max",
          range_values[v % G_N_ELEMENTS (range_values)], NULL);
      break;
    case 9:{                   /* equal bounds */
      gdouble x = range_values[v % G_N_ELEMENTS (range_values)];

      g_object_set (el, "range-min", x, "range-max", x, NULL);
      break;
    }
    case 10:
      /* 100: auto */
      g_object_set (el, "colormap", v % 5 == 4 ? 100 : v % 5, NULL);
      break;
    case 11:
      g_object_set (el, "invalid-color", (guint) rd_u32 (r), NULL);
      break;
    case 12:
      g_object_set (el, "threshold", ((gdouble) v - 127.5) / 127.5, NULL);
      break;
    case 13:
      g_object_set (el, "search-radius", v % 9, NULL);
      break;
    case 14:
      g_object_set (el, "min-region-blocks", 1 + v % 8, NULL);
      break;
    case 15:
      g_object_set (el, "shift-tolerance", (v % 33) / 4.0, NULL);
      break;
    default:
      g_object_set (el, "post-messages", (gboolean) (v & 1), NULL);
      break;
  }
}

static guint
drain_output (GstHarness * h)
{
  GstBuffer *b;
  guint n = 0;

  while ((b = gst_harness_try_pull (h))) {
    if (verbose)
      fprintf (stderr, "fuzz-element: output buffer of %" G_GSIZE_FORMAT
          " bytes, pts %" GST_TIME_FORMAT "\n", gst_buffer_get_size (b),
          GST_TIME_ARGS (GST_BUFFER_PTS (b)));
    gst_buffer_unref (b);
    n++;
  }
  return n;
}

/* The element works in its own thread: give it a moment to produce output
 * for what was pushed (until a buffer comes, an error is posted, or
 * WAIT_OUTPUT_US passed), so that the runs reach the frame processing. */
#define WAIT_OUTPUT_US (30 * G_TIME_SPAN_MILLISECOND)

static void
wait_output (GstHarness * h, GstBus * bus)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_OUTPUT_US;
  GstMessage *msg;

  while (g_get_monotonic_time () < deadline) {
    if (drain_output (h))
      return;
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
    if (msg) {
      gst_message_unref (msg);
      return;
    }
    g_usleep (500);
  }
}

/* ---- entry points ------------------------------------------------------- */

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  const gchar *dir = g_getenv ("BLOCKWISE_PLUGIN_DIR");

  if (!dir)
    dir = FUZZ_PLUGIN_DIR;
  /* the plugin scanner is not built with ASan: scan in process */
  g_setenv ("GST_REGISTRY_FORK", "no", TRUE);
  g_setenv ("GST_PLUGIN_PATH_1_0", dir, TRUE);
  g_setenv ("GST_PLUGIN_SYSTEM_PATH_1_0", "", TRUE);
  g_setenv ("GST_REGISTRY", FUZZ_REGISTRY, FALSE);
  verbose = g_getenv ("FUZZ_VERBOSE") != NULL;
  skip_known = g_strcmp0 (g_getenv ("FUZZ_ELEMENT_SKIP_KNOWN"), "1") == 0;
  gst_init (NULL, NULL);
  {
    GstElementFactory *f = gst_element_factory_find ("blockcorr");

    if (!f) {
      fprintf (stderr, "fuzz-element: no blockcorr element in %s\n", dir);
      abort ();
    }
    gst_object_unref (f);
  }
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  Reader r = { data, size, 0 };
  GstElement *el;
  GstBus *bus;
  FzPad pads[2];
  PadCaps caps[2];
  const uint8_t *fill;
  size_t fill_n, hdr_n;
  guint n_ops, n_buffers = 0, i, flags;
  const gchar *oc;

  /* The first half drives, the rest is sample data. */
  hdr_n = MIN (size, 64);
  fill = data + hdr_n;
  fill_n = size - hdr_n;
  r.n = hdr_n;

  flags = rd_u8 (&r);
  read_caps (&r, &caps[0]);
  read_caps (&r, &caps[1]);
  if (flags & 1) {              /* same size: the common case */
    caps[1].w = caps[0].w;
    caps[1].h = caps[0].h;
  }
  oc = out_caps[(flags >> 1) % G_N_ELEMENTS (out_caps)];

  el = gst_element_factory_make ("blockcorr", NULL);
  if (!el)
    abort ();
  bus = gst_bus_new ();
  gst_element_set_bus (el, bus);
  memset (pads, 0, sizeof (pads));
  pads[0].h = bc_harness_new (el, "sink_0", TRUE, FALSE);
  pads[1].h = bc_harness_new (el, "sink_1", FALSE, FALSE);
  pads[0].last_pts = pads[1].last_pts = GST_CLOCK_TIME_NONE;
  gst_object_unref (el);
  if (oc)
    gst_harness_set_sink_caps_str (pads[0].h, oc);

  /* initial properties */
  n_ops = rd_u8 (&r) % 4;
  for (i = 0; i < n_ops; i++)
    set_property (el, &r);

  if (skip_known)
    flags &= ~0x30;
  if (!(flags & 0x10))
    run_job (&pads[0], JOB_CAPS, NULL, NULL, make_caps (&caps[0]));
  if (!(flags & 0x20))
    run_job (&pads[1], JOB_CAPS, NULL, NULL, make_caps (&caps[1]));

  for (i = 0; i < MAX_OPS && r.pos < r.n && n_buffers < MAX_BUFFERS; i++) {
    guint op = rd_u8 (&r), k = op >> 4 & 1;

    switch (op & 7) {
      case 0:
      case 1:                  /* a pair of buffers */
        run_job (&pads[0], JOB_BUFFER, make_buffer (&r, &pads[0], &caps[0],
                fill, fill_n), NULL, NULL);
        run_job (&pads[1], JOB_BUFFER, make_buffer (&r, &pads[1], &caps[1],
                fill, fill_n), NULL, NULL);
        n_buffers++;
        wait_output (pads[0].h, bus);
        break;
      case 2:                  /* one buffer */
        run_job (&pads[k], JOB_BUFFER, make_buffer (&r, &pads[k], &caps[k],
                fill, fill_n), NULL, NULL);
        n_buffers++;
        break;
      case 3:
      case 4:
        set_property (el, &r);
        break;
      case 5:                  /* EOS, or a GAP in place of a frame */
        if (op & 0x20) {
          GstClockTime pts =
              gst_util_uint64_scale (pads[k].n_frames++, GST_SECOND, 30);

          run_job (&pads[k], JOB_EVENT, NULL, gst_event_new_gap (pts,
                  (op & 0x40) ? GST_SECOND / 30 : GST_CLOCK_TIME_NONE), NULL);
          break;
        }
        run_job (&pads[k], JOB_EVENT, NULL, gst_event_new_eos (), NULL);
        pads[k].eos = TRUE;
        break;
      case 6:{                 /* caps change */
        PadCaps c;

        read_caps (&r, &c);
        if (op & 0x20) {        /* keep the size */
          c.w = caps[k].w;
          c.h = caps[k].h;
        }
        caps[k] = c;
        run_job (&pads[k], JOB_CAPS, NULL, NULL, make_caps (&c));
        break;
      }
      default:                 /* give the element a moment */
        g_usleep (op >> 5);
        break;
    }
    drain_output (pads[0].h);
  }

  if (flags & 0x40) {           /* EOS on both, then collect */
    run_job (&pads[0], JOB_EVENT, NULL, gst_event_new_eos (), NULL);
    run_job (&pads[1], JOB_EVENT, NULL, gst_event_new_eos (), NULL);
    wait_output (pads[0].h, bus);
  }
  drain_output (pads[0].h);

  /* NULL flushes the pads, releasing any push still blocked */
  gst_element_set_state (el, GST_STATE_NULL);
  pad_free (&pads[0], TRUE);
  pad_free (&pads[1], TRUE);
  drain_output (pads[0].h);
  gst_harness_teardown (pads[1].h);
  gst_harness_teardown (pads[0].h);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
  return 0;
}
