/* gst-blockwise: blockcorr's enumerations and settings.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_BLOCKCORR_TYPES_H__
#define __GST_BLOCKCORR_TYPES_H__

#include <gst/gst.h>
#include "blockstats.h"
#include "colormap.h"
#include "verdict.h"

G_BEGIN_DECLS

/* What the heatmap shows.  The first six are also the indices of their
 * grids in the per-frame results (see GstBlockCorrGrid). */
typedef enum
{
  GST_BLOCKCORR_MEASURE_PEARSON = 0,
  GST_BLOCKCORR_MEASURE_COVARIANCE,
  GST_BLOCKCORR_MEASURE_MEAN_0,
  GST_BLOCKCORR_MEASURE_MEAN_1,
  GST_BLOCKCORR_MEASURE_STDDEV_0,
  GST_BLOCKCORR_MEASURE_STDDEV_1,
  GST_BLOCKCORR_MEASURE_SHIFT,
  GST_BLOCKCORR_MEASURE_R_BEST
} GstBlockCorrMeasure;

/* The grids of the per-frame results, in the meta (names in
 * gst_blockcorr_grid_names). */
typedef enum
{
  GST_BLOCKCORR_GRID_R = 0,
  GST_BLOCKCORR_GRID_COVARIANCE,
  GST_BLOCKCORR_GRID_MEAN_0,
  GST_BLOCKCORR_GRID_MEAN_1,
  GST_BLOCKCORR_GRID_STDDEV_0,
  GST_BLOCKCORR_GRID_STDDEV_1,
  GST_BLOCKCORR_GRID_DX,
  GST_BLOCKCORR_GRID_DY,
  GST_BLOCKCORR_GRID_R_BEST
} GstBlockCorrGrid;

#define GST_BLOCKCORR_N_GRIDS 9

/* The colormap property's "auto": coolwarm, viridis for the shift. */
#define GST_BLOCKCORR_COLORMAP_AUTO 100

typedef enum
{
  GST_BLOCKCORR_OUTPUT_SIZE_GRID = 0,
  GST_BLOCKCORR_OUTPUT_SIZE_INPUT
} GstBlockCorrOutputSize;

/* What each frame is compared with. */
typedef enum
{
  GST_BLOCKCORR_REFERENCE_PAD = 0,      /* sink_0's frame (two inputs) */
  GST_BLOCKCORR_REFERENCE_FIRST,        /* sink_0's first frame */
  GST_BLOCKCORR_REFERENCE_PREVIOUS      /* sink_0's previous frame */
} GstBlockCorrReference;

/* The properties, copied under the object lock once per frame. */
typedef struct
{
  guint block_width;
  guint block_height;
  BwEdgeMode edge_mode;
  GstBlockCorrMeasure measure;
  BwColormap colormap;
  gdouble range_min;
  gdouble range_max;
  guint32 invalid_color;
  gdouble min_intensity;         /* -1: estimated per frame */
  gdouble threshold;
  guint search_radius;
  guint min_region_blocks;
  gdouble shift_tolerance;
  guint n_threads;
  gboolean post_messages;
  GstBlockCorrOutputSize output_size;
  GstBlockCorrReference reference;
  guint alarm_frames;
  gdouble alarm_fraction;
} GstBlockCorrSettings;

/* The summary of one frame: Pearson r over the valid blocks (NaN when there
 * are none), the fraction below the threshold, the background and the
 * verdict with its regions. */
typedef struct
{
  guint valid, invalid;
  gdouble mean, min, max, median, below;
  guint background;
  gdouble min_intensity[2];     /* the levels used */
  BwVerdict verdict;
} GstBlockCorrSummary;

#define GST_TYPE_BLOCKCORR_EDGE_MODE (gst_blockcorr_edge_mode_get_type ())
GType gst_blockcorr_edge_mode_get_type (void);
#define GST_TYPE_BLOCKCORR_MEASURE (gst_blockcorr_measure_get_type ())
GType gst_blockcorr_measure_get_type (void);
#define GST_TYPE_BLOCKCORR_COLORMAP (gst_blockcorr_colormap_get_type ())
GType gst_blockcorr_colormap_get_type (void);
#define GST_TYPE_BLOCKCORR_OUTPUT_SIZE (gst_blockcorr_output_size_get_type ())
GType gst_blockcorr_output_size_get_type (void);
#define GST_TYPE_BLOCKCORR_REFERENCE (gst_blockcorr_reference_get_type ())
GType gst_blockcorr_reference_get_type (void);

G_END_DECLS

#endif /* __GST_BLOCKCORR_TYPES_H__ */
