/* gst-blockwise: a small pool of threads for the per-frame work.
 *
 * Each thread has its own BwScratch, reused from frame to frame, so nothing
 * is allocated per frame once the pool and scratches exist.  Rows are
 * independent, so the results do not depend on the number of threads or on
 * which thread computed which row.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "worker.h"

#define MAX_THREADS BW_WORKER_MAX_THREADS

typedef struct
{
  BwWorker *worker;
  guint index;
} Helper;

struct _BwWorker
{
  GThreadPool *pool;
  guint pool_threads;
  BwScratch *scratch[MAX_THREADS];
  Helper helpers[MAX_THREADS];

  /* The current frame. */
  BwRowFunc func;
  gpointer data;
  guint n_rows;
  guint n_threads;
  gint next_row;                /* atomic */

  GMutex lock;
  GCond done_cond;
  guint pending;
};

/* Takes runs of rows until none is left: long runs first, so that each
 * thread streams through contiguous memory, then shorter ones, so that the
 * threads finish close together ("guided" scheduling: a run is the rest
 * divided by twice the number of threads). */
static void
take_rows (BwWorker * w, guint index)
{
  for (;;) {
    guint start = (guint) g_atomic_int_get (&w->next_row), chunk, row;

    if (start >= w->n_rows)
      break;
    chunk = MAX (1, (w->n_rows - start) / (2 * w->n_threads));
    if (!g_atomic_int_compare_and_exchange (&w->next_row, (gint) start,
            (gint) (start + chunk)))
      continue;
    for (row = start; row < start + chunk; row++)
      w->func (w->data, w->scratch[index], index, row);
  }
}

static void
run_helper (gpointer job, gpointer user_data)
{
  Helper *h = job;
  BwWorker *w = h->worker;

  take_rows (w, h->index);
  g_mutex_lock (&w->lock);
  if (--w->pending == 0)
    g_cond_signal (&w->done_cond);
  g_mutex_unlock (&w->lock);
}

BwWorker *
bw_worker_new (void)
{
  BwWorker *w = g_new0 (BwWorker, 1);

  g_mutex_init (&w->lock);
  g_cond_init (&w->done_cond);
  return w;
}

void
bw_worker_free (BwWorker * w)
{
  guint i;

  if (!w)
    return;
  if (w->pool)
    g_thread_pool_free (w->pool, FALSE, TRUE);
  for (i = 0; i < MAX_THREADS; i++)
    bw_scratch_free (w->scratch[i]);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->done_cond);
  g_free (w);
}

guint
bw_worker_n_threads (guint n_threads, guint n_rows)
{
  if (n_threads == 0)
    n_threads = g_get_num_processors ();
  return CLAMP (MIN (n_threads, n_rows), 1, MAX_THREADS);
}

void
bw_worker_run (BwWorker * w, guint n_threads,
    guint n_rows, BwRowFunc func, gpointer data)
{
  guint n = bw_worker_n_threads (n_threads, n_rows), i;

  for (i = 0; i < n; i++) {
    if (!w->scratch[i])
      w->scratch[i] = bw_scratch_new ();
    w->helpers[i].worker = w;
    w->helpers[i].index = i;
  }

  w->func = func;
  w->data = data;
  w->n_rows = n_rows;
  w->n_threads = n;
  g_atomic_int_set (&w->next_row, 0);

  if (n == 1) {
    take_rows (w, 0);
    return;
  }

  if (w->pool && w->pool_threads != n - 1) {
    g_thread_pool_free (w->pool, FALSE, TRUE);
    w->pool = NULL;
  }
  if (!w->pool) {
    w->pool = g_thread_pool_new (run_helper, NULL, n - 1, TRUE, NULL);
    w->pool_threads = n - 1;
  }

  /* The helpers count down from n - 1; the caller's own share needs no
   * signal.  Pushing a job locks the pool's queue, which also publishes
   * func, data and n_rows to the helpers. */
  w->pending = n - 1;
  for (i = 1; i < n; i++)
    g_thread_pool_push (w->pool, &w->helpers[i], NULL);
  take_rows (w, 0);

  g_mutex_lock (&w->lock);
  while (w->pending > 0)
    g_cond_wait (&w->done_cond, &w->lock);
  g_mutex_unlock (&w->lock);
}
