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
  PATH_ORC,
  PATH_AVX2,
  PATH_AVX512
} Path;

static const gchar *path_names[] = { "reference", "c", "orc", "avx2",
  "avx512"
};

gboolean
bw_stats_avx2_available (void)
{
#ifdef HAVE_X86_PATHS
  return bw_cpu_has_avx2 ();
#else
  return FALSE;
#endif
}

gboolean
bw_stats_avx512_available (void)
{
#ifdef HAVE_X86_PATHS
  return bw_cpu_has_avx512 ();
#else
  return FALSE;
#endif
}

/* The vector kernels take equal formats and blocks of whole vectors (the
 * AVX2 path, with lanes 2, also even widths: pixel pairs). */
static gboolean
x86_applies (BwSampleFormat fa, BwSampleFormat fb, guint block_width,
    guint lanes)
{
  return fa == fb && block_width % lanes == 0;
}

/* BLOCKWISE_KERNEL, read once: the implementation AUTO stands for. */
static gpointer
read_forced_impl (gpointer data)
{
  static const struct
  {
    const gchar *name;
    BwImpl impl;
    gboolean (*available) (void);
  } names[] = {
    {"reference", BW_IMPL_REFERENCE, NULL}, {"c", BW_IMPL_C, NULL},
    {"orc", BW_IMPL_ORC, bw_stats_orc_available},
    {"avx2", BW_IMPL_AVX2, bw_stats_avx2_available},
    {"avx512", BW_IMPL_AVX512, bw_stats_avx512_available},
  };
  const gchar *env = g_getenv ("BLOCKWISE_KERNEL");
  guint i;

  if (!env || !*env)
    return GINT_TO_POINTER (BW_IMPL_AUTO);
  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    if (!g_str_equal (env, names[i].name))
      continue;
    if (names[i].available && !names[i].available ()) {
      g_warning ("BLOCKWISE_KERNEL=%s: this CPU or build has no %s path; "
          "choosing automatically", env, env);
      return GINT_TO_POINTER (BW_IMPL_AUTO);
    }
    return GINT_TO_POINTER (names[i].impl);
  }
  g_warning ("BLOCKWISE_KERNEL=%s is unknown (reference, c, orc, avx2, "
      "avx512); choosing automatically", env);
  return GINT_TO_POINTER (BW_IMPL_AUTO);
}

BwImpl
bw_stats_forced_impl (void)
{
  static GOnce once = G_ONCE_INIT;

  return GPOINTER_TO_INT (g_once (&once, read_forced_impl, NULL));
}

gboolean
bw_stats_avx2_allowed (void)
{
  BwImpl forced = bw_stats_forced_impl ();

  return (forced == BW_IMPL_AUTO || forced == BW_IMPL_AVX2
      || forced == BW_IMPL_AVX512) && bw_stats_avx2_available ();
}

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
  if (impl == BW_IMPL_AUTO)
    impl = bw_stats_forced_impl ();
  switch (impl) {
    case BW_IMPL_REFERENCE:
      return PATH_REFERENCE;
    case BW_IMPL_C:
      return PATH_C;
    case BW_IMPL_ORC:
      return orc_applies (fa, fb, block_width) ? PATH_ORC : PATH_C;
    case BW_IMPL_AVX512:
      if (bw_stats_avx512_available () && x86_applies (fa, fb, block_width,
              32))
        return PATH_AVX512;
      /* AVX-512 machines have AVX2: blocks of 16 go there */
      /* fall through */
    case BW_IMPL_AVX2:
      if (bw_stats_avx2_available () && x86_applies (fa, fb, block_width, 2))
        return PATH_AVX2;
      /* fall through */
    default:
      /* AUTO takes the AVX2 path where the CPU has AVX-512 too: reading
       * wide blocks row by row, it was faster than the AVX-512 path (block
       * by block) in every bench-kernels case. */
      if (impl == BW_IMPL_AUTO && bw_stats_avx2_available ()
          && x86_applies (fa, fb, block_width, 2))
        return PATH_AVX2;
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
#ifdef HAVE_X86_PATHS
    case PATH_AVX2:
      plan->row_func = bw_block_row_avx2;
      break;
    case PATH_AVX512:
      plan->row_func = bw_block_row_avx512;
      break;
#endif
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
