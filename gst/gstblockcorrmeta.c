/* gst-blockwise: GstBlockCorrMeta
 *
 * A GstCustomMeta named "GstBlockCorrMeta" whose GstStructure carries the
 * summary of one frame (the same fields as the element message) and the
 * per-block grids as GBytes of native-endian float32, row-major.  Custom
 * metas need no C API on the reader's side: C and Python applications read
 * them with gst_buffer_get_custom_meta() and gst_custom_meta_get_structure().
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

gboolean
gst_blockcorr_meta_add (GstBuffer * buffer, const GstStructure * summary,
    GBytes * grids[], const gchar * names[], guint n_grids)
{
  GstCustomMeta *meta;
  GstStructure *s;
  guint i, n;

  meta = gst_buffer_add_custom_meta (buffer, GST_BLOCKCORR_META_NAME);
  if (!meta)
    return FALSE;
  s = gst_custom_meta_get_structure (meta);
  n = gst_structure_n_fields (summary);
  for (i = 0; i < n; i++) {
    const gchar *name = gst_structure_nth_field_name (summary, i);

    gst_structure_set_value (s, name, gst_structure_get_value (summary, name));
  }
  for (i = 0; i < n_grids; i++)
    gst_structure_set (s, names[i], G_TYPE_BYTES, grids[i], NULL);
  return TRUE;
}
