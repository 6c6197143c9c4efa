/* gst-blockwise: the luma of 8-bit RGB and RGBA pixels, as GRAY8.
 *
 * videoconvert makes GRAY8 of sRGB input with BT.601's luma weights in
 * full range (GRAY8's default colorimetry), through its 8-bit integer
 * matrix: each weight times 256, rounded (77, 150, 29, which add up to
 * 256), the weighted sum shifted right by 8 bits (truncated, so 255 stays
 * the largest value and no clamp is needed).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tiffreader-luma.h"

#define LUMA_R 77
#define LUMA_G 150
#define LUMA_B 29
#define LUMA_SHIFT 8

void
bw_tiff_luma_row (const guint8 * src, guint src_bpp, guint8 * dst, guint n)
{
  guint i;

  /* One loop per pixel size, so that the compiler sees a constant stride
   * and can vectorise each. */
  if (src_bpp == 4) {
    for (i = 0; i < n; i++)
      dst[i] = (LUMA_R * src[4 * i] + LUMA_G * src[4 * i + 1] +
          LUMA_B * src[4 * i + 2]) >> LUMA_SHIFT;
  } else {
    for (i = 0; i < n; i++)
      dst[i] = (LUMA_R * src[3 * i] + LUMA_G * src[3 * i + 1] +
          LUMA_B * src[3 * i + 2]) >> LUMA_SHIFT;
  }
}
