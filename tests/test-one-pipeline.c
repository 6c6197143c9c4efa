/* gst-blockwise: the element and the library run one pipeline.
 *
 * The same pairs go through blockcorr (its meta and message) and through
 * bw_check_registration() (the call the Python package makes) with the
 * same settings; every grid must be identical bit for bit and every
 * summary field equal, for several settings: search radius 0 and 2,
 * background off, fixed and estimated, one and two threads, trimmed and
 * partial edges.  (The numbers themselves are checked against independent
 * references by test-blockcorr, test-search-element and test-verdict.)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>
#include <gst/video/video.h>
#include "blockcorr-harness.h"
#include "gray16-frames.h"
#include "registration.h"

#define W 200
#define H 136

/* A smooth texture over the right two thirds, a dark noisy floor (camera
 * offset and read noise) on the left: background for the estimate.  In
 * 16-bit samples; 8-bit frames take the top byte. */
static guint16 *
scene (guint32 seed)
{
  guint16 *t = smooth_texture (W, H, seed);
  GRand *rnd = g_rand_new_with_seed (seed + 1);
  gint x, y;

  for (y = 0; y < H; y++)
    for (x = 0; x < W / 3; x++)
      t[y * W + x] = 2000 + g_rand_int_range (rnd, 0, 700);
  g_rand_free (rnd);
  return t;
}

typedef struct
{
  const gchar *name;
  guint radius;
  gdouble min_intensity;
  guint threads;
  gboolean partial;
  guint block;
  gboolean gray8[2];            /* else GRAY16_LE */
} Setting;

static const Setting settings[] = {
  {"defaults", BW_DEFAULT_SEARCH_RADIUS, BW_AUTO, 0, FALSE, 16, {0, 0}},
  {"radius 0, background off", 0, 0.0, 1, FALSE, 16, {0, 0}},
  {"radius 2, fixed background", 2, 2500.0, 2, TRUE, 12, {0, 0}},
  {"radius 1, estimated, partial", 1, BW_AUTO, 1, TRUE, 10, {0, 0}},
  {"radius 0, estimated", 0, BW_AUTO, 2, FALSE, 8, {0, 0}},
  {"GRAY8, defaults", BW_DEFAULT_SEARCH_RADIUS, BW_AUTO, 2, FALSE, 16, {1, 1}},
  {"GRAY8 against GRAY16, fixed", 2, 10.0, 1, TRUE, 12, {1, 0}},
  {"GRAY16 against GRAY8, estimated", 1, BW_AUTO, 2, FALSE, 10, {0, 1}},
};

/* The frame in the setting's format: the samples for the library, and a
 * buffer for the element. */
typedef struct
{
  gpointer samples;
  BwPlane plane;
  GstBuffer *buffer;
} Frame;

static void
frame_make (Frame * f, const guint16 * v, gboolean gray8)
{
  gsize i, n = (gsize) W * H;

  if (gray8) {
    guint8 *p = g_new (guint8, n);

    for (i = 0; i < n; i++)
      p[i] = v[i] >> 8;
    f->samples = p;
    f->plane = (BwPlane) {
    p, W, BW_SAMPLE_U8};
    f->buffer = gst_buffer_new_memdup (p, n);
  } else {
    guint16 *p = g_memdup2 (v, n * 2);

    f->samples = p;
    f->plane = (BwPlane) {
    (const guint8 *) p, 2 * W,
          G_BYTE_ORDER == G_LITTLE_ENDIAN ? BW_SAMPLE_U16LE : BW_SAMPLE_U16BE};
    f->buffer = gray16_buffer (v, W, H, 0);
  }
  GST_BUFFER_PTS (f->buffer) = frame_pts (0);
  GST_BUFFER_DURATION (f->buffer) = frame_pts (1);
}

static void
frame_clear (Frame * f)
{
  g_free (f->samples);
}

static GstBuffer *
run_element (const Setting * st, GstBuffer * a, GstBuffer * b)
{
  gchar *caps0 = caps_str (st->gray8[0] ? "GRAY8" : "GRAY16_LE", W, H);
  gchar *caps1 = caps_str (st->gray8[1] ? "GRAY8" : "GRAY16_LE", W, H);
  GstElement *el = new_element ();
  GstBuffer *out;
  Ctx c;

  g_object_set (el, "search-radius", st->radius, "min-intensity",
      st->min_intensity, "n-threads", st->threads, "block-width", st->block,
      "block-height", st->block, NULL);
  gst_util_set_object_arg (G_OBJECT (el), "edge-mode",
      st->partial ? "partial" : "trim");
  ctx_init (&c, el, caps0, caps1, "video/x-raw,format=RGBA", FALSE);
  fail_unless_equals_int (gst_harness_push (c.h0, a), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_push (c.h1, b), GST_FLOW_OK);
  out = gst_harness_pull (c.h0);
  fail_unless (out != NULL);
  fail_on_error_message (c.bus, st->name);
  ctx_clear (&c);
  g_free (caps0);
  g_free (caps1);
  return out;
}

/* Doubles equal, NaN equal to NaN. */
static void
assert_same (gdouble element, gdouble library, const gchar * what,
    const Setting * st)
{
  fail_unless ((isnan (element) && isnan (library)) || element == library,
      "%s: %s is %.17g in the element, %.17g in the library", st->name, what,
      element, library);
}

static void
compare_regions (const GstStructure * s, const BwVerdict * v,
    const Setting * st)
{
  const GValue *regions = gst_structure_get_value (s, "largest-regions");
  guint i;

  fail_unless (regions != NULL);
  fail_unless_equals_int (gst_value_array_get_size (regions), v->n_reported);
  for (i = 0; i < v->n_reported; i++) {
    const GstStructure *r = gst_value_get_structure
        (gst_value_array_get_value (regions, i));
    const BwRegion *lr = &v->regions[i];
    gboolean at;

    fail_unless_equals_int (get_uint (r, "x"), lr->x);
    fail_unless_equals_int (get_uint (r, "y"), lr->y);
    fail_unless_equals_int (get_uint (r, "width"), lr->width);
    fail_unless_equals_int (get_uint (r, "height"), lr->height);
    fail_unless_equals_int (get_uint (r, "blocks"), lr->blocks);
    fail_unless_equals_int (get_uint (r, "unmatched"), lr->unmatched);
    assert_same (get_double (r, "median-r"), lr->median_r, "region median-r",
        st);
    assert_same (get_double (r, "shift-x"), lr->shift_x, "region shift-x", st);
    assert_same (get_double (r, "shift-y"), lr->shift_y, "region shift-y", st);
    fail_unless (gst_structure_get_boolean (r, "at-radius", &at));
    fail_unless_equals_int (at, lr->at_radius);
  }
}

static void
compare (const Setting * st, const guint16 * a, const guint16 * b)
{
  Frame fa, fb;
  BwParams params;
  BwSummary sum;
  BwGeometry geom;
  GstBuffer *out;
  const GstStructure *s;
  gfloat *grids;
  guint cols, rows, i;
  gsize n;
  gboolean shifted_flag, uncorrelated;
  const gchar *verdict;

  frame_make (&fa, a, st->gray8[0]);
  frame_make (&fb, b, st->gray8[1]);
  bw_params_init (&params);
  params.search_radius = st->radius;
  params.min_intensity = st->min_intensity;
  params.n_threads = st->threads;
  params.edge_mode = st->partial ? BW_EDGE_PARTIAL : BW_EDGE_TRIM;
  params.block_width = params.block_height = st->block;
  geom = (BwGeometry) {
  W, H, st->block, st->block, params.edge_mode};
  fail_unless (bw_geometry_grid_size (&geom, &cols, &rows));
  n = (gsize) cols *rows;
  grids = g_new (gfloat, BW_N_GRIDS * n);
  fail_unless (bw_check_registration (&params, W, H, &fa.plane, &fb.plane,
          grids, &sum));

  out = run_element (st, fa.buffer, fb.buffer);
  s = get_meta (out);
  fail_unless_equals_int (get_uint (s, "cols"), cols);
  fail_unless_equals_int (get_uint (s, "rows"), rows);
  for (i = 0; i < BW_N_GRIDS; i++) {
    const gfloat *g = get_grid (s, bw_grid_name (i), n);

    fail_unless (memcmp (g, grids + i * n, n * sizeof (gfloat)) == 0,
        "%s: grid %s differs between the element and the library",
        st->name, bw_grid_name (i));
  }
  fail_unless_equals_int (get_uint (s, "valid"), sum.valid_blocks);
  fail_unless_equals_int (get_uint (s, "invalid"), sum.invalid_blocks);
  fail_unless_equals_int (get_uint (s, "background"), sum.background_blocks);
  assert_same (get_double (s, "mean"), sum.mean_r, "mean", st);
  assert_same (get_double (s, "min"), sum.min_r, "min", st);
  assert_same (get_double (s, "max"), sum.max_r, "max", st);
  assert_same (get_double (s, "median"), sum.median_r, "median", st);
  assert_same (get_double (s, "below-threshold"), sum.below_fraction,
      "below-threshold", st);
  assert_same (get_double (s, "min-intensity-0"), sum.min_intensity[0],
      "min-intensity-0", st);
  assert_same (get_double (s, "min-intensity-1"), sum.min_intensity[1],
      "min-intensity-1", st);
  verdict = gst_structure_get_string (s, "verdict");
  fail_unless_equals_string (verdict, bw_verdict_name (sum.verdict.verdict));
  fail_unless_equals_int (get_uint (s, "informative"), sum.verdict.informative);
  assert_same (get_double (s, "shift-x"), sum.verdict.shift_x, "shift-x", st);
  assert_same (get_double (s, "shift-y"), sum.verdict.shift_y, "shift-y", st);
  fail_unless (gst_structure_get_boolean (s, "shifted", &shifted_flag));
  fail_unless_equals_int (shifted_flag, sum.verdict.shift_significant);
  fail_unless (gst_structure_get_boolean (s, "uncorrelated", &uncorrelated));
  fail_unless_equals_int (uncorrelated, sum.verdict.uncorrelated);
  fail_unless_equals_int (get_uint (s, "regions"), sum.verdict.n_regions);
  compare_regions (s, &sum.verdict, st);
  assert_same (get_double (s, "median-outside-regions"),
      sum.verdict.median_r_outside, "median-outside-regions", st);
  GST_INFO ("%s: %s, %u valid, %u background, %u regions", st->name,
      verdict, sum.valid_blocks, sum.background_blocks, sum.verdict.n_regions);

  gst_buffer_unref (out);
  g_free (grids);
  frame_clear (&fa);
  frame_clear (&fb);
}

/* A region of the compared frame moved by (2, -1) px. */
GST_START_TEST (test_element_equals_library)
{
  guint16 *a = scene (7), *b = shifted (a, W, H, 2, -1, 120, 30, 180, 100);
  guint i;

  fail_unless_leaks_tracer_active ();
  for (i = 0; i < G_N_ELEMENTS (settings); i++)
    compare (&settings[i], a, b);
  g_free (a);
  g_free (b);
}

GST_END_TEST;

/* The whole compared frame moved, and a pair that does not correlate. */
GST_START_TEST (test_element_equals_library_global)
{
  guint16 *a = scene (11), *b = shifted (a, W, H, -1, 1, 0, 0, 0, 0);
  guint16 *c = scene (12);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (settings); i++) {
    compare (&settings[i], a, b);
    compare (&settings[i], a, c);
  }
  g_free (a);
  g_free (b);
  g_free (c);
}

GST_END_TEST;

static Suite *
one_pipeline_suite (void)
{
  Suite *s = suite_create ("one-pipeline");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_element_equals_library);
  tcase_add_test (tc, test_element_equals_library_global);
  return s;
}

GST_CHECK_MAIN (one_pipeline);
