/* gst-blockwise command line: the blockcorr element (see find-plugin.h).
 *
 * Compiled once per program: BC_PLUGIN_DIR is where that program's plugin
 * is, so the installed program never looks into a build tree.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "find-plugin.h"

gboolean
bc_find_plugin (GError ** error)
{
  GstElementFactory *f = gst_element_factory_find ("blockcorr");
  GError *err = NULL;

  /* A prefix GStreamer does not scan (/usr/local) or an uninstalled
   * build: the plugin is where this program was built to find it.  It is
   * loaded as a file, not found by scanning its folder: a scan starts a
   * helper process every run, since GStreamer's cache forgets a plugin
   * outside its own paths. */
  if (!f) {
    gchar *path = g_build_filename (BC_PLUGIN_DIR, BC_PLUGIN_FILE, NULL);
    GstPlugin *plugin = NULL;

    if (g_file_test (path, G_FILE_TEST_EXISTS))
      plugin = gst_plugin_load_file (path, &err);
    g_free (path);
    if (plugin)
      gst_object_unref (plugin);
    f = gst_element_factory_find ("blockcorr");
  }
  if (!f) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
        "the blockcorr element is not installed (meson install, or set "
        "GST_PLUGIN_PATH to the plugin's folder)%s%s", err ? ": " : "",
        err ? err->message : "");
    g_clear_error (&err);
    return FALSE;
  }
  g_clear_error (&err);
  gst_object_unref (f);
  return TRUE;
}
