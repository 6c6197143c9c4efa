/* gst-blockwise: end-to-end benchmark of the blockcorr element.
 *
 * Compares, in one run and on the same frames, for GRAY16_LE 1920x1080 and
 * 16x16 blocks:
 *
 *  - kernel: bw_stats_compute_rows (BW_IMPL_AUTO, all block rows, one
 *    thread) followed by bw_stats_from_sums for every block; the median (and
 *    mean) ns per frame;
 *  - the same on two threads of a BwWorker, the element's thread pool;
 *  - baseline: two appsrc into two fakesinks, no blockcorr (what the
 *    pipeline itself costs);
 *  - element n-threads=1 and n-threads=2: two appsrc into blockcorr into
 *    fakesink sync=false, non-live.  F frames are pushed on both appsrcs,
 *    then EOS; the wall time from setting PLAYING to the EOS message divided
 *    by F.  Nothing is subtracted.
 *
 * Each rep times the kernel and both element runs back to back (the order
 * of the two element runs alternates); the ratios are taken within a rep
 * and their median is the figure, because the shared machine's speed
 * drifts by tens of percent over seconds.
 *
 * Frames from memory: all frames come from a ring of distinct frame pairs
 * (at least RING_BYTES in all, far more than any L3), shared by the kernel
 * and the element measurements.  Buffers wrap the preallocated frames
 * without copying.
 *
 * Then one huge pair (16120x16840 GRAY16_LE, 543 MB per frame) goes through
 * the element with n-threads=0 and n-threads=1: wall time from PLAYING to
 * EOS.
 *
 * Needs the plugin on the plugin path:
 *
 *   GST_PLUGIN_PATH=build/gst build/bench/bench-element [--quick]
 *       [--search=R]
 *
 * --quick: fewer frames and reps, skips the huge pair.
 * --search=R: the displacement search instead: per rep, the element on one
 *   thread with search-radius=0 and with search-radius=R (alternating
 *   order), the median of their per-rep ratio; then the huge pair with
 *   search-radius=R on 2 threads.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gst/gst.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>

#include "blockstats.h"
#include "worker.h"
#include "bench-common.h"

#define WIDTH 1920
#define HEIGHT 1080
#define BLOCK 16
#define RING_BYTES ((gsize) 256 << 20)
#define HUGE_WIDTH 16120
#define HUGE_HEIGHT 16840

static guint n_frames = 120;

/* CPU time, which waiting for a core on a busy machine does not count. */
static double
cpu_seconds (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The kernel's median thread CPU time per frame, of the last
 * bench_kernel(). */
static double kernel_cpu_ns;
static guint n_reps = 9;
static gboolean quick = FALSE;

/* ---- the ring of frame pairs -------------------------------------------- */

typedef struct
{
  guint width;
  guint height;
  gsize plane_bytes;
  guint n_pairs;
  guint8 *data;                 /* pair i: A at i * 2 * plane_bytes, B after */
} Ring;

static void
ring_init (Ring * ring, guint width, guint height, gsize min_bytes)
{
  ring->width = width;
  ring->height = height;
  ring->plane_bytes = (gsize) width *height * 2;
  ring->n_pairs = (min_bytes + 2 * ring->plane_bytes - 1) /
      (2 * ring->plane_bytes);
  if (ring->n_pairs == 0)
    ring->n_pairs = 1;
  ring->data = g_malloc ((gsize) ring->n_pairs * 2 * ring->plane_bytes);
  fill_random (ring->data, (gsize) ring->n_pairs * 2 * ring->plane_bytes, 42);
}

static void
ring_clear (Ring * ring)
{
  g_free (ring->data);
  ring->data = NULL;
}

static guint8 *
ring_plane (Ring * ring, guint frame, guint which)
{
  guint pair = frame % ring->n_pairs;

  return ring->data + ((gsize) pair * 2 + which) * ring->plane_bytes;
}

/* ---- kernel ------------------------------------------------------------- */

/* Times the full per-frame work on frames 0 .. n-1 of the ring; returns the
 * median ns per frame and stores the mean in *mean_ns. */
static double
bench_kernel (Ring * ring, guint n, double *mean_ns)
{
  BwGeometry geom = { ring->width, ring->height, BLOCK, BLOCK, BW_EDGE_TRIM };
  BwPlane a = { NULL, ring->width * 2, BW_SAMPLE_U16LE };
  BwPlane b = { NULL, ring->width * 2, BW_SAMPLE_U16LE };
  BwScratch *scratch = bw_scratch_new ();
  guint cols, rows, f;
  BwBlockSums *sums;
  BwBlockStats *stats;
  double *t = g_new (double, n), *cpu = g_new (double, n);
  double total = 0, med;

  if (!bw_geometry_grid_size (&geom, &cols, &rows))
    g_error ("invalid geometry");
  sums = g_new (BwBlockSums, (gsize) cols * rows);
  stats = g_new (BwBlockStats, (gsize) cols * rows);

  for (f = 0; f < n; f++) {
    double t0, c0;

    a.data = ring_plane (ring, f, 0);
    b.data = ring_plane (ring, f, 1);
    t0 = now_seconds ();
    c0 = cpu_seconds (CLOCK_THREAD_CPUTIME_ID);
    if (!bw_stats_compute_rows (scratch, BW_IMPL_AUTO, &geom, &a, &b, 0, rows,
            sums))
      g_error ("bw_stats_compute_rows failed");
    bw_stats_from_sums_many (sums, stats, (gsize) cols * rows);
    cpu[f] = (cpu_seconds (CLOCK_THREAD_CPUTIME_ID) - c0) * 1e9;
    t[f] = (now_seconds () - t0) * 1e9;
    total += t[f];
  }
  *mean_ns = total / n;
  med = bw_median (t, n);
  kernel_cpu_ns = bw_median (cpu, n);

  g_free (cpu);
  g_free (t);
  g_free (sums);
  g_free (stats);
  bw_scratch_free (scratch);
  return med;
}

/* The kernel on two threads of a BwWorker, as the element runs it but
 * without the pipeline: what two threads can gain here, which the memory's
 * speed bounds when the kernel is close to it.  Returns the wall time per
 * frame in ns. */
typedef struct
{
  BwStatsPlan plan;
  BwBlockSums *sums;
  BwBlockStats *stats;
} KernelFrame;

static void
kernel_row (gpointer data, BwScratch * scratch, guint thread, guint row)
{
  KernelFrame *kf = data;
  gsize first = (gsize) row * kf->plan.cols;

  if (!bw_stats_plan_rows (&kf->plan, scratch, row, row + 1, kf->sums + first))
    g_error ("bw_stats_plan_rows failed");
  bw_stats_from_sums_many (kf->sums + first, kf->stats + first, kf->plan.cols);
}

static double
bench_kernel_two_threads (Ring * ring, guint n)
{
  BwGeometry geom = { ring->width, ring->height, BLOCK, BLOCK, BW_EDGE_TRIM };
  BwPlane a = { NULL, ring->width * 2, BW_SAMPLE_U16LE };
  BwPlane b = { NULL, ring->width * 2, BW_SAMPLE_U16LE };
  BwWorker *worker = bw_worker_new ();
  KernelFrame kf;
  guint cols, rows, f;
  double t0, t;

  bw_geometry_grid_size (&geom, &cols, &rows);
  kf.sums = g_new (BwBlockSums, (gsize) cols * rows);
  kf.stats = g_new (BwBlockStats, (gsize) cols * rows);
  t0 = now_seconds ();
  for (f = 0; f < n; f++) {
    a.data = ring_plane (ring, f, 0);
    b.data = ring_plane (ring, f, 1);
    if (!bw_stats_plan_init (&kf.plan, BW_IMPL_AUTO, &geom, &a, &b))
      g_error ("bw_stats_plan_init failed");
    bw_worker_run (worker, 2, rows, kernel_row, &kf);
  }
  t = (now_seconds () - t0) * 1e9 / n;
  bw_worker_free (worker);
  g_free (kf.sums);
  g_free (kf.stats);
  return t;
}

/* ---- pipelines ---------------------------------------------------------- */

static void
no_free (gpointer data)
{
}

typedef struct
{
  guint count;
  double t_first, t_last;
} SinkCount;

static GstPadProbeReturn
count_buffers (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  SinkCount *c = user_data;

  /* Only the streaming thread of fakesink calls this. */
  c->t_last = now_seconds ();
  if (c->count++ == 0)
    c->t_first = c->t_last;
  return GST_PAD_PROBE_OK;
}

static void
push_frames (GstAppSrc * src, Ring * ring, guint which, guint n)
{
  GstClockTime duration = gst_util_uint64_scale_int (GST_SECOND, 1, 30);
  guint f;

  for (f = 0; f < n; f++) {
    GstBuffer *buf = gst_buffer_new_wrapped_full (GST_MEMORY_FLAG_READONLY,
        ring_plane (ring, f, which), ring->plane_bytes, 0, ring->plane_bytes,
        NULL, no_free);

    GST_BUFFER_PTS (buf) = gst_util_uint64_scale_int (f * GST_SECOND, 1, 30);
    GST_BUFFER_DURATION (buf) = duration;
    if (gst_app_src_push_buffer (src, buf) != GST_FLOW_OK)
      g_error ("push_buffer failed");
  }
  gst_app_src_end_of_stream (src);
}

/* Builds the pipeline (n_threads < 0: the baseline without blockcorr),
 * pushes n frames of the ring, returns the wall time in seconds from
 * PLAYING to EOS. */
/* Per-frame time in steady state: from the first output buffer to the last,
 * which leaves out pipeline start-up and shutdown. */
static double last_steady_ns;
/* search-radius of the element runs. */
static guint search_radius;

static double
run_pipeline (Ring * ring, gint n_threads, guint n)
{
  gchar *desc, *caps_str;
  GstElement *pipeline, *src_a, *src_b, *sink;
  GstCaps *caps;
  GstBus *bus;
  GstMessage *msg;
  GstPad *pad;
  SinkCount sc = { 0, 0.0, 0.0 };
  double t0, t1;

  if (n_threads < 0)
    desc = g_strdup ("appsrc name=a ! fakesink name=s sync=false "
        "appsrc name=b ! fakesink sync=false");
  else
    desc = g_strdup_printf ("appsrc name=a ! blockcorr name=c n-threads=%d "
        "block-width=%d block-height=%d search-radius=%u min-intensity=0 "
        "! fakesink name=s "
        "sync=false appsrc name=b ! c.sink_1", n_threads, BLOCK, BLOCK,
        search_radius);
  pipeline = gst_parse_launch (desc, NULL);
  if (!pipeline)
    g_error ("could not build: %s", desc);
  g_free (desc);

  caps_str = g_strdup_printf ("video/x-raw,format=GRAY16_LE,width=%u,"
      "height=%u,framerate=30/1", ring->width, ring->height);
  caps = gst_caps_from_string (caps_str);
  g_free (caps_str);
  src_a = gst_bin_get_by_name (GST_BIN (pipeline), "a");
  src_b = gst_bin_get_by_name (GST_BIN (pipeline), "b");
  g_object_set (src_a, "caps", caps, "format", GST_FORMAT_TIME,
      "is-live", FALSE, "block", FALSE, "max-bytes", (guint64) 0, NULL);
  g_object_set (src_b, "caps", caps, "format", GST_FORMAT_TIME,
      "is-live", FALSE, "block", FALSE, "max-bytes", (guint64) 0, NULL);
  gst_caps_unref (caps);

  sink = gst_bin_get_by_name (GST_BIN (pipeline), "s");
  pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffers, &sc, NULL);
  gst_object_unref (pad);
  gst_object_unref (sink);

  bus = gst_element_get_bus (pipeline);
  t0 = now_seconds ();
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE)
    g_error ("could not set PLAYING");
  push_frames (GST_APP_SRC (src_a), ring, 0, n);
  push_frames (GST_APP_SRC (src_b), ring, 1, n);
  msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  t1 = now_seconds ();
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *err = NULL;
    gchar *dbg = NULL;

    gst_message_parse_error (msg, &err, &dbg);
    g_error ("pipeline error: %s (%s)", err->message, dbg ? dbg : "");
  }
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  if (sc.count != n)
    g_error ("fakesink got %u buffers, expected %u", sc.count, n);
  last_steady_ns = n > 1 ? (sc.t_last - sc.t_first) * 1e9 / (n - 1) : 0.0;

  gst_object_unref (bus);
  gst_object_unref (src_a);
  gst_object_unref (src_b);
  gst_object_unref (pipeline);
  return t1 - t0;
}

/* Median over n_reps of the per-frame wall time in ns. */
static double
bench_pipeline (Ring * ring, gint n_threads, double *steady)
{
  double *t = g_new (double, n_reps), *st = g_new (double, n_reps), med;
  guint r;

  for (r = 0; r < n_reps; r++) {
    t[r] = run_pipeline (ring, n_threads, n_frames) * 1e9 / n_frames;
    st[r] = last_steady_ns;
  }
  med = bw_median (t, n_reps);
  if (steady)
    *steady = bw_median (st, n_reps);
  g_free (t);
  g_free (st);
  return med;
}

static const gchar *
verdict (double ratio, double target)
{
  return ratio <= target ? "ok" : "MISSED";
}

/* --search=R: radius R against radius 0, one thread, then the huge pair
 * with radius R on 2 threads. */
static int
bench_search (guint radius)
{
  Ring ring;
  double *r0 = g_new (double, n_reps), *rr = g_new (double, n_reps);
  double *ratio = g_new (double, n_reps);
  guint r;

  ring_init (&ring, WIDTH, HEIGHT, RING_BYTES);
  printf ("GRAY16_LE %ux%u, %ux%u blocks, one thread, %u frames per run, "
      "%u reps: search-radius=%u against 0\n", WIDTH, HEIGHT, BLOCK, BLOCK,
      n_frames, n_reps, radius);
  search_radius = radius;
  run_pipeline (&ring, 1, MIN (n_frames, 10));
  for (r = 0; r < n_reps; r++) {
    guint k;

    for (k = 0; k < 2; k++) {
      gboolean with = (k + r) % 2 == 0;

      search_radius = with ? radius : 0;
      (with ? rr : r0)[r] = run_pipeline (&ring, 1, n_frames) * 1e9 / n_frames;
    }
    ratio[r] = rr[r] / r0[r];
  }
  printf ("%-40s %10.3f ms/frame\n", "search-radius=0", bw_median (r0,
          n_reps) * 1e-6);
  printf ("%-40s %10.3f ms/frame\n", "search-radius=R", bw_median (rr,
          n_reps) * 1e-6);
  printf ("%-40s %10.2f (median of per-rep ratios)\n", "R / 0",
      bw_median (ratio, n_reps));
  ring_clear (&ring);

  if (!quick) {
    Ring huge;
    double ht[3];

    ring_init (&huge, HUGE_WIDTH, HUGE_HEIGHT, 1);
    search_radius = radius;
    for (r = 0; r < 3; r++)
      ht[r] = run_pipeline (&huge, 2, 1);
    printf ("%-40s %10.3f s (median of 3, PLAYING -> EOS)\n",
        "huge pair, search-radius=R, n-threads=2", bw_median (ht, 3));
    ring_clear (&huge);
  }
  g_free (r0);
  g_free (rr);
  g_free (ratio);
  return 0;
}

int
main (int argc, char **argv)
{
  guint search = 0;

  Ring ring;
  double kernel_med, kernel_mean, base, el1, el2, st1 = 0.0, st2 = 0.0;
  gint i;

  for (i = 1; i < argc; i++) {
    if (strcmp (argv[i], "--quick") == 0) {
      quick = TRUE;
    } else if (g_str_has_prefix (argv[i], "--search=")) {
      search = atoi (argv[i] + 9);
    } else {
      fprintf (stderr, "usage: %s [--quick] [--search=R]\n", argv[0]);
      return 2;
    }
  }
  if (quick) {
    n_frames = 30;
    n_reps = 5;
  }

  gst_init (&argc, &argv);
  {
    GstElementFactory *f = gst_element_factory_find ("blockcorr");

    if (!f) {
      fprintf (stderr, "blockcorr not found: set GST_PLUGIN_PATH to the "
          "build's gst directory\n");
      return 1;
    }
    gst_object_unref (f);
  }
  if (search)
    return bench_search (search);

  ring_init (&ring, WIDTH, HEIGHT, RING_BYTES);
  printf ("GRAY16_LE %ux%u, %ux%u blocks, non-live, %u frames per run, "
      "%u reps\n", WIDTH, HEIGHT, BLOCK, BLOCK, n_frames, n_reps);
  printf ("ring: %u distinct frame pairs, %.0f MiB; kernel impl: %s; "
      "%u CPUs\n\n", ring.n_pairs,
      (double) ring.n_pairs * 2 * ring.plane_bytes / (1 << 20),
      bw_stats_impl_name (BW_IMPL_AUTO, BW_SAMPLE_U16LE, BW_SAMPLE_U16LE,
          BLOCK), g_get_num_processors ());

  /* Warm up: page tables, plugin loading, ORC compilation. */
  bench_kernel (&ring, ring.n_pairs, &kernel_mean);
  run_pipeline (&ring, 1, MIN (n_frames, 10));

  /* The machine is shared and its speed drifts by tens of percent over
   * seconds: each rep measures the kernel and both element runs back to
   * back, and the ratios are taken within a rep, then their median. */
  {
    double *k = g_new (double, n_reps), *e1 = g_new (double, n_reps);
    double *e2 = g_new (double, n_reps), *s1 = g_new (double, n_reps);
    double *s2 = g_new (double, n_reps), *r1 = g_new (double, n_reps);
    double *r2 = g_new (double, n_reps), *rs1 = g_new (double, n_reps);
    double *rs2 = g_new (double, n_reps), *k2 = g_new (double, n_reps);
    double *rk = g_new (double, n_reps), *rc1 = g_new (double, n_reps);
    double *rc2 = g_new (double, n_reps);
    guint r;

    base = bench_pipeline (&ring, -1, NULL);
    for (r = 0; r < n_reps; r++) {
      gint first = r % 2 ? 2 : 1;       /* alternate the order */

      double cpu1 = 0, cpu2 = 0;

      k[r] = bench_kernel (&ring, n_frames, &kernel_mean);
      k2[r] = bench_kernel_two_threads (&ring, n_frames);
      rk[r] = k2[r] / k[r];
      for (i = 0; i < 2; i++) {
        gint nt = i == 0 ? first : 3 - first;
        double c0 = cpu_seconds (CLOCK_PROCESS_CPUTIME_ID);
        double t = run_pipeline (&ring, nt, n_frames) * 1e9 / n_frames;
        double c = (cpu_seconds (CLOCK_PROCESS_CPUTIME_ID) - c0) * 1e9
            / n_frames;

        if (nt == 1) {
          e1[r] = t;
          s1[r] = last_steady_ns;
          cpu1 = c;
        } else {
          e2[r] = t;
          s2[r] = last_steady_ns;
          cpu2 = c;
        }
      }
      rc1[r] = cpu1 / kernel_cpu_ns;
      rc2[r] = cpu2 / cpu1;
      r1[r] = e1[r] / k[r];
      r2[r] = e2[r] / e1[r];
      rs1[r] = s1[r] / k[r];
      rs2[r] = s2[r] / s1[r];
    }
    kernel_med = bw_median (k, n_reps);
    el1 = bw_median (e1, n_reps);
    el2 = bw_median (e2, n_reps);
    st1 = bw_median (s1, n_reps);
    st2 = bw_median (s2, n_reps);

    printf ("%-40s %12s %10s\n", "measurement (median of reps)", "ns/frame",
        "ms/frame");
    printf ("%-40s %12.0f %10.3f\n", "kernel, 1 thread", kernel_med,
        kernel_med * 1e-6);
    printf ("%-40s %12.0f %10.3f\n", "kernel, 2 threads (BwWorker)",
        bw_median (k2, n_reps), bw_median (k2, n_reps) * 1e-6);
    printf ("%-40s %12.0f %10.3f\n", "baseline: 2x appsrc ! fakesink", base,
        base * 1e-6);
    printf ("%-40s %12.0f %10.3f\n", "element n-threads=1", el1, el1 * 1e-6);
    printf ("%-40s %12.0f %10.3f\n", "element n-threads=2", el2, el2 * 1e-6);
    printf ("%-40s %12.0f %10.3f\n", "element n-threads=1, steady state", st1,
        st1 * 1e-6);
    printf ("%-40s %12.0f %10.3f\n", "element n-threads=2, steady state", st2,
        st2 * 1e-6);

    printf ("\nper-rep ratios (element1/kernel, element2/element1):");
    for (r = 0; r < n_reps; r++)
      printf (" %.2f/%.2f", r1[r], r2[r]);
    printf ("\n\n%-40s %8s %8s\n", "ratio (median of per-rep ratios)",
        "value", "target");
    printf ("%-40s %8.3f %8s  %s\n", "element1 / kernel", bw_median (r1,
            n_reps), "<= 1.15", verdict (bw_median (r1, n_reps), 1.15));
    printf ("%-40s %8.3f %8s  %s\n", "element2 / element1", bw_median (r2,
            n_reps), "<= 0.6", verdict (bw_median (r2, n_reps), 0.6));
    printf ("%-40s %8.3f %8s  (what memory leaves for two threads)\n",
        "kernel 2 threads / kernel 1 thread", bw_median (rk, n_reps), "");
    printf ("%-40s %8.3f %8s  %s\n", "steady state: element1 / kernel",
        bw_median (rs1, n_reps), "<= 1.15", verdict (bw_median (rs1, n_reps),
            1.15));
    printf ("%-40s %8.3f %8s  %s\n", "steady state: element2 / element1",
        bw_median (rs2, n_reps), "<= 0.6", verdict (bw_median (rs2, n_reps),
            0.6));
    /* The work itself, whatever the machine's load: CPU time of the whole
     * process per frame (pipeline and start-up included) against the
     * kernel thread's. */
    printf ("%-40s %8.3f %8s  (the element's CPU work over the kernel's)\n",
        "CPU: element1 / kernel", bw_median (rc1, n_reps), "");
    printf ("%-40s %8.3f %8s  (above 1: the second thread's extra work)\n",
        "CPU: element2 / element1", bw_median (rc2, n_reps), "");

    g_free (k);
    g_free (e1);
    g_free (e2);
    g_free (s1);
    g_free (s2);
    g_free (r1);
    g_free (r2);
    g_free (rs1);
    g_free (rs2);
    g_free (k2);
    g_free (rk);
    g_free (rc1);
    g_free (rc2);
  }
  ring_clear (&ring);

  if (!quick) {
    Ring huge;
    double t0, tk, kmean;
    guint n_huge_reps = 3, r;
    double ht[2][3];
    gint threads[2] = { 0, 1 };
    guint k;

    printf ("\nhuge pair: GRAY16_LE %ux%u (%.0f MB per frame), wall time "
        "PLAYING -> EOS, median of %u\n", HUGE_WIDTH, HUGE_HEIGHT,
        (double) HUGE_WIDTH * HUGE_HEIGHT * 2 / 1e6, n_huge_reps);
    t0 = now_seconds ();
    ring_init (&huge, HUGE_WIDTH, HUGE_HEIGHT, 1);
    printf ("(allocate + fill: %.3f s)\n", now_seconds () - t0);

    for (k = 0; k < 2; k++)
      for (r = 0; r < n_huge_reps; r++)
        ht[k][r] = run_pipeline (&huge, threads[k], 1);
    tk = bench_kernel (&huge, 1, &kmean);

    printf ("%-40s %12s\n", "measurement", "ms");
    for (k = 0; k < 2; k++) {
      gchar *name = g_strdup_printf ("element n-threads=%d%s", threads[k],
          threads[k] == 0 ? " (one per CPU)" : "");

      printf ("%-40s %12.1f\n", name, bw_median (ht[k], n_huge_reps) * 1e3);
      g_free (name);
    }
    printf ("%-40s %12.1f\n", "kernel, 1 thread (for reference)", tk * 1e-6);
    ring_clear (&huge);
  }

  return 0;
}
