/* gst-blockwise: single-threaded benchmark of the block-statistics kernels.
 *
 * For each frame size, sample format and block size it times the full
 * per-frame work (block sums of all block rows + statistics from the sums)
 * with the AUTO and C implementations, a plain scalar loop written here,
 * and a memcpy of the same input bytes, and prints ns per pixel pair.
 *
 * Frames from memory: a live stream's frames arrive in DRAM, not in the
 * cache, so every measurement cycles through a ring of distinct frame pairs
 * (at least RING_BYTES in all, far more than any L3) and each rep processes
 * the next pair of the ring.  The memcpy reference copies each source pair
 * into one destination buffer (which stays cached, as usual).
 *
 *   bench-kernels [--quick] [--size WxH]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blockstats.h"
#include "bench-common.h"

typedef struct
{
  guint width;
  guint height;
} BenchSize;

static const BenchSize all_sizes[] = { {1920, 1080}, {4096, 4096} };
static const guint block_sizes[] = { 10, 16, 64 };

/* Set by the options: seconds each measurement should last, minimum reps,
 * minimum total size of the ring of frame pairs. */
static double target_seconds = 0.3;
static guint min_reps = 5;
static gsize ring_bytes = (gsize) 512 << 20;

typedef struct
{
  BwGeometry geom;
  BwPlane a;
  BwPlane b;
  guint cols;
  guint rows;
  BwBlockSums *sums;
  BwBlockStats *stats;
  BwScratch *scratch;
  BwImpl impl;
  guint8 *copy_dst;
  gsize plane_bytes;
  /* The ring: pair i is A at ring + i * 2 * plane_bytes, B right after. */
  guint8 *ring;
  guint n_pairs;
  guint next_pair;
} BenchCase;

typedef void (*BenchFunc) (BenchCase * bc);

/* Points A and B at the next frame pair of the ring. */
static void
advance_pair (BenchCase * bc)
{
  guint8 *pair = bc->ring + (gsize) bc->next_pair * 2 * bc->plane_bytes;

  bc->a.data = pair;
  bc->b.data = pair + bc->plane_bytes;
  bc->next_pair = (bc->next_pair + 1) % bc->n_pairs;
}

static void
stats_from_grid (BenchCase * bc)
{
  gsize n = (gsize) bc->cols * bc->rows;

  bw_stats_from_sums_many (bc->sums, bc->stats, n);
}

static void
run_sums (BenchCase * bc)
{
  if (!bw_stats_compute_rows (bc->scratch, bc->impl, &bc->geom, &bc->a,
          &bc->b, 0, bc->rows, bc->sums))
    g_error ("bw_stats_compute_rows failed");
}

static void
run_library (BenchCase * bc)
{
  if (!bw_stats_compute_rows (bc->scratch, bc->impl, &bc->geom, &bc->a,
          &bc->b, 0, bc->rows, bc->sums))
    g_error ("bw_stats_compute_rows failed");
  stats_from_grid (bc);
}

/* The read-once floor: the same bytes of both planes loaded once, with
 * vector loads, and added up (kept alive through a volatile store), no
 * other work: what a streaming kernel can approach. */
static volatile guint64 floor_sink;

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define AVX2 __attribute__ ((target ("avx2")))

static AVX2 guint64
read_once_avx2 (const guint8 * a, const guint8 * b, gsize n)
{
  __m256i acc = _mm256_setzero_si256 ();
  gsize i;
  guint64 lanes[4];

  for (i = 0; i + 32 <= n; i += 32)
    acc = _mm256_add_epi64 (acc, _mm256_add_epi64 (_mm256_loadu_si256 ((const
                    __m256i *) (a + i)), _mm256_loadu_si256 ((const __m256i *)
                (b + i))));
  _mm256_storeu_si256 ((__m256i *) lanes, acc);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}
#endif

static guint64
read_once_words (const guint8 * a, const guint8 * b, gsize n)
{
  guint64 acc = 0, wa, wb;
  gsize i;

  for (i = 0; i + 8 <= n; i += 8) {
    memcpy (&wa, a + i, 8);
    memcpy (&wb, b + i, 8);
    acc += wa + wb;
  }
  return acc;
}

static void
run_floor (BenchCase * bc)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (bw_stats_avx2_available ()) {
    floor_sink = read_once_avx2 (bc->a.data, bc->b.data, bc->plane_bytes);
    return;
  }
#endif
  floor_sink = read_once_words (bc->a.data, bc->b.data, bc->plane_bytes);
}

static void
run_memcpy (BenchCase * bc)
{
  memcpy (bc->copy_dst, bc->a.data, bc->plane_bytes);
  memcpy (bc->copy_dst + bc->plane_bytes, bc->b.data, bc->plane_bytes);
}

#if defined(__GNUC__) && !defined(__clang__)
#define SCALAR __attribute__ ((optimize ("no-tree-vectorize")))
#else
#define SCALAR __attribute__ ((noinline))
#endif

/* The baseline the kernels should beat: one block at a time, five 64-bit
 * accumulators, kept scalar so it shows what vectorizing buys. */
static SCALAR void
scalar_sums (BenchCase * bc)
{
  const BwGeometry *g = &bc->geom;
  gboolean wide = bc->a.format != BW_SAMPLE_U8;
  guint r, c, x, y;

  for (r = 0; r < bc->rows; r++) {
    for (c = 0; c < bc->cols; c++) {
      guint x0 = c * g->block_width, y0 = r * g->block_height;
      guint64 sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
      BwBlockSums *s = &bc->sums[(gsize) r * bc->cols + c];

      for (y = y0; y < y0 + g->block_height; y++) {
        const guint8 *ra = bc->a.data + (gsize) y * bc->a.stride;
        const guint8 *rb = bc->b.data + (gsize) y * bc->b.stride;

        /* Format test hoisted out of the pixel loop, as a hand-written
         * loop would do. */
        if (wide) {
          for (x = x0; x < x0 + g->block_width; x++) {
            guint64 va = ra[2 * x] | ((guint) ra[2 * x + 1] << 8);
            guint64 vb = rb[2 * x] | ((guint) rb[2 * x + 1] << 8);

            sa += va;
            sb += vb;
            saa += va * va;
            sbb += vb * vb;
            sab += va * vb;
          }
        } else {
          for (x = x0; x < x0 + g->block_width; x++) {
            guint64 va = ra[x], vb = rb[x];

            sa += va;
            sb += vb;
            saa += va * va;
            sbb += vb * vb;
            sab += va * vb;
          }
        }
      }
      s->n = (guint64) g->block_width * g->block_height;
      s->sum_a = sa;
      s->sum_b = sb;
      s->sum_aa = saa;
      s->sum_bb = sbb;
      s->sum_ab = sab;
    }
  }
}

static void
run_scalar (BenchCase * bc)
{
  scalar_sums (bc);
  stats_from_grid (bc);
}

/* Median seconds per run: one untimed warm-up (which also sizes the rep
 * count), then enough reps to last target_seconds, at least min_reps and at
 * least one pass over the ring, rounded up to whole passes.  Every run, the
 * warm-up included, takes the next frame pair of the ring. */
static double
measure (BenchFunc func, BenchCase * bc)
{
  double t0, warm, *times, med;
  guint reps, i;

  advance_pair (bc);
  t0 = now_seconds ();
  func (bc);
  warm = now_seconds () - t0;

  reps = (guint) CLAMP (target_seconds / MAX (warm, 1e-9) + 0.5, 0, 100000);
  reps = MAX (reps, min_reps);
  reps = MAX (reps, bc->n_pairs);
  reps = (reps + bc->n_pairs - 1) / bc->n_pairs * bc->n_pairs;

  times = g_new (double, reps);
  for (i = 0; i < reps; i++) {
    advance_pair (bc);
    t0 = now_seconds ();
    func (bc);
    times[i] = now_seconds () - t0;
  }
  med = bw_median (times, reps);
  g_free (times);
  return med;
}

/* The sums the timed runs produced must agree, or the numbers mean
 * nothing. */
static void
check_same_sums (BenchCase * bc, BwImpl impl)
{
  gsize n = (gsize) bc->cols * bc->rows;
  BwBlockSums *expect = g_new (BwBlockSums, n);

  scalar_sums (bc);
  memcpy (expect, bc->sums, n * sizeof (BwBlockSums));
  bc->impl = impl;
  run_library (bc);
  if (memcmp (expect, bc->sums, n * sizeof (BwBlockSums)) != 0)
    g_error ("sums of impl %d differ from the scalar loop", impl);
  g_free (expect);
}

/* Pairs in the ring of frames of bpp bytes per sample: at least
 * ring_bytes in all. */
static guint
ring_pairs (gsize pixels, guint bpp)
{
  gsize pair_bytes = 2 * pixels * bpp;

  return MAX (1, (ring_bytes + pair_bytes - 1) / pair_bytes);
}

static void
bench_size (const BenchSize * size)
{
  gsize pixels = (gsize) size->width * size->height;
  guint pairs8 = ring_pairs (pixels, 1), pairs16 = ring_pairs (pixels, 2);
  /* One ring, allocated for the larger of the two formats; the frames are
   * packed at each format's size. */
  gsize alloc = MAX (pairs8 * 2 * pixels, pairs16 * 4 * pixels);
  guint8 *ring = g_malloc (alloc);
  guint8 *copy_dst = g_malloc (4 * pixels);
  BwScratch *scratch = bw_scratch_new ();
  guint f, k;

  /* Also touches every page so page faults are not timed. */
  fill_random (ring, alloc, size->width * 65537u + size->height);
  memset (copy_dst, 0, 4 * pixels);
  g_print ("%ux%u: frames are read from a ring of %u pairs (%.0f MiB) for "
      "GRAY8 and %u pairs (%.0f MiB) for GRAY16; each rep takes the next "
      "pair\n", size->width, size->height, pairs8,
      pairs8 * 2.0 * pixels / (1 << 20), pairs16,
      pairs16 * 4.0 * pixels / (1 << 20));

  for (f = 0; f < 2; f++) {
    BwSampleFormat fmt = f == 0 ? BW_SAMPLE_U8 : BW_SAMPLE_U16LE;
    guint bpp = f == 0 ? 1 : 2;

    for (k = 0; k < G_N_ELEMENTS (block_sizes); k++) {
      BenchCase bc = { {0,}, };
      double t_kernel, t_sums, t_orc, t_c, t_scalar, t_memcpy, t_floor, used_px;
      gchar *size_str;

      bc.geom.width = size->width;
      bc.geom.height = size->height;
      bc.geom.block_width = bc.geom.block_height = block_sizes[k];
      bc.geom.edge_mode = BW_EDGE_TRIM;
      bc.ring = ring;
      bc.n_pairs = f == 0 ? pairs8 : pairs16;
      bc.next_pair = 0;
      bc.plane_bytes = pixels * bpp;
      advance_pair (&bc);
      bc.a.stride = bc.b.stride = (gsize) size->width * bpp;
      bc.a.format = bc.b.format = fmt;
      if (!bw_geometry_grid_size (&bc.geom, &bc.cols, &bc.rows))
        g_error ("empty grid");
      bc.sums = g_new (BwBlockSums, (gsize) bc.cols * bc.rows);
      bc.stats = g_new (BwBlockStats, (gsize) bc.cols * bc.rows);
      bc.scratch = scratch;
      bc.copy_dst = copy_dst;

      check_same_sums (&bc, BW_IMPL_AUTO);
      check_same_sums (&bc, BW_IMPL_C);

      bc.impl = BW_IMPL_AUTO;
      t_kernel = measure (run_library, &bc);
      t_sums = measure (run_sums, &bc);
      bc.impl = BW_IMPL_ORC;
      t_orc = measure (run_library, &bc);
      bc.impl = BW_IMPL_C;
      t_c = measure (run_library, &bc);
      t_scalar = measure (run_scalar, &bc);
      t_memcpy = measure (run_memcpy, &bc);
      t_floor = measure (run_floor, &bc);

      /* Trim mode reads only the covered pixels; memcpy copies the whole
       * frame.  Each is divided by the pixels it touches. */
      used_px = (double) bc.cols * bc.geom.block_width
          * bc.rows * bc.geom.block_height;
      t_kernel *= 1e9 / used_px;
      t_sums *= 1e9 / used_px;
      t_orc *= 1e9 / used_px;
      t_c *= 1e9 / used_px;
      t_scalar *= 1e9 / used_px;
      t_memcpy *= 1e9 / pixels;
      t_floor *= 1e9 / pixels;

      size_str = g_strdup_printf ("%ux%u", size->width, size->height);
      g_print ("%-9s %-6s %5u  %-6s %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f "
          "%12.2f %13.2f\n", size_str, f == 0 ? "GRAY8" : "GRAY16",
          block_sizes[k], bw_stats_impl_name (BW_IMPL_AUTO, fmt, fmt,
              block_sizes[k]), t_kernel, t_sums, t_orc, t_c, t_scalar, t_floor,
          t_memcpy, t_kernel / t_floor, t_kernel / t_memcpy);
      g_free (size_str);
      g_free (bc.sums);
      g_free (bc.stats);
    }
  }

  bw_scratch_free (scratch);
  g_free (ring);
  g_free (copy_dst);
}

int
main (int argc, char **argv)
{
  gboolean quick = FALSE;
  gchar *size_opt = NULL;
  GOptionEntry entries[] = {
    {"quick", 0, 0, G_OPTION_ARG_NONE, &quick,
          "Only 1920x1080, short measurements, 128 MiB ring (smoke test)",
        NULL},
    {"size", 0, 0, G_OPTION_ARG_STRING, &size_opt,
        "Run one frame size only", "WxH"},
    {NULL}
  };
  GOptionContext *ctx;
  GError *err = NULL;
  BenchSize one;
  const BenchSize *sizes = all_sizes;
  guint n_sizes = G_N_ELEMENTS (all_sizes), i;

  ctx = g_option_context_new ("- benchmark the block-statistics kernels");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("%s\n", err->message);
    return 2;
  }
  g_option_context_free (ctx);

  if (quick) {
    target_seconds = 0.05;
    min_reps = 3;
    ring_bytes = (gsize) 128 << 20;
    n_sizes = 1;
  }
  if (size_opt) {
    if (sscanf (size_opt, "%ux%u", &one.width, &one.height) != 2
        || one.width == 0 || one.height == 0
        || one.width > 16384 || one.height > 16384) {
      g_printerr ("bad --size '%s', expected WxH\n", size_opt);
      return 2;
    }
    sizes = &one;
    n_sizes = 1;
  }

  g_print ("orc available: %s, ORC_CODE=%s\n",
      bw_stats_orc_available ()? "yes" : "no",
      g_getenv ("ORC_CODE") ? g_getenv ("ORC_CODE") : "(unset)");
  g_print ("single thread, trim mode, median of reps, frames from memory "
      "(ring of at least %.0f MiB of frame pairs);\n"
      "times in ns per pixel pair (one A + one B sample)\n",
      ring_bytes / 1048576.0);
  g_print ("floor: both planes read once with vector loads and added up; "
      "impl: what BW_IMPL_AUTO resolves to; kernel: AUTO sums + stats; "
      "sums: AUTO sums alone; "
      "c: BW_IMPL_C sums + stats;\n"
      "scalar: per-block scalar loop + stats; memcpy: copy of both planes\n");
  g_print ("%-9s %-6s %5s  %-6s %9s %9s %9s %9s %9s %9s %9s %12s %13s\n",
      "size", "fmt", "block", "impl", "kernel_ns", "sums_ns", "orc_ns", "c_ns",
      "scalar_ns", "floor_ns", "memcpy_ns", "kernel/floor", "kernel/memcpy");

  for (i = 0; i < n_sizes; i++)
    bench_size (&sizes[i]);

  g_free (size_opt);
  return 0;
}
