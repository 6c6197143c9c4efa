/* gst-blockwise: what the verdict tests share: boxes and their overlap,
 * Gaussian noise, whether the counted regions lie where the truth is, and
 * a print of the verdict for diagnosis.
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

/* Diagnosis: the verdict's reported regions, and with grid the blocks'
 * displacements (dx dy, "." where r is undefined), rows x cols. */
static inline void
print_regions_and_shifts (const BwVerdict * v, const gfloat * r_grid,
    const gfloat * dx, const gfloat * dy, guint cols, guint rows,
    gboolean grid)
{
  guint i, c, r;

  for (i = 0; i < v->n_reported; i++) {
    const BwRegion *g = &v->regions[i];

    g_printerr ("  region %u: %u,%u %ux%u, %u blocks, r %.3f, shift "
        "(%.2f, %.2f)%s\n", i, g->x, g->y, g->width, g->height, g->blocks,
        g->median_r, g->shift_x, g->shift_y, g->at_radius ? " at radius" : "");
  }
  if (!grid)
    return;
  for (r = 0; r < rows; r++) {
    GString *line = g_string_new ("  ");

    for (c = 0; c < cols; c++) {
      const gsize k = (gsize) r * cols + c;

      if (isnan (r_grid[k]))
        g_string_append (line, "    .    ");
      else
        g_string_append_printf (line, " %+4.1f%+4.1f", dx[k], dy[k]);
    }
    g_printerr ("%s\n", line->str);
    g_string_free (line, TRUE);
  }
}

#endif /* __BW_PAIR_CHECKS_H__ */
