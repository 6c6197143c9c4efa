/* gst-blockwise: blockcorr's displacement search, background estimate and
 * verdict, through the element.
 *
 * The grids dx, dy and r-best are checked against a brute-force search
 * written here (double precision, two passes per block and offset, the
 * sub-pixel fit and refinement of ref-subpixel.h); the
 * verdict and the regions against the shifts the test builds into its
 * frames.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <gst/video/video.h>
#include "blockcorr-harness.h"
#include "ref-subpixel.h"
#include "gray16-frames.h"

#define W 192
#define H 128
#define BS 16

/* Runs one pair through a blockcorr set up by props (name/value strings,
 * NULL-terminated); returns the output buffer (with its meta). */
static GstBuffer *
run_pair (const guint16 * a, const guint16 * b, gint w, gint h,
    const gchar * outcaps, const gchar ** props)
{
  gchar *caps = caps_str ("GRAY16_LE", w, h);
  GstElement *el = new_element ();
  GstBuffer *out;
  Ctx c;
  guint i;

  for (i = 0; props && props[i]; i += 2)
    gst_util_set_object_arg (G_OBJECT (el), props[i], props[i + 1]);
  ctx_init (&c, el, caps, caps, outcaps, FALSE);
  fail_unless_equals_int (gst_harness_push (c.h0, gray16_buffer (a, w, h, 0)),
      GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_push (c.h1, gray16_buffer (b, w, h, 0)),
      GST_FLOW_OK);
  out = gst_harness_pull (c.h0);
  fail_unless (out != NULL);
  fail_on_error_message (c.bus, "run_pair");
  ctx_clear (&c);
  g_free (caps);
  return out;
}

/* r of A's block (x0, y0, BS x BS) against B's window moved by (dx, dy);
 * NaN outside the frame or where a side is flat. */
/* A sample of a W-wide frame, for ref_refine(). */
static gdouble
frame_sample (gconstpointer frame, gint x, gint y)
{
  return ((const guint16 *) frame)[y * W + x];
}

static gdouble
ref_r (const guint16 * a, const guint16 * b, gint w, gint h, gint x0,
    gint y0, gint dx, gint dy)
{
  gdouble ma = 0, mb = 0, saa = 0, sbb = 0, sab = 0;
  gint x, y;

  if (x0 + dx < 0 || y0 + dy < 0 || x0 + BS + dx > w || y0 + BS + dy > h)
    return NAN;
  for (y = 0; y < BS; y++)
    for (x = 0; x < BS; x++) {
      ma += a[(y0 + y) * w + x0 + x];
      mb += b[(y0 + y + dy) * w + x0 + x + dx];
    }
  ma /= BS * BS;
  mb /= BS * BS;
  for (y = 0; y < BS; y++)
    for (x = 0; x < BS; x++) {
      gdouble u = a[(y0 + y) * w + x0 + x] - ma;
      gdouble v = b[(y0 + y + dy) * w + x0 + x + dx] - mb;

      saa += u * u;
      sbb += v * v;
      sab += u * v;
    }
  return saa == 0 || sbb == 0 ? NAN : sab / sqrt (saa * sbb);
}


/* The grids against the brute-force search, for a pair with a global
 * shift and one with smooth texture (where the sub-pixel part matters). */
GST_START_TEST (test_grids_against_brute_force)
{
  const gint R = 2;
  const gchar *props[] = { "search-radius", "2", NULL };
  guint16 *a = random_texture (W, H, 1), *b;
  gint pass;

  for (pass = 0; pass < 2; pass++) {
    const GstStructure *s;
    const gfloat *dx, *dy, *rb;
    GstBuffer *out;
    gint cols = W / BS, rows = H / BS, k;

    if (pass == 1) {
      /* Smooth: a sum of waves, so r varies gently with the offset. */
      gint i;

      for (i = 0; i < W * H; i++)
        a[i] = 30000 + 12000 * sin ((i % W) * 0.31 + (i / W) * 0.17)
            + 9000 * cos ((i / W) * 0.23 - (i % W) * 0.07) + (i * 7919) % 997;
    }
    b = shifted (a, W, H, 1, -2, 0, 0, 0, 0);
    out = run_pair (a, b, W, H, NULL, props);
    s = get_meta (out);
    dx = get_grid (s, "dx", cols * rows);
    dy = get_grid (s, "dy", cols * rows);
    rb = get_grid (s, "r-best", cols * rows);
    for (k = 0; k < cols * rows; k++) {
      gdouble cube[5][5], best = -INFINITY;
      gint bx = 0, by = 0, ox, oy;

      for (oy = -R; oy <= R; oy++)
        for (ox = -R; ox <= R; ox++) {
          cube[oy + R][ox + R] = ref_r (a, b, W, H, (k % cols) * BS,
              (k / cols) * BS, ox, oy);
          if (cube[oy + R][ox + R] > best) {
            best = cube[oy + R][ox + R];
            bx = ox;
            by = oy;
          }
        }
      fail_unless (fabs (rb[k] - best) < 1e-5, "block %d: r-best %g, "
          "expected %g", k, rb[k], best);
      {
        gdouble ex, ey, nb[3][3];
        gint i, j;

        for (j = -1; j <= 1; j++)
          for (i = -1; i <= 1; i++)
            nb[j + 1][i + 1] = ABS (bx + i) > R || ABS (by + j) > R ?
                (atanh (MIN (best, 0.999999)) * sqrt (BS * BS - 3.0) > 5.0 ?
                ref_r (a, b, W, H, (k % cols) * BS, (k / cols) * BS, bx + i,
                    by + j) : NAN) : cube[by + j + R][bx + i + R];
        ref_subpixel (nb, &ex, &ey);
        ex += bx;
        ey += by;
        /* Refined by window deformation where the peak is signal and
         * within the radius. */
        if (ABS (bx) < R && ABS (by) < R
            && atanh (MIN (best, 0.999999)) * sqrt (BS * BS - 3.0) > 5.0
            && ref_peak_wide (nb, best))
          ref_refine (frame_sample, a, frame_sample, b, W, H,
              (k % cols) * BS, (k / cols) * BS, BS, BS, &ex, &ey);

        fail_unless (fabs (dx[k] - ex) < 1e-3 && fabs (dy[k] - ey) < 1e-3,
            "block %d: (%g, %g), expected (%g, %g)", k, dx[k], dy[k], ex, ey);
      }
    }
    gst_buffer_unref (out);
    g_free (b);
  }
  g_free (a);
}

GST_END_TEST;

static const gchar *
get_string (const GstStructure * s, const gchar * name)
{
  const gchar *v = gst_structure_get_string (s, name);

  fail_unless (v != NULL, "no string field %s in %" GST_PTR_FORMAT, name, s);
  return v;
}

/* Identical frames: registered; the whole frame moved: shifted by that. */
GST_START_TEST (test_verdict_global)
{
  const gchar *props[] = { "search-radius", "2", NULL };
  guint16 *a = random_texture (W, H, 2);
  guint16 *b = shifted (a, W, H, -2, 1, 0, 0, 0, 0);
  GstBuffer *out;
  const GstStructure *s;

  out = run_pair (a, a, W, H, NULL, props);
  s = get_meta (out);
  fail_unless_equals_string (get_string (s, "verdict"), "registered");
  fail_unless (fabs (get_double (s, "shift-x")) < 0.05
      && fabs (get_double (s, "shift-y")) < 0.05);
  fail_unless_equals_int (get_uint (s, "regions"), 0);
  gst_buffer_unref (out);

  out = run_pair (a, b, W, H, NULL, props);
  s = get_meta (out);
  fail_unless_equals_string (get_string (s, "verdict"), "needs-registration");
  fail_unless (fabs (get_double (s, "shift-x") + 2) < 0.1, "shift-x %g",
      get_double (s, "shift-x"));
  fail_unless (fabs (get_double (s, "shift-y") - 1) < 0.1, "shift-y %g",
      get_double (s, "shift-y"));
  fail_unless_equals_int (get_uint (s, "regions"), 0);
  gst_buffer_unref (out);
  g_free (a);
  g_free (b);
}

GST_END_TEST;

/* One square moved by (2, 2): one region, where it is. */
GST_START_TEST (test_verdict_region)
{
  const gchar *props[] = { "search-radius", "2", NULL };
  guint16 *a = random_texture (256, 256, 3);
  guint16 *b = shifted (a, 256, 256, 2, 2, 96, 64, 160, 128);
  GstBuffer *out;
  const GstStructure *s, *reg;
  const GValue *regions;
  guint x, y, w, h;
  gdouble ix, iy, inter, uni;

  out = run_pair (a, b, 256, 256, NULL, props);
  s = get_meta (out);
  fail_unless_equals_string (get_string (s, "verdict"), "needs-registration");
  fail_unless_equals_int (get_uint (s, "regions"), 1);
  regions = gst_structure_get_value (s, "largest-regions");
  fail_unless (regions && GST_VALUE_HOLDS_ARRAY (regions));
  fail_unless_equals_int (gst_value_array_get_size (regions), 1);
  reg = gst_value_get_structure (gst_value_array_get_value (regions, 0));
  x = get_uint (reg, "x");
  y = get_uint (reg, "y");
  w = get_uint (reg, "width");
  h = get_uint (reg, "height");
  /* Intersection over union with the moved square. */
  ix = MAX (0.0, MIN (x + w, 160.0) - MAX (x, 96.0));
  iy = MAX (0.0, MIN (y + h, 128.0) - MAX (y, 64.0));
  inter = ix * iy;
  uni = (gdouble) w *h + 64.0 * 64.0 - inter;
  fail_unless (inter / uni >= 0.5, "region %u,%u %ux%u", x, y, w, h);
  fail_unless (fabs (get_double (reg, "shift-x") - 2) < 0.2
      && fabs (get_double (reg, "shift-y") - 2) < 0.2);
  fail_unless (fabs (get_double (s, "shift-x")) < 0.1);
  gst_buffer_unref (out);
  g_free (a);
  g_free (b);
}

GST_END_TEST;

/* A square whose content changed (another texture): one region of
 * unmatched blocks, no displacement.  A flat, noisy half beside textured
 * content, registered: nothing. */
GST_START_TEST (test_unmatched)
{
  const gchar *props[] = { "search-radius", "2", NULL };
  guint16 *a = random_texture (256, 256, 7), *other = random_texture (256,
      256, 8);
  guint16 *b = g_memdup2 (a, 256 * 256 * 2);
  GRand *rnd = g_rand_new_with_seed (9);
  GstBuffer *out;
  const GstStructure *s, *reg;
  gint x, y;

  for (y = 64; y < 128; y++)
    for (x = 128; x < 192; x++)
      b[y * 256 + x] = other[y * 256 + x];
  out = run_pair (a, b, 256, 256, NULL, props);
  s = get_meta (out);
  fail_unless_equals_string (get_string (s, "verdict"), "needs-registration");
  fail_unless_equals_int (get_uint (s, "regions"), 1);
  reg = gst_value_get_structure (gst_value_array_get_value
      (gst_structure_get_value (s, "largest-regions"), 0));
  fail_unless_equals_int (get_uint (reg, "x"), 128);
  fail_unless_equals_int (get_uint (reg, "y"), 64);
  fail_unless_equals_int (get_uint (reg, "width"), 64);
  fail_unless_equals_int (get_uint (reg, "height"), 64);
  fail_unless_equals_int (get_uint (reg, "unmatched"), 16);
  fail_unless (isnan (get_double (reg, "shift-x")));
  gst_buffer_unref (out);

  /* Left half textured, right half flat and brighter, with independent
   * photon-like noise everywhere (its variance grows with the level). */
  for (y = 0; y < 256; y++)
    for (x = 0; x < 256; x++) {
      gdouble level = x < 128 ? 2000 + a[y * 256 + x] / 64.0 : 40000;
      gdouble sd = sqrt (level);

      a[y * 256 + x] = level + g_rand_double_range (rnd, -1.7, 1.7) * sd;
      b[y * 256 + x] = level + g_rand_double_range (rnd, -1.7, 1.7) * sd;
    }
  out = run_pair (a, b, 256, 256, NULL, props);
  s = get_meta (out);
  fail_unless_equals_string (get_string (s, "verdict"), "registered");
  fail_unless_equals_int (get_uint (s, "regions"), 0);
  gst_buffer_unref (out);
  g_rand_free (rnd);
  g_free (a);
  g_free (b);
  g_free (other);
}

GST_END_TEST;

/* Without a search, unrelated images are not registered: nothing
 * correlates (uncorrelated); the same image is. */
GST_START_TEST (test_no_search_uncorrelated)
{
  const gchar *props[] = { "search-radius", "0", NULL };
  guint16 *a = random_texture (W, H, 11), *b = random_texture (W, H, 12);
  GstBuffer *out;
  const GstStructure *s;
  gboolean unc = FALSE;

  out = run_pair (a, b, W, H, NULL, props);
  s = get_meta (out);
  fail_unless_equals_string (get_string (s, "verdict"), "needs-registration");
  fail_unless (gst_structure_get_boolean (s, "uncorrelated", &unc) && unc);
  gst_buffer_unref (out);
  out = run_pair (a, a, W, H, NULL, props);
  s = get_meta (out);
  fail_unless_equals_string (get_string (s, "verdict"), "registered");
  fail_unless (gst_structure_get_boolean (s, "uncorrelated", &unc) && !unc);
  gst_buffer_unref (out);
  g_free (a);
  g_free (b);
}

GST_END_TEST;

/* Bright textured patches on a dark noisy background: with min-intensity
 * -1 the background blocks are found and left out, the patches are not. */
GST_START_TEST (test_estimated_background)
{
  const gchar *props[] = { "search-radius", "1", "min-intensity", "-1",
    NULL
  };
  GRand *rnd = g_rand_new_with_seed (4);
  guint16 *a = g_new (guint16, W * H), *b = g_new (guint16, W * H);
  const gint cols = W / BS, rows = H / BS;
  gboolean patch[8][12];
  guint expect_bg = 0, k, bg;
  const gfloat *r;
  GstBuffer *out;
  const GstStructure *s;
  gint i;

  /* Patches on every third block, textured alike in both images. */
  for (k = 0; k < (guint) (cols * rows); k++) {
    patch[k / cols][k % cols] = k % 3 == 0;
    expect_bg += k % 3 != 0;
  }
  for (i = 0; i < W * H; i++) {
    gint bx = (i % W) / BS, by = (i / W) / BS;
    gdouble texture = patch[by][bx] ? 2000 + 1500 * sin (i * 0.37) : 0;

    a[i] = 200 + texture + g_rand_double_range (rnd, -20, 20);
    b[i] = 300 + 1.5 * texture + g_rand_double_range (rnd, -20, 20);
  }
  out = run_pair (a, b, W, H, NULL, props);
  s = get_meta (out);
  r = get_grid (s, "r", cols * rows);
  bg = get_uint (s, "background");
  for (k = 0; k < (guint) (cols * rows); k++)
    if (patch[k / cols][k % cols])
      fail_if (isnan (r[k]), "patch block %u taken as background", k);
  /* Nearly all noise blocks are background (noise can lift a few). */
  fail_unless (bg <= expect_bg && bg >= expect_bg * 9 / 10,
      "%u background blocks, %u noise blocks", bg, expect_bg);
  fail_unless (get_double (s, "min-intensity-0") > 200
      && get_double (s, "min-intensity-0") < 400);
  fail_unless_equals_string (get_string (s, "verdict"), "registered");
  gst_buffer_unref (out);
  g_rand_free (rnd);
  g_free (a);
  g_free (b);
}

GST_END_TEST;

/* measure=shift on GRAY8: the length of (dx, dy) over 0..search-radius. */
GST_START_TEST (test_shift_heatmap)
{
  const gchar *props[] = { "search-radius", "2", "measure", "shift", NULL };
  guint16 *a = random_texture (W, H, 5);
  guint16 *b = shifted (a, W, H, 1, 0, 0, 0, 0, 0);
  gchar *outcaps = caps_str ("GRAY8", W / BS, H / BS);
  GstBuffer *out = run_pair (a, b, W, H, outcaps, props);
  const GstStructure *s = get_meta (out);
  const gfloat *dx = get_grid (s, "dx", (W / BS) * (H / BS));
  const gfloat *dy = get_grid (s, "dy", (W / BS) * (H / BS));
  GstMapInfo map;
  gint k, checked = 0;

  fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
  for (k = 0; k < (W / BS) * (H / BS); k++) {
    gint x = k % (W / BS), y = k / (W / BS);
    gdouble len = hypot (dx[k], dy[k]);
    /* GRAY8 rows are padded to 4 bytes. */
    guint8 px = map.data[y * GST_ROUND_UP_4 (W / BS) + x];

    if (isnan (len))
      continue;
    fail_unless (ABS (px - 255.0 * MIN (len / 2.0, 1.0)) <= 1.0,
        "block %d: %u for " "a shift of %g px", k, px, len);
    checked++;
  }
  fail_unless (checked > 0);
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);
  g_free (outcaps);
  g_free (a);
  g_free (b);
}

GST_END_TEST;

/* The search's grids and the verdict do not depend on the threads. */
GST_START_TEST (test_threads_identical)
{
  const gchar *names[] = { "r", "dx", "dy", "r-best" };
  guint16 *a = random_texture (W, H * 2, 6);
  guint16 *b = shifted (a, W, H * 2, 1, 1, 32, 32, 128, 160);
  GstBuffer *outs[3];
  guint t, i;

  for (t = 0; t < 3; t++) {
    gchar threads[8];
    const gchar *props[] = { "search-radius", "3", "min-intensity", "-1",
      "n-threads", threads, NULL
    };

    g_snprintf (threads, sizeof (threads), "%u", t + 1);
    outs[t] = run_pair (a, b, W, H * 2, NULL, props);
  }
  for (t = 1; t < 3; t++) {
    const GstStructure *s0 = get_meta (outs[0]), *s = get_meta (outs[t]);

    for (i = 0; i < G_N_ELEMENTS (names); i++)
      fail_unless (memcmp (get_grid (s0, names[i], 12 * 16),
              get_grid (s, names[i], 12 * 16), 12 * 16 * 4) == 0,
          "%s differs with %u threads", names[i], t + 1);
    fail_unless_equals_string (get_string (s0, "verdict"),
        get_string (s, "verdict"));
    fail_unless (get_double (s0, "shift-x") == get_double (s, "shift-x"));
    fail_unless_equals_int (get_uint (s0, "regions"), get_uint (s, "regions"));
  }
  for (t = 0; t < 3; t++)
    gst_buffer_unref (outs[t]);
  g_free (a);
  g_free (b);
}

GST_END_TEST;

static Suite *
search_suite (void)
{
  Suite *s = suite_create ("search");
  TCase *tc = tcase_create ("search");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_grids_against_brute_force);
  tcase_add_test (tc, test_verdict_global);
  tcase_add_test (tc, test_verdict_region);
  tcase_add_test (tc, test_estimated_background);
  tcase_add_test (tc, test_unmatched);
  tcase_add_test (tc, test_no_search_uncorrelated);
  tcase_add_test (tc, test_shift_heatmap);
  tcase_add_test (tc, test_threads_identical);
  return s;
}

GST_CHECK_MAIN (search);
