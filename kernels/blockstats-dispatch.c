/* gst-blockwise: the choice of a path for the block sums, made once per
 * plan (frame geometry, formats and planes), and the only caller of the
 * paths.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "blockstats-private.h"

typedef enum
{
  PATH_REFERENCE,
  PATH_C,
  PATH_ORC
} Path;

static const gchar *path_names[] = { "reference", "c", "orc" };

gboolean
bw_stats_orc_available (void)
{
#ifdef HAVE_ORC
  return bw_orc_compiles ();
#else
  return FALSE;
#endif
}

/* The ORC kernels work on pixel pairs of one format: blocks must start on
 * even columns. */
static gboolean
orc_applies (BwSampleFormat fa, BwSampleFormat fb, guint block_width)
{
#ifdef HAVE_ORC
  return fa == fb && block_width % 2 == 0;
#else
  return FALSE;
#endif
}

static Path
resolve_path (BwImpl impl, BwSampleFormat fa, BwSampleFormat fb,
    guint block_width)
{
  switch (impl) {
    case BW_IMPL_REFERENCE:
      return PATH_REFERENCE;
    case BW_IMPL_C:
      return PATH_C;
    case BW_IMPL_ORC:
      return orc_applies (fa, fb, block_width) ? PATH_ORC : PATH_C;
    default:
      /* ORC's C backup code is slower than our own C path. */
      return orc_applies (fa, fb, block_width) && bw_stats_orc_available ()
          ? PATH_ORC : PATH_C;
  }
}

const gchar *
bw_stats_impl_name (BwImpl impl, BwSampleFormat fa, BwSampleFormat fb,
    guint block_width)
{
  return path_names[resolve_path (impl, fa, fb, block_width)];
}

gboolean
bw_stats_plan_init (BwStatsPlan * plan, BwImpl impl, const BwGeometry * geom,
    const BwPlane * a, const BwPlane * b)
{
  Path path;

  if (!plan)
    return FALSE;
  memset (plan, 0, sizeof (*plan));
  if (!a || !b || !a->data || !b->data)
    return FALSE;
  if (!bw_sample_format_valid (a->format) || !bw_sample_format_valid (b->format))
    return FALSE;
  if (!bw_geometry_grid_size (geom, &plan->cols, &plan->rows))
    return FALSE;

  path = resolve_path (impl, a->format, b->format, geom->block_width);
  /* The kernels load pixel pairs as 16-bit (8-bit samples) or 32-bit words
   * (16-bit samples): ORC's SSE code copes with any alignment, its C backup
   * code needs them aligned. */
  if (path == PATH_ORC
      && (((guintptr) a->data | (guintptr) b->data | (guintptr) a->stride
              | (guintptr) b->stride)
          & (a->format == BW_SAMPLE_U8 ? 1 : 3)) != 0)
    path = PATH_C;

  switch (path) {
    case PATH_REFERENCE:
      plan->row_func = bw_block_row_reference;
      break;
#ifdef HAVE_ORC
    case PATH_ORC:
      plan->row_func = a->format == BW_SAMPLE_U8 ? bw_block_row_orc_u8 :
          bw_block_row_orc_u16;
      break;
#endif
    default:
      plan->row_func = bw_block_row_c;
      break;
  }
  plan->path_name = path_names[path];
  plan->geom = *geom;
  plan->a = *a;
  plan->b = *b;
  return TRUE;
}

gboolean
bw_stats_plan_rows (const BwStatsPlan * plan, BwScratch * scratch,
    guint row_start, guint row_end, BwBlockSums * sums)
{
  BwBlockRowFunc func;
  BwBlockRow row;
  guint r;

  if (!plan || !plan->row_func || !scratch || !sums)
    return FALSE;
  if (row_start > row_end || row_end > plan->rows)
    return FALSE;

  func = (BwBlockRowFunc) plan->row_func;
  row.a = &plan->a;
  row.b = &plan->b;
  row.block_width = plan->geom.block_width;
  row.n_blocks = plan->cols;
  row.width_px = MIN (plan->geom.width, plan->cols * plan->geom.block_width);
  for (r = row_start; r < row_end; r++) {
    row.y0 = r * plan->geom.block_height;
    row.h = MIN (plan->geom.block_height, plan->geom.height - row.y0);
    func (scratch, &row, sums + (gsize) (r - row_start) * plan->cols);
  }
  return TRUE;
}

gboolean
bw_stats_compute_rows (BwScratch * scratch, BwImpl impl,
    const BwGeometry * geom, const BwPlane * a, const BwPlane * b,
    guint row_start, guint row_end, BwBlockSums * sums)
{
  BwStatsPlan plan;

  return bw_stats_plan_init (&plan, impl, geom, a, b)
      && bw_stats_plan_rows (&plan, scratch, row_start, row_end, sums);
}
