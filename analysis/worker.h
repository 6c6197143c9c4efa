/* gst-blockwise: runs the per-frame computation on several threads, one
 * block row at a time.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BW_WORKER_H__
#define __BW_WORKER_H__

#include <glib.h>
#include "blockstats.h"

G_BEGIN_DECLS

typedef struct _BwWorker BwWorker;

#define BW_WORKER_MAX_THREADS 64

/* Computes block row `row` with the scratch of the thread it runs on;
 * thread is that thread's index, 0 .. bw_worker_n_threads () - 1, for
 * working memory of the caller's own per thread. */
typedef void (*BwRowFunc) (gpointer data, BwScratch * scratch, guint thread,
    guint row);

BwWorker *bw_worker_new (void);
void bw_worker_free (BwWorker * worker);

/* Number of threads bw_worker_run() uses for these arguments.  With
 * n_threads 0 it follows the CPUs available, which can change from call to
 * call: a caller that sizes memory per thread passes the count this gives
 * on to bw_worker_run(), which never uses more threads than a non-zero
 * n_threads. */
guint bw_worker_n_threads (guint n_threads, guint n_rows);

/* Runs func on every row of [0, n_rows) on up to n_threads threads (0 = one
 * per CPU; the caller's thread is one of them) and returns when all rows
 * are done.  Threads take the next undone rows until none is left, so a
 * thread slowed down by something else on its CPU does fewer rows instead
 * of holding up the frame. */
void bw_worker_run (BwWorker * worker, guint n_threads,
    guint n_rows, BwRowFunc func, gpointer data);

G_END_DECLS

#endif /* __BW_WORKER_H__ */
