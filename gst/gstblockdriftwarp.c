/* gst-blockwise: blockdrift's correction of a whole video frame (see
 * gstblockdriftwarp.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gstblockdriftwarp.h"
#include "gstblockcorranalysis.h"

/* Describes plane p of frame for the warp; *chroma is set when the plane
 * holds colour difference samples. */
static void
describe_plane (const GstVideoFrame * frame, guint p, BwWarpPlane * wp,
    gboolean * chroma)
{
  const GstVideoFormatInfo *finfo = frame->info.finfo;
  guint c, first = G_MAXUINT, n = 0;

  for (c = 0; c < GST_VIDEO_FORMAT_INFO_N_COMPONENTS (finfo); c++) {
    if (GST_VIDEO_FORMAT_INFO_PLANE (finfo, c) != p)
      continue;
    if (first == G_MAXUINT)
      first = c;
    n++;
  }
  wp->data = GST_VIDEO_FRAME_PLANE_DATA (frame, p);
  wp->stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, p);
  wp->pixel_stride = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, first);
  wp->components = n;
  wp->format = gst_blockcorr_sample_format (GST_VIDEO_FRAME_FORMAT (frame));
  wp->width = GST_VIDEO_FRAME_COMP_WIDTH (frame, first);
  wp->height = GST_VIDEO_FRAME_COMP_HEIGHT (frame, first);
  wp->scale_x = 1.0 / (1 << GST_VIDEO_FORMAT_INFO_W_SUB (finfo, first));
  wp->scale_y = 1.0 / (1 << GST_VIDEO_FORMAT_INFO_H_SUB (finfo, first));
  *chroma = GST_VIDEO_FORMAT_INFO_IS_YUV (finfo) && first != 0;
}

gboolean
gst_blockdrift_warp_frame (const BwTransform * motion,
    const GstVideoFrame * in, GstVideoFrame * out, BwBorder border, guint fill)
{
  guint p;

  for (p = 0; p < GST_VIDEO_FRAME_N_PLANES (in); p++) {
    BwWarpPlane src, dst;
    gboolean chroma;
    guint max, plane_fill;

    describe_plane (in, p, &src, &chroma);
    describe_plane (out, p, &dst, &chroma);
    max = src.format == BW_SAMPLE_U8 ? 255 : 65535;
    /* Neutral chroma is the middle of the range: no colour. */
    plane_fill = chroma ? (max + 1) / 2 : MIN (fill, max);
    if (!bw_warp_plane (motion, &src, &dst, border, plane_fill))
      return FALSE;
  }
  return TRUE;
}
