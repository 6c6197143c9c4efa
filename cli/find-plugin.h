/* gst-blockwise command line: the blockcorr element, from GStreamer's
 * registry or from the one folder this program was built to look in.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BC_FIND_PLUGIN_H__
#define __BC_FIND_PLUGIN_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* TRUE when blockcorr can be made: GStreamer's registry has it, or the
 * plugin lies in BC_PLUGIN_DIR (the build tree's gst/ for the program in
 * the build tree, the installation's plugin folder for the installed
 * one).  Otherwise FALSE and error, saying how to make it found. */
gboolean bc_find_plugin (GError ** error);

G_END_DECLS

#endif /* __BC_FIND_PLUGIN_H__ */
