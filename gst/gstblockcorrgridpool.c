/* gst-blockwise: memory for a frame's grids, reused from frame to frame
 * (gstblockcorrgridpool.h).
 *
 * The grids of a frame go downstream in its meta and come back when the
 * buffer is freed.  Fresh memory costs a page fault per page on its first
 * touch, which for a frame's grids takes as long as a good part of the
 * analysis: a few blocks kept for the next frames avoid that.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gstblockcorrgridpool.h"

/* Spare blocks kept: the frames a pipeline's queues typically hold. */
#define MAX_SPARE 4

/* In front of every block, at an alignment the grids' floats keep. */
typedef union
{
  struct
  {
    GstBlockCorrGridPool *pool;
    gsize size;
  } h;
  gdouble align[2];
} Header;

struct _GstBlockCorrGridPool
{
  gint refcount;                /* the owner's, and one per block out */
  GMutex lock;
  gsize size;                   /* of the spare blocks */
  Header *spare[MAX_SPARE];
  guint n_spare;
};

GstBlockCorrGridPool *
gst_blockcorr_grid_pool_new (void)
{
  GstBlockCorrGridPool *pool = g_new0 (GstBlockCorrGridPool, 1);

  pool->refcount = 1;
  g_mutex_init (&pool->lock);
  return pool;
}

/* Called with the lock held. */
static void
drop_spare (GstBlockCorrGridPool * pool)
{
  while (pool->n_spare > 0)
    g_free (pool->spare[--pool->n_spare]);
}

void
gst_blockcorr_grid_pool_clear (GstBlockCorrGridPool * pool)
{
  g_mutex_lock (&pool->lock);
  drop_spare (pool);
  g_mutex_unlock (&pool->lock);
}

void
gst_blockcorr_grid_pool_unref (GstBlockCorrGridPool * pool)
{
  if (!pool || !g_atomic_int_dec_and_test (&pool->refcount))
    return;
  drop_spare (pool);
  g_mutex_clear (&pool->lock);
  g_free (pool);
}

gpointer
gst_blockcorr_grid_pool_take (GstBlockCorrGridPool * pool, gsize size)
{
  Header *h = NULL;

  g_mutex_lock (&pool->lock);
  if (size != pool->size) {
    /* The grid changed size: the spare blocks are of no more use. */
    drop_spare (pool);
    pool->size = size;
  }
  if (pool->n_spare > 0)
    h = pool->spare[--pool->n_spare];
  g_mutex_unlock (&pool->lock);
  if (!h)
    h = g_malloc (sizeof (Header) + size);
  h->h.pool = pool;
  h->h.size = size;
  g_atomic_int_inc (&pool->refcount);
  return h + 1;
}

void
gst_blockcorr_grid_pool_give_back (gpointer block)
{
  Header *h = (Header *) block - 1;
  GstBlockCorrGridPool *pool = h->h.pool;

  g_mutex_lock (&pool->lock);
  if (h->h.size == pool->size && pool->n_spare < MAX_SPARE) {
    pool->spare[pool->n_spare++] = h;
    h = NULL;
  }
  g_mutex_unlock (&pool->lock);
  g_free (h);
  gst_blockcorr_grid_pool_unref (pool);
}

GBytes *
gst_blockcorr_grid_pool_wrap (gpointer block, gsize size)
{
  return g_bytes_new_with_free_func (block, size,
      gst_blockcorr_grid_pool_give_back, block);
}
