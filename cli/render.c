/* gst-blockwise command line: the pictures, drawn with cairo.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>
#include <cairo.h>

#include "png-file.h"
#include "render.h"

/* Invalid blocks: a mid gray that no colormap entry is, shown in the
 * legend. */
#define INVALID_R 0.55
#define INVALID_G 0.55
#define INVALID_B 0.55
/* Background blocks: white hatched with light gray diagonals, one pixel
 * in HATCH_PERIOD, whatever their value: no colormap draws that. */
#define HATCH_PERIOD 6
#define HATCH_LEVEL 0.7

#define FONT "DejaVu Sans"
#define TARGET_SIDE 1000.0

/* The background's hatching: white with a diagonal line of HATCH_LEVEL
 * gray, whole pixels (no antialiasing), repeated. */
static cairo_pattern_t *
hatch_pattern (void)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
      HATCH_PERIOD, HATCH_PERIOD);
  guint32 line = (guint32) (HATCH_LEVEL * 255) * 0x010101;
  cairo_pattern_t *p;
  guint8 *data;
  gint stride, x, y;

  cairo_surface_flush (s);
  data = cairo_image_surface_get_data (s);
  stride = cairo_image_surface_get_stride (s);
  for (y = 0; y < HATCH_PERIOD; y++)
    for (x = 0; x < HATCH_PERIOD; x++)
      ((guint32 *) (data + (gsize) y * stride))[x] =
          (x + y) % HATCH_PERIOD == 0 ? line : 0xffffff;
  cairo_surface_mark_dirty (s);
  p = cairo_pattern_create_for_surface (s);
  cairo_surface_destroy (s);
  cairo_pattern_set_extend (p, CAIRO_EXTEND_REPEAT);
  cairo_pattern_set_filter (p, CAIRO_FILTER_NEAREST);
  return p;
}

/* Fills the rectangle with the hatching. */
static void
hatch (cairo_t * cr, cairo_pattern_t * p, gdouble x, gdouble y, gdouble w,
    gdouble h)
{
  cairo_set_source (cr, p);
  cairo_rectangle (cr, x, y, w, h);
  cairo_fill (cr);
}

/* Writes the picture drawn with cr into out, unless drawing failed. */
static gboolean
finish (cairo_t * cr, cairo_surface_t * surface, BcOutput * out,
    GError ** error)
{
  cairo_status_t st = cairo_status (cr);

  cairo_destroy (cr);
  if (st == CAIRO_STATUS_SUCCESS)
    bc_png_write (surface, out);
  else
    bc_output_fail (out, 0, cairo_status_to_string (st));
  cairo_surface_destroy (surface);
  return bc_output_report (out, error);
}

static void
text_at (cairo_t * cr, gdouble x, gdouble y, gdouble size, gboolean bold,
    const gchar * text)
{
  /* cairo stops drawing at the first string that is not UTF-8, and file
   * names need not be. */
  gchar *valid = g_utf8_validate (text, -1, NULL) ? NULL :
      g_utf8_make_valid (text, -1);

  cairo_select_font_face (cr, FONT, CAIRO_FONT_SLANT_NORMAL,
      bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, size);
  cairo_move_to (cr, x, y);
  cairo_show_text (cr, valid ? valid : text);
  g_free (valid);
}

/* A displacement (dx, dy) as a colour: its direction as the hue, from
 * red (+x, right) through yellow-green (+y, down), cyan (-x) and blue
 * (-y), and its length as the brightness, black for none to full at
 * length max: what the legend's colour wheel shows. */
static guint32
direction_colour (gdouble dx, gdouble dy, gdouble max)
{
  gdouble value = max > 0 ? CLAMP (hypot (dx, dy) / max, 0.0, 1.0) : 1.0;
  gdouble hue = atan2 (dy, dx) / (2 * G_PI), f, rgb[3];
  gint sector;

  hue = 6 * (hue < 0 ? hue + 1 : hue);
  sector = (gint) floor (hue) % 6;
  f = hue - floor (hue);
  switch (sector) {
    case 0:
      rgb[0] = 1, rgb[1] = f, rgb[2] = 0;
      break;
    case 1:
      rgb[0] = 1 - f, rgb[1] = 1, rgb[2] = 0;
      break;
    case 2:
      rgb[0] = 0, rgb[1] = 1, rgb[2] = f;
      break;
    case 3:
      rgb[0] = 0, rgb[1] = 1 - f, rgb[2] = 1;
      break;
    case 4:
      rgb[0] = f, rgb[1] = 0, rgb[2] = 1;
      break;
    default:
      rgb[0] = 1, rgb[1] = 0, rgb[2] = 1 - f;
      break;
  }
  return ((guint32) (rgb[0] * value * 255 + 0.5) << 16) |
      ((guint32) (rgb[1] * value * 255 + 0.5) << 8) |
      (guint32) (rgb[2] * value * 255 + 0.5);
}

/* The colour of block (x, y), or HATCHED for a background block. */
#define HATCHED G_MAXUINT32
static guint32
block_colour (const BcHeatmap * hm, const guint8 * map, gsize i)
{
  gfloat v = hm->values[i];

  if (hm->background && hm->background[i])
    return HATCHED;
  if (isnan (v) || (hm->dy && isnan (hm->dy[i])))
    return ((guint32) (INVALID_R * 255) << 16) |
        ((guint32) (INVALID_G * 255) << 8) | (guint32) (INVALID_B * 255);
  if (hm->dy)
    return direction_colour (v, hm->dy[i], hm->range_max);
  map += 3 * bw_colormap_index (v, hm->range_min, hm->range_max);
  return ((guint32) map[0] << 16) | ((guint32) map[1] << 8) | map[2];
}

/* The grid drawn into the picture's pixels at (x0, y0), a square of scale
 * pixels per block, background blocks hatched as hatch_pattern() hatches
 * in device space: what filling the grid as a nearest-neighbour source and
 * then hatching would draw, without an image of the grid. */
static void
paint_grid (cairo_surface_t * surface, const BcHeatmap * hm, gint x0,
    gint y0, gint scale)
{
  const guint8 *map = bw_colormap_table (hm->colormap);
  guint32 line = (guint32) (HATCH_LEVEL * 255) * 0x010101;
  guint8 *data;
  gint stride, x, y, k;

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (y = 0; y < (gint) hm->rows; y++) {
    guint32 *row = (guint32 *) (data + (gsize) (y0 + y * scale) * stride);

    for (x = 0; x < (gint) hm->cols; x++) {
      guint32 c = block_colour (hm, map, (gsize) y * hm->cols + x);
      gint px = x0 + x * scale;

      for (k = 0; k < scale; k++)
        row[px + k] = c != HATCHED ? c : (px + k + y0 + y * scale) %
            HATCH_PERIOD == 0 ? line : 0xffffff;
    }
    /* The block's other pixel rows: a copy, or the hatching moved on. */
    for (k = 1; k < scale; k++) {
      guint32 *dst = (guint32 *) ((guint8 *) row + (gsize) k * stride);

      memcpy (dst + x0, row + x0, (gsize) hm->cols * scale * 4);
      for (x = 0; x < (gint) hm->cols; x++)
        if (hm->background && hm->background[(gsize) y * hm->cols + x]) {
          gint px = x0 + x * scale, j;

          for (j = 0; j < scale; j++)
            dst[px + j] = (px + j + y0 + y * scale + k) % HATCH_PERIOD == 0 ?
                line : 0xffffff;
        }
    }
  }
  cairo_surface_mark_dirty (surface);
}

/* The colour bar of a scalar heatmap at (bx, y0), bar_w x bar_h, top =
 * range_max, with labels. */
static void
colour_bar (cairo_t * cr, const BcHeatmap * hm, gdouble bx, gdouble y0,
    gdouble bar_w, gdouble bar_h)
{
  const guint8 *map = bw_colormap_table (hm->colormap);
  guint i;

  for (i = 0; i < 256; i++) {
    const guint8 *c = map + 3 * (255 - i);

    cairo_set_source_rgb (cr, c[0] / 255.0, c[1] / 255.0, c[2] / 255.0);
    cairo_rectangle (cr, bx, y0 + bar_h * i / 256.0, bar_w,
        bar_h / 256.0 + 0.6);
    cairo_fill (cr);
  }
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_rectangle (cr, bx - 0.5, y0 - 0.5, bar_w + 1, bar_h + 1);
  cairo_stroke (cr);
  for (i = 0; i <= 4; i++) {
    gdouble v = hm->range_max - (hm->range_max - hm->range_min) * i / 4.0;
    gdouble y = y0 + bar_h * i / 4.0;
    gchar label[32];

    g_snprintf (label, sizeof (label), "%s%.3g", i == 0 ? "\u2265 " : i == 4 ?
        "\u2264 " : "", v);
    cairo_move_to (cr, bx + bar_w, y + 0.5);
    cairo_line_to (cr, bx + bar_w + 5, y + 0.5);
    cairo_stroke (cr);
    text_at (cr, bx + bar_w + 8, y + 4.5, 12, FALSE, label);
  }
}

/* The colour wheel of a displacement heatmap, WHEEL_SIDE wide at (x, y0):
 * every point has the colour of a displacement from the centre to it, the
 * rim being range_max long; the +x axis carries the length's scale. */
#define WHEEL_SIDE 150
static void
colour_wheel (cairo_t * cr, const BcHeatmap * hm, gdouble x, gdouble y0)
{
  gint side = WHEEL_SIDE, px, py;
  gdouble radius = side / 2.0, cx = x + radius, cy = y0 + 22 + radius;
  cairo_surface_t *wheel = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
      side, side);
  guint8 *data;
  gint stride, k;

  cairo_surface_flush (wheel);
  data = cairo_image_surface_get_data (wheel);
  stride = cairo_image_surface_get_stride (wheel);
  for (py = 0; py < side; py++)
    for (px = 0; px < side; px++) {
      gdouble u = px + 0.5 - radius, v = py + 0.5 - radius;

      ((guint32 *) (data + (gsize) py * stride))[px] =
          hypot (u, v) <= radius ? direction_colour (u, v, radius) : 0xffffff;
    }
  cairo_surface_mark_dirty (wheel);
  cairo_set_source_surface (cr, wheel, cx - radius, cy - radius);
  cairo_arc (cr, cx, cy, radius, 0, 2 * G_PI);
  cairo_fill (cr);
  cairo_surface_destroy (wheel);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_arc (cr, cx, cy, radius + 0.5, 0, 2 * G_PI);
  cairo_stroke (cr);

  /* the length's scale along +x */
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_move_to (cr, cx, cy + 0.5);
  cairo_line_to (cr, cx + radius, cy + 0.5);
  cairo_stroke (cr);
  for (k = 0; k <= 2; k++) {
    gdouble tx = cx + radius * k / 2.0;
    gchar label[32];

    cairo_set_source_rgb (cr, 1, 1, 1);
    cairo_move_to (cr, tx + 0.5, cy - 3);
    cairo_line_to (cr, tx + 0.5, cy + 4);
    cairo_stroke (cr);
    g_snprintf (label, sizeof (label), "%s%.3g", k == 2 ? "\u2265" : "",
        hm->range_max * k / 2.0);
    cairo_set_source_rgb (cr, 1, 1, 1);
    text_at (cr, tx - (k == 2 ? 18 : 3), cy + 16, 11, TRUE, label);
  }
  cairo_set_source_rgb (cr, 0, 0, 0);
  text_at (cr, cx + radius + 6, cy + 4, 12, FALSE, "+x");
  text_at (cr, cx - 7, cy + radius + 15, 12, FALSE, "+y");
  text_at (cr, x, cy + radius + 36, 12, FALSE, "hue: direction");
  text_at (cr, x, cy + radius + 52, 12, FALSE, "brightness: length, px");
}

gboolean
bc_render_heatmap (const BcHeatmap * hm, BcOutput * out, GError ** error)
{
  /* Whole pixels per block, so every block is a sharp square. */
  gdouble scale = MAX (1.0, floor (TARGET_SIDE / MAX (hm->cols, hm->rows)));
  gdouble img_w = hm->cols * scale, img_h = hm->rows * scale;
  gdouble margin = 24, caption_h = 62, bar_w = 28, bar_gap = 24,
      label_w = 70, legend_h = 40;
  gdouble key_w = hm->dy ? WHEEL_SIDE + 24 : bar_w + label_w;
  gdouble key_h = hm->dy ? WHEEL_SIDE + 80 : 220;
  gdouble width = margin + img_w + bar_gap + key_w + margin;
  gdouble height = margin + caption_h + MAX (img_h, key_h) + legend_h + margin;
  gdouble x0 = margin, y0 = margin + caption_h, bx = x0 + img_w + bar_gap;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
      (gint) ceil (width), (gint) ceil (height));
  cairo_t *cr = cairo_create (surface);
  gdouble bar_h = MAX (img_h, key_h);
  cairo_pattern_t *hatching = hatch_pattern ();

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);

  /* caption */
  cairo_set_source_rgb (cr, 0, 0, 0);
  text_at (cr, x0, margin + 18, 16, TRUE, hm->title);
  if (hm->subtitle)
    text_at (cr, x0, margin + 44, 13, FALSE, hm->subtitle);

  paint_grid (surface, hm, (gint) x0, (gint) y0, (gint) scale);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, x0 - 0.5, y0 - 0.5, img_w + 1, img_h + 1);
  cairo_stroke (cr);

  if (hm->dy)
    colour_wheel (cr, hm, bx, y0);
  else
    colour_bar (cr, hm, bx, y0, bar_w, bar_h);
  cairo_set_source_rgb (cr, 0, 0, 0);
  text_at (cr, bx, y0 - 8, 13, TRUE, hm->quantity);

  /* legend: the invalid colour */
  cairo_set_source_rgb (cr, INVALID_R, INVALID_G, INVALID_B);
  cairo_rectangle (cr, x0, y0 + bar_h + 14, 16, 16);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_rectangle (cr, x0 - 0.5, y0 + bar_h + 13.5, 17, 17);
  cairo_stroke (cr);
  text_at (cr, x0 + 24, y0 + bar_h + 27, 12, FALSE,
      "invalid: flat in an input");
  /* legend: the background's hatching */
  hatch (cr, hatching, x0 + 180, y0 + bar_h + 14, 16, 16);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_rectangle (cr, x0 + 180 - 0.5, y0 + bar_h + 13.5, 17, 17);
  cairo_stroke (cr);
  text_at (cr, x0 + 204, y0 + bar_h + 27, 12, FALSE,
      "background: noise only, dark or bright (see --min-intensity); "
      "counts for nothing");
  cairo_pattern_destroy (hatching);

  return finish (cr, surface, out, error);
}

/* A plot's frame: the area within its axes and the values at its bottom
 * and top, over n frames. */
typedef struct
{
  gdouble left, top, width, height;
  gdouble lo, hi;
  guint n;
} Plot;

static gdouble
plot_x (const Plot * p, gdouble i)
{
  return p->left + (p->n > 1 ? p->width * i / (p->n - 1.0) : p->width / 2);
}

static gdouble
plot_y (const Plot * p, gdouble v)
{
  return p->top + p->height * (1.0 - (v - p->lo) / (p->hi - p->lo));
}

/* Grid lines with their values (ticks + 1 of them, printed with format),
 * the frame numbers below, and the box. */
static void
plot_axes (cairo_t * cr, const Plot * p, guint ticks, const gchar * format)
{
  guint k;

  cairo_set_line_width (cr, 1);
  for (k = 0; k <= ticks; k++) {
    gdouble v = p->lo + (p->hi - p->lo) * k / ticks;
    gchar label[32];

    cairo_set_source_rgb (cr, 0.85, 0.85, 0.85);
    cairo_move_to (cr, p->left, plot_y (p, v) + 0.5);
    cairo_line_to (cr, p->left + p->width, plot_y (p, v) + 0.5);
    cairo_stroke (cr);
    cairo_set_source_rgb (cr, 0, 0, 0);
    /* Not +0 or -0 where the steps add up to almost nothing. */
    if (fabs (v) < 1e-9 * (p->hi - p->lo))
      g_strlcpy (label, "0", sizeof (label));
    else
      g_snprintf (label, sizeof (label), format, v);
    text_at (cr, p->left - 50, plot_y (p, v) + 4, 12, FALSE, label);
  }
  for (k = 0; k < p->n; k += MAX (1, p->n / 10)) {
    gchar label[16];

    g_snprintf (label, sizeof (label), "%u", k);
    text_at (cr, plot_x (p, k) - 4, p->top + p->height + 18, 12, FALSE, label);
  }
  cairo_rectangle (cr, p->left + 0.5, p->top + 0.5, p->width, p->height);
  cairo_stroke (cr);
}

/* A series as a line with a dot per frame, broken where it is NaN. */
static void
plot_line (cairo_t * cr, const Plot * p, const gdouble * values,
    const gdouble colour[3])
{
  gboolean pen_down = FALSE;
  guint i;

  cairo_set_source_rgb (cr, colour[0], colour[1], colour[2]);
  cairo_set_line_width (cr, 2);
  for (i = 0; i < p->n; i++) {
    if (isnan (values[i])) {
      pen_down = FALSE;
      continue;
    }
    if (pen_down)
      cairo_line_to (cr, plot_x (p, i), plot_y (p, values[i]));
    else
      cairo_move_to (cr, plot_x (p, i), plot_y (p, values[i]));
    pen_down = TRUE;
  }
  cairo_stroke (cr);
  for (i = 0; i < p->n; i++)
    if (!isnan (values[i])) {
      cairo_arc (cr, plot_x (p, i), plot_y (p, values[i]), 3, 0, 2 * G_PI);
      cairo_fill (cr);
    }
}

/* A legend entry: a swatch of the colour, then the label. */
static void
legend_entry (cairo_t * cr, gdouble x, gdouble y, const gdouble colour[3],
    gdouble swatch_h, const gchar * label)
{
  cairo_set_source_rgb (cr, colour[0], colour[1], colour[2]);
  cairo_rectangle (cr, x, y - 2 - swatch_h / 2, 14, swatch_h);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  text_at (cr, x + 20, y + 4, 12, FALSE, label);
}

gboolean
bc_render_series (const gdouble * median, const gdouble * below_fraction,
    guint n, gdouble threshold, const gchar * title, BcOutput * out,
    GError ** error)
{
  gdouble W = 1000, H = 520;
  Plot p = { 70, 60, W - 70 - 30, H - 60 - 70, 0.0, 1.0, n };
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
      (gint) W, (gint) H);
  cairo_t *cr = cairo_create (surface);
  static const gdouble colours[2][3] = { {0.12, 0.35, 0.75}, {0.85, 0.33,
      0.10}
  };
  gchar *below;
  guint i;

  for (i = 0; i < n; i++)
    if (!isnan (median[i]))
      p.lo = MIN (p.lo, floor (median[i] * 4) / 4);

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  text_at (cr, p.left, 30, 16, TRUE, title);
  plot_axes (cr, &p, 4, "%.2f");
  text_at (cr, p.left + p.width / 2 - 20, p.top + p.height + 38, 13, FALSE,
      "frame");
  plot_line (cr, &p, median, colours[0]);
  plot_line (cr, &p, below_fraction, colours[1]);
  legend_entry (cr, p.left + 10, H - 20, colours[0], 4, "median r");
  below = g_strdup_printf ("fraction of blocks below the threshold (%.2g)",
      threshold);
  legend_entry (cr, p.left + 340, H - 20, colours[1], 4, below);
  g_free (below);
  return finish (cr, surface, out, error);
}

/* A round step for about ticks intervals over span. */
static gdouble
nice_step (gdouble span, guint ticks)
{
  gdouble raw = span / ticks, unit = pow (10, floor (log10 (raw)));

  if (raw <= unit)
    return unit;
  if (raw <= 2 * unit)
    return 2 * unit;
  if (raw <= 5 * unit)
    return 5 * unit;
  return 10 * unit;
}

gboolean
bc_render_drift (const gdouble * drift_x, const gdouble * drift_y,
    const BcVerdictMark * verdicts, guint n, const gchar * title,
    BcOutput * out, GError ** error)
{
  gdouble W = BC_DRIFT_PLOT_WIDTH, H = BC_DRIFT_PLOT_HEIGHT, strip = 14;
  Plot p = { 80, 60, W - 80 - 30, H - 60 - 110, 0.0, 0.0, n };
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
      (gint) W, (gint) H);
  cairo_t *cr = cairo_create (surface);
  static const gdouble colours[2][3] = { {0.12, 0.35, 0.75}, {0.85, 0.33,
      0.10}
  };
  /* registered, needs registration, no texture */
  static const gdouble marks[3][3] = { {0.30, 0.69, 0.29}, {0.89, 0.10,
      0.11}, {0.70, 0.70, 0.70}
  };
  static const gchar *mark_names[3] = { "registered", "needs registration",
    "no texture"
  };
  gdouble lo = 0, hi = 0, step, strip_y;
  guint i, ticks;

  for (i = 0; i < n; i++) {
    if (!isnan (drift_x[i]))
      lo = MIN (lo, drift_x[i]), hi = MAX (hi, drift_x[i]);
    if (!isnan (drift_y[i]))
      lo = MIN (lo, drift_y[i]), hi = MAX (hi, drift_y[i]);
  }
  /* At least a pixel shown: a still stack is a flat line, not noise
   * blown up. */
  if (hi - lo < 1)
    lo = (lo + hi) / 2 - 0.5, hi = lo + 1;
  step = nice_step (hi - lo, 5);
  p.lo = floor (lo / step) * step;
  p.hi = ceil (hi / step) * step;
  ticks = (guint) lround ((p.hi - p.lo) / step);

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  text_at (cr, p.left, 30, 16, TRUE, title);
  plot_axes (cr, &p, ticks, step < 1 ? "%+.1f" : "%+.0f");
  cairo_save (cr);
  cairo_move_to (cr, 24, p.top + p.height / 2 + 40);
  cairo_rotate (cr, -G_PI / 2);
  cairo_select_font_face (cr, FONT, CAIRO_FONT_SLANT_NORMAL,
      CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 13);
  cairo_show_text (cr, "drift, px");
  cairo_restore (cr);
  text_at (cr, p.left + p.width / 2 - 20, p.top + p.height + 38, 13, FALSE,
      "frame");
  /* zero: where the first frame is */
  if (p.lo < 0 && p.hi > 0) {
    cairo_set_source_rgb (cr, 0.5, 0.5, 0.5);
    cairo_set_line_width (cr, 1);
    cairo_move_to (cr, p.left, plot_y (&p, 0) + 0.5);
    cairo_line_to (cr, p.left + p.width, plot_y (&p, 0) + 0.5);
    cairo_stroke (cr);
  }
  plot_line (cr, &p, drift_x, colours[0]);
  plot_line (cr, &p, drift_y, colours[1]);

  /* the verdict of each frame, a cell under the plot (whole pixels: no
   * seams between cells) */
  strip_y = p.top + p.height + 50;
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  for (i = 0; i < n; i++) {
    gdouble half = p.n > 1 ? p.width / (2.0 * (p.n - 1)) : p.width / 2;
    gdouble x0 = MAX (p.left, plot_x (&p, i) - half);
    gdouble x1 = MIN (p.left + p.width, plot_x (&p, i) + half);
    const gdouble *c = marks[CLAMP (verdicts[i], 0, 2)];

    cairo_set_source_rgb (cr, c[0], c[1], c[2]);
    cairo_rectangle (cr, x0, strip_y, x1 - x0, strip);
    cairo_fill (cr);
  }
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_DEFAULT);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, p.left + 0.5, strip_y + 0.5, p.width, strip);
  cairo_stroke (cr);
  text_at (cr, 14, strip_y + 11, 12, FALSE, "verdict");

  legend_entry (cr, p.left + 10, H - 20, colours[0], 4, "x");
  legend_entry (cr, p.left + 70, H - 20, colours[1], 4, "y");
  for (i = 0; i < 3; i++)
    legend_entry (cr, p.left + 200 + 170 * i, H - 20, marks[i], 12,
        mark_names[i]);
  return finish (cr, surface, out, error);
}
