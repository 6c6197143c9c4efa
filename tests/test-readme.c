/* gst-blockwise: the README's properties table is kept in step with the
 * element: every property blockcorr itself installs must appear in
 * README.md as `name`.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <gst/gst.h>

int
main (int argc, char **argv)
{
  GstElement *element;
  GParamSpec **specs;
  gchar *readme = NULL;
  guint n, i, missing = 0, checked = 0;
  GError *error = NULL;

  gst_init (&argc, &argv);
  if (!g_file_get_contents (README_PATH, &readme, NULL, &error)) {
    g_printerr ("cannot read %s: %s\n", README_PATH, error->message);
    return 1;
  }
  element = gst_element_factory_make ("blockcorr", NULL);
  if (!element) {
    g_printerr ("blockcorr not found (GST_PLUGIN_PATH?)\n");
    return 1;
  }

  specs = g_object_class_list_properties (G_OBJECT_GET_CLASS (element), &n);
  for (i = 0; i < n; i++) {
    gchar *quoted;

    /* Only blockcorr's own properties, not the aggregator's. */
    if (specs[i]->owner_type != G_OBJECT_TYPE (element))
      continue;
    checked++;
    quoted = g_strdup_printf ("`%s`", specs[i]->name);
    if (!strstr (readme, quoted)) {
      g_printerr ("README.md does not document property %s\n", quoted);
      missing++;
    }
    g_free (quoted);
  }
  g_free (specs);
  gst_object_unref (element);
  g_free (readme);
  g_print ("%u properties checked, %u missing from README.md\n", checked,
      missing);
  /* With GST_TRACERS=leaks, leaks are reported here (and fatal: meson runs
   * this with G_DEBUG=fatal-warnings). */
  gst_deinit ();
  return missing == 0 && checked > 0 ? 0 : 1;
}
