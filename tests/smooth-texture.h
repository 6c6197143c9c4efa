/* gst-blockwise tests and benchmarks: a smooth band-limited texture defined
 * at every real position (a sum of Gaussian spots of three sizes, none
 * narrower than 1.2 px, so nearly nothing above a quarter of the sampling
 * frequency: the smoothness of a picture upsampled twice), so that a frame
 * rendered moved by any fraction of a pixel is exactly the same scene.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __SMOOTH_TEXTURE_H__
#define __SMOOTH_TEXTURE_H__

#include <math.h>
#include <string.h>
#include <glib.h>

typedef struct
{
  gdouble x, y, sigma, amp;
} SmoothSpot;

typedef struct
{
  guint width, height;
  GArray *spots;                /* SmoothSpot */
} SmoothTexture;

/* Spots cover the frame and a margin, so moved renders stay textured up to
 * the margin. */
static void
smooth_texture_init (SmoothTexture * t, guint width, guint height, guint32 seed)
{
  static const gdouble sigmas[] = { 1.2, 2.5, 5.0 };
  static const gdouble per_px[] = { 1.0 / 12, 1.0 / 50, 1.0 / 200 };
  const gdouble margin = 20;
  GRand *rng = g_rand_new_with_seed (seed);
  guint k;

  t->width = width;
  t->height = height;
  t->spots = g_array_new (FALSE, FALSE, sizeof (SmoothSpot));
  for (k = 0; k < G_N_ELEMENTS (sigmas); k++) {
    gdouble area = (width + 2 * margin) * (height + 2 * margin);
    guint i, n = (guint) (area * per_px[k]);

    for (i = 0; i < n; i++) {
      SmoothSpot s;

      s.x = g_rand_double_range (rng, -margin, width + margin);
      s.y = g_rand_double_range (rng, -margin, height + margin);
      s.sigma = sigmas[k];
      s.amp = g_rand_double_range (rng, -1, 1);
      g_array_append_val (t->spots, s);
    }
  }
  g_rand_free (rng);
}

static void
smooth_texture_clear (SmoothTexture * t)
{
  g_array_free (t->spots, TRUE);
}

/* out[y * width + x] = the texture at (x - dx, y - dy): the scene moved by
 * (dx, dy).  Unscaled, mean about 0. */
static void
smooth_texture_render (const SmoothTexture * t, gdouble dx, gdouble dy,
    gdouble * out)
{
  const gint w = t->width, h = t->height;
  guint i;

  memset (out, 0, sizeof (gdouble) * w * h);
  for (i = 0; i < t->spots->len; i++) {
    const SmoothSpot *s = &g_array_index (t->spots, SmoothSpot, i);
    gdouble cx = s->x + dx, cy = s->y + dy, reach = 4 * s->sigma;
    gdouble k = -0.5 / (s->sigma * s->sigma);
    gint x0 = MAX ((gint) floor (cx - reach), 0);
    gint x1 = MIN ((gint) ceil (cx + reach), w - 1);
    gint y0 = MAX ((gint) floor (cy - reach), 0);
    gint y1 = MIN ((gint) ceil (cy + reach), h - 1);
    gint x, y;

    for (y = y0; y <= y1; y++)
      for (x = x0; x <= x1; x++)
        out[(gsize) y * w + x] += s->amp * exp (k * ((x - cx) * (x - cx)
                + (y - cy) * (y - cy)));
  }
}

/* A normal deviate (Box-Muller). */
static gdouble
smooth_texture_gauss (GRand * rng)
{
  gdouble u = g_rand_double (rng), v = g_rand_double (rng);

  return sqrt (-2 * log (1 - u)) * cos (2 * G_PI * v);
}

/* Writes level + scale * f[i] plus Gaussian noise of sd noise (none for
 * 0), rounded and clamped to the format's range, as samples of format
 * (rows of width samples, no padding). */
static void
smooth_texture_store (const gdouble * f, gsize n, gdouble level,
    gdouble scale, gdouble noise, GRand * rng, gboolean sixteen,
    gboolean big_endian, guint8 * out)
{
  const gdouble top = sixteen ? 65535 : 255;
  gsize i;

  for (i = 0; i < n; i++) {
    gdouble v = level + scale * f[i];
    guint s;

    if (noise > 0)
      v += noise * smooth_texture_gauss (rng);
    s = (guint) CLAMP (floor (v + 0.5), 0, top);
    if (!sixteen)
      out[i] = s;
    else if (big_endian) {
      out[2 * i] = s >> 8;
      out[2 * i + 1] = s & 0xff;
    } else {
      out[2 * i] = s & 0xff;
      out[2 * i + 1] = s >> 8;
    }
  }
}

/* The standard deviation of f[0 .. n). */
static gdouble
smooth_texture_sd (const gdouble * f, gsize n)
{
  gdouble m = 0, v = 0;
  gsize i;

  for (i = 0; i < n; i++)
    m += f[i];
  m /= n;
  for (i = 0; i < n; i++)
    v += (f[i] - m) * (f[i] - m);
  return sqrt (v / n);
}

#endif /* __SMOOTH_TEXTURE_H__ */
