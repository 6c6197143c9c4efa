/* gst-blockwise: the README's properties tables are kept in step with the
 * elements: every property blockcorr and blockdrift themselves install
 * must appear in README.md as `name`.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <gst/gst.h>

/* The properties element_name installs that README.md lacks; *checked
 * counts those looked for. */
static guint
missing_properties (const gchar * readme, const gchar * element_name,
    guint * checked)
{
  GstElement *element = gst_element_factory_make (element_name, NULL);
  GParamSpec **specs;
  guint n, i, missing = 0;

  if (!element) {
    g_printerr ("%s not found (GST_PLUGIN_PATH?)\n", element_name);
    return 1;
  }
  specs = g_object_class_list_properties (G_OBJECT_GET_CLASS (element), &n);
  for (i = 0; i < n; i++) {
    gchar *quoted;

    /* Only the element's own properties, not its base classes'. */
    if (specs[i]->owner_type != G_OBJECT_TYPE (element))
      continue;
    (*checked)++;
    quoted = g_strdup_printf ("`%s`", specs[i]->name);
    if (!strstr (readme, quoted)) {
      g_printerr ("README.md does not document %s property %s\n",
          element_name, quoted);
      missing++;
    }
    g_free (quoted);
  }
  g_free (specs);
  gst_object_unref (element);
  return missing;
}

int
main (int argc, char **argv)
{
  gchar *readme = NULL;
  guint missing, checked = 0;
  GError *error = NULL;

  gst_init (&argc, &argv);
  if (!g_file_get_contents (README_PATH, &readme, NULL, &error)) {
    g_printerr ("cannot read %s: %s\n", README_PATH, error->message);
    return 1;
  }
  missing = missing_properties (readme, "blockcorr", &checked)
      + missing_properties (readme, "blockdrift", &checked);
  g_free (readme);
  g_print ("%u properties checked, %u missing from README.md\n", checked,
      missing);
  /* With GST_TRACERS=leaks, leaks are reported here (and fatal: meson runs
   * this with G_DEBUG=fatal-warnings). */
  gst_deinit ();
  return missing == 0 && checked > 0 ? 0 : 1;
}
