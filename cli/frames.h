/* gst-blockwise command line: the frames of one input argument (an image
 * file, a multi-page TIFF, or an image-sequence pattern), decoded one at a
 * time in order.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BC_FRAMES_H__
#define __BC_FRAMES_H__

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _BcFrames BcFrames;

/* Resolves arg to its files (arg itself when it names a file, else a
 * pattern such as frame_%04d.png expands to the files that exist, from
 * index 0 or 1 up to the first missing one) and counts their frames (the
 * pages of TIFF files, one per other image).  Only regular files are
 * inputs.  NULL and error on failure, naming the file and the cause: a
 * missing or unreadable file, a directory, a FIFO or device, a pattern
 * that matches nothing. */
BcFrames *bc_frames_open (const gchar * arg, GError ** error);
void bc_frames_free (BcFrames * frames);

guint bc_frames_count (const BcFrames * frames);

/* The files the frames come from, in order. */
guint bc_frames_n_files (const BcFrames * frames);
const gchar *bc_frames_file (const BcFrames * frames, guint index);

/* Starts decoding the next frame in the background (its file's pipeline
 * runs in its own threads), so that two inputs decode at the same time. */
gboolean bc_frames_prefetch (BcFrames * frames, GError ** error);

/* Whether the progress of pages that take long to decode (large compressed
 * TIFF slides) is shown on stderr while the frames are read: a line
 * updated in place on a terminal, else a line every tenth.  Off at
 * first. */
void bc_frames_show_progress (BcFrames * frames, gboolean show);

const gchar *bc_frames_arg (const BcFrames * frames);

/* The next frame as a gray video sample (GRAY8 or native-endian GRAY16;
 * colour images are reduced to their luma), with a label naming its file
 * (and page).  Every frame of an input has the first one's caps: a frame
 * of another size or bit depth is an error.  NULL at the end (error not
 * set) or on an error (error set, naming the input, the file, the page and
 * the cause, in the decoder's words when it gave them); fewer frames than
 * counted is an error. */
GstSample *bc_frames_next (BcFrames * frames, gchar ** label,
    GError ** error);

G_END_DECLS

#endif /* __BC_FRAMES_H__ */
