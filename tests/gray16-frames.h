/* gst-blockwise tests: 16-bit test frames: random texture, moved copies,
 * GRAY16_LE buffers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GRAY16_FRAMES_H__
#define __GRAY16_FRAMES_H__

#include <gst/gst.h>
#include "blockcorr-harness.h"

/* A texture of independent random pixels, 16-bit: its autocorrelation is
 * a spike, so every offset but the true one correlates at noise level. */
static inline guint16 *
random_texture (gint w, gint h, guint32 seed)
{
  GRand *rnd = g_rand_new_with_seed (seed);
  guint16 *t = g_new (guint16, (gsize) w * h);
  gint i;

  for (i = 0; i < w * h; i++)
    t[i] = g_rand_int_range (rnd, 1000, 60000);
  g_rand_free (rnd);
  return t;
}

/* b(x, y) = a(x - sx, y - sy) inside [rx0, rx1) x [ry0, ry1) (the whole
 * frame when rx1 is 0), a elsewhere; clamped at the frame's edges. */
static inline guint16 *
shifted (const guint16 * a, gint w, gint h, gint sx, gint sy, gint rx0,
    gint ry0, gint rx1, gint ry1)
{
  guint16 *b = g_new (guint16, (gsize) w * h);
  gint x, y;

  if (rx1 == 0) {
    rx1 = w;
    ry1 = h;
  }
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      gboolean in = x >= rx0 && x < rx1 && y >= ry0 && y < ry1;
      gint ux = CLAMP (x - (in ? sx : 0), 0, w - 1);
      gint uy = CLAMP (y - (in ? sy : 0), 0, h - 1);

      b[y * w + x] = a[uy * w + ux];
    }
  return b;
}

static inline GstBuffer *
gray16_buffer (const guint16 * v, gint w, gint h, guint n)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, (gsize) w * h * 2, NULL);
  GstMapInfo map;
  gint i;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  for (i = 0; i < w * h; i++)
    GST_WRITE_UINT16_LE (map.data + 2 * i, v[i]);
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = frame_pts (n);
  GST_BUFFER_DURATION (buf) = frame_pts (1);
  return buf;
}

/* A smooth texture: independent random pixels averaged over 5x5 windows
 * (wrapping at the edges), so a moved copy still correlates a few pixels
 * away, as in most images. */
static inline guint16 *
smooth_texture (gint w, gint h, guint32 seed)
{
  guint16 *t = random_texture (w, h, seed), *s = g_new (guint16, (gsize) w * h);
  gint x, y, i, j;

  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      guint sum = 0;

      for (j = -2; j <= 2; j++)
        for (i = -2; i <= 2; i++)
          sum += t[((y + j + h) % h) * w + (x + i + w) % w];
      s[y * w + x] = sum / 25;
    }
  g_free (t);
  return s;
}

#endif /* __GRAY16_FRAMES_H__ */
