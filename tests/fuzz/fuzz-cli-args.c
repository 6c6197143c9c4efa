/* gst-blockwise: libFuzzer harness of the command line's argument text
 * (cli/args.c): every input is read both as an image-sequence pattern and
 * as a --range value.
 *
 * A pattern must be accepted exactly when an independent description of
 * the rule (a regular expression, and the width bound) accepts it, and
 * then give for each index the name printf gives: printf is the oracle of
 * what a user expects, called here only on text the regular expression
 * let through (% followed by % or by the one conversion).  A range must
 * be accepted exactly when libc's strtod reads both halves whole into
 * finite numbers with MIN < MAX and a finite MAX - MIN, with the same
 * values.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "args.h"

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

#define CHECK(cond) \
  G_STMT_START { \
    if (!(cond)) { \
      fprintf (stderr, "fuzz-cli-args: %s fails for \"%s\"\n", #cond, text); \
      abort (); \
    } \
  } G_STMT_END

static GRegex *pattern_rule;

/* The rule in other words: literal bytes or %%, one %[0][width]d|i|u,
 * literal bytes or %% again; the width at most BC_PATTERN_MAX_WIDTH. */
static gboolean
reference_is_pattern (const gchar * text)
{
  GMatchInfo *m;
  gboolean ok;

  if (!pattern_rule)
    pattern_rule = g_regex_new ("^(?:[^%]|%%)*%0?([1-9][0-9]*)?[diu]"
        "(?:[^%]|%%)*$", G_REGEX_RAW | G_REGEX_DOTALL, 0, NULL);
  ok = g_regex_match (pattern_rule, text, 0, &m);
  if (ok) {
    gchar *width = g_match_info_fetch (m, 1);

    ok = strlen (width) <= 2 && atoi (width) <= BC_PATTERN_MAX_WIDTH;
    g_free (width);
  }
  g_match_info_free (m);
  return ok;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static gchar *
reference_name (const gchar * vetted_format, gint index)
{
  return g_strdup_printf (vetted_format, index);
}

#pragma GCC diagnostic pop

static void
check_pattern (const gchar * text, const uint8_t * data, size_t size)
{
  static const guint indices[] = { 0, 1, 7, 9, 10, 99, 100, 12345, 999999,
    1000000, 1000001, G_MAXINT
  };
  BcPattern *p = bc_pattern_parse (text);
  guint i;

  CHECK ((p != NULL) == reference_is_pattern (text));
  if (!p)
    return;
  for (i = 0; i <= G_N_ELEMENTS (indices); i++) {
    /* and one index taken from the input */
    guint index = i < G_N_ELEMENTS (indices) ? indices[i] :
        (size >= 4 ? (guint) (data[0] | data[1] << 8 | data[2] << 16 |
            (data[3] & 0x7f) << 24) : size);
    gchar *name = bc_pattern_format (p, index);
    gchar *ref = reference_name (text, (gint) index);

    CHECK (g_str_equal (name, ref));
    g_free (name);
    g_free (ref);
  }
  bc_pattern_free (p);
}

/* strtod must read all of [start, end), and something. */
static gboolean
reference_number (const gchar * start, const gchar * end, double *value)
{
  gchar *copy = g_strndup (start, end - start);
  gchar *stop;
  gboolean ok;

  *value = strtod (copy, &stop);
  ok = *copy && *stop == '\0';
  g_free (copy);
  return ok;
}

static void
check_range (const gchar * text)
{
  const gchar *colon = strchr (text, ':');
  gdouble lo = 0, hi = 0, ref_lo = 0, ref_hi = 0;
  GError *err = NULL;
  gboolean ok = bc_parse_range (text, &lo, &hi, &err);
  gboolean ref_ok = colon && reference_number (text, colon, &ref_lo)
      && reference_number (colon + 1, colon + strlen (colon), &ref_hi)
      && isfinite (ref_lo) && isfinite (ref_hi) && ref_lo < ref_hi
      && isfinite (ref_hi - ref_lo);

  CHECK (ok == ref_ok);
  CHECK (ok == (err == NULL));
  if (ok)
    CHECK (lo == ref_lo && hi == ref_hi);
  g_clear_error (&err);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  /* up to the first NUL, as in argv */
  gchar *text = g_strndup ((const gchar *) data, size);

  check_pattern (text, data, size);
  check_range (text);
  g_free (text);
  return 0;
}
