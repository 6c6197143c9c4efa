/* gst-blockwise command line: SIGINT, SIGTERM and SIGHUP during a run (see
 * interrupt.h).
 *
 * The handler may run in any thread (GStreamer's included), so its state
 * moves by atomic compare-and-exchange, and it calls only async-signal-safe
 * functions.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "interrupt.h"
#include "output-set.h"

enum
{
  RUNNING,
  STOPPING,                     /* one signal: stop after this frame */
  ABORTING,                     /* two: the handler ends the process */
  HELD                          /* committing: signals change nothing */
};

static const int handled[] = { SIGINT, SIGTERM, SIGHUP };

static gint state = RUNNING;
static gint first_signal;

static void
on_signal (int sig)
{
  static const char stopping[] = "\ngst-blockcorr: interrupted: stopping "
      "after the frame in progress (interrupt again to stop at once, "
      "without results)\n";
  int saved = errno;

  if (g_atomic_int_compare_and_exchange (&state, RUNNING, STOPPING)) {
    g_atomic_int_set (&first_signal, sig);
    if (write (STDERR_FILENO, stopping, sizeof (stopping) - 1) < 0) {
      /* nothing to be done about a closed stderr */
    }
  } else if (g_atomic_int_compare_and_exchange (&state, STOPPING, ABORTING)) {
    bc_output_discard_all_from_signal ();
    /* Ends by the signal, as the parent expects of one it sent. */
    signal (sig, SIG_DFL);
    raise (sig);
  }
  errno = saved;
}

void
bc_interrupt_install (void)
{
  struct sigaction sa = { 0, }, old;
  guint i;

  signal (SIGPIPE, SIG_IGN);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset (&sa.sa_mask);
  for (i = 0; i < G_N_ELEMENTS (handled); i++)
    if (sigaction (handled[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
      sigaction (handled[i], &sa, NULL);
}

gint
bc_interrupt_signal (void)
{
  return g_atomic_int_get (&first_signal);
}

void
bc_interrupt_hold (void)
{
  for (;;) {
    gint now = g_atomic_int_get (&state);

    if (now == HELD)
      return;
    /* A second signal is ending the process in its handler. */
    if (now == ABORTING)
      pause ();
    else if (g_atomic_int_compare_and_exchange (&state, now, HELD))
      return;
  }
}

void
bc_interrupt_release (void)
{
  struct sigaction sa = { 0, }, old;
  guint i;

  sa.sa_handler = SIG_DFL;
  sigemptyset (&sa.sa_mask);
  for (i = 0; i < G_N_ELEMENTS (handled); i++)
    if (sigaction (handled[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
      sigaction (handled[i], &sa, NULL);
}
