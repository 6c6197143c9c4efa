/* gst-blockwise: per-thread working memory of the block-statistics paths.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include "blockstats-private.h"
#include "growbuf.h"

BwScratch *
bw_scratch_new (void)
{
  return g_new0 (BwScratch, 1);
}

void
bw_scratch_free (BwScratch * scratch)
{
  if (!scratch)
    return;
  g_free (scratch->cols32);
  g_free (scratch->search32);
  g_free (scratch->search64);
  g_free (scratch->search_r);
  g_free (scratch->subpixel);
  g_free (scratch);
}

void
bw_scratch_zero_columns (BwScratch * scratch, guint n_arrays, gsize n)
{
  /* At least one element, so the array is never NULL (a zero-width row
   * still offsets it). */
  gsize len = MAX ((gsize) n_arrays * n, 1);

  BW_GROW (scratch->cols32, scratch->cols32_len, len);
  memset (scratch->cols32, 0, len * sizeof (guint32));
}

void
bw_scratch_reserve (gpointer * array, gsize * array_len, gsize len, gsize size)
{
  *array = bw_grow (*array, array_len, MAX (len, 1), size);
}
