/* gst-blockwise: resampling a plane through a transform (drift
 * correction), in the plane's own sample format.
 *
 * A pure shift has the same interpolation weights at every pixel: it is
 * filtered along rows, then down columns, with the four weights of each
 * axis computed once.  Any other transform computes its source point and
 * weights per pixel.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>
#include "warp.h"

/* Shifts this close to a whole number of pixels are that number: the
 * transform's arithmetic must not turn a copy into an interpolation. */
#define WHOLE_PIXEL_TOLERANCE 1e-9
/* Samples added on each side of an unpacked row, so that the horizontal
 * taps of any covered pixel read the edge samples without clamping. */
#define ROW_PAD 2
/* Largest magnitude of a transform's coefficients. */
#define MAX_COEFFICIENT 1e100

#if defined(__GNUC__)
#define WARP_INLINE inline __attribute__ ((always_inline))
#else
#define WARP_INLINE inline
#endif

/* The transform in the plane's own pixel coordinates: the source point
 * of pixel (x, y) is (x0 + xx x + xy y, y0 + yx x + yy y). */
typedef struct
{
  gdouble x0, xx, xy;
  gdouble y0, yx, yy;
} PlaneMap;

typedef struct
{
  const BwWarpPlane *src;
  BwWarpPlane *dst;
  BwBorder border;
  guint fill;
  guint sample_size;
  guint top;                    /* the format's largest sample */
} Job;

static guint
sample_size (BwSampleFormat format)
{
  return format == BW_SAMPLE_U8 ? 1 : 2;
}

static WARP_INLINE guint
load_sample (const guint8 * p, BwSampleFormat format)
{
  switch (format) {
    case BW_SAMPLE_U8:
      return p[0];
    case BW_SAMPLE_U16LE:
      return p[0] | ((guint) p[1] << 8);
    default:
      return ((guint) p[0] << 8) | p[1];
  }
}

static WARP_INLINE void
store_sample (guint8 * p, BwSampleFormat format, guint v)
{
  switch (format) {
    case BW_SAMPLE_U8:
      p[0] = v;
      break;
    case BW_SAMPLE_U16LE:
      p[0] = v & 0xff;
      p[1] = v >> 8;
      break;
    default:
      p[0] = v >> 8;
      p[1] = v & 0xff;
      break;
  }
}

/* Round to nearest (halves up), clamped to 0 .. top. */
static inline guint
round_sample (gdouble v, guint top)
{
  gdouble r = v + 0.5;

  if (!(r >= 1.0))
    return 0;
  if (r >= top)
    return top;
  return (guint) r;
}

/* Keys' cubic convolution kernel (a = -0.5) at the distances 1 + f, f,
 * 1 - f and 2 - f of the taps floor (s) - 1 .. floor (s) + 2 from a source
 * point s of fraction f.  At f = 0 exactly 0, 1, 0, 0; the sum is 1. */
static inline void
keys_weights (gdouble f, gdouble w[4])
{
  gdouble f2 = f * f, f3 = f2 * f;

  w[0] = 0.5 * (-f3 + 2.0 * f2 - f);
  w[1] = 1.5 * f3 - 2.5 * f2 + 1.0;
  w[2] = -1.5 * f3 + 2.0 * f2 + 0.5 * f;
  w[3] = 0.5 * (f3 - f2);
}

static inline gint
clamp_index (gint64 i, guint size)
{
  return (gint) CLAMP (i, 0, (gint64) size - 1);
}

/* Clamps a source coordinate into [0, size - 1]; NaN goes to 0. */
static inline gdouble
clamp_coordinate (gdouble s, guint size)
{
  if (!(s >= 0.0))
    return 0.0;
  if (s > size - 1.0)
    return size - 1.0;
  return s;
}

static inline gboolean
covered (gdouble s, guint size)
{
  return s >= -0.5 && s < size - 0.5;
}

static void
plane_map (const BwTransform * motion, const BwWarpPlane * p, PlaneMap * pm)
{
  const gdouble *m = motion->m;
  const gdouble sx = p->scale_x, sy = p->scale_y;
  const gdouble ox = 0.5 / sx - 0.5, oy = 0.5 / sy - 0.5;

  pm->xx = m[1];
  pm->xy = m[2] * sx / sy;
  pm->x0 = sx * (m[0] + m[1] * ox + m[2] * oy + 0.5) - 0.5;
  pm->yx = m[4] * sy / sx;
  pm->yy = m[5];
  pm->y0 = sy * (m[3] + m[4] * ox + m[5] * oy + 0.5) - 0.5;
}

static gboolean
is_shift (const BwTransform * motion)
{
  const gdouble *m = motion->m;

  return m[1] == 1.0 && m[5] == 1.0 && m[2] == 0.0 && m[4] == 0.0;
}

static gdouble
snap_whole (gdouble t)
{
  gdouble r = round (t);

  return fabs (t - r) <= WHOLE_PIXEL_TOLERANCE ? r : t;
}

/* ---- validation ---------------------------------------------------------- */

static gboolean
plane_valid (const BwWarpPlane * p)
{
  guint size;

  if (p == NULL || p->data == NULL || p->width == 0 || p->height == 0)
    return FALSE;
  if (p->width > G_MAXINT || p->height > G_MAXINT)
    return FALSE;
  if (p->format != BW_SAMPLE_U8 && p->format != BW_SAMPLE_U16LE
      && p->format != BW_SAMPLE_U16BE)
    return FALSE;
  if (p->components != 1 && p->components != 2)
    return FALSE;
  size = sample_size (p->format);
  if (p->pixel_stride < p->components * size)
    return FALSE;
  if (p->height > 1 && (gsize) ABS (p->stride)
      < (gsize) (p->width - 1) * p->pixel_stride + p->components * size)
    return FALSE;
  if (!isfinite (p->scale_x) || !isfinite (p->scale_y) || p->scale_x <= 0
      || p->scale_y <= 0)
    return FALSE;
  return TRUE;
}

/* The plane's bytes: [*lo, *hi). */
static void
plane_span (const BwWarpPlane * p, const guint8 ** lo, const guint8 ** hi)
{
  gssize last_row = (gssize) (p->height - 1) * p->stride;
  gsize row_bytes = (gsize) (p->width - 1) * p->pixel_stride
      + p->components * sample_size (p->format);

  *lo = p->data + MIN (last_row, 0);
  *hi = p->data + MAX (last_row, 0) + row_bytes;
}

/* Bounded, so that no source point overflows to infinity or NaN. */
static gboolean
coefficient_valid (gdouble c)
{
  return fabs (c) <= MAX_COEFFICIENT;
}

static gboolean
args_valid (const BwTransform * motion, const BwWarpPlane * src,
    const BwWarpPlane * dst, BwBorder border, guint fill)
{
  const guint8 *src_lo, *src_hi, *dst_lo, *dst_hi;
  PlaneMap pm;
  guint i;

  if (motion == NULL || !plane_valid (src) || !plane_valid (dst))
    return FALSE;
  if (src->width != dst->width || src->height != dst->height
      || src->format != dst->format || src->components != dst->components
      || src->pixel_stride != dst->pixel_stride
      || src->scale_x != dst->scale_x || src->scale_y != dst->scale_y)
    return FALSE;
  if (border != BW_BORDER_EDGE && border != BW_BORDER_CONSTANT)
    return FALSE;
  if (border == BW_BORDER_CONSTANT
      && fill > (src->format == BW_SAMPLE_U8 ? 255u : 65535u))
    return FALSE;
  for (i = 0; i < 6; i++)
    if (!coefficient_valid (motion->m[i]))
      return FALSE;
  plane_map (motion, src, &pm);
  if (!coefficient_valid (pm.x0) || !coefficient_valid (pm.xx)
      || !coefficient_valid (pm.xy) || !coefficient_valid (pm.y0)
      || !coefficient_valid (pm.yx) || !coefficient_valid (pm.yy))
    return FALSE;
  plane_span (src, &src_lo, &src_hi);
  plane_span (dst, &dst_lo, &dst_hi);
  return src_hi <= dst_lo || dst_hi <= src_lo;
}

/* ---- output helpers ------------------------------------------------------ */

static WARP_INLINE void
fill_pixels (const Job * job, guint8 * row, guint x0, guint x1,
    BwSampleFormat format)
{
  const BwWarpPlane *d = job->dst;
  guint x, c;

  for (x = x0; x < x1; x++)
    for (c = 0; c < d->components; c++)
      store_sample (row + (gsize) x * d->pixel_stride + c * job->sample_size,
          format, job->fill);
}

/* ---- pure shifts: separable ---------------------------------------------- */

/* One axis of a shift by t: the output positions whose source point is
 * interpolated (EDGE: inside [0, size - 1]; CONSTANT: covered), the
 * offset of their first tap and the four weights. */
typedef struct
{
  guint first, end;             /* output positions [first, end) */
  gint64 tap0;                  /* position p's first tap: p + tap0 */
  gdouble w[4];
  gboolean whole;               /* a whole-pixel shift */
} ShiftAxis;

static void
shift_axis (gdouble t, guint size, BwBorder border, ShiftAxis * a)
{
  gboolean seen = FALSE;
  gdouble whole;
  guint p;

  a->first = a->end = 0;
  for (p = 0; p < size; p++) {
    gdouble s = p + t;
    gboolean inside = border == BW_BORDER_EDGE ? s >= 0 && s <= size - 1.0
        : covered (s, size);

    if (inside && !seen)
      a->first = p;
    if (inside)
      a->end = p + 1;
    seen |= inside;
  }
  if (!seen) {
    /* Every source point beyond one side: before the first position when
     * beyond the start, after the last otherwise. */
    a->first = a->end = t < 0 ? size : 0;
    a->tap0 = 0;
    keys_weights (0, a->w);
    a->whole = TRUE;
    return;
  }
  /* Some position is inside, so |t| < size. */
  whole = floor (t);
  a->tap0 = (gint64) whole - 1;
  keys_weights (t - whole, a->w);
  a->whole = t == whole;
  /* The taps of the positions inside stay within [-ROW_PAD,
   * size - 1 + ROW_PAD] (exactly so unless p + t lost t's fraction). */
  a->first = CLAMP ((gint64) a->first, -ROW_PAD - a->tap0, (gint64) size);
  a->end = CLAMP ((gint64) a->end, a->first, (gint64) size - 3 + ROW_PAD
      - a->tap0);
}

/* Unpacks component c of source row r into u[ROW_PAD .. ROW_PAD + width),
 * the edge samples repeated ROW_PAD times on each side. */
static WARP_INLINE void
unpack_row (const Job * job, guint r, guint c, gdouble * u,
    BwSampleFormat format)
{
  const BwWarpPlane *s = job->src;
  const guint8 *p = s->data + (gssize) r * s->stride + c * job->sample_size;
  guint x, k;

  for (x = 0; x < s->width; x++)
    u[ROW_PAD + x] = load_sample (p + (gsize) x * s->pixel_stride, format);
  for (k = 0; k < ROW_PAD; k++) {
    u[k] = u[ROW_PAD];
    u[ROW_PAD + s->width + k] = u[ROW_PAD + s->width - 1];
  }
}

/* h[x] for every output column x: the row u interpolated at x's source
 * column (for EDGE, the edge samples beyond the interpolated columns). */
static void
filter_row (const Job * job, const ShiftAxis * ax, const gdouble * u,
    gdouble * h)
{
  const guint w = job->src->width;
  const gdouble w0 = ax->w[0], w1 = ax->w[1], w2 = ax->w[2], w3 = ax->w[3];
  const gdouble *t = u + ROW_PAD + ax->tap0;
  guint x;

  for (x = ax->first; x < ax->end; x++)
    h[x] = w0 * t[x] + w1 * t[x + 1] + w2 * t[x + 2] + w3 * t[x + 3];
  if (job->border == BW_BORDER_EDGE) {
    for (x = 0; x < ax->first; x++)
      h[x] = u[ROW_PAD];
    for (x = ax->end; x < w; x++)
      h[x] = u[ROW_PAD + w - 1];
  }
}

/* The filtered rows of one component, four kept (those one output row
 * needs are four consecutive source rows, so row r lives in slot r % 4). */
typedef struct
{
  gdouble *u;
  gdouble *h[4];
  gint64 row[4];
} RowCache;

static const gdouble *
filtered_row (const Job * job, const ShiftAxis * ax, RowCache * cache,
    guint r, guint c, BwSampleFormat format)
{
  guint slot = r & 3;

  if (cache->row[slot] != r) {
    unpack_row (job, r, c, cache->u, format);
    filter_row (job, ax, cache->u, cache->h[slot]);
    cache->row[slot] = r;
  }
  return cache->h[slot];
}

static WARP_INLINE void
shift_rows_format (const Job * job, const ShiftAxis * ax,
    const ShiftAxis * ay, RowCache * cache, guint first_row, guint n_rows,
    BwSampleFormat format)
{
  static const gdouble unit[4] = { 0, 1, 0, 0 };
  const BwWarpPlane *s = job->src, *d = job->dst;
  const guint w = s->width;
  const gboolean edge = job->border == BW_BORDER_EDGE;
  const guint x_first = edge ? 0 : ax->first, x_end = edge ? w : ax->end;
  guint c, y, x, k;

  for (c = 0; c < s->components; c++) {
    for (k = 0; k < 4; k++)
      cache->row[k] = -1;
    for (y = first_row; y < first_row + n_rows; y++) {
      guint8 *out = d->data + (gssize) y * d->stride + c * job->sample_size;
      const gdouble *h[4], *wy = ay->w;
      gint64 base = (gint64) y + ay->tap0;

      if (y < ay->first || y >= ay->end) {
        if (!edge) {
          for (x = 0; x < w; x++)
            store_sample (out + (gsize) x * d->pixel_stride, format, job->fill);
          continue;
        }
        /* The source point clamped to the edge row. */
        base = (y < ay->first ? 0 : (gint64) s->height - 1) - 1;
        wy = unit;
      }
      for (k = 0; k < 4; k++)
        h[k] = filtered_row (job, ax, cache, clamp_index (base + k,
                s->height), c, format);
      for (x = 0; x < x_first; x++)
        store_sample (out + (gsize) x * d->pixel_stride, format, job->fill);
      for (x = x_first; x < x_end; x++) {
        gdouble v = wy[0] * h[0][x] + wy[1] * h[1][x] + wy[2] * h[2][x]
            + wy[3] * h[3][x];

        store_sample (out + (gsize) x * d->pixel_stride, format,
            round_sample (v, job->top));
      }
      for (x = x_end; x < w; x++)
        store_sample (out + (gsize) x * d->pixel_stride, format, job->fill);
    }
  }
}

/* A whole-pixel shift: samples copied (EDGE: the edge samples beyond the
 * shifted plane). */
static WARP_INLINE void
copy_rows_format (const Job * job, const ShiftAxis * ax,
    const ShiftAxis * ay, guint first_row, guint n_rows, BwSampleFormat format)
{
  const BwWarpPlane *s = job->src, *d = job->dst;
  const guint w = s->width, ps = s->pixel_stride;
  const gsize pixel_bytes = s->components * job->sample_size;
  const gboolean edge = job->border == BW_BORDER_EDGE;
  guint y, x;

  for (y = first_row; y < first_row + n_rows; y++) {
    guint8 *out = d->data + (gssize) y * d->stride;
    const guint8 *in;
    guint r;

    if (y < ay->first || y >= ay->end) {
      if (!edge) {
        fill_pixels (job, out, 0, w, format);
        continue;
      }
      r = y < ay->first ? 0 : s->height - 1;
    } else {
      r = clamp_index ((gint64) y + ay->tap0 + 1, s->height);
    }
    in = s->data + (gssize) r *s->stride;
    if (ax->first < ax->end) {
      const guint8 *from = in + (ax->first + ax->tap0 + 1) * (gint64) ps;

      if (ps == pixel_bytes)
        memcpy (out + (gsize) ax->first * ps, from,
            (gsize) (ax->end - ax->first) * ps);
      else
        for (x = ax->first; x < ax->end; x++)
          memcpy (out + (gsize) x * ps, from + (gsize) (x - ax->first) * ps,
              pixel_bytes);
    }
    if (edge) {
      for (x = 0; x < ax->first; x++)
        memcpy (out + (gsize) x * ps, in, pixel_bytes);
      for (x = ax->end; x < w; x++)
        memcpy (out + (gsize) x * ps, in + (gsize) (w - 1) * ps, pixel_bytes);
    } else {
      fill_pixels (job, out, 0, MIN (ax->first, w), format);
      fill_pixels (job, out, ax->end, w, format);
    }
  }
}

static gboolean
warp_shift (const Job * job, gdouble tx, gdouble ty, guint first_row,
    guint n_rows)
{
  const BwWarpPlane *s = job->src;
  ShiftAxis ax, ay;
  RowCache cache;
  gdouble *scratch;
  guint k;

  shift_axis (snap_whole (tx), s->width, job->border, &ax);
  shift_axis (snap_whole (ty), s->height, job->border, &ay);
  if (ax.whole && ay.whole) {
    switch (s->format) {
      case BW_SAMPLE_U8:
        copy_rows_format (job, &ax, &ay, first_row, n_rows, BW_SAMPLE_U8);
        break;
      case BW_SAMPLE_U16LE:
        copy_rows_format (job, &ax, &ay, first_row, n_rows, BW_SAMPLE_U16LE);
        break;
      default:
        copy_rows_format (job, &ax, &ay, first_row, n_rows, BW_SAMPLE_U16BE);
        break;
    }
    return TRUE;
  }

  scratch = g_new (gdouble, (s->width + 2 * ROW_PAD) + 4 * (gsize) s->width);
  cache.u = scratch;
  for (k = 0; k < 4; k++)
    cache.h[k] = scratch + s->width + 2 * ROW_PAD + k * (gsize) s->width;
  switch (s->format) {
    case BW_SAMPLE_U8:
      shift_rows_format (job, &ax, &ay, &cache, first_row, n_rows,
          BW_SAMPLE_U8);
      break;
    case BW_SAMPLE_U16LE:
      shift_rows_format (job, &ax, &ay, &cache, first_row, n_rows,
          BW_SAMPLE_U16LE);
      break;
    default:
      shift_rows_format (job, &ax, &ay, &cache, first_row, n_rows,
          BW_SAMPLE_U16BE);
      break;
  }
  g_free (scratch);
  return TRUE;
}

/* ---- any other transform: per pixel ------------------------------------- */

static WARP_INLINE void
affine_rows_format (const Job * job, const PlaneMap * pm, guint first_row,
    guint n_rows, BwSampleFormat format)
{
  const BwWarpPlane *s = job->src, *d = job->dst;
  const guint w = s->width, h = s->height, ps = s->pixel_stride;
  const guint ss = job->sample_size;
  const gboolean edge = job->border == BW_BORDER_EDGE;
  guint y, x, c, i, j;

  for (y = first_row; y < first_row + n_rows; y++) {
    guint8 *out = d->data + (gssize) y * d->stride;
    const gdouble row_x = pm->x0 + pm->xy * y, row_y = pm->y0 + pm->yy * y;

    for (x = 0; x < w; x++) {
      gdouble sx = row_x + pm->xx * x, sy = row_y + pm->yx * x;
      gdouble wx[4], wy[4];
      const guint8 *rows[4];
      gsize cols[4];
      gint ix, iy;

      if (edge) {
        sx = clamp_coordinate (sx, w);
        sy = clamp_coordinate (sy, h);
      } else if (!covered (sx, w) || !covered (sy, h)) {
        fill_pixels (job, out, x, x + 1, format);
        continue;
      }
      /* sx, sy >= -0.5: truncation is floor but at (-1, 0). */
      ix = (gint) sx;
      ix -= sx < ix;
      iy = (gint) sy;
      iy -= sy < iy;
      keys_weights (sx - ix, wx);
      keys_weights (sy - iy, wy);
      for (i = 0; i < 4; i++) {
        cols[i] = (gsize) clamp_index ((gint64) ix - 1 + i, w) * ps;
        rows[i] = s->data + (gssize) clamp_index ((gint64) iy - 1 + i, h)
            * s->stride;
      }
      for (c = 0; c < s->components; c++) {
        gdouble v = 0;

        for (j = 0; j < 4; j++) {
          const guint8 *r = rows[j] + c * ss;

          v += wy[j] * (wx[0] * load_sample (r + cols[0], format)
              + wx[1] * load_sample (r + cols[1], format)
              + wx[2] * load_sample (r + cols[2], format)
              + wx[3] * load_sample (r + cols[3], format));
        }
        store_sample (out + (gsize) x * ps + c * ss, format,
            round_sample (v, job->top));
      }
    }
  }
}

static gboolean
warp_affine (const Job * job, const BwTransform * motion, guint first_row,
    guint n_rows)
{
  PlaneMap pm;

  plane_map (motion, job->src, &pm);
  switch (job->src->format) {
    case BW_SAMPLE_U8:
      affine_rows_format (job, &pm, first_row, n_rows, BW_SAMPLE_U8);
      break;
    case BW_SAMPLE_U16LE:
      affine_rows_format (job, &pm, first_row, n_rows, BW_SAMPLE_U16LE);
      break;
    default:
      affine_rows_format (job, &pm, first_row, n_rows, BW_SAMPLE_U16BE);
      break;
  }
  return TRUE;
}

/* ---- entry points -------------------------------------------------------- */

gboolean
bw_warp_plane_rows (const BwTransform * motion, const BwWarpPlane * src,
    BwWarpPlane * dst, BwBorder border, guint fill, guint first_row,
    guint n_rows)
{
  Job job;

  if (!args_valid (motion, src, dst, border, fill))
    return FALSE;
  if (first_row > src->height || n_rows > src->height - first_row)
    return FALSE;
  if (n_rows == 0)
    return TRUE;

  job.src = src;
  job.dst = dst;
  job.border = border;
  job.fill = fill;
  job.sample_size = sample_size (src->format);
  job.top = src->format == BW_SAMPLE_U8 ? 255 : 65535;
  if (is_shift (motion))
    return warp_shift (&job, src->scale_x * motion->m[0],
        src->scale_y * motion->m[3], first_row, n_rows);
  return warp_affine (&job, motion, first_row, n_rows);
}

gboolean
bw_warp_plane (const BwTransform * motion, const BwWarpPlane * src,
    BwWarpPlane * dst, BwBorder border, guint fill)
{
  if (src == NULL)
    return FALSE;
  return bw_warp_plane_rows (motion, src, dst, border, fill, 0, src->height);
}
