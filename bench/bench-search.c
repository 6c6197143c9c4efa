/* gst-blockwise: single-threaded benchmark of the displacement search.
 *
 * Per sample format it times, per frame: the block sums alone
 * (bw_stats_plan_rows), the sums plus bw_search_rows at radius 0, and the
 * sums plus the search at the given radius; and, to see where the search's
 * time goes, the sums plus only the cross sums of that radius (the
 * function bw_search_rows would use, called for every block row and
 * vertical offset), and the sums plus the moved windows' sums (cross sums
 * included, bw_moved_sums_row for every block row); and the coarse global
 * shift (bw_global_shift_estimate,
 * of a frame against itself, so that every level is refined), against the
 * sums plus the search.  Medians of reps; as in bench-kernels, each rep takes
 * the next frame pair of a ring larger than any cache.  The path is the
 * one BLOCKWISE_KERNEL selects (unset: the fastest this CPU has).
 *
 *   bench-search [--size WxH] [--block N] [--radius R] [--seconds S] [--cpu]
 *
 * --cpu: the thread's CPU time instead of the wall clock (on a machine
 * shared with other jobs, time spent waiting for a core is not counted).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>

#include "kernels.h"
#include "displacement.h"
#include "global-shift.h"
#include "bench-common.h"

typedef struct
{
  BwStatsPlan plan;
  BwScratch *scratch;
  BwBlockSums *sums;
  BwBlockShift *out;
  guint64 *cross_out;
  BwGlobalWork *global;
  guint radius;
  guint8 *ring;
  gsize plane_bytes;
  guint n_pairs;
  guint next_pair;
} SearchCase;

typedef void (*SearchFunc) (SearchCase * sc);

/* --cpu: time with the thread's CPU clock. */
static gboolean cpu_time;

static double
clock_seconds (void)
{
  struct timespec ts;

  if (!cpu_time)
    return now_seconds ();
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void
advance_pair (SearchCase * sc)
{
  guint8 *pair = sc->ring + (gsize) sc->next_pair * 2 * sc->plane_bytes;

  sc->plan.a.data = pair;
  sc->plan.b.data = pair + sc->plane_bytes;
  sc->next_pair = (sc->next_pair + 1) % sc->n_pairs;
}

static void
run_sums (SearchCase * sc)
{
  if (!bw_stats_plan_rows (&sc->plan, sc->scratch, 0, sc->plan.rows, sc->sums))
    g_error ("bw_stats_plan_rows failed");
}

static void
run_search0 (SearchCase * sc)
{
  run_sums (sc);
  if (!bw_search_rows (&sc->plan, sc->scratch, 0, 0, sc->plan.rows,
          sc->sums, sc->out))
    g_error ("bw_search_rows failed");
}

static void
run_search (SearchCase * sc)
{
  run_sums (sc);
  if (!bw_search_rows (&sc->plan, sc->scratch, sc->radius, 0, sc->plan.rows,
          sc->sums, sc->out))
    g_error ("bw_search_rows failed");
}

/* The coarse global shift of A against itself. */
static void
run_global (SearchCase * sc)
{
  BwGlobalShift gs;

  if (!bw_global_shift_estimate (sc->global, NULL, 1, &sc->plan.a, &sc->plan.a,
          sc->plan.geom.width, sc->plan.geom.height, &gs) || !gs.found)
      g_error ("bw_global_shift_estimate failed");
}

/* The sums, then the moved windows' centred sums bw_search_rows would
 * compute (the cross sums included), without choosing an offset. */
static void
run_moved (SearchCase * sc)
{
  guint r;

  run_sums (sc);
  for (r = 0; r < sc->plan.rows; r++) {
    BwMovedSums m;

    if (!bw_moved_sums_row (&sc->plan, sc->scratch, sc->radius, 0, 0, r,
            sc->sums + (gsize) r * sc->plan.cols, &m))
      g_error ("bw_moved_sums_row failed");
  }
}

/* The sums, then the cross sums bw_search_rows would compute (the same
 * block rows and vertical offsets), nothing else. */
static void
run_cross (SearchCase * sc)
{
  const BwGeometry *g = &sc->plan.geom;
  BwCrossFunc cross = bw_kernels_cross (sc->plan.kernels, sc->plan.a.format,
      sc->plan.b.format, g->block_width)->func[sc->plan.a.format]
      [sc->plan.b.format];
  BwCrossRow row;
  gint R = sc->radius;
  guint r;

  run_sums (sc);
  row.a = &sc->plan.a;
  row.b = &sc->plan.b;
  row.width = g->width;
  row.width_px = MIN (g->width, sc->plan.cols * g->block_width);
  row.block_width = g->block_width;
  row.n_blocks = sc->plan.cols;
  row.radius = sc->radius;
  row.cx = 0;
  for (r = 0; r < sc->plan.rows; r++) {
    gint dy0, dy1;

    row.y0 = r * g->block_height;
    row.h = MIN (g->block_height, g->height - row.y0);
    dy0 = MAX (-R, -(gint) row.y0);
    dy1 = MIN (R, (gint) g->height - (gint) (row.y0 + row.h));
    if (dy0 <= dy1)
      cross (sc->scratch, &row, dy0, dy1 - dy0 + 1, sc->cross_out);
  }
}

/* Median seconds per run: one warm-up, then enough reps to last `seconds`
 * (at least 5 and one pass over the ring). */
static double
measure (SearchFunc func, SearchCase * sc, double seconds)
{
  double t0, warm, *times, med;
  guint reps, i;

  advance_pair (sc);
  t0 = clock_seconds ();
  func (sc);
  warm = clock_seconds () - t0;
  reps = (guint) CLAMP (seconds / MAX (warm, 1e-9) + 0.5, 0, 100000);
  reps = MAX (reps, 5);
  reps = MAX (reps, sc->n_pairs);

  times = g_new (double, reps);
  for (i = 0; i < reps; i++) {
    advance_pair (sc);
    t0 = clock_seconds ();
    func (sc);
    times[i] = clock_seconds () - t0;
  }
  med = bw_median (times, reps);
  g_free (times);
  return med;
}

int
main (int argc, char **argv)
{
  gchar *size_opt = NULL;
  gint block = 16, radius = 2;
  gdouble seconds = 1.0;
  GOptionEntry entries[] = {
    {"size", 0, 0, G_OPTION_ARG_STRING, &size_opt, "Frame size (1920x1080)",
        "WxH"},
    {"block", 0, 0, G_OPTION_ARG_INT, &block, "Square block size (16)", "N"},
    {"radius", 0, 0, G_OPTION_ARG_INT, &radius, "Search radius (2)", "R"},
    {"seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds,
        "Seconds per measurement (1)", "S"},
    {"cpu", 0, 0, G_OPTION_ARG_NONE, &cpu_time,
        "Thread CPU time instead of the wall clock", NULL},
    {NULL}
  };
  GOptionContext *ctx;
  GError *err = NULL;
  guint width = 1920, height = 1080, f;
  const gsize ring_bytes = (gsize) 256 << 20;
  gsize alloc;
  guint8 *ring;

  ctx = g_option_context_new ("- benchmark the displacement search");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("%s\n", err->message);
    return 2;
  }
  g_option_context_free (ctx);
  if (size_opt && (sscanf (size_opt, "%ux%u", &width, &height) != 2
          || width == 0 || height == 0 || width > 16384 || height > 16384)) {
    g_printerr ("bad --size '%s', expected WxH\n", size_opt);
    return 2;
  }
  if (radius < 0 || radius > BW_MAX_SEARCH_RADIUS) {
    g_printerr ("bad --radius, expected 0 .. %d\n", BW_MAX_SEARCH_RADIUS);
    return 2;
  }
  if (block < 1 || block > 4096) {
    g_printerr ("bad --block, expected 1 .. 4096\n");
    return 2;
  }

  /* One ring for both formats, sized for 16-bit samples; touched once so
   * page faults are not timed. */
  alloc = MAX (ring_bytes, (gsize) 4 * width * height);
  ring = g_malloc (alloc);
  fill_random (ring, alloc, width * 65537u + height);

  g_print ("%ux%u, %dx%d blocks, trim mode, one thread, BLOCKWISE_KERNEL=%s; "
      "ms per frame pair (median, %s), frames from a %.0f MiB ring\n", width,
      height, block, block, g_getenv ("BLOCKWISE_KERNEL") ?
      g_getenv ("BLOCKWISE_KERNEL") : "(unset)",
      cpu_time ? "thread CPU time" : "wall clock", alloc / 1048576.0);
  g_print ("%-7s %-6s %9s %10s %11s %11s %11s %9s %9s %9s %9s\n", "fmt",
      "cross", "sums", "+search0", "+cross_R", "+moved_R", "+search_R",
      "R/sums", "R/search0", "global", "G/search");
  for (f = 0; f < 2; f++) {
    BwSampleFormat fmt = f == 0 ? BW_SAMPLE_U8 : BW_SAMPLE_U16LE;
    gsize bpp = f == 0 ? 1 : 2;
    BwGeometry geom = { width, height, block, block, BW_EDGE_TRIM };
    BwPlane a = { ring, (gssize) (width * bpp), fmt };
    SearchCase sc = { {{0,},}, };
    double t_sums, t_s0, t_cross, t_moved, t_sr, t_g;
    gsize n;

    if (!bw_stats_plan_init (&sc.plan, BW_IMPL_AUTO, &geom, &a, &a))
      g_error ("bw_stats_plan_init failed");
    n = (gsize) sc.plan.cols * sc.plan.rows;
    sc.scratch = bw_scratch_new ();
    sc.sums = g_new (BwBlockSums, n);
    sc.out = g_new (BwBlockShift, n);
    sc.cross_out = g_new (guint64, (gsize) (2 * radius + 1) * (2 * radius + 1)
        * sc.plan.cols);
    sc.global = bw_global_work_new ();
    sc.radius = radius;
    sc.ring = ring;
    sc.plane_bytes = (gsize) width *height * bpp;
    sc.n_pairs = MAX (1, alloc / (2 * sc.plane_bytes));

    t_sums = measure (run_sums, &sc, seconds);
    t_s0 = measure (run_search0, &sc, seconds);
    t_cross = measure (run_cross, &sc, seconds);
    t_moved = measure (run_moved, &sc, seconds);
    t_sr = measure (run_search, &sc, seconds);
    t_g = measure (run_global, &sc, seconds);
    g_print ("%-7s %-6s %9.3f %10.3f %11.3f %11.3f %11.3f %9.2f %9.2f %9.3f "
        "%9.2f\n", f == 0 ? "GRAY8" : "GRAY16",
        bw_moved_sums_path_name (BW_IMPL_AUTO, fmt, fmt, block),
        t_sums * 1e3, t_s0 * 1e3, t_cross * 1e3, t_moved * 1e3, t_sr * 1e3,
        t_sr / t_sums, t_sr / t_s0, t_g * 1e3, t_g / t_sr);

    bw_scratch_free (sc.scratch);
    bw_global_work_free (sc.global);
    g_free (sc.sums);
    g_free (sc.out);
    g_free (sc.cross_out);
  }
  g_free (ring);
  g_free (size_opt);
  return 0;
}
