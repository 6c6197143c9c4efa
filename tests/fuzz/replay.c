/* gst-blockwise: runs a libFuzzer harness on files, without libFuzzer.
 *
 * Usage: replay FILE|DIR...   Each file (or each regular file of a
 * directory, in name order) is passed once to LLVMFuzzerTestOneInput.  Built
 * with any compiler; the regression test feeds it tests/fuzz/regressions/.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv) __attribute__((weak));

static guint n_run;

static void
run_file (const gchar * path)
{
  gchar *contents = NULL;
  gsize len = 0;
  GError *err = NULL;

  if (!g_file_get_contents (path, &contents, &len, &err)) {
    fprintf (stderr, "replay: %s\n", err->message);
    exit (1);
  }
  fprintf (stderr, "replay: %s (%" G_GSIZE_FORMAT " bytes)\n", path, len);
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, len);
  g_free (contents);
  n_run++;
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

int
main (int argc, char **argv)
{
  int i;

  if (LLVMFuzzerInitialize)
    LLVMFuzzerInitialize (&argc, &argv);
  for (i = 1; i < argc; i++) {
    if (g_file_test (argv[i], G_FILE_TEST_IS_DIR)) {
      GDir *d = g_dir_open (argv[i], 0, NULL);
      GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
      const gchar *n;
      guint j;

      while (d && (n = g_dir_read_name (d)))
        if (n[0] != '.')
          g_ptr_array_add (names, g_build_filename (argv[i], n, NULL));
      if (d)
        g_dir_close (d);
      g_ptr_array_sort (names, cmp_str);
      for (j = 0; j < names->len; j++)
        if (g_file_test (names->pdata[j], G_FILE_TEST_IS_REGULAR))
          run_file (names->pdata[j]);
      g_ptr_array_unref (names);
    } else {
      run_file (argv[i]);
    }
  }
  printf ("replay: %u input(s) ran without failure\n", n_run);
  return 0;
}
