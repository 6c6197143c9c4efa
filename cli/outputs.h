/* gst-blockwise command line: the result files: float32 TIFF grids (one
 * page per frame), the summary CSV, and the JSON lines of --json.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BC_OUTPUTS_H__
#define __BC_OUTPUTS_H__

#include <gst/gst.h>

#include "output-set.h"

G_BEGIN_DECLS

typedef struct _BcTiffStack BcTiffStack;

/* A TIFF written into out, a BigTIFF when big (a stack that can pass
 * 4 GB); libtiff's messages go into the error. */
BcTiffStack *bc_tiff_stack_new (BcOutput * out, gboolean big,
    GError ** error);
/* Appends one page: rows x cols float32, NaN where undefined. */
gboolean bc_tiff_stack_add (BcTiffStack * stack, const gfloat * values,
    guint cols, guint rows, const gchar * description, GError ** error);
/* Appends one page: rows x cols unsigned gray samples of bits (8 or 16,
 * native byte order), rows stride bytes apart. */
gboolean bc_tiff_stack_add_gray (BcTiffStack * stack, const void *samples,
    gsize stride, guint cols, guint rows, guint bits,
    const gchar * description, GError ** error);
/* Completes and closes the file (bc_output_close()); FALSE and error if
 * any of it could not be written. */
gboolean bc_tiff_stack_close (BcTiffStack * stack, GError ** error);
/* Frees the stack, for a run that ends without its results. */
void bc_tiff_stack_free (BcTiffStack * stack);

/* The summary fields of the element's message, in the order the CSV and
 * the JSON give them. */
/* A numeric field of a summary (or region) structure as a double: doubles
 * as they are, unsigned integers converted; NaN when it is missing. */
gdouble bc_number (const GstStructure * s, const gchar * name);

extern const gchar *const bc_summary_fields[];

/* Sources are file names, which need not be UTF-8: bytes that are not
 * become U+FFFD in the CSV and the JSON, which are always UTF-8. */

/* "frame,source-0,source-1,<summary fields>" */
gchar *bc_csv_header (void);
/* One CSV row (RFC 4180 quoting of the sources). */
gchar *bc_csv_row (guint frame, const gchar * source0, const gchar * source1,
    const GstStructure * summary);
/* blockdrift's fields beyond the summary. */
extern const gchar *const bc_drift_fields[];

/* One JSON object on one line: the summary fields, extra_fields (a NULL
 * terminated list, or NULL), the largest regions as objects and message
 * (the verdict in words); NaN becomes null. */
gchar *bc_json_line (guint frame, const gchar * source0,
    const gchar * source1, const GstStructure * summary,
    const gchar * const *extra_fields, const gchar * message);

G_END_DECLS

#endif /* __BC_OUTPUTS_H__ */
