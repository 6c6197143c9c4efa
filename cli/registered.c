/* gst-blockwise command line: the registered frames as one TIFF (see
 * registered.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/video/video.h>

#include "output-set.h"
#include "outputs.h"
#include "registered.h"

/* Beyond this a classic TIFF's 32-bit offsets may not reach the last
 * page; below it every reader opens the file (not all read BigTIFF). */
#define CLASSIC_TIFF_LIMIT (G_GUINT64_CONSTANT (3) << 30)

struct _BcRegistered
{
  BcOutputSet *set;
  BcOutput *out;
  BcTiffStack *tiff;
  guint n_frames;
};

BcRegistered *
bc_registered_new (const gchar * path, guint n_frames, GError ** error)
{
  BcOutputSet *set = bc_output_set_new_file (path,
      "choose another file for --register", error);
  BcRegistered *reg;

  if (!set)
    return NULL;
  reg = g_new0 (BcRegistered, 1);
  reg->set = set;
  reg->n_frames = n_frames;
  reg->out = bc_output_set_create (set, bc_output_set_file_name (set), error);
  if (!reg->out) {
    bc_registered_free (reg);
    return NULL;
  }
  return reg;
}

gboolean
bc_registered_check_inputs (BcRegistered * reg, const gchar * const *inputs,
    guint n_inputs, GError ** error)
{
  return bc_output_set_check_inputs (reg->set, inputs, n_inputs, error);
}

gboolean
bc_registered_add (BcRegistered * reg, GstSample * frame,
    const gchar * description, GError ** error)
{
  GstVideoInfo vi;
  GstVideoFrame vf;
  GstVideoFormat format;
  gboolean ok;
  guint bits;

  if (!gst_video_info_from_caps (&vi, gst_sample_get_caps (frame))) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
        "cannot write %s: the registered frame has no video format",
        bc_output_path (reg->out));
    return FALSE;
  }
  format = GST_VIDEO_INFO_FORMAT (&vi);
  /* Gray frames come in the machine's own byte order (frames.h). */
  if (format != GST_VIDEO_FORMAT_GRAY8 && format != (G_BYTE_ORDER ==
          G_LITTLE_ENDIAN ? GST_VIDEO_FORMAT_GRAY16_LE :
          GST_VIDEO_FORMAT_GRAY16_BE)) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
        "cannot write %s: the registered frame is %s, not gray",
        bc_output_path (reg->out), gst_video_format_to_string (format));
    return FALSE;
  }
  bits = format == GST_VIDEO_FORMAT_GRAY8 ? 8 : 16;
  if (!reg->tiff) {
    guint64 bytes = (guint64) GST_VIDEO_INFO_WIDTH (&vi) *
        GST_VIDEO_INFO_HEIGHT (&vi) * (bits / 8) * reg->n_frames;

    reg->tiff = bc_tiff_stack_new (reg->out, bytes > CLASSIC_TIFF_LIMIT, error);
    if (!reg->tiff)
      return FALSE;
  }
  if (!gst_video_frame_map (&vf, &vi, gst_sample_get_buffer (frame),
          GST_MAP_READ)) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
        "cannot write %s: the registered frame cannot be read",
        bc_output_path (reg->out));
    return FALSE;
  }
  ok = bc_tiff_stack_add_gray (reg->tiff, GST_VIDEO_FRAME_PLANE_DATA (&vf,
          0), GST_VIDEO_FRAME_PLANE_STRIDE (&vf, 0),
      GST_VIDEO_FRAME_WIDTH (&vf), GST_VIDEO_FRAME_HEIGHT (&vf), bits,
      description, error);
  gst_video_frame_unmap (&vf);
  return ok;
}

gboolean
bc_registered_close (BcRegistered * reg, GError ** error)
{
  gboolean ok;

  if (!reg->tiff)
    return bc_output_close (reg->out, error);
  ok = bc_tiff_stack_close (reg->tiff, error);
  reg->tiff = NULL;
  return ok;
}

gboolean
bc_registered_commit (BcRegistered * reg, GError ** error)
{
  return bc_output_set_commit (reg->set, error);
}

void
bc_registered_free (BcRegistered * reg)
{
  if (!reg)
    return;
  g_clear_pointer (&reg->tiff, bc_tiff_stack_free);
  g_clear_pointer (&reg->set, bc_output_set_free);
  g_free (reg);
}
