/* gst-blockwise: memory for a frame's grids, reused from frame to frame.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_BLOCKCORR_GRID_POOL_H__
#define __GST_BLOCKCORR_GRID_POOL_H__

#include <glib.h>

G_BEGIN_DECLS typedef struct _GstBlockCorrGridPool GstBlockCorrGridPool;

GstBlockCorrGridPool *gst_blockcorr_grid_pool_new (void);

/* Drops the pool's spare blocks; blocks still in use return to it. */
void gst_blockcorr_grid_pool_clear (GstBlockCorrGridPool * pool);

/* Releases the caller's reference; the pool lives on until the last block
 * handed out is freed. */
void gst_blockcorr_grid_pool_unref (GstBlockCorrGridPool * pool);

/* A block of size bytes, a spare one when there is one of that size. */
gpointer gst_blockcorr_grid_pool_take (GstBlockCorrGridPool * pool, gsize size);

/* Gives a block back without wrapping it. */
void gst_blockcorr_grid_pool_give_back (gpointer block);

/* Wraps a block from gst_blockcorr_grid_pool_take() (of size bytes) in a
 * GBytes that returns it to the pool when it is freed, from any thread. */
GBytes *gst_blockcorr_grid_pool_wrap (gpointer block, gsize size);

G_END_DECLS
#endif /* __GST_BLOCKCORR_GRID_POOL_H__ */
