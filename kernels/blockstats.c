/* gst-blockwise: block-statistics engine: geometry, dispatch between the
 * ORC, C and reference paths, and the statistics derived from exact sums.
 */
#include <math.h>
#include "blockstats-private.h"

#ifdef HAVE_ORC
#include <orc/orc.h>
#include "blockstats-orc.h"
#endif

BwScratch *
bw_scratch_new (void)
{
  return g_new0 (BwScratch, 1);
}

void
bw_scratch_free (BwScratch * scratch)
{
  if (!scratch)
    return;
  g_free (scratch->cols32);
  g_free (scratch->cols64);
  g_free (scratch);
}

gboolean
bw_scratch_reserve (BwScratch * scratch, gsize n32, gsize n64)
{
  /* Grows once per new frame width, never per row.  At least one element,
   * so the arrays are never NULL (a zero-width row still offsets them). */
  n32 = MAX (n32, 1);
  n64 = MAX (n64, 1);
  if (n32 > scratch->cols32_len) {
    g_free (scratch->cols32);
    scratch->cols32 = g_new (guint32, n32);
    scratch->cols32_len = n32;
  }
  if (n64 > scratch->cols64_len) {
    g_free (scratch->cols64);
    scratch->cols64 = g_new (guint64, n64);
    scratch->cols64_len = n64;
  }
  return TRUE;
}

static gboolean
format_valid (BwSampleFormat f)
{
  return f == BW_SAMPLE_U8 || f == BW_SAMPLE_U16LE || f == BW_SAMPLE_U16BE;
}

gboolean
bw_geometry_grid_size (const BwGeometry * geom, guint * cols, guint * rows)
{
  guint c = 0, r = 0;

  if (geom && geom->width > 0 && geom->height > 0
      && geom->block_width >= 1 && geom->block_width <= BW_MAX_BLOCK_SIZE
      && geom->block_height >= 1 && geom->block_height <= BW_MAX_BLOCK_SIZE) {
    if (geom->edge_mode == BW_EDGE_PARTIAL) {
      c = (geom->width - 1) / geom->block_width + 1;
      r = (geom->height - 1) / geom->block_height + 1;
    } else if (geom->edge_mode == BW_EDGE_TRIM) {
      c = geom->width / geom->block_width;
      r = geom->height / geom->block_height;
    }
  }
  if (c == 0 || r == 0)
    c = r = 0;
  if (cols)
    *cols = c;
  if (rows)
    *rows = r;
  return c > 0;
}

/* ---- ORC ---------------------------------------------------------------- */

#ifdef HAVE_ORC
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
bw_stats_orc_available (void)
{
  static GOnce once = G_ONCE_INIT;

  return GPOINTER_TO_INT (g_once (&once, probe_orc, NULL)) == 1;
}

static gboolean
orc_applies (BwSampleFormat fa, BwSampleFormat fb, guint block_width)
{
  /* The kernels work on pixel pairs: blocks must start on even columns. */
  return fa == fb && block_width % 2 == 0;
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

static void
block_row_orc_u16 (BwScratch * scratch, const BwBlockRow * row,
    BwBlockSums * out)
{
  gsize np = row->width_px / 2, i;
  guint32 *col[8];
  guint c, y;
  gboolean be = row->a->format == BW_SAMPLE_U16BE;

  bw_scratch_reserve (scratch, 8 * np, 0);
  for (i = 0; i < 8; i++)
    col[i] = scratch->cols32 + i * np;
  memset (scratch->cols32, 0, 8 * np * sizeof (guint32));

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

  for (c = 0; c < row->n_blocks; c++) {
    guint x0 = c * row->block_width;
    guint x1 = MIN (x0 + row->block_width, row->width_px);
    guint64 sxxl = 0, sxxh = 0, syyl = 0, syyh = 0, sxyl = 0, sxyh = 0;
    BwBlockSums s = { 0, };

    for (i = x0 / 2; i < x1 / 2; i++) {
      s.sum_a += col[0][i];
      s.sum_b += col[1][i];
      sxxl += col[2][i];
      sxxh += col[3][i];
      syyl += col[4][i];
      syyh += col[5][i];
      sxyl += col[6][i];
      sxyh += col[7][i];
    }
    s.sum_aa = (sxxh << 16) + sxxl;
    s.sum_bb = (syyh << 16) + syyl;
    s.sum_ab = (sxyh << 16) + sxyl;
    if (x1 % 2)
      add_column (row, x1 - 1, &s);
    s.n = (guint64) (x1 - x0) * row->h;
    out[c] = s;
  }
}

static void
block_row_orc_u8 (BwScratch * scratch, const BwBlockRow * row,
    BwBlockSums * out)
{
  gsize np = row->width_px / 2, i;
  guint32 *col[5];
  guint c, y;

  bw_scratch_reserve (scratch, 5 * np, 0);
  for (i = 0; i < 5; i++)
    col[i] = scratch->cols32 + i * np;
  memset (scratch->cols32, 0, 5 * np * sizeof (guint32));

  if (np > 0) {
    for (y = row->y0; y < row->y0 + row->h; y++) {
      const guint16 *ra = (const guint16 *) bw_plane_row (row->a, y);
      const guint16 *rb = (const guint16 *) bw_plane_row (row->b, y);

      bw_orc_u8_sums_a (col[0], col[1], col[2], col[3], ra, rb, np);
      bw_orc_u8_sums_b (col[4], ra, rb, np);
    }
  }

  for (c = 0; c < row->n_blocks; c++) {
    guint x0 = c * row->block_width;
    guint x1 = MIN (x0 + row->block_width, row->width_px);
    BwBlockSums s = { 0, };

    for (i = x0 / 2; i < x1 / 2; i++) {
      s.sum_a += col[0][i];
      s.sum_b += col[1][i];
      s.sum_aa += col[2][i];
      s.sum_bb += col[3][i];
      s.sum_ab += col[4][i];
    }
    if (x1 % 2)
      add_column (row, x1 - 1, &s);
    s.n = (guint64) (x1 - x0) * row->h;
    out[c] = s;
  }
}
#else /* !HAVE_ORC */
gboolean
bw_stats_orc_available (void)
{
  return FALSE;
}
#endif

/* ---- dispatch ----------------------------------------------------------- */

typedef enum
{
  PATH_REFERENCE,
  PATH_C,
  PATH_ORC
} Path;

static Path
resolve_path (BwImpl impl, BwSampleFormat fa, BwSampleFormat fb,
    guint block_width)
{
  switch (impl) {
    case BW_IMPL_REFERENCE:
      return PATH_REFERENCE;
    case BW_IMPL_C:
      return PATH_C;
#ifdef HAVE_ORC
    case BW_IMPL_ORC:
      return orc_applies (fa, fb, block_width) ? PATH_ORC : PATH_C;
    default:
      /* ORC's C backup code is slower than our own C path. */
      return orc_applies (fa, fb, block_width) && bw_stats_orc_available ()
          ? PATH_ORC : PATH_C;
#else
    default:
      return PATH_C;
#endif
  }
}

const gchar *
bw_stats_impl_name (BwImpl impl, BwSampleFormat fa, BwSampleFormat fb,
    guint block_width)
{
  static const gchar *names[] = { "reference", "c", "orc" };

  return names[resolve_path (impl, fa, fb, block_width)];
}

gboolean
bw_stats_compute_rows (BwScratch * scratch, BwImpl impl,
    const BwGeometry * geom, const BwPlane * a, const BwPlane * b,
    guint row_start, guint row_end, BwBlockSums * sums)
{
  guint cols, rows, r;
  BwBlockRow row;
  Path path;

  if (!scratch || !a || !b || !sums || !a->data || !b->data)
    return FALSE;
  if (!format_valid (a->format) || !format_valid (b->format))
    return FALSE;
  if (!bw_geometry_grid_size (geom, &cols, &rows))
    return FALSE;
  if (row_start > row_end || row_end > rows)
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
  row.a = a;
  row.b = b;
  row.block_width = geom->block_width;
  row.n_blocks = cols;
  row.width_px = MIN (geom->width, cols * geom->block_width);

  for (r = row_start; r < row_end; r++) {
    BwBlockSums *out = sums + (gsize) (r - row_start) * cols;

    row.y0 = r * geom->block_height;
    row.h = MIN (geom->block_height, geom->height - row.y0);
    switch (path) {
      case PATH_REFERENCE:
        bw_block_row_reference (&row, out);
        break;
#ifdef HAVE_ORC
      case PATH_ORC:
        if (a->format == BW_SAMPLE_U8)
          block_row_orc_u8 (scratch, &row, out);
        else
          block_row_orc_u16 (scratch, &row, out);
        break;
#endif
      default:
        bw_block_row_c (scratch, &row, out);
        break;
    }
  }
  return TRUE;
}

/* ---- statistics --------------------------------------------------------- */

typedef unsigned __int128 bw_u128;
typedef __int128 bw_i128;

void
bw_stats_from_sums (const BwBlockSums * s, BwBlockStats * st)
{
  double n = (double) s->n;
  bw_u128 vaa, vbb;
  bw_i128 cab;
  double sa, sb;

  memset (st, 0, sizeof (*st));
  st->n = (guint32) s->n;
  st->r = NAN;
  if (s->n == 0) {
    st->mean_a = st->mean_b = st->stddev_a = st->stddev_b = NAN;
    st->covariance = NAN;
    return;
  }

  /* n²·var = n·Σa² − (Σa)², exactly: no cancellation when the variance is
   * tiny next to the mean.  n < 2^25 and Σa² < 2^56, so 128 bits suffice. */
  vaa = (bw_u128) s->n * s->sum_aa - (bw_u128) s->sum_a * s->sum_a;
  vbb = (bw_u128) s->n * s->sum_bb - (bw_u128) s->sum_b * s->sum_b;
  cab = (bw_i128) ((bw_u128) s->n * s->sum_ab
      - (bw_u128) s->sum_a * s->sum_b);

  st->mean_a = (double) s->sum_a / n;
  st->mean_b = (double) s->sum_b / n;
  sa = sqrt ((double) vaa);
  sb = sqrt ((double) vbb);
  st->stddev_a = sa / n;
  st->stddev_b = sb / n;
  st->covariance = (double) cab / (n * n);
  if (vaa != 0 && vbb != 0) {
    st->r = CLAMP ((double) cab / (sa * sb), -1.0, 1.0);
    st->valid = TRUE;
  }
}
