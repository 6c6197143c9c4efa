/* gst-blockwise: heatmap rendering.
 *
 * Each block's value is mapped linearly from [range_min, range_max] onto a
 * 256-entry colormap; invalid blocks (NaN) get the invalid colour.  Gray
 * outputs carry the scaled value itself (8 or 16 bits) and the BT.601 luma
 * of the invalid colour.  Each block row is drawn once and copied to the
 * other output rows of the same block row.
 */
#include <math.h>
#include <string.h>
#include "gstblockcorrheatmap.h"
#include "colormap.h"

/* Bytes of one output pixel for a block of value v, in the output format. */
static void
pixel_for_value (const GstBlockCorrHeatmap * hm, const GstVideoFormatInfo * f,
    gfloat v, guint8 * px)
{
  guint8 a, r, g, b;
  GstVideoFormat format = GST_VIDEO_FORMAT_INFO_FORMAT (f);

  if (isnan (v)) {
    a = hm->invalid_argb >> 24;
    r = hm->invalid_argb >> 16;
    g = hm->invalid_argb >> 8;
    b = hm->invalid_argb;
  } else {
    const guint8 *e = hm->colormap + 3 * bw_colormap_index (v, hm->range_min,
        hm->range_max);
    a = 255;
    r = e[0];
    g = e[1];
    b = e[2];
  }

  if (format == GST_VIDEO_FORMAT_GRAY8 || format == GST_VIDEO_FORMAT_GRAY16_LE) {
    guint16 level;

    if (isnan (v)) {
      double luma = (0.299 * r + 0.587 * g + 0.114 * b) / 255.0;
      level = (guint16) lround (luma * 65535.0);
    } else {
      double t = (v - hm->range_min) / (hm->range_max - hm->range_min);
      level = (guint16) lround (CLAMP (isnan (t) ? 0.0 : t, 0.0, 1.0) * 65535.0);
    }
    if (format == GST_VIDEO_FORMAT_GRAY8) {
      px[0] = isnan (v) ? (guint8) ((level + 128) / 257)
          : bw_colormap_index (v, hm->range_min, hm->range_max);
    } else {
      px[0] = level & 0xff;
      px[1] = level >> 8;
    }
    return;
  }

  /* Packed RGB formats: padding bytes (x) are written as 0xff. */
  memset (px, 0xff, GST_VIDEO_FORMAT_INFO_PSTRIDE (f, 0));
  px[GST_VIDEO_FORMAT_INFO_POFFSET (f, GST_VIDEO_COMP_R)] = r;
  px[GST_VIDEO_FORMAT_INFO_POFFSET (f, GST_VIDEO_COMP_G)] = g;
  px[GST_VIDEO_FORMAT_INFO_POFFSET (f, GST_VIDEO_COMP_B)] = b;
  if (GST_VIDEO_FORMAT_INFO_HAS_ALPHA (f))
    px[GST_VIDEO_FORMAT_INFO_POFFSET (f, GST_VIDEO_COMP_A)] = a;
}

void
gst_blockcorr_heatmap_render_lines (const GstBlockCorrHeatmap * hm,
    GstVideoFrame * frame, guint8 * scratch, guint y0, guint y1)
{
  const GstVideoFormatInfo *f = frame->info.finfo;
  guint pstride = GST_VIDEO_FORMAT_INFO_PSTRIDE (f, 0);
  guint width = GST_VIDEO_FRAME_WIDTH (frame);
  guint height = GST_VIDEO_FRAME_HEIGHT (frame);
  gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);
  guint8 *data = GST_VIDEO_FRAME_PLANE_DATA (frame, 0);
  guint8 invalid_px[4];
  guint x, y, c;
  guint grid_w = MIN ((guint64) hm->cols * hm->cell_width, width);

  pixel_for_value (hm, f, NAN, invalid_px);

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
      for (c = 0; c < hm->cols; c++)
        pixel_for_value (hm, f, hm->values[(gsize) br * hm->cols + c],
            scratch + 4 * c);
      for (; x < grid_w; x++)
        memcpy (line + (gsize) x * pstride,
            scratch + 4 * (x / hm->cell_width), pstride);
    }
    for (; x < width; x++)
      memcpy (line + (gsize) x * pstride, invalid_px, pstride);
  }
}
