/* gst-blockwise command line: the result files of one run, committed
 * together (see output-set.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE             /* syncfs(), sync_file_range() */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "output-set.h"

struct _BcOutput
{
  gchar *name;                  /* within the folder */
  gchar *path;                  /* where it ends */
  gchar *tmp_path;              /* where it is written */
  gint fd;                      /* -1 once closed */
  gint error;                   /* errno of the first failure, or 0 */
  gchar *cause;                 /* or the first failure in words */
  gboolean closed, committed;
  /* Every temporary file, for a signal handler: a node is complete before
   * it is linked, and stays linked while handlers may run. */
  BcOutput *next_temp;
};

struct _BcOutputSet
{
  gchar *dir;
  gint dir_fd;                  /* holds the lock */
  GRegex *result_names;
  GPtrArray *outputs;
  gchar *advice;                /* what to do about an input among them */
  gchar *file_name;             /* a set of one file: its name */
};

static BcOutput *temp_files;

static gboolean
failed (const BcOutput * out)
{
  return out->error || out->cause;
}

static BcOutputSet *
set_new (const gchar * dir, gint dir_fd, const gchar * result_names,
    const gchar * advice)
{
  BcOutputSet *set = g_new0 (BcOutputSet, 1);

  set->dir = g_strdup (dir);
  set->advice = g_strdup (advice);
  set->dir_fd = dir_fd;
  /* Raw: file names are bytes, not necessarily UTF-8. */
  set->result_names = g_regex_new (result_names, G_REGEX_RAW, 0, NULL);
  g_assert (set->result_names);
  set->outputs = g_ptr_array_new ();
  return set;
}

BcOutputSet *
bc_output_set_new (const gchar * dir, const gchar * result_names,
    GError ** error)
{
  gint fd;

  if (g_mkdir_with_parents (dir, 0777) != 0) {
    gint e = errno;

    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
        "cannot create the output folder %s: %s", dir, g_strerror (e));
    return NULL;
  }
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    gint e = errno;

    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
        "cannot open the output folder %s: %s", dir, g_strerror (e));
    return NULL;
  }
  /* Two runs renaming into one folder would mix their results.  A file
   * system without locks is not a reason to refuse. */
  if (flock (fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
        "another gst-blockcorr is writing into %s: wait for it, or choose "
        "another output folder (-o)", dir);
    close (fd);
    return NULL;
  }
  return set_new (dir, fd, result_names, "choose another output folder (-o)");
}

BcOutputSet *
bc_output_set_new_file (const gchar * path, const gchar * advice,
    GError ** error)
{
  gchar *dir = g_path_get_dirname (path);
  gchar *base = g_path_get_basename (path);
  gchar *escaped, *names;
  BcOutputSet *set = NULL;
  gint fd;

  if (g_str_has_suffix (path, G_DIR_SEPARATOR_S) || g_str_equal (base, ".")
      || g_str_equal (base, "..")) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR,
        "%s names a folder, not a file", path);
    goto done;
  }
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    gint e = errno;

    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
        "cannot write %s: its folder %s: %s", path, dir, g_strerror (e));
    goto done;
  }
  /* No lock: the rename replaces the file whole, whichever run is last. */
  escaped = g_regex_escape_string (base, -1);
  names = g_strdup_printf ("^%s$", escaped);
  set = set_new (dir, fd, names, advice);
  set->file_name = g_strdup (base);
  g_free (names);
  g_free (escaped);
done:
  g_free (dir);
  g_free (base);
  return set;
}

/* Where the result name is: in the folder, or for a file named without a
 * folder, that name as the user gave it (for messages). */
static gchar *
result_path (const BcOutputSet * set, const gchar * name)
{
  if (set->file_name && g_str_equal (set->dir, "."))
    return g_strdup (name);
  return g_build_filename (set->dir, name, NULL);
}

/* The device and inode of a file as a key, or NULL when it cannot be
 * read. */
static gchar *
file_key (const gchar * path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return NULL;
  return g_strdup_printf ("%ju:%ju", (uintmax_t) st.st_dev,
      (uintmax_t) st.st_ino);
}

/* The names in the folder that a run may write (as listed now). */
static GPtrArray *
result_names_present (BcOutputSet * set)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  GDir *dir = g_dir_open (set->dir, 0, NULL);
  const gchar *name;

  while (dir && (name = g_dir_read_name (dir)))
    if (g_regex_match (set->result_names, name, 0, NULL))
      g_ptr_array_add (names, g_strdup (name));
  if (dir)
    g_dir_close (dir);
  return names;
}

gboolean
bc_output_set_check_inputs (BcOutputSet * set, const gchar * const *inputs,
    guint n_inputs, GError ** error)
{
  GHashTable *results = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, g_free);
  GPtrArray *names = result_names_present (set);
  gboolean ok = TRUE;
  guint i;

  for (i = 0; i < names->len; i++) {
    gchar *path = result_path (set, g_ptr_array_index (names, i));
    gchar *key = file_key (path);

    if (key)
      g_hash_table_replace (results, key, path);
    else
      g_free (path);
  }
  g_ptr_array_unref (names);
  for (i = 0; i < n_inputs && ok; i++) {
    gchar *key = file_key (inputs[i]);
    const gchar *result = key ? g_hash_table_lookup (results, key) : NULL;

    if (result && g_str_equal (result, inputs[i])) {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
          "%s is an input, and a result of this run would replace it: "
          "%s", inputs[i], set->advice);
      ok = FALSE;
    } else if (result) {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
          "%s is an input and the same file as %s, which a result of this "
          "run would replace: %s", inputs[i], result, set->advice);
      ok = FALSE;
    }
    g_free (key);
  }
  g_hash_table_unref (results);
  return ok;
}

BcOutput *
bc_output_set_create (BcOutputSet * set, const gchar * name, GError ** error)
{
  BcOutput *out;
  gchar *hidden = g_strdup_printf (".%s.XXXXXX", name);
  gchar *tmpl = g_build_filename (set->dir, hidden, NULL);
  gchar *path = result_path (set, name);
  gint fd;

  g_free (hidden);
  if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR,
        "%s is a folder: the result of that name cannot replace it", path);
    goto failed;
  }
  /* The mode before the umask, as for any new file. */
  fd = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0) {
    gint e = errno;

    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
        "cannot create %s: %s", path, g_strerror (e));
    goto failed;
  }
  out = g_new0 (BcOutput, 1);
  out->name = g_strdup (name);
  out->path = path;
  out->tmp_path = tmpl;
  out->fd = fd;
  out->next_temp = g_atomic_pointer_get (&temp_files);
  g_atomic_pointer_set (&temp_files, out);
  g_ptr_array_add (set->outputs, out);
  return out;

failed:
  g_free (tmpl);
  g_free (path);
  return NULL;
}

const gchar *
bc_output_set_file_name (const BcOutputSet * set)
{
  return set->file_name;
}

const gchar *
bc_output_path (const BcOutput * out)
{
  return out->path;
}

gint
bc_output_fd (const BcOutput * out)
{
  return out->fd;
}

void
bc_output_fail (BcOutput * out, gint errno_value, const gchar * cause)
{
  if (failed (out))
    return;
  if (errno_value)
    out->error = errno_value;
  else
    out->cause = g_strdup (cause ? cause : "unknown error");
}

gboolean
bc_output_write (BcOutput * out, const void *data, gsize size)
{
  const guint8 *p = data;

  if (failed (out) || out->fd < 0)
    return FALSE;
  while (size > 0) {
    gssize n = write (out->fd, p, MIN (size, (gsize) G_MAXSSIZE));

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      bc_output_fail (out, n < 0 ? errno : ENOSPC, NULL);
      return FALSE;
    }
    p += n;
    size -= n;
  }
  return TRUE;
}

gboolean
bc_output_report (const BcOutput * out, GError ** error)
{
  if (!failed (out))
    return TRUE;
  g_set_error (error, G_FILE_ERROR, out->error ?
      g_file_error_from_errno (out->error) : G_FILE_ERROR_FAILED,
      "cannot write %s: %s", out->path, out->error ?
      g_strerror (out->error) : out->cause);
  return FALSE;
}

void
bc_output_start_writeback (BcOutput * out)
{
  /* Only a head start: the commit's syncfs() reports any failure. */
  if (out->fd >= 0 && !failed (out))
    sync_file_range (out->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

gboolean
bc_output_close (BcOutput * out, GError ** error)
{
  bc_output_start_writeback (out);
  if (out->fd >= 0) {
    /* Linux closes the descriptor even when close() reports EINTR. */
    if (close (out->fd) != 0 && errno != EINTR)
      bc_output_fail (out, errno, NULL);
    out->fd = -1;
  }
  if (!bc_output_report (out, error))
    return FALSE;
  out->closed = TRUE;
  return TRUE;
}

/* Removes the files of result names that this run has not written. */
static gboolean
remove_earlier_results (BcOutputSet * set, GError ** error)
{
  GHashTable *written = g_hash_table_new (g_str_hash, g_str_equal);
  /* Listed first: a folder that changes while it is read may be listed
   * in part. */
  GPtrArray *names = result_names_present (set);
  gboolean ok = TRUE;
  guint i;

  for (i = 0; i < set->outputs->len; i++) {
    BcOutput *out = g_ptr_array_index (set->outputs, i);

    g_hash_table_add (written, out->name);
  }
  for (i = 0; i < names->len && ok; i++) {
    const gchar *name = g_ptr_array_index (names, i);
    gchar *path;

    if (g_hash_table_contains (written, name))
      continue;
    path = g_build_filename (set->dir, name, NULL);
    if (g_unlink (path) != 0 && errno != ENOENT) {
      gint e = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
          "cannot remove %s, left from an earlier run: %s", path,
          g_strerror (e));
      ok = FALSE;
    }
    g_free (path);
  }
  g_ptr_array_unref (names);
  g_hash_table_unref (written);
  return ok;
}

gboolean
bc_output_set_commit (BcOutputSet * set, GError ** error)
{
  guint i;

  for (i = 0; i < set->outputs->len; i++) {
    BcOutput *out = g_ptr_array_index (set->outputs, i);

    if (!out->closed) {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
          "%s was not completed", out->path);
      return FALSE;
    }
  }
  /* The files on the disk before their names: a crash of the system then
   * leaves the earlier results or these, never empty files.  One sync of
   * the file system costs less than one per file. */
  if (syncfs (set->dir_fd) != 0) {
    gint e = errno;

    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
        "cannot write the results in %s: %s", set->dir, g_strerror (e));
    return FALSE;
  }
  for (i = 0; i < set->outputs->len; i++) {
    BcOutput *out = g_ptr_array_index (set->outputs, i);

    if (g_rename (out->tmp_path, out->path) != 0) {
      gint e = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
          "cannot rename %s to %s: %s; the results in %s are a mix of this "
          "run's and an earlier one's", out->tmp_path, out->path,
          g_strerror (e), set->dir);
      return FALSE;
    }
    out->committed = TRUE;
  }
  if (!remove_earlier_results (set, error))
    return FALSE;
  /* The renames on the disk too; not every file system syncs folders. */
  if (fsync (set->dir_fd) != 0 && errno != EINVAL && errno != ENOTSUP
      && errno != EBADF) {
    gint e = errno;

    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
        "cannot write the output folder %s: %s", set->dir, g_strerror (e));
    return FALSE;
  }
  return TRUE;
}

void
bc_output_set_discard (BcOutputSet * set)
{
  guint i;

  if (!set)
    return;
  for (i = 0; i < set->outputs->len; i++) {
    BcOutput *out = g_ptr_array_index (set->outputs, i);

    if (out->fd >= 0) {
      close (out->fd);
      out->fd = -1;
    }
    if (!out->committed)
      g_unlink (out->tmp_path);
  }
}

void
bc_output_discard_all_from_signal (void)
{
  BcOutput *out;

  /* A renamed file's temporary name no longer exists: unlink() fails. */
  for (out = g_atomic_pointer_get (&temp_files); out; out = out->next_temp)
    unlink (out->tmp_path);
}

void
bc_output_set_free (BcOutputSet * set)
{
  guint i;

  if (!set)
    return;
  bc_output_set_discard (set);
  for (i = 0; i < set->outputs->len; i++) {
    BcOutput *out = g_ptr_array_index (set->outputs, i);
    BcOutput **link = &temp_files;

    /* No handler runs now: the list may change. */
    while (*link && *link != out)
      link = &(*link)->next_temp;
    if (*link)
      *link = out->next_temp;
    g_free (out->name);
    g_free (out->path);
    g_free (out->tmp_path);
    g_free (out->cause);
    g_free (out);
  }
  g_ptr_array_unref (set->outputs);
  g_regex_unref (set->result_names);
  g_free (set->advice);
  g_free (set->file_name);
  close (set->dir_fd);
  g_free (set->dir);
  g_free (set);
}
