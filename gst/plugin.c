/* gst-blockwise: plugin registration.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gstblockcorr.h"
#include "gstblockdrift.h"
#ifdef HAVE_TIFF
#include "gsttiffdec.h"
#endif

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ok = GST_ELEMENT_REGISTER (blockcorr, plugin);

  ok &= GST_ELEMENT_REGISTER (blockdrift, plugin);

#ifdef HAVE_TIFF
  ok &= GST_ELEMENT_REGISTER (tiffdec, plugin);
  ok &= gst_tiff_dec_register_bigtiff_typefind (plugin);
#endif
  return ok;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, blockwise,
    "Block-wise correlation analysis of two video streams, and the drift "
    "of one",
    plugin_init, PACKAGE_VERSION, GST_LICENSE, GST_PACKAGE_NAME,
    GST_PACKAGE_ORIGIN)
