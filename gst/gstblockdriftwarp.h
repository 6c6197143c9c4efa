/* gst-blockwise: blockdrift's correction of a whole video frame, every
 * plane resampled through the frame's motion (analysis/warp.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_BLOCKDRIFT_WARP_H__
#define __GST_BLOCKDRIFT_WARP_H__

#include <gst/video/video.h>
#include "warp.h"

G_BEGIN_DECLS
/* Writes out(p) = in(motion(p)) for every plane of in (motion in the luma
 * plane's pixels; chroma planes through their subsampling).  in and out
 * have the same format and size.  Uncovered pixels get the edge or, with
 * BW_BORDER_CONSTANT, fill on the luma or gray plane (clamped to the
 * format's range) and the neutral middle on chroma planes.  FALSE when a
 * plane cannot be resampled. */
    gboolean gst_blockdrift_warp_frame (const BwTransform * motion,
    const GstVideoFrame * in, GstVideoFrame * out, BwBorder border, guint fill);

G_END_DECLS
#endif /* __GST_BLOCKDRIFT_WARP_H__ */
