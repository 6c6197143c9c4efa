/* gst-blockwise command line: the result files.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <tiffio.h>

#include "outputs.h"

struct _BcTiffStack
{
  TIFF *tif;
  BcOutput *out;
  guint pages;
};

/* libtiff's file access, on the output's descriptor: every failure is
 * recorded with its errno, which makes the message. */
static tmsize_t
tiff_read (thandle_t handle, void *buf, tmsize_t size)
{
  BcTiffStack *st = handle;
  tmsize_t done = 0;

  while (done < size) {
    gssize n = read (bc_output_fd (st->out), (guint8 *) buf + done,
        size - done);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      bc_output_fail (st->out, errno, NULL);
      return -1;
    }
    if (n == 0)
      break;
    done += n;
  }
  return done;
}

static tmsize_t
tiff_write (thandle_t handle, void *buf, tmsize_t size)
{
  BcTiffStack *st = handle;

  return bc_output_write (st->out, buf, size) ? size : -1;
}

static toff_t
tiff_seek (thandle_t handle, toff_t offset, int whence)
{
  BcTiffStack *st = handle;
  off_t pos = lseek (bc_output_fd (st->out), (off_t) offset, whence);

  if (pos < 0) {
    bc_output_fail (st->out, errno, NULL);
    return (toff_t) - 1;
  }
  return pos;
}

static toff_t
tiff_size (thandle_t handle)
{
  BcTiffStack *st = handle;
  struct stat sb;

  if (fstat (bc_output_fd (st->out), &sb) != 0) {
    bc_output_fail (st->out, errno, NULL);
    return 0;
  }
  return sb.st_size;
}

/* bc_output_close() closes the descriptor. */
static int
tiff_close (thandle_t handle)
{
  return 0;
}

static int
tiff_map (thandle_t handle, void **base, toff_t * size)
{
  return 0;
}

static void
tiff_unmap (thandle_t handle, void *base, toff_t size)
{
}

/* libtiff's message, kept for the error when no errno says more. */
static int
tiff_error (TIFF * tif, void *user_data, const char *module,
    const char *fmt, va_list ap)
{
  BcTiffStack *st = user_data;
  gchar *msg = g_strdup_vprintf (fmt, ap);

  bc_output_fail (st->out, 0, msg);
  g_free (msg);
  return 1;
}

static int
tiff_warning (TIFF * tif, void *user_data, const char *module,
    const char *fmt, va_list ap)
{
  return 1;
}

BcTiffStack *
bc_tiff_stack_new (BcOutput * out, gboolean big, GError ** error)
{
  BcTiffStack *st = g_new0 (BcTiffStack, 1);
  TIFFOpenOptions *opts = TIFFOpenOptionsAlloc ();

  st->out = out;
  TIFFOpenOptionsSetErrorHandlerExtR (opts, tiff_error, st);
  TIFFOpenOptionsSetWarningHandlerExtR (opts, tiff_warning, st);
  st->tif = TIFFClientOpenExt (bc_output_path (out), big ? "w8" : "w", st,
      tiff_read, tiff_write, tiff_seek, tiff_close, tiff_size, tiff_map,
      tiff_unmap, opts);
  TIFFOpenOptionsFree (opts);
  if (!st->tif) {
    bc_output_fail (out, 0, "libtiff cannot start the file");
    bc_output_report (out, error);
    g_free (st);
    return NULL;
  }
  return st;
}

/* One page of cols x rows samples of bits each, rows stride bytes apart. */
static gboolean
add_page (BcTiffStack * st, const void *data, gsize stride, guint cols,
    guint rows, guint bits, guint sample_format, const gchar * description,
    GError ** error)
{
  TIFF *tif = st->tif;
  guint y;

  TIFFSetField (tif, TIFFTAG_IMAGEWIDTH, cols);
  TIFFSetField (tif, TIFFTAG_IMAGELENGTH, rows);
  TIFFSetField (tif, TIFFTAG_BITSPERSAMPLE, bits);
  TIFFSetField (tif, TIFFTAG_SAMPLESPERPIXEL, 1);
  TIFFSetField (tif, TIFFTAG_SAMPLEFORMAT, sample_format);
  TIFFSetField (tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
  TIFFSetField (tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  /* Uncompressed: deflate cost more than all the rest of a large pair's
   * analysis, and every reader opens plain files. */
  TIFFSetField (tif, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
  TIFFSetField (tif, TIFFTAG_ROWSPERSTRIP, MAX (1, 65536 / (cols * bits / 8)));
  TIFFSetField (tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
  TIFFSetField (tif, TIFFTAG_PAGENUMBER, st->pages, 0);
  if (description)
    TIFFSetField (tif, TIFFTAG_IMAGEDESCRIPTION, description);
  for (y = 0; y < rows; y++) {
    if (TIFFWriteScanline (tif, (guint8 *) data + (gsize) y * stride, y,
            0) != 1)
      goto failed;
  }
  if (!TIFFWriteDirectory (tif))
    goto failed;
  st->pages++;
  bc_output_start_writeback (st->out);
  return TRUE;

failed:
  bc_output_fail (st->out, 0, "libtiff cannot write the page");
  return bc_output_report (st->out, error);
}

gboolean
bc_tiff_stack_add (BcTiffStack * st, const gfloat * values, guint cols,
    guint rows, const gchar * description, GError ** error)
{
  return add_page (st, values, (gsize) cols * sizeof (gfloat), cols, rows,
      32, SAMPLEFORMAT_IEEEFP, description, error);
}

gboolean
bc_tiff_stack_add_gray (BcTiffStack * st, const void *samples, gsize stride,
    guint cols, guint rows, guint bits, const gchar * description,
    GError ** error)
{
  return add_page (st, samples, stride, cols, rows, bits, SAMPLEFORMAT_UINT,
      description, error);
}

gboolean
bc_tiff_stack_close (BcTiffStack * st, GError ** error)
{
  gboolean ok;

  if (!TIFFFlush (st->tif))
    bc_output_fail (st->out, 0, "libtiff cannot complete the file");
  TIFFClose (st->tif);
  st->tif = NULL;
  ok = bc_output_close (st->out, error);
  g_free (st);
  return ok;
}

void
bc_tiff_stack_free (BcTiffStack * st)
{
  if (!st)
    return;
  if (st->tif)
    TIFFClose (st->tif);
  g_free (st);
}

const gchar *const bc_summary_fields[] = {
  "verdict", "cols", "rows", "block-width", "block-height", "valid",
  "invalid", "background", "mean", "min", "max", "median", "below-threshold",
  "threshold", "search-radius", "informative", "shift-x", "shift-y",
  "shift-at-limit",
  "regions", "min-intensity-0", "min-intensity-1", NULL
};

const gchar *const bc_drift_fields[] = {
  "motion-found", "motion-x", "motion-y", "drift-x", "drift-y", "correction",
  NULL
};

static void append_csv_text (GString * out, const gchar * text);
static void append_json_text (GString * out, const gchar * text);

gdouble
bc_number (const GstStructure * s, const gchar * name)
{
  gdouble d = NAN;
  guint u;

  if (!gst_structure_get_double (s, name, &d)
      && gst_structure_get_uint (s, name, &u))
    d = u;
  return d;
}

/* A field as text: integers as they are, doubles with all their digits,
 * booleans as true/false (JSON) or 1/0 (CSV), NaN as nan (CSV) or null
 * (JSON). */
static void
append_value (GString * out, const GstStructure * s, const gchar * name,
    gboolean json)
{
  const GValue *v = gst_structure_get_value (s, name);

  if (!v) {
    g_string_append (out, json ? "null" : "");
  } else if (G_VALUE_HOLDS_DOUBLE (v)) {
    gdouble d = g_value_get_double (v);
    gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

    if (isnan (d) || isinf (d))
      g_string_append (out, json ? "null" : "nan");
    else
      g_string_append (out, g_ascii_dtostr (buf, sizeof (buf), d));
  } else if (G_VALUE_HOLDS_UINT (v)) {
    g_string_append_printf (out, "%u", g_value_get_uint (v));
  } else if (G_VALUE_HOLDS_UINT64 (v)) {
    g_string_append_printf (out, "%" G_GUINT64_FORMAT, g_value_get_uint64 (v));
  } else if (G_VALUE_HOLDS_BOOLEAN (v)) {
    g_string_append (out, g_value_get_boolean (v) ? (json ? "true" : "1") :
        (json ? "false" : "0"));
  } else if (G_VALUE_HOLDS_STRING (v)) {
    if (json)
      append_json_text (out, g_value_get_string (v));
    else
      append_csv_text (out, g_value_get_string (v));
  }
}

/* text itself when it is UTF-8, else a copy with U+FFFD for the bytes that
 * are not (in *copy, to be freed). */
static const gchar *
valid_text (const gchar * text, gchar ** copy)
{
  *copy = g_utf8_validate (text, -1, NULL) ? NULL :
      g_utf8_make_valid (text, -1);
  return *copy ? *copy : text;
}

static void
append_csv_text (GString * out, const gchar * raw)
{
  gchar *copy;
  const gchar *text = valid_text (raw, &copy), *p;

  g_string_append_c (out, '"');
  for (p = text; *p; p++) {
    if (*p == '"')
      g_string_append_c (out, '"');
    g_string_append_c (out, *p);
  }
  g_string_append_c (out, '"');
  g_free (copy);
}

static void
append_json_text (GString * out, const gchar * raw)
{
  gchar *copy;
  const gchar *text = valid_text (raw, &copy);
  const guchar *p;

  g_string_append_c (out, '"');
  for (p = (const guchar *) text; *p; p++) {
    switch (*p) {
      case '"':
        g_string_append (out, "\\\"");
        break;
      case '\\':
        g_string_append (out, "\\\\");
        break;
      case '\n':
        g_string_append (out, "\\n");
        break;
      case '\t':
        g_string_append (out, "\\t");
        break;
      default:
        if (*p < 0x20)
          g_string_append_printf (out, "\\u%04x", *p);
        else
          g_string_append_c (out, *p);
    }
  }
  g_string_append_c (out, '"');
  g_free (copy);
}

gchar *
bc_csv_header (void)
{
  GString *out = g_string_new ("frame,source-0,source-1");
  guint i;

  for (i = 0; bc_summary_fields[i]; i++)
    g_string_append_printf (out, ",%s", bc_summary_fields[i]);
  return g_string_free (out, FALSE);
}

gchar *
bc_csv_row (guint frame, const gchar * source0, const gchar * source1,
    const GstStructure * summary)
{
  GString *out = g_string_new (NULL);
  guint i;

  g_string_append_printf (out, "%u,", frame);
  append_csv_text (out, source0);
  g_string_append_c (out, ',');
  append_csv_text (out, source1);
  for (i = 0; bc_summary_fields[i]; i++) {
    g_string_append_c (out, ',');
    append_value (out, summary, bc_summary_fields[i], FALSE);
  }
  return g_string_free (out, FALSE);
}

/* The reported regions as a JSON array of objects. */
static void
append_json_regions (GString * out, const GstStructure * summary)
{
  static const gchar *const fields[] = {
    "x", "y", "width", "height", "blocks", "unmatched", "median-r",
    "shift-x", "shift-y", "at-radius", NULL
  };
  const GValue *regions = gst_structure_get_value (summary,
      "largest-regions");
  guint n = regions ? gst_value_array_get_size (regions) : 0, k, i;

  g_string_append_c (out, '[');
  for (k = 0; k < n; k++) {
    const GstStructure *rs =
        gst_value_get_structure (gst_value_array_get_value (regions, k));

    g_string_append (out, k ? ", {" : "{");
    for (i = 0; fields[i]; i++) {
      g_string_append_printf (out, "%s\"%s\": ", i ? ", " : "", fields[i]);
      append_value (out, rs, fields[i], TRUE);
    }
    g_string_append_c (out, '}');
  }
  g_string_append_c (out, ']');
}

gchar *
bc_json_line (guint frame, const gchar * source0, const gchar * source1,
    const GstStructure * summary, const gchar * const *extra_fields,
    const gchar * message)
{
  GString *out = g_string_new (NULL);
  guint i;

  g_string_append_printf (out, "{\"frame\": %u, \"source-0\": ", frame);
  append_json_text (out, source0);
  g_string_append (out, ", \"source-1\": ");
  append_json_text (out, source1);
  for (i = 0; bc_summary_fields[i]; i++) {
    g_string_append_printf (out, ", \"%s\": ", bc_summary_fields[i]);
    append_value (out, summary, bc_summary_fields[i], TRUE);
  }
  for (i = 0; extra_fields && extra_fields[i]; i++) {
    g_string_append_printf (out, ", \"%s\": ", extra_fields[i]);
    append_value (out, summary, extra_fields[i], TRUE);
  }
  g_string_append (out, ", \"largest-regions\": ");
  append_json_regions (out, summary);
  g_string_append (out, ", \"message\": ");
  append_json_text (out, message);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}
