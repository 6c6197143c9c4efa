/* gst-blockwise: GstBlockCorrMeta, the per-frame results on output buffers. */
#ifndef __GST_BLOCKCORR_META_H__
#define __GST_BLOCKCORR_META_H__

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_BLOCKCORR_META_NAME "GstBlockCorrMeta"

void gst_blockcorr_meta_register (void);

/* Attaches a GstBlockCorrMeta to buffer whose structure takes the fields of
 * summary (copied) and the grids (references taken).  Returns FALSE when
 * the meta is not registered. */
gboolean gst_blockcorr_meta_add (GstBuffer * buffer,
    const GstStructure * summary, GBytes * grids[], const gchar * names[],
    guint n_grids);

G_END_DECLS

#endif /* __GST_BLOCKCORR_META_H__ */
