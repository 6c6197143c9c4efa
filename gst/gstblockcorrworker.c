/* gst-blockwise: a small pool of threads for the per-frame work.
 *
 * Each slice has its own BwScratch, reused from frame to frame, so nothing
 * is allocated per frame once the pool and scratches exist.  Slices are
 * disjoint ranges of block rows, so the results do not depend on the number
 * of threads.
 */
#include "gstblockcorrworker.h"

#define MAX_SLICES GST_BLOCKCORR_WORKER_MAX_SLICES

typedef struct
{
  GstBlockCorrWorker *worker;
  guint index;
  guint row_start;
  guint row_end;
} Slice;

struct _GstBlockCorrWorker
{
  GThreadPool *pool;
  guint pool_threads;
  BwScratch *scratch[MAX_SLICES];
  Slice slices[MAX_SLICES];

  GstBlockCorrSliceFunc func;
  gpointer data;
  GMutex lock;
  GCond done_cond;
  guint pending;
};

static void
run_slice (gpointer job, gpointer user_data)
{
  Slice *s = job;
  GstBlockCorrWorker *w = s->worker;

  w->func (w->data, s->index, w->scratch[s->index], s->row_start,
      s->row_end);
  g_mutex_lock (&w->lock);
  if (--w->pending == 0)
    g_cond_signal (&w->done_cond);
  g_mutex_unlock (&w->lock);
}

GstBlockCorrWorker *
gst_blockcorr_worker_new (void)
{
  GstBlockCorrWorker *w = g_new0 (GstBlockCorrWorker, 1);

  g_mutex_init (&w->lock);
  g_cond_init (&w->done_cond);
  return w;
}

void
gst_blockcorr_worker_free (GstBlockCorrWorker * w)
{
  guint i;

  if (!w)
    return;
  if (w->pool)
    g_thread_pool_free (w->pool, FALSE, TRUE);
  for (i = 0; i < MAX_SLICES; i++)
    bw_scratch_free (w->scratch[i]);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->done_cond);
  g_free (w);
}

guint
gst_blockcorr_worker_n_slices (guint n_threads, guint n_rows)
{
  if (n_threads == 0)
    n_threads = g_get_num_processors ();
  return CLAMP (MIN (n_threads, n_rows), 1, MAX_SLICES);
}

void
gst_blockcorr_worker_run (GstBlockCorrWorker * w, guint n_threads,
    guint n_rows, GstBlockCorrSliceFunc func, gpointer data)
{
  guint n = gst_blockcorr_worker_n_slices (n_threads, n_rows), i;

  for (i = 0; i < n; i++) {
    if (!w->scratch[i])
      w->scratch[i] = bw_scratch_new ();
    w->slices[i].worker = w;
    w->slices[i].index = i;
    w->slices[i].row_start = (guint) ((guint64) n_rows * i / n);
    w->slices[i].row_end = (guint) ((guint64) n_rows * (i + 1) / n);
  }

  if (n == 1) {
    func (data, 0, w->scratch[0], 0, n_rows);
    return;
  }

  if (w->pool && w->pool_threads != n - 1) {
    g_thread_pool_free (w->pool, FALSE, TRUE);
    w->pool = NULL;
  }
  if (!w->pool) {
    w->pool = g_thread_pool_new (run_slice, NULL, n - 1, TRUE, NULL);
    w->pool_threads = n - 1;
  }

  w->func = func;
  w->data = data;
  w->pending = n;
  for (i = 1; i < n; i++)
    g_thread_pool_push (w->pool, &w->slices[i], NULL);
  run_slice (&w->slices[0], NULL);

  g_mutex_lock (&w->lock);
  while (w->pending > 0)
    g_cond_wait (&w->done_cond, &w->lock);
  g_mutex_unlock (&w->lock);
}
