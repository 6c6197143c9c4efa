/* gst-blockwise: bw_warp_plane() against a brute-force reference.
 *
 * The reference is written here, in double precision, from the definition:
 * every output pixel's centre mapped into the analysed plane, through the
 * transform and back, then Keys' cubic kernel (a = -0.5) evaluated at the
 * distance of each of the 16 taps, the border rules applied per pixel.
 * Samples are read and written here byte by byte.  Compared with it, on
 * random and smooth content, for GRAY8, GRAY16 in both byte orders,
 * subsampled chroma planes (0.5 x 0.5, 0.5 x 1), NV12's interleaved UV,
 * padded pixels and rows stored bottom-up:
 *
 *  1. shifts (fractional, negative, large, beyond the frame), rotations,
 *     scalings, shear and a general affine transform, both borders: every
 *     sample equal to the rounded reference (1 apart only where the
 *     reference lies within 1e-6 of a rounding boundary; fill or the
 *     interpolation where the source point lies within 1e-6 of the
 *     constant border's edge), and no byte of dst outside its samples
 *     written;
 *  2. whole-pixel shifts (also within 1e-9 px of whole): exact copies;
 *  3. flat planes stay flat;
 *  4. the identity copies;
 *  5. row ranges give the same bytes as one call;
 *  6. invalid arguments return FALSE and leave dst alone;
 *  7. a smooth band-limited texture (tests/smooth-texture.h) shifted by
 *     (0.37, -0.81) and back stays within 3 % of its standard deviation
 *     (RMS; 20 % worst) of the original in the interior: what Keys' kernel
 *     keeps of its finest detail, where linear interpolation loses 10 %.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "warp.h"
#include "smooth-texture.h"

#define SENTINEL 0xa5
/* Reference values this close to a rounding boundary, and source points
 * this close to the constant border's edge, may go either way. */
#define NEAR 1e-6

/* ---- planes -------------------------------------------------------------- */

typedef struct
{
  const gchar *name;
  BwSampleFormat format;
  guint components;
  guint pixel_stride;
  gdouble scale_x, scale_y;
  gboolean bottom_up;
} Layout;

static const Layout layouts[] = {
  {"gray8", BW_SAMPLE_U8, 1, 1, 1, 1, FALSE},
  {"gray16le", BW_SAMPLE_U16LE, 1, 2, 1, 1, FALSE},
  {"gray16be", BW_SAMPLE_U16BE, 1, 2, 1, 1, FALSE},
  {"i420-chroma", BW_SAMPLE_U8, 1, 1, 0.5, 0.5, FALSE},
  {"y42b-chroma", BW_SAMPLE_U8, 1, 1, 0.5, 1, FALSE},
  {"nv12-uv", BW_SAMPLE_U8, 2, 2, 0.5, 0.5, FALSE},
  {"uv16be", BW_SAMPLE_U16BE, 2, 4, 0.5, 0.5, FALSE},
  {"padded16le-bottom-up", BW_SAMPLE_U16LE, 1, 6, 1, 1, TRUE},
};

/* The analysed (luma) plane's size. */
#define LUMA_W 41
#define LUMA_H 28

typedef struct
{
  BwWarpPlane p;
  guint8 *buf;
  gsize len;
} TestPlane;

static guint
bytes_per_sample (BwSampleFormat f)
{
  return f == BW_SAMPLE_U8 ? 1 : 2;
}

static guint
top_of (BwSampleFormat f)
{
  return f == BW_SAMPLE_U8 ? 255 : 65535;
}

/* A plane of the layout for a luma_w x luma_h frame (chroma rounded up),
 * every row padded by 3 bytes, all bytes SENTINEL. */
static void
plane_init (TestPlane * t, const Layout * l, guint luma_w, guint luma_h)
{
  guint w = (guint) ceil (luma_w * l->scale_x);
  guint h = (guint) ceil (luma_h * l->scale_y);
  gsize stride = (gsize) w * l->pixel_stride + 3;

  t->len = stride * h;
  t->buf = g_malloc (t->len);
  memset (t->buf, SENTINEL, t->len);
  t->p.width = w;
  t->p.height = h;
  t->p.format = l->format;
  t->p.components = l->components;
  t->p.pixel_stride = l->pixel_stride;
  t->p.scale_x = l->scale_x;
  t->p.scale_y = l->scale_y;
  if (l->bottom_up) {
    t->p.data = t->buf + (h - 1) * stride;
    t->p.stride = -(gssize) stride;
  } else {
    t->p.data = t->buf;
    t->p.stride = stride;
  }
}

static void
plane_clear (TestPlane * t)
{
  g_free (t->buf);
}

static guint8 *
sample_ptr (const BwWarpPlane * p, guint x, guint y, guint c)
{
  return p->data + (gssize) y *p->stride + (gsize) x *p->pixel_stride
      + c * bytes_per_sample (p->format);
}

static guint
get (const BwWarpPlane * p, guint x, guint y, guint c)
{
  const guint8 *b = sample_ptr (p, x, y, c);

  if (p->format == BW_SAMPLE_U8)
    return b[0];
  if (p->format == BW_SAMPLE_U16LE)
    return b[0] + 256 * b[1];
  return 256 * b[0] + b[1];
}

static void
set (const BwWarpPlane * p, guint x, guint y, guint c, guint v)
{
  guint8 *b = sample_ptr (p, x, y, c);

  if (p->format == BW_SAMPLE_U8)
    b[0] = v;
  else if (p->format == BW_SAMPLE_U16LE) {
    b[0] = v % 256;
    b[1] = v / 256;
  } else {
    b[0] = v / 256;
    b[1] = v % 256;
  }
}

typedef enum
{
  CONTENT_RANDOM,               /* full range: steps, overshoot, clamping */
  CONTENT_SMOOTH
} Content;

static void
plane_fill (TestPlane * t, Content content, guint32 seed)
{
  GRand *rng = g_rand_new_with_seed (seed);
  const guint top = top_of (t->p.format);
  guint x, y, c;

  /* Other bytes than dst's, so that copying them shows. */
  memset (t->buf, SENTINEL ^ 0xff, t->len);
  for (y = 0; y < t->p.height; y++)
    for (x = 0; x < t->p.width; x++)
      for (c = 0; c < t->p.components; c++) {
        guint v;

        if (content == CONTENT_RANDOM)
          v = g_rand_int_range (rng, 0, top + 1);
        else
          v = (guint) floor (top * (0.5 + 0.3 * sin (0.37 * x + 1.1 * c)
                  * cos (0.23 * y) + 0.15 * sin (0.05 * (x + 2 * y))) + 0.5);
        set (&t->p, x, y, c, v);
      }
  g_rand_free (rng);
}

/* ---- the reference ------------------------------------------------------- */

static gdouble
keys (gdouble t)
{
  t = fabs (t);
  if (t <= 1)
    return 1.5 * t * t * t - 2.5 * t * t + 1;
  if (t < 2)
    return -0.5 * t * t * t + 2.5 * t * t - 4 * t + 2;
  return 0;
}

static gint
clampi (gint i, gint size)
{
  return i < 0 ? 0 : i >= size ? size - 1 : i;
}

/* The source point of pixel (x, y) of the plane, in its own pixels. */
static void
source_point (const BwTransform * t, const BwWarpPlane * p, guint x, guint y,
    gdouble * sx, gdouble * sy)
{
  gdouble ax = (x + 0.5) / p->scale_x - 0.5;
  gdouble ay = (y + 0.5) / p->scale_y - 0.5;
  gdouble mx = t->m[0] + t->m[1] * ax + t->m[2] * ay;
  gdouble my = t->m[3] + t->m[4] * ax + t->m[5] * ay;

  *sx = (mx + 0.5) * p->scale_x - 0.5;
  *sy = (my + 0.5) * p->scale_y - 0.5;
}

static gdouble
interpolate (const BwWarpPlane * p, gdouble sx, gdouble sy, guint c)
{
  gint fx = (gint) floor (sx), fy = (gint) floor (sy), i, j;
  gdouble v = 0;

  for (j = fy - 1; j <= fy + 2; j++)
    for (i = fx - 1; i <= fx + 2; i++)
      v += keys (sx - i) * keys (sy - j)
          * get (p, clampi (i, p->width), clampi (j, p->height), c);
  return v;
}

static gboolean
inside_half_open (gdouble s, guint size, gdouble margin)
{
  return s >= -0.5 + margin && s < size - 0.5 - margin;
}

static gboolean
rounds_to (gdouble v, guint top, guint got)
{
  gdouble r = floor (v + 0.5);
  gdouble lo = CLAMP (floor (v + 0.5 - NEAR), 0, top);
  gdouble hi = CLAMP (floor (v + 0.5 + NEAR), 0, top);

  r = CLAMP (r, 0, top);
  return got == r || got == lo || got == hi;
}

/* Whether sample got of dst pixel (x, y), component c, is what the
 * reference allows. */
static gboolean
reference_allows (const BwTransform * t, const BwWarpPlane * src,
    BwBorder border, guint fill, guint x, guint y, guint c, guint got,
    gdouble * expected)
{
  const guint top = top_of (src->format);
  gdouble sx, sy;

  source_point (t, src, x, y, &sx, &sy);
  if (border == BW_BORDER_EDGE) {
    sx = CLAMP (sx, 0, src->width - 1.0);
    sy = CLAMP (sy, 0, src->height - 1.0);
    *expected = interpolate (src, sx, sy, c);
    return rounds_to (*expected, top, got);
  }
  if (inside_half_open (sx, src->width, NEAR)
      && inside_half_open (sy, src->height, NEAR)) {
    *expected = interpolate (src, sx, sy, c);
    return rounds_to (*expected, top, got);
  }
  *expected = fill;
  if (got == fill)
    return TRUE;
  /* Within NEAR of the edge of the covered area: either. */
  if (inside_half_open (sx, src->width, -NEAR)
      && inside_half_open (sy, src->height, -NEAR)
      && fabs (sx) < 1e3 && fabs (sy) < 1e3) {
    *expected = interpolate (src, sx, sy, c);
    return rounds_to (*expected, top, got);
  }
  return FALSE;
}

/* Every byte of dst outside its samples still SENTINEL. */
static gboolean
only_samples_written (const TestPlane * t)
{
  guint8 *mask = g_malloc0 (t->len);
  const guint ss = bytes_per_sample (t->p.format);
  gboolean ok = TRUE;
  guint x, y, c, k;
  gsize i;

  for (y = 0; y < t->p.height; y++)
    for (x = 0; x < t->p.width; x++)
      for (c = 0; c < t->p.components; c++)
        for (k = 0; k < ss; k++)
          mask[sample_ptr (&t->p, x, y, c) + k - t->buf] = 1;
  for (i = 0; i < t->len; i++)
    if (!mask[i] && t->buf[i] != SENTINEL)
      ok = FALSE;
  g_free (mask);
  return ok;
}

static void
check_against_reference (const BwTransform * t, const TestPlane * src,
    const TestPlane * dst, BwBorder border, guint fill, const gchar * what)
{
  guint x, y, c, wrong = 0;

  for (y = 0; y < dst->p.height; y++)
    for (x = 0; x < dst->p.width; x++)
      for (c = 0; c < dst->p.components; c++) {
        guint got = get (&dst->p, x, y, c);
        gdouble expected;

        if (!reference_allows (t, &src->p, border, fill, x, y, c, got,
                &expected)) {
          if (wrong++ < 5)
            g_printerr ("%s: (%u, %u) component %u: %u, reference %.9f\n",
                what, x, y, c, got, expected);
        }
      }
  if (wrong)
    g_error ("%s: %u samples differ from the reference", what, wrong);
  if (!only_samples_written (dst))
    g_error ("%s: bytes outside the samples written", what);
}

/* ---- transforms ---------------------------------------------------------- */

static BwTransform
shift (gdouble tx, gdouble ty)
{
  BwTransform t = { {tx, 1, 0, ty, 0, 1} };

  return t;
}

/* Rotation by deg and scaling by s about (cx, cy). */
static BwTransform
rotation (gdouble deg, gdouble s, gdouble cx, gdouble cy)
{
  gdouble c = s * cos (deg * G_PI / 180), n = s * sin (deg * G_PI / 180);
  BwTransform t = { {cx - c * cx + n * cy, c, -n, cy - n * cx - c * cy, n,
      c}
  };

  return t;
}

typedef struct
{
  const gchar *name;
  BwTransform t;
} NamedTransform;

static GArray *
test_transforms (void)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (NamedTransform));
  const gdouble cx = (LUMA_W - 1) / 2.0, cy = (LUMA_H - 1) / 2.0;
  NamedTransform n[] = {
    {"shift (0.25, -0.7)", shift (0.25, -0.7)},
    {"shift (-3.6, 2.2)", shift (-3.6, 2.2)},
    {"shift (13.5, -9.25)", shift (13.5, -9.25)},
    {"shift (0.5, 0.5)", shift (0.5, 0.5)},
    {"shift (-0.5, -1.5)", shift (-0.5, -1.5)},
    {"shift (1.5, 0)", shift (1.5, 0)},
    {"shift (39.7, 0.4): beyond x", shift (39.7, 0.4)},
    {"shift (60.3, 0.4): beyond x", shift (60.3, 0.4)},
    {"shift (0.3, -45.5): beyond y", shift (0.3, -45.5)},
    {"shift (-1e6 - 0.3, 7.1)", shift (-1e6 - 0.3, 7.1)},
    {"shift (2.3, 1e9)", shift (2.3, 1e9)},
    {"rotation 0.5 deg", rotation (0.5, 1, cx, cy)},
    {"rotation -30 deg about (5, 7)", rotation (-30, 1, 5, 7)},
    {"rotation 90 deg", rotation (90, 1, cx, cy)},
    {"scale 1.07", rotation (0, 1.07, cx, cy)},
    {"scale 0.9 rotation 3 deg", rotation (3, 0.9, 0, 0)},
    {"shear", {{0.2, 1, 0.15, -0.4, 0, 1}}},
    {"affine", {{1.3, 0.98, 0.05, -2.1, -0.03, 1.02}}},
    {"almost a shift", {{0.4, 1 + 1e-13, 0, -0.6, 0, 1}}},
    {"far beyond, rotated", {{5e5, 0.5, -0.87, -3e5, 0.87, 0.5}}},
  };

  g_array_append_vals (a, n, G_N_ELEMENTS (n));
  return a;
}

/* ---- 1. against the reference -------------------------------------------- */

static void
test_reference (void)
{
  GArray *transforms = test_transforms ();
  guint li, ti, b, content;

  for (li = 0; li < G_N_ELEMENTS (layouts); li++)
    for (content = 0; content < 2; content++) {
      const Layout *l = &layouts[li];
      TestPlane src, dst;

      plane_init (&src, l, LUMA_W, LUMA_H);
      plane_fill (&src, content, 17 + li);
      plane_init (&dst, l, LUMA_W, LUMA_H);
      for (ti = 0; ti < transforms->len; ti++)
        for (b = 0; b < 2; b++) {
          const NamedTransform *n =
              &g_array_index (transforms, NamedTransform, ti);
          BwBorder border = b ? BW_BORDER_CONSTANT : BW_BORDER_EDGE;
          guint fill = l->format == BW_SAMPLE_U8 ? 77 : 40000;
          gchar *what = g_strdup_printf ("%s %s, %s, %s", l->name,
              content == CONTENT_RANDOM ? "random" : "smooth", n->name,
              b ? "constant" : "edge");

          memset (dst.buf, SENTINEL, dst.len);
          g_assert_true (bw_warp_plane (&n->t, &src.p, &dst.p, border, fill));
          check_against_reference (&n->t, &src, &dst, border, fill, what);
          g_free (what);
        }
      plane_clear (&src);
      plane_clear (&dst);
    }
  g_array_free (transforms, TRUE);
}

/* ---- 2. whole-pixel shifts ----------------------------------------------- */

static void
check_whole_shift (const Layout * l, gint px, gint py, gdouble noise_x,
    gdouble noise_y)
{
  BwTransform t = shift ((px + noise_x) / l->scale_x,
      (py + noise_y) / l->scale_y);
  TestPlane src, dst;
  guint b, x, y, c;

  plane_init (&src, l, LUMA_W, LUMA_H);
  plane_fill (&src, CONTENT_RANDOM, 5);
  plane_init (&dst, l, LUMA_W, LUMA_H);
  for (b = 0; b < 2; b++) {
    BwBorder border = b ? BW_BORDER_CONSTANT : BW_BORDER_EDGE;
    const guint fill = 3;

    memset (dst.buf, SENTINEL, dst.len);
    g_assert_true (bw_warp_plane (&t, &src.p, &dst.p, border, fill));
    for (y = 0; y < dst.p.height; y++)
      for (x = 0; x < dst.p.width; x++)
        for (c = 0; c < l->components; c++) {
          gint sx = (gint) x + px, sy = (gint) y + py;
          gboolean in = sx >= 0 && sx < (gint) src.p.width && sy >= 0
              && sy < (gint) src.p.height;
          guint want = border == BW_BORDER_CONSTANT && !in ? fill
              : get (&src.p, clampi (sx, src.p.width),
              clampi (sy, src.p.height), c);

          if (get (&dst.p, x, y, c) != want)
            g_error ("%s shift (%d, %d) px %s: (%u, %u) %u, not %u", l->name,
                px, py, b ? "constant" : "edge", x, y,
                get (&dst.p, x, y, c), want);
        }
    g_assert_true (only_samples_written (&dst));
  }
  plane_clear (&src);
  plane_clear (&dst);
}

static void
test_whole_pixel (void)
{
  guint li;

  for (li = 0; li < G_N_ELEMENTS (layouts); li++) {
    check_whole_shift (&layouts[li], 3, -2, 0, 0);
    check_whole_shift (&layouts[li], -7, 5, 0, 0);
    check_whole_shift (&layouts[li], 2, -1, 3e-10, -4e-10);
    check_whole_shift (&layouts[li], -4, 0, -9e-10, 8e-10);
    check_whole_shift (&layouts[li], 1000, -3, 0, 0);
  }
}

/* ---- 3. flat planes, 4. identity ----------------------------------------- */

static void
test_flat (void)
{
  GArray *transforms = test_transforms ();
  guint li, ti, b, vi, x, y, c;

  for (li = 0; li < G_N_ELEMENTS (layouts); li++) {
    const Layout *l = &layouts[li];
    const guint top = top_of (l->format);
    const guint values[] = { 0, 1, top - 1, top };
    TestPlane src, dst;

    plane_init (&src, l, LUMA_W, LUMA_H);
    plane_init (&dst, l, LUMA_W, LUMA_H);
    for (vi = 0; vi < G_N_ELEMENTS (values); vi++) {
      for (y = 0; y < src.p.height; y++)
        for (x = 0; x < src.p.width; x++)
          for (c = 0; c < l->components; c++)
            set (&src.p, x, y, c, values[vi]);
      for (ti = 0; ti < transforms->len; ti++)
        for (b = 0; b < 2; b++) {
          const NamedTransform *n =
              &g_array_index (transforms, NamedTransform, ti);
          BwBorder border = b ? BW_BORDER_CONSTANT : BW_BORDER_EDGE;

          memset (dst.buf, SENTINEL, dst.len);
          g_assert_true (bw_warp_plane (&n->t, &src.p, &dst.p, border,
                  values[vi]));
          for (y = 0; y < dst.p.height; y++)
            for (x = 0; x < dst.p.width; x++)
              for (c = 0; c < l->components; c++)
                if (get (&dst.p, x, y, c) != values[vi])
                  g_error ("%s flat %u, %s: (%u, %u) is %u", l->name,
                      values[vi], n->name, x, y, get (&dst.p, x, y, c));
        }
    }
    plane_clear (&src);
    plane_clear (&dst);
  }
  g_array_free (transforms, TRUE);
}

static void
test_identity (void)
{
  BwTransform id = shift (0, 0);
  guint li, b, content, x, y, c;

  for (li = 0; li < G_N_ELEMENTS (layouts); li++)
    for (content = 0; content < 2; content++)
      for (b = 0; b < 2; b++) {
        TestPlane src, dst;

        plane_init (&src, &layouts[li], LUMA_W, LUMA_H);
        plane_fill (&src, content, 9);
        plane_init (&dst, &layouts[li], LUMA_W, LUMA_H);
        g_assert_true (bw_warp_plane (&id, &src.p, &dst.p,
                b ? BW_BORDER_CONSTANT : BW_BORDER_EDGE, 0));
        for (y = 0; y < src.p.height; y++)
          for (x = 0; x < src.p.width; x++)
            for (c = 0; c < src.p.components; c++)
              g_assert_cmpuint (get (&dst.p, x, y, c), ==,
                  get (&src.p, x, y, c));
        g_assert_true (only_samples_written (&dst));
        plane_clear (&src);
        plane_clear (&dst);
      }
}

/* ---- 5. row ranges ------------------------------------------------------- */

static void
test_rows (void)
{
  const BwTransform ts[] = { shift (0.3, -1.7), rotation (7, 1.01, 3, 4) };
  guint li, ti;

  for (li = 0; li < G_N_ELEMENTS (layouts); li++)
    for (ti = 0; ti < G_N_ELEMENTS (ts); ti++) {
      TestPlane src, whole, parts;
      guint h, cut1, cut2;

      plane_init (&src, &layouts[li], LUMA_W, LUMA_H);
      plane_fill (&src, CONTENT_RANDOM, 3);
      plane_init (&whole, &layouts[li], LUMA_W, LUMA_H);
      plane_init (&parts, &layouts[li], LUMA_W, LUMA_H);
      h = src.p.height;
      cut1 = h / 3;
      cut2 = cut1 + 1;
      g_assert_true (bw_warp_plane (&ts[ti], &src.p, &whole.p,
              BW_BORDER_CONSTANT, 9));
      g_assert_true (bw_warp_plane_rows (&ts[ti], &src.p, &parts.p,
              BW_BORDER_CONSTANT, 9, cut2, h - cut2));
      g_assert_true (bw_warp_plane_rows (&ts[ti], &src.p, &parts.p,
              BW_BORDER_CONSTANT, 9, 0, cut1));
      g_assert_true (bw_warp_plane_rows (&ts[ti], &src.p, &parts.p,
              BW_BORDER_CONSTANT, 9, cut1, 1));
      g_assert_true (bw_warp_plane_rows (&ts[ti], &src.p, &parts.p,
              BW_BORDER_CONSTANT, 9, h, 0));
      g_assert_cmpmem (whole.buf, whole.len, parts.buf, parts.len);
      /* Beyond the plane. */
      g_assert_false (bw_warp_plane_rows (&ts[ti], &src.p, &parts.p,
              BW_BORDER_CONSTANT, 9, h - 1, 2));
      g_assert_false (bw_warp_plane_rows (&ts[ti], &src.p, &parts.p,
              BW_BORDER_CONSTANT, 9, h + 1, 0));
      g_assert_false (bw_warp_plane_rows (&ts[ti], &src.p, &parts.p,
              BW_BORDER_CONSTANT, 9, 1, G_MAXUINT));
      plane_clear (&src);
      plane_clear (&whole);
      plane_clear (&parts);
    }
}

/* ---- 6. invalid arguments ------------------------------------------------ */

typedef void (*Breaker) (BwTransform * t, BwWarpPlane * src,
    BwWarpPlane * dst, BwBorder * border, guint * fill);

static void
no_width (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d, BwBorder * b,
    guint * f)
{
  s->width = d->width = 0;
}

static void
no_height (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d, BwBorder * b,
    guint * f)
{
  s->height = d->height = 0;
}

static void
widths_differ (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d,
    BwBorder * b, guint * f)
{
  d->width--;
}

static void
heights_differ (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d,
    BwBorder * b, guint * f)
{
  s->height--;
}

static void
formats_differ (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d,
    BwBorder * b, guint * f)
{
  d->format = BW_SAMPLE_U16BE;
}

static void
bad_format (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d, BwBorder * b,
    guint * f)
{
  s->format = d->format = 7;
}

static void
no_components (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d,
    BwBorder * b, guint * f)
{
  s->components = d->components = 0;
}

static void
three_components (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d,
    BwBorder * b, guint * f)
{
  s->format = d->format = BW_SAMPLE_U8;
  s->components = d->components = 3;
  s->pixel_stride = d->pixel_stride = 3;
  s->width = d->width = 20;
}

static void
components_differ (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d,
    BwBorder * b, guint * f)
{
  s->format = d->format = BW_SAMPLE_U8;
  s->components = 2;
}

static void
pixel_strides_differ (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d,
    BwBorder * b, guint * f)
{
  s->format = d->format = BW_SAMPLE_U8;
  d->pixel_stride = 1;
}

static void
pixel_stride_short (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d,
    BwBorder * b, guint * f)
{
  s->pixel_stride = d->pixel_stride = 1;
}

static void
stride_short (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d,
    BwBorder * b, guint * f)
{
  s->stride = 10;
}

static void
scales_differ (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d,
    BwBorder * b, guint * f)
{
  d->scale_x = 0.5;
}

static void
scale_zero (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d, BwBorder * b,
    guint * f)
{
  s->scale_y = d->scale_y = 0;
}

static void
scale_nan (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d, BwBorder * b,
    guint * f)
{
  s->scale_x = d->scale_x = NAN;
}

static void
motion_nan (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d, BwBorder * b,
    guint * f)
{
  t->m[4] = NAN;
}

static void
motion_infinite (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d,
    BwBorder * b, guint * f)
{
  t->m[0] = INFINITY;
}

static void
motion_overflows (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d,
    BwBorder * b, guint * f)
{
  t->m[2] = 1e308;
}

static void
bad_border (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d, BwBorder * b,
    guint * f)
{
  *b = 2;
}

static void
fill_too_big (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d,
    BwBorder * b, guint * f)
{
  *b = BW_BORDER_CONSTANT;
  *f = 65536;
}

static void
overlapping (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d, BwBorder * b,
    guint * f)
{
  d->data = s->data + s->stride;
}

static void
no_src_data (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d, BwBorder * b,
    guint * f)
{
  s->data = NULL;
}

static void
no_dst_data (BwTransform * t, BwWarpPlane * s, BwWarpPlane * d, BwBorder * b,
    guint * f)
{
  d->data = NULL;
}

static void
test_invalid (void)
{
  static const Breaker breakers[] = { no_width, no_height, widths_differ,
    heights_differ, formats_differ, bad_format, no_components,
    three_components, components_differ, pixel_strides_differ,
    pixel_stride_short, stride_short,
    scales_differ, scale_zero, scale_nan, motion_nan, motion_infinite,
    motion_overflows, bad_border, fill_too_big, overlapping, no_src_data,
    no_dst_data
  };
  const BwTransform t0 = shift (0.5, 0.25);
  TestPlane src, dst;
  gsize k;
  guint i;

  plane_init (&src, &layouts[1], LUMA_W, LUMA_H);
  plane_fill (&src, CONTENT_RANDOM, 1);
  plane_init (&dst, &layouts[1], LUMA_W, LUMA_H);

  /* The unbroken call works; fill 65535 is within range. */
  g_assert_true (bw_warp_plane (&t0, &src.p, &dst.p, BW_BORDER_CONSTANT,
          65535));
  g_assert_false (bw_warp_plane (NULL, &src.p, &dst.p, BW_BORDER_EDGE, 0));
  g_assert_false (bw_warp_plane (&t0, NULL, &dst.p, BW_BORDER_EDGE, 0));
  g_assert_false (bw_warp_plane (&t0, &src.p, NULL, BW_BORDER_EDGE, 0));
  g_assert_false (bw_warp_plane_rows (&t0, NULL, &dst.p, BW_BORDER_EDGE, 0,
          0, 1));
  for (i = 0; i < G_N_ELEMENTS (breakers); i++) {
    BwTransform t = t0;
    BwWarpPlane s = src.p, d = dst.p;
    BwBorder border = BW_BORDER_EDGE;
    guint fill = 0;

    memset (dst.buf, SENTINEL, dst.len);
    breakers[i] (&t, &s, &d, &border, &fill);
    if (bw_warp_plane (&t, &s, &d, border, fill))
      g_error ("invalid arguments %u accepted", i);
    for (k = 0; k < dst.len; k++)
      if (dst.buf[k] != SENTINEL)
        g_error ("invalid arguments %u: dst written", i);
  }
  /* An 8-bit plane's fill stops at 255. */
  plane_clear (&src);
  plane_clear (&dst);
  plane_init (&src, &layouts[0], LUMA_W, LUMA_H);
  plane_init (&dst, &layouts[0], LUMA_W, LUMA_H);
  g_assert_true (bw_warp_plane (&t0, &src.p, &dst.p, BW_BORDER_CONSTANT, 255));
  g_assert_false (bw_warp_plane (&t0, &src.p, &dst.p, BW_BORDER_CONSTANT, 256));
  g_assert_true (bw_warp_plane (&t0, &src.p, &dst.p, BW_BORDER_EDGE, 256));
  plane_clear (&src);
  plane_clear (&dst);
}

/* ---- 7. a round trip ----------------------------------------------------- */

#define TRIP_W 160
#define TRIP_H 128
#define TRIP_MARGIN 8

static void
test_round_trip (void)
{
  const Layout *l = &layouts[1];
  const BwTransform there = shift (0.37, -0.81), back = shift (-0.37, 0.81);
  SmoothTexture tex;
  gdouble *f = g_new (gdouble, TRIP_W * TRIP_H), sd, scale, sum2 = 0, worst = 0;
  guint8 *packed = g_malloc (2 * TRIP_W * TRIP_H);
  TestPlane a, b, c;
  guint x, y, n = 0;

  smooth_texture_init (&tex, TRIP_W, TRIP_H, 23);
  smooth_texture_render (&tex, 0, 0, f);
  scale = 4000 / smooth_texture_sd (f, TRIP_W * TRIP_H);
  plane_init (&a, l, TRIP_W, TRIP_H);
  plane_init (&b, l, TRIP_W, TRIP_H);
  plane_init (&c, l, TRIP_W, TRIP_H);
  smooth_texture_store (f, TRIP_W * TRIP_H, 30000, scale, 0, NULL, TRUE,
      FALSE, packed);
  for (y = 0; y < TRIP_H; y++)
    memcpy (a.p.data + y * a.p.stride, packed + 2 * y * TRIP_W, 2 * TRIP_W);
  g_assert_true (bw_warp_plane (&there, &a.p, &b.p, BW_BORDER_EDGE, 0));
  g_assert_true (bw_warp_plane (&back, &b.p, &c.p, BW_BORDER_EDGE, 0));
  sd = 4000;
  for (y = TRIP_MARGIN; y < TRIP_H - TRIP_MARGIN; y++)
    for (x = TRIP_MARGIN; x < TRIP_W - TRIP_MARGIN; x++) {
      gdouble e = (gdouble) get (&c.p, x, y, 0) - get (&a.p, x, y, 0);

      sum2 += e * e;
      worst = MAX (worst, fabs (e));
      n++;
    }
  if (g_test_verbose ())
    g_printerr ("round trip: RMS %.2f, worst %.1f counts (sd %.0f)\n",
        sqrt (sum2 / n), worst, sd);
  g_assert_cmpfloat (sqrt (sum2 / n), <, 0.03 * sd);
  g_assert_cmpfloat (worst, <, 0.2 * sd);
  plane_clear (&a);
  plane_clear (&b);
  plane_clear (&c);
  smooth_texture_clear (&tex);
  g_free (packed);
  g_free (f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/warp/reference", test_reference);
  g_test_add_func ("/warp/whole-pixel", test_whole_pixel);
  g_test_add_func ("/warp/flat", test_flat);
  g_test_add_func ("/warp/identity", test_identity);
  g_test_add_func ("/warp/rows", test_rows);
  g_test_add_func ("/warp/invalid", test_invalid);
  g_test_add_func ("/warp/round-trip", test_round_trip);
  return g_test_run ();
}
