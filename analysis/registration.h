/* gst-blockwise: "do these two images need registering, and where?" in one
 * call: block sums, the displacement search, the background and the
 * verdict, as the blockcorr element computes them per frame.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BW_REGISTRATION_H__
#define __BW_REGISTRATION_H__

#include "background.h"
#include "verdict.h"

G_BEGIN_DECLS

typedef struct
{
  guint search_radius;          /* 0 .. BW_MAX_SEARCH_RADIUS */
  gdouble min_intensity;        /* a block is background when both means
                                 * are below; NaN: estimated (background.h);
                                 * 0: no background */
  guint min_region_blocks;
  gdouble shift_tolerance;      /* px */
} BwRegistrationParams;

/* Defaults: radius 2, automatic background, regions of 3 blocks, 0.25 px. */
void bw_registration_params_init (BwRegistrationParams * params);

typedef struct
{
  BwVerdict verdict;
  guint background;             /* blocks that are background */
  BwBackground background_a;    /* the estimates (background level and
                                 * noise), made in every case */
  BwBackground background_b;
} BwRegistration;

/* Checks the pair; optional per-block outputs (rows x cols, NULL to skip):
 * r at (0, 0) with NaN where invalid or background, and the search
 * results.  FALSE on invalid arguments. */
gboolean bw_check_registration (const BwGeometry * geom, const BwPlane * a,
    const BwPlane * b, const BwRegistrationParams * params,
    BwRegistration * out, gfloat * r_grid, BwBlockShift * shifts);

/* Whether a block (its statistics and search result) is background under
 * min_intensity (NaN: the estimates bg_a and bg_b apply), as the element
 * masks blocks. */
gboolean bw_block_is_background (const BwBlockStats * st,
    const BwBlockShift * shift, guint search_radius, gdouble min_intensity,
    const BwBackground * bg_a, const BwBackground * bg_b);

G_END_DECLS

#endif /* __BW_REGISTRATION_H__ */
