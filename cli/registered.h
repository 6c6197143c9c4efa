/* gst-blockwise command line: the registered frames written as one TIFF
 * (--register FILE), gray in the frames' own bit depth, one page per
 * frame, committed as a whole at the end of the run like the other
 * results.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BC_REGISTERED_H__
#define __BC_REGISTERED_H__

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _BcRegistered BcRegistered;

/* Starts path (its folder must exist), to hold n_frames frames, under a
 * temporary name beside it.  NULL and error when it cannot. */
BcRegistered *bc_registered_new (const gchar * path, guint n_frames,
    GError ** error);

/* Refuses (FALSE and error) when one of the inputs is the file path. */
gboolean bc_registered_check_inputs (BcRegistered * reg,
    const gchar * const *inputs, guint n_inputs, GError ** error);

/* Appends a frame (GRAY8 or native-endian GRAY16) as a page. */
gboolean bc_registered_add (BcRegistered * reg, GstSample * frame,
    const gchar * description, GError ** error);

/* Completes the file: FALSE and error when any of it could not be
 * written. */
gboolean bc_registered_close (BcRegistered * reg, GError ** error);

/* Renames the completed file into place. */
gboolean bc_registered_commit (BcRegistered * reg, GError ** error);

/* Deletes the file unless it was committed, and frees reg: only once no
 * signal handler can discard any more (bc_interrupt_hold()). */
void bc_registered_free (BcRegistered * reg);

G_END_DECLS

#endif /* __BC_REGISTERED_H__ */
