/* gst-blockwise: internals shared by the block-statistics implementations. */
#ifndef __BW_BLOCKSTATS_PRIVATE_H__
#define __BW_BLOCKSTATS_PRIVATE_H__

#include <string.h>
#include "blockstats.h"

G_BEGIN_DECLS

struct _BwScratch
{
  /* Per-column accumulators, grown on demand (never in the per-row loop). */
  guint32 *cols32;
  gsize cols32_len;
  guint64 *cols64;
  gsize cols64_len;
};

/* One block row to compute: pixel rows [y0, y0 + h), pixel columns
 * [0, width_px), blocks of block_width columns (the last may be narrower). */
typedef struct
{
  const BwPlane *a;
  const BwPlane *b;
  guint y0;
  guint h;
  guint width_px;
  guint block_width;
  guint n_blocks;
} BwBlockRow;

static inline guint
bw_sample_at (const guint8 * row, guint x, BwSampleFormat format)
{
  switch (format) {
    case BW_SAMPLE_U8:
      return row[x];
    case BW_SAMPLE_U16LE:
      return row[2 * x] | ((guint) row[2 * x + 1] << 8);
    default:
      return ((guint) row[2 * x] << 8) | row[2 * x + 1];
  }
}

static inline const guint8 *
bw_plane_row (const BwPlane * plane, guint y)
{
  return plane->data + (gssize) y * plane->stride;
}

/* Adds one pixel pair to exact sums. */
static inline void
bw_sums_add (BwBlockSums * s, guint64 va, guint64 vb)
{
  s->sum_a += va;
  s->sum_b += vb;
  s->sum_aa += va * va;
  s->sum_bb += vb * vb;
  s->sum_ab += va * vb;
}

gboolean bw_scratch_reserve (BwScratch * scratch, gsize n32, gsize n64);

void bw_block_row_reference (const BwBlockRow * row, BwBlockSums * out);
void bw_block_row_c (BwScratch * scratch, const BwBlockRow * row,
    BwBlockSums * out);

G_END_DECLS

#endif /* __BW_BLOCKSTATS_PRIVATE_H__ */
