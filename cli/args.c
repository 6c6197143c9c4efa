/* gst-blockwise command line: the text of its arguments read into values.
 *
 * User text is never a printf format: a pattern is taken apart here and
 * its names are put together digit by digit.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include "args.h"

BcPattern *
bc_pattern_parse (const gchar * text)
{
  GString *literal = g_string_new (NULL);
  gchar *prefix = NULL;
  guint width = 0;
  gboolean zero_pad = FALSE;
  const gchar *c = text;
  BcPattern *p;

  while (*c) {
    if (*c != '%') {
      g_string_append_c (literal, *c++);
      continue;
    }
    c++;
    if (*c == '%') {
      g_string_append_c (literal, '%');
      c++;
      continue;
    }
    if (prefix)
      goto plain_name;          /* a second conversion */
    if (*c == '0') {
      zero_pad = TRUE;
      c++;
    }
    if (*c >= '1' && *c <= '9') {
      while (g_ascii_isdigit (*c)) {
        width = width * 10 + (*c++ - '0');
        if (width > BC_PATTERN_MAX_WIDTH)
          goto plain_name;
      }
    }
    if (*c != 'd' && *c != 'i' && *c != 'u')
      goto plain_name;
    c++;
    prefix = g_string_free (literal, FALSE);
    literal = g_string_new (NULL);
  }
  if (!prefix)
    goto plain_name;
  p = g_new0 (BcPattern, 1);
  p->prefix = prefix;
  p->suffix = g_string_free (literal, FALSE);
  p->width = width;
  p->zero_pad = zero_pad;
  return p;

plain_name:
  g_free (prefix);
  g_string_free (literal, TRUE);
  return NULL;
}

gchar *
bc_pattern_format (const BcPattern * p, guint index)
{
  gchar digits[16];             /* a guint has at most 10 */
  guint n = 0, pad;
  GString *name = g_string_new (p->prefix);

  do {
    digits[n++] = '0' + index % 10;
    index /= 10;
  } while (index);
  for (pad = n; pad < p->width; pad++)
    g_string_append_c (name, p->zero_pad ? '0' : ' ');
  while (n)
    g_string_append_c (name, digits[--n]);
  g_string_append (name, p->suffix);
  return g_string_free (name, FALSE);
}

void
bc_pattern_free (BcPattern * p)
{
  if (!p)
    return;
  g_free (p->prefix);
  g_free (p->suffix);
  g_free (p);
}

/* One number of the range: all of [start, end) must be read. */
static gboolean
parse_number (const gchar * start, const gchar * end, gdouble * value)
{
  gchar *stop;

  if (start == end)
    return FALSE;
  *value = g_ascii_strtod (start, &stop);
  return stop == end;
}

gboolean
bc_parse_range (const gchar * text, gdouble * min, gdouble * max,
    GError ** error)
{
  const gchar *colon = strchr (text, ':');
  gdouble lo, hi;

  if (colon && parse_number (text, colon, &lo)
      && parse_number (colon + 1, colon + strlen (colon), &hi)
      && isfinite (lo) && isfinite (hi) && lo < hi && isfinite (hi - lo)) {
    *min = lo;
    *max = hi;
    return TRUE;
  }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
      "--range wants MIN:MAX, two finite numbers with MIN < MAX, such as "
      "0:1, not \"%s\"", text);
  return FALSE;
}
