/* gst-blockwise command line: the text of its arguments read into values,
 * with no side effects (no files touched): image-sequence patterns and
 * option values.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BC_ARGS_H__
#define __BC_ARGS_H__

#include <glib.h>

G_BEGIN_DECLS

/* The widest field a pattern may ask for (%016d). */
#define BC_PATTERN_MAX_WIDTH 16

/* An image-sequence pattern such as frame_%04d.png: PREFIX, the index as
 * decimal digits, right-aligned in WIDTH characters (padded with zeros or
 * spaces), SUFFIX. */
typedef struct
{
  gchar *prefix;
  gchar *suffix;
  guint width;
  gboolean zero_pad;
} BcPattern;

/* A pattern when text holds exactly one conversion %d, %i or %u, with an
 * optional 0 flag and a width of 1..BC_PATTERN_MAX_WIDTH, and any number of
 * %% (a literal %); NULL for any other text (a plain file name).  The
 * names it gives are what printf (text, index) prints. */
BcPattern *bc_pattern_parse (const gchar * text);
gchar *bc_pattern_format (const BcPattern * pattern, guint index);
void bc_pattern_free (BcPattern * pattern);

/* --range's value MIN:MAX: two finite decimal numbers with MIN < MAX (and
 * a finite MAX - MIN, as the colour bar's labels are spaced by it). */
gboolean bc_parse_range (const gchar * text, gdouble * min, gdouble * max,
    GError ** error);

G_END_DECLS

#endif /* __BC_ARGS_H__ */
