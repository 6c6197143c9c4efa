/* gst-blockwise command line: waiting for an appsink's next sample (see
 * pull.h).
 *
 * An error stops the stream without a sample or an end, so the wait is cut
 * into short pulls with a look at the bus between them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pull.h"

#define POLL_INTERVAL (50 * GST_MSECOND)

GstSample *
bc_pull_sample (GstAppSink * sink, BcBusCheck check_bus, gpointer user_data,
    GError ** error)
{
  for (;;) {
    GstSample *s = gst_app_sink_try_pull_sample (sink, POLL_INTERVAL);

    if (s)
      return s;
    if (!check_bus (user_data, error))
      return NULL;
    if (gst_app_sink_is_eos (sink)) {
      /* An error is posted before the EOS that follows it arrives. */
      check_bus (user_data, error);
      return NULL;
    }
  }
}
