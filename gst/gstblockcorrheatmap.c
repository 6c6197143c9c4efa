/* gst-blockwise: heatmap rendering.
 *
 * Each block's value is mapped linearly from [range_min, range_max] onto a
 * 256-entry colormap; invalid blocks (NaN) get the invalid colour and
 * background blocks that colour darkened to half.  Gray outputs carry the
 * scaled value itself (8 or 16 bits) and the BT.601 luma of those colours.  Each block row is drawn once and copied to the
 * other output rows of the same block row.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>
#include "gstblockcorrheatmap.h"
#include "colormap.h"

/* The pixel of colour (a, r, g, b) in packed RGB format f; padding bytes
 * (x) are written as 0xff. */
static void
rgb_pixel (const GstVideoFormatInfo * f, guint8 a, guint8 r, guint8 g,
    guint8 b, guint8 * px)
{
  memset (px, 0xff, GST_VIDEO_FORMAT_INFO_PSTRIDE (f, 0));
  px[GST_VIDEO_FORMAT_INFO_POFFSET (f, GST_VIDEO_COMP_R)] = r;
  px[GST_VIDEO_FORMAT_INFO_POFFSET (f, GST_VIDEO_COMP_G)] = g;
  px[GST_VIDEO_FORMAT_INFO_POFFSET (f, GST_VIDEO_COMP_B)] = b;
  if (GST_VIDEO_FORMAT_INFO_HAS_ALPHA (f))
    px[GST_VIDEO_FORMAT_INFO_POFFSET (f, GST_VIDEO_COMP_A)] = a;
}

void
gst_blockcorr_heatmap_range (GstBlockCorrMeasure measure, gdouble range_min,
    gdouble range_max, gdouble max0, gdouble max1, guint search_radius,
    gdouble * lo, gdouble * hi)
{
  gdouble auto_lo = 0.0, auto_hi = 1.0;

  switch (measure) {
    case GST_BLOCKCORR_MEASURE_PEARSON:
      auto_lo = -1.0;
      auto_hi = 1.0;
      break;
    case GST_BLOCKCORR_MEASURE_COVARIANCE:
      /* Largest possible |covariance| of two inputs: max0 * max1 / 4. */
      auto_hi = max0 * max1 / 4.0;
      auto_lo = -auto_hi;
      break;
    case GST_BLOCKCORR_MEASURE_MEAN_0:
      auto_hi = max0;
      break;
    case GST_BLOCKCORR_MEASURE_MEAN_1:
      auto_hi = max1;
      break;
    case GST_BLOCKCORR_MEASURE_STDDEV_0:
      auto_hi = max0 / 2.0;
      break;
    case GST_BLOCKCORR_MEASURE_STDDEV_1:
      auto_hi = max1 / 2.0;
      break;
    case GST_BLOCKCORR_MEASURE_SHIFT:
      auto_hi = MAX (search_radius, 1);
      break;
    case GST_BLOCKCORR_MEASURE_R_BEST:
      auto_lo = -1.0;
      auto_hi = 1.0;
      break;
  }
  *lo = isnan (range_min) ? auto_lo : range_min;
  *hi = isnan (range_max) ? auto_hi : range_max;
}

guint32
gst_blockcorr_heatmap_background_argb (guint32 invalid_argb)
{
  return (invalid_argb & 0xff000000) | ((invalid_argb >> 1) & 0x7f7f7f);
}

/* 16-bit level of the BT.601 luma of a colour. */
static guint16
luma_level (guint32 argb)
{
  guint8 r = argb >> 16, g = argb >> 8, b = argb;
  double luma = (0.299 * r + 0.587 * g + 0.114 * b) / 255.0;

  return (guint16) lround (luma * 65535.0);
}

void
gst_blockcorr_heatmap_prepare (GstBlockCorrHeatmap * hm,
    const GstVideoFormatInfo * f)
{
  GstVideoFormat format = GST_VIDEO_FORMAT_INFO_FORMAT (f);
  guint32 background = gst_blockcorr_heatmap_background_argb (hm->invalid_argb);
  guint i;

  hm->finfo = f;
  hm->has_palette = format != GST_VIDEO_FORMAT_GRAY16_LE;
  if (!hm->has_palette)
    return;

  if (format == GST_VIDEO_FORMAT_GRAY8) {
    /* The entry index is the gray level. */
    for (i = 0; i < 256; i++)
      hm->palette[i][0] = i;
    hm->palette[GST_BLOCKCORR_HEATMAP_INVALID][0] =
        (guint8) ((luma_level (hm->invalid_argb) + 128) / 257);
    hm->palette[GST_BLOCKCORR_HEATMAP_BACKGROUND][0] =
        (guint8) ((luma_level (background) + 128) / 257);
    return;
  }

  for (i = 0; i < 256; i++) {
    const guint8 *e = hm->colormap + 3 * i;

    rgb_pixel (f, 255, e[0], e[1], e[2], hm->palette[i]);
  }
  rgb_pixel (f, hm->invalid_argb >> 24, hm->invalid_argb >> 16,
      hm->invalid_argb >> 8, hm->invalid_argb,
      hm->palette[GST_BLOCKCORR_HEATMAP_INVALID]);
  rgb_pixel (f, background >> 24, background >> 16, background >> 8,
      background, hm->palette[GST_BLOCKCORR_HEATMAP_BACKGROUND]);
}

/* The output pixel of value v (NaN = invalid) into px; a background
 * block gets the background pixel whatever v. */
static inline void
pixel_for_value (const GstBlockCorrHeatmap * hm, gfloat v,
    gboolean background, guint8 * px)
{
  guint16 level;

  if (hm->has_palette) {
    memcpy (px, hm->palette[background ? GST_BLOCKCORR_HEATMAP_BACKGROUND :
            isnan (v) ? GST_BLOCKCORR_HEATMAP_INVALID :
            bw_colormap_index (v, hm->range_min, hm->range_max)], 4);
    return;
  }

  /* GRAY16_LE: the scaled value itself. */
  if (background) {
    level = luma_level (gst_blockcorr_heatmap_background_argb
        (hm->invalid_argb));
  } else if (isnan (v)) {
    level = luma_level (hm->invalid_argb);
  } else {
    level = (guint16) lround (bw_colormap_position (v, hm->range_min,
            hm->range_max) * 65535.0);
  }
  px[0] = level & 0xff;
  px[1] = level >> 8;
}

/* Copies one pixel of pstride bytes; constant sizes become plain stores. */
static inline void
put_pixel (guint8 * dst, const guint8 * px, guint pstride)
{
  switch (pstride) {
    case 4:
      memcpy (dst, px, 4);
      break;
    case 3:
      memcpy (dst, px, 3);
      break;
    case 2:
      memcpy (dst, px, 2);
      break;
    default:
      dst[0] = px[0];
      break;
  }
}

void
gst_blockcorr_heatmap_render_lines (const GstBlockCorrHeatmap * hm,
    GstVideoFrame * frame, guint y0, guint y1)
{
  const GstVideoFormatInfo *f = frame->info.finfo;
  guint pstride = GST_VIDEO_FORMAT_INFO_PSTRIDE (f, 0);
  guint width = GST_VIDEO_FRAME_WIDTH (frame);
  guint height = GST_VIDEO_FRAME_HEIGHT (frame);
  gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);
  guint8 *data = GST_VIDEO_FRAME_PLANE_DATA (frame, 0);
  guint8 invalid_px[4], px[4];
  guint x, y, c, k;
  guint grid_w = MIN ((guint64) hm->cols * hm->cell_width, width);

  g_return_if_fail (hm->finfo == f);
  pixel_for_value (hm, NAN, FALSE, invalid_px);

  for (y = y0; y < MIN (y1, height); y++) {
    guint8 *line = data + (gsize) y * stride;
    guint br = y / hm->cell_height;

    if (y != y0 && y % hm->cell_height != 0 && br < hm->rows) {
      /* Same block row as the line above. */
      memcpy (line, line - stride, (gsize) width * pstride);
      continue;
    }

    x = 0;
    if (br < hm->rows) {
      const gfloat *values = hm->values + (gsize) br * hm->cols;
      const guint8 *background = hm->background ?
          hm->background + (gsize) br * hm->cols : NULL;

      for (c = 0; c < hm->cols && x < grid_w; c++) {
        pixel_for_value (hm, values[c], background && background[c], px);
        for (k = 0; k < hm->cell_width && x < grid_w; k++, x++)
          put_pixel (line + (gsize) x * pstride, px, pstride);
      }
    }
    for (; x < width; x++)
      put_pixel (line + (gsize) x * pstride, invalid_px, pstride);
  }
}
