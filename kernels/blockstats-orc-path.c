/* gst-blockwise: the ORC path of the block sums: the probe that tells
 * whether ORC compiles for this CPU, and the pixel-pair kernels' glue.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <orc/orc.h>
#include "blockstats-private.h"
#include "blockstats-orc.h"

static void
probe_backup (OrcExecutor * ex)
{
}

static gpointer
probe_orc (gpointer data)
{
  OrcProgram *p;
  OrcCompileResult res;

  orc_init ();
  /* Compile a tiny program the way orcc's generated code does (with a backup
   * function): this fails exactly when the kernels would run as C backup code
   * (no target for this CPU, or ORC_CODE=backup). */
  p = orc_program_new_ds (4, 4);
  orc_program_append_str (p, "addl", "d1", "d1", "s1");
  orc_program_set_backup_function (p, probe_backup);
  res = orc_program_compile (p);
  orc_program_free (p);
  return GINT_TO_POINTER (ORC_COMPILE_RESULT_IS_SUCCESSFUL (res) ? 1 : 2);
}

gboolean
bw_orc_compiles (void)
{
  static GOnce once = G_ONCE_INIT;

  return GPOINTER_TO_INT (g_once (&once, probe_orc, NULL)) == 1;
}

/* Adds pixel column x of rows [y0, y0 + h) to a block's sums: the odd last
 * column of a partial frame that the pair kernels cannot cover. */
static void
add_column (const BwBlockRow * row, guint x, BwBlockSums * s)
{
  guint y;

  for (y = row->y0; y < row->y0 + row->h; y++)
    bw_sums_add (s, bw_sample_at (bw_plane_row (row->a, y), x, row->a->format),
        bw_sample_at (bw_plane_row (row->b, y), x, row->b->format));
}

/* Block sums from the pixel-pair columns (column i holds pixels 2i and
 * 2i + 1), plus the odd last column of a partial frame. */
static void
reduce_pairs (const BwBlockRow * row, guint32 * const col[BW_N_COLS],
    BwBlockSums * out)
{
  guint c;

  for (c = 0; c < row->n_blocks; c++) {
    guint x0 = c * row->block_width;
    guint x1 = MIN (x0 + row->block_width, row->width_px);
    BwBlockSums s = { 0, };

    bw_reduce_columns (col, x0 / 2, x1 / 2, &s);
    if (x1 % 2)
      add_column (row, x1 - 1, &s);
    s.n = (guint64) (x1 - x0) * row->h;
    out[c] = s;
  }
}

void
bw_block_row_orc_u16 (BwScratch * scratch, const BwBlockRow * row,
    BwBlockSums * out)
{
  gsize np = row->width_px / 2, i;
  guint32 *col[BW_N_COLS];
  guint y;
  gboolean be = row->a->format == BW_SAMPLE_U16BE;

  /* The kernels' column order is BW_COL_*'s. */
  bw_scratch_zero_columns (scratch, BW_N_COLS, np);
  for (i = 0; i < BW_N_COLS; i++)
    col[i] = scratch->cols32 + i * np;

  if (np > 0) {
    for (y = row->y0; y < row->y0 + row->h; y++) {
      const guint32 *ra = (const guint32 *) bw_plane_row (row->a, y);
      const guint32 *rb = (const guint32 *) bw_plane_row (row->b, y);

      if (be) {
        bw_orc_u16_be_sums_a (col[0], col[1], col[2], col[3], ra, rb, np);
        bw_orc_u16_be_sums_b (col[4], col[5], col[6], col[7], ra, rb, np);
      } else {
        bw_orc_u16_sums_a (col[0], col[1], col[2], col[3], ra, rb, np);
        bw_orc_u16_sums_b (col[4], col[5], col[6], col[7], ra, rb, np);
      }
    }
  }

  reduce_pairs (row, col, out);
}

void
bw_block_row_orc_u8 (BwScratch * scratch, const BwBlockRow * row,
    BwBlockSums * out)
{
  gsize np = row->width_px / 2;
  guint32 *col[BW_N_COLS] = { NULL, };
  guint y;

  /* 8-bit products fit in 16 bits: no high halves. */
  bw_scratch_zero_columns (scratch, 5, np);
  col[BW_COL_A] = scratch->cols32;
  col[BW_COL_B] = scratch->cols32 + np;
  col[BW_COL_AA_LO] = scratch->cols32 + 2 * np;
  col[BW_COL_BB_LO] = scratch->cols32 + 3 * np;
  col[BW_COL_AB_LO] = scratch->cols32 + 4 * np;

  if (np > 0) {
    for (y = row->y0; y < row->y0 + row->h; y++) {
      const guint16 *ra = (const guint16 *) bw_plane_row (row->a, y);
      const guint16 *rb = (const guint16 *) bw_plane_row (row->b, y);

      bw_orc_u8_sums_a (col[BW_COL_A], col[BW_COL_B], col[BW_COL_AA_LO],
          col[BW_COL_BB_LO], ra, rb, np);
      bw_orc_u8_sums_b (col[BW_COL_AB_LO], ra, rb, np);
    }
  }
  reduce_pairs (row, col, out);
}
