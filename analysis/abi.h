/* gst-blockwise: the layout of the structures and the constants that
 * bindings copy (the Python package compares its ctypes structures with
 * these when it is imported, so a change on one side cannot go unnoticed).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BW_ABI_H__
#define __BW_ABI_H__

#include <glib.h>

G_BEGIN_DECLS

/* One field of a structure, or the structure itself (field NULL, size its
 * sizeof, offset 0). */
typedef struct
{
  const gchar *type;            /* "BwPlane", ... */
  const gchar *field;
  gsize offset, size;
} BwAbiField;

/* The structures of the library's API, each as its own row followed by
 * its fields in declaration order; the last row's type is NULL. */
const BwAbiField *bw_abi_layout (void);

typedef struct
{
  const gchar *name;            /* the C name: "BW_MAX_BLOCK_SIZE", ... */
  gdouble value;
} BwAbiConstant;

/* The limits, the automatic value and the enum values of the API; the
 * last entry's name is NULL. */
const BwAbiConstant *bw_abi_constants (void);

G_END_DECLS

#endif /* __BW_ABI_H__ */
