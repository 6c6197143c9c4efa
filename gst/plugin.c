/* gst-blockwise: plugin registration. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstblockcorr.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  return GST_ELEMENT_REGISTER (blockcorr, plugin);
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, blockwise,
    "Block-wise correlation analysis of two video streams",
    plugin_init, PACKAGE_VERSION, "LGPL", "gst-blockwise",
    "https://gitlab.freedesktop.org/")
