/* gst-blockwise: GstBlockCorrMeta
 *
 * A GstCustomMeta named "GstBlockCorrMeta" whose GstStructure carries the
 * summary of one frame (the same fields as the element message) and the
 * per-block grids as GBytes of native-endian float32, row-major.  Custom
 * metas need no C API on the reader's side: C and Python applications read
 * them with gst_buffer_get_custom_meta() and gst_custom_meta_get_structure().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gstblockcorrmeta.h"

void
gst_blockcorr_meta_register (void)
{
  /* No tags: the values describe the analysed frames, not the pixels, so
   * they stay valid through conversions and scaling of the heatmap. */
  static const gchar *tags[] = { NULL };

  if (!gst_meta_get_info (GST_BLOCKCORR_META_NAME))
    gst_meta_register_custom (GST_BLOCKCORR_META_NAME, tags, NULL, NULL, NULL);
}

/* The reported regions as a GstValueArray of "region" structures, largest
 * first. */
static void
regions_value (const BwVerdict * v, GValue * out)
{
  guint i;

  g_value_init (out, GST_TYPE_ARRAY);
  for (i = 0; i < v->n_reported; i++) {
    const BwRegion *r = &v->regions[i];
    GValue item = G_VALUE_INIT;

    g_value_init (&item, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&item, gst_structure_new ("region",
            "x", G_TYPE_UINT, r->x, "y", G_TYPE_UINT, r->y,
            "width", G_TYPE_UINT, r->width, "height", G_TYPE_UINT, r->height,
            "blocks", G_TYPE_UINT, r->blocks,
            "unmatched", G_TYPE_UINT, r->unmatched,
            "median-r", G_TYPE_DOUBLE, r->median_r,
            "shift-x", G_TYPE_DOUBLE, r->shift_x,
            "shift-y", G_TYPE_DOUBLE, r->shift_y,
            "at-radius", G_TYPE_BOOLEAN, r->at_radius, NULL));
    gst_value_array_append_and_take_value (out, &item);
  }
}

GstStructure *
gst_blockcorr_summary_structure (const gchar * name, guint64 frame,
    GstClockTime pts0, GstClockTime pts1, guint cols, guint rows,
    const GstBlockCorrSettings * s, const BwSummary * sum)
{
  const BwVerdict *v = &sum->verdict;
  GValue regions = G_VALUE_INIT;
  GstStructure *st;

  st = gst_structure_new (name,
      "frame", G_TYPE_UINT64, frame,
      "pts-0", G_TYPE_UINT64, (guint64) pts0,
      "pts-1", G_TYPE_UINT64, (guint64) pts1,
      "cols", G_TYPE_UINT, cols,
      "rows", G_TYPE_UINT, rows,
      "block-width", G_TYPE_UINT, s->params.block_width,
      "block-height", G_TYPE_UINT, s->params.block_height,
      "valid", G_TYPE_UINT, sum->valid_blocks,
      "invalid", G_TYPE_UINT, sum->invalid_blocks,
      "mean", G_TYPE_DOUBLE, sum->mean_r,
      "min", G_TYPE_DOUBLE, sum->min_r,
      "max", G_TYPE_DOUBLE, sum->max_r,
      "median", G_TYPE_DOUBLE, sum->median_r,
      "below-threshold", G_TYPE_DOUBLE, sum->below_fraction,
      "threshold", G_TYPE_DOUBLE, s->params.threshold,
      "background", G_TYPE_UINT, sum->background_blocks,
      "min-intensity-0", G_TYPE_DOUBLE, sum->min_intensity[0],
      "min-intensity-1", G_TYPE_DOUBLE, sum->min_intensity[1],
      "search-radius", G_TYPE_UINT, s->params.search_radius,
      "informative", G_TYPE_UINT, v->informative,
      "verdict", G_TYPE_STRING, bw_verdict_name (v->verdict),
      "shift-x", G_TYPE_DOUBLE, v->shift_x,
      "shift-y", G_TYPE_DOUBLE, v->shift_y,
      "shifted", G_TYPE_BOOLEAN, v->shift_significant,
      "shift-at-limit", G_TYPE_BOOLEAN, v->shift_at_limit,
      "uncorrelated", G_TYPE_BOOLEAN, v->uncorrelated,
      "regions", G_TYPE_UINT, v->n_regions,
      "median-outside-regions", G_TYPE_DOUBLE, v->median_r_outside, NULL);
  regions_value (v, &regions);
  gst_structure_take_value (st, "largest-regions", &regions);
  return st;
}

/* Removes a result of an element upstream from the buffer. */
static gboolean
drop_blockcorr_meta (GstBuffer * buffer, GstMeta ** meta, gpointer user_data)
{
  if ((*meta)->info == user_data)
    *meta = NULL;
  return TRUE;
}

gboolean
gst_blockcorr_meta_add (GstBuffer * buffer, const GstStructure * summary,
    GBytes * grids, gsize n_blocks)
{
  GstCustomMeta *meta;
  GstStructure *s;
  guint i, n;

  /* One result per buffer: a reader finds this element's, not one from an
   * element further upstream that passed the buffer on in place. */
  gst_buffer_foreach_meta (buffer, drop_blockcorr_meta,
      (gpointer) gst_meta_get_info (GST_BLOCKCORR_META_NAME));
  meta = gst_buffer_add_custom_meta (buffer, GST_BLOCKCORR_META_NAME);
  if (!meta)
    return FALSE;
  s = gst_custom_meta_get_structure (meta);
  n = gst_structure_n_fields (summary);
  for (i = 0; i < n; i++) {
    const gchar *name = gst_structure_nth_field_name (summary, i);

    gst_structure_set_value (s, name, gst_structure_get_value (summary, name));
  }
  for (i = 0; i < BW_N_GRIDS; i++) {
    GBytes *grid = g_bytes_new_from_bytes (grids,
        i * n_blocks * sizeof (gfloat), n_blocks * sizeof (gfloat));

    gst_structure_set (s, bw_grid_name (i), G_TYPE_BYTES, grid, NULL);
    g_bytes_unref (grid);
  }
  {
    GBytes *mask = g_bytes_new_from_bytes (grids,
        BW_N_GRIDS * n_blocks * sizeof (gfloat), n_blocks);

    gst_structure_set (s, "background-mask", G_TYPE_BYTES, mask, NULL);
    g_bytes_unref (mask);
  }
  return TRUE;
}
