/* gst-blockwise: tiffdec, a TIFF decoder for microscopy images.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_TIFF_DEC_H__
#define __GST_TIFF_DEC_H__

#include <gst/gst.h>
#include <gst/base/gstadapter.h>

G_BEGIN_DECLS

#define GST_TYPE_TIFF_DEC (gst_tiff_dec_get_type ())
G_DECLARE_FINAL_TYPE (GstTiffDec, gst_tiff_dec, GST, TIFF_DEC, GstElement);

struct _GstTiffDec
{
  GstElement parent;

  GstPad *sinkpad;
  GstPad *srcpad;               /* added once the file is read */

  /* Properties, with the object lock. */
  gint fps_n, fps_d;
  guint64 max_frame_bytes;

  /* Push mode: the file collected until EOS (TIFF needs random access). */
  GstAdapter *adapter;

  /* Pull mode: whether the sink pad pulls, and whether it is being
   * deactivated (the task's error reporting waits on stop_cond). */
  GMutex stop_lock;
  GCond stop_cond;
  gboolean pull_mode, stopping;
};

GST_ELEMENT_REGISTER_DECLARE (tiffdec);

/* Registers a typefinder for BigTIFF, which GStreamer 1.22's own
 * typefinders do not know (they take it for H.264). */
gboolean gst_tiff_dec_register_bigtiff_typefind (GstPlugin * plugin);

G_END_DECLS

#endif /* __GST_TIFF_DEC_H__ */
