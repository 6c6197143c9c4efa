/* gst-blockwise: the enumerations and settings of blockcorr and
 * blockdrift.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_BLOCKCORR_TYPES_H__
#define __GST_BLOCKCORR_TYPES_H__

#include <gst/gst.h>
#include "blockstats.h"
#include "colormap.h"
#include "analysis.h"

G_BEGIN_DECLS
/* What the heatmap shows (gst_blockcorr_measure_grid() gives the grid of
 * each). */
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

/* The colormap property: the renderer's maps, and "auto" (coolwarm, and
 * viridis for the shift).  The numbers are the property's. */
typedef enum
{
  GST_BLOCKCORR_COLORMAP_COOLWARM = BW_COLORMAP_COOLWARM,
  GST_BLOCKCORR_COLORMAP_VIRIDIS = BW_COLORMAP_VIRIDIS,
  GST_BLOCKCORR_COLORMAP_MAGMA = BW_COLORMAP_MAGMA,
  GST_BLOCKCORR_COLORMAP_GRAY = BW_COLORMAP_GRAY,
  GST_BLOCKCORR_COLORMAP_AUTO = 100
} GstBlockCorrColormap;

typedef enum
{
  GST_BLOCKCORR_OUTPUT_SIZE_GRID = 0,
  GST_BLOCKCORR_OUTPUT_SIZE_INPUT
} GstBlockCorrOutputSize;

/* blockdrift: what each frame is compared with. */
typedef enum
{
  GST_BLOCKDRIFT_REFERENCE_FIRST = 0,   /* the first frame */
  GST_BLOCKDRIFT_REFERENCE_PREVIOUS     /* the frame before */
} GstBlockDriftReference;

/* blockdrift: the correction applied to the frames it outputs. */
typedef enum
{
  GST_BLOCKDRIFT_CORRECT_NONE = 0,
  GST_BLOCKDRIFT_CORRECT_SHIFT,
  GST_BLOCKDRIFT_CORRECT_AFFINE
} GstBlockDriftCorrect;

/* blockdrift: what the corrected frame gets where its source is outside
 * the frame (the values are BwBorder's). */
typedef enum
{
  GST_BLOCKDRIFT_BORDER_EDGE = 0,
  GST_BLOCKDRIFT_BORDER_CONSTANT
} GstBlockDriftBorder;

/* blockdrift: what it outputs. */
typedef enum
{
  GST_BLOCKDRIFT_OUTPUT_FRAMES = 0,
  GST_BLOCKDRIFT_OUTPUT_HEATMAP
} GstBlockDriftOutput;

/* The properties, copied under the object lock once per frame. */
typedef struct
{
  BwParams params;              /* what the analysis reads */
  GstBlockCorrMeasure measure;
  GstBlockCorrColormap colormap;
  gdouble range_min;
  gdouble range_max;
  guint32 invalid_color;
  gboolean post_messages;
  GstBlockCorrOutputSize output_size;
} GstBlockCorrSettings;


/* The grid a measure draws; BW_N_GRIDS for the shift (drawn from dx and
 * dy). */
BwGrid gst_blockcorr_measure_grid (GstBlockCorrMeasure measure);

#define GST_TYPE_BLOCKCORR_EDGE_MODE (gst_blockcorr_edge_mode_get_type ())
GType gst_blockcorr_edge_mode_get_type (void);
#define GST_TYPE_BLOCKCORR_MEASURE (gst_blockcorr_measure_get_type ())
GType gst_blockcorr_measure_get_type (void);
#define GST_TYPE_BLOCKCORR_COLORMAP (gst_blockcorr_colormap_get_type ())
GType gst_blockcorr_colormap_get_type (void);
#define GST_TYPE_BLOCKCORR_OUTPUT_SIZE (gst_blockcorr_output_size_get_type ())
GType gst_blockcorr_output_size_get_type (void);
#define GST_TYPE_BLOCKDRIFT_REFERENCE (gst_blockdrift_reference_get_type ())
GType gst_blockdrift_reference_get_type (void);
#define GST_TYPE_BLOCKDRIFT_CORRECT (gst_blockdrift_correct_get_type ())
GType gst_blockdrift_correct_get_type (void);
#define GST_TYPE_BLOCKDRIFT_BORDER (gst_blockdrift_border_get_type ())
GType gst_blockdrift_border_get_type (void);
#define GST_TYPE_BLOCKDRIFT_OUTPUT (gst_blockdrift_output_get_type ())
GType gst_blockdrift_output_get_type (void);

G_END_DECLS
#endif /* __GST_BLOCKCORR_TYPES_H__ */
