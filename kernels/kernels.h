/* gst-blockwise: the kernels of one implementation, in one table.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A table is filled once per implementation (BwImpl) from what this CPU and
 * build have; the plans (bw_stats_plan_init()) and the displacement search
 * take their functions from it and nothing else chooses a path.  AUTO
 * stands for the implementation BLOCKWISE_KERNEL names, read once.  Tests
 * hold the table of every implementation side by side and compare them.
 */
#ifndef __BW_KERNELS_H__
#define __BW_KERNELS_H__

#include "blockstats-private.h"

G_BEGIN_DECLS

#define BW_N_FORMATS 3

/* The kernels a table may try for the block sums, in its order of
 * preference; the last one of a table takes every format and width. */
#define BW_MAX_ROW_KERNELS 4

/* One way to compute the block sums of a block row. */
typedef struct
{
  const gchar *name;            /* "avx512", "avx2", "orc", "c", "reference" */
  /* Indexed [format a][format b]; NULL where the kernel does not apply. */
  BwBlockRowFunc func[BW_N_FORMATS][BW_N_FORMATS];
  /* Block widths must be a multiple of this. */
  guint width_multiple;
  /* TRUE when the planes' starts and strides must be aligned to a pixel
   * pair (ORC's C backup code loads pairs as 16- or 32-bit words). */
  gboolean pair_aligned;
} BwRowKernel;

/* One way to compute the displacement search's cross sums. */
typedef struct
{
  const gchar *name;            /* "avx512", "avx2" or "c" */
  BwCrossFunc func[BW_N_FORMATS][BW_N_FORMATS];
  guint width_multiple;
} BwCrossKernel;

typedef struct
{
  BwImpl impl;
  guint n_rows;
  BwRowKernel rows[BW_MAX_ROW_KERNELS];
  /* Tried in order; the last takes every format pair and width. */
  guint n_cross;
  BwCrossKernel cross[3];
  BwStatsManyFunc stats_many;
  const gchar *stats_many_name; /* "avx2" or "c" */
} BwKernels;

/* Fills kernels with the functions of impl on this CPU and build (AUTO: the
 * fastest, whatever BLOCKWISE_KERNEL says).  An implementation the CPU
 * lacks gets the functions AUTO would take without it. */
void bw_kernels_init (BwKernels * kernels, BwImpl impl);

/* The table of impl, filled on first use; AUTO stands for the
 * implementation BLOCKWISE_KERNEL names (or the fastest). */
const BwKernels *bw_kernels_get (BwImpl impl);

/* The row kernel of the table for these formats and block width, and for
 * planes whose starts and strides OR together to align_bits (0: alignment
 * aside). */
const BwRowKernel *bw_kernels_row (const BwKernels * kernels,
    BwSampleFormat fa, BwSampleFormat fb, guint block_width,
    guintptr align_bits);

/* The cross-sum kernel of the table for these formats and block width. */
const BwCrossKernel *bw_kernels_cross (const BwKernels * kernels,
    BwSampleFormat fa, BwSampleFormat fb, guint block_width);

G_END_DECLS

#endif /* __BW_KERNELS_H__ */
