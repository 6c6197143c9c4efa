/* gst-blockwise: unit tests of the blockcorr element.
 *
 * The tests check the element against its documented contract, using an
 * independent brute-force (two-pass, double precision) reference for the
 * block statistics.  Only GstHarness and app-pushed buffers are used, so no
 * base plugins are needed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include "blockcorr-harness.h"
#include "gray16-frames.h"
#include <gst/video/video.h>

#include "colormap.h"

#define GRID_TOL 1e-5


/* The grids the meta carries: the published field names, spelled out here
 * as users spell them. */
static const gchar *grid_names[] = {
  "r", "mean-0", "mean-1", "stddev-0", "stddev-1", "covariance"
};

/* ------------------------------------------------------------------------ */
/* Harness pair */


/* ------------------------------------------------------------------------ */
/* Input data */

typedef struct
{
  gint w, h;
  guint16 *a, *b;               /* luma values, row-major w x h */
} FramePair;

static gdouble
clampd (gdouble v, gdouble lo, gdouble hi)
{
  return v < lo ? lo : (v > hi ? hi : v);
}

/* B is A plus noise in some places, anti-correlated, independent or equal in
 * others; A is constant in one rectangle and B in another, which gives
 * invalid blocks. */
static void
gen_pair (FramePair * fp, gint w, gint h, guint maxa, guint maxb, guint32 seed)
{
  GRand *rnd = g_rand_new_with_seed (seed);
  gint x, y;

  fp->w = w;
  fp->h = h;
  fp->a = g_new0 (guint16, w * h);
  fp->b = g_new0 (guint16, w * h);

  for (y = 0; y < h; y++) {
    for (x = 0; x < w; x++) {
      gdouble a, bf;
      gint region = ((x / 24) + (y / 20) * 2) % 5;

      a = 0.5 + 0.3 * sin (x * 0.21 + y * 0.13 + seed) +
          0.2 * (g_rand_double (rnd) - 0.5);
      a = floor (clampd (a, 0, 1) * maxa + 0.5);
      if (x < 32 && y < 16)
        a = floor (maxa * 0.4);

      switch (region) {
        case 0:
          bf = a + maxa * 0.05 * (g_rand_double (rnd) - 0.5);
          break;
        case 1:
          bf = a + maxa * 0.5 * (g_rand_double (rnd) - 0.5);
          break;
        case 2:
          bf = maxa - a + maxa * 0.05 * (g_rand_double (rnd) - 0.5);
          break;
        case 3:
          bf = g_rand_double (rnd) * maxa;
          break;
        default:
          bf = a;
          break;
      }
      bf = floor (clampd (bf * maxb / maxa, 0, maxb) + 0.5);
      if (x >= 32 && x < 48 && y >= 16 && y < 32)
        bf = floor (maxb * 0.6);

      fp->a[y * w + x] = (guint16) a;
      fp->b[y * w + x] = (guint16) bf;
    }
  }
  g_rand_free (rnd);
}

/* Low contrast near the top of the range: samples are max - 3 + {0, 1, 2},
 * B follows A, mirrors it or is independent depending on the region.  The
 * variances are tiny next to the squared means, which defeats one-pass
 * float formulas. */
static void
gen_pair_low_contrast (FramePair * fp, gint w, gint h, guint maxa, guint maxb,
    guint32 seed)
{
  GRand *rnd = g_rand_new_with_seed (seed);
  gint x, y;

  fp->w = w;
  fp->h = h;
  fp->a = g_new0 (guint16, w * h);
  fp->b = g_new0 (guint16, w * h);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      gint region = ((x / 24) + (y / 20) * 2) % 3;
      gint da = g_rand_int_range (rnd, 0, 3), db;

      if (region == 0)
        db = da;
      else if (region == 1)
        db = 2 - da;
      else
        db = g_rand_int_range (rnd, 0, 3);
      fp->a[y * w + x] = maxa - 3 + da;
      fp->b[y * w + x] = maxb - 3 + db;
    }
  g_rand_free (rnd);
}

static void
free_pair (FramePair * fp)
{
  g_free (fp->a);
  g_free (fp->b);
}

/* A buffer of caps_s whose luma plane holds vals (the rest is noise). */
static GstBuffer *
make_buffer (const gchar * caps_s, const guint16 * vals, GstClockTime pts)
{
  GstCaps *caps = gst_caps_from_string (caps_s);
  GstVideoInfo info;
  GstBuffer *buf;
  GstMapInfo map;
  guint8 *plane;
  gint stride, x, y, w, h;

  fail_unless (gst_video_info_from_caps (&info, caps));
  gst_caps_unref (caps);
  w = GST_VIDEO_INFO_WIDTH (&info);
  h = GST_VIDEO_INFO_HEIGHT (&info);

  buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&info), NULL);
  fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  /* chroma planes and row padding get noise: only the luma samples of the
   * frame may influence the results */
  {
    GRand *rnd = g_rand_new_with_seed (0xc0ffee);
    gsize i;

    for (i = 0; i < map.size; i++)
      map.data[i] = g_rand_int_range (rnd, 0, 256);
    g_rand_free (rnd);
  }
  g_assert (GST_VIDEO_INFO_COMP_PLANE (&info, 0) == 0);
  plane = map.data + GST_VIDEO_INFO_PLANE_OFFSET (&info, 0);
  stride = GST_VIDEO_INFO_PLANE_STRIDE (&info, 0);

  for (y = 0; y < h; y++) {
    guint8 *line = plane + y * stride;

    for (x = 0; x < w; x++) {
      guint16 v = vals[y * w + x];

      switch (GST_VIDEO_INFO_FORMAT (&info)) {
        case GST_VIDEO_FORMAT_GRAY16_LE:
          GST_WRITE_UINT16_LE (line + 2 * x, v);
          break;
        case GST_VIDEO_FORMAT_GRAY16_BE:
          GST_WRITE_UINT16_BE (line + 2 * x, v);
          break;
        default:
          g_assert (v < 256);
          line[x] = (guint8) v;
          break;
      }
    }
  }
  gst_buffer_unmap (buf, &map);

  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = GST_CLOCK_TIME_IS_VALID (pts) ?
      frame_pts (1) : GST_CLOCK_TIME_NONE;
  return buf;
}

/* Pushes one frame on each pad; both pushes must succeed. */
static void
push_pair (Ctx * c, const gchar * caps0, const gchar * caps1,
    const FramePair * fp, guint n)
{
  fail_unless_equals_int (gst_harness_push (c->h0, make_buffer (caps0, fp->a,
              frame_pts (n))), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_push (c->h1, make_buffer (caps1, fp->b,
              frame_pts (n))), GST_FLOW_OK);
}

/* ------------------------------------------------------------------------ */
/* Reference */

typedef struct
{
  guint cols, rows;
  gdouble *r, *m0, *m1, *s0, *s1, *cov;
} RefGrid;

static void
ref_compute (const FramePair * fp, guint bw, guint bh, gboolean partial,
    RefGrid * g)
{
  guint bx, by;

  g->cols = partial ? (fp->w + bw - 1) / bw : fp->w / bw;
  g->rows = partial ? (fp->h + bh - 1) / bh : fp->h / bh;
  g->r = g_new0 (gdouble, MAX (1, g->cols * g->rows));
  g->m0 = g_new0 (gdouble, MAX (1, g->cols * g->rows));
  g->m1 = g_new0 (gdouble, MAX (1, g->cols * g->rows));
  g->s0 = g_new0 (gdouble, MAX (1, g->cols * g->rows));
  g->s1 = g_new0 (gdouble, MAX (1, g->cols * g->rows));
  g->cov = g_new0 (gdouble, MAX (1, g->cols * g->rows));

  for (by = 0; by < g->rows; by++) {
    for (bx = 0; bx < g->cols; bx++) {
      guint x0 = bx * bw, y0 = by * bh;
      guint x1 = MIN (x0 + bw, (guint) fp->w), y1 = MIN (y0 + bh,
          (guint) fp->h);
      guint x, y, n = (x1 - x0) * (y1 - y0);
      gdouble sa = 0, sb = 0, ma, mb, saa = 0, sbb = 0, sab = 0;
      guint k = by * g->cols + bx;

      for (y = y0; y < y1; y++)
        for (x = x0; x < x1; x++) {
          sa += fp->a[y * fp->w + x];
          sb += fp->b[y * fp->w + x];
        }
      ma = sa / n;
      mb = sb / n;
      for (y = y0; y < y1; y++)
        for (x = x0; x < x1; x++) {
          gdouble da = fp->a[y * fp->w + x] - ma;
          gdouble db = fp->b[y * fp->w + x] - mb;

          saa += da * da;
          sbb += db * db;
          sab += da * db;
        }
      g->m0[k] = ma;
      g->m1[k] = mb;
      g->s0[k] = sqrt (saa / n);
      g->s1[k] = sqrt (sbb / n);
      g->cov[k] = sab / n;
      if (saa == 0 || sbb == 0)
        g->r[k] = NAN;
      else
        g->r[k] = sab / sqrt (saa * sbb);
    }
  }
}

static void
ref_free (RefGrid * g)
{
  g_free (g->r);
  g_free (g->m0);
  g_free (g->m1);
  g_free (g->s0);
  g_free (g->s1);
  g_free (g->cov);
}

static gint
cmp_double (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : (x > y ? 1 : 0);
}

/* ------------------------------------------------------------------------ */
/* Meta helpers */


static void
assert_close (gdouble got, gdouble exp, gdouble tol, const gchar * what)
{
  if (isnan (exp)) {
    fail_unless (isnan (got), "%s: expected NaN, got %.9g", what, got);
    return;
  }
  fail_unless (!isnan (got) && fabs (got - exp) <= tol,
      "%s: expected %.9g, got %.9g", what, exp, got);
}

/* Checks a meta's grids and summary against the reference. */
static void
check_meta_against_ref (const GstStructure * s, const RefGrid * g,
    guint bw, guint bh, gdouble thr, const gchar * label)
{
  guint n = g->cols * g->rows, k, valid = 0, below = 0, ambiguous = 0;
  const gfloat *r;
  const gfloat *grids[G_N_ELEMENTS (grid_names)];
  gdouble *sorted, sum = 0, mn = INFINITY, mx = -INFINITY, median;
  gchar what[128];
  guint i;

  fail_unless_equals_int (get_uint (s, "cols"), g->cols);
  fail_unless_equals_int (get_uint (s, "rows"), g->rows);
  fail_unless_equals_int (get_uint (s, "block-width"), bw);
  fail_unless_equals_int (get_uint (s, "block-height"), bh);

  for (i = 0; i < G_N_ELEMENTS (grid_names); i++)
    grids[i] = get_grid (s, grid_names[i], n);
  r = grids[0];

  /* BLOCKCORR_TEST_DUMP=1 prints the grids (got / expected) */
  if (g_getenv ("BLOCKCORR_TEST_DUMP")) {
    g_printerr ("%s: %ux%u\n", label, g->cols, g->rows);
    for (k = 0; k < n; k++)
      g_printerr ("%8.4f/%-8.4f%s", r[k], g->r[k],
          (k % g->cols == g->cols - 1) ? "\n" : " ");
  }

  sorted = g_new0 (gdouble, MAX (n, 1));
  for (k = 0; k < n; k++) {
    g_snprintf (what, sizeof (what), "%s: r[%u] (col %u row %u)", label, k,
        k % g->cols, k / g->cols);
    assert_close (r[k], g->r[k], GRID_TOL, what);
    /* Means, standard deviations and covariance are defined for every
     * block, also where r is not; in sample units, to float32 precision. */
    {
      const gdouble *refs[] = { NULL, g->m0, g->m1, g->s0, g->s1, g->cov };

      for (i = 1; i < G_N_ELEMENTS (grid_names); i++) {
        gdouble e = refs[i][k];

        fail_unless (isfinite (grids[i][k]) && fabs (grids[i][k] - e) <=
            1e-5 * MAX (fabs (e), 1.0), "%s: %s[%u] = %.9g, expected %.9g",
            label, grid_names[i], k, grids[i][k], e);
      }
    }
    if (isnan (g->r[k]))
      continue;

    sorted[valid++] = g->r[k];
    sum += g->r[k];
    mn = MIN (mn, g->r[k]);
    mx = MAX (mx, g->r[k]);
    if (g->r[k] < thr)
      below++;
    if (fabs (g->r[k] - thr) < 1e-5)
      ambiguous++;
  }

  fail_unless_equals_int (get_uint (s, "valid"), valid);
  fail_unless_equals_int (get_uint (s, "invalid"), n - valid);
  assert_close (get_double (s, "threshold"), thr, 1e-12, "threshold");

  if (valid > 0) {
    gdouble got_below;

    qsort (sorted, valid, sizeof (gdouble), cmp_double);
    median = (valid % 2) ? sorted[valid / 2] :
        (sorted[valid / 2 - 1] + sorted[valid / 2]) / 2;
    g_snprintf (what, sizeof (what), "%s: mean", label);
    assert_close (get_double (s, "mean"), sum / valid, GRID_TOL, what);
    g_snprintf (what, sizeof (what), "%s: min", label);
    assert_close (get_double (s, "min"), mn, GRID_TOL, what);
    g_snprintf (what, sizeof (what), "%s: max", label);
    assert_close (get_double (s, "max"), mx, GRID_TOL, what);
    g_snprintf (what, sizeof (what), "%s: median", label);
    assert_close (get_double (s, "median"), median, GRID_TOL, what);
    got_below = get_double (s, "below-threshold");
    fail_unless (fabs (got_below - (gdouble) below / valid) <=
        (gdouble) ambiguous / valid + 1e-9,
        "%s: below-threshold expected %g (%u/%u), got %g", label,
        (gdouble) below / valid, below, valid, got_below);
  } else {
    fail_unless (isnan (get_double (s, "mean")), "%s: mean should be NaN",
        label);
    fail_unless (isnan (get_double (s, "min")), "%s: min should be NaN", label);
    fail_unless (isnan (get_double (s, "max")), "%s: max should be NaN", label);
    fail_unless (isnan (get_double (s, "median")), "%s: median should be NaN",
        label);
  }
  g_free (sorted);
}

/* Pops the first ERROR message within timeout, or NULL. */
static GstMessage *
wait_error (GstBus * bus, GstClockTime timeout)
{
  return gst_bus_timed_pop_filtered (bus, timeout, GST_MESSAGE_ERROR);
}

/* ------------------------------------------------------------------------ */
/* Test 1: r grid against the reference */

typedef struct
{
  const gchar *fmt0, *fmt1;
  gint w, h;
  guint bw, bh;
  gboolean partial;
  gboolean low_contrast;
} GridCase;

static const GridCase grid_cases[] = {
  {"GRAY8", "GRAY8", 70, 45, 16, 16, FALSE},
  {"GRAY8", "GRAY8", 70, 45, 16, 16, TRUE},
  {"GRAY8", "GRAY8", 70, 45, 8, 8, FALSE},
  {"GRAY8", "GRAY8", 70, 45, 8, 8, TRUE},
  {"GRAY8", "GRAY8", 70, 45, 12, 5, TRUE},
  {"GRAY8", "GRAY8", 64, 48, 16, 16, FALSE},
  {"GRAY16_LE", "GRAY16_LE", 70, 45, 16, 16, FALSE},
  {"GRAY16_LE", "GRAY16_LE", 70, 45, 16, 16, TRUE},
  {"GRAY16_LE", "GRAY16_LE", 70, 45, 8, 8, TRUE},
  {"GRAY16_BE", "GRAY16_BE", 70, 45, 16, 16, FALSE},
  {"GRAY16_BE", "GRAY16_BE", 70, 45, 16, 16, TRUE},
  {"I420", "I420", 70, 45, 16, 16, FALSE},
  {"I420", "I420", 70, 45, 16, 16, TRUE},
  {"I420", "I420", 70, 45, 8, 8, TRUE},
  {"YV12", "YV12", 70, 45, 16, 16, TRUE},
  {"NV12", "NV12", 70, 45, 16, 16, TRUE},
  {"NV21", "NV21", 70, 45, 16, 16, TRUE},
  {"Y42B", "Y42B", 70, 45, 16, 16, TRUE},
  {"Y444", "Y444", 70, 45, 16, 16, TRUE},
  {"GRAY8", "GRAY16_LE", 70, 45, 16, 16, FALSE},
  {"GRAY8", "GRAY16_LE", 70, 45, 16, 16, TRUE},
  {"GRAY8", "GRAY16_LE", 70, 45, 8, 8, TRUE},
  {"GRAY16_BE", "I420", 70, 45, 16, 16, TRUE},
  {"NV12", "GRAY8", 70, 45, 8, 8, FALSE},
  /* degenerate block shapes */
  {"GRAY8", "GRAY8", 70, 45, 1, 1, FALSE},
  {"GRAY8", "GRAY8", 70, 45, 2, 1, TRUE},
  {"GRAY8", "GRAY8", 70, 45, 1, 45, FALSE},
  {"GRAY16_LE", "GRAY16_LE", 70, 45, 70, 45, FALSE},
  {"GRAY8", "GRAY8", 70, 45, 71, 46, TRUE},
  {"GRAY8", "GRAY8", 70, 45, 4096, 4096, TRUE},
  /* numerically hard: tiny variance on large values */
  {"GRAY8", "GRAY8", 70, 45, 16, 16, TRUE, TRUE},
  {"GRAY16_LE", "GRAY16_LE", 70, 45, 16, 16, TRUE, TRUE},
  {"GRAY16_BE", "GRAY16_BE", 70, 45, 8, 8, FALSE, TRUE},
  {"GRAY16_LE", "GRAY16_LE", 640, 480, 64, 48, FALSE, TRUE},
};

static guint
fmt_max (const gchar * fmt)
{
  return g_str_has_prefix (fmt, "GRAY16") ? 65535 : 255;
}

GST_START_TEST (test_grid_reference)
{
  const GridCase *gc = &grid_cases[__i__];
  gchar *caps0 = caps_str (gc->fmt0, gc->w, gc->h);
  gchar *caps1 = caps_str (gc->fmt1, gc->w, gc->h);
  GstElement *el = new_element ();
  Ctx c;
  guint n;

  GST_INFO ("case %d: %s/%s %dx%d block %ux%u %s%s", __i__, gc->fmt0,
      gc->fmt1, gc->w, gc->h, gc->bw, gc->bh, gc->partial ? "partial" : "trim",
      gc->low_contrast ? " low contrast" : "");

  /* No background: the reference knows none. */
  g_object_set (el, "block-width", gc->bw, "block-height", gc->bh,
      "threshold", 0.5, "min-intensity", 0.0, NULL);
  gst_util_set_object_arg (G_OBJECT (el), "edge-mode",
      gc->partial ? "partial" : "trim");
  ctx_init (&c, el, caps0, caps1, "video/x-raw,format=RGBA", FALSE);

  for (n = 0; n < 3; n++) {
    FramePair fp;
    RefGrid g;
    GstBuffer *out;
    GstCaps *ocaps;
    GstStructure *cs;
    gint ow = 0, oh = 0;
    gchar label[128];

    if (gc->low_contrast)
      gen_pair_low_contrast (&fp, gc->w, gc->h, fmt_max (gc->fmt0),
          fmt_max (gc->fmt1), 1234 + 17 * __i__ + n);
    else
      gen_pair (&fp, gc->w, gc->h, fmt_max (gc->fmt0), fmt_max (gc->fmt1),
          1234 + 17 * __i__ + n);
    ref_compute (&fp, gc->bw, gc->bh, gc->partial, &g);
    /* the data must exercise both valid and invalid blocks */
    push_pair (&c, caps0, caps1, &fp, n);
    out = gst_harness_pull (c.h0);
    fail_unless (out != NULL, "no output for frame %u", n);

    g_snprintf (label, sizeof (label), "case %d (%s/%s %dx%d %ux%u %s%s) "
        "frame %u", __i__, gc->fmt0, gc->fmt1, gc->w, gc->h, gc->bw, gc->bh,
        gc->partial ? "partial" : "trim",
        gc->low_contrast ? " low-contrast" : "", n);
    check_meta_against_ref (get_meta (out), &g, gc->bw, gc->bh, 0.5, label);
    fail_unless_equals_uint64 (get_uint64 (get_meta (out), "frame"), n);

    ocaps = gst_pad_get_current_caps (c.h0->sinkpad);
    fail_unless (ocaps != NULL);
    cs = gst_caps_get_structure (ocaps, 0);
    fail_unless (gst_structure_get_int (cs, "width", &ow));
    fail_unless (gst_structure_get_int (cs, "height", &oh));
    fail_unless_equals_int (ow, g.cols);
    fail_unless_equals_int (oh, g.rows);
    gst_caps_unref (ocaps);

    gst_buffer_unref (out);
    ref_free (&g);
    free_pair (&fp);
  }
  fail_on_error_message (c.bus, "grid reference");

  ctx_clear (&c);
  g_free (caps0);
  g_free (caps1);
}

GST_END_TEST;

/* The generated data has valid and invalid blocks in every layout used. */
GST_START_TEST (test_reference_data_sanity)
{
  FramePair fp;
  RefGrid g;
  guint k, nan = 0, hi = 0, lo = 0;

  gen_pair (&fp, 70, 45, 255, 255, 1);
  ref_compute (&fp, 16, 16, TRUE, &g);
  for (k = 0; k < g.cols * g.rows; k++) {
    if (isnan (g.r[k]))
      nan++;
    else if (g.r[k] > 0.5)
      hi++;
    else
      lo++;
  }
  fail_unless (nan > 0 && hi > 0 && lo > 0, "nan %u hi %u lo %u", nan, hi, lo);
  ref_free (&g);
  free_pair (&fp);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Test 2: heatmap pixels */

#define HM_W 56
#define HM_H 20

/* Block 0: B = A (r = 1); block 1: B = 255 - A (r = -1); block 2: A
 * constant (invalid); x >= 48 or y >= 16 is the trimmed margin. */
static void
gen_heatmap_pair (FramePair * fp)
{
  GRand *rnd = g_rand_new_with_seed (42);
  gint x, y;

  fp->w = HM_W;
  fp->h = HM_H;
  fp->a = g_new0 (guint16, HM_W * HM_H);
  fp->b = g_new0 (guint16, HM_W * HM_H);
  for (y = 0; y < HM_H; y++) {
    for (x = 0; x < HM_W; x++) {
      guint16 a = (x * 7 + y * 13) % 200 + 20, b;

      if (x >= 48 || y >= 16) {
        a = g_rand_int_range (rnd, 0, 256);
        b = g_rand_int_range (rnd, 0, 256);
      } else if (x < 16) {
        b = a;
      } else if (x < 32) {
        b = 255 - a;
      } else {
        a = 77;
        b = g_rand_int_range (rnd, 0, 256);
      }
      fp->a[y * HM_W + x] = a;
      fp->b[y * HM_W + x] = b;
    }
  }
  g_rand_free (rnd);
}

static const gchar *heatmap_formats[] = {
  "RGBA", "BGRA", "ARGB", "ABGR", "RGBx", "BGRx", "xRGB", "xBGR", "RGB",
  "BGR", "GRAY8", "GRAY16_LE"
};

typedef struct
{
  guint8 r, g, b, a;
} Rgba;

static void
read_pixel (GstVideoFrame * f, gint x, gint y, Rgba * px, guint * gray)
{
  GstVideoFormat fmt = GST_VIDEO_FRAME_FORMAT (f);
  guint8 *p;

  if (fmt == GST_VIDEO_FORMAT_GRAY8) {
    p = GST_VIDEO_FRAME_PLANE_DATA (f, 0);
    *gray = p[y * GST_VIDEO_FRAME_PLANE_STRIDE (f, 0) + x];
    return;
  }
  if (fmt == GST_VIDEO_FORMAT_GRAY16_LE) {
    p = GST_VIDEO_FRAME_PLANE_DATA (f, 0);
    *gray = GST_READ_UINT16_LE (p + y * GST_VIDEO_FRAME_PLANE_STRIDE (f,
            0) + 2 * x);
    return;
  }
#define COMP(c) (*((guint8 *) GST_VIDEO_FRAME_COMP_DATA (f, c) + \
      y * GST_VIDEO_FRAME_COMP_STRIDE (f, c) + \
      x * GST_VIDEO_FRAME_COMP_PSTRIDE (f, c)))
  px->r = COMP (GST_VIDEO_COMP_R);
  px->g = COMP (GST_VIDEO_COMP_G);
  px->b = COMP (GST_VIDEO_COMP_B);
  px->a = GST_VIDEO_FORMAT_INFO_HAS_ALPHA (f->info.finfo) ?
      COMP (GST_VIDEO_COMP_A) : 255;
#undef COMP
}

typedef enum
{
  PX_TOP,
  PX_BOTTOM,
  PX_INVALID
} PxKind;

static void
check_pixel (GstVideoFrame * f, gint x, gint y, PxKind kind, guint32 inv,
    const gchar * label)
{
  GstVideoFormat fmt = GST_VIDEO_FRAME_FORMAT (f);
  const guint8 *cmap = bw_colormap_table (BW_COLORMAP_COOLWARM);
  gboolean has_alpha = GST_VIDEO_FORMAT_INFO_HAS_ALPHA (f->info.finfo);
  Rgba px = { 0, };
  guint gray = 0;
  static const gchar *kinds[] = { "top (r=1)", "bottom (r=-1)", "invalid" };

  read_pixel (f, x, y, &px, &gray);

  if (fmt == GST_VIDEO_FORMAT_GRAY8 || fmt == GST_VIDEO_FORMAT_GRAY16_LE) {
    gboolean is16 = fmt == GST_VIDEO_FORMAT_GRAY16_LE;
    gdouble full = is16 ? 65535 : 255, exp, tol = is16 ? 2 * 257 : 1;

    if (kind == PX_TOP)
      exp = full;
    else if (kind == PX_BOTTOM)
      exp = 0;
    else
      exp = (0.299 * ((inv >> 16) & 0xff) + 0.587 * ((inv >> 8) & 0xff) +
          0.114 * (inv & 0xff)) / 255.0 * full;
    fail_unless (fabs (gray - exp) <= tol,
        "%s: pixel (%d,%d) %s: expected %g, got %u", label, x, y,
        kinds[kind], exp, gray);
    return;
  }

  if (kind == PX_INVALID) {
    fail_unless (px.r == ((inv >> 16) & 0xff) && px.g == ((inv >> 8) & 0xff)
        && px.b == (inv & 0xff)
        && (!has_alpha || px.a == (inv >> 24)),
        "%s: pixel (%d,%d) invalid: expected ARGB %08x, got %02x%02x%02x%02x",
        label, x, y, inv, px.a, px.r, px.g, px.b);
  } else {
    const guint8 *e = cmap + (kind == PX_TOP ? 255 : 0) * 3;

    fail_unless (px.r == e[0] && px.g == e[1] && px.b == e[2]
        && (!has_alpha || px.a == 255),
        "%s: pixel (%d,%d) %s: expected RGB %02x%02x%02x A ff, "
        "got %02x%02x%02x A %02x", label, x, y, kinds[kind], e[0], e[1], e[2],
        px.r, px.g, px.b, px.a);
  }
}

GST_START_TEST (test_heatmap_pixels)
{
  const gchar *fmt = heatmap_formats[__i__];
  static const guint32 inv_colors[] = { 0xffffffff, 0xff102030, 0x80102030 };
  gchar *caps = caps_str ("GRAY8", HM_W, HM_H);
  FramePair fp;
  guint ci, mode;

  gen_heatmap_pair (&fp);

  for (mode = 0; mode < 2; mode++) {
    for (ci = 0; ci < G_N_ELEMENTS (inv_colors); ci++) {
      GstElement *el = new_element ();
      gchar *outcaps = g_strdup_printf ("video/x-raw,format=%s", fmt);
      gchar label[128];
      GstBuffer *out;
      GstCaps *ocaps;
      GstVideoInfo oinfo;
      GstVideoFrame frame;
      Ctx c;
      gint x, y;

      g_snprintf (label, sizeof (label), "%s output-size=%s invalid=%08x",
          fmt, mode ? "input" : "grid", inv_colors[ci]);
      g_object_set (el, "invalid-color", inv_colors[ci], NULL);
      gst_util_set_object_arg (G_OBJECT (el), "output-size",
          mode ? "input" : "grid");
      ctx_init (&c, el, caps, caps, outcaps, FALSE);
      push_pair (&c, caps, caps, &fp, 0);
      out = gst_harness_pull (c.h0);
      fail_unless (out != NULL, "%s: no output", label);

      ocaps = gst_pad_get_current_caps (c.h0->sinkpad);
      fail_unless (ocaps != NULL);
      fail_unless (gst_video_info_from_caps (&oinfo, ocaps));
      gst_caps_unref (ocaps);
      fail_unless_equals_string (gst_video_format_to_string
          (GST_VIDEO_INFO_FORMAT (&oinfo)), fmt);
      fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (&oinfo), mode ? HM_W : 3);
      fail_unless_equals_int (GST_VIDEO_INFO_HEIGHT (&oinfo), mode ? HM_H : 1);
      fail_unless_equals_int (GST_VIDEO_INFO_FPS_N (&oinfo), FPS);
      fail_unless_equals_int (GST_VIDEO_INFO_FPS_D (&oinfo), 1);
      fail_unless (gst_video_frame_map (&frame, &oinfo, out, GST_MAP_READ),
          "%s: could not map output (size %" G_GSIZE_FORMAT ")", label,
          gst_buffer_get_size (out));

      if (mode == 0) {
        check_pixel (&frame, 0, 0, PX_TOP, inv_colors[ci], label);
        check_pixel (&frame, 1, 0, PX_BOTTOM, inv_colors[ci], label);
        check_pixel (&frame, 2, 0, PX_INVALID, inv_colors[ci], label);
      } else {
        for (y = 0; y < HM_H; y++)
          for (x = 0; x < HM_W; x++) {
            PxKind kind;

            if (x >= 48 || y >= 16 || x >= 32)
              kind = PX_INVALID;
            else if (x < 16)
              kind = PX_TOP;
            else
              kind = PX_BOTTOM;
            check_pixel (&frame, x, y, kind, inv_colors[ci], label);
          }
      }
      gst_video_frame_unmap (&frame);

      /* The meta agrees with the picture. */
      {
        const GstStructure *s = get_meta (out);
        const gfloat *r = get_grid (s, "r", 3);

        fail_unless_equals_int (get_uint (s, "valid"), 2);
        fail_unless_equals_int (get_uint (s, "invalid"), 1);
        assert_close (r[0], 1.0, GRID_TOL, "r[0]");
        assert_close (r[1], -1.0, GRID_TOL, "r[1]");
        fail_unless (isnan (r[2]));
        assert_close (get_double (s, "median"), 0.0, GRID_TOL, "median");
        assert_close (get_double (s, "below-threshold"), 0.5, 1e-9,
            "below-threshold");
      }

      gst_buffer_unref (out);
      fail_on_error_message (c.bus, label);
      ctx_clear (&c);
      g_free (outcaps);
    }
  }

  free_pair (&fp);
  g_free (caps);
}

GST_END_TEST;

/* A fixed range maps a chosen value to a chosen index; gray colormap. */
GST_START_TEST (test_heatmap_range_gray8)
{
  gchar *caps = caps_str ("GRAY8", HM_W, HM_H);
  GstElement *el = new_element ();
  FramePair fp;
  GstBuffer *out;
  GstMapInfo map;
  Ctx c;

  gen_heatmap_pair (&fp);
  /* r = 1 -> (1 - 0) / (2 - 0) * 255 = 127.5 -> 128; r = -1 -> clamps to 0 */
  g_object_set (el, "range-min", 0.0, "range-max", 2.0, NULL);
  gst_util_set_object_arg (G_OBJECT (el), "colormap", "gray");
  ctx_init (&c, el, caps, caps, "video/x-raw,format=GRAY8", FALSE);
  push_pair (&c, caps, caps, &fp, 0);
  out = gst_harness_pull (c.h0);
  fail_unless (out != NULL);
  fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
  fail_unless (map.size >= 3);
  fail_unless (map.data[0] == 127 || map.data[0] == 128, "got %u", map.data[0]);
  fail_unless_equals_int (map.data[1], 0);
  fail_unless_equals_int (map.data[2], 255);
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);

  ctx_clear (&c);
  free_pair (&fp);
  g_free (caps);
}

GST_END_TEST;

/* The widest range there is: -G_MAXDOUBLE..G_MAXDOUBLE puts every r in the
 * middle (hi - lo overflowed to infinity once, drawing everything at the
 * bottom). */
GST_START_TEST (test_heatmap_widest_range)
{
  static const gchar *formats[] = { "GRAY8", "GRAY16_LE" };
  gchar *caps = caps_str ("GRAY8", HM_W, HM_H);
  FramePair fp;
  guint f;

  gen_heatmap_pair (&fp);
  for (f = 0; f < G_N_ELEMENTS (formats); f++) {
    GstElement *el = new_element ();
    gchar *ocaps = g_strdup_printf ("video/x-raw,format=%s", formats[f]);
    GstBuffer *out;
    GstMapInfo map;
    guint level;
    Ctx c;

    g_object_set (el, "range-min", -G_MAXDOUBLE, "range-max", G_MAXDOUBLE,
        NULL);
    gst_util_set_object_arg (G_OBJECT (el), "colormap", "gray");
    ctx_init (&c, el, caps, caps, ocaps, FALSE);
    push_pair (&c, caps, caps, &fp, 0);
    out = gst_harness_pull (c.h0);
    fail_unless (out != NULL);
    fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
    level = f == 0 ? map.data[0] : (guint) GST_READ_UINT16_LE (map.data);
    /* the middle: 127.5 of 255, 32767.5 of 65535 */
    fail_unless (f == 0 ? (level == 127 || level == 128) : (level == 32767
            || level == 32768), "%s: level %u", formats[f], level);
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);
    ctx_clear (&c);
    g_free (ocaps);
  }
  free_pair (&fp);
  g_free (caps);
}

GST_END_TEST;

/* Other colormaps: r = 1 is the top entry, r = -1 the bottom one. */
GST_START_TEST (test_heatmap_colormaps)
{
  static const struct
  {
    const gchar *nick;
    BwColormap map;
  } maps[] = {
    {"coolwarm", BW_COLORMAP_COOLWARM},
    {"viridis", BW_COLORMAP_VIRIDIS},
    {"magma", BW_COLORMAP_MAGMA},
    {"gray", BW_COLORMAP_GRAY},
  };
  gchar *caps = caps_str ("GRAY8", HM_W, HM_H);
  FramePair fp;
  guint m;

  gen_heatmap_pair (&fp);
  for (m = 0; m < G_N_ELEMENTS (maps); m++) {
    const guint8 *tab = bw_colormap_table (maps[m].map);
    GstElement *el = new_element ();
    GstBuffer *out;
    GstMapInfo map;
    Ctx c;
    guint i;

    fail_unless (tab != NULL);
    gst_util_set_object_arg (G_OBJECT (el), "colormap", maps[m].nick);
    ctx_init (&c, el, caps, caps, "video/x-raw,format=RGBA", FALSE);
    push_pair (&c, caps, caps, &fp, 0);
    out = gst_harness_pull (c.h0);
    fail_unless (out != NULL);
    fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
    fail_unless (map.size >= 12);
    for (i = 0; i < 3; i++) {
      fail_unless_equals_int (map.data[i], tab[255 * 3 + i]);
      fail_unless_equals_int (map.data[4 + i], tab[i]);
      fail_unless_equals_int (map.data[8 + i], 255);
    }
    fail_unless_equals_int (map.data[3], 255);
    fail_unless_equals_int (map.data[7], 255);
    fail_unless_equals_int (map.data[11], 255);
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);
    ctx_clear (&c);
  }
  free_pair (&fp);
  g_free (caps);
}

GST_END_TEST;

/* Runs one GRAY8 frame through a new element configured by props
 * (NULL-terminated name/value strings) and returns the output buffer. */
static GstBuffer *
run_one (const FramePair * fp, const gchar * outcaps, const gchar ** props)
{
  gchar *caps = caps_str ("GRAY8", fp->w, fp->h);
  GstElement *el = new_element ();
  GstBuffer *out;
  Ctx c;
  guint i;

  for (i = 0; props && props[i]; i += 2)
    gst_util_set_object_arg (G_OBJECT (el), props[i], props[i + 1]);
  ctx_init (&c, el, caps, caps, outcaps, FALSE);
  push_pair (&c, caps, caps, fp, 0);
  out = gst_harness_pull (c.h0);
  fail_unless (out != NULL);
  fail_on_error_message (c.bus, "run_one");
  ctx_clear (&c);
  g_free (caps);
  return out;
}

/* Partial mode, output-size=input: every pixel has the colour its block has
 * in the grid output (edge blocks included). */
GST_START_TEST (test_partial_input_size_matches_grid)
{
  const gchar *grid_props[] = { "edge-mode", "partial", "output-size", "grid",
    "block-width", "16", "block-height", "12", NULL
  };
  const gchar *input_props[] = { "edge-mode", "partial", "output-size",
    "input", "block-width", "16", "block-height", "12", NULL
  };
  FramePair fp;
  GstBuffer *gbuf, *ibuf;
  GstVideoInfo ginfo, iinfo;
  GstVideoFrame gf, inf;
  GstCaps *caps;
  gint x, y;

  gen_pair (&fp, 70, 45, 255, 255, 31);
  gbuf = run_one (&fp, "video/x-raw,format=RGBA", grid_props);
  ibuf = run_one (&fp, "video/x-raw,format=RGBA", input_props);
  caps = gst_caps_from_string ("video/x-raw,format=RGBA,width=5,height=4");
  gst_video_info_from_caps (&ginfo, caps);
  gst_caps_unref (caps);
  caps = gst_caps_from_string ("video/x-raw,format=RGBA,width=70,height=45");
  gst_video_info_from_caps (&iinfo, caps);
  gst_caps_unref (caps);
  fail_unless (gst_video_frame_map (&gf, &ginfo, gbuf, GST_MAP_READ));
  fail_unless (gst_video_frame_map (&inf, &iinfo, ibuf, GST_MAP_READ));
  for (y = 0; y < 45; y++)
    for (x = 0; x < 70; x++) {
      const guint8 *pi = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&inf, 0)
          + y * GST_VIDEO_FRAME_PLANE_STRIDE (&inf, 0) + 4 * x;
      const guint8 *pg = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&gf, 0)
          + (y / 12) * GST_VIDEO_FRAME_PLANE_STRIDE (&gf, 0) + 4 * (x / 16);

      fail_unless (memcmp (pi, pg, 4) == 0,
          "pixel (%d,%d) %02x%02x%02x%02x differs from its block (%d,%d) "
          "%02x%02x%02x%02x", x, y, pi[0], pi[1], pi[2], pi[3], x / 16,
          y / 12, pg[0], pg[1], pg[2], pg[3]);
    }
  gst_video_frame_unmap (&gf);
  gst_video_frame_unmap (&inf);
  gst_buffer_unref (gbuf);
  gst_buffer_unref (ibuf);
  free_pair (&fp);
}

GST_END_TEST;

/* Each measure is mapped linearly from [range-min, range-max]; the expected
 * values come from the meta grids of the same buffer. */
GST_START_TEST (test_measures)
{
  static const gchar *measures[] = {
    "pearson", "covariance", "mean-0", "mean-1", "stddev-0", "stddev-1"
  };
  FramePair fp;
  guint m;

  gen_pair (&fp, 64, 48, 255, 255, 21);
  for (m = 0; m < G_N_ELEMENTS (measures); m++) {
    GstBuffer *probe, *out;
    const GstStructure *s;
    const gfloat *r, *m0, *m1, *s0, *s1, *cov;
    gdouble vals[12], lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;
    gchar slo[64], shi[64];
    const gchar *props[] = { "measure", measures[m], "range-min", slo,
      "range-max", shi, NULL
    };
    GstVideoInfo oinfo;
    GstVideoFrame frame;
    GstCaps *ocaps;
    guint k, nvalid = 0;

    probe = run_one (&fp, "video/x-raw,format=RGBA", NULL);
    s = get_meta (probe);
    r = get_grid (s, "r", 12);
    m0 = get_grid (s, "mean-0", 12);
    m1 = get_grid (s, "mean-1", 12);
    s0 = get_grid (s, "stddev-0", 12);
    s1 = get_grid (s, "stddev-1", 12);
    cov = get_grid (s, "covariance", 12);
    for (k = 0; k < 12; k++) {
      switch (m) {
        case 0:
          vals[k] = r[k];
          break;
        case 1:
          /* r·σ0·σ1 where r is defined: the covariance, independently */
          vals[k] = isnan (r[k]) ? cov[k] : (gdouble) r[k] * s0[k] * s1[k];
          break;
        case 2:
          vals[k] = m0[k];
          break;
        case 3:
          vals[k] = m1[k];
          break;
        case 4:
          vals[k] = s0[k];
          break;
        default:
          vals[k] = s1[k];
          break;
      }
      /* Only r is undefined anywhere (no min-intensity here): every other
       * measure is drawn for every block. */
      if (!isnan (vals[k])) {
        lo = MIN (lo, vals[k]);
        hi = MAX (hi, vals[k]);
        nvalid++;
      }
      if (m > 0)
        fail_unless (!isnan (vals[k]), "%s[%u] undefined", measures[m], k);
    }
    fail_unless (nvalid >= 4);
    /* a range that clips a little at the top */
    hi = lo + (hi - lo) * 0.9;
    g_ascii_dtostr (slo, sizeof (slo), lo);
    g_ascii_dtostr (shi, sizeof (shi), hi);

    out = run_one (&fp, "video/x-raw,format=GRAY8", props);
    ocaps = gst_caps_from_string ("video/x-raw,format=GRAY8,width=4,height=3");
    fail_unless (gst_video_info_from_caps (&oinfo, ocaps));
    gst_caps_unref (ocaps);
    fail_unless (gst_video_frame_map (&frame, &oinfo, out, GST_MAP_READ));
    for (k = 0; k < 12; k++) {
      guint8 got = ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0))
          [(k / 4) * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0) + k % 4];
      gdouble exp;

      if (isnan (vals[k]))
        exp = 255;              /* white invalid colour */
      else
        exp = floor (clampd ((vals[k] - lo) / (hi - lo), 0, 1) * 255 + 0.5);
      fail_unless (fabs (got - exp) <= 1,
          "measure %s block %u: value %g on [%g, %g]: expected %g, got %u",
          measures[m], k, vals[k], lo, hi, exp, got);
    }
    gst_video_frame_unmap (&frame);
    gst_buffer_unref (out);
    gst_buffer_unref (probe);
  }
  free_pair (&fp);
}

GST_END_TEST;

/* A's mean grows with x, B's with y, and B shares A's noise. */
static void
gen_ramp_pair (FramePair * fp, gint w, gint h)
{
  GRand *rnd = g_rand_new_with_seed (77);
  gint x, y;

  fp->w = w;
  fp->h = h;
  fp->a = g_new0 (guint16, w * h);
  fp->b = g_new0 (guint16, w * h);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      gdouble na = g_rand_double_range (rnd, -20, 20);
      gdouble nb = g_rand_double_range (rnd, -20, 20);

      fp->a[y * w + x] = (guint16) clampd (floor (30 + x * 3 + na), 0, 255);
      fp->b[y * w + x] = (guint16) clampd (floor (30 + y * 4 + 0.8 * na +
              0.3 * nb), 0, 255);
    }
  g_rand_free (rnd);
}

/* A block is invalid when its mean is below min-intensity in both inputs
 * (in the units of the mean-0 / mean-1 grids). */
GST_START_TEST (test_min_intensity)
{
  FramePair fp;
  GstBuffer *probe, *out;
  const GstStructure *s;
  const gfloat *m0, *m1;
  RefGrid g;
  gdouble scale, t;
  gchar st[64];
  const gchar *props[] = { "min-intensity", st, NULL };
  const gfloat *r2;
  guint k, n_both = 0, n_one = 0, valid = 0;

  gen_ramp_pair (&fp, 64, 48);
  ref_compute (&fp, 16, 16, FALSE, &g);
  probe = run_one (&fp, "video/x-raw,format=RGBA", NULL);
  s = get_meta (probe);
  m0 = get_grid (s, "mean-0", 12);
  m1 = get_grid (s, "mean-1", 12);
  fail_unless_equals_int (get_uint (s, "valid"), 12);
  scale = m0[0] / g.m0[0];
  t = 110 * scale;
  g_ascii_dtostr (st, sizeof (st), t);

  out = run_one (&fp, "video/x-raw,format=RGBA", props);
  s = get_meta (out);
  r2 = get_grid (s, "r", 12);
  for (k = 0; k < 12; k++) {
    gboolean below0 = m0[k] < t, below1 = m1[k] < t;

    if (below0 && below1) {
      n_both++;
      fail_unless (isnan (r2[k]), "block %u (means %g, %g < %g) not invalid",
          k, m0[k], m1[k], t);
    } else {
      if (below0 || below1)
        n_one++;
      valid++;
      assert_close (r2[k], g.r[k], GRID_TOL, "r with min-intensity");
    }
  }
  fail_unless (n_both > 0 && n_one > 0, "bad test data: %u %u", n_both, n_one);
  fail_unless_equals_int (get_uint (s, "valid"), valid);
  fail_unless_equals_int (get_uint (s, "invalid"), 12 - valid);
  gst_buffer_unref (out);

  /* The means stay defined for the masked blocks, and a heatmap of a mean
   * draws those blocks as background: the invalid colour darkened to half
   * (white: 127 in GRAY8), the others with their value's entry. */
  {
    const gchar *mprops[] = { "min-intensity", st, "measure", "mean-0",
      "range-min", "0", "range-max", "1000", NULL
    };
    const gfloat *mm0;
    GstMapInfo map;

    out = run_one (&fp, "video/x-raw,format=GRAY8", mprops);
    s = get_meta (out);
    mm0 = get_grid (s, "mean-0", 12);
    fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
    for (k = 0; k < 12; k++) {
      guint8 px = map.data[(k / 4) * 4 + k % 4];
      gboolean masked = m0[k] < t && m1[k] < t;

      assert_close (mm0[k], m0[k], 1e-3, "mean-0 of a masked block");
      if (masked) {
        fail_unless_equals_int (px, 127);
      } else {
        fail_unless_equals_int (px, bw_colormap_index (m0[k], 0, 1000));
      }
    }
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);
  }

  /* far above every mean (the largest value the property allows):
   * everything invalid, summary NaN */
  {
    GstElement *tmp = new_element ();
    GParamSpec *ps = g_object_class_find_property (G_OBJECT_GET_CLASS (tmp),
        "min-intensity");
    gdouble top;

    fail_unless (ps != NULL && G_IS_PARAM_SPEC_DOUBLE (ps));
    top = G_PARAM_SPEC_DOUBLE (ps)->maximum;
    gst_object_unref (tmp);
    for (k = 0; k < 12; k++)
      fail_unless (top > m0[k] && top > m1[k], "min-intensity maximum %g "
          "is below a block mean (%g, %g)", top, m0[k], m1[k]);
    g_ascii_dtostr (st, sizeof (st), top);
  }
  out = run_one (&fp, "video/x-raw,format=RGBA", props);
  s = get_meta (out);
  fail_unless_equals_int (get_uint (s, "valid"), 0);
  fail_unless_equals_int (get_uint (s, "invalid"), 12);
  fail_unless (isnan (get_double (s, "mean")));
  fail_unless (isnan (get_double (s, "median")));
  gst_buffer_unref (out);

  gst_buffer_unref (probe);
  ref_free (&g);
  free_pair (&fp);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Test 3: meta fields and element messages */

static const struct
{
  const gchar *name;
  GType type;
} summary_fields[] = {
  {"frame", G_TYPE_UINT64},
  {"pts-0", G_TYPE_UINT64},
  {"pts-1", G_TYPE_UINT64},
  {"cols", G_TYPE_UINT},
  {"rows", G_TYPE_UINT},
  {"block-width", G_TYPE_UINT},
  {"block-height", G_TYPE_UINT},
  {"valid", G_TYPE_UINT},
  {"invalid", G_TYPE_UINT},
  {"mean", G_TYPE_DOUBLE},
  {"min", G_TYPE_DOUBLE},
  {"max", G_TYPE_DOUBLE},
  {"median", G_TYPE_DOUBLE},
  {"below-threshold", G_TYPE_DOUBLE},
  {"threshold", G_TYPE_DOUBLE},
};

static void
check_summary_types (const GstStructure * s, const gchar * what)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (summary_fields); i++) {
    const GValue *v = gst_structure_get_value (s, summary_fields[i].name);

    fail_unless (v != NULL, "%s: field %s missing", what,
        summary_fields[i].name);
    fail_unless (G_VALUE_TYPE (v) == summary_fields[i].type,
        "%s: field %s is %s, expected %s", what, summary_fields[i].name,
        G_VALUE_TYPE_NAME (v), g_type_name (summary_fields[i].type));
  }
}

static GstMessage *
pop_blockcorr_message (GstBus * bus, GstClockTime timeout)
{
  GstMessage *msg;

  while ((msg = gst_bus_timed_pop_filtered (bus, timeout,
              GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING))) {
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      gchar *t = error_text (msg);

      gst_message_unref (msg);
      fail ("unexpected ERROR: %s", t);
    }
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT &&
        gst_message_has_name (msg, "blockcorr"))
      return msg;
    gst_message_unref (msg);
  }
  return NULL;
}

GST_START_TEST (test_meta_and_messages)
{
  gchar *caps = caps_str ("GRAY8", 64, 48);
  GstElement *el = new_element ();
  GstBuffer *outs[3];
  FramePair fp;
  GstMessage *msg;
  Ctx c;
  guint n, i;

  g_object_set (el, "threshold", 0.25, "block-width", 16, "block-height", 8,
      NULL);
  ctx_init (&c, el, caps, caps, "video/x-raw,format=RGBA", FALSE);
  gen_pair (&fp, 64, 48, 255, 255, 7);

  for (n = 0; n < 3; n++) {
    const GstStructure *s;

    push_pair (&c, caps, caps, &fp, n);
    outs[n] = gst_harness_pull (c.h0);
    fail_unless (outs[n] != NULL);
    s = get_meta (outs[n]);
    check_summary_types (s, "meta");
    for (i = 0; i < G_N_ELEMENTS (grid_names); i++)
      get_grid (s, grid_names[i], 4 * 6);
    fail_unless_equals_uint64 (get_uint64 (s, "frame"), n);
    fail_unless_equals_uint64 (get_uint64 (s, "pts-0"), frame_pts (n));
    fail_unless_equals_uint64 (get_uint64 (s, "pts-1"), frame_pts (n));
    fail_unless_equals_int (get_uint (s, "cols"), 4);
    fail_unless_equals_int (get_uint (s, "rows"), 6);
    fail_unless_equals_int (get_uint (s, "block-width"), 16);
    fail_unless_equals_int (get_uint (s, "block-height"), 8);
    assert_close (get_double (s, "threshold"), 0.25, 1e-12, "threshold");
    fail_unless_equals_uint64 (GST_BUFFER_PTS (outs[n]), frame_pts (n));
  }

  for (n = 0; n < 3; n++) {
    const GstStructure *ms, *s = get_meta (outs[n]);

    msg = pop_blockcorr_message (c.bus, 2 * GST_SECOND);
    fail_unless (msg != NULL, "element message %u missing", n);
    fail_unless (GST_MESSAGE_SRC (msg) == GST_OBJECT (c.el));
    ms = gst_message_get_structure (msg);
    check_summary_types (ms, "message");
    for (i = 0; i < G_N_ELEMENTS (grid_names); i++)
      fail_if (gst_structure_has_field (ms, grid_names[i]),
          "message carries grid %s", grid_names[i]);
    fail_unless_equals_uint64 (get_uint64 (ms, "timestamp"),
        GST_BUFFER_PTS (outs[n]));
    fail_unless_equals_uint64 (get_uint64 (ms, "running-time"),
        GST_BUFFER_PTS (outs[n]));
    fail_unless_equals_uint64 (get_uint64 (ms, "stream-time"),
        GST_BUFFER_PTS (outs[n]));
    fail_unless_equals_uint64 (get_uint64 (ms, "duration"),
        GST_BUFFER_DURATION (outs[n]));
    /* same summary as the meta */
    for (i = 0; i < G_N_ELEMENTS (summary_fields); i++) {
      const GValue *a = gst_structure_get_value (s, summary_fields[i].name);
      const GValue *b = gst_structure_get_value (ms, summary_fields[i].name);

      if (G_VALUE_TYPE (a) == G_TYPE_DOUBLE && isnan (g_value_get_double (a)))
        fail_unless (isnan (g_value_get_double (b)));
      else
        fail_unless (gst_value_compare (a, b) == GST_VALUE_EQUAL,
            "field %s differs between meta and message",
            summary_fields[i].name);
    }
    gst_message_unref (msg);
  }
  msg = pop_blockcorr_message (c.bus, 200 * GST_MSECOND);
  fail_unless (msg == NULL, "more than one message per frame");

  for (n = 0; n < 3; n++)
    gst_buffer_unref (outs[n]);
  ctx_clear (&c);
  free_pair (&fp);
  g_free (caps);
}

GST_END_TEST;

/* The grids' memory returns to the element when a buffer's meta is freed
 * and serves a later frame of the same size, and a buffer that outlives
 * the element keeps its grids. */
GST_START_TEST (test_grid_memory_reused)
{
  const gchar *caps = "video/x-raw,format=GRAY16_LE,width=64,height=48,"
      "framerate=30/1";
  GstElement *el;
  GstBuffer *out, *kept;
  FramePair fp;
  gconstpointer first;
  gfloat want[12];
  guint n, reused = 0;
  Ctx c;

  gen_pair (&fp, 64, 48, 60000, 60000, 5);
  el = new_element ();
  g_object_set (el, "block-width", 16, "block-height", 16, NULL);
  ctx_init (&c, el, caps, caps, "video/x-raw,format=RGBA", FALSE);
  push_pair (&c, caps, caps, &fp, 0);
  out = gst_harness_pull (c.h0);
  fail_unless (out != NULL);
  first = get_grid (get_meta (out), "r", 12);
  memcpy (want, first, sizeof (want));
  gst_buffer_unref (out);
  for (n = 1; n <= 3; n++) {
    push_pair (&c, caps, caps, &fp, n);
    out = gst_harness_pull (c.h0);
    fail_unless (out != NULL);
    reused += get_grid (get_meta (out), "r", 12) == first;
    fail_unless (memcmp (get_grid (get_meta (out), "r", 12), want,
            sizeof (want)) == 0);
    gst_buffer_unref (out);
  }
  fail_unless (reused == 3, "the grids' memory served %u of 3 later frames",
      reused);

  push_pair (&c, caps, caps, &fp, n);
  kept = gst_harness_pull (c.h0);
  fail_unless (kept != NULL);
  ctx_clear (&c);
  /* The element is gone; the buffer's grids are still there. */
  fail_unless (memcmp (get_grid (get_meta (kept), "r", 12), want,
          sizeof (want)) == 0);
  gst_buffer_unref (kept);
  free_pair (&fp);
}

GST_END_TEST;

GST_START_TEST (test_no_messages)
{
  gchar *caps = caps_str ("GRAY8", 64, 48);
  GstElement *el = new_element ();
  FramePair fp;
  Ctx c;
  guint n;

  g_object_set (el, "post-messages", FALSE, NULL);
  ctx_init (&c, el, caps, caps, "video/x-raw,format=RGBA", FALSE);
  gen_pair (&fp, 64, 48, 255, 255, 8);
  for (n = 0; n < 3; n++) {
    GstBuffer *out;

    push_pair (&c, caps, caps, &fp, n);
    out = gst_harness_pull (c.h0);
    fail_unless (out != NULL);
    /* the meta is still there */
    fail_unless_equals_uint64 (get_uint64 (get_meta (out), "frame"), n);
    gst_buffer_unref (out);
  }
  fail_unless (pop_blockcorr_message (c.bus, 300 * GST_MSECOND) == NULL,
      "element message posted with post-messages=FALSE");
  ctx_clear (&c);
  free_pair (&fp);
  g_free (caps);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Test 4: thread count does not change the results */

GST_START_TEST (test_threads_identical)
{
  static const guint threads[] = { 1, 2, 0, 3 };
  gchar *caps = caps_str ("GRAY16_LE", 640, 480);
  FramePair fp[2];
  GBytes *ref_grids[2][G_N_ELEMENTS (grid_names)];
  GstBuffer *ref_out[2];
  /* The summary too: the mean is a floating-point sum, whose value depends
   * on the order of the additions. */
  static const gchar *summary_fields[] = { "mean", "min", "max", "median",
    "below-threshold"
  };
  gdouble ref_summary[2][G_N_ELEMENTS (summary_fields)];
  guint ref_valid[2];
  guint t, n, i;

  gen_pair (&fp[0], 640, 480, 65535, 65535, 99);
  gen_pair (&fp[1], 640, 480, 65535, 65535, 100);

  for (t = 0; t < G_N_ELEMENTS (threads); t++) {
    GstElement *el = new_element ();
    Ctx c;

    g_object_set (el, "n-threads", threads[t], NULL);
    gst_util_set_object_arg (G_OBJECT (el), "edge-mode", "partial");
    ctx_init (&c, el, caps, caps, "video/x-raw,format=RGBA", FALSE);
    for (n = 0; n < 2; n++) {
      GstBuffer *out;
      const GstStructure *s;

      push_pair (&c, caps, caps, &fp[n], n);
      out = gst_harness_pull (c.h0);
      fail_unless (out != NULL);
      s = get_meta (out);
      for (i = 0; i < G_N_ELEMENTS (summary_fields); i++) {
        gdouble v = get_double (s, summary_fields[i]);

        if (t == 0)
          ref_summary[n][i] = v;
        else
          fail_unless (memcmp (&v, &ref_summary[n][i], sizeof (v)) == 0,
              "%s differs between n-threads=%u and %u (frame %u): %.17g vs "
              "%.17g", summary_fields[i], threads[0], threads[t], n,
              ref_summary[n][i], v);
      }
      if (t == 0)
        ref_valid[n] = get_uint (s, "valid");
      else
        fail_unless_equals_int (get_uint (s, "valid"), ref_valid[n]);
      for (i = 0; i < G_N_ELEMENTS (grid_names); i++) {
        GBytes *b;

        get_grid (s, grid_names[i], 40 * 30);
        b = g_value_get_boxed (gst_structure_get_value (s, grid_names[i]));
        if (t == 0) {
          ref_grids[n][i] = g_bytes_ref (b);
        } else {
          fail_unless (g_bytes_get_size (b) ==
              g_bytes_get_size (ref_grids[n][i]));
          fail_unless (memcmp (g_bytes_get_data (b, NULL),
                  g_bytes_get_data (ref_grids[n][i], NULL),
                  g_bytes_get_size (b)) == 0,
              "grid %s differs between n-threads=%u and %u (frame %u)",
              grid_names[i], threads[0], threads[t], n);
        }
      }
      if (t == 0) {
        ref_out[n] = out;
      } else {
        fail_unless (gst_buffer_get_size (out) ==
            gst_buffer_get_size (ref_out[n]));
        {
          GstMapInfo m;

          fail_unless (gst_buffer_map (ref_out[n], &m, GST_MAP_READ));
          fail_unless (gst_buffer_memcmp (out, 0, m.data, m.size) == 0,
              "heatmap differs between n-threads=%u and %u", threads[0],
              threads[t]);
          gst_buffer_unmap (ref_out[n], &m);
        }
        gst_buffer_unref (out);
      }
    }
    fail_on_error_message (c.bus, "threads");
    ctx_clear (&c);
  }

  for (n = 0; n < 2; n++) {
    for (i = 0; i < G_N_ELEMENTS (grid_names); i++)
      g_bytes_unref (ref_grids[n][i]);
    gst_buffer_unref (ref_out[n]);
    free_pair (&fp[n]);
  }
  g_free (caps);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Test 5: renegotiation */

static void
get_out_size (Ctx * c, gint * w, gint * h)
{
  GstCaps *caps = gst_pad_get_current_caps (c->h0->sinkpad);
  GstStructure *s;

  fail_unless (caps != NULL);
  s = gst_caps_get_structure (caps, 0);
  fail_unless (gst_structure_get_int (s, "width", w));
  fail_unless (gst_structure_get_int (s, "height", h));
  gst_caps_unref (caps);
}

GST_START_TEST (test_renegotiation)
{
  gchar *caps = caps_str ("GRAY8", 64, 48);
  gchar *caps_small = caps_str ("GRAY8", 32, 24);
  GstElement *el = new_element ();
  FramePair fp, fps;
  GstBuffer *out;
  Ctx c;
  gint w, h;
  guint n = 0;

  ctx_init (&c, el, caps, caps, "video/x-raw,format=RGBA", FALSE);
  gen_pair (&fp, 64, 48, 255, 255, 3);
  gen_pair (&fps, 32, 24, 255, 255, 4);

  for (; n < 2; n++) {
    push_pair (&c, caps, caps, &fp, n);
    out = gst_harness_pull (c.h0);
    fail_unless (out != NULL);
    get_out_size (&c, &w, &h);
    fail_unless_equals_int (w, 4);
    fail_unless_equals_int (h, 3);
    fail_unless_equals_int (get_uint (get_meta (out), "cols"), 4);
    gst_buffer_unref (out);
  }

  /* block-width 16 -> 8 while streaming: twice as many columns */
  g_object_set (c.el, "block-width", 8, NULL);
  for (; n < 4; n++) {
    push_pair (&c, caps, caps, &fp, n);
    out = gst_harness_pull (c.h0);
    fail_unless (out != NULL);
    get_out_size (&c, &w, &h);
    fail_unless_equals_int (w, 8);
    fail_unless_equals_int (h, 3);
    fail_unless_equals_int (get_uint (get_meta (out), "cols"), 8);
    fail_unless_equals_int (get_uint (get_meta (out), "block-width"), 8);
    fail_unless (gst_buffer_get_size (out) >= 8 * 3 * 4);
    gst_buffer_unref (out);
  }

  /* resolution change on both inputs: 64x48 -> 32x24, blocks 8x16; two
   * pairs queued before the first output is pulled (one pair at a time is
   * test_caps_change_one_pair_at_a_time) */
  gst_harness_set_src_caps_str (c.h0, caps_small);
  gst_harness_set_src_caps_str (c.h1, caps_small);
  push_pair (&c, caps_small, caps_small, &fps, 4);
  push_pair (&c, caps_small, caps_small, &fps, 5);
  for (; n < 6; n++) {
    RefGrid g;

    out = gst_harness_pull (c.h0);
    fail_unless (out != NULL);
    get_out_size (&c, &w, &h);
    fail_unless_equals_int (w, 4);
    fail_unless_equals_int (h, 1);
    ref_compute (&fps, 8, 16, FALSE, &g);
    check_meta_against_ref (get_meta (out), &g, 8, 16, 0.5, "after resize");
    ref_free (&g);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), frame_pts (n));
    gst_buffer_unref (out);
  }

  /* output-size=input follows the new input size */
  gst_util_set_object_arg (G_OBJECT (c.el), "output-size", "input");
  push_pair (&c, caps_small, caps_small, &fps, n);
  out = gst_harness_pull (c.h0);
  fail_unless (out != NULL);
  get_out_size (&c, &w, &h);
  fail_unless_equals_int (w, 32);
  fail_unless_equals_int (h, 24);
  gst_buffer_unref (out);
  n++;

  /* format change on sink_1 only (GRAY8 -> GRAY16_LE, same size), two
   * pairs queued again */
  {
    gchar *caps16 = caps_str ("GRAY16_LE", 32, 24);
    guint16 *b16 = g_new0 (guint16, 32 * 24);
    guint i, first = n;
    RefGrid g;

    for (i = 0; i < 32 * 24; i++)
      b16[i] = fps.b[i] * 257;
    gst_harness_set_src_caps_str (c.h1, caps16);
    for (; n < first + 2; n++) {
      fail_unless_equals_int (gst_harness_push (c.h0, make_buffer (caps_small,
                  fps.a, frame_pts (n))), GST_FLOW_OK);
      fail_unless_equals_int (gst_harness_push (c.h1, make_buffer (caps16,
                  b16, frame_pts (n))), GST_FLOW_OK);
    }
    {
      /* The reference of what sink_1 now carries: the 16-bit samples. */
      FramePair fp16 = fps;

      fp16.b = b16;
      ref_compute (&fp16, 8, 16, FALSE, &g);
    }
    for (n = first; n < first + 2; n++) {
      out = gst_harness_pull (c.h0);
      fail_unless (out != NULL);
      get_out_size (&c, &w, &h);
      fail_unless_equals_int (w, 32);
      fail_unless_equals_int (h, 24);
      check_meta_against_ref (get_meta (out), &g, 8, 16, 0.5,
          "after format change");
      fail_unless_equals_uint64 (GST_BUFFER_PTS (out), frame_pts (n));
      gst_buffer_unref (out);
    }
    ref_free (&g);
    g_free (b16);
    g_free (caps16);
  }

  fail_on_error_message (c.bus, "renegotiation");
  ctx_clear (&c);
  free_pair (&fp);
  free_pair (&fps);
  g_free (caps);
  g_free (caps_small);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Test 6: bad input and life cycle */

/* Pushes sticky caps + segment without asserting that they are accepted. */
static void
push_caps_unchecked (GstHarness * h, const gchar * caps_s)
{
  GstCaps *caps = gst_caps_from_string (caps_s);
  GstSegment seg;

  /* The event takes its own reference. */
  gst_pad_push_event (h->srcpad, gst_event_new_caps (caps));
  gst_caps_unref (caps);
  gst_segment_init (&seg, GST_FORMAT_TIME);
  gst_pad_push_event (h->srcpad, gst_event_new_segment (&seg));
}

/* An ERROR naming both sizes arrives within timeout, and no analysed
 * output for the mismatched frames. */
static void
check_size_error (Ctx * c, const gchar * size0, const gchar * size1,
    GstClockTime timeout)
{
  GstMessage *msg = wait_error (c->bus, timeout);
  GstBuffer *out;
  gchar *t;

  fail_unless (msg != NULL, "no ERROR for %s vs %s", size0, size1);
  t = error_text (msg);
  fail_unless (strstr (t, size0) && strstr (t, size1),
      "error does not name both sizes: %s", t);
  g_free (t);
  gst_message_unref (msg);
  while ((out = gst_harness_try_pull (c->h0))) {
    fail_if (gst_buffer_get_custom_meta (out, META_NAME) != NULL,
        "output for mismatched frames");
    gst_buffer_unref (out);
  }
}

GST_START_TEST (test_error_size_mismatch)
{
  gchar *caps0 = caps_str ("GRAY8", 64, 48);
  gchar *caps1 = caps_str ("GRAY8", 32, 24);
  GstElement *el = new_element ();
  FramePair f0, f1;
  Ctx c;

  ctx_init (&c, el, NULL, NULL, "video/x-raw,format=RGBA", FALSE);
  push_caps_unchecked (c.h0, caps0);
  push_caps_unchecked (c.h1, caps1);
  gen_pair (&f0, 64, 48, 255, 255, 1);
  gen_pair (&f1, 32, 24, 255, 255, 2);
  gst_harness_push (c.h0, make_buffer (caps0, f0.a, 0));
  gst_harness_push (c.h1, make_buffer (caps1, f1.b, 0));

  check_size_error (&c, "64x48", "32x24", 5 * GST_SECOND);

  ctx_clear (&c);
  free_pair (&f0);
  free_pair (&f1);
  g_free (caps0);
  g_free (caps1);
}

GST_END_TEST;

GST_START_TEST (test_error_block_larger_than_frame)
{
  gchar *caps = caps_str ("GRAY8", 16, 12);
  GstElement *el = new_element ();
  FramePair fp;
  GstMessage *msg;
  gchar *t;
  Ctx c;

  g_object_set (el, "block-width", 32, "block-height", 16, NULL);
  ctx_init (&c, el, NULL, NULL, "video/x-raw,format=RGBA", FALSE);
  push_caps_unchecked (c.h0, caps);
  push_caps_unchecked (c.h1, caps);
  gen_pair (&fp, 16, 12, 255, 255, 5);
  gst_harness_push (c.h0, make_buffer (caps, fp.a, 0));
  gst_harness_push (c.h1, make_buffer (caps, fp.b, 0));

  msg = wait_error (c.bus, 5 * GST_SECOND);
  fail_unless (msg != NULL, "no ERROR for 32x16 blocks on 16x12 frames");
  t = error_text (msg);
  fail_unless (strstr (t, "16x12") != NULL,
      "error does not name the frame size 16x12: %s", t);
  fail_unless (strstr (t, "32x16") != NULL,
      "error does not name the block size 32x16: %s", t);
  g_free (t);
  gst_message_unref (msg);

  ctx_clear (&c);
  free_pair (&fp);
  g_free (caps);
}

GST_END_TEST;

/* Partial mode with a block larger than the frame is one (smaller) block. */
GST_START_TEST (test_partial_block_larger_than_frame)
{
  gchar *caps = caps_str ("GRAY8", 16, 12);
  GstElement *el = new_element ();
  FramePair fp;
  GstBuffer *out;
  RefGrid g;
  Ctx c;

  g_object_set (el, "block-width", 32, "block-height", 16, NULL);
  gst_util_set_object_arg (G_OBJECT (el), "edge-mode", "partial");
  ctx_init (&c, el, caps, caps, "video/x-raw,format=RGBA", FALSE);
  gen_pair (&fp, 16, 12, 255, 255, 5);
  push_pair (&c, caps, caps, &fp, 0);
  out = gst_harness_pull (c.h0);
  fail_unless (out != NULL);
  ref_compute (&fp, 32, 16, TRUE, &g);
  fail_unless_equals_int (g.cols * g.rows, 1);
  check_meta_against_ref (get_meta (out), &g, 32, 16, 0.5, "partial 1x1");
  ref_free (&g);
  gst_buffer_unref (out);
  fail_on_error_message (c.bus, "partial 1x1");
  ctx_clear (&c);
  free_pair (&fp);
  g_free (caps);
}

GST_END_TEST;

GST_START_TEST (test_error_short_buffer)
{
  gchar *caps = caps_str ("GRAY8", 64, 48);
  GstElement *el = new_element ();
  FramePair fp;
  GstMessage *msg;
  GstBuffer *shortbuf;
  GstFlowReturn ret = GST_FLOW_OK;
  gint i;
  Ctx c;

  ctx_init (&c, el, caps, caps, "video/x-raw,format=RGBA", FALSE);
  gen_pair (&fp, 64, 48, 255, 255, 6);

  shortbuf = gst_buffer_new_allocate (NULL, 100, NULL);
  gst_buffer_memset (shortbuf, 0, 7, 100);
  GST_BUFFER_PTS (shortbuf) = 0;
  GST_BUFFER_DURATION (shortbuf) = frame_pts (1);
  gst_harness_push (c.h0, shortbuf);
  gst_harness_push (c.h1, make_buffer (caps, fp.b, 0));

  msg = wait_error (c.bus, 5 * GST_SECOND);
  fail_unless (msg != NULL, "no ERROR for a short buffer");
  gst_message_unref (msg);

  /* Later pushes report the error upstream. */
  for (i = 1; i < 20 && ret == GST_FLOW_OK; i++) {
    ret = gst_harness_push (c.h0, make_buffer (caps, fp.a, frame_pts (i)));
    if (ret == GST_FLOW_OK)
      ret = gst_harness_push (c.h1, make_buffer (caps, fp.b, frame_pts (i)));
    if (ret == GST_FLOW_OK)
      g_usleep (10000);
  }
  fail_unless_equals_int (ret, GST_FLOW_ERROR);

  ctx_clear (&c);
  free_pair (&fp);
  g_free (caps);
}

GST_END_TEST;

GST_START_TEST (test_error_no_pts)
{
  gchar *caps = caps_str ("GRAY8", 64, 48);
  GstElement *el = new_element ();
  FramePair fp;
  GstMessage *msg;
  GstBuffer *out;
  Ctx c;

  ctx_init (&c, el, caps, caps, "video/x-raw,format=RGBA", FALSE);
  gen_pair (&fp, 64, 48, 255, 255, 6);
  gst_harness_push (c.h0, make_buffer (caps, fp.a, GST_CLOCK_TIME_NONE));
  gst_harness_push (c.h1, make_buffer (caps, fp.b, GST_CLOCK_TIME_NONE));

  msg = wait_error (c.bus, 5 * GST_SECOND);
  fail_unless (msg != NULL, "no ERROR for buffers without PTS");
  gst_message_unref (msg);
  while ((out = gst_harness_try_pull (c.h0))) {
    fail_if (gst_buffer_get_custom_meta (out, META_NAME) != NULL,
        "output for untimestamped frames");
    gst_buffer_unref (out);
  }

  ctx_clear (&c);
  free_pair (&fp);
  g_free (caps);
}

GST_END_TEST;

static gboolean
count_log (const gchar * domain, GLogLevelFlags level, const gchar * message,
    gpointer user_data)
{
  g_atomic_int_inc ((gint *) user_data);
  return TRUE;
}

GST_START_TEST (test_third_pad_refused)
{
  GstElement *el = new_element ();
  GstPad *p0, *p1, *p2;
  GstCheckLogFilter *f[3];
  static const gchar *domains[] = { NULL, "GStreamer", "GLib-GObject" };
  gint warnings = 0;
  guint i;

  p0 = gst_element_request_pad_simple (el, "sink_%u");
  p1 = gst_element_request_pad_simple (el, "sink_%u");
  fail_unless (p0 != NULL && p1 != NULL);

  /* A g_warning is allowed (and counted); a critical is not. */
  for (i = 0; i < G_N_ELEMENTS (domains); i++)
    f[i] = gst_check_add_log_filter (domains[i], G_LOG_LEVEL_WARNING,
        g_regex_new (".*", 0, 0, NULL), count_log, &warnings, NULL);
  p2 = gst_element_request_pad_simple (el, "sink_%u");
  fail_unless (p2 == NULL, "third sink pad was created");
  p2 = gst_element_request_pad_simple (el, "sink_2");
  fail_unless (p2 == NULL, "sink_2 was created");
  for (i = 0; i < G_N_ELEMENTS (domains); i++)
    gst_check_remove_log_filter (f[i]);
  GST_INFO ("%d g_warnings for refused pads", warnings);

  /* releasing one lets a new one be requested */
  gst_element_release_request_pad (el, p1);
  gst_object_unref (p1);
  p1 = gst_element_request_pad_simple (el, "sink_%u");
  fail_unless (p1 != NULL, "could not re-request the second pad");

  gst_element_release_request_pad (el, p1);
  gst_element_release_request_pad (el, p0);
  gst_object_unref (p1);
  gst_object_unref (p0);
  gst_object_unref (el);
}

GST_END_TEST;

GST_START_TEST (test_property_ranges)
{
  GstElement *el = new_element ();
  guint v = 0;
  gchar *s;

  g_object_get (el, "block-width", &v, NULL);
  fail_unless_equals_int (v, 16);
  g_object_get (el, "block-height", &v, NULL);
  fail_unless_equals_int (v, 16);

  ASSERT_WARNING (g_object_set (el, "block-width", 0u, NULL));
  g_object_get (el, "block-width", &v, NULL);
  fail_unless_equals_int (v, 16);
  ASSERT_WARNING (g_object_set (el, "block-width", 5000u, NULL));
  g_object_get (el, "block-width", &v, NULL);
  fail_unless_equals_int (v, 16);
  ASSERT_WARNING (g_object_set (el, "block-height", 0u, NULL));
  g_object_get (el, "block-height", &v, NULL);
  fail_unless_equals_int (v, 16);
  ASSERT_WARNING (g_object_set (el, "block-height", 4097u, NULL));
  g_object_get (el, "block-height", &v, NULL);
  fail_unless_equals_int (v, 16);

  g_object_set (el, "block-width", 4096u, "block-height", 1u, NULL);
  g_object_get (el, "block-width", &v, NULL);
  fail_unless_equals_int (v, 4096);
  g_object_get (el, "block-height", &v, NULL);
  fail_unless_equals_int (v, 1);

  /* defaults of the other properties */
  {
    gdouble d;
    gboolean b;

    g_object_get (el, "range-min", &d, NULL);
    fail_unless (isnan (d));
    g_object_get (el, "range-max", &d, NULL);
    fail_unless (isnan (d));
    g_object_get (el, "threshold", &d, NULL);
    fail_unless (d == 0.5);
    g_object_get (el, "min-intensity", &d, NULL);
    fail_unless (d == -1.0);
    g_object_get (el, "invalid-color", &v, NULL);
    fail_unless_equals_int (v, 0xffffffff);
    g_object_get (el, "n-threads", &v, NULL);
    fail_unless_equals_int (v, 0);
    g_object_get (el, "post-messages", &b, NULL);
    fail_unless (b);
    g_object_get (el, "search-radius", &v, NULL);
    fail_unless_equals_int (v, 2);
    g_object_get (el, "min-region-blocks", &v, NULL);
    fail_unless_equals_int (v, 3);
    g_object_get (el, "shift-tolerance", &d, NULL);
    fail_unless (d == 0.25);
  }

  /* enum nicks */
  {
    static const struct
    {
      const gchar *prop, *def;
      const gchar *nicks[9];
    } enums[] = {
      {"edge-mode", "trim", {"trim", "partial", NULL}},
      {"measure", "pearson", {"pearson", "covariance", "mean-0", "mean-1",
              "stddev-0", "stddev-1", "shift", "r-best", NULL}},
      {"colormap", "auto", {"coolwarm", "viridis", "magma", "gray", "auto",
              NULL}},
      {"output-size", "grid", {"grid", "input", NULL}},
    };
    guint e, k;

    for (e = 0; e < G_N_ELEMENTS (enums); e++) {
      GParamSpec *ps = g_object_class_find_property (G_OBJECT_GET_CLASS (el),
          enums[e].prop);
      GEnumClass *ec;
      GValue val = G_VALUE_INIT;

      fail_unless (ps != NULL && G_IS_PARAM_SPEC_ENUM (ps),
          "%s is not an enum property", enums[e].prop);
      ec = G_PARAM_SPEC_ENUM (ps)->enum_class;
      fail_unless_equals_string (g_enum_get_value (ec,
              G_PARAM_SPEC_ENUM (ps)->default_value)->value_nick, enums[e].def);
      for (k = 0; enums[e].nicks[k]; k++) {
        fail_unless (g_enum_get_value_by_nick (ec, enums[e].nicks[k]) != NULL,
            "%s has no nick %s", enums[e].prop, enums[e].nicks[k]);
        gst_util_set_object_arg (G_OBJECT (el), enums[e].prop,
            enums[e].nicks[k]);
        g_value_init (&val, G_PARAM_SPEC_VALUE_TYPE (ps));
        g_object_get_property (G_OBJECT (el), enums[e].prop, &val);
        s = gst_value_serialize (&val);
        g_value_unset (&val);
        fail_unless (s != NULL);
        g_free (s);
      }
    }
  }

  gst_object_unref (el);
}

GST_END_TEST;

GST_START_TEST (test_eos_one_pad)
{
  gchar *caps = caps_str ("GRAY8", 64, 48);
  GstElement *el = new_element ();
  FramePair fp;
  GstBuffer *out;
  gboolean eos = FALSE;
  guint nbufs = 0, nmeta = 0;
  gint64 deadline;
  Ctx c;

  ctx_init (&c, el, caps, caps, "video/x-raw,format=RGBA", FALSE);
  gen_pair (&fp, 64, 48, 255, 255, 9);

  push_pair (&c, caps, caps, &fp, 0);
  fail_unless_equals_int (gst_harness_push (c.h0, make_buffer (caps, fp.a,
              frame_pts (1))), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (c.h1, gst_event_new_eos ()));
  /* a pad holds one queued buffer: this push may wait for frame 1 to be
   * consumed, which needs the EOS on sink_1 to be handled */
  gst_harness_push (c.h0, make_buffer (caps, fp.a, frame_pts (2)));
  /* the element may already be EOS (sink_1 ended), so this push may be
   * refused */
  gst_harness_push_event (c.h0, gst_event_new_eos ());

  deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (!eos && g_get_monotonic_time () < deadline) {
    GstEvent *ev;

    while ((out = gst_harness_try_pull (c.h0))) {
      nbufs++;
      if (gst_buffer_get_custom_meta (out, META_NAME))
        nmeta++;
      gst_buffer_unref (out);
    }
    while ((ev = gst_harness_try_pull_event (c.h0))) {
      if (GST_EVENT_TYPE (ev) == GST_EVENT_EOS)
        eos = TRUE;
      gst_event_unref (ev);
    }
    if (!eos)
      g_usleep (10000);
  }
  while ((out = gst_harness_try_pull (c.h0))) {
    nbufs++;
    if (gst_buffer_get_custom_meta (out, META_NAME))
      nmeta++;
    gst_buffer_unref (out);
  }
  fail_unless (eos, "no EOS on the output");
  fail_unless (nbufs >= 1, "the paired frame was not output");
  fail_unless (nbufs <= 1, "%u buffers output for 1 paired frame", nbufs);
  fail_unless_equals_int (nmeta, nbufs);
  fail_on_error_message (c.bus, "EOS on one pad");

  ctx_clear (&c);
  free_pair (&fp);
  g_free (caps);
}

GST_END_TEST;

GST_START_TEST (test_eos_both_pads)
{
  gchar *caps = caps_str ("GRAY8", 64, 48);
  GstElement *el = new_element ();
  FramePair fp;
  GstBuffer *out;
  guint n;
  Ctx c;

  ctx_init (&c, el, caps, caps, "video/x-raw,format=RGBA", FALSE);
  gen_pair (&fp, 64, 48, 255, 255, 10);
  for (n = 0; n < 3; n++)
    push_pair (&c, caps, caps, &fp, n);
  fail_unless (gst_harness_push_event (c.h0, gst_event_new_eos ()));
  fail_unless (gst_harness_push_event (c.h1, gst_event_new_eos ()));
  n = 0;
  while (gst_harness_pull_until_eos (c.h0, &out) && out) {
    fail_unless_equals_uint64 (get_uint64 (get_meta (out), "frame"), n);
    n++;
    gst_buffer_unref (out);
    fail_unless (n <= 3);
  }
  fail_unless_equals_int (n, 3);
  fail_on_error_message (c.bus, "EOS on both pads");

  ctx_clear (&c);
  free_pair (&fp);
  g_free (caps);
}

GST_END_TEST;

GST_START_TEST (test_state_cycles)
{
  gchar *caps = caps_str ("GRAY8", 64, 48);
  GstElement *el = new_element ();
  FramePair fp;
  guint i;
  Ctx c;

  ctx_init (&c, el, caps, caps, "video/x-raw,format=RGBA", FALSE);
  gen_pair (&fp, 64, 48, 255, 255, 11);

  for (i = 0; i < 20; i++) {
    GstBuffer *out;
    gchar *sid;

    push_pair (&c, caps, caps, &fp, 0);
    out = gst_harness_pull (c.h0);
    fail_unless (out != NULL, "no output in cycle %u", i);
    get_uint64 (get_meta (out), "frame");
    gst_buffer_unref (out);

    fail_unless (gst_element_set_state (c.el, GST_STATE_NULL) ==
        GST_STATE_CHANGE_SUCCESS);
    fail_unless (gst_element_set_state (c.el, GST_STATE_PLAYING) !=
        GST_STATE_CHANGE_FAILURE);
    fail_unless (gst_element_get_state (c.el, NULL, NULL,
            5 * GST_SECOND) != GST_STATE_CHANGE_FAILURE);

    /* the element's pads lost their sticky events: send them again */
    sid = g_strdup_printf ("s0-%u", i);
    gst_harness_push_event (c.h0, gst_event_new_stream_start (sid));
    g_free (sid);
    sid = g_strdup_printf ("s1-%u", i);
    gst_harness_push_event (c.h1, gst_event_new_stream_start (sid));
    g_free (sid);
    gst_harness_set_src_caps_str (c.h0, caps);
    gst_harness_set_src_caps_str (c.h1, caps);
    /* drop what was queued on the harness sink */
    while ((out = gst_harness_try_pull (c.h0)))
      gst_buffer_unref (out);
  }
  fail_on_error_message (c.bus, "state cycles");

  /* PLAYING -> NULL with frames queued on one pad only */
  fail_unless_equals_int (gst_harness_push (c.h0, make_buffer (caps, fp.a,
              0)), GST_FLOW_OK);
  fail_unless (gst_element_set_state (c.el, GST_STATE_NULL) ==
      GST_STATE_CHANGE_SUCCESS);
  fail_unless (gst_element_set_state (c.el, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);

  ctx_clear (&c);
  free_pair (&fp);
  g_free (caps);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Test 7: caps changes one frame at a time */

/* The output for the pair just pushed.  gst_harness_pull() waits at most
 * 60 s, so an element that waits for more input fails here instead of
 * hanging the suite. */
static GstBuffer *
pull_output (Ctx * c, const gchar * what)
{
  GstBuffer *out = gst_harness_pull (c->h0);

  fail_unless (out != NULL, "%s: no output for the pair pushed", what);
  return out;
}

/* Caps of GRAY frames at FPS, or of still images (framerate 0/1). */
static gchar *
caps_at_rate (const gchar * fmt, gint w, gint h, gboolean still)
{
  return still ? g_strdup_printf ("video/x-raw,format=%s,width=%d,height=%d,"
      "framerate=0/1", fmt, w, h) : caps_str (fmt, w, h);
}

/* Pushes one pair with the given caps (still images have no duration),
 * pulls its output and checks its grids against the reference and its
 * size (one pixel per block). */
static void
check_pair_at_rate (Ctx * c, const gchar * caps0, const gchar * caps1,
    const FramePair * fp, guint n, guint bw, guint bh, gboolean still,
    const gchar * what)
{
  GstBuffer *out, *in0, *in1;
  RefGrid g;
  gint w, h;

  in0 = make_buffer (caps0, fp->a, frame_pts (n));
  in1 = make_buffer (caps1, fp->b, frame_pts (n));
  if (still)
    GST_BUFFER_DURATION (in0) = GST_BUFFER_DURATION (in1) = GST_CLOCK_TIME_NONE;
  fail_unless_equals_int (gst_harness_push (c->h0, in0), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_push (c->h1, in1), GST_FLOW_OK);
  out = pull_output (c, what);
  ref_compute (fp, bw, bh, FALSE, &g);
  check_meta_against_ref (get_meta (out), &g, bw, bh, 0.5, what);
  get_out_size (c, &w, &h);
  fail_unless_equals_int (w, g.cols);
  fail_unless_equals_int (h, g.rows);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), frame_pts (n));
  ref_free (&g);
  gst_buffer_unref (out);
}

static void
check_one_pair (Ctx * c, const gchar * caps0, const gchar * caps1,
    const FramePair * fp, guint n, guint bw, guint bh, const gchar * what)
{
  check_pair_at_rate (c, caps0, caps1, fp, n, bw, bh, FALSE, what);
}

/* Push one pair, pull one output: a change of caps on one input, then on
 * both (format and size), gives the output of the first pair with the new
 * caps without waiting for another pair.  Video (30 fps), then still images
 * (framerate 0/1, no durations, as an image sequence gives). */
GST_START_TEST (test_caps_change_one_pair_at_a_time)
{
  gboolean still = __i__ == 1;
  gchar *gray16 = caps_at_rate ("GRAY16_LE", 64, 48, still);
  gchar *gray8 = caps_at_rate ("GRAY8", 64, 48, still);
  gchar *small8 = caps_at_rate ("GRAY8", 32, 24, still);
  gchar *small16 = caps_at_rate ("GRAY16_BE", 32, 24, still);
  GstElement *el = new_element ();
  FramePair p0, p1, p2, p3;
  Ctx c;

  g_object_set (el, "block-width", 8u, "block-height", 8u, NULL);
  ctx_init (&c, el, gray16, gray16, NULL, FALSE);
  gen_pair (&p0, 64, 48, 65535, 65535, 21);
  gen_pair (&p1, 64, 48, 65535, 255, 22);
  gen_pair (&p2, 32, 24, 255, 255, 23);
  gen_pair (&p3, 32, 24, 65535, 65535, 24);

  check_pair_at_rate (&c, gray16, gray16, &p0, 0, 8, 8, still, "GRAY16 64x48");
  /* sink_1 alone: GRAY16_LE -> GRAY8 */
  gst_harness_set_src_caps_str (c.h1, gray8);
  check_pair_at_rate (&c, gray16, gray8, &p1, 1, 8, 8, still, "sink_1 GRAY8");
  /* both: 64x48 -> 32x24, sink_0 also GRAY16_LE -> GRAY8 */
  gst_harness_set_src_caps_str (c.h0, small8);
  gst_harness_set_src_caps_str (c.h1, small8);
  check_pair_at_rate (&c, small8, small8, &p2, 2, 8, 8, still,
      "both 32x24 GRAY8");
  /* both: GRAY8 -> GRAY16_BE, same size */
  gst_harness_set_src_caps_str (c.h0, small16);
  gst_harness_set_src_caps_str (c.h1, small16);
  check_pair_at_rate (&c, small16, small16, &p3, 3, 8, 8, still,
      "both GRAY16_BE");
  /* and back to the first caps */
  gst_harness_set_src_caps_str (c.h0, gray16);
  gst_harness_set_src_caps_str (c.h1, gray16);
  check_pair_at_rate (&c, gray16, gray16, &p0, 4, 8, 8, still,
      "GRAY16 64x48 again");

  fail_on_error_message (c.bus, "caps changes");
  ctx_clear (&c);
  free_pair (&p0);
  free_pair (&p1);
  free_pair (&p2);
  free_pair (&p3);
  g_free (gray16);
  g_free (gray8);
  g_free (small8);
  g_free (small16);
}

GST_END_TEST;

/* A size change on one input only, mid-stream: an element error naming both
 * sizes, not a wait for more input. */
GST_START_TEST (test_caps_change_size_mismatch)
{
  gchar *caps = caps_str ("GRAY8", 32, 24);
  gchar *other = caps_str ("GRAY8", 48, 32);
  GstElement *el = new_element ();
  FramePair fp, fo;
  Ctx c;

  ctx_init (&c, el, caps, caps, NULL, FALSE);
  gen_pair (&fp, 32, 24, 255, 255, 31);
  gen_pair (&fo, 48, 32, 255, 255, 32);
  check_one_pair (&c, caps, caps, &fp, 0, 16, 16, "before");

  gst_harness_set_src_caps_str (c.h0, other);
  /* The pushes may be refused once the element has failed. */
  gst_harness_push (c.h0, make_buffer (other, fo.a, frame_pts (1)));
  gst_harness_push (c.h1, make_buffer (caps, fp.b, frame_pts (1)));
  check_size_error (&c, "48x32", "32x24", 30 * GST_SECOND);

  ctx_clear (&c);
  free_pair (&fp);
  free_pair (&fo);
  g_free (caps);
  g_free (other);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Test 8: geometry properties while playing */

/* Pops the first WARNING within timeout and returns its text, or NULL. */
static gchar *
pop_warning_text (GstBus * bus, GstClockTime timeout)
{
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, timeout,
      GST_MESSAGE_WARNING);
  GError *err = NULL;
  gchar *dbg = NULL, *ret;

  if (!msg)
    return NULL;
  gst_message_parse_warning (msg, &err, &dbg);
  ret = g_strdup_printf ("%s | %s", err ? err->message : "", dbg ? dbg : "");
  g_clear_error (&err);
  g_free (dbg);
  gst_message_unref (msg);
  return ret;
}

/* Sets prop to value (a launch-line string) and checks that it is refused:
 * the old value stays and one warning names the property, the value and
 * the frame size. */
static void
check_refused (Ctx * c, const gchar * prop, const gchar * value,
    const gchar * frame_size)
{
  GValue before = G_VALUE_INIT, after = G_VALUE_INIT;
  GParamSpec *ps = g_object_class_find_property (G_OBJECT_GET_CLASS (c->el),
      prop);
  gchar *t, *want;

  g_value_init (&before, ps->value_type);
  g_value_init (&after, ps->value_type);
  g_object_get_property (G_OBJECT (c->el), prop, &before);
  gst_util_set_object_arg (G_OBJECT (c->el), prop, value);
  g_object_get_property (G_OBJECT (c->el), prop, &after);
  fail_unless (g_param_values_cmp (ps, &before, &after) == 0,
      "%s=%s was not refused", prop, value);
  g_value_unset (&before);
  g_value_unset (&after);

  t = pop_warning_text (c->bus, 0);
  fail_unless (t != NULL, "no warning for %s=%s", prop, value);
  want = g_strdup_printf ("%s=%s", prop, value);
  fail_unless (strstr (t, want) && strstr (t, frame_size),
      "the warning does not name %s and the frame size %s: %s", want,
      frame_size, t);
  g_free (want);
  g_free (t);
}

/* A block larger than the frame (with edge-mode=trim) set while playing is
 * refused as a value: the stream goes on with the old one. */
GST_START_TEST (test_geometry_refused_while_playing)
{
  gchar *caps = caps_str ("GRAY8", 64, 48);
  GstElement *el = new_element ();
  FramePair fp;
  GstBuffer *out;
  guint v;
  Ctx c;

  ctx_init (&c, el, caps, caps, NULL, FALSE);
  gen_pair (&fp, 64, 48, 255, 255, 41);
  check_one_pair (&c, caps, caps, &fp, 0, 16, 16, "before");

  check_refused (&c, "block-width", "65", "64x48");
  check_refused (&c, "block-height", "49", "64x48");
  check_one_pair (&c, caps, caps, &fp, 1, 16, 16, "after the refusals");

  /* values that fit are taken (the frame's own size is one block) */
  g_object_set (c.el, "block-width", 64u, "block-height", 48u, NULL);
  check_one_pair (&c, caps, caps, &fp, 2, 64, 48, "one block");

  /* with edge-mode=partial any block fits; back to trim it does not */
  gst_util_set_object_arg (G_OBJECT (c.el), "edge-mode", "partial");
  g_object_set (c.el, "block-width", 100u, NULL);
  g_object_get (c.el, "block-width", &v, NULL);
  fail_unless_equals_int (v, 100);
  push_pair (&c, caps, caps, &fp, 3);
  out = pull_output (&c, "partial 100x48");
  fail_unless_equals_int (get_uint (get_meta (out), "cols"), 1);
  gst_buffer_unref (out);
  check_refused (&c, "edge-mode", "trim", "64x48");

  fail_on_error_message (c.bus, "geometry while playing");
  ctx_clear (&c);
  free_pair (&fp);
  g_free (caps);
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
blockcorr_suite (void)
{
  Suite *s = suite_create ("blockcorr");
  TCase *tc;

  tc = tcase_create ("setup");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_leaks_tracer_active);

  tc = tcase_create ("reference");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_reference_data_sanity);
  tcase_add_loop_test (tc, test_grid_reference, 0, G_N_ELEMENTS (grid_cases));
  tcase_add_test (tc, test_partial_block_larger_than_frame);

  tc = tcase_create ("heatmap");
  suite_add_tcase (s, tc);
  tcase_add_loop_test (tc, test_heatmap_pixels, 0,
      G_N_ELEMENTS (heatmap_formats));
  tcase_add_test (tc, test_heatmap_range_gray8);
  tcase_add_test (tc, test_heatmap_widest_range);
  tcase_add_test (tc, test_heatmap_colormaps);
  tcase_add_test (tc, test_measures);
  tcase_add_test (tc, test_min_intensity);
  tcase_add_test (tc, test_partial_input_size_matches_grid);

  tc = tcase_create ("meta");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_meta_and_messages);
  tcase_add_test (tc, test_no_messages);
  tcase_add_test (tc, test_grid_memory_reused);

  tc = tcase_create ("threads");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_threads_identical);

  tc = tcase_create ("renegotiation");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_renegotiation);
  tcase_add_loop_test (tc, test_caps_change_one_pair_at_a_time, 0, 2);
  tcase_add_test (tc, test_caps_change_size_mismatch);
  tcase_add_test (tc, test_geometry_refused_while_playing);

  tc = tcase_create ("robustness");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_error_size_mismatch);
  tcase_add_test (tc, test_error_block_larger_than_frame);
  tcase_add_test (tc, test_error_short_buffer);
  tcase_add_test (tc, test_error_no_pts);
  tcase_add_test (tc, test_third_pad_refused);
  tcase_add_test (tc, test_property_ranges);
  tcase_add_test (tc, test_eos_one_pad);
  tcase_add_test (tc, test_eos_both_pads);
  tcase_add_test (tc, test_state_cycles);

  return s;
}

GST_CHECK_MAIN (blockcorr);
