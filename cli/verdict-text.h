/* gst-blockwise command line: the verdict of a pair in words.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BC_VERDICT_TEXT_H__
#define __BC_VERDICT_TEXT_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* One sentence from the summary fields and grids of a blockcorr meta, for
 * an image of width x height pixels, such as "needs registration: 1 region,
 * x 96-160, y 64-128 (6% of the image), is displaced by (+2.0, +2.0) px;
 * the rest is aligned (median r 0.99)". */
gchar *bc_verdict_text (const GstStructure * meta, guint width,
    guint height);

/* The verdict in a few words, for a caption: "registered", "needs
 * registration: shifted by (+1.0, -0.5) px", "needs registration: 2
 * regions", "no texture to compare". */
gchar *bc_verdict_headline (const GstStructure * meta);

G_END_DECLS

#endif /* __BC_VERDICT_TEXT_H__ */
