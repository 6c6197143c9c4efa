/* gst-blockwise command line: the frames of one input argument.
 *
 * Each file is decoded by its own small pipeline (filesrc ! decodebin !
 * videoconvert ! appsink), so any image format GStreamer reads works, and
 * TIFF goes through tiffdec.  Frames are taken in order, never paired by
 * timestamps.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <tiffio.h>

#include "args.h"
#include "frames.h"

#define GRAY_CAPS "video/x-raw,format=(string){GRAY16_LE,GRAY16_BE,GRAY8}"

/* A pattern stops at its first missing index; this bounds it where every
 * name exists (some virtual file systems answer so). */
#define MAX_PATTERN_FILES 1000000

struct _BcFrames
{
  gchar *arg;
  GPtrArray *files;
  GArray *pages;                /* frames per file */
  guint n_frames;

  guint file;                   /* file being decoded */
  guint page;                   /* next page within it */
  GstElement *pipeline;
  GstElement *sink;
};

/* Pages of a TIFF file, 1 for any other file (or a TIFF libtiff cannot
 * open: decoding will say why). */
static guint
count_pages (const gchar * path)
{
  guint8 magic[4] = { 0, };
  FILE *f = g_fopen (path, "rb");
  TIFF *tif;
  guint n;

  if (!f)
    return 1;
  if (fread (magic, 1, 4, f) != 4)
    magic[0] = 0;
  fclose (f);
  if (!((magic[0] == 'I' && magic[1] == 'I') || (magic[0] == 'M'
              && magic[1] == 'M')))
    return 1;
  tif = TIFFOpen (path, "r");
  if (!tif)
    return 1;
  n = TIFFNumberOfDirectories (tif);
  TIFFClose (tif);
  return MAX (n, 1);
}

/* The files of a pattern, from index 0 on, or from 1 when there is no 0. */
static gboolean
expand_pattern (BcFrames * fr, const BcPattern * pattern, GError ** error)
{
  gchar *tried[2];
  guint first, i;

  for (first = 0; first <= 1; first++) {
    for (i = first;; i++) {
      gchar *path = bc_pattern_format (pattern, i);

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
        g_free (path);
        break;
      }
      if (fr->files->len == MAX_PATTERN_FILES) {
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
            "%s: more than %u files match this pattern", fr->arg,
            MAX_PATTERN_FILES);
        g_free (path);
        return FALSE;
      }
      g_ptr_array_add (fr->files, path);
    }
    if (fr->files->len > 0)
      return TRUE;
  }
  tried[0] = bc_pattern_format (pattern, 0);
  tried[1] = bc_pattern_format (pattern, 1);
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
      "%s: no file matches this pattern (neither %s nor %s exists)",
      fr->arg, tried[0], tried[1]);
  g_free (tried[0]);
  g_free (tried[1]);
  return FALSE;
}

/* The files of arg: itself when it names a file (even one with a % in its
 * name), else the files of the pattern it is. */
static gboolean
find_files (BcFrames * fr, GError ** error)
{
  BcPattern *pattern;
  gboolean ok;

  if (g_file_test (fr->arg, G_FILE_TEST_IS_REGULAR)) {
    g_ptr_array_add (fr->files, g_strdup (fr->arg));
    return TRUE;
  }
  pattern = bc_pattern_parse (fr->arg);
  if (!pattern) {
    if (strchr (fr->arg, '%'))
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
          "%s: no such file, nor a pattern (one %%d, %%i or %%u, with an "
          "optional 0 and width up to %u, such as %%04d; %%%% for a %%)",
          fr->arg, BC_PATTERN_MAX_WIDTH);
    else
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
          "%s: no such file", fr->arg);
    return FALSE;
  }
  ok = expand_pattern (fr, pattern, error);
  bc_pattern_free (pattern);
  return ok;
}

BcFrames *
bc_frames_open (const gchar * arg, GError ** error)
{
  BcFrames *fr = g_new0 (BcFrames, 1);
  guint i;

  fr->arg = g_strdup (arg);
  fr->files = g_ptr_array_new_with_free_func (g_free);
  fr->pages = g_array_new (FALSE, FALSE, sizeof (guint));
  if (!find_files (fr, error)) {
    bc_frames_free (fr);
    return NULL;
  }
  for (i = 0; i < fr->files->len; i++) {
    guint n = count_pages (g_ptr_array_index (fr->files, i));

    g_array_append_val (fr->pages, n);
    fr->n_frames += n;
  }
  return fr;
}

static void
close_file (BcFrames * fr)
{
  if (!fr->pipeline)
    return;
  gst_element_set_state (fr->pipeline, GST_STATE_NULL);
  gst_clear_object (&fr->sink);
  gst_clear_object (&fr->pipeline);
}

void
bc_frames_free (BcFrames * fr)
{
  if (!fr)
    return;
  close_file (fr);
  g_ptr_array_unref (fr->files);
  g_array_unref (fr->pages);
  g_free (fr->arg);
  g_free (fr);
}

guint
bc_frames_count (const BcFrames * fr)
{
  return fr->n_frames;
}

const gchar *
bc_frames_arg (const BcFrames * fr)
{
  return fr->arg;
}

static gboolean
open_file (BcFrames * fr, const gchar * path, GError ** error)
{
  GstElement *src;
  GError *err = NULL;

  fr->pipeline = gst_parse_launch ("filesrc name=src ! decodebin "
      "! videoconvert ! " GRAY_CAPS " ! appsink name=sink sync=false "
      "max-buffers=2", &err);
  if (err) {
    /* A missing element (decodebin, videoconvert) also gives a pipeline. */
    g_set_error (error, err->domain, err->code, "cannot decode %s: %s", path,
        err->message);
    g_clear_error (&err);
    gst_clear_object (&fr->pipeline);
    return FALSE;
  }
  src = gst_bin_get_by_name (GST_BIN (fr->pipeline), "src");
  g_object_set (src, "location", path, NULL);
  gst_object_unref (src);
  fr->sink = gst_bin_get_by_name (GST_BIN (fr->pipeline), "sink");
  fr->page = 0;
  if (gst_element_set_state (fr->pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE,
        "%s: cannot be opened", path);
    return FALSE;
  }
  return TRUE;
}

/* An error from the file's pipeline, rephrased for a person. */
static void
set_decode_error (GError ** error, const gchar * path, GstMessage * msg)
{
  GError *err = NULL;
  gchar *dbg = NULL;

  gst_message_parse_error (msg, &err, &dbg);
  if (g_error_matches (err, GST_STREAM_ERROR, GST_STREAM_ERROR_TYPE_NOT_FOUND)
      || g_error_matches (err, GST_CORE_ERROR,
          GST_CORE_ERROR_MISSING_PLUGIN))
    g_set_error (error, err->domain, err->code,
        "%s: not an image format this system can decode", path);
  else if (err->domain == GST_STREAM_ERROR && strstr (err->message, path))
    g_set_error (error, err->domain, err->code, "%s", err->message);
  else
    g_set_error (error, err->domain, err->code, "%s: %s", path,
        err->message);
  g_clear_error (&err);
  g_free (dbg);
}

gboolean
bc_frames_prefetch (BcFrames * fr, GError ** error)
{
  if (fr->pipeline || fr->file >= fr->files->len)
    return TRUE;
  return open_file (fr, g_ptr_array_index (fr->files, fr->file), error);
}

GstSample *
bc_frames_next (BcFrames * fr, gchar ** label, GError ** error)
{
  while (fr->file < fr->files->len) {
    const gchar *path = g_ptr_array_index (fr->files, fr->file);
    GstBus *bus;

    if (!fr->pipeline && !open_file (fr, path, error))
      return NULL;
    bus = gst_element_get_bus (fr->pipeline);
    for (;;) {
      GstSample *s = gst_app_sink_try_pull_sample (GST_APP_SINK (fr->sink),
          50 * GST_MSECOND);
      GstMessage *msg;

      if (s) {
        guint pages = g_array_index (fr->pages, guint, fr->file);

        *label = pages > 1 ? g_strdup_printf ("%s (page %u)", path,
            fr->page + 1) : g_strdup (path);
        fr->page++;
        gst_object_unref (bus);
        return s;
      }
      msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
      if (msg) {
        set_decode_error (error, path, msg);
        gst_message_unref (msg);
        gst_object_unref (bus);
        return NULL;
      }
      if (gst_app_sink_is_eos (GST_APP_SINK (fr->sink)))
        break;
    }
    gst_object_unref (bus);
    if (fr->page == 0) {
      g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE,
          "%s: no image in this file", path);
      return NULL;
    }
    close_file (fr);
    fr->file++;
  }
  return NULL;
}
