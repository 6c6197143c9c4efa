/* gst-blockwise: the kernel tables (kernels.h): what this CPU and build
 * have, BLOCKWISE_KERNEL, and the one place a path is chosen.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "kernels.h"

gboolean
bw_stats_avx2_available (void)
{
#ifdef HAVE_X86_PATHS
  return __builtin_cpu_supports ("avx2") != 0;
#else
  return FALSE;
#endif
}

gboolean
bw_stats_avx512_available (void)
{
#ifdef HAVE_X86_PATHS
  return __builtin_cpu_supports ("avx512f") != 0
      && __builtin_cpu_supports ("avx512bw") != 0;
#else
  return FALSE;
#endif
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

static BwImpl
forced_impl (void)
{
  static GOnce once = G_ONCE_INIT;

  return GPOINTER_TO_INT (g_once (&once, read_forced_impl, NULL));
}

/* Appends a row kernel that takes equal formats only, or every pair. */
static void
add_row (BwKernels * k, const gchar * name, BwBlockRowFunc u8,
    BwBlockRowFunc u16le, BwBlockRowFunc u16be, gboolean mixed,
    guint width_multiple, gboolean pair_aligned)
{
  BwRowKernel *rk = &k->rows[k->n_rows++];
  BwBlockRowFunc same[BW_N_FORMATS] = { u8, u16le, u16be };
  guint fa, fb;

  g_assert (k->n_rows <= BW_MAX_ROW_KERNELS);
  rk->name = name;
  rk->width_multiple = width_multiple;
  rk->pair_aligned = pair_aligned;
  for (fa = 0; fa < BW_N_FORMATS; fa++)
    for (fb = 0; fb < BW_N_FORMATS; fb++)
      rk->func[fa][fb] = fa == fb || mixed ? same[fa] : NULL;
}

void
bw_kernels_init (BwKernels * k, BwImpl impl)
{
#ifdef HAVE_X86_PATHS
  gboolean vector = FALSE;
#endif

  memset (k, 0, sizeof (*k));
  k->impl = impl;
  switch (impl) {
    case BW_IMPL_REFERENCE:
      add_row (k, "reference", bw_block_row_reference,
          bw_block_row_reference, bw_block_row_reference, TRUE, 1, FALSE);
      break;
    case BW_IMPL_C:
      break;
    case BW_IMPL_ORC:
#ifdef HAVE_ORC
      /* even where ORC runs its C backup code: that is what it tests */
      add_row (k, "orc", bw_block_row_orc_u8, bw_block_row_orc_u16,
          bw_block_row_orc_u16, FALSE, 2, TRUE);
#endif
      break;
    default:
#ifdef HAVE_X86_PATHS
      /* AUTO leaves AVX-512 aside: block by block, it was slower than the
       * AVX2 path's row-by-row reading (bench/NOTES.md). */
      if (impl == BW_IMPL_AVX512 && bw_stats_avx512_available ())
        add_row (k, "avx512", bw_block_row_avx512, bw_block_row_avx512,
            bw_block_row_avx512, FALSE, 32, FALSE);
      /* AVX-512 machines have AVX2: other even widths go there */
      if (bw_stats_avx2_available ()) {
        add_row (k, "avx2", bw_block_row_avx2, bw_block_row_avx2,
            bw_block_row_avx2, FALSE, 2, FALSE);
        vector = TRUE;
      }
#endif
#ifdef HAVE_ORC
      /* ORC's C backup code is slower than our own C path. */
      if (bw_stats_orc_available ())
        add_row (k, "orc", bw_block_row_orc_u8, bw_block_row_orc_u16,
            bw_block_row_orc_u16, FALSE, 2, TRUE);
#endif
      break;
  }
  if (impl != BW_IMPL_REFERENCE)
    add_row (k, "c", bw_block_row_c, bw_block_row_c, bw_block_row_c, TRUE, 1,
        FALSE);

  k->stats_many = bw_stats_from_sums_many_c;
  k->stats_many_name = "c";
#ifdef HAVE_X86_PATHS
  /* Unlike the block sums, the cross sums gain from AVX-512's wider
   * registers (bench/NOTES.md): AUTO takes them too. */
  if ((impl == BW_IMPL_AUTO || impl == BW_IMPL_AVX512)
      && bw_stats_avx512_available ()) {
    BwCrossKernel *ck = &k->cross[k->n_cross++];

    ck->name = "avx512";
    ck->width_multiple = 2;
    ck->func[BW_SAMPLE_U8][BW_SAMPLE_U8] = bw_cross_rows_avx512;
    ck->func[BW_SAMPLE_U16LE][BW_SAMPLE_U16LE] = bw_cross_rows_avx512;
  }
  if (vector) {
    BwCrossKernel *ck = &k->cross[k->n_cross++];

    ck->name = "avx2";
    ck->width_multiple = 2;
    ck->func[BW_SAMPLE_U8][BW_SAMPLE_U8] = bw_cross_rows_avx2;
    ck->func[BW_SAMPLE_U16LE][BW_SAMPLE_U16LE] = bw_cross_rows_avx2;
    k->stats_many = bw_stats_from_sums_avx2;
    k->stats_many_name = "avx2";
  }
#endif
  {
    BwCrossKernel *ck = &k->cross[k->n_cross++];
    guint fa, fb;

    ck->name = "c";
    ck->width_multiple = 1;
    for (fa = 0; fa < BW_N_FORMATS; fa++)
      for (fb = 0; fb < BW_N_FORMATS; fb++)
        ck->func[fa][fb] = bw_cross_rows_c;
  }
}

#define N_IMPLS (BW_IMPL_AVX512 + 1)

const BwKernels *
bw_kernels_get (BwImpl impl)
{
  static BwKernels tables[N_IMPLS];
  static gsize ready[N_IMPLS];

  if (impl == BW_IMPL_AUTO)
    impl = forced_impl ();
  if ((guint) impl >= N_IMPLS)
    return NULL;
  if (g_once_init_enter (&ready[impl])) {
    bw_kernels_init (&tables[impl], impl);
    g_once_init_leave (&ready[impl], 1);
  }
  return &tables[impl];
}

const BwRowKernel *
bw_kernels_row (const BwKernels * k, BwSampleFormat fa, BwSampleFormat fb,
    guint block_width, guintptr align_bits)
{
  guint i;

  for (i = 0; i < k->n_rows; i++) {
    const BwRowKernel *rk = &k->rows[i];
    guintptr pair_bytes = fa == BW_SAMPLE_U8 ? 2 : 4;

    if (rk->func[fa][fb] && block_width % rk->width_multiple == 0
        && !(rk->pair_aligned && (align_bits & (pair_bytes - 1)) != 0))
      return rk;
  }
  g_return_val_if_reached (NULL);
}

const BwCrossKernel *
bw_kernels_cross (const BwKernels * k, BwSampleFormat fa, BwSampleFormat fb,
    guint block_width)
{
  guint i;

  for (i = 0; i < k->n_cross; i++)
    if (k->cross[i].func[fa][fb]
        && block_width % k->cross[i].width_multiple == 0)
      return &k->cross[i];
  g_return_val_if_reached (NULL);
}
