/* gst-blockwise command line: the frames of one input argument.
 *
 * Each file is decoded by its own small pipeline (filesrc ! decodebin !
 * videoconvert ! appsink), so any image format GStreamer reads works, and
 * TIFF goes through tiffdec.  Frames are taken in order, never paired by
 * timestamps.  The caps after videoconvert ask for gray, and videoconvert
 * passes that preference upstream: tiffdec then gives the luma of colour
 * TIFF files itself, and never makes their colour frames.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <tiffio.h>

#include "args.h"
#include "frames.h"
#include "pull.h"

/* Gray in this machine's byte order only: a 16-bit file in the other order
 * is swapped by videoconvert, so that one bit depth is one format. */
#define GRAY_CAPS "video/x-raw,format=(string){" GST_VIDEO_NE (GRAY16) \
  ",GRAY8}"

/* A pattern stops at its first missing index; this bounds it where every
 * name exists (some virtual file systems answer so). */
#define MAX_PATTERN_FILES 1000000

struct _BcFrames
{
  gchar *arg;
  gboolean from_pattern;
  GPtrArray *files;
  GArray *pages;                /* frames per file, as counted at open */
  guint n_frames;

  guint file;                   /* file being decoded */
  guint page;                   /* next page within it */
  GstElement *pipeline;
  GstElement *sink;
  gchar *warning;               /* the decoder's last warning in this file */

  /* Progress of long pages: whether it is shown, the page it was last
   * shown for (from 1; 0 none) and its tenths shown (not on a terminal) or
   * whether its line is left open (on one). */
  gboolean show_progress;
  guint progress_page;
  gint progress_tenths;
  gboolean progress_open;

  /* The first frame's: every frame of the input is given these caps, so
   * the analysis never sees a caps change (which its aggregator answers
   * by dropping the pair); frames that differ in format or size are
   * refused instead. */
  GstCaps *caps;
  GstVideoInfo info;
  gchar *first_label;
};

/* Why a file that exists cannot be an input, or NULL: the command line
 * reads regular files only (a FIFO or a device would block, or never
 * end). */
static const gchar *
not_an_input (const GStatBuf * st)
{
  if (S_ISDIR (st->st_mode))
    return "is a directory";
  if (S_ISFIFO (st->st_mode))
    return "not a regular file (a FIFO)";
  if (S_ISCHR (st->st_mode) || S_ISBLK (st->st_mode))
    return "not a regular file (a device)";
  if (S_ISSOCK (st->st_mode))
    return "not a regular file (a socket)";
  if (!S_ISREG (st->st_mode))
    return "not a regular file";
  if (st->st_size == 0)
    return "is empty";
  return NULL;
}

/* FALSE with error set when st is not a file the command line can read. */
static gboolean
usable_input (const gchar * path, const GStatBuf * st, GError ** error)
{
  const gchar *why = not_an_input (st);

  if (why)
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", path, why);
  return !why;
}

static void
set_errno_error (GError ** error, const gchar * path, gint saved_errno)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
      "%s: %s", path, saved_errno == ENOENT ? "no such file" :
      g_strerror (saved_errno));
}

/* Whether path is a file the command line can read.  missing (when given)
 * tells a name that does not exist from one that cannot be used. */
static gboolean
check_input (const gchar * path, gboolean * missing, GError ** error)
{
  GStatBuf st;

  if (missing)
    *missing = FALSE;
  /* Never opened before this: opening a FIFO for reading blocks. */
  if (g_stat (path, &st) != 0) {
    gint saved_errno = errno;

    if (missing)
      *missing = saved_errno == ENOENT || saved_errno == ENOTDIR;
    set_errno_error (error, path, saved_errno);
    return FALSE;
  }
  return usable_input (path, &st, error);
}

static int
tiff_message_handler (TIFF * tif, void *data, const char *module,
    const char *fmt, va_list ap)
{
  /* The decoder reports what is wrong with the file, in its context. */
  return 1;
}

/* Pages of a TIFF file, 1 for any other file (or a TIFF libtiff cannot
 * open: decoding will say why).  FALSE when the file cannot be read. */
static gboolean
count_pages (const gchar * path, guint * pages, GError ** error)
{
  guint8 magic[4] = { 0, };
  TIFFOpenOptions *opts;
  GStatBuf st;
  TIFF *tif;
  gint fd;

  *pages = 1;
  /* Non-blocking: should the name have become a FIFO since it was
   * checked, the open must not wait for a writer. */
  fd = g_open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0) {
    set_errno_error (error, path, errno);
    return FALSE;
  }
  if (fstat (fd, &st) != 0) {
    set_errno_error (error, path, errno);
    close (fd);
    return FALSE;
  }
  if (!usable_input (path, &st, error)) {
    close (fd);
    return FALSE;
  }
  if (read (fd, magic, 4) < 0) {
    set_errno_error (error, path, errno);
    close (fd);
    return FALSE;
  }
  if (!((magic[0] == 'I' && magic[1] == 'I') || (magic[0] == 'M'
              && magic[1] == 'M')) || lseek (fd, 0, SEEK_SET) != 0) {
    close (fd);
    return TRUE;
  }
  opts = TIFFOpenOptionsAlloc ();
  TIFFOpenOptionsSetErrorHandlerExtR (opts, tiff_message_handler, NULL);
  TIFFOpenOptionsSetWarningHandlerExtR (opts, tiff_message_handler, NULL);
  tif = TIFFFdOpenExt (fd, path, "r", opts);
  TIFFOpenOptionsFree (opts);
  if (!tif) {
    close (fd);                 /* libtiff leaves it open on failure */
    return TRUE;
  }
  *pages = MAX (TIFFNumberOfDirectories (tif), 1);
  TIFFClose (tif);
  return TRUE;
}

/* The files of a pattern, from index 0 on, or from 1 when there is no 0,
 * up to the first index that does not exist. */
static gboolean
expand_pattern (BcFrames * fr, const BcPattern * pattern, GError ** error)
{
  gchar *tried[2];
  guint first, i;

  for (first = 0; first <= 1; first++) {
    for (i = first;; i++) {
      gchar *path = bc_pattern_format (pattern, i);
      gboolean missing;
      GError *err = NULL;

      if (!check_input (path, &missing, &err)) {
        g_free (path);
        if (missing) {
          g_clear_error (&err);
          break;
        }
        g_set_error (error, err->domain, err->code, "%s: %s", fr->arg,
            err->message);
        g_clear_error (&err);
        return FALSE;
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
  gboolean missing, ok;
  GError *err = NULL;

  if (check_input (fr->arg, &missing, &err)) {
    g_ptr_array_add (fr->files, g_strdup (fr->arg));
    return TRUE;
  }
  pattern = missing ? bc_pattern_parse (fr->arg) : NULL;
  if (!pattern) {
    if (missing && strchr (fr->arg, '%')) {
      g_clear_error (&err);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
          "%s: no such file, nor a pattern (one %%d, %%i or %%u, with an "
          "optional 0 and width up to %u, such as %%04d; %%%% for a %%)",
          fr->arg, BC_PATTERN_MAX_WIDTH);
    } else {
      g_propagate_error (error, err);
    }
    return FALSE;
  }
  g_clear_error (&err);
  fr->from_pattern = TRUE;
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
  if (!find_files (fr, error))
    goto fail;
  for (i = 0; i < fr->files->len; i++) {
    guint n;

    if (!count_pages (g_ptr_array_index (fr->files, i), &n, error)) {
      if (fr->from_pattern)
        g_prefix_error (error, "%s: ", arg);
      goto fail;
    }
    if (n > G_MAXUINT - fr->n_frames) {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
          "%s: more than %u frames", arg, G_MAXUINT);
      goto fail;
    }
    g_array_append_val (fr->pages, n);
    fr->n_frames += n;
  }
  return fr;

fail:
  bc_frames_free (fr);
  return NULL;
}

/* Ends a progress line left open on a terminal. */
static void
end_progress_line (BcFrames * fr)
{
  if (fr->progress_open)
    fputc ('\n', stderr);
  fr->progress_open = FALSE;
  fr->progress_page = 0;
}

static void
close_file (BcFrames * fr)
{
  end_progress_line (fr);
  g_clear_pointer (&fr->warning, g_free);
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
  gst_clear_caps (&fr->caps);
  g_free (fr->first_label);
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

void
bc_frames_show_progress (BcFrames * fr, gboolean show)
{
  fr->show_progress = show;
}

/* Where page (from 1; 0 for the whole file) of the current file is: the
 * file, and the page when it has several. */
static gchar *
file_location (const BcFrames * fr, guint page)
{
  const gchar *path = g_ptr_array_index (fr->files, fr->file);
  guint pages = g_array_index (fr->pages, guint, fr->file);

  return pages > 1 && page ? g_strdup_printf ("%s (page %u of %u)", path,
      page, pages) : g_strdup (path);
}

/* The same for a message, after the pattern the file came from. */
static gchar *
location (const BcFrames * fr, guint page)
{
  gchar *file = file_location (fr, page), *where;

  if (!fr->from_pattern)
    return file;
  where = g_strdup_printf ("%s: %s", fr->arg, file);
  g_free (file);
  return where;
}

/* An error from the file's pipeline, rephrased for a person: the file,
 * the page it stopped at, and the decoder's own words.  Before the first
 * page the error may be about the whole file (or name its page itself). */
static void
set_decode_error (BcFrames * fr, GError ** error, GstMessage * msg)
{
  const gchar *path = g_ptr_array_index (fr->files, fr->file);
  gchar *where = location (fr, fr->page ? fr->page + 1 : 0);
  GError *err = NULL;

  gst_message_parse_error (msg, &err, NULL);
  if (g_error_matches (err, GST_STREAM_ERROR, GST_STREAM_ERROR_TYPE_NOT_FOUND)
      || g_error_matches (err, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN))
    g_set_error (error, err->domain, err->code,
        "%s: not an image format this system can decode", where);
  else if (g_str_equal (where, path) && strstr (err->message, path))
    g_set_error (error, err->domain, err->code, "%s", err->message);
  else
    g_set_error (error, err->domain, err->code, "%s: %s", where, err->message);
  g_clear_error (&err);
  g_free (where);
}

/* Shows how far the decoder is in a long page (a tiffdec-progress
 * message): "Reading FILE: 45 %". */
static void
show_progress (BcFrames * fr, const GstStructure * s)
{
  gboolean tty = isatty (fileno (stderr));
  gdouble fraction;
  guint page;
  gint percent;
  gchar *where;

  if (!fr->show_progress || !gst_structure_get (s, "page", G_TYPE_UINT,
          &page, "fraction", G_TYPE_DOUBLE, &fraction, NULL))
    return;
  if (page != fr->progress_page) {
    end_progress_line (fr);
    fr->progress_page = page;
    fr->progress_tenths = -1;
  }
  percent = (gint) (CLAMP (fraction, 0.0, 1.0) * 100.0);
  if (!tty && percent / 10 <= fr->progress_tenths)
    return;
  fr->progress_tenths = percent / 10;
  where = file_location (fr, page);
  fprintf (stderr, "%sReading %s: %d %%%s", tty ? "\r" : "", where, percent,
      tty && percent < 100 ? "" : "\n");
  fflush (stderr);
  fr->progress_open = tty && percent < 100;
  g_free (where);
}

/* Shows the last progress the file's pipeline posted (the page that just
 * came may have been done before it was waited for), leaving the other
 * messages for take_messages().  Taken also when not shown: they would
 * pile up on the bus. */
static void
show_queued_progress (BcFrames * fr)
{
  GstBus *bus;
  GstMessage *msg, *progress = NULL;

  bus = gst_element_get_bus (fr->pipeline);
  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    if (gst_message_has_name (msg, "tiffdec-progress"))
      gst_message_replace (&progress, msg);
    gst_message_unref (msg);
  }
  if (progress)
    show_progress (fr, gst_message_get_structure (progress));
  gst_clear_message (&progress);
  gst_object_unref (bus);
}

/* Takes the errors and warnings the file's pipeline posted, and shows its
 * progress; FALSE and error on an error. */
static gboolean
take_messages (gpointer frames, GError ** error)
{
  BcFrames *fr = frames;
  GstBus *bus = gst_element_get_bus (fr->pipeline);
  GstMessage *msg, *progress = NULL;
  gboolean ok = TRUE;

  while (ok && (msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR |
              GST_MESSAGE_WARNING | GST_MESSAGE_ELEMENT))) {
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT) {
      /* only the last of those that queued up is shown */
      if (gst_message_has_name (msg, "tiffdec-progress"))
        gst_message_replace (&progress, msg);
    } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      set_decode_error (fr, error, msg);
      ok = FALSE;
    } else {
      GError *err = NULL;

      gst_message_parse_warning (msg, &err, NULL);
      g_free (fr->warning);
      fr->warning = g_strdup (err->message);
      g_clear_error (&err);
    }
    gst_message_unref (msg);
  }
  if (progress)
    show_progress (fr, gst_message_get_structure (progress));
  gst_clear_message (&progress);
  if (!ok)
    end_progress_line (fr);
  gst_object_unref (bus);
  return ok;
}

static gboolean
open_file (BcFrames * fr, GError ** error)
{
  const gchar *path = g_ptr_array_index (fr->files, fr->file);
  GstElement *src;
  GError *err = NULL;

  /* Checked again: the files of a long sequence are opened long after
   * they were found, and filesrc would block on a FIFO. */
  if (!check_input (path, NULL, &err)) {
    if (fr->from_pattern)
      g_prefix_error (&err, "%s: ", fr->arg);
    g_propagate_error (error, err);
    return FALSE;
  }
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
    if (take_messages (fr, error)) {
      gchar *where = location (fr, 0);

      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE,
          "%s: cannot be opened", where);
      g_free (where);
    }
    return FALSE;
  }
  return TRUE;
}

gboolean
bc_frames_prefetch (BcFrames * fr, GError ** error)
{
  if (fr->pipeline || fr->file >= fr->files->len)
    return TRUE;
  return open_file (fr, error);
}

/* The sample with the input's caps, or NULL and error when its format or
 * size is not the first frame's. */
static GstSample *
conform (BcFrames * fr, GstSample * s, GError ** error)
{
  GstCaps *caps = gst_sample_get_caps (s);
  GstVideoInfo vi;
  GstSample *same;

  if (fr->caps && gst_caps_is_equal (caps, fr->caps))
    return s;
  if (!caps || !gst_video_info_from_caps (&vi, caps)) {
    gchar *where = location (fr, fr->page + 1);

    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
        "%s: the decoder gives no usable video format", where);
    g_free (where);
    gst_sample_unref (s);
    return NULL;
  }
  if (!fr->caps) {
    fr->caps = gst_caps_ref (caps);
    fr->info = vi;
    fr->first_label = file_location (fr, fr->page + 1);
    return s;
  }
  if (GST_VIDEO_INFO_FORMAT (&vi) != GST_VIDEO_INFO_FORMAT (&fr->info)
      || GST_VIDEO_INFO_WIDTH (&vi) != GST_VIDEO_INFO_WIDTH (&fr->info)
      || GST_VIDEO_INFO_HEIGHT (&vi) != GST_VIDEO_INFO_HEIGHT (&fr->info)) {
    gchar *where = location (fr, fr->page + 1);

    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
        "%s: %dx%d %u-bit, but the frames before it (from %s) are %dx%d "
        "%u-bit: the frames of one input must have one size and bit depth",
        where, GST_VIDEO_INFO_WIDTH (&vi), GST_VIDEO_INFO_HEIGHT (&vi),
        GST_VIDEO_INFO_COMP_DEPTH (&vi, 0), fr->first_label,
        GST_VIDEO_INFO_WIDTH (&fr->info), GST_VIDEO_INFO_HEIGHT (&fr->info),
        GST_VIDEO_INFO_COMP_DEPTH (&fr->info, 0));
    g_free (where);
    gst_sample_unref (s);
    return NULL;
  }
  /* Same pixel layout, other details (colorimetry, aspect ratio): the
   * first frame's caps describe it as well. */
  same = gst_sample_new (gst_sample_get_buffer (s), fr->caps,
      gst_sample_get_segment (s), NULL);
  gst_sample_unref (s);
  return same;
}

/* The end of the current file: an error when it gave fewer frames than
 * were counted (a damaged stack whose directories outnumber its pages). */
static gboolean
check_file_end (BcFrames * fr, GError ** error)
{
  guint pages = g_array_index (fr->pages, guint, fr->file);
  gchar *where;

  if (fr->page >= pages)
    return TRUE;
  where = location (fr, fr->page + 1);
  if (fr->page == 0)
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE,
        "%s: no image in this file%s%s", where, fr->warning ? ": " : "",
        fr->warning ? fr->warning : "");
  else
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE,
        "%s: missing: the decoder ended after page %u (%s)", where,
        fr->page, fr->warning ? fr->warning : "with no error; the file "
        "names more pages than it holds: damaged?");
  g_free (where);
  return FALSE;
}

GstSample *
bc_frames_next (BcFrames * fr, gchar ** label, GError ** error)
{
  while (fr->file < fr->files->len) {
    const gchar *path = g_ptr_array_index (fr->files, fr->file);
    guint pages = g_array_index (fr->pages, guint, fr->file);
    GError *err = NULL;
    GstSample *s;

    if (!fr->pipeline && !open_file (fr, error))
      return NULL;
    s = bc_pull_sample (GST_APP_SINK (fr->sink), take_messages, fr, &err);
    if (err) {
      g_propagate_error (error, err);
      return NULL;
    }
    if (s && fr->page >= pages) {
      gchar *where = location (fr, 0);

      gst_sample_unref (s);
      g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE,
          "%s: more frames than the %u counted in it (a video or an "
          "animation?)", where, pages);
      g_free (where);
      return NULL;
    }
    if (s) {
      show_queued_progress (fr);
      s = conform (fr, s, error);
      if (!s)
        return NULL;
      *label = pages > 1 ? g_strdup_printf ("%s (page %u)", path,
          fr->page + 1) : g_strdup (path);
      fr->page++;
      return s;
    }
    if (!check_file_end (fr, error))
      return NULL;
    close_file (fr);
    fr->file++;
  }
  return NULL;
}

guint
bc_frames_n_files (const BcFrames * fr)
{
  return fr->files->len;
}

const gchar *
bc_frames_file (const BcFrames * fr, guint index)
{
  return g_ptr_array_index (fr->files, index);
}
