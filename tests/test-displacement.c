/* gst-blockwise: the displacement search against a brute-force reference.
 *
 * The reference here is written separately from kernels/: for every block
 * and every offset it decodes the samples from the bytes, moves the compared
 * window, and computes r in double precision with two passes (means, then
 * centred sums).  The search must find the offset the reference finds (up
 * to ties within rounding), report r there, skip exactly the offsets whose
 * window leaves the frame, and place the sub-pixel estimate where a
 * quadratic fit through the reference's r values, refined by window
 * deformation where the peak is signal (ref-subpixel.h), puts it.
 *
 * Every implementation's kernel table is run in this one process (their
 * cross sums differ: C, and AVX2 where the CPU has it), each against the
 * same reference; a path the CPU lacks is reported as skipped.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "kernels.h"
#include "displacement.h"
#include "global-shift.h"
#include "ref-subpixel.h"

static guint
sample (const guint8 * data, gssize stride, BwSampleFormat f, guint x, guint y)
{
  const guint8 *p = data + (gssize) y * stride;

  if (f == BW_SAMPLE_U8)
    return p[x];
  if (f == BW_SAMPLE_U16LE)
    return p[2 * x] | (p[2 * x + 1] << 8);
  return (p[2 * x] << 8) | p[2 * x + 1];
}

/* The sample of plane at (x, y), for ref_refine(). */
static gdouble
plane_sample (gconstpointer plane, gint x, gint y)
{
  const BwPlane *p = plane;

  return sample (p->data, p->stride, p->format, x, y);
}

/* r of A's block at (x0, y0), w x h, against B's window at (x0 + dx,
 * y0 + dy); NaN when a side is flat or the window leaves the frame. */
static gdouble
ref_r (const BwPlane * a, const BwPlane * b, guint width, guint height,
    guint x0, guint y0, guint w, guint h, gint dx, gint dy)
{
  gdouble ma = 0, mb = 0, saa = 0, sbb = 0, sab = 0;
  guint x, y;

  if ((gint) x0 + dx < 0 || (gint) (x0 + w) + dx > (gint) width
      || (gint) y0 + dy < 0 || (gint) (y0 + h) + dy > (gint) height)
    return NAN;
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      ma += sample (a->data, a->stride, a->format, x0 + x, y0 + y);
      mb += sample (b->data, b->stride, b->format, x0 + x + dx, y0 + y + dy);
    }
  ma /= (gdouble) w *h;
  mb /= (gdouble) w *h;
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      gdouble va = sample (a->data, a->stride, a->format, x0 + x, y0 + y) - ma;
      gdouble vb = sample (b->data, b->stride, b->format, x0 + x + dx,
          y0 + y + dy) - mb;
      saa += va * va;
      sbb += vb * vb;
      sab += va * vb;
    }
  /* Flat: every centred value is exactly 0 (the means of integers are
   * exact enough that a constant block centres to 0). */
  if (saa == 0 || sbb == 0)
    return NAN;
  return sab / sqrt (saa * sbb);
}

typedef struct
{
  guint width, height, bw, bh, radius;
  BwEdgeMode edge;
  BwSampleFormat fa, fb;
  guint pattern;                /* 0 random, 1 textured + shifted, 2 all 0,
                                 * 3 all max, 4 0 against max */
  gboolean bottom_up;           /* negative strides */
} Case;

static void
fill (guint8 * data, gssize stride, BwSampleFormat f, guint width,
    guint height, GRand * rng, guint pattern, gboolean is_b, gint sx, gint sy)
{
  guint maxv = f == BW_SAMPLE_U8 ? 255 : 65535;
  guint x, y;

  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++) {
      guint v;
      guint8 *p = data + (gssize) y * stride;

      switch (pattern) {
        case 1:{
          /* A smooth texture; B sees it moved by (sx, sy), plus noise. */
          gdouble u = (gint) x - (is_b ? sx : 0);
          gdouble t = (gint) y - (is_b ? sy : 0);
          gdouble s = 0.5 + 0.25 * sin (u * 0.7 + 0.3 * t) +
              0.2 * cos (t * 0.9 - u * 0.2);
          v = (guint) CLAMP (s * maxv + g_rand_double_range (rng, -0.05,
                  0.05) * maxv, 0, maxv);
          break;
        }
        case 2:
          v = 0;
          break;
        case 3:
          v = maxv;
          break;
        case 4:
          v = is_b ? maxv : ((x + y) % 2 ? maxv : 0);
          if (is_b && (x * 7 + y * 3) % 5 == 0)
            v = 0;
          break;
        default:
          v = g_rand_int_range (rng, 0, maxv + 1);
          /* Runs of extremes now and then. */
          if (g_rand_int_range (rng, 0, 16) == 0)
            v = g_rand_boolean (rng) ? maxv : 0;
      }
      if (f == BW_SAMPLE_U8) {
        p[x] = v;
      } else if (f == BW_SAMPLE_U16LE) {
        p[2 * x] = v & 0xff;
        p[2 * x + 1] = v >> 8;
      } else {
        p[2 * x] = v >> 8;
        p[2 * x + 1] = v & 0xff;
      }
    }
}


/* The implementations whose tables are compared: C has only the C cross
 * sums, AVX2 (where the CPU has it) the AVX2 ones first, AUTO whatever
 * BLOCKWISE_KERNEL or the CPU gives. */
static const BwImpl search_impls[] = {
  BW_IMPL_AUTO, BW_IMPL_C, BW_IMPL_AVX2, BW_IMPL_AVX512, BW_IMPL_ORC,
  BW_IMPL_REFERENCE
};

/* The cross sums of one block row around the centre (cx, cy) exactly:
 * every cross-sum kernel of every table that applies to the plan's formats
 * and block width, at every vertical offset whose rows lie in the frame in
 * one call, against products added up here, for every block whose moved
 * window lies in the frame. */
static void
check_cross_row (const BwStatsPlan * plan, BwScratch * scratch, guint r,
    guint radius, gint cx, gint cy)
{
  const BwGeometry *g = &plan->geom;
  const gint R = radius;
  const gsize per_dy = (gsize) (2 * R + 1) * plan->cols;
  guint64 *got = g_new (guint64, (2 * R + 1) * per_dy);
  BwCrossFunc seen[2 * G_N_ELEMENTS (search_impls)];
  guint n_seen = 0, t, f, c, i;
  BwCrossRow row;
  gint dy, dx, dy0, dy1;

  row.a = &plan->a;
  row.b = &plan->b;
  row.y0 = r * g->block_height;
  row.h = MIN (g->block_height, g->height - row.y0);
  row.width = g->width;
  row.width_px = MIN (g->width, plan->cols * g->block_width);
  row.block_width = g->block_width;
  row.n_blocks = plan->cols;
  row.radius = radius;
  row.cx = cx;
  dy0 = MAX (cy - R, -(gint) row.y0);
  dy1 = MIN (cy + R, (gint) g->height - (gint) (row.y0 + row.h));
  if (dy0 > dy1) {
    g_free (got);
    return;
  }
  for (t = 0; t < G_N_ELEMENTS (search_impls); t++) {
    const BwKernels *k = bw_kernels_get (search_impls[t]);

    for (f = 0; f < k->n_cross; f++) {
      const BwCrossKernel *ck = &k->cross[f];
      BwCrossFunc func = ck->func[plan->a.format][plan->b.format];

      if (!func || g->block_width % ck->width_multiple != 0)
        continue;
      /* the tables share their kernels: each is checked once */
      for (i = 0; i < n_seen && seen[i] != func; i++);
      if (i < n_seen)
        continue;
      seen[n_seen++] = func;
      memset (got, 0xa5, (2 * R + 1) * per_dy * sizeof (guint64));
      func (scratch, &row, dy0, dy1 - dy0 + 1, got);
      for (dy = dy0; dy <= dy1; dy++)
        for (dx = cx - R; dx <= cx + R; dx++)
          for (c = 0; c < plan->cols; c++) {
            guint x0 = c * g->block_width;
            guint x1 = MIN (x0 + g->block_width, row.width_px), x, y;
            guint64 expect = 0, v;

            if ((gint) x0 + dx < 0 || (gint) x1 + dx > (gint) g->width)
              continue;
            for (y = row.y0; y < row.y0 + row.h; y++)
              for (x = x0; x < x1; x++)
                expect += (guint64) sample (plan->a.data, plan->a.stride,
                    plan->a.format, x, y) * sample (plan->b.data,
                    plan->b.stride, plan->b.format, x + dx, y + dy);
            v = got[(dy - dy0) * per_dy + (gsize) (dx - cx + R) * plan->cols
                + c];
            if (v != expect)
              g_error ("cross sum of block %u, row %u at (%d, %d) on the %s "
                  "path: %" G_GUINT64_FORMAT ", expected %" G_GUINT64_FORMAT,
                  c, r, dx, dy, ck->name, v, expect);
          }
    }
  }
  g_free (got);
}

/* Bit for bit, NaNs included. */
static gboolean
shifts_equal (const BwBlockShift * x, const BwBlockShift * y)
{
  return memcmp (&x->dx, &y->dx, sizeof (x->dx)) == 0
      && memcmp (&x->dy, &y->dy, sizeof (x->dy)) == 0
      && memcmp (&x->r_best, &y->r_best, sizeof (x->r_best)) == 0
      && memcmp (&x->r_zero, &y->r_zero, sizeof (x->r_zero)) == 0
      && x->best_x == y->best_x && x->best_y == y->best_y
      && x->at_radius == y->at_radius && x->fitted == y->fitted && x->n == y->n;
}

static void
check_case (const Case * k, GRand * rng)
{
  gsize bpp_a = k->fa == BW_SAMPLE_U8 ? 1 : 2;
  gsize bpp_b = k->fb == BW_SAMPLE_U8 ? 1 : 2;
  /* Padded strides, and planes that start on odd addresses. */
  gssize stride_a = k->width * bpp_a + g_rand_int_range (rng, 0, 9);
  gssize stride_b = k->width * bpp_b + g_rand_int_range (rng, 0, 9);
  guint8 *mem_a = g_malloc (stride_a * k->height + 1);
  guint8 *mem_b = g_malloc (stride_b * k->height + 1);
  gint sx = g_rand_int_range (rng, -3, 4), sy = g_rand_int_range (rng, -3, 4);
  BwGeometry geom = { k->width, k->height, k->bw, k->bh, k->edge };
  BwPlane a = { mem_a + 1, stride_a, k->fa };
  BwPlane b = { mem_b + 1, stride_b, k->fb };
  BwStatsPlan plan, plans[G_N_ELEMENTS (search_impls)];
  BwScratch *scratch = bw_scratch_new ();
  BwBlockSums *sums;
  BwBlockShift *outs[G_N_ELEMENTS (search_impls)];
  const gchar *names[G_N_ELEMENTS (search_impls)];
  guint cols, rows, row, col, n_runs = 0, t, u;
  const gint R = k->radius;

  if (k->bottom_up) {
    /* Row 0 is the last one in memory. */
    a.data += (k->height - 1) * stride_a;
    a.stride = -stride_a;
    b.data += (k->height - 1) * stride_b;
    b.stride = -stride_b;
  }
  fill ((guint8 *) a.data, a.stride, k->fa, k->width, k->height, rng,
      k->pattern, FALSE, sx, sy);
  fill ((guint8 *) b.data, b.stride, k->fb, k->width, k->height, rng,
      k->pattern, TRUE, sx, sy);
  g_assert_true (bw_stats_plan_init (&plan, BW_IMPL_AUTO, &geom, &a, &b));
  cols = plan.cols;
  rows = plan.rows;
  sums = g_new (BwBlockSums, (gsize) cols * rows);
  g_assert_true (bw_stats_plan_rows (&plan, scratch, 0, rows, sums));
  /* The search of every table whose cross sums differ, in this process. */
  for (t = 0; t < G_N_ELEMENTS (search_impls); t++) {
    const gchar *name = bw_moved_sums_path_name (search_impls[t], k->fa,
        k->fb, k->bw);

    for (u = 0; u < n_runs && !g_str_equal (names[u], name); u++);
    if (u < n_runs)
      continue;
    names[n_runs] = name;
    g_assert_true (bw_stats_plan_init (&plans[n_runs], search_impls[t],
            &geom, &a, &b));
    outs[n_runs] = g_new (BwBlockShift, (gsize) cols * rows);
    g_assert_true (bw_search_rows (&plans[n_runs], scratch, R, 0, rows,
            sums, outs[n_runs]));
    n_runs++;
  }
  /* Around (0, 0), and around centres that take the moved windows of the
   * first or last blocks out of the frame. */
  for (row = 0; row < rows; row++) {
    check_cross_row (&plan, scratch, row, R, 0, 0);
    check_cross_row (&plan, scratch, row, R, 5, -3);
    check_cross_row (&plan, scratch, row, R, -(gint) k->bw - 1, 2);
  }

  for (row = 0; row < rows; row++)
    for (col = 0; col < cols; col++) {
      const BwBlockShift *o;
      guint x0 = col * k->bw, y0 = row * k->bh;
      guint w = MIN (k->bw, k->width - x0), h = MIN (k->bh, k->height - y0);
      gdouble best = -INFINITY, at_found, cube[17][17];
      gint bx = 0, by = 0, dx, dy;
      BwBlockStats st;

      for (dy = -R; dy <= R; dy++)
        for (dx = -R; dx <= R; dx++) {
          cube[dy + R][dx + R] = ref_r (&a, &b, k->width, k->height, x0, y0,
              w, h, dx, dy);
          if (cube[dy + R][dx + R] > best) {
            best = cube[dy + R][dx + R];
            bx = dx;
            by = dy;
          }
        }

      for (t = 0; t < n_runs; t++) {
        o = &outs[t][(gsize) row * cols + col];
        /* every path gives the same result, bit for bit */
        if (t > 0 && !shifts_equal (o, &outs[0][(gsize) row * cols + col]))
          g_error ("block (%u, %u): the search on the %s cross sums differs "
              "from the one on the %s ones", col, row, names[t], names[0]);
        /* r at (0, 0) is the block's r, bit for bit. */
        bw_stats_from_sums (&sums[(gsize) row * cols + col], &st);
        if (st.valid)
          g_assert_true (o->r_zero == st.r);
        else
          g_assert_true (isnan (o->r_zero));
        g_assert_cmpuint (o->n, ==, w * h);

        if (best == -INFINITY) {
          g_assert_true (isnan (o->r_best) && isnan (o->dx) && isnan (o->dy));
          continue;
        }
        g_assert_true (o->best_x >= -R && o->best_x <= R);
        g_assert_true (o->best_y >= -R && o->best_y <= R);
        at_found = cube[o->best_y + R][o->best_x + R];
        /* The offset found is one the reference can evaluate, its r matches
         * the reference there and is the maximum up to rounding. */
        g_assert_false (isnan (at_found));
        g_assert_cmpfloat_with_epsilon (o->r_best, at_found, 1e-6);
        g_assert_cmpfloat (at_found, >=, best - 1e-9);
        if (fabs (at_found - best) > 1e-9 || (bx == o->best_x
                && by == o->best_y)) {
          gdouble ex, ey, nb[3][3];
          gint fx = o->best_x + R, fy = o->best_y + R, i, j;

          /* Beyond the radius the fit looks one pixel further (with a
           * search, and where the peak is signal: Fisher z of r above 5
           * standard errors). */
          gboolean beyond = R > 0 && w * h > 3
              && atanh (MIN (at_found, 0.999999)) * sqrt (w * h - 3.0) > 5.0;

          for (j = -1; j <= 1; j++)
            for (i = -1; i <= 1; i++)
              nb[j + 1][i + 1] = fx + i < 0 || fx + i > 2 * R || fy + j < 0
                  || fy + j > 2 * R ? (beyond ? ref_r (&a, &b, k->width,
                      k->height, x0, y0, w, h, o->best_x + i,
                      o->best_y + j) : NAN) : cube[fy + j][fx + i];
          ref_subpixel (nb, &ex, &ey);
          ex += o->best_x;
          ey += o->best_y;
          gdouble tolerance = 1e-3;

          /* Where the peak is signal, fitted and within the radius, the
           * search refines the fit by window deformation.  Its iterations
           * stop at a step below 0.01 px: rounding may stop the two a step
           * apart (the next step is a fraction of the last). */
          if (o->fitted && !o->at_radius && w * h > 3
              && atanh (MIN (at_found, 0.999999)) * sqrt (w * h - 3.0) > 5.0
              && ref_peak_wide (nb, at_found)
              && ref_refine (plane_sample, &a, plane_sample, &b, k->width,
                  k->height, x0, y0, w, h, &ex, &ey))
            tolerance = 5e-3;
          /* A fit through nearly equal values amplifies rounding. */
          g_assert_cmpfloat (fabs (o->dx - ex), <, tolerance);
          g_assert_cmpfloat (fabs (o->dy - ey), <, tolerance);
        }
        g_assert_cmpint (o->at_radius, ==, R > 0 && (ABS (o->best_x) == R
                || ABS (o->best_y) == R));
        /* One block at one offset: the same r at the best offset, and the
         * reference's r anywhere else. */
        g_assert_true ((gfloat) bw_search_block_r (&plan, col, row, o->best_x,
                o->best_y) == o->r_best);
        {
          gint ox = g_rand_int_range (rng, -R, R + 1);
          gint oy = g_rand_int_range (rng, -R, R + 1);
          gdouble got = bw_search_block_r (&plan, col, row, ox, oy);

          if (isnan (cube[oy + R][ox + R]))
            g_assert_true (isnan (got));
          else
            g_assert_cmpfloat_with_epsilon (got, cube[oy + R][ox + R], 1e-9);
        }
      }
    }

  g_free (sums);
  for (t = 0; t < n_runs; t++)
    g_free (outs[t]);
  bw_scratch_free (scratch);
  g_free (mem_a);
  g_free (mem_b);
}

static void
test_random (void)
{
  GRand *rng = g_rand_new_with_seed (20261130);
  guint i;

  g_test_message ("AUTO plans take the %s cross sums for 16-bit, %s for "
      "8-bit", bw_search_path_name (BW_SAMPLE_U16LE, BW_SAMPLE_U16LE),
      bw_search_path_name (BW_SAMPLE_U8, BW_SAMPLE_U8));
  if (!bw_stats_avx2_available ())
    g_test_message ("skip: the AVX2 cross sums (this CPU has no AVX2); "
        "the C ones are checked");
  for (i = 0; i < 300; i++) {
    Case k = { 0, };

    k.fa = g_rand_int_range (rng, 0, 3);
    k.fb = g_rand_boolean (rng) ? k.fa :
        (BwSampleFormat) g_rand_int_range (rng, 0, 3);
    k.bw = g_rand_int_range (rng, 1, 21);
    k.bh = g_rand_int_range (rng, 1, 13);
    if (g_rand_int_range (rng, 0, 3) == 0)
      k.bw = 16;
    k.width = g_rand_int_range (rng, 1, 90);
    k.height = g_rand_int_range (rng, 1, 50);
    k.edge = g_rand_boolean (rng) ? BW_EDGE_PARTIAL : BW_EDGE_TRIM;
    k.radius = g_rand_int_range (rng, 0, 4);
    if (i % 50 == 0)
      k.radius = 8;
    k.pattern = g_rand_int_range (rng, 0, 2);
    if (i % 25 == 3)
      k.pattern = 2 + i % 3;
    if (!bw_geometry_grid_size (&(BwGeometry) {
            k.width, k.height, k.bw, k.bh, k.edge}
            , NULL, NULL))
      continue;
    check_case (&k, rng);
  }
  g_rand_free (rng);
}

static void
test_extremes (void)
{
  GRand *rng = g_rand_new_with_seed (7);
  const BwSampleFormat formats[] = { BW_SAMPLE_U8, BW_SAMPLE_U16LE,
    BW_SAMPLE_U16BE
  };
  guint f, p;

  for (f = 0; f < 3; f++)
    for (p = 2; p <= 4; p++) {
      Case k = { 70, 40, 16, 8, 2, BW_EDGE_PARTIAL, formats[f], formats[f],
        p, FALSE
      };
      check_case (&k, rng);
    }
  g_rand_free (rng);
}

/* The shapes the vector cross sums treat apart: block widths 1..40 and 64
 * (odd ones, even ones that are no multiple of the vector width, blocks
 * narrower and wider than a vector), frames up to ~300 columns (chunks at
 * the frame's edges and tails past the last whole block), every radius,
 * equal and mixed formats, negative strides, and the extreme 16-bit
 * patterns. */
static void
test_shapes (void)
{
  GRand *rng = g_rand_new_with_seed (4242);
  guint bw, i = 0;

  for (bw = 1; bw <= 64; bw++) {
    guint rep;

    if (bw > 40 && bw != 64)
      continue;
    for (rep = 0; rep < 4; rep++, i++) {
      Case k = { 0, };

      k.bw = bw;
      k.bh = g_rand_int_range (rng, 1, 7);
      k.width = g_rand_int_range (rng, bw, MAX (bw + 1, 300));
      if (rep == 0)
        k.width = MIN (bw + g_rand_int_range (rng, 0, 20), 300);
      k.height = g_rand_int_range (rng, k.bh, 3 * k.bh + 1);
      k.edge = rep % 2 ? BW_EDGE_PARTIAL : BW_EDGE_TRIM;
      k.radius = i % (BW_MAX_SEARCH_RADIUS + 1);
      /* Mostly equal U8 or U16LE formats, the ones the vector path takes. */
      k.fa = rep < 2 ? BW_SAMPLE_U16LE : BW_SAMPLE_U8;
      k.fb = k.fa;
      if (i % 7 == 6) {
        k.fa = g_rand_int_range (rng, 0, 3);
        k.fb = g_rand_int_range (rng, 0, 3);
      }
      k.pattern = i % 6 < 2 ? i % 6 : 2 + (i / 6) % 3;
      k.bottom_up = i % 5 == 1;
      check_case (&k, rng);
    }
  }
  g_rand_free (rng);
}

/* Blocks taller than the rows the 16-bit vector sums hold in 32 bits, with
 * the largest products. */
static void
test_tall (void)
{
  GRand *rng = g_rand_new_with_seed (99);
  const BwSampleFormat formats[] = { BW_SAMPLE_U8, BW_SAMPLE_U16LE };
  guint f, p;

  for (f = 0; f < 2; f++)
    for (p = 0; p <= 4; p++) {
      Case k = { 50, 170, 16 + 2 * p, 150, 1 + p, BW_EDGE_PARTIAL,
        formats[f], formats[f], p, p == 1
      };
      check_case (&k, rng);
    }
  g_rand_free (rng);
}

/* A textured pair moved by a known amount: the search finds it. */
static void
test_known_shift (void)
{
  GRand *rng = g_rand_new_with_seed (3);
  guint8 *a = g_malloc (200 * 120 * 2), *b = g_malloc (200 * 120 * 2);
  BwGeometry geom = { 200, 120, 16, 16, BW_EDGE_TRIM };
  BwPlane pa = { a, 400, BW_SAMPLE_U16LE }, pb = { b, 400, BW_SAMPLE_U16LE };
  BwStatsPlan plan;
  BwScratch *scratch = bw_scratch_new ();
  BwBlockSums sums[12 * 7];
  BwBlockShift out[12 * 7];
  guint i, hits = 0;

  /* Random texture (independent pixels): a moved window is uncorrelated, so
   * the peak is sharp and sits exactly on the shift. */
  for (i = 0; i < 200 * 120; i++) {
    guint x = i % 200, y = i / 200;
    guint v = g_rand_int_range (rng, 0, 65536);

    a[2 * i] = v & 0xff;
    a[2 * i + 1] = v >> 8;
    (void) x;
    (void) y;
  }
  /* b(x, y) = a(x - 2, y + 1): B's content lies 2 px right, 1 px up. */
  for (i = 0; i < 200 * 120; i++) {
    gint x = i % 200, y = i / 200;
    gint sx = CLAMP (x - 2, 0, 199), sy = CLAMP (y + 1, 0, 119);

    memcpy (b + 2 * i, a + 2 * (sy * 200 + sx), 2);
  }
  g_assert_true (bw_stats_plan_init (&plan, BW_IMPL_AUTO, &geom, &pa, &pb));
  g_assert_true (bw_stats_plan_rows (&plan, scratch, 0, plan.rows, sums));
  g_assert_true (bw_search_rows (&plan, scratch, 3, 0, plan.rows, sums, out));
  for (i = 0; i < plan.cols * plan.rows; i++)
    if (out[i].best_x == 2 && out[i].best_y == -1 && out[i].r_best > 0.999)
      hits++;
  /* Every block but those whose moved window is clamped at the edges. */
  g_assert_cmpuint (hits, >=, plan.cols * plan.rows - plan.cols - plan.rows);
  bw_scratch_free (scratch);
  g_free (a);
  g_free (b);
  g_rand_free (rng);
}

static void
test_invalid (void)
{
  BwScratch *scratch = bw_scratch_new ();
  guint8 px[64] = { 0, };
  BwGeometry geom = { 8, 8, 4, 4, BW_EDGE_TRIM };
  BwPlane p = { px, 8, BW_SAMPLE_U8 };
  BwStatsPlan plan;
  BwBlockSums sums[4];
  BwBlockShift out[4];

  g_assert_true (bw_stats_plan_init (&plan, BW_IMPL_AUTO, &geom, &p, &p));
  g_assert_true (bw_stats_plan_rows (&plan, scratch, 0, 2, sums));
  g_assert_false (bw_search_rows (&plan, scratch, BW_MAX_SEARCH_RADIUS + 1,
          0, 2, sums, out));
  g_assert_false (bw_search_rows (&plan, scratch, 1, 1, 3, sums, out));
  g_assert_false (bw_search_rows (NULL, scratch, 1, 0, 1, sums, out));
  g_assert_true (bw_search_rows (&plan, scratch, 1, 0, 2, sums, out));
  bw_scratch_free (scratch);
}

/* bw_moved_pair_sums() (the verdict's r of two moved windows) against
 * sums over the samples read here, for every pair of sample formats, with
 * partial edge blocks and windows at and past the frame's edges. */
static void
test_pair_sums (void)
{
  const guint width = 37, height = 23;
  const gsize stride = width * 2 + 6;
  GRand *rng = g_rand_new_with_seed (11);
  guint8 *da = g_malloc (stride * height), *db = g_malloc (stride * height);
  BwGeometry geom = { width, height, 5, 4, BW_EDGE_PARTIAL };
  guint fa, fb, i, checked = 0, outside = 0;

  for (i = 0; i < stride * height; i++) {
    da[i] = g_rand_int_range (rng, 0, 256);
    db[i] = g_rand_int_range (rng, 0, 256);
  }
  for (fa = BW_SAMPLE_U8; fa <= BW_SAMPLE_U16BE; fa++)
    for (fb = BW_SAMPLE_U8; fb <= BW_SAMPLE_U16BE; fb++) {
      BwPlane a = { da, stride, fa }, b = { db, stride, fb };
      BwStatsPlan plan;
      guint col, row;

      g_assert_true (bw_stats_plan_init (&plan, BW_IMPL_AUTO, &geom, &a, &b));
      for (row = 0; row < plan.rows; row++)
        for (col = 0; col < plan.cols; col++) {
          gint ax = g_rand_int_range (rng, -3, 4);
          gint ay = g_rand_int_range (rng, -3, 4);
          gint bx = g_rand_int_range (rng, -3, 4);
          gint by = g_rand_int_range (rng, -3, 4);
          gint x0 = col * 5, y0 = row * 4;
          gint w = MIN (5, (gint) width - x0), h = MIN (4, (gint) height - y0);
          guint64 sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
          BwBlockSums got;
          gboolean inside = x0 + MIN (ax, bx) >= 0 && y0 + MIN (ay, by) >= 0
              && x0 + w + MAX (ax, bx) <= (gint) width
              && y0 + h + MAX (ay, by) <= (gint) height;
          gint x, y;

          g_assert_cmpint (bw_moved_pair_sums (&plan, col, row, ax, ay, bx,
                  by, &got), ==, inside);
          if (!inside) {
            g_assert_cmpuint (got.n, ==, 0);
            outside++;
            continue;
          }
          for (y = 0; y < h; y++)
            for (x = 0; x < w; x++) {
              guint64 va = sample (da, stride, fa, x0 + x + ax, y0 + y + ay);
              guint64 vb = sample (db, stride, fb, x0 + x + bx, y0 + y + by);

              sa += va;
              sb += vb;
              saa += va * va;
              sbb += vb * vb;
              sab += va * vb;
            }
          g_assert_cmpuint (got.n, ==, (guint64) w * h);
          g_assert_cmpuint (got.sum_a, ==, sa);
          g_assert_cmpuint (got.sum_b, ==, sb);
          g_assert_cmpuint (got.sum_aa, ==, saa);
          g_assert_cmpuint (got.sum_bb, ==, sbb);
          g_assert_cmpuint (got.sum_ab, ==, sab);
          checked++;
        }
    }
  /* Both cases were met, in every pair of formats. */
  g_assert_cmpuint (checked, >, 9 * 20);
  g_assert_cmpuint (outside, >, 9 * 10);
  g_free (da);
  g_free (db);
  g_rand_free (rng);
}

/* The global shift's estimate (global-shift.h), which reads both frames on
 * the analysis' threads, gives the same bits on 1, 2 and 3 threads as on
 * the caller's thread alone: odd sizes (rows that do not split evenly),
 * every sample format, and a frame large enough for a coarser finest
 * level. */
static void
test_global_threads (void)
{
  static const guint sizes[][2] = { {301, 263}, {1037, 531}, {8211, 300} };
  static const BwSampleFormat formats[] = {
    BW_SAMPLE_U8, BW_SAMPLE_U16LE, BW_SAMPLE_U16BE
  };
  BwGlobalWork *work = bw_global_work_new ();
  BwWorker *worker = bw_worker_new ();
  guint k, f, t;

  for (k = 0; k < G_N_ELEMENTS (sizes); k++)
    for (f = 0; f < G_N_ELEMENTS (formats); f++) {
      const guint w = sizes[k][0], h = sizes[k][1];
      const guint bps = formats[f] == BW_SAMPLE_U8 ? 1 : 2;
      /* B is A moved by (13, -6), with its own values where A has none. */
      guint8 *a = g_new (guint8, (gsize) w * h * bps);
      guint8 *b = g_new (guint8, (gsize) w * h * bps);
      GRand *rng = g_rand_new_with_seed (k * 10 + f);
      BwPlane pa = { a, (gssize) w * bps, formats[f] };
      BwPlane pb = { b, (gssize) w * bps, formats[f] };
      BwGlobalShift serial, threaded;
      gsize i;
      guint x, y;

      for (i = 0; i < (gsize) w * h * bps; i++)
        a[i] = g_rand_int (rng);
      for (y = 0; y < h; y++)
        for (x = 0; x < w; x++) {
          gsize o = ((gsize) y * w + x) * bps;

          if (x >= 13 && y + 6 < h)
            memcpy (b + o, a + ((gsize) (y + 6) * w + x - 13) * bps, bps);
          else
            for (i = 0; i < bps; i++)
              b[o + i] = g_rand_int (rng);
        }
      g_assert_true (bw_global_shift_estimate (work, NULL, 0, &pa, &pb, w, h,
              &serial));
      g_assert_true (serial.found);
      for (t = 1; t <= 3; t++) {
        g_assert_true (bw_global_shift_estimate (work, worker, t, &pa, &pb,
                w, h, &threaded));
        g_assert_cmpint (threaded.found, ==, serial.found);
        g_assert_cmpint (threaded.at_limit, ==, serial.at_limit);
        g_assert_cmpmem (&threaded.x, sizeof (gdouble), &serial.x,
            sizeof (gdouble));
        g_assert_cmpmem (&threaded.y, sizeof (gdouble), &serial.y,
            sizeof (gdouble));
        g_assert_cmpmem (&threaded.peak, sizeof (gdouble), &serial.peak,
            sizeof (gdouble));
        g_assert_cmpuint (threaded.limit, ==, serial.limit);
      }
      g_rand_free (rng);
      g_free (a);
      g_free (b);
    }
  bw_worker_free (worker);
  bw_global_work_free (work);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/displacement/random", test_random);
  g_test_add_func ("/displacement/extremes", test_extremes);
  g_test_add_func ("/displacement/shapes", test_shapes);
  g_test_add_func ("/displacement/tall", test_tall);
  g_test_add_func ("/displacement/known-shift", test_known_shift);
  g_test_add_func ("/displacement/invalid", test_invalid);
  g_test_add_func ("/displacement/global-threads", test_global_threads);
  g_test_add_func ("/displacement/pair-sums", test_pair_sums);
  return g_test_run ();
}
