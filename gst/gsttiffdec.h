/* gst-blockwise: tiffdec, a TIFF decoder for microscopy images.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_TIFF_DEC_H__
#define __GST_TIFF_DEC_H__

#include <gst/gst.h>
#include <gst/base/gstadapter.h>
#include <gst/video/video.h>

#include "tiffreader.h"

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
  guint64 max_input_bytes;
  guint n_threads;
  guint64 progress_delay;

  /* Push mode: the file collected until EOS (TIFF needs random access);
   * input_refused once more than max-input-bytes came, until a flush. */
  GstAdapter *adapter;
  gboolean input_refused;

  /* Pull mode: whether the sink pad pulls (since pull_start, monotonic
   * time), and whether it is being deactivated (the task's error reporting
   * waits on stop_cond). */
  GMutex stop_lock;
  GCond stop_cond;
  gboolean pull_mode, stopping;
  gint64 pull_start;

  /* The file being decoded, from when it is read until the element stops.
   * The streaming task pushes one page per run (the sink pad's task in
   * pull mode, the source pad's in push mode); a seek pauses it before it
   * touches these. */
  GstBuffer *file;
  GstMapInfo file_map;
  gboolean file_mapped;         /* a mapping of the file itself */
  BwTiffReader *reader;
  BwTiffInfo tinfo;
  BwTiffLayout out_layout;      /* what the pages are decoded as */
  GstVideoInfo vinfo;           /* of out_layout */
  gboolean video_meta;
  gchar *name;                  /* the file, for messages */
  gchar *location;              /* upstream's file or URI, or NULL */
  GstSegment segment;
  guint32 seqnum;
  gboolean need_segment, discont;
  guint next_page;

  /* Buffers for decoded pages (with the object lock: a flushing seek sets
   * it flushing from another thread), activated at the first one. */
  GstBufferPool *pool;

  /* Set (atomically) while a flushing seek or a stop waits for the
   * streaming task: a page being decoded is abandoned. */
  gint cancel;

  /* The page being decoded: when it started, the last progress message. */
  guint decode_page;
  gint64 decode_start, progress_posted;
  gint64 progress_delay_us;

  /* For queries, with the object lock: the file's good pages (0 until it
   * is read), its frame rate, the page pushed last (-1: none yet). */
  guint n_pages;
  gint out_fps_n, out_fps_d;
  GstCaps *other_caps;          /* the other layout a page can be given in */
  gint64 last_page;
};

GST_ELEMENT_REGISTER_DECLARE (tiffdec);

/* Registers a typefinder for BigTIFF, which GStreamer 1.22's own
 * typefinders do not know (they take it for H.264). */
gboolean gst_tiff_dec_register_bigtiff_typefind (GstPlugin * plugin);

G_END_DECLS

#endif /* __GST_TIFF_DEC_H__ */
