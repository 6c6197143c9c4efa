/* gst-blockwise command line: SIGINT, SIGTERM and SIGHUP during a run.
 *
 * The first asks the run to stop after the frame in progress (the results
 * then hold the frames done); a second one deletes the temporary files and
 * ends the process by that signal at once.  Signals a parent set to be
 * ignored (nohup, a background job) stay ignored.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BC_INTERRUPT_H__
#define __BC_INTERRUPT_H__

#include <glib.h>

G_BEGIN_DECLS

/* Installs the handlers, and ignores SIGPIPE so that a closed standard
 * output is a write error like any other. */
void bc_interrupt_install (void);

/* The first of these signals received, or 0. */
gint bc_interrupt_signal (void);

/* From here on signals are recorded but change nothing, so that the
 * results are committed whole (returns only then). */
void bc_interrupt_hold (void);

/* The signals' default actions again: nothing is left to clean up. */
void bc_interrupt_release (void);

G_END_DECLS

#endif /* __BC_INTERRUPT_H__ */
