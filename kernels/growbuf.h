/* gst-blockwise: working arrays that grow on demand and are kept from call
 * to call, so that steady per-frame work allocates nothing.  Used by the
 * kernels' scratch and the analysis alike.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BW_GROWBUF_H__
#define __BW_GROWBUF_H__

#include <glib.h>

G_BEGIN_DECLS

/* Returns array when its capacity (*capacity elements) holds len elements
 * of size bytes; otherwise frees it and returns a new array of len
 * elements, updating *capacity.  The contents are not kept. */
static inline gpointer
bw_grow (gpointer array, gsize * capacity, gsize len, gsize size)
{
  if (len <= *capacity)
    return array;
  g_free (array);
  *capacity = len;
  return g_malloc_n (len, size);
}

/* bw_grow() on a typed array and its capacity, in place:
 * BW_GROW (w->values, w->values_len, n). */
#define BW_GROW(array, capacity, len) \
    ((array) = bw_grow ((array), &(capacity), (len), sizeof *(array)))

G_END_DECLS

#endif /* __BW_GROWBUF_H__ */
