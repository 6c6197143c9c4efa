/* gst-blockwise: the blockcorr element. */
#ifndef __GST_BLOCKCORR_H__
#define __GST_BLOCKCORR_H__

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/video/gstvideoaggregator.h>
#include "blockstats.h"
#include "colormap.h"
#include "gstblockcorrworker.h"

G_BEGIN_DECLS

#define GST_TYPE_BLOCKCORR (gst_blockcorr_get_type ())
G_DECLARE_FINAL_TYPE (GstBlockCorr, gst_blockcorr, GST, BLOCKCORR,
    GstVideoAggregator);

typedef enum
{
  GST_BLOCKCORR_MEASURE_PEARSON = 0,
  GST_BLOCKCORR_MEASURE_COVARIANCE,
  GST_BLOCKCORR_MEASURE_MEAN_0,
  GST_BLOCKCORR_MEASURE_MEAN_1,
  GST_BLOCKCORR_MEASURE_STDDEV_0,
  GST_BLOCKCORR_MEASURE_STDDEV_1
} GstBlockCorrMeasure;

typedef enum
{
  GST_BLOCKCORR_OUTPUT_SIZE_GRID = 0,
  GST_BLOCKCORR_OUTPUT_SIZE_INPUT
} GstBlockCorrOutputSize;

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
  gdouble min_intensity;
  gdouble threshold;
  guint n_threads;
  gboolean post_messages;
  GstBlockCorrOutputSize output_size;
} GstBlockCorrSettings;

/* Grids of one frame (float32, rows x cols). */
enum
{
  GST_BLOCKCORR_GRID_R = 0,
  GST_BLOCKCORR_GRID_MEAN_0,
  GST_BLOCKCORR_GRID_MEAN_1,
  GST_BLOCKCORR_GRID_STDDEV_0,
  GST_BLOCKCORR_GRID_STDDEV_1,
  GST_BLOCKCORR_GRID_COVARIANCE,
  GST_BLOCKCORR_N_GRIDS
};

struct _GstBlockCorr
{
  GstVideoAggregator parent;

  /* Properties, with the object lock. */
  GstBlockCorrSettings settings;

  /* 1 + index of a sink pad that got a buffer without PTS, or 0. */
  gint missing_pts_pad;
  /* TRUE once an input's caps were refused (an error was posted): the
   * output cannot be negotiated until the element is restarted. */
  gint caps_refused;
  /* Signalled (with the object lock) when a sink pad is added, so that the
   * aggregate thread waiting for the second input wakes up. */
  GCond pads_cond;

  /* Streaming state, only touched by the aggregate thread. */
  guint64 frame_count;
  /* Running time of the current pair of input buffers (start, end), and
   * for inputs without a frame rate (0/1) the end of the last pair taken, to
   * move the output position past it; GST_CLOCK_TIME_NONE when unknown. */
  GstClockTime pair_start, pair_end;
  GstClockTime vfr_pair_end;
  gfloat *covariance;          /* the grid the meta does not carry */
  gsize grid_len;
  gdouble *sort_buf;
  struct _RowPartial *row_partials;
  guint row_partials_len;
  guint *median_bins;
  BwBlockSums *sums;
  GstBlockCorrWorker *worker;
};

GST_ELEMENT_REGISTER_DECLARE (blockcorr);

G_END_DECLS

#endif /* __GST_BLOCKCORR_H__ */
