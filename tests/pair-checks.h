/* gst-blockwise: what the verdict tests share: boxes and their overlap,
 * Gaussian noise, and whether the counted regions lie where the truth is.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BW_PAIR_CHECKS_H__
#define __BW_PAIR_CHECKS_H__

#include <math.h>

#include <glib.h>

#include "verdict.h"

typedef struct
{
  gint x, y, w, h;
} Box;

static inline gdouble
box_iou (const Box * p, const Box * q)
{
  gint x0 = MAX (p->x, q->x), y0 = MAX (p->y, q->y);
  gint x1 = MIN (p->x + p->w, q->x + q->w), y1 = MIN (p->y + p->h, q->y + q->h);
  gdouble inter, uni;

  if (x1 <= x0 || y1 <= y0)
    return 0;
  inter = (gdouble) (x1 - x0) * (y1 - y0);
  uni = (gdouble) p->w * p->h + (gdouble) q->w * q->h - inter;
  return inter / uni;
}

/* A standard normal deviate (Box-Muller). */
static inline gdouble
gauss (GRand * rng)
{
  gdouble u = g_rand_double (rng), v = g_rand_double (rng);

  return sqrt (-2 * log (1 - u)) * cos (2 * G_PI * v);
}

static inline gint
cmp_double (gconstpointer p, gconstpointer q)
{
  gdouble a = *(const gdouble *) p, b = *(const gdouble *) q;

  return a < b ? -1 : a > b;
}

/* Whether nothing is flagged outside truth: every counted region is
 * reported and lies by at least half its area in truth.  *iou receives the
 * best IoU of a region with truth. */
static inline gboolean
regions_inside (const BwVerdict * v, const Box * truth, gdouble * iou)
{
  gboolean elsewhere = v->n_regions > v->n_reported;
  guint i;

  *iou = 0;
  for (i = 0; i < v->n_reported; i++) {
    Box b = { v->regions[i].x, v->regions[i].y, v->regions[i].width,
      v->regions[i].height
    };
    gdouble in = box_iou (&b, truth);
    gdouble inter = in * ((gdouble) b.w * b.h + (gdouble) truth->w * truth->h)
        / (1 + in);

    *iou = MAX (*iou, in);
    elsewhere |= inter < 0.5 * b.w * b.h;
  }
  return !elsewhere;
}

#endif /* __BW_PAIR_CHECKS_H__ */
