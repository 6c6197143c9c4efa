/* gst-blockwise: the frame's global shift, coarse, whatever its size up to
 * a quarter of the frame's smaller side.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Both planes are reduced by box sums into a pyramid (the finest level a
 * quarter of the frame's resolution or less, at most 2048 samples a side,
 * the coarsest with a smaller side of at least BW_GLOBAL_MIN_SIDE
 * samples).  At the coarsest level
 * every shift up to a quarter of the smaller side (and a level pixel more)
 * is tried (of nearly equal peaks, as a periodic texture gives, the
 * nearest wins); at each finer level the best shift of the level above is
 * refined by climbing the correlation among its neighbours.  The measure is
 * the zero-mean normalized cross-correlation of the overlapping parts, so a
 * change of gain or offset (bleaching, exposure) does not move the peak.
 * The estimate is good to a pixel or two of the frame: the exact per-block
 * search centred on it (bw_search_rows_at()) gives the displacement.
 */
#ifndef __BW_GLOBAL_SHIFT_H__
#define __BW_GLOBAL_SHIFT_H__

#include "blockstats.h"
#include "worker.h"

G_BEGIN_DECLS

/* Samples of the coarsest level's smaller side, at least. */
#define BW_GLOBAL_MIN_SIDE 32
/* The correlation a peak must reach to count (below it the frame is flat,
 * noisy or moved beyond the range). */
#define BW_GLOBAL_MIN_PEAK 0.3
typedef struct
{
  /* A peak of at least BW_GLOBAL_MIN_PEAK was found. */
  gboolean found;
  /* The peak lies on the bound of the range tried: the shift may be
   * larger than limit. */
  gboolean at_limit;
  /* B's content relative to A's, px, as BwBlockShift's dx and dy (0 when
   * none found). */
  gdouble x, y;
  gdouble peak;                 /* the correlation at the peak */
  guint limit;                  /* px: a quarter of the smaller side */
} BwGlobalShift;

typedef struct _BwGlobalWork BwGlobalWork;

BwGlobalWork *bw_global_work_new (void);
void bw_global_work_free (BwGlobalWork * work);

/* The coarse global shift of plane b against plane a, width x height
 * samples each, reading the planes on n_threads threads of worker
 * (n_threads as bw_worker_run() takes it; worker NULL: on the caller's
 * thread only).  The result does not depend on the threads.  FALSE on
 * invalid arguments. */
gboolean bw_global_shift_estimate (BwGlobalWork * work, BwWorker * worker,
    guint n_threads, const BwPlane * a, const BwPlane * b, guint width,
    guint height, BwGlobalShift * out);

G_END_DECLS
#endif /* __BW_GLOBAL_SHIFT_H__ */
