/* gst-blockwise: the portable C implementations of the block sums.
 *
 * bw_block_row_reference() is the plain per-block loop that the faster paths
 * are tested against.  bw_block_row_c() accumulates whole image rows into
 * per-column arrays (a loop the compiler vectorizes) and reduces them per
 * block; it runs where the ORC kernels do not apply.
 */
#include "blockstats-private.h"

void
bw_block_row_reference (const BwBlockRow * row, BwBlockSums * out)
{
  guint c, x, y;

  for (c = 0; c < row->n_blocks; c++) {
    guint x0 = c * row->block_width;
    guint x1 = MIN (x0 + row->block_width, row->width_px);
    BwBlockSums s = { 0, };

    for (y = row->y0; y < row->y0 + row->h; y++) {
      const guint8 *ra = bw_plane_row (row->a, y);
      const guint8 *rb = bw_plane_row (row->b, y);

      for (x = x0; x < x1; x++) {
        guint64 va = bw_sample_at (ra, x, row->a->format);
        guint64 vb = bw_sample_at (rb, x, row->b->format);

        s.sum_a += va;
        s.sum_b += vb;
        s.sum_aa += va * va;
        s.sum_bb += vb * vb;
        s.sum_ab += va * vb;
      }
    }
    s.n = (guint64) (x1 - x0) * row->h;
    out[c] = s;
  }
}

/* Loads specialised per sample format so the column loop vectorizes. */
static inline guint32
load_u8 (const guint8 * p, guint x)
{
  return p[x];
}

static inline guint32
load_u16le (const guint8 * p, guint x)
{
  guint16 v;
  memcpy (&v, p + 2 * x, 2);
  return GUINT16_FROM_LE (v);
}

static inline guint32
load_u16be (const guint8 * p, guint x)
{
  guint16 v;
  memcpy (&v, p + 2 * x, 2);
  return GUINT16_FROM_BE (v);
}

/* Column arrays: Σa, Σb as uint32 (at most 4096 * 65535 < 2^32), the products
 * as uint64. */
#define DEFINE_ACCUMULATE_ROW(NAME, LOAD_A, LOAD_B)                      \
static void                                                             \
NAME (const guint8 * ra, const guint8 * rb, guint n, guint32 * sa,      \
    guint32 * sb, guint64 * saa, guint64 * sbb, guint64 * sab)          \
{                                                                       \
  guint x;                                                              \
  for (x = 0; x < n; x++) {                                             \
    guint32 va = LOAD_A (ra, x), vb = LOAD_B (rb, x);                   \
    sa[x] += va;                                                        \
    sb[x] += vb;                                                        \
    saa[x] += (guint64) (va * va);                                      \
    sbb[x] += (guint64) (vb * vb);                                      \
    sab[x] += (guint64) (va * vb);                                      \
  }                                                                     \
}

DEFINE_ACCUMULATE_ROW (accumulate_u8_u8, load_u8, load_u8);
DEFINE_ACCUMULATE_ROW (accumulate_u8_le, load_u8, load_u16le);
DEFINE_ACCUMULATE_ROW (accumulate_u8_be, load_u8, load_u16be);
DEFINE_ACCUMULATE_ROW (accumulate_le_u8, load_u16le, load_u8);
DEFINE_ACCUMULATE_ROW (accumulate_le_le, load_u16le, load_u16le);
DEFINE_ACCUMULATE_ROW (accumulate_le_be, load_u16le, load_u16be);
DEFINE_ACCUMULATE_ROW (accumulate_be_u8, load_u16be, load_u8);
DEFINE_ACCUMULATE_ROW (accumulate_be_le, load_u16be, load_u16le);
DEFINE_ACCUMULATE_ROW (accumulate_be_be, load_u16be, load_u16be);

typedef void (*AccumulateRowFunc) (const guint8 *, const guint8 *, guint,
    guint32 *, guint32 *, guint64 *, guint64 *, guint64 *);

/* Indexed [format a][format b]. */
static const AccumulateRowFunc accumulate_row[3][3] = {
  {accumulate_u8_u8, accumulate_u8_le, accumulate_u8_be},
  {accumulate_le_u8, accumulate_le_le, accumulate_le_be},
  {accumulate_be_u8, accumulate_be_le, accumulate_be_be},
};

void
bw_block_row_c (BwScratch * scratch, const BwBlockRow * row, BwBlockSums * out)
{
  guint n = row->width_px, c, x, y;
  guint32 *sa, *sb;
  guint64 *saa, *sbb, *sab;
  AccumulateRowFunc func = accumulate_row[row->a->format][row->b->format];

  bw_scratch_reserve (scratch, 2 * (gsize) n, 3 * (gsize) n);
  sa = scratch->cols32;
  sb = sa + n;
  saa = scratch->cols64;
  sbb = saa + n;
  sab = sbb + n;
  memset (sa, 0, 2 * (gsize) n * sizeof (guint32));
  memset (saa, 0, 3 * (gsize) n * sizeof (guint64));

  for (y = row->y0; y < row->y0 + row->h; y++)
    func (bw_plane_row (row->a, y), bw_plane_row (row->b, y), n, sa, sb, saa,
        sbb, sab);

  for (c = 0; c < row->n_blocks; c++) {
    guint x0 = c * row->block_width;
    guint x1 = MIN (x0 + row->block_width, n);
    BwBlockSums s = { 0, };

    for (x = x0; x < x1; x++) {
      s.sum_a += sa[x];
      s.sum_b += sb[x];
      s.sum_aa += saa[x];
      s.sum_bb += sbb[x];
      s.sum_ab += sab[x];
    }
    s.n = (guint64) (x1 - x0) * row->h;
    out[c] = s;
  }
}
