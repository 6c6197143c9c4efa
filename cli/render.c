/* gst-blockwise command line: the pictures, drawn with cairo.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <cairo.h>

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

static cairo_status_t
write_png (void *closure, const unsigned char *data, unsigned int length)
{
  return bc_output_write (closure, data, length) ? CAIRO_STATUS_SUCCESS :
      CAIRO_STATUS_WRITE_ERROR;
}

/* Writes the picture drawn with cr into out, unless drawing failed. */
static gboolean
finish (cairo_t * cr, cairo_surface_t * surface, BcOutput * out,
    GError ** error)
{
  cairo_status_t st = cairo_status (cr);

  cairo_destroy (cr);
  if (st == CAIRO_STATUS_SUCCESS)
    st = cairo_surface_write_to_png_stream (surface, write_png, out);
  cairo_surface_destroy (surface);
  if (st != CAIRO_STATUS_SUCCESS)
    bc_output_fail (out, 0, cairo_status_to_string (st));
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

/* The grid as a cols x rows image, one pixel per block. */
static cairo_surface_t *
grid_surface (const BcHeatmap * hm)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
      hm->cols, hm->rows);
  const guint8 *map = bw_colormap_table (hm->colormap);
  guint8 *data;
  gint stride;
  guint x, y;

  cairo_surface_flush (s);
  data = cairo_image_surface_get_data (s);
  stride = cairo_image_surface_get_stride (s);
  for (y = 0; y < hm->rows; y++) {
    guint32 *row = (guint32 *) (data + (gsize) y * stride);

    for (x = 0; x < hm->cols; x++) {
      gfloat v = hm->values[(gsize) y * hm->cols + x];

      if (hm->background && hm->background[(gsize) y * hm->cols + x]) {
        row[x] = 0xffffff;      /* hatched over later */
      } else if (isnan (v)) {
        row[x] = ((guint32) (INVALID_R * 255) << 16) |
            ((guint32) (INVALID_G * 255) << 8) | (guint32) (INVALID_B * 255);
      } else {
        const guint8 *c = map + 3 * bw_colormap_index (v, hm->range_min,
            hm->range_max);

        row[x] = ((guint32) c[0] << 16) | ((guint32) c[1] << 8) | c[2];
      }
    }
  }
  cairo_surface_mark_dirty (s);
  return s;
}

gboolean
bc_render_heatmap (const BcHeatmap * hm, BcOutput * out, GError ** error)
{
  /* Whole pixels per block, so every block is a sharp square. */
  gdouble scale = MAX (1.0, floor (TARGET_SIDE / MAX (hm->cols, hm->rows)));
  gdouble img_w = hm->cols * scale, img_h = hm->rows * scale;
  gdouble margin = 24, caption_h = 62, bar_w = 28, bar_gap = 24,
      label_w = 70, legend_h = 40;
  gdouble width = margin + img_w + bar_gap + bar_w + label_w + margin;
  gdouble height = margin + caption_h + MAX (img_h, 220) + legend_h + margin;
  gdouble x0 = margin, y0 = margin + caption_h, bx = x0 + img_w + bar_gap;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
      (gint) ceil (width), (gint) ceil (height));
  cairo_surface_t *grid = grid_surface (hm);
  cairo_t *cr = cairo_create (surface);
  const guint8 *map = bw_colormap_table (hm->colormap);
  gdouble bar_h = MAX (img_h, 220);
  cairo_pattern_t *hatching = hatch_pattern ();
  guint i;

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);

  /* caption */
  cairo_set_source_rgb (cr, 0, 0, 0);
  text_at (cr, x0, margin + 18, 16, TRUE, hm->title);
  if (hm->subtitle)
    text_at (cr, x0, margin + 44, 13, FALSE, hm->subtitle);

  /* the grid, nearest neighbour */
  cairo_save (cr);
  cairo_translate (cr, x0, y0);
  cairo_scale (cr, scale, scale);
  cairo_set_source_surface (cr, grid, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_rectangle (cr, 0, 0, hm->cols, hm->rows);
  cairo_fill (cr);
  cairo_restore (cr);
  cairo_surface_destroy (grid);
  if (hm->background) {
    guint x, y;

    for (y = 0; y < hm->rows; y++)
      for (x = 0; x < hm->cols; x++)
        if (hm->background[(gsize) y * hm->cols + x])
          hatch (cr, hatching, x0 + x * scale, y0 + y * scale, scale, scale);
  }
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, x0 - 0.5, y0 - 0.5, img_w + 1, img_h + 1);
  cairo_stroke (cr);

  /* colour bar: top = range_max */
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

gboolean
bc_render_series (const gdouble * median, const gdouble * below_fraction,
    guint n, gdouble threshold, const gchar * title, BcOutput * out,
    GError ** error)
{
  gdouble W = 1000, H = 520, left = 70, right = 30, top = 60, bottom = 70;
  gdouble pw = W - left - right, ph = H - top - bottom, lo = 0.0;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
      (gint) W, (gint) H);
  cairo_t *cr = cairo_create (surface);
  const gdouble *series[2] = { median, below_fraction };
  static const gdouble colours[2][3] = { {0.12, 0.35, 0.75}, {0.85, 0.33,
      0.10}
  };
  static const gchar *names[2] = { "median r", "fraction of blocks below "
        "the threshold"
  };
  guint i, k;

  for (i = 0; i < n; i++)
    if (!isnan (median[i]))
      lo = MIN (lo, floor (median[i] * 4) / 4);
#define PX(i) (left + (n > 1 ? pw * (i) / (n - 1.0) : pw / 2))
#define PY(v) (top + ph * (1.0 - ((v) - lo) / (1.0 - lo)))

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  text_at (cr, left, 30, 16, TRUE, title);

  /* axes, grid lines and labels */
  cairo_set_line_width (cr, 1);
  for (k = 0; k <= 4; k++) {
    gdouble v = lo + (1.0 - lo) * k / 4.0;
    gchar label[16];

    cairo_set_source_rgb (cr, 0.85, 0.85, 0.85);
    cairo_move_to (cr, left, PY (v) + 0.5);
    cairo_line_to (cr, left + pw, PY (v) + 0.5);
    cairo_stroke (cr);
    cairo_set_source_rgb (cr, 0, 0, 0);
    g_snprintf (label, sizeof (label), "%.2f", v);
    text_at (cr, 20, PY (v) + 4, 12, FALSE, label);
  }
  for (k = 0; k < n; k += MAX (1, n / 10)) {
    gchar label[16];

    g_snprintf (label, sizeof (label), "%u", k);
    text_at (cr, PX (k) - 4, top + ph + 18, 12, FALSE, label);
  }
  text_at (cr, left + pw / 2 - 20, top + ph + 38, 13, FALSE, "frame");
  cairo_rectangle (cr, left + 0.5, top + 0.5, pw, ph);
  cairo_stroke (cr);

  /* the two series, with a dot per frame */
  for (k = 0; k < 2; k++) {
    gboolean pen_down = FALSE;

    cairo_set_source_rgb (cr, colours[k][0], colours[k][1], colours[k][2]);
    cairo_set_line_width (cr, 2);
    for (i = 0; i < n; i++) {
      if (isnan (series[k][i])) {
        pen_down = FALSE;
        continue;
      }
      if (pen_down)
        cairo_line_to (cr, PX (i), PY (series[k][i]));
      else
        cairo_move_to (cr, PX (i), PY (series[k][i]));
      pen_down = TRUE;
    }
    cairo_stroke (cr);
    for (i = 0; i < n; i++)
      if (!isnan (series[k][i])) {
        cairo_arc (cr, PX (i), PY (series[k][i]), 3, 0, 2 * G_PI);
        cairo_fill (cr);
      }
    cairo_rectangle (cr, left + 10 + 330 * k, H - 22, 14, 4);
    cairo_fill (cr);
    cairo_set_source_rgb (cr, 0, 0, 0);
    {
      gchar *label = k == 1 ? g_strdup_printf ("%s (%.2g)", names[k],
          threshold) : g_strdup (names[k]);

      text_at (cr, left + 30 + 330 * k, H - 16, 12, FALSE, label);
      g_free (label);
    }
  }
#undef PX
#undef PY
  return finish (cr, surface, out, error);
}
