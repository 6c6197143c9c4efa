/* gst-blockwise: "do these two images need registering, and where?" in one
 * call, for bindings (the Python package calls it through ctypes): the
 * analysis of analysis.h on a pair of whole images.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BW_REGISTRATION_H__
#define __BW_REGISTRATION_H__

#include "analysis.h"

G_BEGIN_DECLS

/* Runs bw_analysis_run() once on its own working memory and threads.
 * grids as there (may be NULL when only the summary is wanted). */
gboolean bw_check_registration (const BwParams * params, guint width,
    guint height, const BwPlane * plane0, const BwPlane * plane1,
    gfloat * grids, BwSummary * summary);

G_END_DECLS

#endif /* __BW_REGISTRATION_H__ */
