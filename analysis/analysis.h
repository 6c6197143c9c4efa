/* gst-blockwise: the per-frame analysis of a pair of planes, the one
 * pipeline that the element, the command line (through the element) and
 * the Python package run: block sums, the displacement search, statistics,
 * background, summary and verdict.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BW_ANALYSIS_H__
#define __BW_ANALYSIS_H__

#include "params.h"
#include "background.h"
#include "verdict.h"

G_BEGIN_DECLS

/* The per-block results, each a rows x cols float32 grid, NaN where
 * undefined (r where a block is flat; r, dx, dy and r-best in the
 * background).  The inputs are numbered 0 and 1, as the element's pads. */
typedef enum
{
  BW_GRID_R = 0,
  BW_GRID_COVARIANCE,
  BW_GRID_MEAN_0,
  BW_GRID_MEAN_1,
  BW_GRID_STDDEV_0,
  BW_GRID_STDDEV_1,
  BW_GRID_DX,
  BW_GRID_DY,
  BW_GRID_R_BEST,
  BW_N_GRIDS
} BwGrid;

/* The names users see ("r", "covariance", "mean-0", ..., "r-best"). */
const gchar *bw_grid_name (BwGrid grid);

/* One frame's summary: r over the valid blocks that are not background
 * (NaN when there are none), the background and the verdict. */
typedef struct
{
  guint valid_blocks, invalid_blocks;
  gdouble mean_r, min_r, max_r, median_r;
  gdouble below_fraction;       /* of the valid blocks, r < threshold */
  guint background_blocks;
  gdouble min_intensity[2];     /* the background levels used */
  BwBackground background[2];   /* the estimates (NaN unless automatic) */
  BwVerdict verdict;
} BwSummary;

/* A frame's results while it is analysed, for the row hook. */
typedef struct
{
  guint cols, rows;
  gfloat *grids[BW_N_GRIDS];
  const guint8 *background;     /* rows x cols, non-zero: background */
} BwFrameResults;

/* Called once per block row when the row's results are final, on the
 * thread that finished it (for drawing the row's part of a picture). */
typedef void (*BwRowHook) (gpointer data, const BwFrameResults * results,
    guint row);

/* Working memory and threads, reused from frame to frame.  Used by one
 * thread at a time. */
typedef struct _BwAnalysis BwAnalysis;

BwAnalysis *bw_analysis_new (void);
void bw_analysis_free (BwAnalysis * an);

/* Frees the working memory and stops the threads; the next frame starts
 * them again. */
void bw_analysis_reset (BwAnalysis * an);

/* Analyses planes 0 and 1, width x height samples each, in blocks as
 * params sets them.  grids: BW_N_GRIDS * rows * cols floats (the grid size
 * of bw_geometry_grid_size()), grid after grid in BwGrid order, filled by
 * the call.  row_hook may be NULL.  FALSE on invalid arguments (params
 * outside their limits, no whole block). */
gboolean bw_analysis_run (BwAnalysis * an, const BwParams * params,
    guint width, guint height, const BwPlane * plane0,
    const BwPlane * plane1, gfloat * grids, BwRowHook row_hook,
    gpointer row_hook_data, BwSummary * summary);

/* The sums path and search path of the last frame (for logs) and the
 * threads it ran on. */
void bw_analysis_last_paths (const BwAnalysis * an, const gchar ** stats_path,
    const gchar ** search_path, guint * n_threads);

G_END_DECLS

#endif /* __BW_ANALYSIS_H__ */
