/* gst-blockwise: libFuzzer harness of the block-statistics kernels.
 *
 * Decodes a geometry, two plane layouts and an implementation from the input,
 * fills the planes from the remaining bytes and checks bw_stats_compute_rows()
 * against itself (every implementation, one call and split in two) and, for
 * small frames, against a brute-force __int128 computation written here;
 * then the displacement search (radius from the flags' high bits) and the
 * whole registration check, for their invariants (offsets and sub-pixel
 * estimates in range, r-best at least r at (0, 0), regions inside the
 * frame).
 * Each plane ends exactly at the end of its allocation, so ASan catches any
 * read past the last row.  abort() on any mismatch.
 *
 * Input layout (missing bytes read as 0):
 *   0 fmt A, 1 fmt B, 2-3 width, 4-5 height, 6-7 block width,
 *   8-9 block height, 10 edge mode, 11 pad A, 12 pad B, 13 offset A,
 *   14 offset B, 15 impl (low 3 bits), 16 split, 17 flags, 18.. sample
 *   bytes (repeated)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "blockstats.h"
#include "displacement.h"
#include "registration.h"

#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 FzU128;
#else
#error "needs __int128"
#endif

#define HDR 18
#define MAX_PIXELS 300000
#define MAX_BRUTE_PIXELS 65536

#define CHECK(cond) G_STMT_START {                                        \
  if (!(cond)) {                                                          \
    fprintf (stderr, "fuzz-kernels: check failed at %s:%d: %s\n",         \
        __FILE__, __LINE__, #cond);                                       \
    abort ();                                                             \
  }                                                                       \
} G_STMT_END

static guint
hdr_u8 (const uint8_t * d, size_t n, size_t i)
{
  return i < n ? d[i] : 0;
}

static guint
hdr_u16 (const uint8_t * d, size_t n, size_t i)
{
  return hdr_u8 (d, n, i) | (hdr_u8 (d, n, i + 1) << 8);
}

static guint
bps (BwSampleFormat f)
{
  return f == BW_SAMPLE_U8 ? 1 : 2;
}

static guint
get_sample (const BwPlane * p, guint x, guint y)
{
  const guint8 *s =
      p->data + (gsize) y * p->stride + (gsize) x * bps (p->format);

  switch (p->format) {
    case BW_SAMPLE_U8:
      return s[0];
    case BW_SAMPLE_U16LE:
      return s[0] | (s[1] << 8);
    default:
      return (s[0] << 8) | s[1];
  }
}

typedef struct
{
  guint8 *base;
  gsize size;
  BwPlane plane;
} FzPlane;

/* The last row ends at the end of the allocation; the bytes before the data
 * and the padding of each row get 0xab (must not influence the sums). */
static void
plane_make (FzPlane * p, BwSampleFormat fmt, guint w, guint h, guint pad,
    guint offset, const uint8_t * fill, size_t fill_n, size_t fill_off)
{
  gsize row = (gsize) w * bps (fmt);
  gsize i, y;

  p->plane.format = fmt;
  p->plane.stride = row + pad;
  p->size = offset + p->plane.stride * (h - 1) + row;
  p->base = malloc (p->size);
  CHECK (p->base != NULL);
  memset (p->base, 0xab, p->size);
  p->plane.data = p->base + offset;
  for (y = 0; y < h; y++) {
    guint8 *r = p->base + offset + y * p->plane.stride;

    if (fill_n) {
      for (i = 0; i < row; i++)
        r[i] = fill[(fill_off + y * row + i) % fill_n];
    } else {
      /* no sample bytes: a fixed pseudo-random pattern, not a flat plane */
      for (i = 0; i < row; i++)
        r[i] = (guint8) (((fill_off + y * row + i) * 2654435761u) >> 24);
    }
  }
}

static gboolean
sums_equal (const BwBlockSums * x, const BwBlockSums * y, gsize n)
{
  return memcmp (x, y, n * sizeof (BwBlockSums)) == 0;
}

static BwScratch *scratch_a, *scratch_b;

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  /* The vector paths fall back where the CPU lacks them. */
  static const BwImpl impls[] = {
    BW_IMPL_AUTO, BW_IMPL_C, BW_IMPL_REFERENCE, BW_IMPL_ORC, BW_IMPL_AVX2,
    BW_IMPL_AVX512, BW_IMPL_AVX2, BW_IMPL_AUTO
  };
  BwSampleFormat fa, fb;
  BwGeometry g;
  guint flags, pad_a, pad_b, off_a, off_b, split_b;
  guint cols = 0, rows = 0, exp_cols = 0, exp_rows = 0, split, i;
  BwImpl impl;
  gboolean geom_ok;
  FzPlane pa, pb;
  BwBlockSums *ref, *tmp, *tmp2;
  const uint8_t *fill = size > HDR ? data + HDR : NULL;
  size_t fill_n = size > HDR ? size - HDR : 0;
  gsize n_blocks;

  if (!scratch_a) {
    scratch_a = bw_scratch_new ();
    scratch_b = bw_scratch_new ();
  }

  fa = hdr_u8 (data, size, 0) % 3;
  fb = hdr_u8 (data, size, 1) % 3;
  flags = hdr_u8 (data, size, 17);
  g.width = hdr_u16 (data, size, 2);
  g.height = hdr_u16 (data, size, 4);
  if (flags & 1) {
    /* one long dimension, up to 4096, total pixels bounded */
    g.width = g.width % 4097;
    g.height = g.width ? g.height % (MAX_PIXELS / g.width + 1) : g.height % 301;
    if (flags & 2) {
      guint t = g.width;

      g.width = g.height;
      g.height = t;
    }
  } else {
    /* 0 now and then: invalid */
    g.width = g.width % 301;
    g.height = g.height % 301;
  }
  g.block_width = hdr_u16 (data, size, 6);
  g.block_height = hdr_u16 (data, size, 8);
  /* mostly small blocks, sometimes anything up to 8191 (0 and > 4096 are
   * invalid) */
  g.block_width = (g.block_width & 0x8000) ? (g.block_width & 0x1fff)
      : 1 + (g.block_width % 70);
  g.block_height = (g.block_height & 0x8000) ? (g.block_height & 0x1fff)
      : 1 + (g.block_height % 70);
  g.edge_mode = hdr_u8 (data, size, 10);
  if (!(flags & 4))
    g.edge_mode %= 2;
  pad_a = hdr_u8 (data, size, 11) & 15;
  pad_b = hdr_u8 (data, size, 12) & 15;
  off_a = hdr_u8 (data, size, 13) & 15;
  off_b = hdr_u8 (data, size, 14) & 15;
  impl = impls[hdr_u8 (data, size, 15) & 7];
  split_b = hdr_u8 (data, size, 16);

  /* Expected validity and grid size, from the header's contract. */
  geom_ok = g.width > 0 && g.height > 0 && g.width <= (guint) G_MAXINT
      && g.height <= (guint) G_MAXINT && g.block_width >= 1
      && g.block_width <= BW_MAX_BLOCK_SIZE && g.block_height >= 1
      && g.block_height <= BW_MAX_BLOCK_SIZE
      && (g.edge_mode == BW_EDGE_TRIM || g.edge_mode == BW_EDGE_PARTIAL);
  if (geom_ok) {
    if (g.edge_mode == BW_EDGE_TRIM) {
      exp_cols = g.width / g.block_width;
      exp_rows = g.height / g.block_height;
    } else {
      exp_cols = (g.width + g.block_width - 1) / g.block_width;
      exp_rows = (g.height + g.block_height - 1) / g.block_height;
    }
    if (exp_cols == 0 || exp_rows == 0)
      geom_ok = FALSE;
  }
  if (!geom_ok)
    exp_cols = exp_rows = 0;
  CHECK (bw_geometry_grid_size (&g, &cols, &rows) == geom_ok);
  CHECK (cols == exp_cols && rows == exp_rows);

  if (g.width == 0 || g.height == 0) {
    /* nothing to allocate; must be refused */
    BwPlane dummy = { (const guint8 *) "\0\0\0\0", 2, fa };
    BwBlockSums s;

    CHECK (!bw_stats_compute_rows (scratch_a, impl, &g, &dummy, &dummy, 0, 1,
            &s));
    return 0;
  }

  plane_make (&pa, fa, g.width, g.height, pad_a, off_a, fill, fill_n, 0);
  plane_make (&pb, fb, g.width, g.height, pad_b, off_b, fill, fill_n,
      fill_n ? fill_n / 2 + 1 : 12345);

  if (!geom_ok) {
    BwBlockSums s;

    CHECK (!bw_stats_compute_rows (scratch_a, impl, &g, &pa.plane, &pb.plane,
            0, 1, &s));
    CHECK (!bw_stats_compute_rows (scratch_a, impl, &g, &pa.plane, &pb.plane,
            0, 0, &s));
    goto out;
  }

  n_blocks = (gsize) cols *rows;
  ref = g_new0 (BwBlockSums, n_blocks);
  tmp = g_new0 (BwBlockSums, n_blocks + 1);
  tmp2 = g_new0 (BwBlockSums, n_blocks + 1);

  /* invalid ranges */
  CHECK (!bw_stats_compute_rows (scratch_a, impl, &g, &pa.plane, &pb.plane,
          0, rows + 1, tmp));
  CHECK (!bw_stats_compute_rows (scratch_a, impl, &g, &pa.plane, &pb.plane, rows, rows - 1, tmp));      /* start > end (rows >= 1 here) */
  /* empty range: valid, writes nothing */
  CHECK (bw_stats_compute_rows (scratch_a, impl, &g, &pa.plane, &pb.plane,
          rows, rows, tmp));

  /* one call with the chosen impl */
  CHECK (bw_stats_compute_rows (scratch_a, impl, &g, &pa.plane, &pb.plane,
          0, rows, ref));

  /* split in two, with two scratches */
  split = split_b % (rows + 1);
  memset (tmp, 0x5a, (n_blocks + 1) * sizeof (BwBlockSums));
  CHECK (bw_stats_compute_rows (scratch_b, impl, &g, &pa.plane, &pb.plane,
          split, rows, tmp + (gsize) split * cols));
  CHECK (bw_stats_compute_rows (scratch_a, impl, &g, &pa.plane, &pb.plane,
          0, split, tmp));
  CHECK (sums_equal (ref, tmp, n_blocks));
  {
    /* nothing written past the range */
    guint8 exp[sizeof (BwBlockSums)];

    memset (exp, 0x5a, sizeof (exp));
    CHECK (memcmp (tmp + n_blocks, exp, sizeof (exp)) == 0);
  }

  /* all implementations agree */
  for (i = 0; i < G_N_ELEMENTS (impls); i++) {
    memset (tmp2, 0x33, n_blocks * sizeof (BwBlockSums));
    CHECK (bw_stats_compute_rows (i & 1 ? scratch_b : scratch_a, impls[i], &g,
            &pa.plane, &pb.plane, 0, rows, tmp2));
    if (!sums_equal (ref, tmp2, n_blocks)) {
      fprintf (stderr, "impl %d (%s) differs from impl %d (%s)\n", impls[i],
          bw_stats_impl_name (impls[i], fa, fb, g.block_width), impl,
          bw_stats_impl_name (impl, fa, fb, g.block_width));
      CHECK (0);
    }
  }

  /* brute force for small frames */
  if ((gsize) g.width * g.height <= MAX_BRUTE_PIXELS) {
    guint bx, by, x, y;

    for (by = 0; by < rows; by++)
      for (bx = 0; bx < cols; bx++) {
        FzU128 sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, n = 0;
        guint x0 = bx * g.block_width, y0 = by * g.block_height;
        guint x1 = MIN (x0 + g.block_width, g.width);
        guint y1 = MIN (y0 + g.block_height, g.height);
        const BwBlockSums *s = &ref[(gsize) by * cols + bx];

        if (g.edge_mode == BW_EDGE_TRIM)
          CHECK (x0 + g.block_width <= g.width
              && y0 + g.block_height <= g.height);
        for (y = y0; y < y1; y++)
          for (x = x0; x < x1; x++) {
            FzU128 va = get_sample (&pa.plane, x, y);
            FzU128 vb = get_sample (&pb.plane, x, y);

            sa += va;
            sb += vb;
            saa += va * va;
            sbb += vb * vb;
            sab += va * vb;
            n++;
          }
        CHECK (s->n == n && s->sum_a == sa && s->sum_b == sb
            && s->sum_aa == saa && s->sum_bb == sbb && s->sum_ab == sab);
      }
  }

  /* derived statistics, one by one and many at a time (identical bit for
   * bit) */
  {
    BwBlockStats *many = g_new (BwBlockStats, n_blocks);
    BwBlockStats one;

    bw_stats_from_sums_many (ref, many, n_blocks);
    for (i = 0; i < n_blocks; i++) {
      bw_stats_from_sums (&ref[i], &one);
      CHECK (memcmp (&one, &many[i], sizeof (one)) == 0);
    }
    g_free (many);
  }
  for (i = 0; i < n_blocks; i++) {
    BwBlockStats st;

    bw_stats_from_sums (&ref[i], &st);
    CHECK (st.n == ref[i].n);
    CHECK (st.n >= 1 && st.n <= (guint64) g.block_width * g.block_height);
    if (st.valid)
      CHECK (st.r >= -1.0 && st.r <= 1.0);
    else
      CHECK (isnan (st.r));
    CHECK (!isnan (st.mean_a) && !isnan (st.mean_b));
    CHECK (st.stddev_a >= 0 && st.stddev_b >= 0);
    CHECK (st.mean_a <= (fa == BW_SAMPLE_U8 ? 255.0 : 65535.0));
    CHECK (st.mean_b <= (fb == BW_SAMPLE_U8 ? 255.0 : 65535.0));
  }

  /* the displacement search and the verdict */
  {
    guint radius = (flags >> 4) % (BW_MAX_SEARCH_RADIUS + 1);
    BwStatsPlan plan;
    BwBlockShift *sh = g_new (BwBlockShift, n_blocks);
    BwParams params;
    BwSummary sum;

    if ((gsize) g.width * g.height > MAX_BRUTE_PIXELS)
      radius = MIN (radius, 2);
    CHECK (bw_stats_plan_init (&plan, impl, &g, &pa.plane, &pb.plane));
    CHECK (bw_search_rows (&plan, scratch_a, radius, 0, rows, ref, sh));
    for (i = 0; i < n_blocks; i++) {
      const BwBlockShift *o = &sh[i];
      BwBlockStats st;

      bw_stats_from_sums (&ref[i], &st);
      CHECK (o->n == ref[i].n);
      if (isnan (o->r_best)) {
        CHECK (isnan (o->dx) && isnan (o->dy) && !st.valid);
        continue;
      }
      CHECK (o->r_best >= -1.0 && o->r_best <= 1.0);
      CHECK (ABS (o->best_x) <= (gint) radius && ABS (o->best_y) <= (gint)
          radius);
      /* The fit lies within half a pixel of the best offset, and the
       * window-deformation refinement moves it by at most a pixel. */
      CHECK (fabs (o->dx - o->best_x) <= 1.5 && fabs (o->dy - o->best_y)
          <= 1.5);
      if (st.valid)
        CHECK (o->r_zero == st.r && o->r_best >= (gfloat) st.r);
      CHECK ((gfloat) bw_search_block_r (&plan, i % cols, i / cols,
              o->best_x, o->best_y) == o->r_best);
    }
    g_free (sh);

    bw_params_init (&params);
    params.block_width = g.block_width;
    params.block_height = g.block_height;
    params.edge_mode = g.edge_mode;
    params.search_radius = radius;
    params.min_intensity = flags & 8 ? BW_AUTO : 0.0;
    params.n_threads = 1 + (flags & 1);
    CHECK (bw_check_registration (&params, g.width, g.height, &pa.plane,
            &pb.plane, NULL, &sum));
    CHECK (sum.verdict.verdict <= BW_VERDICT_NO_TEXTURE);
    CHECK (sum.verdict.n_reported <= MIN (sum.verdict.n_regions,
            BW_MAX_REPORTED_REGIONS));
    for (i = 0; i < sum.verdict.n_reported; i++) {
      const BwRegion *rg = &sum.verdict.regions[i];

      CHECK (rg->width > 0 && rg->height > 0 && rg->x + rg->width <= g.width
          && rg->y + rg->height <= g.height && rg->blocks >= 1);
      CHECK (i == 0 || rg->blocks <= sum.verdict.regions[i - 1].blocks);
    }
  }

  g_free (ref);
  g_free (tmp);
  g_free (tmp2);
out:
  free (pa.base);
  free (pb.base);
  return 0;
}
