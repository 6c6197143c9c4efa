/* gst-blockwise command line: the verdict of a pair in words (see
 * verdict-text.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include "outputs.h"
#include "verdict-text.h"

/* Regions named one by one; the others are counted. */
#define NAMED_REGIONS 3

/* v to one decimal, without a "-0.0". */
static gdouble
tenth (gdouble v)
{
  return round (v * 10.0) / 10.0 + 0.0;
}

/* Why a global shift may be larger than measured. */
#define AT_LIMIT "the limit of the search: a quarter of the image's " \
    "smaller side, or the search radius where no coarse shift was found"

static void
append_region (GString * out, const GstStructure * rs, guint width,
    guint height, guint radius)
{
  gdouble x = bc_number (rs, "x"), y = bc_number (rs, "y");
  gdouble w = bc_number (rs, "width"), h = bc_number (rs, "height");
  gdouble sx = bc_number (rs, "shift-x"), sy = bc_number (rs, "shift-y");
  gdouble share = 100.0 * w * h / ((gdouble) width * height);
  gdouble unmatched, blocks;
  gboolean at_radius = FALSE;

  gst_structure_get_boolean (rs, "at-radius", &at_radius);
  g_string_append_printf (out, "x %.0f-%.0f, y %.0f-%.0f (%.*f%% of the "
      "image)", x, x + w, y, y + h, share < 1 ? 1 : 0, share);
  unmatched = bc_number (rs, "unmatched");
  blocks = bc_number (rs, "blocks");
  if (radius == 0)
    g_string_append_printf (out, ", has low r (median %.2f)",
        bc_number (rs, "median-r"));
  else if (isnan (sx) || 2 * unmatched > blocks)
    g_string_append_printf (out, ", matches nowhere within the search radius "
        "(%u px) in %.0f of its %.0f blocks: moved further, turned or "
        "changed", radius, unmatched, blocks);
  else {
    g_string_append_printf (out, ", is displaced by (%+.1f, %+.1f) px%s",
        tenth (sx), tenth (sy), at_radius ? " or more (the search radius; "
        "try a larger --search-radius)" : "");
    if (unmatched > 0)
      g_string_append_printf (out, " (%.0f of its %.0f blocks match nowhere "
          "within %u px)", unmatched, blocks, radius);
  }
}

gchar *
bc_verdict_text (const GstStructure * meta, guint width, guint height)
{
  const gchar *verdict = gst_structure_get_string (meta, "verdict");
  const GValue *regions = gst_structure_get_value (meta, "largest-regions");
  guint n_regions = bc_number (meta, "regions");
  guint radius = bc_number (meta, "search-radius");
  guint named, k;
  gdouble sx = bc_number (meta, "shift-x"), sy = bc_number (meta, "shift-y");
  GString *out = g_string_new (NULL);
  gboolean shifted = FALSE, uncorrelated = FALSE, at_limit = FALSE;

  if (!verdict)
    verdict = "no-texture";
  if (g_str_equal (verdict, "no-texture")) {
    gdouble invalid = bc_number (meta, "invalid");
    gdouble total = bc_number (meta, "valid") + invalid;

    if (invalid >= total || isnan (bc_number (meta, "informative")))
      g_string_append_printf (out, "no texture to compare: %.0f of %.0f "
          "blocks are background or flat", invalid, total);
    else
      g_string_append_printf (out, "no texture to compare: %.0f of %.0f "
          "blocks are background or flat, and only %.0f of the others "
          "correlate beyond noise", invalid, total,
          bc_number (meta, "informative"));
    return g_string_free (out, FALSE);
  }
  if (g_str_equal (verdict, "registered")) {
    g_string_append_printf (out, "registered: %s (median r %.3f)",
        radius ? "no displacement found" : "no region stands out",
        bc_number (meta, "median"));
    return g_string_free (out, FALSE);
  }

  g_string_append (out, "needs registration: ");
  gst_structure_get_boolean (meta, "uncorrelated", &uncorrelated);
  if (uncorrelated && n_regions == 0) {
    g_string_append_printf (out, "the images do not correlate (median r "
        "%.2f): misaligned by more than the texture's size, or unrelated "
        "(a displacement search, --search-radius, says more)",
        bc_number (meta, "median"));
    return g_string_free (out, FALSE);
  }
  gst_structure_get_boolean (meta, "shifted", &shifted);
  gst_structure_get_boolean (meta, "shift-at-limit", &at_limit);
  if (shifted)
    g_string_append_printf (out, "the compared image is shifted by "
        "(%+.1f, %+.1f) px overall%s", tenth (sx), tenth (sy), at_limit ?
        " or more (" AT_LIMIT ")" : "");
  else if (at_limit)
    g_string_append (out, "the compared image may be shifted by more than "
        "was measured (" AT_LIMIT ")");
  if (n_regions) {
    named = MIN (n_regions, NAMED_REGIONS);
    if (regions)
      named = MIN (named, gst_value_array_get_size (regions));
    g_string_append_printf (out, "%s%u region%s", shifted || at_limit ?
        "; " : "", n_regions, n_regions > 1 ? "s" : "");
    for (k = 0; k < named; k++) {
      g_string_append (out, k ? "; " : ", ");
      append_region (out,
          gst_value_get_structure (gst_value_array_get_value (regions, k)),
          width, height, radius);
    }
    if (n_regions > named)
      g_string_append_printf (out, "; and %u smaller", n_regions - named);
    if (!shifted) {
      gdouble rest = bc_number (meta, "median-outside-regions");

      /* Nothing outside the regions: no rest to speak of. */
      if (!isnan (rest))
        g_string_append_printf (out, "; the rest is aligned (median r %.2f)",
            rest);
    }
  }
  return g_string_free (out, FALSE);
}

gchar *
bc_verdict_headline (const GstStructure * meta)
{
  const gchar *verdict = gst_structure_get_string (meta, "verdict");
  guint n_regions = bc_number (meta, "regions");
  gboolean shifted = FALSE, at_limit = FALSE;
  GString *out;

  if (!verdict || g_str_equal (verdict, "no-texture"))
    return g_strdup ("no texture to compare");
  if (g_str_equal (verdict, "registered"))
    return g_strdup ("registered");
  out = g_string_new ("needs registration: ");
  gst_structure_get_boolean (meta, "shifted", &shifted);
  gst_structure_get_boolean (meta, "shift-at-limit", &at_limit);
  if (shifted)
    g_string_append_printf (out, "shifted by (%+.1f, %+.1f) px%s%s",
        tenth (bc_number (meta, "shift-x")),
        tenth (bc_number (meta, "shift-y")), at_limit ? " or more" : "",
        n_regions ? ", " : "");
  if (n_regions)
    g_string_append_printf (out, "%u region%s", n_regions,
        n_regions > 1 ? "s" : "");
  return g_string_free (out, FALSE);
}
