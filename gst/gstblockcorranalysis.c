/* gst-blockwise: blockcorr's side of the per-frame analysis.
 *
 * The analysis (analysis/analysis.c) runs the frame on its worker threads;
 * each block row, once final, is drawn into the heatmap by the thread that
 * finished it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include "gstblockcorranalysis.h"
#include "gstblockcorrgridpool.h"
#include "gstblockcorrheatmap.h"
#include "growbuf.h"

/* Its own category: either element may run it without the other. */
GST_DEBUG_CATEGORY_STATIC (gst_blockcorr_analysis_debug);
#define GST_CAT_DEFAULT gst_blockcorr_analysis_debug

struct _GstBlockCorrAnalysis
{
  BwAnalysis *analysis;
  GstBlockCorrGridPool *grid_pool;
  gfloat *shift_length;         /* |(dx, dy)|, for the shift heatmap */
  gsize n_shift_length;
};

/* What the row hook draws with. */
typedef struct
{
  GstBlockCorrHeatmap hm;
  BwGrid grid;                  /* drawn, or BW_N_GRIDS: the shift */
  gfloat *shift_length;
  guint8 *background;           /* the mask, for the meta */
  GstVideoFrame *out;
} HeatmapJob;

GstBlockCorrAnalysis *
gst_blockcorr_analysis_new (void)
{
  GstBlockCorrAnalysis *an = g_new0 (GstBlockCorrAnalysis, 1);

  GST_DEBUG_CATEGORY_INIT (gst_blockcorr_analysis_debug, "blockwise-analysis",
      0, "The per-frame analysis of blockcorr and blockdrift");
  an->analysis = bw_analysis_new ();
  an->grid_pool = gst_blockcorr_grid_pool_new ();
  return an;
}

void
gst_blockcorr_analysis_reset (GstBlockCorrAnalysis * an)
{
  bw_analysis_reset (an->analysis);
  gst_blockcorr_grid_pool_clear (an->grid_pool);
  g_clear_pointer (&an->shift_length, g_free);
  an->n_shift_length = 0;
}

void
gst_blockcorr_analysis_free (GstBlockCorrAnalysis * an)
{
  if (!an)
    return;
  bw_analysis_free (an->analysis);
  gst_blockcorr_grid_pool_unref (an->grid_pool);
  g_free (an->shift_length);
  g_free (an);
}

/* Draws the output lines of one finished block row; the last row also
 * draws the lines below the grid. */
static void
draw_row (gpointer data, const BwFrameResults * res, guint row)
{
  HeatmapJob *job = data;
  /* A copy per row: the background mask is the analysis' own, known once
   * the frame runs, and the threads must not write to what they share. */
  GstBlockCorrHeatmap hm = job->hm;
  guint y0, y1;

  if (job->grid == BW_N_GRIDS) {
    const gsize first = (gsize) row * res->cols;
    const gfloat *dx = res->grids[BW_GRID_DX], *dy = res->grids[BW_GRID_DY];
    gsize i;

    for (i = first; i < first + res->cols; i++)
      job->shift_length[i] = hypotf (dx[i], dy[i]);
  }
  memcpy (job->background + (gsize) row * res->cols,
      res->background + (gsize) row * res->cols, res->cols);
  if (!job->out)
    return;
  hm.background = res->background;
  y0 = row * hm.cell_height;
  y1 = row + 1 == res->rows ? G_MAXUINT : (row + 1) * hm.cell_height;
  gst_blockcorr_heatmap_render_lines (&hm, job->out, y0, y1);
}

/* Sets up the heatmap of the frame: the measure's grid, its range, and the
 * cell size of the output (one pixel per block, or the block size). */
static void
prepare_heatmap (HeatmapJob * job, const GstBlockCorrSettings * s,
    const GstBlockCorrPair * pair, guint cols, guint rows, gfloat * grids,
    GstVideoFrame * out)
{
  GstBlockCorrHeatmap *hm = &job->hm;
  BwColormap colormap;

  hm->cols = cols;
  hm->rows = rows;
  job->grid = gst_blockcorr_measure_grid (s->measure);
  hm->values = job->grid == BW_N_GRIDS ? job->shift_length :
      grids + (gsize) job->grid * cols * rows;
  hm->background = NULL;        /* the analysis' mask, per row */
  gst_blockcorr_heatmap_range (s->measure, s->range_min, s->range_max,
      pair->max_value[0], pair->max_value[1], s->params.search_radius,
      &hm->range_min, &hm->range_max);
  if (s->colormap == GST_BLOCKCORR_COLORMAP_AUTO)
    colormap = s->measure == GST_BLOCKCORR_MEASURE_SHIFT ?
        BW_COLORMAP_VIRIDIS : BW_COLORMAP_COOLWARM;
  else
    colormap = (BwColormap) s->colormap;
  hm->colormap = bw_colormap_table (colormap);
  hm->invalid_argb = s->invalid_color;
  if (GST_VIDEO_FRAME_WIDTH (out) == (gint) cols
      && GST_VIDEO_FRAME_HEIGHT (out) == (gint) rows) {
    hm->cell_width = hm->cell_height = 1;
  } else {
    /* Input-sized output (or, for one frame after a property change, the
     * previous size until the caps are renegotiated). */
    hm->cell_width = s->params.block_width;
    hm->cell_height = s->params.block_height;
  }
  gst_blockcorr_heatmap_prepare (hm, out->info.finfo);
  job->out = out;
}

GBytes *
gst_blockcorr_analysis_run (GstBlockCorrAnalysis * an,
    const GstBlockCorrSettings * s, const GstBlockCorrPair * pair,
    GstVideoFrame * out, BwSummary * summary)
{
  BwGeometry geom = bw_params_geometry (&s->params, pair->width,
      pair->height);
  HeatmapJob job;
  gfloat *grids;
  gsize n_blocks, size;
  guint cols, rows, n_threads;
  const gchar *stats_path, *search_path;
  gint64 t_start;

  if (!bw_geometry_grid_size (&geom, &cols, &rows) || cols == 0 || rows == 0)
    return NULL;
  n_blocks = (gsize) cols *rows;
  /* The displacements' lengths are drawn only for measure=shift. */
  if (out && gst_blockcorr_measure_grid (s->measure) == BW_N_GRIDS)
    BW_GROW (an->shift_length, an->n_shift_length, n_blocks);
  /* One block for all grids and the background mask, which the meta
   * takes over; it returns to the pool when the meta is freed. */
  size = BW_N_GRIDS * n_blocks * sizeof (gfloat) + n_blocks;
  grids = gst_blockcorr_grid_pool_take (an->grid_pool, size);
  job.shift_length = an->shift_length;
  job.background = (guint8 *) (grids + BW_N_GRIDS * n_blocks);
  job.out = NULL;
  job.grid = BW_GRID_R;
  if (out)
    prepare_heatmap (&job, s, pair, cols, rows, grids, out);

  t_start = g_get_monotonic_time ();
  if (!bw_analysis_run (an->analysis, &s->params, pair->width,
          pair->height, &pair->planes[0], &pair->planes[1], grids, draw_row,
          &job, summary)) {
    gst_blockcorr_grid_pool_give_back (grids);
    return NULL;
  }
  bw_analysis_last_paths (an->analysis, &stats_path, &search_path, &n_threads);
  GST_LOG ("%ux%u blocks (%s path, search radius %u on the %s path) on %u "
      "threads in %" G_GINT64_FORMAT " us", cols, rows, stats_path,
      s->params.search_radius, search_path, n_threads,
      g_get_monotonic_time () - t_start);
  return gst_blockcorr_grid_pool_wrap (grids, size);
}

gboolean
gst_blockcorr_component_within_memory (const GstVideoFrame * frame,
    guint comp, gint64 * first, gint64 * last, gsize * size)
{
  guint plane = GST_VIDEO_FORMAT_INFO_PLANE (frame->info.finfo, comp);
  /* Without a meta the whole buffer is map[0]; with one, each plane maps
   * the memory holding it. */
  const GstMapInfo *map = frame->meta ? &frame->map[plane] : &frame->map[0];
  gint64 stride = GST_VIDEO_FRAME_COMP_STRIDE (frame, comp);
  gint64 rows = GST_VIDEO_FRAME_COMP_HEIGHT (frame, comp);
  gint64 sample_bytes =
      (GST_VIDEO_FORMAT_INFO_DEPTH (frame->info.finfo, comp) + 7) / 8;
  gint64 row_bytes = (gint64) (GST_VIDEO_FRAME_COMP_WIDTH (frame, comp) - 1)
      * GST_VIDEO_FRAME_COMP_PSTRIDE (frame, comp) + sample_bytes;
  gint64 offset = (const guint8 *) GST_VIDEO_FRAME_COMP_DATA (frame, comp) -
      map->data;
  gint64 span = stride * (rows - 1);

  /* Negative strides store the rows bottom-up: the last row comes first. */
  *first = offset + MIN (span, 0);
  *last = offset + MAX (span, 0) + row_bytes;
  *size = map->size;
  return *first >= 0 && *last <= (gint64) map->size;
}

BwSampleFormat
gst_blockcorr_sample_format (GstVideoFormat format)
{
  switch (format) {
    case GST_VIDEO_FORMAT_GRAY16_LE:
      return BW_SAMPLE_U16LE;
    case GST_VIDEO_FORMAT_GRAY16_BE:
      return BW_SAMPLE_U16BE;
    default:
      return BW_SAMPLE_U8;      /* GRAY8 and the luma plane of YUV formats */
  }
}
