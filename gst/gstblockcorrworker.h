/* gst-blockwise: runs the per-frame computation on several threads, one
 * block row at a time.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_BLOCKCORR_WORKER_H__
#define __GST_BLOCKCORR_WORKER_H__

#include <glib.h>
#include "blockstats.h"

G_BEGIN_DECLS

typedef struct _GstBlockCorrWorker GstBlockCorrWorker;

#define GST_BLOCKCORR_WORKER_MAX_THREADS 64

/* Computes block row `row` with the scratch of the thread it runs on. */
typedef void (*GstBlockCorrRowFunc) (gpointer data, BwScratch * scratch,
    guint row);

GstBlockCorrWorker *gst_blockcorr_worker_new (void);
void gst_blockcorr_worker_free (GstBlockCorrWorker * worker);

/* Number of threads gst_blockcorr_worker_run() uses for these arguments. */
guint gst_blockcorr_worker_n_threads (guint n_threads, guint n_rows);

/* Runs func on every row of [0, n_rows) on up to n_threads threads (0 = one
 * per CPU; the caller's thread is one of them) and returns when all rows
 * are done.  Threads take the next undone rows until none is left, so a
 * thread slowed down by something else on its CPU does fewer rows instead
 * of holding up the frame. */
void gst_blockcorr_worker_run (GstBlockCorrWorker * worker, guint n_threads,
    guint n_rows, GstBlockCorrRowFunc func, gpointer data);

G_END_DECLS

#endif /* __GST_BLOCKCORR_WORKER_H__ */
