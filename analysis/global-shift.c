/* gst-blockwise: the frame's coarse global shift (global-shift.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include "global-shift.h"
#include "displacement.h"
#include "blockstats-private.h"
#include "growbuf.h"
#include "worker.h"

#define MAX_LEVELS 16
/* The finest level's reduction, at most (but for huge frames). */
#define FINEST_FACTOR 4
#define MAX_FINEST_SIDE 2048
/* The share of the highest peak's correlation a nearer peak may fall
 * short by and still be taken. */
#define ALIAS_SHARE 0.2
/* Rows whose correlation sums are added in single precision. */
#define FLUSH_ROWS 8
/* Steps a refinement may climb from the shift the level above gave. */
#define MAX_CLIMB 4

typedef struct
{
  gfloat *a, *b;                /* box sums, less the mean */
  guint w, h;
} Level;

struct _BwGlobalWork
{
  gfloat *planes;
  gsize planes_len;
  guint32 *acc;
  gsize acc_len;
  gdouble *surface;             /* the coarsest level's correlations */
  gsize surface_len;
  Level levels[MAX_LEVELS];
};

BwGlobalWork *
bw_global_work_new (void)
{
  return g_new0 (BwGlobalWork, 1);
}

void
bw_global_work_free (BwGlobalWork * work)
{
  if (!work)
    return;
  g_free (work->planes);
  g_free (work->acc);
  g_free (work->surface);
  g_free (work);
}

/* acc[x] = the sum of the f rows' samples at x (f >= 1), x in [0, n). */
#define DEFINE_SUM_ROWS(SUFFIX, LOAD)                                    \
static BW_VECTORIZE BW_WIDE_CLONES void                                 \
sum_rows_##SUFFIX (const BwPlane * plane, guint y, guint f, gsize n,    \
    guint32 * restrict acc)                                             \
{                                                                       \
  const guint8 *r0 = bw_plane_row (plane, y);                           \
  gsize x;                                                              \
  guint j;                                                              \
                                                                        \
  for (x = 0; x < n; x++)                                               \
    acc[x] = LOAD (r0, x);                                              \
  for (j = 1; j + 2 <= f; j += 2) {                                     \
    const guint8 *r1 = bw_plane_row (plane, y + j);                     \
    const guint8 *r2 = bw_plane_row (plane, y + j + 1);                 \
                                                                        \
    for (x = 0; x < n; x++)                                             \
      acc[x] += (guint32) LOAD (r1, x) + LOAD (r2, x);                  \
  }                                                                     \
  if (j < f) {                                                          \
    const guint8 *r1 = bw_plane_row (plane, y + j);                     \
                                                                        \
    for (x = 0; x < n; x++)                                             \
      acc[x] += LOAD (r1, x);                                           \
  }                                                                     \
}

DEFINE_SUM_ROWS (u8, bw_load_u8);
DEFINE_SUM_ROWS (le, bw_load_u16le);
DEFINE_SUM_ROWS (be, bw_load_u16be);

typedef void (*SumRowsFunc) (const BwPlane *, guint, guint, gsize, guint32 *);

static const SumRowsFunc sum_rows[3] = { sum_rows_u8, sum_rows_le,
  sum_rows_be
};

/* out[x] = in[2x] + in[2x + 1], x in [0, n). */
static BW_VECTORIZE BW_WIDE_CLONES void
add_pairs (const guint32 * restrict in, gsize n, guint32 * restrict out)
{
  gsize x;

  for (x = 0; x < n; x++)
    out[x] = in[2 * x] + in[2 * x + 1];
}

static BW_VECTORIZE BW_WIDE_CLONES void
to_float (const guint32 * restrict in, gsize n, gfloat * restrict out)
{
  gsize x;

  for (x = 0; x < n; x++)
    out[x] = in[x];
}

/* Row y of the box sums of f x f samples of plane into out (w values; f a
 * power of two).  acc holds w f + w f / 2 values: the columns' sums, then
 * the pairs halved from them. */
static void
reduce_plane_row (const BwPlane * plane, guint f, guint w, guint y,
    guint32 * acc, gfloat * out)
{
  const gsize n = (gsize) w * f;
  guint32 *half = acc + n, *in = acc;
  gsize m = n;

  sum_rows[plane->format] (plane, y * f, f, n, acc);
  /* Halve f to 1, alternating between the two buffers. */
  while (m > w) {
    guint32 *o = in == acc ? half : acc;

    m /= 2;
    add_pairs (in, m, o);
    in = o;
  }
  to_float (in, w, out);
}

/* The finest level's rows of both planes, shared out among threads. */
typedef struct
{
  const BwPlane *plane[2];
  Level *level;
  guint f;
  guint32 *acc;                 /* acc_len values per thread */
  gsize acc_len;
} ReduceJob;

/* Row `row` of A's box sums, or for rows past A's, of B's: each row is
 * formed whole by one thread, so the sums do not depend on the threads. */
static void
reduce_row (gpointer data, BwScratch * scratch, guint thread, guint row)
{
  const ReduceJob *job = data;
  const Level *l = job->level;
  const guint k = row >= l->h, y = row - k * l->h;

  reduce_plane_row (job->plane[k], job->f, l->w, y,
      job->acc + thread * job->acc_len, (k ? l->b : l->a) + (gsize) y * l->w);
}

/* Box sums of 2 x 2 samples of in (the level above, 2w x 2h or larger). */
static void
reduce_level (const gfloat * in, guint in_w, guint w, guint h, gfloat * out)
{
  guint x, y;

  for (y = 0; y < h; y++) {
    const gfloat *r0 = in + (gsize) 2 * y * in_w, *r1 = r0 + in_w;

    for (x = 0; x < w; x++)
      out[(gsize) y * w + x] = r0[2 * x] + r0[2 * x + 1] + r1[2 * x]
          + r1[2 * x + 1];
  }
}

/* Subtracts the mean from v (n values): the correlation's sums then stay
 * small next to the spread, which single precision keeps however faint
 * the texture. */
static BW_VECTORIZE void
centre_values (gfloat * v, gsize n)
{
  gdouble lanes[8] = { 0, 0, 0, 0, 0, 0, 0, 0 }, sum = 0;
  gfloat mean;
  gsize i, k;

  for (i = 0; i + 8 <= n; i += 8)
    for (k = 0; k < 8; k++)
      lanes[k] += v[i + k];
  for (; i < n; i++)
    sum += v[i];
  for (k = 0; k < 8; k++)
    sum += lanes[k];
  mean = sum / n;
  for (i = 0; i < n; i++)
    v[i] -= mean;
}

/* The five sums of a row pair, in eight lanes (which the compiler keeps in
 * vector registers). */
static BW_VECTORIZE BW_WIDE_CLONES void
row_sums (const gfloat * restrict a, const gfloat * restrict b, gsize n,
    gfloat acc[5][8])
{
  gsize x, k;

  for (x = 0; x + 8 <= n; x += 8)
    for (k = 0; k < 8; k++) {
      gfloat va = a[x + k], vb = b[x + k];

      acc[0][k] += va;
      acc[1][k] += va * va;
      acc[2][k] += vb;
      acc[3][k] += vb * vb;
      acc[4][k] += va * vb;
    }
  for (; x < n; x++) {
    acc[0][0] += a[x];
    acc[1][0] += a[x] * a[x];
    acc[2][0] += b[x];
    acc[3][0] += b[x] * b[x];
    acc[4][0] += a[x] * b[x];
  }
}

/* The zero-mean normalized cross-correlation of level l's A with its B
 * moved by (dx, dy), over their overlap; -1 without one. */
static gdouble
ncc (const Level * l, gint dx, gint dy)
{
  const gint x0 = MAX (0, -dx), x1 = MIN ((gint) l->w, (gint) l->w - dx);
  const gint y0 = MAX (0, -dy), y1 = MIN ((gint) l->h, (gint) l->h - dy);
  gdouble s[5] = { 0, 0, 0, 0, 0 }, n, vaa, vbb;
  gint y, k, i;

  if (x1 - x0 < 2 || y1 - y0 < 2)
    return -1;
  for (y = y0; y < y1;) {
    const gint y_end = MIN (y1, y + FLUSH_ROWS);
    gfloat acc[5][8];

    /* Single precision over a few rows, double across them. */
    memset (acc, 0, sizeof (acc));
    for (; y < y_end; y++)
      row_sums (l->a + (gsize) y * l->w + x0,
          l->b + (gsize) (y + dy) * l->w + x0 + dx, x1 - x0, acc);
    for (i = 0; i < 5; i++)
      for (k = 0; k < 8; k++)
        s[i] += acc[i][k];
  }
  n = (gdouble) (x1 - x0) * (y1 - y0);
  vaa = n * s[1] - s[0] * s[0];
  vbb = n * s[3] - s[2] * s[2];
  if (!(vaa > 0 && vbb > 0))
    return -1;
  return (n * s[4] - s[0] * s[2]) / sqrt (vaa * vbb);
}

/* Climbs from (*bx, *by) to the axis neighbour with the highest
 * correlation until none is higher (at most MAX_CLIMB steps); returns the
 * peak's correlation and its sub-sample position in (*fx, *fy), or -1 when
 * the level has no variance. */
static gdouble
climb (const Level * l, gint * bx, gint * by, gdouble * fx, gdouble * fy)
{
  static const gint dirs[4][2] = { {-1, 0}, {1, 0}, {0, -1}, {0, 1} };
  gdouble mid = ncc (l, *bx, *by), f[4];
  gboolean fitted;
  gint step, d;

  for (step = 0;; step++) {
    gint best = -1;

    for (d = 0; d < 4; d++) {
      f[d] = ncc (l, *bx + dirs[d][0], *by + dirs[d][1]);
      if (f[d] > (best < 0 ? mid : f[best]))
        best = d;
    }
    if (best < 0 || step == MAX_CLIMB)
      break;
    *bx += dirs[best][0];
    *by += dirs[best][1];
    mid = f[best];
  }
  *fx = *bx + bw_parabola_peak (f[0], mid, f[1], &fitted);
  *fy = *by + bw_parabola_peak (f[2], mid, f[3], &fitted);
  return mid;
}

gboolean
bw_global_shift_estimate (BwGlobalWork * w, BwWorker * worker,
    guint n_threads, const BwPlane * a, const BwPlane * b, guint width,
    guint height, BwGlobalShift * out)
{
  ReduceJob job;
  guint f0 = FINEST_FACTOR, n_levels, i, factor;
  gint q, x, y, bx = 0, by = 0;
  gdouble best = -INFINITY, top = -INFINITY, fx, fy;
  gsize total = 0;
  gfloat *p;

  if (!w || !a || !b || !out || width == 0 || height == 0)
    return FALSE;
  memset (out, 0, sizeof (*out));
  out->limit = MIN (width, height) / 4;

  /* Huge frames: a finest level of at most MAX_FINEST_SIDE samples a
   * side, in memory and time as a frame of that size. */
  while (MAX (width, height) / f0 > MAX_FINEST_SIDE)
    f0 *= 2;
  while (f0 > 1 && MIN (width, height) / f0 < BW_GLOBAL_MIN_SIDE)
    f0 /= 2;
  w->levels[0].w = width / f0;
  w->levels[0].h = height / f0;
  for (n_levels = 1; n_levels < MAX_LEVELS
      && MIN (w->levels[n_levels - 1].w, w->levels[n_levels - 1].h) / 2
      >= BW_GLOBAL_MIN_SIDE; n_levels++) {
    w->levels[n_levels].w = w->levels[n_levels - 1].w / 2;
    w->levels[n_levels].h = w->levels[n_levels - 1].h / 2;
  }
  for (i = 0; i < n_levels; i++)
    total += 2 * (gsize) w->levels[i].w * w->levels[i].h;
  BW_GROW (w->planes, w->planes_len, total);
  job.plane[0] = a;
  job.plane[1] = b;
  job.level = &w->levels[0];
  job.f = f0;
  job.acc_len = (gsize) w->levels[0].w * f0 * 3 / 2 + 1;
  if (!worker)
    n_threads = 1;
  BW_GROW (w->acc, w->acc_len, job.acc_len * n_threads);
  job.acc = w->acc;

  p = w->planes;
  for (i = 0; i < n_levels; i++) {
    Level *l = &w->levels[i];
    gsize n = (gsize) l->w * l->h;

    l->a = p;
    l->b = p + n;
    p += 2 * n;
    if (i == 0) {
      /* Both frames are read whole here: on every thread. */
      if (worker)
        bw_worker_run (worker, n_threads, 2 * l->h, reduce_row, &job);
      else
        for (y = 0; y < (gint) (2 * l->h); y++)
          reduce_row (&job, NULL, 0, y);
      /* Centred here, the coarser levels need it no more. */
      centre_values (l->a, n);
      centre_values (l->b, n);
    } else {
      reduce_level (w->levels[i - 1].a, w->levels[i - 1].w, l->w, l->h, l->a);
      reduce_level (w->levels[i - 1].b, w->levels[i - 1].w, l->w, l->h, l->b);
    }
  }

  /* Every shift up to the limit, and a level sample more (the bound). */
#define SURFACE(X, Y) w->surface[((Y) + q) * (2 * q + 1) + (X) + q]
  {
    const Level *l = &w->levels[n_levels - 1];

    factor = f0 << (n_levels - 1);
    q = (out->limit + factor - 1) / factor + 1;
    q = MIN (q, (gint) MIN (l->w, l->h) / 2);
    BW_GROW (w->surface, w->surface_len, (gsize) (2 * q + 1) * (2 * q + 1));
    for (y = -q; y <= q; y++)
      for (x = -q; x <= q; x++)
        top = MAX (top, SURFACE (x, y) = ncc (l, x, y));
    /* Of the peaks nearly as high as the highest (a periodic texture has
     * several), the nearest to (0, 0). */
    for (y = -q; y <= q; y++)
      for (x = -q; x <= q; x++) {
        const gdouble c = SURFACE (x, y);
        gboolean peak = c >= (1 - ALIAS_SHARE) * top
            && (best == -INFINITY || hypot (x, y) < hypot (bx, by));
        gint i, j;

        for (j = MAX (y - 1, -q); j <= MIN (y + 1, q) && peak; j++)
          for (i = MAX (x - 1, -q); i <= MIN (x + 1, q); i++)
            peak = peak && SURFACE (i, j) <= c;
        if (peak) {
          best = c;
          bx = x;
          by = y;
        }
      }
    if (!(best >= BW_GLOBAL_MIN_PEAK))
      return TRUE;
    /* On the bound: the shift lies there or further. */
    out->at_limit = ABS (bx) == q || ABS (by) == q;
    best = climb (l, &bx, &by, &fx, &fy);
  }
#undef SURFACE
  /* Finer levels: double and climb. */
  for (i = n_levels - 1; i-- > 0;) {
    const Level *l = &w->levels[i];

    bx = (gint) lround (2 * fx);
    by = (gint) lround (2 * fy);
    best = climb (l, &bx, &by, &fx, &fy);
    factor /= 2;
  }
  out->found = TRUE;
  out->peak = best;
  out->x = fx * factor;
  out->y = fy * factor;
  return TRUE;
}
