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

  /* A prefix GStreamer does not scan (/usr/local) or an uninstalled
   * build: the plugin is where this program was built to find it. */
  if (!f) {
    gst_registry_scan_path (gst_registry_get (), BC_PLUGIN_DIR);
    f = gst_element_factory_find ("blockcorr");
  }
  if (!f) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
        "the blockcorr element is not installed (meson install, or set "
        "GST_PLUGIN_PATH to the plugin's folder)");
    return FALSE;
  }
  gst_object_unref (f);
  return TRUE;
}
