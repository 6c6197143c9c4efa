/* gst-blockwise command line: waiting for an appsink's next sample while
 * watching its pipeline for errors.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BC_PULL_H__
#define __BC_PULL_H__

#include <gst/app/gstappsink.h>

G_BEGIN_DECLS

/* Takes what the pipeline posted on its bus; FALSE and error when that was
 * an error. */
typedef gboolean (*BcBusCheck) (gpointer user_data, GError ** error);

/* The sink's next sample.  NULL and error when check_bus finds an error;
 * NULL alone at the end of the stream (check_bus has then taken the
 * messages posted before it). */
GstSample *bc_pull_sample (GstAppSink * sink, BcBusCheck check_bus,
    gpointer user_data, GError ** error);

G_END_DECLS

#endif /* __BC_PULL_H__ */
