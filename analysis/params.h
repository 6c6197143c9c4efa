/* gst-blockwise: the settings of the analysis, with the one set of defaults
 * that the element's properties, the command line's options and the Python
 * package's keyword arguments share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BW_PARAMS_H__
#define __BW_PARAMS_H__

#include "blockstats.h"
#include "displacement.h"

G_BEGIN_DECLS

/* "Automatic" wherever a setting can be estimated from the frame:
 * min_intensity (the background level is estimated per frame). */
#define BW_AUTO (-1.0)

#define BW_DEFAULT_BLOCK_SIZE 16
#define BW_DEFAULT_EDGE_MODE BW_EDGE_TRIM
#define BW_DEFAULT_SEARCH_RADIUS 2
#define BW_DEFAULT_MIN_INTENSITY BW_AUTO
#define BW_DEFAULT_THRESHOLD 0.5
#define BW_DEFAULT_MIN_REGION_BLOCKS 3
#define BW_DEFAULT_SHIFT_TOLERANCE 0.25
#define BW_DEFAULT_N_THREADS 0

/* Limits: block sides 1 .. BW_MAX_BLOCK_SIZE (blockstats.h), search radius
 * 0 .. BW_MAX_SEARCH_RADIUS (displacement.h), threads 0 (one per CPU) ..
 * BW_WORKER_MAX_THREADS (worker.h). */

typedef struct
{
  guint block_width, block_height;      /* px */
  BwEdgeMode edge_mode;
  guint search_radius;          /* px; 0: r at (0, 0) only */
  gdouble min_intensity;        /* a block is background when both means
                                 * are below; BW_AUTO: estimated per frame;
                                 * 0: no background */
  gdouble threshold;            /* r below this counts in below_fraction */
  guint min_region_blocks;      /* blocks a displaced region needs */
  gdouble shift_tolerance;      /* px a shift may deviate and still agree */
  guint n_threads;              /* 0: one per CPU */
} BwParams;

/* The defaults above. */
void bw_params_init (BwParams * params);

/* The geometry of width x height frames in the blocks params sets. */
BwGeometry bw_params_geometry (const BwParams * params, guint width,
    guint height);

/* TRUE when every setting is within its limits; otherwise FALSE and, if
 * error is not NULL, a sentence naming the setting and its range. */
gboolean bw_params_check (const BwParams * params, gchar ** error);

G_END_DECLS

#endif /* __BW_PARAMS_H__ */
