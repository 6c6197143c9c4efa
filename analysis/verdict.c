/* gst-blockwise: the verdict of a frame, its global shift and its displaced
 * regions (the rules are in verdict.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>
#include "verdict.h"
#include "growbuf.h"
#include "significance.h"
#include "summary.h"

/* Standard errors a gain in r must clear to be more than noise. */
#define GAIN_Z 4.0
/* The same for a region's border blocks, which also have to move with
 * it: enough to leave out blocks whose best offset is a matter of chance
 * (an edge's r is as high anywhere along the edge). */
#define BORDER_GAIN_Z 3.0
/* Pixels a block's displacement must differ from the frame's reference. */
#define SUSPECT_SHIFT 0.5
/* Without a search: standard errors of Fisher's z that r must fall below
 * what the pair's noise leaves for a block's texture. */
#define LOW_R_Z 4.0
#define MAX_LINK_DISTANCE 6
/* Standard errors the summed gain of a group of blocks that moved together
 * must clear (the sum over m blocks has sqrt (m) times a block's). */
#define POOLED_GAIN_Z 4.0
/* Informative neighbours a block's neighbourhood displacement needs. */
#define MIN_NEIGHBOURS 4
/* Standard errors of gain that let a block join a moved group next to it. */
#define GROW_GAIN_Z 1.5
/* Displacements lie within the search's centre +-(BW_MAX_SEARCH_RADIUS
 * + 1.5) px: a power of two above, for median_and_error(). */
static gdouble
shift_scale (const BwVerdictParams * p)
{
  gdouble reach = MAX (ABS (p->centre_x), ABS (p->centre_y))
      + BW_MAX_SEARCH_RADIUS + 1.5, scale = 16.0;

  while (scale < reach)
    scale *= 2.0;
  return scale;
}

enum
{
  STATE_NONE = 0,
  STATE_INFORMATIVE,
  STATE_VALID,                  /* valid, not informative */
  STATE_SUSPECT,                /* displaced */
  STATE_UNMATCHED,
  STATE_VISITED_SUSPECT,
  STATE_VISITED_UNMATCHED,
  STATE_BORDER                  /* informative, joined a region's border */
};

/* The r a block of standard deviations sa, sb keeps when its two images
 * match up to noise of variance n2 in each: 1 - r = n2 (1/sa² + 1/sb²) / 2
 * for small noise (0 for a flat side). */
static gdouble
expected_r (gdouble sa, gdouble sb, gdouble n2)
{
  if (!(sa > 0 && sb > 0))
    return 0;
  return CLAMP (1.0 - 0.5 * n2 * (1.0 / (sa * sa) + 1.0 / (sb * sb)), 0, 1);
}

/* pool_regions()'s marks of a block. */
enum
{
  POOL_NONE = 0,
  POOL_CANDIDATE,               /* tested at its neighbours' displacement */
  POOL_GROUPED,                 /* in a group already */
  POOL_MOVED                    /* displaced, in or next to a moved group */
};

struct _BwVerdictWork
{
  guint bins[BW_MEDIAN_BINS];
  gdouble *values;
  guint32 *queue;
  guint8 *state;
  /* Per block: the whole-pixel displacement of its neighbours (pooled[i]
   * of them valid), its gain there in standard errors over the reference
   * and over the still pair (0 without r_pair). */
  gint32 *near_dx, *near_dy;
  guint8 *pooled;
  gfloat *near_gain, *near_still_gain;
  gsize values_len, queue_len, state_len, near_dx_len, near_dy_len;
  gsize pooled_len, near_gain_len, near_still_gain_len;
};

static const gchar *verdict_names[] = {
  "registered", "needs-registration", "no-texture"
};

const gchar *
bw_verdict_name (BwVerdictKind kind)
{
  return kind <= BW_VERDICT_NO_TEXTURE ? verdict_names[kind] : "unknown";
}

BwVerdictWork *
bw_verdict_work_new (void)
{
  return g_new0 (BwVerdictWork, 1);
}

void
bw_verdict_work_free (BwVerdictWork * work)
{
  if (!work)
    return;
  g_free (work->values);
  g_free (work->queue);
  g_free (work->state);
  g_free (work->near_dx);
  g_free (work->near_dy);
  g_free (work->pooled);
  g_free (work->near_gain);
  g_free (work->near_still_gain);
  g_free (work);
}

/* The per-block arrays; the neighbourhoods' are used only with a search. */
static void
work_reserve (BwVerdictWork * w, gsize n, gboolean search)
{
  BW_GROW (w->values, w->values_len, n);
  BW_GROW (w->queue, w->queue_len, n);
  BW_GROW (w->state, w->state_len, n);
  if (!search)
    return;
  BW_GROW (w->near_dx, w->near_dx_len, n);
  BW_GROW (w->near_dy, w->near_dy_len, n);
  BW_GROW (w->pooled, w->pooled_len, n);
  BW_GROW (w->near_gain, w->near_gain_len, n);
  BW_GROW (w->near_still_gain, w->near_still_gain_len, n);
}

/* Whether block i's window moved by (dx, dy) stays in the frame. */
static gboolean
window_inside (const BwVerdictParams * p, gsize i, gint dx, gint dy)
{
  gint x0 = (i % p->cols) * p->block_width;
  gint y0 = (i / p->cols) * p->block_height;
  gint x1 = MIN (x0 + (gint) p->block_width, (gint) p->width);
  gint y1 = MIN (y0 + (gint) p->block_height, (gint) p->height);

  return x0 + dx >= 0 && y0 + dy >= 0 && x1 + dx <= (gint) p->width
      && y1 + dy <= (gint) p->height;
}

/* Whether the search could try offset (dx, dy) at block i. */
static gboolean
offset_tried (const BwVerdictParams * p, gsize i, gint dx, gint dy)
{
  return ABS (dx - p->centre_x) <= (gint) p->search_radius
      && ABS (dy - p->centre_y) <= (gint) p->search_radius
      && window_inside (p, i, dx, dy);
}

static gboolean
is_informative (const BwVerdictParams * p, const gfloat * r,
    const BwBlockShift * shift, gsize i)
{
  if (isnan (r[i]))
    return FALSE;
  if (p->search_radius == 0 || !shift)
    return TRUE;
  if (isnan (shift[i].r_best) || shift[i].n <= 3)
    return FALSE;
  /* A block whose search could try no offset but its centre (a frame
   * hardly larger than the block) says nothing about a displacement. */
  {
    const gint cx = p->centre_x, cy = p->centre_y;

    if (!offset_tried (p, i, cx + 1, cy) && !offset_tried (p, i, cx - 1, cy)
        && !offset_tried (p, i, cx, cy + 1)
        && !offset_tried (p, i, cx, cy - 1))
      return FALSE;
  }
  return bw_r_above_zero (shift[i].r_best, shift[i].n, BW_SIGNAL_Z);
}

/* Without a search: whether block i's r lies below what the pair's noise
 * leaves for its texture (TRUE when that noise is unknown). */
static gboolean
below_noise_r (const BwVerdictParams * p, const gfloat * r, gsize i)
{
  guint n = p->block_width * p->block_height;
  gdouble va, vb, sa, sb, re;

  if (!p->noise || !p->stddev_a || !p->stddev_b || !p->mean_a
      || !p->mean_b || n <= 3)
    return TRUE;
  va = bw_background_noise_var (&p->noise[0], p->mean_a[i]);
  vb = bw_background_noise_var (&p->noise[1], p->mean_b[i]);
  sa = p->stddev_a[i];
  sb = p->stddev_b[i];
  if (isnan (va) || isnan (vb) || !(sa > 0 && sb > 0))
    return TRUE;
  re = sqrt (MAX (0.0, 1.0 - va / (sa * sa)) * MAX (0.0, 1.0 - vb / (sb * sb)));
  return bw_fisher_z (r[i]) < bw_fisher_z (re) - LOW_R_Z / sqrt (n - 3.0);
}

/* What the per-block rules share when they run a block row at a time on
 * the threads. */
typedef struct
{
  const BwVerdictParams *p;
  const gfloat *r;
  const BwBlockShift *shift;
  BwVerdictWork *w;
  gdouble ref_x, ref_y;
  /* Informative blocks, per thread. */
  gsize informative[BW_WORKER_MAX_THREADS];
} RowJob;

/* Runs func on every block row, on p's threads. */
static void
run_rows (RowJob * job, BwRowFunc func)
{
  const BwVerdictParams *p = job->p;
  guint row;

  if (p->worker)
    bw_worker_run (p->worker, p->n_threads, p->rows, func, job);
  else
    for (row = 0; row < p->rows; row++)
      func (job, NULL, 0, row);
}

/* The state of each block of a row: informative, valid or neither. */
static void
classify_row (gpointer data, BwScratch * scratch, guint thread, guint row)
{
  RowJob *job = data;
  const BwVerdictParams *p = job->p;
  guint8 *state = job->w->state;
  const gsize first = (gsize) row * p->cols;
  gsize i, m = 0;

  for (i = first; i < first + p->cols; i++) {
    state[i] = is_informative (p, job->r, job->shift, i) ? STATE_INFORMATIVE :
        isnan (job->r[i]) ? STATE_NONE : STATE_VALID;
    m += state[i] == STATE_INFORMATIVE;
  }
  job->informative[thread] += m;
}

/* Median and robust standard error of the median of v[0..m) (reorders and
 * overwrites v).  The values lie within +-scale, a power of two (so the
 * scaling is exact): the medians come from bw_median_r()'s histogram, in
 * one pass, instead of a selection. */
static gdouble
median_and_error (gdouble * v, gsize m, gdouble scale, guint * bins,
    gdouble * error)
{
  gdouble med;
  gsize i;

  for (i = 0; i < m; i++)
    v[i] /= scale;
  med = bw_median_r (v, m, bins);
  /* Deviations lie within 0 .. 2: halved into the histogram's range. */
  for (i = 0; i < m; i++)
    v[i] = 0.5 * fabs (v[i] - med);
  /* sqrt (pi / 2) · 1.4826 · MAD / sqrt (m): the median's standard error
   * for normal scatter. */
  *error = 1.2533 * 1.4826 * 2.0 * bw_median_r (v, m, bins) * scale
      / sqrt ((gdouble) m);
  return med * scale;
}

/* Keeps regions[] sorted by size, the largest BW_MAX_REPORTED_REGIONS. */
static void
report_region (BwVerdict * out, const BwRegion * reg)
{
  guint i = out->n_reported;

  if (i == BW_MAX_REPORTED_REGIONS) {
    if (reg->blocks <= out->regions[i - 1].blocks)
      return;
    i--;
  } else {
    out->n_reported++;
  }
  while (i > 0 && out->regions[i - 1].blocks < reg->blocks) {
    out->regions[i] = out->regions[i - 1];
    i--;
  }
  out->regions[i] = *reg;
}

/* Gathers the suspect blocks linked to seed into queue[first..), marking
 * them visited; returns how many.  With a search (shift not NULL), blocks
 * of moved groups (pool_regions()) link up to MAX_LINK_DISTANCE to blocks
 * of moved groups that moved alike (within a pixel): a moved region that
 * flat parts, which show nothing, split is one region. */
static gsize
gather_component (const BwVerdictParams * p, const BwBlockShift * shift,
    BwVerdictWork * w, guint32 seed, gint link, gsize first)
{
  gsize head = first, tail = first;

  w->queue[tail++] = seed;
  w->state[seed] = w->state[seed] == STATE_UNMATCHED ?
      STATE_VISITED_UNMATCHED : STATE_VISITED_SUSPECT;
  while (head < tail) {
    guint32 i = w->queue[head++];
    gint col = i % p->cols, row = i / p->cols, dx, dy;
    gboolean grouped = shift && w->pooled[i] == POOL_MOVED;
    gint reach = grouped ? MAX (link, MAX_LINK_DISTANCE) : link;

    for (dy = -reach; dy <= reach; dy++) {
      gint y = row + dy;

      if (y < 0 || y >= (gint) p->rows)
        continue;
      for (dx = -reach; dx <= reach; dx++) {
        gint x = col + dx;
        guint32 j = (guint32) y * p->cols + x;

        if (x < 0 || x >= (gint) p->cols || (w->state[j] != STATE_SUSPECT
                && w->state[j] != STATE_UNMATCHED))
          continue;
        if ((ABS (dx) > link || ABS (dy) > link)
            && (w->state[j] != STATE_SUSPECT || w->pooled[j] != POOL_MOVED
                || fabs (shift[j].dx - shift[i].dx) > 1.0
                || fabs (shift[j].dy - shift[i].dy) > 1.0))
          continue;
        w->state[j] = w->state[j] == STATE_UNMATCHED ?
            STATE_VISITED_UNMATCHED : STATE_VISITED_SUSPECT;
        w->queue[tail++] = j;
      }
    }
  }
  return tail - first;
}

/* r of block i at the whole-pixel offset (x, y): the r grid's at (0, 0). */
static gdouble
r_at_offset (const BwVerdictParams * p, const gfloat * r, gsize i, gint x,
    gint y)
{
  return x == 0 && y == 0 ? r[i] : p->r_at (p->r_at_data, i, x, y);
}

/* r of block i at the reference: the best of the whole-pixel offsets
 * around (ref_x, ref_y); r[i] for (0, 0) or without r_at. */
static gdouble
reference_r (const BwVerdictParams * p, const gfloat * r, gsize i,
    gdouble ref_x, gdouble ref_y)
{
  gint x0 = floor (ref_x), y0 = floor (ref_y), x, y;
  gdouble best = -INFINITY;

  if ((ref_x == 0 && ref_y == 0) || !p->r_at)
    return r[i];
  for (y = y0; y <= (gint) ceil (ref_y); y++)
    for (x = x0; x <= (gint) ceil (ref_x); x++) {
      gdouble v = r_at_offset (p, r, i, x, y);

      if (v > best)
        best = v;
    }
  return best == -INFINITY ? NAN : best;
}

/* r at the place block i's offset (bx, by) points to if nothing moved there
 * but the reference: B's window at (bx, by) against A's window at that
 * offset less the reference (the best of the whole-pixel offsets
 * around it whose window stays in the frame; -1 where A's window is flat,
 * which explains nothing).  NaN when every such window leaves the frame:
 * the pair cannot be measured. */
static gdouble
still_r (const BwVerdictParams * p, gint bx, gint by, gsize i,
    gdouble ref_x, gdouble ref_y)
{
  gint x, y;
  gdouble best = NAN;

  for (y = floor (ref_y); y <= (gint) ceil (ref_y); y++)
    for (x = floor (ref_x); x <= (gint) ceil (ref_x); x++) {
      gdouble v;

      if (!window_inside (p, i, bx - x, by - y))
        continue;
      v = p->r_pair (p->r_at_data, i, bx - x, by - y, bx, by);
      if (isnan (v))
        v = -1;
      if (isnan (best) || v > best)
        best = v;
    }
  return best;
}

#define HAS_SHIFT(state) ((state) == STATE_INFORMATIVE \
    || (state) == STATE_SUSPECT)

/* pool_regions()'s test of each block of a row at its neighbours'
 * displacement (it reads the states, which are final by then, and writes
 * only the row's own blocks). */
static void
pool_row (gpointer data, BwScratch * scratch, guint thread, guint block_row)
{
  const RowJob *job = data;
  const BwVerdictParams *p = job->p;
  const gfloat *r = job->r;
  const BwBlockShift *shift = job->shift;
  BwVerdictWork *w = job->w;
  const gdouble ref_x = job->ref_x, ref_y = job->ref_y;
  const gint rx0 = floor (ref_x), rx1 = ceil (ref_x);
  const gint ry0 = floor (ref_y), ry1 = ceil (ref_y);
  const gsize first = (gsize) block_row * p->cols;
  gsize i;

  for (i = first; i < first + p->cols; i++) {
    gint col = i % p->cols, row = i / p->cols, dx, dy, x, y;
    gdouble vx[8], vy[8], rd, r0, still;
    guint k = 0;

    w->pooled[i] = POOL_NONE;
    if (!p->r_at || !HAS_SHIFT (w->state[i]) || shift[i].n <= 3)
      continue;
    for (dy = -1; dy <= 1; dy++)
      for (dx = -1; dx <= 1; dx++) {
        gint cx = col + dx, cy = row + dy;
        gsize j = (gsize) cy * p->cols + cx;

        if ((dx || dy) && cx >= 0 && cy >= 0 && cx < (gint) p->cols
            && cy < (gint) p->rows && HAS_SHIFT (w->state[j])) {
          vx[k] = shift[j].dx;
          vy[k++] = shift[j].dy;
        }
      }
    if (k < MIN_NEIGHBOURS)
      continue;
    x = lround (bw_median8 (vx, k));
    y = lround (bw_median8 (vy, k));
    if ((x >= rx0 && x <= rx1 && y >= ry0 && y <= ry1)
        || !offset_tried (p, i, x, y) || !offset_tried (p, i, rx0, ry0)
        || !offset_tried (p, i, rx1, ry1))
      continue;
    rd = r_at_offset (p, r, i, x, y);
    r0 = reference_r (p, r, i, ref_x, ref_y);
    still = p->r_pair ? still_r (p, x, y, i, ref_x, ref_y) : rd;
    if (isnan (rd) || isnan (r0) || isnan (still))
      continue;
    w->near_still_gain[i] = (bw_fisher_z (rd) - bw_fisher_z (still))
        * sqrt ((shift[i].n - 3.0) / 2.0);
    w->near_dx[i] = x;
    w->near_dy[i] = y;
    w->near_gain[i] = (bw_fisher_z (rd) - bw_fisher_z (r0))
        * sqrt ((shift[i].n - 3.0) / 2.0);
    w->pooled[i] = POOL_CANDIDATE;
  }

}

/* Where the noise hides a displacement from every block alone, a region
 * that moved still shows as neighbours that moved alike.  Each block is
 * tested at the displacement of its neighbours (the median of their whole
 * displacements, without its own, so its own noise does not choose where
 * it is tested): its gain in r there over the reference, in standard
 * errors.  Blocks side by side whose neighbourhoods moved alike (within a
 * pixel) form a group; a group of at least min_region_blocks whose summed
 * gain clears POOLED_GAIN_Z standard errors of a sum moved: its blocks
 * become suspect.  Without motion the gains away from the reference are
 * around or below 0, whatever the blocks' own best offsets. */
static void
pool_regions (RowJob * job, const BwVerdictParams * p, const gfloat * r,
    const BwBlockShift * shift, gdouble ref_x, gdouble ref_y, BwVerdictWork * w)
{
  const gsize n = (gsize) p->cols * p->rows;
  gsize i;

  job->ref_x = ref_x;
  job->ref_y = ref_y;
  run_rows (job, pool_row);

  for (i = 0; i < n; i++) {
    gsize head = 0, tail = 0, k;
    gdouble sum = 0, still_sum = 0;
    gint dx0, dy0;

    if (w->pooled[i] != POOL_CANDIDATE)
      continue;
    w->queue[tail++] = i;
    w->pooled[i] = POOL_GROUPED;
    while (head < tail) {
      guint32 b = w->queue[head++];
      gint col = b % p->cols, row = b / p->cols, dx, dy;

      sum += w->near_gain[b];
      still_sum += w->near_still_gain[b];
      for (dy = -1; dy <= 1; dy++)
        for (dx = -1; dx <= 1; dx++) {
          gint cx = col + dx, cy = row + dy;
          guint32 j = (guint32) cy * p->cols + cx;

          if (cx < 0 || cy < 0 || cx >= (gint) p->cols
              || cy >= (gint) p->rows || w->pooled[j] != POOL_CANDIDATE
              || w->near_dx[j] != w->near_dx[b]
              || w->near_dy[j] != w->near_dy[b])
            continue;
          w->pooled[j] = POOL_GROUPED;
          w->queue[tail++] = j;
        }
    }
    /* The group's windows must also fit B better moved than still, on the
     * whole (as single blocks must, see still_r()). */
    if (tail < MAX (p->min_region_blocks, 1)
        || sum < POOLED_GAIN_Z * sqrt ((gdouble) tail)
        || (p->r_pair && !(still_sum > 0)))
      continue;
    /* The group moved.  Its blocks that gain there are displaced, and so
     * are the blocks next to them, one after the other, that moved alike
     * (within a pixel) and gain GROW_GAIN_Z standard errors at the group's
     * displacement: the parts of the region where the noise split the
     * neighbourhoods' displacements. */
    head = 0;
    for (k = 0; k < tail; k++) {
      guint32 b = w->queue[k];

      if (w->near_gain[b] > 0 && HAS_SHIFT (w->state[b])) {
        w->state[b] = STATE_SUSPECT;
        w->pooled[b] = POOL_MOVED;
        w->queue[head++] = b;
      }
    }
    dx0 = w->near_dx[i];
    dy0 = w->near_dy[i];
    for (k = 0; k < head; k++) {
      guint32 b = w->queue[k];
      gint col = b % p->cols, row = b / p->cols, dx, dy;

      for (dy = -1; dy <= 1; dy++)
        for (dx = -1; dx <= 1; dx++) {
          gint cx = col + dx, cy = row + dy;
          guint32 j = (guint32) cy * p->cols + cx;
          gdouble rd;

          if (cx < 0 || cy < 0 || cx >= (gint) p->cols
              || cy >= (gint) p->rows || w->state[j] != STATE_INFORMATIVE
              || w->pooled[j] == POOL_NONE || ABS (w->near_dx[j] - dx0) > 1
              || ABS (w->near_dy[j] - dy0) > 1
              || !offset_tried (p, j, dx0, dy0))
            continue;
          rd = r_at_offset (p, r, j, dx0, dy0);
          if (!bw_r_gain_above (rd, reference_r (p, r, j, ref_x, ref_y),
                  shift[j].n, GROW_GAIN_Z) || (p->r_pair
                  && !(rd > still_r (p, dx0, dy0, j, ref_x, ref_y))))
            continue;
          w->state[j] = STATE_SUSPECT;
          w->pooled[j] = POOL_MOVED;
          w->queue[head++] = j;
        }
    }
  }
}

#undef HAS_SHIFT

/* Whether displacement (x, y) lies part of the way from the reference
 * (rx, ry) to a region's displacement (mx, my): projected on that line at
 * 0.25 .. 1.25 of it, at most a pixel off the line. */
static gboolean
partway (gdouble x, gdouble y, gdouble mx, gdouble my, gdouble rx, gdouble ry)
{
  gdouble ux = mx - rx, uy = my - ry, len2 = ux * ux + uy * uy, t, off;

  if (len2 == 0)
    return FALSE;
  t = ((x - rx) * ux + (y - ry) * uy) / len2;
  off = fabs ((x - rx) * uy - (y - ry) * ux) / sqrt (len2);
  return t >= 0.25 && t <= 1.25 && off <= 1.0;
}

/* Whether displacement (x, y) agrees with a region displaced by (mx, my):
 * within a pixel of it, or part of the way to it. */
static gboolean
agrees (gdouble x, gdouble y, gdouble mx, gdouble my, gdouble rx, gdouble ry)
{
  return (fabs (x - mx) <= 1.0 && fabs (y - my) <= 1.0)
      || partway (x, y, mx, my, rx, ry);
}

/* Measures a component (queue[first..first + m)): its unmatched blocks and
 * its displaced blocks that agree with the median displacement of the
 * displaced ones form the region.  Returns TRUE when the region counts, and
 * marks its blocks in suspect. */
static gboolean
measure_region (const BwVerdictParams * p, const gfloat * r,
    const BwBlockShift * shift, gdouble ref_x, gdouble ref_y,
    BwVerdictWork * w, gsize first, gsize m, BwRegion * reg, guint8 * suspect)
{
  const guint32 *blocks = w->queue + first;
  gdouble *v = w->values;
  gdouble mx = NAN, my = NAN;
  guint c0 = G_MAXUINT, c1 = 0, r0 = G_MAXUINT, r1 = 0, n = 0, at = 0;
  guint unmatched = 0;
  gsize i, nr = 0, nd = 0;

#define IS_UNMATCHED(b) (w->state[b] == STATE_VISITED_UNMATCHED)
#define AGREES(b) (IS_UNMATCHED (b) || !shift \
    || agrees (shift[b].dx, shift[b].dy, mx, my, ref_x, ref_y))
  if (shift) {
    for (i = 0; i < m; i++)
      if (!IS_UNMATCHED (blocks[i]))
        v[nd++] = shift[blocks[i]].dx;
    if (nd) {
      mx = bw_median (v, nd);
      nd = 0;
      for (i = 0; i < m; i++)
        if (!IS_UNMATCHED (blocks[i]))
          v[nd++] = shift[blocks[i]].dy;
      my = bw_median (v, nd);
    }
  }
  for (i = 0; i < m; i++) {
    guint32 b = blocks[i];

    if (!AGREES (b))
      continue;
    n++;
    c0 = MIN (c0, b % p->cols);
    c1 = MAX (c1, b % p->cols);
    r0 = MIN (r0, b / p->cols);
    r1 = MAX (r1, b / p->cols);
    if (IS_UNMATCHED (b))
      unmatched++;
    else if (shift && shift[b].at_radius)
      at++;
    if (!isnan (r[b]))
      v[nr++] = r[b];
  }
  if (n < MAX (p->min_region_blocks, 1))
    return FALSE;

  /* Border blocks: informative neighbours of the region that moved part of
   * the way with it (a block half covered by the moved content moves about
   * half as far, too little to be suspect by itself). */
  for (i = 0; i < m && shift && !isnan (mx); i++) {
    gint col = blocks[i] % p->cols, row = blocks[i] / p->cols, dx, dy;

    if (!AGREES (blocks[i]))
      continue;
    for (dy = -1; dy <= 1; dy++)
      for (dx = -1; dx <= 1; dx++) {
        gint x = col + dx, y = row + dy;
        guint32 j = (guint32) y * p->cols + x;

        if (x < 0 || y < 0 || x >= (gint) p->cols || y >= (gint) p->rows
            || w->state[j] != STATE_INFORMATIVE
            || !partway (shift[j].dx, shift[j].dy, mx, my, ref_x, ref_y)
            || !bw_r_gain_above (shift[j].r_best, reference_r (p, r, j,
                    ref_x, ref_y), shift[j].n, BORDER_GAIN_Z))
          continue;
        w->state[j] = STATE_BORDER;
        n++;
        c0 = MIN (c0, (guint) x);
        c1 = MAX (c1, (guint) x);
        r0 = MIN (r0, (guint) y);
        r1 = MAX (r1, (guint) y);
        if (!isnan (r[j]))
          v[nr++] = r[j];
        if (suspect)
          suspect[j] = 1;
      }
  }

  reg->blocks = n;
  reg->unmatched = unmatched;
  reg->x = c0 * p->block_width;
  reg->y = r0 * p->block_height;
  reg->width = MIN ((c1 + 1) * p->block_width, p->width) - reg->x;
  reg->height = MIN ((r1 + 1) * p->block_height, p->height) - reg->y;
  reg->median_r = bw_median (v, nr);
  /* The displacement of the region's displaced blocks; none when every
   * member is unmatched. */
  reg->shift_x = n > unmatched ? mx : NAN;
  reg->shift_y = n > unmatched ? my : NAN;
  reg->at_radius = n > unmatched && 2 * at > n - unmatched;
  if (suspect)
    for (i = 0; i < m; i++)
      suspect[blocks[i]] = AGREES (blocks[i]);
#undef AGREES
#undef IS_UNMATCHED
  return TRUE;
}


/* The median r of the valid blocks whose top-left corner lies in none of
 * the reported regions.  Without regions it is the caller's median of all
 * valid blocks, when given. */
static gdouble
median_outside (const BwVerdictParams * p, const gfloat * r,
    const BwVerdict * v, BwVerdictWork * w)
{
  const BwRegion *in_row[BW_MAX_REPORTED_REGIONS];
  gsize m = 0;
  guint row, col, k;

  if (v->n_reported == 0 && !isnan (p->median_r))
    return p->median_r;
  for (row = 0; row < p->rows; row++) {
    const gfloat *rr = r + (gsize) row * p->cols;
    guint y = row * p->block_height, n_in_row = 0;

    /* Only the regions that span this row can hold its blocks. */
    for (k = 0; k < v->n_reported; k++)
      if (y >= v->regions[k].y && y - v->regions[k].y < v->regions[k].height)
        in_row[n_in_row++] = &v->regions[k];
    for (col = 0; col < p->cols; col++) {
      guint x = col * p->block_width;
      gboolean inside = FALSE;

      if (isnan (rr[col]))
        continue;
      for (k = 0; k < n_in_row && !inside; k++)
        inside = x >= in_row[k]->x && x - in_row[k]->x < in_row[k]->width;
      if (!inside)
        w->values[m++] = rr[col];
    }
  }
  return bw_median_r (w->values, m, w->bins);
}

void
bw_verdict_compute (const BwVerdictParams * p, const gfloat * r,
    const BwBlockShift * shift, BwVerdictWork * w, BwVerdict * out,
    guint8 * suspect)
{
  const gsize n = (gsize) p->cols * p->rows;
  const gboolean search = shift && p->search_radius > 0;
  gdouble ref_x = 0, ref_y = 0, r_floor = -INFINITY, noise2 = NAN;
  gdouble noise2_per_level = NAN;
  RowJob job;
  gsize i, m = 0;
  gint link;

  /* Without a search the shifts are not looked at, and the working memory
   * of the search's rules is not there. */
  if (!search)
    shift = NULL;
  memset (out, 0, sizeof (*out));
  out->shift_x = out->shift_y = out->median_r_outside = NAN;
  if (suspect)
    memset (suspect, 0, n);
  work_reserve (w, n, search);

  memset (&job, 0, sizeof (job));
  job.p = p;
  job.r = r;
  job.shift = shift;
  job.w = w;
  run_rows (&job, classify_row);
  for (i = 0; i < BW_WORKER_MAX_THREADS; i++)
    m += job.informative[i];
  out->informative = m;
  if (m < MAX (1, MIN (8, n / 4))) {
    out->verdict = BW_VERDICT_NO_TEXTURE;
    out->median_r_outside = median_outside (p, r, out, w);
    return;
  }

  if (search) {
    const gint R = p->search_radius;
    const gint x0 = p->centre_x - R, x1 = p->centre_x + R;
    const gint y0 = p->centre_y - R, y1 = p->centre_y + R;
    const gdouble scale = shift_scale (p);
    gdouble ex, ey;
    gsize k = 0, whole = 0, at = 0;

    /* Blocks with a whole search and a fitted peak, if enough of them. */
    for (i = 0; i < n; i++)
      whole += w->state[i] == STATE_INFORMATIVE && shift[i].fitted
          && offset_tried (p, i, x0, y0) && offset_tried (p, i, x1, y1);
#define GLOBAL_BLOCK(i) (w->state[i] == STATE_INFORMATIVE \
    && (whole < MAX (m / 4, 1) || (shift[i].fitted \
            && offset_tried (p, i, x0, y0) && offset_tried (p, i, x1, y1))))
    for (i = 0; i < n; i++)
      if (GLOBAL_BLOCK (i)) {
        w->values[k++] = shift[i].dx;
        at += shift[i].at_radius;
      }
    out->shift_x = median_and_error (w->values, k, scale, w->bins, &ex);
    k = 0;
    for (i = 0; i < n; i++)
      if (GLOBAL_BLOCK (i))
        w->values[k++] = shift[i].dy;
    out->shift_y = median_and_error (w->values, k, scale, w->bins, &ey);
#undef GLOBAL_BLOCK
    out->shift_significant =
        hypot (out->shift_x, out->shift_y) > 0
        && hypot (out->shift_x, out->shift_y) >= p->shift_tolerance
        && hypot (out->shift_x, out->shift_y) >= 3.0 * hypot (ex, ey);
    out->shift_at_limit = p->coarse_at_limit || (!p->coarse_found
        && out->shift_significant && 2 * at > k);
    /* The reference is the global shift when it counts, and also when
     * the search was centred away from (0, 0), which it then never tried. */
    if (out->shift_significant || ((p->centre_x || p->centre_y)
            && isfinite (out->shift_x) && isfinite (out->shift_y))) {
      ref_x = out->shift_x;
      ref_y = out->shift_y;
    }
  } else {
    gdouble med, mad;
    gsize k = 0;

    for (i = 0; i < n; i++)
      if (w->state[i] == STATE_INFORMATIVE)
        w->values[k++] = r[i];
    if (!isnan (p->median_r)) {
      /* The caller's median of the same values: only the spread is new. */
      med = p->median_r;
      for (k = 0; k < m; k++)
        w->values[k] = 0.5 * fabs (w->values[k] - med);
      mad = 1.2533 * 1.4826 * 2.0 * bw_median_r (w->values, m, w->bins)
          / sqrt ((gdouble) m);
    } else {
      med = median_and_error (w->values, m, 1.0, w->bins, &mad);
    }
    /* median_and_error gives the error of the median; the spread of the
     * values is that times sqrt (m) / 1.2533. */
    mad = mad * sqrt ((gdouble) m) / 1.2533;
    r_floor = med - 4.0 * MAX (mad, 0.01);
    /* The typical block does not correlate beyond noise: the images are
     * unrelated or misaligned by more than their texture's size (without
     * a search, this is all that can be said). */
    {
      gsize k;

      for (k = 0; k < n && isnan (r[k]); k++);
      out->uncorrelated = k < n && p->block_width * p->block_height > 3
          && !bw_r_above_zero (med, p->block_width * p->block_height,
          BW_SIGNAL_Z);
    }
  }

  /* The frame's noise, as the variance that explains the informative
   * blocks' r (the v of expected_r()): the median over them, and, for
   * photon noise, whose variance grows with the intensity, the median of
   * v per unit of mean intensity.  A block expects the larger of the two
   * (the lower r): the rule stays cautious for either kind of noise. */
  if (search && p->stddev_a && p->stddev_b && p->mean_a && p->mean_b) {
    gsize k = 0;

    for (i = 0; i < n; i++) {
      gdouble sa = p->stddev_a[i], sb = p->stddev_b[i];

      if (w->state[i] == STATE_INFORMATIVE && sa > 0 && sb > 0)
        w->values[k++] = 2.0 * (1.0 - shift[i].r_best)
            / (1.0 / (sa * sa) + 1.0 / (sb * sb));
    }
    noise2 = bw_median (w->values, k);
    k = 0;
    for (i = 0; i < n; i++) {
      gdouble sa = p->stddev_a[i], sb = p->stddev_b[i];

      if (w->state[i] == STATE_INFORMATIVE && sa > 0 && sb > 0)
        w->values[k++] = 2.0 * (1.0 - shift[i].r_best)
            / (1.0 / (sa * sa) + 1.0 / (sb * sb))
            / MAX (0.5 * (p->mean_a[i] + p->mean_b[i]), 1.0);
    }
    noise2_per_level = bw_median (w->values, k);
  }

  /* Suspect blocks. */
  for (i = 0; i < n; i++) {
    gboolean s;

    if (w->state[i] != STATE_INFORMATIVE)
      continue;
    if (search) {
      const BwBlockShift *b = &shift[i];

      /* At the frame's edges the search is one-sided: a block that could
       * not try the offsets around the reference cannot disagree with it. */
      if (!offset_tried (p, i, floor (ref_x), floor (ref_y))
          || !offset_tried (p, i, ceil (ref_x), ceil (ref_y)))
        continue;
      s = hypot (b->dx - ref_x, b->dy - ref_y) >= SUSPECT_SHIFT
          && bw_r_gain_above (b->r_best, reference_r (p, r, i, ref_x,
              ref_y), b->n, GAIN_Z);
      /* The pair as it would be if nothing had moved must fit B's window
       * worse; where it cannot be measured, the gain cannot be told from
       * an intensity change, as at the frame's edges above. */
      if (s && p->r_pair) {
        gdouble still = still_r (p, p->centre_x + b->best_x,
            p->centre_y + b->best_y, i, ref_x, ref_y);

        s = !isnan (still) && b->r_best > still;
      }
    } else {
      s = r[i] < r_floor && below_noise_r (p, r, i);
    }
    if (s)
      w->state[i] = STATE_SUSPECT;
  }

  /* Unmatched blocks: the best r is far below what the frame's noise
   * leaves for a block with this much texture (four times the mismatch,
   * and 0.2 lower).  Not at the frame's edges where the offsets around
   * the reference lead out of the frame. */
  for (i = 0; i < n && !isnan (noise2); i++) {
    gdouble re, rb;

    if ((w->state[i] != STATE_INFORMATIVE && w->state[i] != STATE_VALID)
        || !offset_tried (p, i, floor (ref_x), floor (ref_y))
        || !offset_tried (p, i, ceil (ref_x), ceil (ref_y)))
      continue;
    re = expected_r (p->stddev_a[i], p->stddev_b[i], MAX (noise2,
            noise2_per_level * MAX (0.5 * (p->mean_a[i] + p->mean_b[i]), 1.0)));
    rb = isnan (shift[i].r_best) ? 0 : shift[i].r_best;
    if (1.0 - rb > 4.0 * (1.0 - re) && rb < re - 0.2)
      w->state[i] = STATE_UNMATCHED;
  }

  if (search)
    pool_regions (&job, p, r, shift, ref_x, ref_y, w);

  /* Link distance: 2 blocks, or the typical spacing of informative blocks
   * where they are sparse. */
  link = CLAMP ((gint) ceil (sqrt ((gdouble) n / m)), 2, MAX_LINK_DISTANCE);
  for (i = 0; i < n; i++) {
    BwRegion reg;
    gsize size;

    if (w->state[i] != STATE_SUSPECT && w->state[i] != STATE_UNMATCHED)
      continue;
    size = gather_component (p, shift, w, i, link, 0);
    if (measure_region (p, r, shift, ref_x, ref_y, w, 0, size, &reg, suspect)) {
      out->n_regions++;
      report_region (out, &reg);
    }
  }

  out->verdict = out->shift_significant || out->n_regions > 0
      || out->uncorrelated ?
      BW_VERDICT_NEEDS_REGISTRATION : BW_VERDICT_REGISTERED;
  out->median_r_outside = median_outside (p, r, out, w);
}
