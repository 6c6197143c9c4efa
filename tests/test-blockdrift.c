/* gst-blockwise: blockdrift's correction, against scenes moved by known
 * amounts.
 *
 * The frames are a smooth texture (tests/smooth-texture.h) sampled
 * analytically at moved coordinates, so a corrected frame can be compared
 * with the first frame itself: what the correction should give is known
 * without the element's own numbers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <gst/video/video.h>
#include "blockcorr-harness.h"
#include "smooth-texture.h"

#define W 160
#define H 120

/* A new blockdrift with the properties props (name, value, ..., NULL). */
static GstElement *
new_drift (const gchar ** props)
{
  GstElement *el = gst_element_factory_make ("blockdrift", NULL);
  guint i;

  fail_unless (el != NULL, "could not create blockdrift");
  for (i = 0; props && props[i]; i += 2)
    gst_util_set_object_arg (G_OBJECT (el), props[i], props[i + 1]);
  return el;
}

/* A scene: the luma texture and, for YUV formats, a chroma texture on the
 * chroma grid (U from it, V from its negative), scaled to the format. */
typedef struct
{
  GstVideoFormat format;
  SmoothTexture luma, chroma;
  gdouble luma_scale, chroma_scale;
} Scene;

static gboolean
is_sixteen (GstVideoFormat f)
{
  return f == GST_VIDEO_FORMAT_GRAY16_LE || f == GST_VIDEO_FORMAT_GRAY16_BE;
}

static void
scene_init (Scene * sc, GstVideoFormat format, guint32 seed)
{
  gdouble *f = g_new (gdouble, W * H);

  sc->format = format;
  smooth_texture_init (&sc->luma, W, H, seed);
  smooth_texture_render (&sc->luma, 0, 0, f);
  sc->luma_scale = (is_sixteen (format) ? 6000 : 40) /
      smooth_texture_sd (f, W * H);
  smooth_texture_init (&sc->chroma, W / 2, H / 2, seed + 1);
  smooth_texture_render (&sc->chroma, 0, 0, f);
  sc->chroma_scale = 30 / smooth_texture_sd (f, W * H / 4);
  g_free (f);
}

static void
scene_clear (Scene * sc)
{
  smooth_texture_clear (&sc->luma);
  smooth_texture_clear (&sc->chroma);
}

/* Writes a texture rendered moved by (dx, dy) into component c of frame. */
static void
render_component (const SmoothTexture * t, gdouble dx, gdouble dy,
    gdouble level, gdouble scale, GstVideoFrame * frame, guint c)
{
  const guint w = t->width, h = t->height;
  gdouble *f = g_new (gdouble, (gsize) w * h);
  guint8 *row = g_new (guint8, (gsize) w * 2);
  gboolean sixteen = is_sixteen (GST_VIDEO_FRAME_FORMAT (frame));
  gboolean be = GST_VIDEO_FRAME_FORMAT (frame) == GST_VIDEO_FORMAT_GRAY16_BE;
  guint8 *data = GST_VIDEO_FRAME_COMP_DATA (frame, c);
  gint stride = GST_VIDEO_FRAME_COMP_STRIDE (frame, c);
  gint pstride = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, c);
  guint x, y;

  fail_unless_equals_int (GST_VIDEO_FRAME_COMP_WIDTH (frame, c), w);
  fail_unless_equals_int (GST_VIDEO_FRAME_COMP_HEIGHT (frame, c), h);
  smooth_texture_render (t, dx, dy, f);
  for (y = 0; y < h; y++) {
    smooth_texture_store (f + (gsize) y * w, w, level, scale, 0, NULL,
        sixteen, be, row);
    for (x = 0; x < w; x++)
      memcpy (data + (gsize) y * stride + (gsize) x * pstride,
          row + x * (sixteen ? 2 : 1), sixteen ? 2 : 1);
  }
  g_free (row);
  g_free (f);
}

/* Frame n of the scene moved by (dx, dy) luma pixels. */
static GstBuffer *
scene_frame (const Scene * sc, gdouble dx, gdouble dy, guint n)
{
  GstVideoInfo info;
  GstVideoFrame frame;
  GstBuffer *buf;

  gst_video_info_set_format (&info, sc->format, W, H);
  buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&info), NULL);
  gst_buffer_memset (buf, 0, 0x5a, GST_VIDEO_INFO_SIZE (&info));
  fail_unless (gst_video_frame_map (&frame, &info, buf, GST_MAP_WRITE));
  render_component (&sc->luma, dx, dy, is_sixteen (sc->format) ? 30000 : 128,
      sc->luma_scale, &frame, 0);
  if (GST_VIDEO_INFO_IS_YUV (&info)) {
    render_component (&sc->chroma, dx / 2, dy / 2, 128, sc->chroma_scale,
        &frame, 1);
    render_component (&sc->chroma, dx / 2, dy / 2, 128, -sc->chroma_scale,
        &frame, 2);
  }
  gst_video_frame_unmap (&frame);
  GST_BUFFER_PTS (buf) = frame_pts (n);
  GST_BUFFER_DURATION (buf) = frame_pts (1);
  return buf;
}

static gchar *
scene_caps (const Scene * sc)
{
  return caps_str (gst_video_format_to_string (sc->format), W, H);
}

/* Sample (x, y) of component c. */
static guint
sample (const GstVideoFrame * f, guint c, guint x, guint y)
{
  const guint8 *p = (const guint8 *) GST_VIDEO_FRAME_COMP_DATA (f, c) +
      (gsize) y * GST_VIDEO_FRAME_COMP_STRIDE (f, c) +
      (gsize) x * GST_VIDEO_FRAME_COMP_PSTRIDE (f, c);

  switch (GST_VIDEO_FRAME_FORMAT (f)) {
    case GST_VIDEO_FORMAT_GRAY16_LE:
      return GST_READ_UINT16_LE (p);
    case GST_VIDEO_FORMAT_GRAY16_BE:
      return GST_READ_UINT16_BE (p);
    default:
      return *p;
  }
}

/* Differences between component c of a and b over the component's pixels
 * at least margin luma pixels from the edges: RMS and largest. */
static void
compare_interior (GstBuffer * a, GstBuffer * b, GstVideoFormat format,
    guint c, guint margin, gdouble * rms, guint * worst)
{
  GstVideoInfo info;
  GstVideoFrame fa, fb;
  guint x, y, w, h, m;
  gdouble sum = 0;
  gsize n = 0;

  gst_video_info_set_format (&info, format, W, H);
  fail_unless (gst_video_frame_map (&fa, &info, a, GST_MAP_READ));
  fail_unless (gst_video_frame_map (&fb, &info, b, GST_MAP_READ));
  w = GST_VIDEO_FRAME_COMP_WIDTH (&fa, c);
  h = GST_VIDEO_FRAME_COMP_HEIGHT (&fa, c);
  m = c == 0 ? margin : (margin + 1) / 2;
  *worst = 0;
  for (y = m; y < h - m; y++)
    for (x = m; x < w - m; x++) {
      gint d = (gint) sample (&fa, c, x, y) - (gint) sample (&fb, c, x, y);

      sum += (gdouble) d *d;
      n++;
      *worst = MAX (*worst, (guint) ABS (d));
    }
  *rms = sqrt (sum / n);
  gst_video_frame_unmap (&fa);
  gst_video_frame_unmap (&fb);
}

/* The outputs of a run and the "blockdrift" message of each. */
typedef struct
{
  guint n;
  GstBuffer **outs;
  GstStructure **msgs;
} Run;

/* Pushes ins[0..n) (taken) through el (taken) and keeps what comes out.
 * before[k], when set, is called before frame k is pushed. */
typedef void (*BeforeFrame) (GstElement * el, guint k);

static void
run_frames (GstElement * el, const gchar * caps, GstBuffer ** ins, guint n,
    BeforeFrame before, Run * run)
{
  GstBus *bus = gst_bus_new ();
  GstHarness *h;
  GstMessage *msg;
  guint k, m = 0;

  run->n = n;
  run->outs = g_new0 (GstBuffer *, n);
  run->msgs = g_new0 (GstStructure *, n);
  gst_element_set_bus (el, bus);
  h = bc_harness_new (el, "sink", TRUE, FALSE);
  gst_harness_set_src_caps_str (h, caps);
  for (k = 0; k < n; k++) {
    if (before)
      before (el, k);
    fail_unless_equals_int (gst_harness_push (h, ins[k]), GST_FLOW_OK);
    run->outs[k] = gst_harness_pull (h);
    fail_unless (run->outs[k] != NULL, "no output for frame %u", k);
  }
  while ((msg = gst_bus_pop (bus))) {
    const GstStructure *s = gst_message_get_structure (msg);

    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      gchar *text = error_text (msg);

      fail ("unexpected error: %s", text);
      g_free (text);
    }
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT
        && gst_structure_has_name (s, "blockdrift")) {
      fail_unless (m < n, "more messages than frames");
      fail_unless_equals_uint64 (get_uint64 (s, "frame"), m);
      run->msgs[m++] = gst_structure_copy (s);
    }
    gst_message_unref (msg);
  }
  fail_unless_equals_int (m, n);
  gst_harness_teardown (h);
  gst_object_unref (el);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
}

static void
run_clear (Run * run)
{
  guint k;

  for (k = 0; k < run->n; k++) {
    gst_clear_buffer (&run->outs[k]);
    if (run->msgs[k])
      gst_structure_free (run->msgs[k]);
  }
  g_free (run->outs);
  g_free (run->msgs);
}

static gboolean
get_bool (const GstStructure * s, const gchar * name)
{
  gboolean v = FALSE;

  fail_unless (gst_structure_get_boolean (s, name, &v), "no boolean %s", name);
  return v;
}

/* The meta and the message carry the same motion fields. */
static void
check_meta_matches (GstBuffer * buf, const GstStructure * msg)
{
  const GstStructure *meta = get_meta (buf);
  static const gchar *const fields[] = { "motion-x", "motion-y", "drift-x",
    "drift-y"
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (fields); i++)
    fail_unless (get_double (meta, fields[i]) == get_double (msg, fields[i]),
        "meta and message differ in %s", fields[i]);
  fail_unless_equals_string (gst_structure_get_string (meta, "correction"),
      gst_structure_get_string (msg, "correction"));
  fail_unless (gst_structure_has_field_typed (meta, "trajectory",
          GST_TYPE_ARRAY));
  fail_unless_equals_int (gst_value_array_get_size (gst_structure_get_value
          (meta, "trajectory")), 6);
}

/* ------------------------------------------------------------------------ */

#define N_DRIFT 8

/* correct=shift on a 16-bit stack drifting by sub-pixel steps: every
 * output matches the first frame in the interior (the scene sampled
 * anew, not interpolated, is the reference), and drift-x, drift-y are
 * the known drift. */
GST_START_TEST (test_shift_subpixel)
{
  const gchar *props[] = { "correct", "shift", NULL };
  GstBuffer *ins[N_DRIFT], *kept[N_DRIFT], *first;
  Scene sc;
  Run run;
  gchar *caps;
  guint k;

  scene_init (&sc, GST_VIDEO_FORMAT_GRAY16_LE, 11);
  caps = scene_caps (&sc);
  for (k = 0; k < N_DRIFT; k++) {
    ins[k] = scene_frame (&sc, 0.37 * k, -0.23 * k, k);
    kept[k] = gst_buffer_ref (ins[k]);
  }
  first = kept[0];
  run_frames (new_drift (props), caps, ins, N_DRIFT, NULL, &run);
  for (k = 0; k < N_DRIFT; k++) {
    const GstStructure *s = run.msgs[k];
    gdouble rms, before;
    guint worst;

    fail_unless (get_bool (s, "motion-found"), "frame %u: no motion", k);
    fail_unless_equals_string (gst_structure_get_string (s, "correction"),
        "shift");
    fail_unless (fabs (get_double (s, "drift-x") - 0.37 * k) < 0.02
        && fabs (get_double (s, "drift-y") + 0.23 * k) < 0.02,
        "frame %u: drift (%g, %g), true (%g, %g)", k,
        get_double (s, "drift-x"), get_double (s, "drift-y"), 0.37 * k,
        -0.23 * k);
    check_meta_matches (run.outs[k], s);
    compare_interior (kept[k], first, sc.format, 0, 8, &before, &worst);
    compare_interior (run.outs[k], first, sc.format, 0, 8, &rms, &worst);
    GST_INFO ("frame %u: residual %.1f RMS, %u worst, uncorrected %.1f RMS; "
        "drift error (%.4f, %.4f) px", k, rms, worst, before,
        get_double (s, "drift-x") - 0.37 * k,
        get_double (s, "drift-y") + 0.23 * k);
    /* Against the texture's standard deviation of 6000, what cubic
     * interpolation of its finest spots (1.2 px) leaves. */
    fail_unless (rms < 150 && worst < 1500 && rms <= 0.1 * before,
        "frame %u: %.1f RMS, %u worst (uncorrected %.1f RMS)", k, rms,
        worst, before);
  }
  run_clear (&run);
  for (k = 0; k < N_DRIFT; k++)
    gst_buffer_unref (kept[k]);
  scene_clear (&sc);
  g_free (caps);
}

GST_END_TEST;

/* A whole-pixel drift gives exact copies of the first frame's samples
 * (inside what stays covered), and with border=constant the uncovered
 * edge is the fill value. */
GST_START_TEST (test_integer_drift_exact)
{
  const gchar *props[] = { "correct", "shift", "border", "constant", "fill",
    "1234", NULL
  };
  static const gint steps[][2] = { {0, 0}, {3, -2}, {-4, 1}, {2, 5} };
  const guint n = G_N_ELEMENTS (steps);
  GstBuffer *ins[G_N_ELEMENTS (steps)], *first;
  GstVideoInfo info;
  Scene sc;
  Run run;
  gchar *caps;
  guint k;

  scene_init (&sc, GST_VIDEO_FORMAT_GRAY16_BE, 12);
  gst_video_info_set_format (&info, sc.format, W, H);
  caps = scene_caps (&sc);
  for (k = 0; k < n; k++)
    ins[k] = scene_frame (&sc, steps[k][0], steps[k][1], k);
  first = gst_buffer_ref (ins[0]);
  run_frames (new_drift (props), caps, ins, n, NULL, &run);
  for (k = 0; k < n; k++) {
    GstVideoFrame out, ref;
    gint dx = steps[k][0], dy = steps[k][1], x, y;
    guint differ = 0, not_fill = 0;

    fail_unless (gst_video_frame_map (&out, &info, run.outs[k], GST_MAP_READ));
    fail_unless (gst_video_frame_map (&ref, &info, first, GST_MAP_READ));
    for (y = 0; y < H; y++)
      for (x = 0; x < W; x++) {
        /* The output's (x, y) shows the frame's (x + dx, y + dy). */
        gboolean covered = x + dx >= 0 && x + dx < W && y + dy >= 0
            && y + dy < H;

        if (covered && sample (&out, 0, x, y) != sample (&ref, 0, x, y))
          differ++;
        if (!covered && sample (&out, 0, x, y) != 1234)
          not_fill++;
      }
    gst_video_frame_unmap (&out);
    gst_video_frame_unmap (&ref);
    fail_unless (differ == 0, "frame %u (%d, %d): %u samples differ from "
        "the first frame's (drift %.9f, %.9f)", k, dx, dy, differ,
        get_double (run.msgs[k], "drift-x"),
        get_double (run.msgs[k], "drift-y"));
    fail_unless (not_fill == 0, "frame %u: %u uncovered samples are not the "
        "fill value", k, not_fill);
  }
  run_clear (&run);
  gst_buffer_unref (first);
  scene_clear (&sc);
  g_free (caps);
}

GST_END_TEST;

/* correct=none: every frame leaves with its own memory, untouched, and
 * the meta added; a drifting frame is not moved. */
GST_START_TEST (test_none_is_passthrough)
{
  GstBuffer *ins[3], *kept[3];
  GstMemory *mem[3];
  Scene sc;
  Run run;
  gchar *caps;
  guint k;

  scene_init (&sc, GST_VIDEO_FORMAT_GRAY16_LE, 13);
  caps = scene_caps (&sc);
  for (k = 0; k < 3; k++) {
    ins[k] = scene_frame (&sc, 1.5 * k, 0, k);
    kept[k] = gst_buffer_copy_deep (ins[k]);
    mem[k] = gst_buffer_peek_memory (ins[k], 0);
  }
  /* Frame 1 pushed while we hold it too: not writable, so the element
   * must make a buffer of its own for the meta, and still not copy the
   * memory. */
  gst_buffer_ref (ins[1]);
  run_frames (new_drift (NULL), caps, ins, 3, NULL, &run);
  for (k = 0; k < 3; k++) {
    fail_unless (gst_buffer_n_memory (run.outs[k]) == 1
        && gst_buffer_peek_memory (run.outs[k], 0) == mem[k],
        "frame %u: the output has other memory than the input", k);
    {
      GstMapInfo map;

      fail_unless (gst_buffer_map (kept[k], &map, GST_MAP_READ));
      fail_unless (gst_buffer_memcmp (run.outs[k], 0, map.data,
              map.size) == 0, "frame %u was changed", k);
      gst_buffer_unmap (kept[k], &map);
    }
    fail_unless_equals_string (gst_structure_get_string (run.msgs[k],
            "correction"), "none");
    check_meta_matches (run.outs[k], run.msgs[k]);
    gst_buffer_unref (kept[k]);
  }
  fail_unless (fabs (get_double (run.msgs[2], "drift-x") - 3.0) < 0.02);
  gst_buffer_unref (ins[1]);
  run_clear (&run);
  scene_clear (&sc);
  g_free (caps);
}

GST_END_TEST;

/* Planar YUV: every plane is corrected, chroma through its subsampling;
 * the corrected chroma matches the first frame's, and uncovered chroma is
 * neutral (128) with border=constant. */
static const GstVideoFormat yuv_formats[] = {
  GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12
};

GST_START_TEST (test_yuv_chroma)
{
  const gchar *props[] = { "correct", "shift", "border", "constant", "fill",
    "16", NULL
  };
  const GstVideoFormat format = yuv_formats[__i__];
  GstBuffer *ins[4], *first;
  Scene sc;
  Run run;
  gchar *caps;
  guint k, c;

  scene_init (&sc, format, 14);
  caps = scene_caps (&sc);
  for (k = 0; k < 4; k++)
    ins[k] = scene_frame (&sc, 1.3 * k, 0.8 * k, k);
  first = gst_buffer_ref (ins[0]);
  run_frames (new_drift (props), caps, ins, 4, NULL, &run);
  for (k = 1; k < 4; k++) {
    GstVideoInfo info;
    GstVideoFrame out;

    for (c = 0; c < 3; c++) {
      gdouble rms;
      guint worst;

      compare_interior (run.outs[k], first, format, c, 10, &rms, &worst);
      GST_INFO ("%s frame %u component %u: %.2f RMS, %u worst",
          gst_video_format_to_string (format), k, c, rms, worst);
      /* Luma: standard deviation 40; chroma 30 at half resolution. */
      fail_unless (rms < 1.5 && worst <= 16, "%s frame %u component %u: "
          "%.2f RMS, %u worst", gst_video_format_to_string (format), k, c,
          rms, worst);
    }
    /* Moved right and down: the right and bottom edges are uncovered. */
    gst_video_info_set_format (&info, format, W, H);
    fail_unless (gst_video_frame_map (&out, &info, run.outs[k], GST_MAP_READ));
    fail_unless_equals_int (sample (&out, 0, W - 1, H - 1), 16);
    fail_unless_equals_int (sample (&out, 1, W / 2 - 1, H / 2 - 1), 128);
    fail_unless_equals_int (sample (&out, 2, W / 2 - 1, H / 2 - 1), 128);
    gst_video_frame_unmap (&out);
  }
  run_clear (&run);
  gst_buffer_unref (first);
  scene_clear (&sc);
  g_free (caps);
}

GST_END_TEST;

/* correct=affine on a scene turned (up to 1 degree) and scaled (up to
 * 0.5 %) about an off-centre point: the trajectory is the known transform,
 * and the corrected frames match the first one in the interior. */
static void
turn_scene (const Scene * from, Scene * to, gdouble angle, gdouble scale,
    gdouble cx, gdouble cy)
{
  guint i;

  *to = *from;
  to->luma.spots = g_array_copy (from->luma.spots);
  to->chroma.spots = g_array_copy (from->chroma.spots);
  for (i = 0; i < to->luma.spots->len; i++) {
    SmoothSpot *sp = &g_array_index (to->luma.spots, SmoothSpot, i);
    gdouble x = sp->x - cx, y = sp->y - cy;

    sp->x = cx + scale * (cos (angle) * x - sin (angle) * y);
    sp->y = cy + scale * (sin (angle) * x + cos (angle) * y);
    sp->sigma *= scale;
  }
}

GST_START_TEST (test_affine)
{
  const gchar *props[] = { "correct", "affine", NULL };
  const gdouble cx = 0.4 * W, cy = 0.6 * H;
  GstBuffer *ins[4], *kept[4];
  Scene sc, turned[4];
  Run run;
  gchar *caps;
  guint k;

  scene_init (&sc, GST_VIDEO_FORMAT_GRAY16_LE, 18);
  caps = scene_caps (&sc);
  for (k = 0; k < 4; k++) {
    turn_scene (&sc, &turned[k], G_PI / 180 / 3 * k, 1 + 0.0017 * k, cx, cy);
    ins[k] = scene_frame (&turned[k], 0, 0, k);
    kept[k] = gst_buffer_ref (ins[k]);
  }
  run_frames (new_drift (props), caps, ins, 4, NULL, &run);
  for (k = 1; k < 4; k++) {
    const GValue *t = gst_structure_get_value (run.msgs[k], "trajectory");
    const gdouble a = G_PI / 180 / 3 * k, sc_k = 1 + 0.0017 * k;
    const gdouble want[6] = {
      cx - sc_k * cos (a) * cx + sc_k * sin (a) * cy, sc_k * cos (a),
      -sc_k * sin (a),
      cy - sc_k * sin (a) * cx - sc_k * cos (a) * cy, sc_k * sin (a),
      sc_k * cos (a)
    };
    gdouble rms, before;
    guint worst, i;

    fail_unless_equals_string (gst_structure_get_string (run.msgs[k],
            "correction"), "affine");
    for (i = 0; i < 6; i++) {
      gdouble got = g_value_get_double (gst_value_array_get_value (t, i));

      /* The linear part to 1e-3, the shift to 0.1 px. */
      fail_unless (fabs (got - want[i]) < (i % 3 == 0 ? 0.1 : 1e-3),
          "frame %u: m%u is %g, want %g", k, i, got, want[i]);
    }
    compare_interior (kept[k], kept[0], sc.format, 0, 8, &before, &worst);
    compare_interior (run.outs[k], kept[0], sc.format, 0, 8, &rms, &worst);
    GST_INFO ("affine frame %u: %.1f RMS, %u worst, uncorrected %.1f RMS", k,
        rms, worst, before);
    fail_unless (rms < 150 && rms <= 0.15 * before,
        "frame %u: %.1f RMS (uncorrected %.1f RMS)", k, rms, before);
  }
  run_clear (&run);
  for (k = 0; k < 4; k++) {
    gst_buffer_unref (kept[k]);
    g_array_unref (turned[k].luma.spots);
    g_array_unref (turned[k].chroma.spots);
  }
  scene_clear (&sc);
  g_free (caps);
}

GST_END_TEST;

/* reference=previous: every frame's motion is its step, and the drift of
 * frame n is the sum of the steps (the trajectory), which the correction
 * applies. */
GST_START_TEST (test_previous_trajectory)
{
  const gchar *props[] = { "reference", "previous", "correct", "shift",
    NULL
  };
  GstBuffer *ins[N_DRIFT], *first;
  gdouble sum_x = 0, sum_y = 0;
  Scene sc;
  Run run;
  gchar *caps;
  guint k;

  scene_init (&sc, GST_VIDEO_FORMAT_GRAY16_LE, 15);
  caps = scene_caps (&sc);
  for (k = 0; k < N_DRIFT; k++)
    ins[k] = scene_frame (&sc, 0.45 * k, 0.3 * k, k);
  first = gst_buffer_ref (ins[0]);
  run_frames (new_drift (props), caps, ins, N_DRIFT, NULL, &run);
  for (k = 0; k < N_DRIFT; k++) {
    const GstStructure *s = run.msgs[k];
    gdouble rms;
    guint worst;

    sum_x += get_double (s, "motion-x");
    sum_y += get_double (s, "motion-y");
    if (k > 0)
      fail_unless (fabs (get_double (s, "motion-x") - 0.45) < 0.02
          && fabs (get_double (s, "motion-y") - 0.3) < 0.02,
          "frame %u: step (%g, %g)", k, get_double (s, "motion-x"),
          get_double (s, "motion-y"));
    fail_unless (fabs (get_double (s, "drift-x") - sum_x) < 1e-9
        && fabs (get_double (s, "drift-y") - sum_y) < 1e-9,
        "frame %u: drift (%g, %g), sum of steps (%g, %g)", k,
        get_double (s, "drift-x"), get_double (s, "drift-y"), sum_x, sum_y);
    fail_unless (fabs (sum_x - 0.45 * k) < 0.05
        && fabs (sum_y - 0.3 * k) < 0.05);
    compare_interior (run.outs[k], first, sc.format, 0, 8, &rms, &worst);
    fail_unless (rms < 150, "frame %u: %.1f RMS", k, rms);
  }
  run_clear (&run);
  gst_buffer_unref (first);
  scene_clear (&sc);
  g_free (caps);
}

GST_END_TEST;

/* reference=previous: a frame that cannot be placed (flat) does not become
 * the next frame's reference, so no step of the drift is lost. */
GST_START_TEST (test_previous_skips_unplaced)
{
  const gchar *props[] = { "reference", "previous", NULL };
  GstBuffer *ins[7];
  Scene sc;
  Run run;
  gchar *caps;
  guint k;

  scene_init (&sc, GST_VIDEO_FORMAT_GRAY16_LE, 16);
  caps = scene_caps (&sc);
  for (k = 0; k < 7; k++)
    ins[k] = scene_frame (&sc, 1.0 * k, -0.5 * k, k);
  gst_buffer_memset (ins[3], 0, 0x40, gst_buffer_get_size (ins[3]));
  run_frames (new_drift (props), caps, ins, 7, NULL, &run);
  fail_if (get_bool (run.msgs[3], "motion-found"), "the flat frame placed");
  for (k = 4; k < 7; k++)
    fail_unless (fabs (get_double (run.msgs[k], "drift-x") - 1.0 * k) < 0.05
        && fabs (get_double (run.msgs[k], "drift-y") + 0.5 * k) < 0.05,
        "frame %u: drift (%g, %g), truth (%g, %g)", k,
        get_double (run.msgs[k], "drift-x"),
        get_double (run.msgs[k], "drift-y"), 1.0 * k, -0.5 * k);
  run_clear (&run);
  scene_clear (&sc);
  g_free (caps);
}

GST_END_TEST;

/* A result already on a buffer passed in place (an element upstream) is
 * replaced: a reader finds one GstBlockCorrMeta, this element's. */
GST_START_TEST (test_meta_replaced)
{
  const gchar *props[] = { NULL };
  GstElement *el = new_drift (props);
  const GstMetaInfo *info;
  GstCustomMeta *upstream;
  GstHarness *h;
  GstBuffer *in, *out;
  GstMeta *meta;
  gpointer state = NULL;
  guint n = 0;
  Scene sc;
  gchar *caps;

  scene_init (&sc, GST_VIDEO_FORMAT_GRAY16_LE, 17);
  caps = scene_caps (&sc);
  h = bc_harness_new (el, "sink", TRUE, FALSE);
  gst_harness_set_src_caps_str (h, caps);
  info = gst_meta_get_info ("GstBlockCorrMeta");
  fail_unless (info != NULL);
  in = scene_frame (&sc, 0, 0, 0);
  upstream = gst_buffer_add_custom_meta (in, "GstBlockCorrMeta");
  gst_structure_set (gst_custom_meta_get_structure (upstream), "upstream",
      G_TYPE_BOOLEAN, TRUE, NULL);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  out = gst_harness_pull (h);
  while ((meta = gst_buffer_iterate_meta (out, &state))) {
    if (meta->info != info)
      continue;
    n++;
    fail_if (gst_structure_has_field (gst_custom_meta_get_structure (
                (GstCustomMeta *) meta), "upstream"), "the upstream meta");
  }
  fail_unless_equals_int (n, 1);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
  gst_object_unref (el);
  scene_clear (&sc);
  g_free (caps);
}

GST_END_TEST;

/* reset-reference followed by a GAP buffer: the next frame with content
 * is the new reference. */
GST_START_TEST (test_reset_over_gap)
{
  const gchar *props[] = { NULL };
  GstElement *el = new_drift (props);
  GstBus *bus = gst_bus_new ();
  const gdouble moves[] = { 0, 3, -1, 5, 6 };
  gdouble drift[5];
  GstMessage *msg;
  GstHarness *h;
  GstBuffer *gap;
  guint k, m = 0;
  Scene sc;
  gchar *caps;

  scene_init (&sc, GST_VIDEO_FORMAT_GRAY16_LE, 18);
  caps = scene_caps (&sc);
  gst_element_set_bus (el, bus);
  h = bc_harness_new (el, "sink", TRUE, FALSE);
  gst_harness_set_src_caps_str (h, caps);
  for (k = 0; k < 5; k++) {
    if (k == 2) {
      g_signal_emit_by_name (el, "reset-reference");
      gap = scene_frame (&sc, 4, 0, k);
      GST_BUFFER_FLAG_SET (gap, GST_BUFFER_FLAG_GAP);
      fail_unless_equals_int (gst_harness_push (h, gap), GST_FLOW_OK);
      gst_buffer_unref (gst_harness_pull (h));
      continue;
    }
    fail_unless_equals_int (gst_harness_push (h, scene_frame (&sc, moves[k],
                0, k)), GST_FLOW_OK);
    gst_buffer_unref (gst_harness_pull (h));
  }
  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    if (gst_message_has_name (msg, "blockdrift") && m < 5)
      drift[m++] = get_double (gst_message_get_structure (msg), "drift-x");
    gst_message_unref (msg);
  }
  fail_unless_equals_int (m, 4);
  fail_unless (fabs (drift[1] - 3) < 0.05, "before the reset: %g", drift[1]);
  fail_unless (fabs (drift[2]) < 1e-9, "the new reference: %g", drift[2]);
  fail_unless (fabs (drift[3] - 1) < 0.05, "after the reset: %g", drift[3]);
  gst_harness_teardown (h);
  gst_object_unref (el);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
  scene_clear (&sc);
  g_free (caps);
}

GST_END_TEST;

static void
reset_at_4 (GstElement * el, guint k)
{
  if (k == 4)
    g_signal_emit_by_name (el, "reset-reference");
}

/* reset-reference: the trajectory starts again at the next frame. */
GST_START_TEST (test_reset_restarts_trajectory)
{
  const gchar *props[] = { "reference", "previous", NULL };
  GstBuffer *ins[7];
  Scene sc;
  Run run;
  gchar *caps;
  guint k;

  scene_init (&sc, GST_VIDEO_FORMAT_GRAY16_LE, 16);
  caps = scene_caps (&sc);
  for (k = 0; k < 7; k++)
    ins[k] = scene_frame (&sc, 0.5 * k, 0, k);
  run_frames (new_drift (props), caps, ins, 7, reset_at_4, &run);
  for (k = 0; k < 7; k++) {
    /* Frames 0..3 from frame 0, 4..6 from frame 4. */
    gdouble want = 0.5 * (k < 4 ? k : k - 4);

    fail_unless (fabs (get_double (run.msgs[k], "drift-x") - want) < 0.03,
        "frame %u: drift %g, want %g", k,
        get_double (run.msgs[k], "drift-x"), want);
    fail_unless_equals_uint64 (get_uint64 (run.msgs[k], "pts-0"),
        frame_pts (k == 0 ? 0 : k == 4 ? 4 : k - 1));
  }
  run_clear (&run);
  scene_clear (&sc);
  g_free (caps);
}

GST_END_TEST;

/* Frames with no texture: no motion, and they pass unchanged. */
GST_START_TEST (test_no_texture_passes)
{
  const gchar *props[] = { "correct", "shift", NULL };
  gchar *caps = caps_str ("GRAY16_LE", W, H);
  GstBuffer *ins[3];
  guint16 values[3] = { 5000, 5000, 7000 };
  Run run;
  guint k;

  for (k = 0; k < 3; k++) {
    ins[k] = gst_buffer_new_allocate (NULL, W * H * 2, NULL);
    {
      GstMapInfo map;
      guint i;

      fail_unless (gst_buffer_map (ins[k], &map, GST_MAP_WRITE));
      for (i = 0; i < W * H; i++)
        GST_WRITE_UINT16_LE (map.data + 2 * i, values[k]);
      gst_buffer_unmap (ins[k], &map);
    }
    GST_BUFFER_PTS (ins[k]) = frame_pts (k);
  }
  run_frames (new_drift (props), caps, ins, 3, NULL, &run);
  for (k = 1; k < 3; k++) {
    GstMapInfo map;
    guint i, differ = 0;

    fail_if (get_bool (run.msgs[k], "motion-found"), "frame %u: motion", k);
    fail_unless_equals_string (gst_structure_get_string (run.msgs[k],
            "correction"), "none");
    fail_unless (gst_buffer_map (run.outs[k], &map, GST_MAP_READ));
    for (i = 0; i < W * H; i++)
      differ += GST_READ_UINT16_LE (map.data + 2 * i) != values[k];
    gst_buffer_unmap (run.outs[k], &map);
    fail_unless (differ == 0, "frame %u: %u samples changed", k, differ);
  }
  run_clear (&run);
  g_free (caps);
}

GST_END_TEST;

/* output=heatmap: blockcorr's heatmap of each frame, one pixel per block,
 * with the meta. */
GST_START_TEST (test_heatmap_output)
{
  const gchar *props[] = { "output", "heatmap", NULL };
  GstBuffer *ins[2];
  GstCaps *caps_out;
  GstVideoInfo info;
  GstHarness *h;
  GstElement *el = new_drift (props);
  Scene sc;
  gchar *caps;
  guint k;

  scene_init (&sc, GST_VIDEO_FORMAT_GRAY8, 17);
  caps = scene_caps (&sc);
  h = bc_harness_new (el, "sink", TRUE, FALSE);
  gst_harness_set_sink_caps_str (h, "video/x-raw,format=RGBA");
  gst_harness_set_src_caps_str (h, caps);
  for (k = 0; k < 2; k++) {
    GstBuffer *out;

    ins[k] = scene_frame (&sc, k, 0, k);
    fail_unless_equals_int (gst_harness_push (h, ins[k]), GST_FLOW_OK);
    out = gst_harness_pull (h);
    fail_unless (out != NULL);
    fail_unless_equals_int (get_uint (get_meta (out), "cols"), W / 16);
    gst_buffer_unref (out);
  }
  caps_out = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (gst_video_info_from_caps (&info, caps_out));
  fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (&info), W / 16);
  fail_unless_equals_int (GST_VIDEO_INFO_HEIGHT (&info), H / 16);
  fail_unless_equals_int (GST_VIDEO_INFO_FORMAT (&info), GST_VIDEO_FORMAT_RGBA);
  gst_caps_unref (caps_out);
  gst_harness_teardown (h);
  gst_object_unref (el);
  scene_clear (&sc);
  g_free (caps);
}

GST_END_TEST;

/* Pops the first ERROR message on bus (waiting up to a second) and
 * returns its text, or NULL. */
static gchar *
pop_error (GstBus * bus)
{
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, GST_SECOND,
      GST_MESSAGE_ERROR);
  gchar *text;

  if (!msg)
    return NULL;
  text = error_text (msg);
  gst_message_unref (msg);
  return text;
}

/* Bad input is an element error naming the cause, not a crash: a block
 * larger than the frames, rows of a video meta past the buffer's memory
 * (in place and corrected). */
GST_START_TEST (test_errors)
{
  const gchar *big[] = { "block-width", "256", NULL };
  const gchar *modes[] = { "none", "shift" };
  gchar *caps = caps_str ("GRAY16_LE", W, H), *text;
  GstElement *el;
  GstBus *bus;
  GstHarness *h;
  GstBuffer *buf;
  guint m;

  el = new_drift (big);
  bus = gst_bus_new ();
  gst_element_set_bus (el, bus);
  h = bc_harness_new (el, "sink", TRUE, FALSE);
  gst_harness_set_src_caps_str (h, caps);
  buf = gst_buffer_new_allocate (NULL, W * H * 2, NULL);
  GST_BUFFER_PTS (buf) = 0;
  fail_if (gst_harness_push (h, buf) == GST_FLOW_OK);
  text = pop_error (bus);
  fail_unless (text && strstr (text, "Block size 256x16 is larger than the "
          "frame size 160x120"), "%s", text);
  g_free (text);
  gst_harness_teardown (h);
  gst_object_unref (el);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);

  for (m = 0; m < G_N_ELEMENTS (modes); m++) {
    const gchar *props[] = { "correct", modes[m], NULL };
    gsize offset[4] = { 0 };
    gint stride[4] = { 4 * W };

    el = new_drift (props);
    bus = gst_bus_new ();
    gst_element_set_bus (el, bus);
    h = bc_harness_new (el, "sink", TRUE, FALSE);
    gst_harness_set_src_caps_str (h, caps);
    /* Rows twice as far apart as the memory holds. */
    buf = gst_buffer_new_allocate (NULL, W * H * 2, NULL);
    gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE,
        GST_VIDEO_FORMAT_GRAY16_LE, W, H, 1, offset, stride);
    GST_BUFFER_PTS (buf) = 0;
    fail_if (gst_harness_push (h, buf) == GST_FLOW_OK);
    text = pop_error (bus);
    fail_unless (text && strstr (text, "smaller than its video meta says"),
        "correct=%s: %s", modes[m], text);
    g_free (text);
    gst_harness_teardown (h);
    gst_object_unref (el);
    gst_bus_set_flushing (bus, TRUE);
    gst_object_unref (bus);
  }
  g_free (caps);
}

GST_END_TEST;

static void
toggle_correct (GstElement * el, guint k)
{
  static const gchar *const modes[] = { "none", "shift", "shift", "none",
    "affine", "none"
  };

  gst_util_set_object_arg (G_OBJECT (el), "correct", modes[k]);
}

/* correct changed while playing: from the next frame on, in place or
 * corrected; a GAP buffer passes without analysis. */
GST_START_TEST (test_correct_while_playing)
{
  static const gchar *const want[] = { "none", "shift", "shift", "none",
    "affine", "none"
  };
  GstBuffer *ins[6];
  Scene sc;
  Run run;
  gchar *caps;
  guint k;

  scene_init (&sc, GST_VIDEO_FORMAT_GRAY16_LE, 19);
  caps = scene_caps (&sc);
  for (k = 0; k < 6; k++)
    ins[k] = scene_frame (&sc, 0.6 * k, 0.2 * k, k);
  run_frames (new_drift (NULL), caps, ins, 6, toggle_correct, &run);
  for (k = 0; k < 6; k++)
    fail_unless_equals_string (gst_structure_get_string (run.msgs[k],
            "correction"), want[k]);
  run_clear (&run);
  scene_clear (&sc);
  g_free (caps);
}

GST_END_TEST;

/* A GAP buffer: passed on as it is, no message. */
GST_START_TEST (test_gap_passes)
{
  const gchar *props[] = { "correct", "shift", NULL };
  GstElement *el = new_drift (props);
  GstBus *bus = gst_bus_new ();
  Scene sc;
  gchar *caps;
  GstHarness *h;
  GstBuffer *in, *gap, *out;
  GstMessage *msg;
  guint n_msgs = 0;

  scene_init (&sc, GST_VIDEO_FORMAT_GRAY16_LE, 20);
  caps = scene_caps (&sc);
  gst_element_set_bus (el, bus);
  h = bc_harness_new (el, "sink", TRUE, FALSE);
  gst_harness_set_src_caps_str (h, caps);
  fail_unless_equals_int (gst_harness_push (h, scene_frame (&sc, 0, 0, 0)),
      GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (h));
  in = scene_frame (&sc, 2.5, 0, 1);
  gap = gst_buffer_copy_deep (in);
  GST_BUFFER_FLAG_SET (gap, GST_BUFFER_FLAG_GAP);
  fail_unless_equals_int (gst_harness_push (h, gap), GST_FLOW_OK);
  out = gst_harness_pull (h);
  {
    GstMapInfo map;

    fail_unless (gst_buffer_map (in, &map, GST_MAP_READ));
    fail_unless (gst_buffer_memcmp (out, 0, map.data, map.size) == 0,
        "a GAP buffer was changed");
    gst_buffer_unmap (in, &map);
  }
  gst_buffer_unref (out);
  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    n_msgs += gst_message_has_name (msg, "blockdrift");
    gst_message_unref (msg);
  }
  fail_unless_equals_int (n_msgs, 1);
  gst_buffer_unref (in);
  gst_harness_teardown (h);
  gst_object_unref (el);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
  scene_clear (&sc);
  g_free (caps);
}

GST_END_TEST;

/* A leak-checking run (GST_TRACERS=leaks) has the tracer it asks for. */
GST_START_TEST (test_leaks_tracer_active)
{
  fail_unless_leaks_tracer_active ();
}

GST_END_TEST;

static Suite *
blockdrift_suite (void)
{
  Suite *s = suite_create ("blockdrift");
  TCase *tc = tcase_create ("correct");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_leaks_tracer_active);
  tcase_add_test (tc, test_shift_subpixel);
  tcase_add_test (tc, test_integer_drift_exact);
  tcase_add_test (tc, test_none_is_passthrough);
  tcase_add_loop_test (tc, test_yuv_chroma, 0, G_N_ELEMENTS (yuv_formats));
  tcase_add_test (tc, test_affine);
  tcase_add_test (tc, test_previous_trajectory);
  tcase_add_test (tc, test_reset_restarts_trajectory);
  tcase_add_test (tc, test_previous_skips_unplaced);
  tcase_add_test (tc, test_meta_replaced);
  tcase_add_test (tc, test_reset_over_gap);
  tcase_add_test (tc, test_no_texture_passes);
  tcase_add_test (tc, test_heatmap_output);
  tcase_add_test (tc, test_errors);
  tcase_add_test (tc, test_correct_while_playing);
  tcase_add_test (tc, test_gap_passes);
  return s;
}

GST_CHECK_MAIN (blockdrift);
