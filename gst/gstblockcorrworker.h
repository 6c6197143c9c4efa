/* gst-blockwise: runs the per-frame computation on several threads, split
 * by block rows. */
#ifndef __GST_BLOCKCORR_WORKER_H__
#define __GST_BLOCKCORR_WORKER_H__

#include <glib.h>
#include "blockstats.h"

G_BEGIN_DECLS

typedef struct _GstBlockCorrWorker GstBlockCorrWorker;

#define GST_BLOCKCORR_WORKER_MAX_SLICES 64

/* Computes block rows [row_start, row_end), slice number slice of the
 * frame, with that slice's scratch. */
typedef void (*GstBlockCorrSliceFunc) (gpointer data, guint slice,
    BwScratch * scratch, guint row_start, guint row_end);

GstBlockCorrWorker *gst_blockcorr_worker_new (void);

/* Number of slices gst_blockcorr_worker_run() makes for these arguments. */
guint gst_blockcorr_worker_n_slices (guint n_threads, guint n_rows);
void gst_blockcorr_worker_free (GstBlockCorrWorker * worker);

/* Splits [0, n_rows) into up to n_threads slices (0 = one per CPU), runs
 * them in parallel (the caller runs one) and returns when all are done. */
void gst_blockcorr_worker_run (GstBlockCorrWorker * worker, guint n_threads,
    guint n_rows, GstBlockCorrSliceFunc func, gpointer data);

G_END_DECLS

#endif /* __GST_BLOCKCORR_WORKER_H__ */
