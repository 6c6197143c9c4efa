/* gst-blockwise: unit tests for the block-statistics kernels.
 *
 * Everything the library computes is checked against a brute-force reference
 * written here, independently of kernels/: exact integer sums from per-pixel
 * loops, and a two-pass double-precision computation of the statistics that
 * decodes the samples straight from the byte buffers.
 *
 * Every implementation's kernel table runs in this one process (a path the
 * CPU lacks is reported as skipped), whatever BLOCKWISE_KERNEL says.
 *
 * Environment: BW_EXPECT_ORC=1 / BW_EXPECT_ORC=0 makes /kernels/orc/expect
 * assert that ORC is (not) in use; unset, that test is skipped.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>
#include <string.h>

#include <glib.h>

#include "kernels.h"
#include "displacement.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_HAVE_ASAN 1
#endif
#endif

#ifdef TEST_HAVE_ASAN
#include <sanitizer/asan_interface.h>
#define TEST_POISON(addr, size) ASAN_POISON_MEMORY_REGION ((addr), (size))
#define TEST_UNPOISON(addr, size) ASAN_UNPOISON_MEMORY_REGION ((addr), (size))
#else
#define TEST_POISON(addr, size) G_STMT_START { } G_STMT_END
#define TEST_UNPOISON(addr, size) G_STMT_START { } G_STMT_END
#endif

/* Wide enough that the reference sums cannot overflow whatever the block
 * size, so they check the 64-bit claim of the header instead of relying on
 * it.  guint64 is still exact for the sizes the API accepts. */
#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 RefUInt;
#else
typedef guint64 RefUInt;
#endif

#define POISON_BYTE 0xab
#define SENTINEL_BYTE 0xcd

#define TOL_ABS 1e-9
#define TOL_COV_REL 1e-12
#define TOL_EXACT_R 1e-12

static const BwSampleFormat all_formats[] = {
  BW_SAMPLE_U8, BW_SAMPLE_U16LE, BW_SAMPLE_U16BE
};

static const BwImpl all_impls[] = {
  BW_IMPL_AUTO, BW_IMPL_C, BW_IMPL_REFERENCE, BW_IMPL_ORC, BW_IMPL_AVX2,
  BW_IMPL_AVX512
};

static const gchar *
format_name (BwSampleFormat f)
{
  switch (f) {
    case BW_SAMPLE_U8:
      return "U8";
    case BW_SAMPLE_U16LE:
      return "U16LE";
    case BW_SAMPLE_U16BE:
      return "U16BE";
  }
  return "?";
}

static const gchar *
impl_label (BwImpl impl)
{
  switch (impl) {
    case BW_IMPL_AUTO:
      return "AUTO";
    case BW_IMPL_C:
      return "C";
    case BW_IMPL_REFERENCE:
      return "REFERENCE";
    case BW_IMPL_ORC:
      return "ORC";
    case BW_IMPL_AVX2:
      return "AVX2";
    case BW_IMPL_AVX512:
      return "AVX512";
  }
  return "?";
}

static guint
format_bps (BwSampleFormat f)
{
  return f == BW_SAMPLE_U8 ? 1 : 2;
}

static guint
format_max (BwSampleFormat f)
{
  return f == BW_SAMPLE_U8 ? 255 : 65535;
}

/* ------------------------------------------------------------------------ */
/* Test planes */

typedef struct
{
  guint8 *base;                 /* the g_malloc'd region */
  gsize size;
  guint8 *data;                 /* first sample, base + offset */
  gsize stride;
  guint width;
  guint height;
  BwSampleFormat format;
  gboolean poisoned;
} TestPlane;

/* The last row ends exactly at the end of the allocation, so that ASan
 * reports any read past it; the bytes before data and the row padding are
 * filled with POISON_BYTE so that reading them changes the results. */
static TestPlane *
test_plane_new (guint width, guint height, BwSampleFormat format, gsize pad,
    gsize offset)
{
  TestPlane *p = g_new0 (TestPlane, 1);
  gsize row_bytes = (gsize) width * format_bps (format);

  g_assert_cmpuint (width, >, 0);
  g_assert_cmpuint (height, >, 0);

  p->width = width;
  p->height = height;
  p->format = format;
  p->stride = row_bytes + pad;
  p->size = offset + p->stride * (height - 1) + row_bytes;
  p->base = g_malloc (p->size);
  memset (p->base, POISON_BYTE, p->size);
  p->data = p->base + offset;

  return p;
}

/* Under ASan, additionally make the padding unreadable: the header promises
 * it is never read. */
static void
test_plane_protect (TestPlane * p)
{
  gsize row_bytes = (gsize) p->width * format_bps (p->format);
  guint y;

  if (p->data > p->base)
    TEST_POISON (p->base, (gsize) (p->data - p->base));
  if (p->stride > row_bytes) {
    for (y = 0; y + 1 < p->height; y++)
      TEST_POISON (p->data + (gsize) y * p->stride + row_bytes,
          p->stride - row_bytes);
  }
  p->poisoned = TRUE;
}

static void
test_plane_free (TestPlane * p)
{
  if (p->poisoned)
    TEST_UNPOISON (p->base, p->size);
  g_free (p->base);
  g_free (p);
}

/* Samples are decoded by hand here, independently of the library. */
static inline guint
plane_get (const TestPlane * p, guint x, guint y)
{
  const guint8 *s = p->data + (gsize) y * p->stride
      + (gsize) x * format_bps (p->format);

  switch (p->format) {
    case BW_SAMPLE_U8:
      return s[0];
    case BW_SAMPLE_U16LE:
      return (guint) s[0] | ((guint) s[1] << 8);
    case BW_SAMPLE_U16BE:
    default:
      return ((guint) s[0] << 8) | (guint) s[1];
  }
}

static inline void
plane_set (TestPlane * p, guint x, guint y, guint v)
{
  guint8 *s = p->data + (gsize) y * p->stride
      + (gsize) x * format_bps (p->format);

  g_assert (v <= format_max (p->format));
  switch (p->format) {
    case BW_SAMPLE_U8:
      s[0] = (guint8) v;
      break;
    case BW_SAMPLE_U16LE:
      s[0] = (guint8) (v & 0xff);
      s[1] = (guint8) (v >> 8);
      break;
    case BW_SAMPLE_U16BE:
    default:
      s[0] = (guint8) (v >> 8);
      s[1] = (guint8) (v & 0xff);
      break;
  }
}

/* Copy of a tightly packed plane with padding and a start offset, both
 * whole samples: 16-bit samples stay 2-byte aligned, but data and stride
 * are deliberately not always 4-byte aligned (the header asks for no more). */
static TestPlane *
test_plane_copy_padded (const TestPlane * src, GRand * rand)
{
  guint bps = format_bps (src->format);
  gsize pad = (gsize) bps * g_rand_int_range (rand, 1, 24);
  gsize offset = (gsize) bps * g_rand_int_range (rand, 0, 8);
  gsize row_bytes = (gsize) src->width * bps;
  TestPlane *p = test_plane_new (src->width, src->height, src->format, pad,
      offset);
  guint y;

  for (y = 0; y < src->height; y++)
    memcpy (p->data + (gsize) y * p->stride,
        src->data + (gsize) y * src->stride, row_bytes);
  test_plane_protect (p);

  return p;
}

static BwPlane
plane_view (const TestPlane * p)
{
  BwPlane v;

  v.data = p->data;
  v.stride = p->stride;
  v.format = p->format;
  return v;
}

/* ------------------------------------------------------------------------ */
/* Independent reference */

/* Compensated sum: keeps the reference far inside the 1e-9 tolerance even
 * for 2^24-sample blocks of 16-bit data. */
typedef struct
{
  double s;
  double c;
} KSum;

static inline void
ksum_add (KSum * k, double x)
{
  /* Knuth's branch-free TwoSum: the rounding error of s + x, exactly */
  double t = k->s + x;
  double bp = t - k->s;

  k->c += (k->s - (t - bp)) + (x - bp);
  k->s = t;
}

static inline double
ksum_get (const KSum * k)
{
  return k->s + k->c;
}

typedef struct
{
  guint64 n;
  RefUInt sum_a;
  RefUInt sum_b;
  RefUInt sum_aa;
  RefUInt sum_bb;
  RefUInt sum_ab;
  gboolean const_a;             /* all samples of A equal */
  gboolean const_b;
  gboolean have_doubles;        /* FALSE: integer-only reference */
  double mean_a;
  double mean_b;
  double stddev_a;
  double stddev_b;
  double covariance;
  double r;
} RefBlock;

static gboolean
ref_grid (const BwGeometry * g, guint * cols, guint * rows)
{
  guint c, r;

  *cols = *rows = 0;
  if (g->width == 0 || g->height == 0 || g->width > (guint) G_MAXINT
      || g->height > (guint) G_MAXINT || g->block_width == 0
      || g->block_height == 0 || g->block_width > BW_MAX_BLOCK_SIZE
      || g->block_height > BW_MAX_BLOCK_SIZE)
    return FALSE;

  if (g->edge_mode == BW_EDGE_TRIM) {
    c = g->width / g->block_width;
    r = g->height / g->block_height;
  } else {
    c = g->width / g->block_width + (g->width % g->block_width != 0);
    r = g->height / g->block_height + (g->height % g->block_height != 0);
  }
  if (c == 0 || r == 0)
    return FALSE;

  *cols = c;
  *rows = r;
  return TRUE;
}

static void
ref_block_rect (const BwGeometry * g, guint col, guint row, guint * x0,
    guint * y0, guint * x1, guint * y1)
{
  *x0 = col * g->block_width;
  *y0 = row * g->block_height;
  *x1 = MIN (*x0 + g->block_width, g->width);
  *y1 = MIN (*y0 + g->block_height, g->height);
}

static void
ref_block (const TestPlane * a, const TestPlane * b, guint x0, guint y0,
    guint x1, guint y1, gboolean with_doubles, RefBlock * out)
{
  guint x, y, a0, b0;
  double acc_a = 0.0, acc_b = 0.0, ma, mb, n;
  KSum saa = { 0.0, 0.0 }, sbb = { 0.0, 0.0 }, sab = { 0.0, 0.0 };

  g_assert (x1 > x0 && x1 - x0 <= BW_MAX_BLOCK_SIZE && y1 > y0);
  memset (out, 0, sizeof (*out));
  out->n = (guint64) (x1 - x0) * (y1 - y0);
  out->const_a = out->const_b = TRUE;
  a0 = plane_get (a, x0, y0);
  b0 = plane_get (b, x0, y0);

  /* First pass: exact integer sums, constancy, and the means.  A row holds
   * at most 4096 samples, so its sums of products fit in 64 bits (< 2^44);
   * the block totals are kept in RefUInt. */
  for (y = y0; y < y1; y++) {
    guint64 ra = 0, rb = 0, raa = 0, rbb = 0, rab = 0;

    for (x = x0; x < x1; x++) {
      guint64 va = plane_get (a, x, y);
      guint64 vb = plane_get (b, x, y);

      ra += va;
      rb += vb;
      raa += va * va;
      rbb += vb * vb;
      rab += va * vb;
      if (va != a0)
        out->const_a = FALSE;
      if (vb != b0)
        out->const_b = FALSE;
    }
    out->sum_a += ra;
    out->sum_b += rb;
    out->sum_aa += raa;
    out->sum_bb += rbb;
    out->sum_ab += rab;
    /* exact: at most 2^24 samples below 2^16 */
    acc_a += (double) ra;
    acc_b += (double) rb;
  }

  n = (double) out->n;
  out->mean_a = ma = acc_a / n;
  out->mean_b = mb = acc_b / n;
  out->have_doubles = with_doubles;
  if (!with_doubles)
    return;

  /* Second pass: centred moments. */
  for (y = y0; y < y1; y++) {
    for (x = x0; x < x1; x++) {
      double da = (double) plane_get (a, x, y) - ma;
      double db = (double) plane_get (b, x, y) - mb;

      ksum_add (&saa, da * da);
      ksum_add (&sbb, db * db);
      ksum_add (&sab, da * db);
    }
  }

  out->stddev_a = out->const_a ? 0.0 : sqrt (ksum_get (&saa) / n);
  out->stddev_b = out->const_b ? 0.0 : sqrt (ksum_get (&sbb) / n);
  out->covariance = ksum_get (&sab) / n;
  if (out->const_a || out->const_b)
    out->r = NAN;
  else
    out->r = out->covariance / (out->stddev_a * out->stddev_b);
}

static gboolean
ref_uint_eq (RefUInt ref, guint64 v)
{
#ifdef __SIZEOF_INT128__
  if (ref > G_MAXUINT64)
    return FALSE;
#endif
  return (guint64) ref == v;
}

static const gchar *
ref_uint_str (RefUInt v, gchar * buf, gsize len)
{
  gchar tmp[48];                /* 2^128 has 39 digits */
  gsize i = 0, j;

  do {
    tmp[i++] = (gchar) ('0' + (guint) (v % 10));
    v /= 10;
  } while (v != 0);
  g_assert (i < len);
  for (j = 0; j < i; j++)
    buf[j] = tmp[i - 1 - j];
  buf[i] = '\0';
  return buf;
}

/* ------------------------------------------------------------------------ */
/* Checking */

typedef struct
{
  const gchar *label;
  const BwGeometry *geom;
  BwSampleFormat fa;
  BwSampleFormat fb;
  const gchar *run;             /* implementation and plane layout */
  guint col;
  guint row;
} Ctx;

static const gchar *
ctx_str (const Ctx * ctx)
{
  static gchar buf[512];

  g_snprintf (buf, sizeof (buf),
      "%s: A %s, B %s, frame %ux%u, block %ux%u, %s, %s, block (col %u, "
      "row %u)", ctx->label, format_name (ctx->fa), format_name (ctx->fb),
      ctx->geom ? ctx->geom->width : 0, ctx->geom ? ctx->geom->height : 0,
      ctx->geom ? ctx->geom->block_width : 0,
      ctx->geom ? ctx->geom->block_height : 0,
      ctx->geom ? (ctx->geom->edge_mode == BW_EDGE_TRIM ? "trim" : "partial")
      : "-", ctx->run ? ctx->run : "-", ctx->col, ctx->row);
  return buf;
}

/* Like g_assert, but says which case and block failed first. */
#define CHECK(ctx, cond, ...)                                           \
  G_STMT_START {                                                        \
    if (G_UNLIKELY (!(cond))) {                                         \
      g_printerr ("# FAILED %s\n# ", ctx_str (ctx));                    \
      g_printerr (__VA_ARGS__);                                         \
      g_printerr ("\n");                                                \
      g_assertion_message_expr (G_LOG_DOMAIN, __FILE__, __LINE__,       \
          G_STRFUNC, #cond);                                            \
    }                                                                   \
  } G_STMT_END

static gboolean
close_abs (double got, double want, double tol)
{
  return fabs (got - want) <= tol;
}

typedef void (*ExtraCheck) (const Ctx * ctx, const RefBlock * ref,
    const BwBlockStats * st, gpointer user_data);

#define CHECK_SUM(ctx, field, ref, s)                                   \
  G_STMT_START {                                                        \
    gchar _buf[48];                                                     \
    CHECK (ctx, ref_uint_eq ((ref)->field, (s)->field),                 \
        #field ": got %" G_GUINT64_FORMAT ", expected %s",              \
        (s)->field, ref_uint_str ((ref)->field, _buf, sizeof (_buf)));  \
  } G_STMT_END

static void
check_block (const Ctx * ctx, const RefBlock * ref, const BwBlockSums * s,
    ExtraCheck extra, gpointer user_data)
{
  BwBlockStats st;

  CHECK (ctx, s->n == ref->n, "n: got %" G_GUINT64_FORMAT ", expected %"
      G_GUINT64_FORMAT, s->n, ref->n);
  CHECK_SUM (ctx, sum_a, ref, s);
  CHECK_SUM (ctx, sum_b, ref, s);
  CHECK_SUM (ctx, sum_aa, ref, s);
  CHECK_SUM (ctx, sum_bb, ref, s);
  CHECK_SUM (ctx, sum_ab, ref, s);

  memset (&st, 0x5a, sizeof (st));
  bw_stats_from_sums (s, &st);

  CHECK (ctx, st.n == ref->n, "stats n: got %u", st.n);
  CHECK (ctx, close_abs (st.mean_a, ref->mean_a, TOL_ABS),
      "mean_a: got %.17g, expected %.17g", st.mean_a, ref->mean_a);
  CHECK (ctx, close_abs (st.mean_b, ref->mean_b, TOL_ABS),
      "mean_b: got %.17g, expected %.17g", st.mean_b, ref->mean_b);

  /* The header promises exact centred moments: a constant input has a
   * standard deviation of exactly zero and no correlation. */
  if (ref->const_a)
    CHECK (ctx, st.stddev_a == 0.0, "stddev_a of constant A: got %.17g",
        st.stddev_a);
  if (ref->const_b)
    CHECK (ctx, st.stddev_b == 0.0, "stddev_b of constant B: got %.17g",
        st.stddev_b);
  if (ref->const_a || ref->const_b) {
    CHECK (ctx, isnan (st.r), "r with a constant input: got %.17g, "
        "expected NaN", st.r);
    CHECK (ctx, !st.valid, "valid with a constant input");
  } else {
    CHECK (ctx, !isnan (st.r), "r: got NaN for non-constant inputs");
    CHECK (ctx, st.valid, "valid is FALSE for non-constant inputs");
    CHECK (ctx, st.r >= -1.0 && st.r <= 1.0, "r out of [-1, 1]: %.17g", st.r);
  }

  if (ref->have_doubles) {
    double cov_tol = MAX (TOL_ABS, TOL_COV_REL * fabs (ref->covariance));

    CHECK (ctx, st.valid == !isnan (ref->r), "valid: got %d, ref r %.17g",
        st.valid, ref->r);
    CHECK (ctx, close_abs (st.stddev_a, ref->stddev_a, TOL_ABS),
        "stddev_a: got %.17g, expected %.17g", st.stddev_a, ref->stddev_a);
    CHECK (ctx, close_abs (st.stddev_b, ref->stddev_b, TOL_ABS),
        "stddev_b: got %.17g, expected %.17g", st.stddev_b, ref->stddev_b);
    CHECK (ctx, close_abs (st.covariance, ref->covariance, cov_tol),
        "covariance: got %.17g, expected %.17g", st.covariance,
        ref->covariance);
    if (isnan (ref->r))
      CHECK (ctx, isnan (st.r), "r: got %.17g, expected NaN", st.r);
    else
      CHECK (ctx, close_abs (st.r, ref->r, TOL_ABS),
          "r: got %.17g, expected %.17g", st.r, ref->r);
  }

  if (extra)
    extra (ctx, ref, &st, user_data);
}

static gboolean
sums_equal (const BwBlockSums * x, const BwBlockSums * y)
{
  return x->n == y->n && x->sum_a == y->sum_a && x->sum_b == y->sum_b
      && x->sum_aa == y->sum_aa && x->sum_bb == y->sum_bb
      && x->sum_ab == y->sum_ab;
}

/* Runs bw_stats_compute_rows() into sums, which has room for one guard
 * entry after the last block; unwritten blocks keep a garbage pattern. */
static void
compute_sums_into (const Ctx * ctx, BwScratch * scratch, BwImpl impl,
    const BwGeometry * geom, const TestPlane * a, const TestPlane * b,
    guint row_start, guint row_end, guint cols, BwBlockSums * sums)
{
  gsize nblocks = (gsize) cols * (row_end - row_start);
  BwPlane pa = plane_view (a), pb = plane_view (b);
  const guint8 *guard;
  gboolean ok;
  gsize i;

  memset (sums, SENTINEL_BYTE, sizeof (BwBlockSums) * (nblocks + 1));
  ok = bw_stats_compute_rows (scratch, impl, geom, &pa, &pb, row_start,
      row_end, sums);
  CHECK (ctx, ok, "bw_stats_compute_rows (rows %u..%u) returned FALSE",
      row_start, row_end);

  guard = (const guint8 *) (sums + nblocks);
  for (i = 0; i < sizeof (BwBlockSums); i++)
    CHECK (ctx, guard[i] == SENTINEL_BYTE,
        "wrote past the last block (rows %u..%u)", row_start, row_end);
}

static BwBlockSums *
compute_sums (const Ctx * ctx, BwScratch * scratch, BwImpl impl,
    const BwGeometry * geom, const TestPlane * a, const TestPlane * b,
    guint row_start, guint row_end, guint cols)
{
  BwBlockSums *sums =
      g_new (BwBlockSums, (gsize) cols * (row_end - row_start) + 1);

  compute_sums_into (ctx, scratch, impl, geom, a, b, row_start, row_end, cols,
      sums);
  return sums;
}

/* Planes above this size are not copied with padding: that is covered by
 * the smaller cases, and the copies would double the memory of the 4096x4096
 * tests. */
#define MAX_PADDED_PIXELS (1u << 20)

/* One geometry: checks the grid, computes the reference on the tightly
 * packed planes, then runs every implementation on padded copies (and AUTO
 * on the packed planes) and compares block by block. */
static void
run_case (const gchar * label, const BwGeometry * geom, const TestPlane * a,
    const TestPlane * b, GRand * rand, BwScratch * scratch,
    gboolean with_doubles, ExtraCheck extra, gpointer user_data)
{
  Ctx ctx = { label, geom, a->format, b->format, "grid", 0, 0 };
  guint cols, rows, got_cols = 123, got_rows = 456, col, row, i;
  gboolean ok, got_ok;
  RefBlock *ref;
  TestPlane *pa, *pb;
  BwBlockSums *sums;
  gchar run[64];

  g_assert_cmpuint (a->width, ==, geom->width);
  g_assert_cmpuint (a->height, ==, geom->height);
  g_assert_cmpuint (b->width, ==, geom->width);
  g_assert_cmpuint (b->height, ==, geom->height);

  ok = ref_grid (geom, &cols, &rows);
  got_ok = bw_geometry_grid_size (geom, &got_cols, &got_rows);
  CHECK (&ctx, got_ok == ok, "bw_geometry_grid_size returned %d", got_ok);
  CHECK (&ctx, got_cols == cols && got_rows == rows,
      "grid %ux%u, expected %ux%u", got_cols, got_rows, cols, rows);

  if (!ok) {
    /* An empty grid has no rows to compute either. */
    BwPlane va = plane_view (a), vb = plane_view (b);
    BwBlockSums dummy[2];

    CHECK (&ctx, !bw_stats_compute_rows (scratch, BW_IMPL_AUTO, geom, &va,
            &vb, 0, 1, dummy), "compute_rows accepted an empty grid");
    return;
  }

  ref = g_new (RefBlock, (gsize) cols * rows);
  for (row = 0; row < rows; row++) {
    for (col = 0; col < cols; col++) {
      guint x0, y0, x1, y1;

      ref_block_rect (geom, col, row, &x0, &y0, &x1, &y1);
      ref_block (a, b, x0, y0, x1, y1, with_doubles,
          &ref[(gsize) row * cols + col]);
    }
  }

  if ((gsize) a->width * a->height <= MAX_PADDED_PIXELS) {
    pa = test_plane_copy_padded (a, rand);
    pb = test_plane_copy_padded (b, rand);
  } else {
    pa = pb = NULL;
  }

  /* one buffer for all runs: fresh allocations cost page faults, a lot of
   * them under ASan */
  sums = g_new (BwBlockSums, (gsize) cols * rows + 1);

  for (i = 0; i <= G_N_ELEMENTS (all_impls); i++) {
    /* the extra last round: AUTO on the tightly packed planes */
    gboolean packed = i == G_N_ELEMENTS (all_impls) || pa == NULL;
    BwImpl impl = i == G_N_ELEMENTS (all_impls) ? BW_IMPL_AUTO : all_impls[i];

    if (pa == NULL && i == G_N_ELEMENTS (all_impls))
      break;

    g_snprintf (run, sizeof (run), "impl %s, %s planes (strides %"
        G_GSIZE_FORMAT "/%" G_GSIZE_FORMAT ")", impl_label (impl),
        packed ? "packed" : "padded", packed ? a->stride : pa->stride,
        packed ? b->stride : pb->stride);
    ctx.run = run;

    compute_sums_into (&ctx, scratch, impl, geom, packed ? a : pa,
        packed ? b : pb, 0, rows, cols, sums);
    for (row = 0; row < rows; row++) {
      for (col = 0; col < cols; col++) {
        ctx.col = col;
        ctx.row = row;
        check_block (&ctx, &ref[(gsize) row * cols + col],
            &sums[(gsize) row * cols + col], extra, user_data);
      }
    }
  }
  g_free (sums);

  if (pa) {
    test_plane_free (pa);
    test_plane_free (pb);
  }
  g_free (ref);
}

/* ------------------------------------------------------------------------ */
/* Data generators */

static guint
rand_uint (GRand * rand, guint lo, guint hi)
{
  return lo + (guint) g_rand_int_range (rand, 0, (gint32) (hi - lo + 1));
}

static guint
clamp_sample (gint v, guint max)
{
  return (guint) CLAMP (v, 0, (gint) max);
}

typedef enum
{
  DATA_INDEPENDENT,             /* uniform over the full range */
  DATA_CORRELATED,              /* B follows A (or its inverse) plus noise */
  DATA_NARROW,                  /* 3 and 2 distinct values: constant blocks */
  DATA_N_MODES
} DataMode;

static void
fill_random (TestPlane * a, TestPlane * b, GRand * rand, DataMode mode)
{
  guint ma = format_max (a->format), mb = format_max (b->format);
  guint x, y;

  for (y = 0; y < a->height; y++) {
    for (x = 0; x < a->width; x++) {
      guint va, vb, t;
      gint noise;

      switch (mode) {
        case DATA_INDEPENDENT:
          va = rand_uint (rand, 0, ma);
          vb = rand_uint (rand, 0, mb);
          break;
        case DATA_CORRELATED:
          t = rand_uint (rand, 0, 65535);
          noise = g_rand_int_range (rand, -3, 4);
          va = clamp_sample ((gint) (t * ma / 65535) + noise, ma);
          if ((y / 9) & 1)
            t = 65535 - t;
          noise = g_rand_int_range (rand, -3, 4);
          vb = clamp_sample ((gint) (t * mb / 65535) + noise, mb);
          break;
        case DATA_NARROW:
        default:
          va = ma - 3 + rand_uint (rand, 0, 2);
          vb = mb / 2 + rand_uint (rand, 0, 1);
          break;
      }
      plane_set (a, x, y, va);
      plane_set (b, x, y, vb);
    }
  }
}

/* ------------------------------------------------------------------------ */
/* Tests */

static void
test_grid_invalid (void)
{
  static const struct
  {
    guint w, h, bw, bh;
    BwEdgeMode edge;
  } bad[] = {
    {0, 10, 4, 4, BW_EDGE_TRIM}, {10, 0, 4, 4, BW_EDGE_TRIM},
    {0, 10, 4, 4, BW_EDGE_PARTIAL}, {10, 0, 4, 4, BW_EDGE_PARTIAL},
    {0, 0, 4, 4, BW_EDGE_PARTIAL},
    {10, 10, 0, 4, BW_EDGE_TRIM}, {10, 10, 4, 0, BW_EDGE_TRIM},
    {10, 10, 0, 4, BW_EDGE_PARTIAL}, {10, 10, 4, 0, BW_EDGE_PARTIAL},
    {10, 10, 0, 0, BW_EDGE_PARTIAL},
    {8192, 8192, 4097, 16, BW_EDGE_TRIM}, {8192, 8192, 16, 4097, BW_EDGE_TRIM},
    {8192, 8192, 4097, 16, BW_EDGE_PARTIAL},
    {8192, 8192, 16, 4097, BW_EDGE_PARTIAL},
    {10, 10, 4097, 4097, BW_EDGE_PARTIAL},
    {10, 10, G_MAXUINT, 4, BW_EDGE_PARTIAL},
    /* sides the kernels cannot index with 32-bit signed offsets */
    {(guint) G_MAXINT + 1, 16, 16, 16, BW_EDGE_TRIM},
    {16, (guint) G_MAXINT + 1, 16, 16, BW_EDGE_PARTIAL},
    {G_MAXUINT, 16, 16, 16, BW_EDGE_PARTIAL},
    /* trim with a block larger than the frame: empty grid */
    {10, 10, 11, 4, BW_EDGE_TRIM}, {10, 10, 4, 11, BW_EDGE_TRIM},
    {10, 10, 11, 11, BW_EDGE_TRIM}, {1, 1, 2, 1, BW_EDGE_TRIM},
  };
  static const struct
  {
    guint w, h, bw, bh;
    BwEdgeMode edge;
    guint cols, rows;
  } good[] = {
    {4096, 4096, 4096, 4096, BW_EDGE_TRIM, 1, 1},
    {G_MAXINT, 16, 16, 16, BW_EDGE_PARTIAL, G_MAXINT / 16 + 1, 1},
    {16, G_MAXINT, 16, 16, BW_EDGE_TRIM, 1, G_MAXINT / 16},
    {4096, 4096, 4096, 4096, BW_EDGE_PARTIAL, 1, 1},
    {10, 10, 11, 11, BW_EDGE_PARTIAL, 1, 1},
    {10, 10, 4096, 4096, BW_EDGE_PARTIAL, 1, 1},
    {10, 10, 3, 4, BW_EDGE_TRIM, 3, 2},
    {10, 10, 3, 4, BW_EDGE_PARTIAL, 4, 3},
    {10, 10, 10, 10, BW_EDGE_TRIM, 1, 1},
    {10, 10, 5, 5, BW_EDGE_PARTIAL, 2, 2},
    {1, 1, 1, 1, BW_EDGE_TRIM, 1, 1},
    {8193, 5, 4096, 1, BW_EDGE_TRIM, 2, 5},
    {8193, 5, 4096, 1, BW_EDGE_PARTIAL, 3, 5},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    BwGeometry g = { bad[i].w, bad[i].h, bad[i].bw, bad[i].bh, bad[i].edge };
    guint cols = 123, rows = 456;

    g_test_message ("bad geometry %u: %ux%u block %ux%u edge %d", i, g.width,
        g.height, g.block_width, g.block_height, g.edge_mode);
    g_assert_false (bw_geometry_grid_size (&g, &cols, &rows));
    g_assert_cmpuint (cols, ==, 0);
    g_assert_cmpuint (rows, ==, 0);
  }

  for (i = 0; i < G_N_ELEMENTS (good); i++) {
    BwGeometry g = { good[i].w, good[i].h, good[i].bw, good[i].bh,
      good[i].edge
    };
    guint cols = 123, rows = 456, rc, rr;

    g_test_message ("good geometry %u: %ux%u block %ux%u edge %d", i,
        g.width, g.height, g.block_width, g.block_height, g.edge_mode);
    g_assert_true (bw_geometry_grid_size (&g, &cols, &rows));
    g_assert_cmpuint (cols, ==, good[i].cols);
    g_assert_cmpuint (rows, ==, good[i].rows);
    /* and the table agrees with the test's own grid computation */
    g_assert_true (ref_grid (&g, &rc, &rr));
    g_assert_cmpuint (rc, ==, cols);
    g_assert_cmpuint (rr, ==, rows);
  }
}

/* Invalid input must be refused; a g_return_val_if_fail() critical on the
 * way is tolerated (and reported) rather than aborting the test. */
static gboolean
count_criticals (const gchar * log_domain, GLogLevelFlags log_level,
    const gchar * message, gpointer user_data)
{
  (void) log_domain;
  (void) message;
  if (log_level & G_LOG_LEVEL_CRITICAL) {
    (*(guint *) user_data)++;
    return FALSE;
  }
  return TRUE;
}

static void
test_compute_invalid (void)
{
  static const struct
  {
    guint bw, bh;
    BwEdgeMode edge;
    guint start, end;
  } bad[] = {
    /* 16x16 frame: 4x4 blocks give 4 rows */
    {4, 4, BW_EDGE_TRIM, 0, 5},
    {4, 4, BW_EDGE_TRIM, 3, 2},
    {4, 4, BW_EDGE_TRIM, 4, 0},
    {4, 4, BW_EDGE_TRIM, 5, 5},
    {4, 4, BW_EDGE_TRIM, 0, G_MAXUINT},
    {4, 4, BW_EDGE_TRIM, G_MAXUINT, G_MAXUINT},
    {5, 5, BW_EDGE_PARTIAL, 0, 5},      /* 4 rows */
    {5, 5, BW_EDGE_TRIM, 0, 4}, /* 3 rows */
    /* invalid geometry */
    {0, 4, BW_EDGE_TRIM, 0, 1},
    {4, 0, BW_EDGE_PARTIAL, 0, 1},
    {4097, 4, BW_EDGE_PARTIAL, 0, 1},
    {4, 4097, BW_EDGE_PARTIAL, 0, 1},
    {17, 4, BW_EDGE_TRIM, 0, 1},
    {4, 17, BW_EDGE_TRIM, 0, 1},
  };
  TestPlane *a = test_plane_new (16, 16, BW_SAMPLE_U8, 0, 0);
  TestPlane *b = test_plane_new (16, 16, BW_SAMPLE_U16BE, 0, 0);
  BwPlane pa = plane_view (a), pb = plane_view (b);
  BwScratch *scratch = bw_scratch_new ();
  BwBlockSums sums[64];
  guint i, j, criticals = 0;

  g_test_log_set_fatal_handler (count_criticals, &criticals);

  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    BwGeometry g = { 16, 16, bad[i].bw, bad[i].bh, bad[i].edge };

    for (j = 0; j < G_N_ELEMENTS (all_impls); j++) {
      g_test_message ("bad call %u: block %ux%u edge %d rows %u..%u impl %s",
          i, g.block_width, g.block_height, g.edge_mode, bad[i].start,
          bad[i].end, impl_label (all_impls[j]));
      g_assert_false (bw_stats_compute_rows (scratch, all_impls[j], &g, &pa,
              &pb, bad[i].start, bad[i].end, sums));
    }
  }

  g_test_log_set_fatal_handler (NULL, NULL);
  g_test_message ("invalid calls logged %u critical(s)", criticals);

  /* The scratch object is still usable after refusals. */
  {
    BwGeometry g = { 16, 16, 4, 4, BW_EDGE_TRIM };

    g_assert_true (bw_stats_compute_rows (scratch, BW_IMPL_AUTO, &g, &pa, &pb,
            0, 4, sums));
    /* an empty range is a valid range */
    g_assert_true (bw_stats_compute_rows (scratch, BW_IMPL_AUTO, &g, &pa, &pb,
            2, 2, sums));
    g_assert_true (bw_stats_compute_rows (scratch, BW_IMPL_C, &g, &pa, &pb,
            4, 4, sums));
  }

  bw_scratch_free (scratch);
  test_plane_free (a);
  test_plane_free (b);
}

static void
test_random (void)
{
  static const guint frames[][2] = {
    {67, 45}, {130, 70}, {200, 131}, {1, 37}, {53, 1}, {64, 48},
  };
  /* {0, 0}: one block covering the whole frame */
  static const guint blocks[][2] = {
    {1, 1}, {1, 7}, {7, 1}, {2, 2}, {3, 3}, {7, 5}, {8, 6}, {10, 10},
    {16, 16}, {33, 9}, {64, 64}, {128, 16}, {256, 256}, {0, 0},
  };
  static const BwEdgeMode edges[] = { BW_EDGE_TRIM, BW_EDGE_PARTIAL };
  GRand *rand = g_rand_new_with_seed (0x5eed0001);
  BwScratch *scratch = bw_scratch_new ();
  guint ia, ib, f, k, e, combo = 0;

  for (ia = 0; ia < G_N_ELEMENTS (all_formats); ia++) {
    for (ib = 0; ib < G_N_ELEMENTS (all_formats); ib++, combo++) {
      for (f = 0; f < G_N_ELEMENTS (frames); f++) {
        guint w = frames[f][0], h = frames[f][1];
        DataMode mode = (DataMode) ((combo + f) % DATA_N_MODES);
        TestPlane *a = test_plane_new (w, h, all_formats[ia], 0, 0);
        TestPlane *b = test_plane_new (w, h, all_formats[ib], 0, 0);

        fill_random (a, b, rand, mode);
        for (k = 0; k < G_N_ELEMENTS (blocks); k++) {
          for (e = 0; e < G_N_ELEMENTS (edges); e++) {
            BwGeometry g = { w, h, blocks[k][0] ? blocks[k][0] : w,
              blocks[k][1] ? blocks[k][1] : h, edges[e]
            };

            /* one scratch for everything: it must adapt to every geometry */
            run_case (mode == DATA_INDEPENDENT ? "random independent" :
                mode == DATA_CORRELATED ? "random correlated" :
                "random narrow", &g, a, b, rand, scratch, TRUE, NULL, NULL);
          }
        }
        test_plane_free (a);
        test_plane_free (b);
      }
    }
  }

  bw_scratch_free (scratch);
  g_rand_free (rand);
}

/* Two calls over [0,k) and [k,rows) with separate scratch objects give the
 * same sums as one call. */
static void
test_split (void)
{
  static const guint frames[][2] = { {130, 70}, {200, 131} };
  static const guint blocks[][2] = {
    {1, 1}, {3, 3}, {7, 5}, {8, 6}, {16, 16}, {64, 64}, {1, 7},
  };
  static const BwEdgeMode edges[] = { BW_EDGE_TRIM, BW_EDGE_PARTIAL };
  GRand *rand = g_rand_new_with_seed (0x5eed0002);
  BwScratch *s0 = bw_scratch_new ();
  BwScratch *s1 = bw_scratch_new ();
  BwScratch *s2 = bw_scratch_new ();
  guint f, k, e, i, combo = 0;

  for (f = 0; f < G_N_ELEMENTS (frames); f++) {
    guint w = frames[f][0], h = frames[f][1];
    BwSampleFormat fa = all_formats[f % 3], fb = all_formats[(f + 2) % 3];
    TestPlane *ta = test_plane_new (w, h, fa, 0, 0);
    TestPlane *tb = test_plane_new (w, h, fb, 0, 0);
    TestPlane *a, *b;

    fill_random (ta, tb, rand, DATA_CORRELATED);
    a = test_plane_copy_padded (ta, rand);
    b = test_plane_copy_padded (tb, rand);

    for (k = 0; k < G_N_ELEMENTS (blocks); k++) {
      for (e = 0; e < G_N_ELEMENTS (edges); e++) {
        BwGeometry g = { w, h, blocks[k][0], blocks[k][1], edges[e] };
        guint cols, rows, split;
        gchar run[64];
        Ctx ctx = { "split", &g, fa, fb, run, 0, 0 };

        g_assert_true (bw_geometry_grid_size (&g, &cols, &rows));

        for (i = 0; i < G_N_ELEMENTS (all_impls); i++) {
          BwImpl impl = all_impls[i];
          BwBlockSums *full;

          g_snprintf (run, sizeof (run), "impl %s, full", impl_label (impl));
          full = compute_sums (&ctx, s0, impl, &g, a, b, 0, rows, cols);

          for (split = 0; split <= rows; split++) {
            BwBlockSums *top, *bottom;
            gsize j, ntop = (gsize) split * cols;

            /* every split point for short grids, a sample otherwise */
            if (rows > 24 && split > 2 && split + 2 < rows
                && split != rows / 2 && split != rows / 3)
              continue;

            g_snprintf (run, sizeof (run), "impl %s, split at row %u",
                impl_label (impl), split);
            /* alternate the order so neither scratch sees a fixed history */
            if ((split + combo++) & 1) {
              top = compute_sums (&ctx, s1, impl, &g, a, b, 0, split, cols);
              bottom = compute_sums (&ctx, s2, impl, &g, a, b, split, rows,
                  cols);
            } else {
              bottom = compute_sums (&ctx, s2, impl, &g, a, b, split, rows,
                  cols);
              top = compute_sums (&ctx, s1, impl, &g, a, b, 0, split, cols);
            }

            for (j = 0; j < (gsize) rows * cols; j++) {
              const BwBlockSums *part = j < ntop ? &top[j] : &bottom[j - ntop];

              ctx.col = (guint) (j % cols);
              ctx.row = (guint) (j / cols);
              CHECK (&ctx, sums_equal (part, &full[j]),
                  "split sums differ from one call");
            }
            g_free (top);
            g_free (bottom);
          }
          g_free (full);
        }
      }
    }

    test_plane_free (ta);
    test_plane_free (tb);
    test_plane_free (a);
    test_plane_free (b);
  }

  bw_scratch_free (s0);
  bw_scratch_free (s1);
  bw_scratch_free (s2);
  g_rand_free (rand);
}

typedef struct
{
  BwImpl impl;
  const BwGeometry *geom;
  BwPlane a;
  BwPlane b;
  guint start;
  guint end;
  BwBlockSums *sums;            /* where row `start` goes */
  gboolean ok;
} ThreadJob;

static gpointer
thread_func (gpointer data)
{
  ThreadJob *job = data;
  BwScratch *scratch = bw_scratch_new ();

  job->ok = bw_stats_compute_rows (scratch, job->impl, job->geom, &job->a,
      &job->b, job->start, job->end, job->sums);
  bw_scratch_free (scratch);
  return NULL;
}

/* Disjoint row ranges on concurrent threads, as the element does. */
static void
test_threads (void)
{
  static const guint blocks[][2] = { {16, 16}, {7, 5}, {64, 64} };
  GRand *rand = g_rand_new_with_seed (0x5eed0003);
  TestPlane *ta = test_plane_new (643, 481, BW_SAMPLE_U16LE, 0, 0);
  TestPlane *tb = test_plane_new (643, 481, BW_SAMPLE_U8, 0, 0);
  TestPlane *a, *b;
  BwScratch *scratch = bw_scratch_new ();
  guint k, i, t;

  fill_random (ta, tb, rand, DATA_CORRELATED);
  a = test_plane_copy_padded (ta, rand);
  b = test_plane_copy_padded (tb, rand);

  for (k = 0; k < G_N_ELEMENTS (blocks); k++) {
    BwGeometry g = { 643, 481, blocks[k][0], blocks[k][1], BW_EDGE_PARTIAL };
    guint cols, rows;
    Ctx ctx = { "threads", &g, a->format, b->format, NULL, 0, 0 };

    g_assert_true (bw_geometry_grid_size (&g, &cols, &rows));
    for (i = 0; i < G_N_ELEMENTS (all_impls); i++) {
      ThreadJob jobs[4];
      GThread *threads[4];
      BwBlockSums *full, *par;
      gsize j;

      ctx.run = impl_label (all_impls[i]);
      full = compute_sums (&ctx, scratch, all_impls[i], &g, a, b, 0, rows,
          cols);
      par = g_new0 (BwBlockSums, (gsize) rows * cols);

      for (t = 0; t < 4; t++) {
        jobs[t].impl = all_impls[i];
        jobs[t].geom = &g;
        jobs[t].a = plane_view (a);
        jobs[t].b = plane_view (b);
        /* uneven ranges */
        jobs[t].start = rows * t * t / 16;
        jobs[t].end = rows * (t + 1) * (t + 1) / 16;
        jobs[t].sums = par + (gsize) jobs[t].start * cols;
        jobs[t].ok = FALSE;
        threads[t] = g_thread_new ("bw-test", thread_func, &jobs[t]);
      }
      for (t = 0; t < 4; t++) {
        g_thread_join (threads[t]);
        CHECK (&ctx, jobs[t].ok, "thread %u (rows %u..%u) failed", t,
            jobs[t].start, jobs[t].end);
      }
      for (j = 0; j < (gsize) rows * cols; j++) {
        ctx.col = (guint) (j % cols);
        ctx.row = (guint) (j / cols);
        CHECK (&ctx, sums_equal (&par[j], &full[j]),
            "threaded sums differ from one call");
      }
      g_free (full);
      g_free (par);
    }
  }

  bw_scratch_free (scratch);
  test_plane_free (ta);
  test_plane_free (tb);
  test_plane_free (a);
  test_plane_free (b);
  g_rand_free (rand);
}

/* --- adversarial data --- */

static guint
block_hash (guint col, guint row, guint salt)
{
  guint h = col * 0x9e3779b1u ^ row * 0x85ebca77u ^ salt * 0xc2b2ae3du;

  h ^= h >> 15;
  h *= 0x2c1b3c6du;
  h ^= h >> 12;
  return h;
}

static void
extra_constant (const Ctx * ctx, const RefBlock * ref,
    const BwBlockStats * st, gpointer user_data)
{
  guint which = GPOINTER_TO_UINT (user_data);   /* bit 0: A, bit 1: B */

  /* the data was built constant: make sure the reference saw it too */
  if (which & 1)
    CHECK (ctx, ref->const_a, "A block not constant");
  if (which & 2)
    CHECK (ctx, ref->const_b, "B block not constant");
  CHECK (ctx, isnan (st->r) && !st->valid, "constant block: r %.17g valid %d",
      st->r, st->valid);
  CHECK (ctx, fabs (st->covariance) <= TOL_ABS, "constant block: cov %.17g",
      st->covariance);
}

/* Blocks where A, B or both are constant (block-wise values, including 0
 * and the format maximum), the other input random. */
static void
test_constant (void)
{
  static const guint blocks[][2] = { {8, 6}, {7, 5}, {1, 7}, {16, 16} };
  static const BwEdgeMode edges[] = { BW_EDGE_TRIM, BW_EDGE_PARTIAL };
  GRand *rand = g_rand_new_with_seed (0x5eed0004);
  BwScratch *scratch = bw_scratch_new ();
  guint ia, ib, k, e, which, x, y;

  for (ia = 0; ia < G_N_ELEMENTS (all_formats); ia++) {
    for (ib = 0; ib < G_N_ELEMENTS (all_formats); ib++) {
      for (k = 0; k < G_N_ELEMENTS (blocks); k++) {
        for (e = 0; e < G_N_ELEMENTS (edges); e++) {
          for (which = 1; which <= 3; which++) {
            BwGeometry g = { 67, 45, blocks[k][0], blocks[k][1], edges[e] };
            TestPlane *a = test_plane_new (67, 45, all_formats[ia], 0, 0);
            TestPlane *b = test_plane_new (67, 45, all_formats[ib], 0, 0);
            guint ma = format_max (a->format), mb = format_max (b->format);

            for (y = 0; y < 45; y++) {
              for (x = 0; x < 67; x++) {
                guint col = x / g.block_width, row = y / g.block_height;
                guint h = block_hash (col, row, which);
                /* a third of the blocks at 0 and at max, the rest anywhere */
                guint ca = h % 3 == 0 ? 0 : h % 3 == 1 ? ma : h % (ma + 1);
                guint cb = (h >> 8) % 3 == 0 ? 0 : (h >> 8) % 3 == 1 ? mb :
                    (h >> 8) % (mb + 1);

                plane_set (a, x, y, (which & 1) ? ca : rand_uint (rand, 0, ma));
                plane_set (b, x, y, (which & 2) ? cb : rand_uint (rand, 0, mb));
              }
            }
            run_case (which == 1 ? "constant A" : which == 2 ? "constant B" :
                "constant A and B", &g, a, b, rand, scratch, TRUE,
                extra_constant, GUINT_TO_POINTER (which));
            test_plane_free (a);
            test_plane_free (b);
          }
        }
      }
    }
  }

  bw_scratch_free (scratch);
  g_rand_free (rand);
}

static void
extra_all_max (const Ctx * ctx, const RefBlock * ref,
    const BwBlockStats * st, gpointer user_data)
{
  guint expect_b = GPOINTER_TO_UINT (user_data);        /* 0: B random */

  CHECK (ctx, st->mean_a == 65535.0, "mean_a %.17g", st->mean_a);
  CHECK (ctx, st->stddev_a == 0.0, "stddev_a %.17g", st->stddev_a);
  CHECK (ctx, isnan (st->r) && !st->valid, "r %.17g valid %d", st->r,
      st->valid);
  CHECK (ctx, ref_uint_eq (ref->sum_aa, ref->n * 65535u * 65535u),
      "reference sum_aa is off");
  if (expect_b)
    CHECK (ctx, st->mean_b == (double) expect_b, "mean_b %.17g", st->mean_b);
}

/* All-65535 blocks, the largest per-sample products. */
static void
test_all_max (void)
{
  static const guint blocks[][2] = { {8, 8}, {16, 16}, {7, 5}, {67, 45} };
  static const BwEdgeMode edges[] = { BW_EDGE_TRIM, BW_EDGE_PARTIAL };
  GRand *rand = g_rand_new_with_seed (0x5eed0005);
  BwScratch *scratch = bw_scratch_new ();
  guint ia, ib, k, e, rb, x, y;

  for (ia = 1; ia < G_N_ELEMENTS (all_formats); ia++) {
    for (ib = 0; ib < G_N_ELEMENTS (all_formats); ib++) {
      /* rb = 0: B is its maximum too; rb = 1: B random */
      for (rb = 0; rb < 2; rb++) {
        TestPlane *a = test_plane_new (67, 45, all_formats[ia], 0, 0);
        TestPlane *b = test_plane_new (67, 45, all_formats[ib], 0, 0);
        guint mb = format_max (b->format);

        for (y = 0; y < 45; y++) {
          for (x = 0; x < 67; x++) {
            plane_set (a, x, y, 65535);
            plane_set (b, x, y, rb ? rand_uint (rand, 0, mb) : mb);
          }
        }
        for (k = 0; k < G_N_ELEMENTS (blocks); k++) {
          for (e = 0; e < G_N_ELEMENTS (edges); e++) {
            BwGeometry g = { 67, 45, blocks[k][0], blocks[k][1], edges[e] };

            run_case (rb ? "all-65535 A, random B" : "all-max A and B", &g,
                a, b, rand, scratch, TRUE, extra_all_max,
                GUINT_TO_POINTER (rb ? 0 : mb));
          }
        }
        test_plane_free (a);
        test_plane_free (b);
      }
    }
  }

  bw_scratch_free (scratch);
  g_rand_free (rand);
}

typedef enum
{
  NEAR_INDEPENDENT,             /* off + {-1,0,1} on both, independent */
  NEAR_SAME,                    /* B deviates like A: r = +1 */
  NEAR_OPPOSITE,                /* B deviates like -A: r = -1 */
  NEAR_CHECKER_INVERTED,        /* 60000/60001 checkerboards, inverted: -1 */
  NEAR_CHECKER_STRIPES,         /* checkerboard A, column stripes B */
  NEAR_SPARSE,                  /* A off except sparse off+1, B random bit */
  NEAR_N_PATTERNS
} NearPattern;

static const gchar *const near_names[] = {
  "near-constant independent", "near-constant same", "near-constant opposite",
  "60000/60001 checker inverted", "60000/60001 checker vs stripes",
  "60000 with sparse 60001",
};

static void
extra_expect_r (const Ctx * ctx, const RefBlock * ref,
    const BwBlockStats * st, gpointer user_data)
{
  double want = *(const double *) user_data;

  if (isnan (ref->r))
    return;
  CHECK (ctx, close_abs (st->r, want, TOL_EXACT_R),
      "r: got %.17g, expected exactly %g", st->r, want);
}

static void
fill_near (TestPlane * a, TestPlane * b, GRand * rand, NearPattern pat)
{
  /* a large offset next to a variance of at most 1 */
  gint oa = a->format == BW_SAMPLE_U8 ? 250 : 60000;
  gint ob = b->format == BW_SAMPLE_U8 ? 250 : 60000;
  guint x, y;

  for (y = 0; y < a->height; y++) {
    for (x = 0; x < a->width; x++) {
      gint da, db;

      switch (pat) {
        case NEAR_INDEPENDENT:
          da = g_rand_int_range (rand, -1, 2);
          db = g_rand_int_range (rand, -1, 2);
          break;
        case NEAR_SAME:
          da = db = g_rand_int_range (rand, -1, 2);
          break;
        case NEAR_OPPOSITE:
          da = g_rand_int_range (rand, -1, 2);
          db = -da;
          break;
        case NEAR_CHECKER_INVERTED:
          da = (x + y) & 1;
          db = 1 - da;
          break;
        case NEAR_CHECKER_STRIPES:
          da = (x + y) & 1;
          db = x & 1;
          break;
        case NEAR_SPARSE:
        default:
          da = (x % 13 == 5 && y % 11 == 3);
          db = g_rand_int_range (rand, 0, 2);
          break;
      }
      plane_set (a, x, y, (guint) (oa + da));
      plane_set (b, x, y, (guint) (ob + db));
    }
  }
}

/* Tiny variance next to a large mean: the naive n·Σa² − (Σa)² in double
 * precision would cancel catastrophically. */
static void
test_near_constant (void)
{
  static const guint blocks[][2] = {
    {8, 8}, {7, 5}, {1, 7}, {64, 64}, {128, 128}, {259, 131},
  };
  static const BwEdgeMode edges[] = { BW_EDGE_TRIM, BW_EDGE_PARTIAL };
  static const double r_plus = 1.0, r_minus = -1.0;
  GRand *rand = g_rand_new_with_seed (0x5eed0006);
  BwScratch *scratch = bw_scratch_new ();
  guint ia, ib, k, e, p;

  for (ia = 0; ia < G_N_ELEMENTS (all_formats); ia++) {
    for (ib = 0; ib < G_N_ELEMENTS (all_formats); ib++) {
      for (p = 0; p < NEAR_N_PATTERNS; p++) {
        TestPlane *a = test_plane_new (259, 131, all_formats[ia], 0, 0);
        TestPlane *b = test_plane_new (259, 131, all_formats[ib], 0, 0);
        const double *want = p == NEAR_SAME ? &r_plus :
            (p == NEAR_OPPOSITE || p == NEAR_CHECKER_INVERTED) ? &r_minus :
            NULL;

        fill_near (a, b, rand, (NearPattern) p);
        for (k = 0; k < G_N_ELEMENTS (blocks); k++) {
          for (e = 0; e < G_N_ELEMENTS (edges); e++) {
            BwGeometry g = { 259, 131, blocks[k][0], blocks[k][1], edges[e] };

            run_case (near_names[p], &g, a, b, rand, scratch, TRUE,
                want ? extra_expect_r : NULL, (gpointer) want);
          }
        }
        test_plane_free (a);
        test_plane_free (b);
      }
    }
  }

  bw_scratch_free (scratch);
  g_rand_free (rand);
}

/* B = 2A + 5 (r = +1) and B = max - A (r = -1). */
static void
test_correlated (void)
{
  static const guint blocks[][2] = {
    {8, 8}, {1, 7}, {7, 1}, {33, 17}, {64, 64}, {130, 70},
  };
  static const BwEdgeMode edges[] = { BW_EDGE_TRIM, BW_EDGE_PARTIAL };
  static const double r_plus = 1.0, r_minus = -1.0;
  GRand *rand = g_rand_new_with_seed (0x5eed0007);
  BwScratch *scratch = bw_scratch_new ();
  guint ia, ib, k, e, anti, x, y;

  for (ia = 0; ia < G_N_ELEMENTS (all_formats); ia++) {
    for (ib = 0; ib < G_N_ELEMENTS (all_formats); ib++) {
      for (anti = 0; anti < 2; anti++) {
        TestPlane *a = test_plane_new (130, 70, all_formats[ia], 0, 0);
        TestPlane *b = test_plane_new (130, 70, all_formats[ib], 0, 0);
        guint ma = format_max (a->format), mb = format_max (b->format);
        guint top = anti ? MIN (ma, mb) : MIN (ma, (mb - 5) / 2);

        for (y = 0; y < 70; y++) {
          for (x = 0; x < 130; x++) {
            guint va = rand_uint (rand, 0, top);

            plane_set (a, x, y, va);
            plane_set (b, x, y, anti ? mb - va : 2 * va + 5);
          }
        }
        for (k = 0; k < G_N_ELEMENTS (blocks); k++) {
          for (e = 0; e < G_N_ELEMENTS (edges); e++) {
            BwGeometry g = { 130, 70, blocks[k][0], blocks[k][1], edges[e] };

            run_case (anti ? "B = max - A" : "B = 2A + 5", &g, a, b, rand,
                scratch, TRUE, extra_expect_r,
                (gpointer) (anti ? &r_minus : &r_plus));
          }
        }
        test_plane_free (a);
        test_plane_free (b);
      }
    }
  }

  bw_scratch_free (scratch);
  g_rand_free (rand);
}

static void
extra_one_pixel (const Ctx * ctx, const RefBlock * ref,
    const BwBlockStats * st, gpointer user_data)
{
  (void) user_data;
  CHECK (ctx, st->n == 1, "n %u", st->n);
  CHECK (ctx, isnan (st->r) && !st->valid, "r %.17g valid %d", st->r,
      st->valid);
  CHECK (ctx, st->stddev_a == 0.0 && st->stddev_b == 0.0,
      "stddevs %.17g %.17g", st->stddev_a, st->stddev_b);
  CHECK (ctx, st->mean_a == (double) ref->sum_a
      && st->mean_b == (double) ref->sum_b, "means %.17g %.17g", st->mean_a,
      st->mean_b);
}

/* 1x1 blocks: zero variance everywhere. */
static void
test_one_pixel (void)
{
  static const BwEdgeMode edges[] = { BW_EDGE_TRIM, BW_EDGE_PARTIAL };
  GRand *rand = g_rand_new_with_seed (0x5eed0008);
  BwScratch *scratch = bw_scratch_new ();
  guint ia, ib, e;

  for (ia = 0; ia < G_N_ELEMENTS (all_formats); ia++) {
    for (ib = 0; ib < G_N_ELEMENTS (all_formats); ib++) {
      TestPlane *a = test_plane_new (37, 23, all_formats[ia], 0, 0);
      TestPlane *b = test_plane_new (37, 23, all_formats[ib], 0, 0);

      fill_random (a, b, rand, DATA_INDEPENDENT);
      for (e = 0; e < G_N_ELEMENTS (edges); e++) {
        BwGeometry g = { 37, 23, 1, 1, edges[e] };

        run_case ("1x1 blocks", &g, a, b, rand, scratch, TRUE,
            extra_one_pixel, NULL);
      }
      test_plane_free (a);
      test_plane_free (b);
    }
  }

  bw_scratch_free (scratch);
  g_rand_free (rand);
}

/* --- 4096x4096: the largest block, n = 2^24 --- */

#define HUGE_SIDE 4096
#define HUGE_N ((guint64) HUGE_SIDE * HUGE_SIDE)

static void
extra_huge_max (const Ctx * ctx, const RefBlock * ref,
    const BwBlockStats * st, gpointer user_data)
{
  guint64 ma = format_max (ctx->fa), mb = format_max (ctx->fb);

  (void) user_data;
  /* the reference itself against the closed form; the implementation's
   * sums were compared exactly with it */
  CHECK (ctx, ref->n == HUGE_N && ref_uint_eq (ref->sum_a, HUGE_N * ma)
      && ref_uint_eq (ref->sum_b, HUGE_N * mb)
      && ref_uint_eq (ref->sum_aa, HUGE_N * ma * ma)
      && ref_uint_eq (ref->sum_bb, HUGE_N * mb * mb)
      && ref_uint_eq (ref->sum_ab, HUGE_N * ma * mb)
      && ref->const_a && ref->const_b, "reference sums off the closed form");

  CHECK (ctx, st->n == (1u << 24), "n %u", st->n);
  CHECK (ctx, st->mean_a == (double) ma && st->mean_b == (double) mb,
      "means %.17g %.17g", st->mean_a, st->mean_b);
  CHECK (ctx, st->stddev_a == 0.0 && st->stddev_b == 0.0,
      "stddevs %.17g %.17g", st->stddev_a, st->stddev_b);
  CHECK (ctx, st->covariance == 0.0, "covariance %.17g", st->covariance);
  CHECK (ctx, isnan (st->r) && !st->valid, "r %.17g valid %d", st->r,
      st->valid);
}

/* All-maximum frames under tall blocks of every shape the vector paths
 * treat apart: whole 32-byte vectors per block, 16-byte halves, a lone last
 * half, and pair columns (widths not a multiple of 16 bytes, their 8-bit
 * pair sums drained every 128 rows). */
static void
test_tall_all_max (void)
{
  static const guint blocks[][2] = { {10, 600}, {16, 520}, {48, 300},
  {100, 600}, {208, 129}, {8, 600}
  };
  GRand *rand = g_rand_new_with_seed (0x5eed000b);
  BwScratch *scratch = bw_scratch_new ();
  guint f, k;

  for (f = 0; f < 2 * G_N_ELEMENTS (all_formats); f++) {
    BwSampleFormat format = all_formats[f % G_N_ELEMENTS (all_formats)];
    /* the second round with 4 KiB strides, which the strips take in chunks
     * of a few rows */
    gsize pad = f < G_N_ELEMENTS (all_formats) ? 0 :
        4096 - 210 * format_bps (format);
    TestPlane *a = test_plane_new (210, 600, format, pad, 0);
    TestPlane *b = test_plane_new (210, 600, format, pad, 0);

    /* the maximum reads the same in both byte orders (the padding too:
     * it is never read) */
    memset (a->data, 0xff, a->size);
    memset (b->data, 0xff, b->size);
    for (k = 0; k < G_N_ELEMENTS (blocks); k++) {
      BwGeometry g = { 210, 600, blocks[k][0], blocks[k][1],
        k % 2 ? BW_EDGE_TRIM : BW_EDGE_PARTIAL
      };

      run_case ("tall blocks, all max", &g, a, b, rand, scratch, TRUE, NULL,
          NULL);
    }
    test_plane_free (a);
    test_plane_free (b);
  }

  bw_scratch_free (scratch);
  g_rand_free (rand);
}

static void
test_huge_all_max (void)
{
  /* Same-format pairs take the ORC kernels (when AUTO picks them, and with
   * BW_IMPL_ORC), mixed pairs the C column sums.  0xffff reads the same in
   * both byte orders, so U16BE pairs are left to /kernels/huge/one-zero. */
  static const BwSampleFormat pairs[][2] = {
    {BW_SAMPLE_U16LE, BW_SAMPLE_U16LE},
    {BW_SAMPLE_U16LE, BW_SAMPLE_U16BE},
    {BW_SAMPLE_U8, BW_SAMPLE_U8},
  };
  GRand *rand = g_rand_new_with_seed (0x5eed0009);
  BwScratch *scratch = bw_scratch_new ();
  guint i;

  for (i = 0; i < G_N_ELEMENTS (pairs); i++) {
    TestPlane *a = test_plane_new (HUGE_SIDE, HUGE_SIDE, pairs[i][0], 0, 0);
    TestPlane *b = test_plane_new (HUGE_SIDE, HUGE_SIDE, pairs[i][1], 0, 0);
    BwGeometry g = { HUGE_SIDE, HUGE_SIDE, HUGE_SIDE, HUGE_SIDE,
      (i & 1) ? BW_EDGE_TRIM : BW_EDGE_PARTIAL
    };

    /* the maximum reads the same in both byte orders */
    memset (a->data, 0xff, a->size);
    memset (b->data, 0xff, b->size);

    /* integer-only reference, checked against the closed form */
    run_case ("4096x4096 all max", &g, a, b, rand, scratch, FALSE,
        extra_huge_max, NULL);

    test_plane_free (a);
    test_plane_free (b);
  }

  bw_scratch_free (scratch);
  g_rand_free (rand);
}

typedef struct
{
  RefUInt sum_b;
  RefUInt sum_bb;
  guint b_at_zero;              /* B where A is 0 */
} OneZero;

static void
extra_one_zero (const Ctx * ctx, const RefBlock * ref,
    const BwBlockStats * st, gpointer user_data)
{
  const OneZero *oz = user_data;

  (void) st;
  /* the reference itself against the closed form for A and the sums of B
   * taken while filling */
  CHECK (ctx, ref_uint_eq (ref->sum_a, (HUGE_N - 1) * 65535u)
      && ref_uint_eq (ref->sum_aa, (HUGE_N - 1) * 65535u * 65535u)
      && ref->sum_b == oz->sum_b && ref->sum_bb == oz->sum_bb
      && ref->sum_ab == (oz->sum_b - oz->b_at_zero) * 65535u
      && !ref->const_a, "reference sums off the closed form");
}

/* A = 65535 except one 0, B random: sums near the 2^56 bound and a small
 * variance of A next to a huge mean. */
static void
test_huge_one_zero (void)
{
  /* ORC (with a byte swap) and the C column sums; U16LE/U16LE takes ORC in
   * the other two 4096x4096 tests */
  static const BwSampleFormat pairs[][2] = {
    {BW_SAMPLE_U16BE, BW_SAMPLE_U16BE},
    {BW_SAMPLE_U16BE, BW_SAMPLE_U16LE},
  };
  GRand *rand = g_rand_new_with_seed (0x5eed000a);
  BwScratch *scratch = bw_scratch_new ();
  const guint zx = 1234, zy = 2345;
  guint i, x, y;

  for (i = 0; i < G_N_ELEMENTS (pairs); i++) {
    TestPlane *a = test_plane_new (HUGE_SIDE, HUGE_SIDE, pairs[i][0], 0, 0);
    TestPlane *b = test_plane_new (HUGE_SIDE, HUGE_SIDE, pairs[i][1], 0, 0);
    BwGeometry g = { HUGE_SIDE, HUGE_SIDE, HUGE_SIDE, HUGE_SIDE,
      (i & 1) ? BW_EDGE_PARTIAL : BW_EDGE_TRIM
    };
    OneZero oz = { 0, 0, 0 };

    memset (a->data, 0xff, a->size);
    plane_set (a, zx, zy, 0);
    for (y = 0; y < HUGE_SIDE; y++) {
      for (x = 0; x < HUGE_SIDE; x++) {
        guint v = g_rand_int (rand) & 0xffff;

        plane_set (b, x, y, v);
        oz.sum_b += v;
        oz.sum_bb += (RefUInt) v *v;
      }
    }
    oz.b_at_zero = plane_get (b, zx, zy);

    run_case ("4096x4096 65535 with one 0, random B", &g, a, b, rand,
        scratch, TRUE, extra_one_zero, &oz);

    test_plane_free (a);
    test_plane_free (b);
  }

  bw_scratch_free (scratch);
  g_rand_free (rand);
}

/* 60000 + {-1,0,1} over 2^24 samples: Σa² ~ 6e16 is beyond exact double
 * range, so only exact centred moments get r right. */
static void
test_huge_near_constant (void)
{
  GRand *rand = g_rand_new_with_seed (0x5eed000b);
  BwScratch *scratch = bw_scratch_new ();
  TestPlane *a = test_plane_new (HUGE_SIDE, HUGE_SIDE, BW_SAMPLE_U16LE, 0, 0);
  TestPlane *b = test_plane_new (HUGE_SIDE, HUGE_SIDE, BW_SAMPLE_U16LE, 0, 0);
  BwGeometry g = { HUGE_SIDE, HUGE_SIDE, HUGE_SIDE, HUGE_SIDE,
    BW_EDGE_PARTIAL
  };
  guint x, y;

  for (y = 0; y < HUGE_SIDE; y++) {
    for (x = 0; x < HUGE_SIDE; x++) {
      guint32 bits = g_rand_int (rand);
      gint da = (gint) (bits % 3) - 1;
      /* B copies A's deviation half of the time: r around 0.5 */
      gint db = (bits & 0x100) ? da : (gint) ((bits >> 9) % 3) - 1;

      plane_set (a, x, y, (guint) (60000 + da));
      plane_set (b, x, y, (guint) (60000 + db));
    }
  }

  run_case ("4096x4096 near-constant", &g, a, b, rand, scratch, TRUE, NULL,
      NULL);

  test_plane_free (a);
  test_plane_free (b);
  bw_scratch_free (scratch);
  g_rand_free (rand);
}

/* --- bw_stats_from_sums_many against bw_stats_from_sums --- */

static void
sums_add_pair (BwBlockSums * s, guint64 a, guint64 b)
{
  s->sum_a += a;
  s->sum_b += b;
  s->sum_aa += a * a;
  s->sum_bb += b * b;
  s->sum_ab += a * b;
}

/* Sums of one synthetic block: m random samples (kind 1: A flat, 2: B flat,
 * 3: B = A, 4: B = max - A, 5: 16-bit extremes), repeated times times (n
 * beyond 4096 takes the 128-bit centred sums). */
static void
synthetic_sums (GRand * rand, guint kind, guint m, guint times, BwBlockSums * s)
{
  guint i, max = g_rand_boolean (rand) ? 255 : 65535;

  memset (s, 0, sizeof (*s));
  for (i = 0; i < m; i++) {
    guint64 a = rand_uint (rand, 0, max), b = rand_uint (rand, 0, max);

    if (kind == 1)
      a = max / 3;
    else if (kind == 2)
      b = 7;
    else if (kind == 3)
      b = a;
    else if (kind == 4)
      b = max - a;
    else if (kind == 5) {
      a = g_rand_boolean (rand) ? 65535 : 0;
      b = g_rand_boolean (rand) ? 65535 : 0;
    }
    sums_add_pair (s, a, b);
  }
  s->n = m;
  s->sum_a *= times;
  s->sum_b *= times;
  s->sum_aa *= times;
  s->sum_bb *= times;
  s->sum_ab *= times;
  s->n *= times;
}

/* The batched statistics of one table against bw_stats_from_sums(). */
static void
check_from_sums_many (BwStatsManyFunc stats_many, const gchar * name)
{
  GRand *rand = g_rand_new_with_seed (0x5eed000c);
  guint round, i;

  for (round = 0; round < 200; round++) {
    guint count = rand_uint (rand, 0, 37);
    BwBlockSums *sums = g_new0 (BwBlockSums, MAX (count, 1));
    BwBlockStats *many = g_new (BwBlockStats, MAX (count, 1));
    BwBlockStats one;

    for (i = 0; i < count; i++) {
      guint kind = rand_uint (rand, 0, 8);

      if (kind == 6)
        continue;               /* n = 0 */
      if (kind == 8) {
        /* sums no frame can give (a variance below zero, r beyond 1):
         * both must still agree */
        sums[i].n = rand_uint (rand, 1, 5000);
        sums[i].sum_a = g_rand_int (rand);
        sums[i].sum_b = g_rand_int (rand);
        sums[i].sum_aa = g_rand_int (rand);
        sums[i].sum_bb = g_rand_int (rand);
        sums[i].sum_ab = g_rand_int (rand);
        continue;
      }
      synthetic_sums (rand, kind == 7 ? 0 : kind, rand_uint (rand, 1, 300),
          g_rand_boolean (rand) ? 1 : rand_uint (rand, 2, 5000), &sums[i]);
    }
    /* garbage in the output must not survive */
    memset (many, 0xa5, MAX (count, 1) * sizeof (BwBlockStats));
    stats_many (sums, many, count);
    for (i = 0; i < count; i++) {
      bw_stats_from_sums (&sums[i], &one);
      if (memcmp (&one, &many[i], sizeof (one)) != 0)
        g_error ("%s: round %u block %u of %u (n %" G_GUINT64_FORMAT "): many "
            "gives mean %.17g %.17g sd %.17g %.17g cov %.17g r %.17g valid "
            "%d, one by one %.17g %.17g %.17g %.17g %.17g %.17g %d", name,
            round, i, count, sums[i].n, many[i].mean_a, many[i].mean_b,
            many[i].stddev_a, many[i].stddev_b, many[i].covariance,
            many[i].r, many[i].valid, one.mean_a, one.mean_b, one.stddev_a,
            one.stddev_b, one.covariance, one.r, one.valid);
    }
    g_free (sums);
    g_free (many);
  }
  g_rand_free (rand);
}

/* Every table's batched statistics, in this process. */
static void
test_from_sums_many (void)
{
  guint i;

  if (!bw_stats_avx2_available ())
    g_test_message ("skip: the AVX2 batched statistics (this CPU has no "
        "AVX2)");
  for (i = 0; i < G_N_ELEMENTS (all_impls); i++) {
    BwKernels k;

    bw_kernels_init (&k, all_impls[i]);
    g_test_message ("%s: batched statistics on the %s path",
        impl_label (all_impls[i]), k.stats_many_name);
    check_from_sums_many (k.stats_many, k.stats_many_name);
  }
  /* and the process's, which BLOCKWISE_KERNEL may choose */
  check_from_sums_many (bw_stats_from_sums_many, bw_stats_moments_path_name ());
}

/* --- bw_stats_from_sums on hand-made sums --- */

static void
test_from_sums (void)
{
  const guint64 n = HUGE_N, half = HUGE_N / 2;
  const double s = 32767.5;
  BwBlockSums sums;
  BwBlockStats st;

  /* half 0, half 65535, B = A: stddev 32767.5, r = +1 */
  sums.n = n;
  sums.sum_a = sums.sum_b = half * 65535u;
  sums.sum_aa = sums.sum_bb = sums.sum_ab = half * 65535u * 65535u;
  bw_stats_from_sums (&sums, &st);
  g_assert_cmpuint (st.n, ==, n);
  g_assert_true (st.valid);
  g_assert_cmpfloat_with_epsilon (st.mean_a, s, TOL_ABS);
  g_assert_cmpfloat_with_epsilon (st.mean_b, s, TOL_ABS);
  g_assert_cmpfloat_with_epsilon (st.stddev_a, s, TOL_ABS);
  g_assert_cmpfloat_with_epsilon (st.stddev_b, s, TOL_ABS);
  g_assert_cmpfloat_with_epsilon (st.covariance, s * s, s * s * TOL_COV_REL);
  g_assert_cmpfloat_with_epsilon (st.r, 1.0, TOL_EXACT_R);

  /* B = 65535 - A: r = -1 */
  sums.sum_ab = 0;
  bw_stats_from_sums (&sums, &st);
  g_assert_true (st.valid);
  g_assert_cmpfloat_with_epsilon (st.covariance, -s * s, s * s * TOL_COV_REL);
  g_assert_cmpfloat_with_epsilon (st.r, -1.0, TOL_EXACT_R);

  /* one sample */
  sums.n = 1;
  sums.sum_a = 7;
  sums.sum_b = 9;
  sums.sum_aa = 49;
  sums.sum_bb = 81;
  sums.sum_ab = 63;
  bw_stats_from_sums (&sums, &st);
  g_assert_cmpuint (st.n, ==, 1);
  g_assert_false (st.valid);
  g_assert_true (isnan (st.r));
  g_assert_cmpfloat (st.mean_a, ==, 7.0);
  g_assert_cmpfloat (st.mean_b, ==, 9.0);
  g_assert_cmpfloat (st.stddev_a, ==, 0.0);
  g_assert_cmpfloat (st.stddev_b, ==, 0.0);

  /* 2^24 samples of 65535 but one 65534, B = A: the centred moment is
   * n - 1, far below the rounding of Σa² in double (~2^56) */
  sums.n = n;
  sums.sum_a = sums.sum_b = n * 65535u - 1;
  sums.sum_aa = sums.sum_bb = sums.sum_ab =
      n * 65535u * 65535u - (65535u * 65535u - 65534u * 65534u);
  bw_stats_from_sums (&sums, &st);
  g_assert_true (st.valid);
  g_assert_cmpfloat_with_epsilon (st.stddev_a, sqrt ((double) (n - 1)) / n,
      1e-12 * sqrt ((double) (n - 1)) / n);
  g_assert_cmpfloat_with_epsilon (st.stddev_b, st.stddev_a, 1e-20);
  g_assert_cmpfloat_with_epsilon (st.r, 1.0, TOL_EXACT_R);

  /* same A, B constant 65535: r NaN */
  sums.sum_b = n * 65535u;
  sums.sum_bb = n * 65535u * 65535u;
  sums.sum_ab = (n * 65535u - 1) * 65535u;
  bw_stats_from_sums (&sums, &st);
  g_assert_false (st.valid);
  g_assert_true (isnan (st.r));
  g_assert_cmpfloat (st.stddev_b, ==, 0.0);
  g_assert_cmpfloat_with_epsilon (st.covariance, 0.0, TOL_ABS);
}

/* --- ORC --- */

static void
test_orc_info (void)
{
  guint i, j;

  g_test_message ("bw_stats_orc_available () = %s",
      bw_stats_orc_available ()? "TRUE" : "FALSE");
  for (i = 0; i < G_N_ELEMENTS (all_formats); i++) {
    BwSampleFormat f = all_formats[i];
    const gchar *name = bw_stats_impl_name (BW_IMPL_AUTO, f, f, 16);

    g_assert_nonnull (name);
    g_test_message ("impl for %s/%s, block width 16: AUTO %s, ORC %s; "
        "AUTO at width 1: %s, 7: %s, 64: %s", format_name (f),
        format_name (f), name, bw_stats_impl_name (BW_IMPL_ORC, f, f, 16),
        bw_stats_impl_name (BW_IMPL_AUTO, f, f, 1),
        bw_stats_impl_name (BW_IMPL_AUTO, f, f, 7),
        bw_stats_impl_name (BW_IMPL_AUTO, f, f, 64));
    g_assert_true (g_str_equal (name, "orc") || g_str_equal (name, "c")
        || g_str_equal (name, "avx2") || g_str_equal (name, "avx512"));
    /* the vector path where the CPU has it and the blocks fit it */
    if (bw_stats_avx2_available ())
      g_assert_cmpstr (bw_stats_impl_name (BW_IMPL_AUTO, f, f, 64), ==, "avx2");
    if (bw_stats_avx512_available ())
      g_assert_cmpstr (bw_stats_impl_name (BW_IMPL_AVX512, f, f, 64), ==,
          "avx512");
    if (bw_stats_avx2_available ())
      g_assert_cmpstr (bw_stats_impl_name (BW_IMPL_AVX2, f, f, 16), ==, "avx2");

    /* the explicit choices resolve to themselves */
    for (j = 0; j < G_N_ELEMENTS (all_formats); j++) {
      g_assert_cmpstr (bw_stats_impl_name (BW_IMPL_C, f, all_formats[j], 16),
          ==, "c");
      g_assert_cmpstr (bw_stats_impl_name (BW_IMPL_REFERENCE, f,
              all_formats[j], 7), ==, "reference");
    }
  }
}

static void
test_orc_expect (void)
{
  const gchar *expect = g_getenv ("BW_EXPECT_ORC");
  guint i, j, w;

  if (expect == NULL || *expect == '\0') {
    g_test_skip ("BW_EXPECT_ORC not set");
    return;
  }

  if (g_str_equal (expect, "1")) {
    g_assert_true (bw_stats_orc_available ());
    /* AUTO prefers AVX2 (any even width) where the CPU has it */
    g_assert_cmpstr (bw_stats_impl_name (BW_IMPL_AUTO, BW_SAMPLE_U16LE,
            BW_SAMPLE_U16LE, 2), ==, bw_stats_avx2_available ()? "avx2" :
        "orc");
    g_assert_cmpstr (bw_stats_impl_name (BW_IMPL_ORC, BW_SAMPLE_U16LE,
            BW_SAMPLE_U16LE, 16), ==, "orc");
  } else if (g_str_equal (expect, "0")) {
    g_assert_false (bw_stats_orc_available ());
    g_assert_cmpstr (bw_stats_impl_name (BW_IMPL_AUTO, BW_SAMPLE_U16LE,
            BW_SAMPLE_U16LE, 2), ==, bw_stats_avx2_available ()? "avx2" : "c");
    /* without ORC machine code, AUTO never picks it */
    for (i = 0; i < G_N_ELEMENTS (all_formats); i++) {
      for (j = 0; j < G_N_ELEMENTS (all_formats); j++) {
        for (w = 1; w <= 4096; w *= 4)
          g_assert_cmpstr (bw_stats_impl_name (BW_IMPL_AUTO, all_formats[i],
                  all_formats[j], w), !=, "orc");
      }
    }
  } else {
    g_test_skip ("BW_EXPECT_ORC is neither 0 nor 1");
  }
}

/* Random, all-0, all-max or 0-against-max planes (pattern 0..3). */
static void
fill_vector_case (TestPlane * a, TestPlane * b, guint pattern, GRand * rand)
{
  guint maxa = format_max (a->format), maxb = format_max (b->format), x, y;

  for (y = 0; y < a->height; y++)
    for (x = 0; x < a->width; x++) {
      /* 0 against 0 gives the one product pair sum that wraps */
      plane_set (a, x, y, pattern == 0 ? rand_uint (rand, 0, maxa) :
          pattern == 1 ? 0 : pattern == 2 ? maxa : (x & 1 ? maxa : 0));
      plane_set (b, x, y, pattern == 0 ? rand_uint (rand, 0, maxb) :
          pattern == 1 ? 0 : pattern == 2 ? maxb : (y & 1 ? 0 : maxb));
    }
}

/* checkasm-style: every vector path this CPU has against the reference on
 * random sizes (1..300 x 1..300), block sizes that fit the vectors and
 * others, padded strides, unaligned plane starts, both edge modes, every
 * format pair, and random, all-0, all-max and 0-against-max planes.  A path
 * the CPU lacks is reported as skipped, never counted as passed. */
static void
test_vector_paths (void)
{
  static const guint widths[] = { 16, 32, 48, 64, 96, 128, 10, 24, 8, 12,
    40, 80, 112
  };
  GRand *rand = g_rand_new_with_seed (20261130);
  BwScratch *scratch = bw_scratch_new ();
  gboolean has[2] = { bw_stats_avx2_available (),
    bw_stats_avx512_available ()
  };
  guint k, fa, fb;

  if (!has[0])
    g_test_message ("skip: AVX2 path (this CPU has no AVX2)");
  if (!has[1])
    g_test_message ("skip: AVX-512 path (this CPU has no AVX-512BW)");
  if (!has[0] && !has[1]) {
    g_test_skip ("no vector path on this CPU");
    g_rand_free (rand);
    bw_scratch_free (scratch);
    return;
  }
  for (k = 0; k < 60; k++) {
    for (fa = 0; fa < G_N_ELEMENTS (all_formats); fa++) {
      for (fb = 0; fb < G_N_ELEMENTS (all_formats); fb++) {
        BwGeometry g;
        TestPlane *a, *b;
        guint pattern = k % 4;
        gchar label[128];

        g.width = rand_uint (rand, 1, 300);
        g.height = rand_uint (rand, 1, 300);
        g.block_width = widths[rand_uint (rand, 0, G_N_ELEMENTS (widths) - 1)];
        g.block_height = rand_uint (rand, 1, 64);
        g.edge_mode = k & 1 ? BW_EDGE_PARTIAL : BW_EDGE_TRIM;
        a = test_plane_new (g.width, g.height, all_formats[fa], 0, 0);
        b = test_plane_new (g.width, g.height, all_formats[fb], 0, 0);
        fill_vector_case (a, b, pattern, rand);
        g_snprintf (label, sizeof (label), "vector %ux%u blocks %ux%u %s "
            "pattern %u", g.width, g.height, g.block_width, g.block_height,
            g.edge_mode ? "partial" : "trim", pattern);
        /* run_case runs every implementation (AVX2, AVX512 among them) on
         * padded copies with unaligned starts, and AUTO on packed planes */
        run_case (label, &g, a, b, rand, scratch, FALSE, NULL, NULL);
        test_plane_free (a);
        test_plane_free (b);
      }
    }
  }
  /* rows a page or more apart take the row-by-row variants even for
   * single-vector blocks: frames 2048..4400 samples wide, few rows */
  for (k = 0; k < 8; k++) {
    for (fa = 0; fa < G_N_ELEMENTS (all_formats); fa++) {
      BwGeometry g;
      TestPlane *a, *b;
      gchar label[128];

      g.width = rand_uint (rand, 2048, 4400);
      g.height = rand_uint (rand, 1, 40);
      g.block_width = widths[rand_uint (rand, 0, G_N_ELEMENTS (widths) - 1)];
      g.block_height = rand_uint (rand, 1, 20);
      g.edge_mode = k & 1 ? BW_EDGE_PARTIAL : BW_EDGE_TRIM;
      a = test_plane_new (g.width, g.height, all_formats[fa], 0, 0);
      b = test_plane_new (g.width, g.height, all_formats[fa], 0, 0);
      fill_vector_case (a, b, k % 4, rand);
      g_snprintf (label, sizeof (label), "vector wide %ux%u blocks %ux%u %s "
          "pattern %u", g.width, g.height, g.block_width, g.block_height,
          g.edge_mode ? "partial" : "trim", k % 4);
      run_case (label, &g, a, b, rand, scratch, FALSE, NULL, NULL);
      test_plane_free (a);
      test_plane_free (b);
    }
  }
  bw_scratch_free (scratch);
  g_rand_free (rand);
}

/* BLOCKWISE_KERNEL=NAME makes AUTO use that path (set by meson for one
 * run of this test, with BW_EXPECT_FORCED=NAME). */
static void
test_forced (void)
{
  const gchar *expect = g_getenv ("BW_EXPECT_FORCED");
  guint i;

  if (!expect) {
    g_test_skip ("BW_EXPECT_FORCED not set");
    return;
  }
  for (i = 0; i < G_N_ELEMENTS (all_formats); i++) {
    g_assert_cmpstr (bw_stats_impl_name (BW_IMPL_AUTO, all_formats[i],
            all_formats[i], 64), ==, expect);
    /* the search's cross sums and the batched statistics follow */
    g_assert_cmpstr (bw_search_path_name (all_formats[i], all_formats[i]),
        ==, "c");
  }
  g_assert_cmpstr (bw_stats_moments_path_name (), ==, "c");
}

/* What each implementation's table holds on this CPU: the vector kernels
 * exactly where the CPU has them and they apply, and for every format pair
 * and block width some kernel. */
static void
test_tables (void)
{
  const gboolean avx2 = bw_stats_avx2_available ();
  const gboolean avx512 = bw_stats_avx512_available ();
  guint i, fa, fb, w;

  if (!avx2)
    g_test_message ("skip: the AVX2 kernels (this CPU has no AVX2)");
  if (!avx512)
    g_test_message ("skip: the AVX-512 kernels (this CPU has no AVX-512BW)");
  for (i = 0; i < G_N_ELEMENTS (all_impls); i++) {
    BwImpl impl = all_impls[i];
    gboolean vector = avx2 && impl != BW_IMPL_C && impl != BW_IMPL_REFERENCE
        && impl != BW_IMPL_ORC;
    BwKernels k;

    bw_kernels_init (&k, impl);
    g_assert_cmpstr (k.stats_many_name, ==, vector ? "avx2" : "c");
    for (fa = 0; fa < BW_N_FORMATS; fa++)
      for (fb = 0; fb < BW_N_FORMATS; fb++)
        for (w = 1; w <= 66; w++) {
          const BwRowKernel *rk = bw_kernels_row (&k, fa, fb, w, 1);
          const BwCrossKernel *ck = bw_kernels_cross (&k, fa, fb, w);
          gboolean cross_avx2 = vector && fa == fb && w % 2 == 0
              && fa != BW_SAMPLE_U16BE;
          /* AUTO takes the AVX-512 cross sums too */
          gboolean cross_avx512 = cross_avx2 && avx512
              && (impl == BW_IMPL_AUTO || impl == BW_IMPL_AVX512);
          const gchar *want = impl == BW_IMPL_REFERENCE ? "reference" : "c";

          g_assert_nonnull (rk->func[fa][fb]);
          g_assert_nonnull (ck->func[fa][fb]);
          g_assert_cmpstr (ck->name, ==, cross_avx512 ? "avx512" :
              cross_avx2 ? "avx2" : "c");
          /* misaligned planes (align_bits 1) never take ORC */
          if (impl == BW_IMPL_AVX512 && avx512 && fa == fb && w % 32 == 0)
            want = "avx512";
          else if (vector && fa == fb && w % 2 == 0)
            want = "avx2";
          g_assert_cmpstr (rk->name, ==, want);
        }
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kernels/grid/invalid", test_grid_invalid);
  g_test_add_func ("/kernels/compute/invalid", test_compute_invalid);
  g_test_add_func ("/kernels/from-sums", test_from_sums);
  g_test_add_func ("/kernels/random", test_random);
  g_test_add_func ("/kernels/split", test_split);
  g_test_add_func ("/kernels/threads", test_threads);
  g_test_add_func ("/kernels/adversarial/constant", test_constant);
  g_test_add_func ("/kernels/adversarial/all-max", test_all_max);
  g_test_add_func ("/kernels/adversarial/tall-all-max", test_tall_all_max);
  g_test_add_func ("/kernels/adversarial/near-constant", test_near_constant);
  g_test_add_func ("/kernels/adversarial/correlated", test_correlated);
  g_test_add_func ("/kernels/adversarial/one-pixel", test_one_pixel);
  g_test_add_func ("/kernels/huge/all-max", test_huge_all_max);
  g_test_add_func ("/kernels/huge/one-zero", test_huge_one_zero);
  g_test_add_func ("/kernels/huge/near-constant", test_huge_near_constant);
  g_test_add_func ("/kernels/orc/info", test_orc_info);
  g_test_add_func ("/kernels/vector-paths", test_vector_paths);
  g_test_add_func ("/kernels/from-sums-many", test_from_sums_many);
  g_test_add_func ("/kernels/forced", test_forced);
  g_test_add_func ("/kernels/tables", test_tables);
  g_test_add_func ("/kernels/orc/expect", test_orc_expect);

  return g_test_run ();
}
