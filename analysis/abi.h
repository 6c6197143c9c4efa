/* gst-blockwise: the layout of the structures and the constants that
 * bindings copy (the Python package compares its ctypes structures with
 * these when it is imported, so a change on one side cannot go unnoticed).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BW_ABI_H__
#define __BW_ABI_H__

#include "analysis.h"
#include "motion.h"
#include "warp.h"

G_BEGIN_DECLS
/* One field of a structure, or the structure itself (field NULL, size its
 * sizeof, offset 0). */
    typedef struct
{
  const gchar *type;            /* "BwPlane", ... */
  const gchar *field;
  gsize offset, size;
} BwAbiField;

/* The structures of the library's API, each as its own row followed by
 * its fields in declaration order; the last row's type is NULL. */
const BwAbiField *bw_abi_layout (void);

typedef struct
{
  const gchar *name;            /* the C name: "BW_MAX_BLOCK_SIZE", ... */
  gdouble value;
} BwAbiConstant;

/* The limits, the automatic value and the enum values of the API; the
 * last entry's name is NULL. */
const BwAbiConstant *bw_abi_constants (void);

/* One frame's motion in one call: the analysis of plane1 against plane0
 * (bw_analysis_run()) and the fit of model to its blocks' displacements
 * (bw_motion_fit(), which also needs the background mask that only the
 * analysis's row hook sees).  an holds the working memory and threads
 * from call to call (NULL: own ones for this call).  grids as
 * bw_analysis_run()'s, or NULL when only the summary and fit are wanted.
 * FALSE on invalid arguments. */
gboolean bw_abi_frame_motion (BwAnalysis * an, const BwParams * params,
    guint width, guint height, const BwPlane * plane0,
    const BwPlane * plane1, BwMotionModel model, gfloat * grids,
    BwSummary * summary, BwMotionFit * fit);

G_END_DECLS
#endif /* __BW_ABI_H__ */
