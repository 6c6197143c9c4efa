/* gst-blockwise: accuracy of the registration verdict on synthetic pairs.
 *
 * Every pair is rendered here from a continuous scene (sums of Gaussian
 * spots and soft ellipses evaluated at x - sx), so a sub-pixel shift is
 * exact and the expected answer comes from the synthesis, never from the
 * library.  Both images get their own noise.  Kinds of scene:
 *
 *  - smooth: band-limited random texture (Gaussian blobs of three sizes,
 *    both signs) on a bright level;
 *  - cells: textured nuclei (soft ellipses with spots inside) on a
 *    moderately bright background;
 *  - beads: small bright spots on a dark background, Poisson-like noise;
 *  - nuclei: a few textured nuclei on a dark background, Poisson-like noise.
 *
 * Checks (default parameters, 16x16 blocks):
 *  1. global shifts of 0.5, 1 and 2 px (x, y, diagonal): needs-registration
 *     and the median shift within 0.1 px, wherever the registered pair's
 *     median block r (computed here in double precision over the blocks
 *     with signal) is at least 0.9;
 *  2. a square region moved by 2-3 px: a counted region with IoU >= 0.5
 *     with the square, and none elsewhere (each counted region lies, by at
 *     least half its area, in the square), where the registered pair's
 *     median r is at least 0.95 (MIN_REGION_R);
 *  3. gain and offset only, or noise only: registered without regions in
 *     at least 99 of 100 seeds; flat images: no-texture;
 *  4. beads and nuclei on a dark background: registered as is; with the
 *     objects of one square moved by 2 px, one counted region whose box has
 *     IoU >= 0.5 with the bounding box of the moved objects (their extent
 *     at 3 sigma, before and after the move, on either image), and none
 *     elsewhere.
 *
 * Set BW_VERDICT_VERBOSE=1 to print every case.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "pair-checks.h"
#include "registration.h"

#define BLOCK 16
#define MIN_R 0.9
/* A moved region is judged from its own blocks only (a few dozen, some of
 * them half covered), not from the whole frame's median: its check is
 * asserted where the registered pair's median r is at least 0.95; between
 * 0.9 and 0.95 the cases are counted and printed, not asserted. */
#define MIN_REGION_R 0.95
#define SHIFT_ACCURACY 0.1
#define MIN_IOU 0.5

static gboolean verbose;

typedef enum
{
  KIND_SMOOTH,
  KIND_CELLS,
  KIND_BEADS,
  KIND_NUCLEI,
  N_KINDS
} Kind;

static const gchar *kind_names[] = { "smooth", "cells", "beads", "nuclei" };

/* One object of a scene: a Gaussian spot (a == 0) or a soft ellipse.  owner
 * is the object whose centre decides whether it moves (itself: -1), so the
 * spots inside a nucleus move with it. */
typedef struct
{
  gdouble x, y;
  gdouble sigma;                /* spot */
  gdouble a, b, cos_t, sin_t;   /* ellipse half-axes and orientation */
  gdouble amp;
  gint owner;
} Object;

typedef struct
{
  Kind kind;
  gdouble level;                /* noise-free background */
  gdouble scale;                /* applied to the sum of the objects */
  GArray *objects;
  /* Poisson-like noise: variance read² + gain · (signal - level). */
  gboolean poisson;
} Scene;

static gboolean
box_contains (const Box * b, gdouble x, gdouble y)
{
  return x >= b->x && x < b->x + b->w && y >= b->y && y < b->y + b->h;
}

static void
add_spot (Scene * s, gdouble x, gdouble y, gdouble sigma, gdouble amp,
    gint owner)
{
  Object o = { x, y, sigma, 0, 0, 1, 0, amp, owner };

  g_array_append_val (s->objects, o);
}

/* A nucleus: a soft ellipse and spots of texture inside it. */
static void
add_nucleus (Scene * s, GRand * rng, gdouble x, gdouble y, gdouble radius,
    gdouble amp, gdouble texture)
{
  gdouble t = g_rand_double_range (rng, 0, G_PI);
  Object o;
  gint owner = s->objects->len, k, n;

  o.x = x;
  o.y = y;
  o.sigma = 0;
  o.a = radius * g_rand_double_range (rng, 1.0, 1.5);
  o.b = radius * g_rand_double_range (rng, 0.7, 1.0);
  o.cos_t = cos (t);
  o.sin_t = sin (t);
  o.amp = amp;
  o.owner = -1;
  g_array_append_val (s->objects, o);
  n = (gint) (o.a * o.b / 6.0);
  for (k = 0; k < n; k++) {
    gdouble rho = sqrt (g_rand_double (rng)) * 0.85;
    gdouble phi = g_rand_double_range (rng, 0, 2 * G_PI);
    gdouble u = rho * o.a * cos (phi), v = rho * o.b * sin (phi);

    gdouble spot_amp = texture * g_rand_double_range (rng, -1, 1);
    gdouble spot_sigma = g_rand_double_range (rng, 1.0, 2.5);

    add_spot (s, x + u * o.cos_t - v * o.sin_t, y + u * o.sin_t + v * o.cos_t,
        spot_sigma, spot_amp, owner);
  }
}

/* A random scene of the given kind covering w x h plus a margin, so content
 * shifted into the frame exists.  Each object's numbers are drawn one per
 * statement, last argument first: in a call's arguments the order would be
 * the compiler's. */
static Scene *
scene_new (Kind kind, guint w, guint h, guint32 seed)
{
  GRand *rng = g_rand_new_with_seed (seed);
  Scene *s = g_new0 (Scene, 1);
  const gdouble margin = 24;
  gdouble area = (w + 2 * margin) * (h + 2 * margin);
  gdouble x, y, size, amp;
  guint k, n;

  s->kind = kind;
  s->objects = g_array_new (FALSE, FALSE, sizeof (Object));
  s->scale = 1;
#define RX() g_rand_double_range (rng, -margin, w + margin)
#define RY() g_rand_double_range (rng, -margin, h + margin)
  switch (kind) {
    case KIND_SMOOTH:{
      static const gdouble sigmas[] = { 1.5, 3.0, 6.0 };
      static const gdouble amps[] = { 0.5, 0.8, 1.0 };
      guint i;

      s->level = 20000;
      for (i = 0; i < G_N_ELEMENTS (sigmas); i++) {
        n = (guint) (area / (sigmas[i] * sigmas[i] * 4));
        for (k = 0; k < n; k++) {
          amp = amps[i] * g_rand_double_range (rng, -1, 1);
          size = sigmas[i] * g_rand_double_range (rng, 0.8, 1.25);
          y = RY ();
          x = RX ();
          add_spot (s, x, y, size, amp, -1);
        }
      }
      /* Texture sd around 3000 grey levels (set below). */
      s->scale = 0;
      break;
    }
    case KIND_CELLS:
      s->level = 3000;
      n = (guint) (area / 1600);
      for (k = 0; k < n; k++) {
        amp = g_rand_double_range (rng, 5000, 12000);
        size = g_rand_double_range (rng, 8, 14);
        y = RY ();
        x = RX ();
        add_nucleus (s, rng, x, y, size, amp, 3000);
      }
      break;
    case KIND_BEADS:
      s->level = 200;
      s->poisson = TRUE;
      n = (guint) (area / 800);
      for (k = 0; k < n; k++) {
        amp = g_rand_double_range (rng, 2000, 20000);
        size = g_rand_double_range (rng, 1.2, 2.0);
        y = RY ();
        x = RX ();
        add_spot (s, x, y, size, amp, -1);
      }
      break;
    case KIND_NUCLEI:
      s->level = 300;
      s->poisson = TRUE;
      n = (guint) (area / 5000);
      for (k = 0; k < n; k++) {
        amp = g_rand_double_range (rng, 3000, 8000);
        size = g_rand_double_range (rng, 9, 14);
        y = RY ();
        x = RX ();
        add_nucleus (s, rng, x, y, size, amp, 2000);
      }
      break;
    default:
      g_assert_not_reached ();
  }
#undef RX
#undef RY
  g_rand_free (rng);
  return s;
}

static void
scene_free (Scene * s)
{
  g_array_free (s->objects, TRUE);
  g_free (s);
}

/* Renders the scene moved by (sx, sy): all objects, or (moved != NULL) those
 * whose owner's centre lies in *moved.  out holds w x h doubles. */
static void
render (const Scene * s, guint w, guint h, gdouble sx, gdouble sy,
    const Box * moved, gdouble * out)
{
  gdouble gx[64], gy[64];
  guint k;
  gsize i;

  for (i = 0; i < (gsize) w * h; i++)
    out[i] = 0;
  for (k = 0; k < s->objects->len; k++) {
    const Object *o = &g_array_index (s->objects, Object, k);
    const Object *own = o->owner >= 0 ?
        &g_array_index (s->objects, Object, o->owner) : o;
    gboolean move = !moved || box_contains (moved, own->x, own->y);
    gdouble cx = o->x + (move ? sx : 0), cy = o->y + (move ? sy : 0);
    gdouble reach = o->a > 0 ? o->a + 4 : 4 * o->sigma;
    gint x0 = MAX (0, (gint) ceil (cx - reach));
    gint x1 = MIN ((gint) w - 1, (gint) floor (cx + reach));
    gint y0 = MAX (0, (gint) ceil (cy - reach));
    gint y1 = MIN ((gint) h - 1, (gint) floor (cy + reach));
    gint x, y;

    if (x0 > x1 || y0 > y1)
      continue;
    if (o->a == 0) {
      /* Separable spot; the window moves with the centre, so the
       * truncation at 4 sigma moves too. */
      g_assert (x1 - x0 < 64 && y1 - y0 < 64);
      for (x = x0; x <= x1; x++)
        gx[x - x0] = exp (-(x - cx) * (x - cx) / (2 * o->sigma * o->sigma));
      for (y = y0; y <= y1; y++)
        gy[y - y0] = o->amp * exp (-(y - cy) * (y - cy) /
            (2 * o->sigma * o->sigma));
      for (y = y0; y <= y1; y++)
        for (x = x0; x <= x1; x++)
          out[(gsize) y * w + x] += gy[y - y0] * gx[x - x0];
    } else {
      /* Soft edge about 1.5 px wide. */
      for (y = y0; y <= y1; y++)
        for (x = x0; x <= x1; x++) {
          gdouble dx = x - cx, dy = y - cy;
          gdouble u = (dx * o->cos_t + dy * o->sin_t) / o->a;
          gdouble v = (-dx * o->sin_t + dy * o->cos_t) / o->b;
          gdouble d = (sqrt (u * u + v * v) - 1) * sqrt (o->a * o->b);

          out[(gsize) y * w + x] += o->amp * 0.5 * (1 - tanh (d / 1.5));
        }
    }
  }
  for (i = 0; i < (gsize) w * h; i++)
    out[i] = s->level + s->scale * out[i];
}

/* For the smooth texture: a scale giving the frame a texture sd of 3000, from
 * an unscaled render (zero mean by symmetry of the amplitudes). */
static void
scene_fix_scale (Scene * s, guint w, guint h)
{
  gdouble *f;
  gdouble m = 0, v = 0;
  gsize i, n = (gsize) w * h;

  if (s->scale != 0)
    return;
  s->scale = 1;
  f = g_new (gdouble, n);
  render (s, w, h, 0, 0, NULL, f);
  for (i = 0; i < n; i++)
    m += f[i];
  m /= n;
  for (i = 0; i < n; i++)
    v += (f[i] - m) * (f[i] - m);
  s->scale = 3000 / sqrt (v / n);
  g_free (f);
}

/* Noise levels per kind: Gaussian sd, or (Poisson-like) read-noise sd with
 * the gain = level / 20. */
static const gdouble noise_levels[N_KINDS][5] = {
  {0, 150, 500, 1000, 2000},
  {0, 100, 300, 800, 1500},
  {0, 10, 30, 60, 120},
  {0, 10, 30, 60, 120},
};

#define N_LEVELS 5

/* gain * f + offset plus noise of the given level, rounded into 16 bits. */
static void
quantize (const Scene * s, const gdouble * f, gsize n, gdouble noise,
    gdouble gain, gdouble offset, GRand * rng, guint16 * out)
{
  gsize i;

  for (i = 0; i < n; i++) {
    gdouble sd = noise;
    gdouble v;

    if (s->poisson && noise > 0)
      sd = sqrt (noise * noise + noise / 20 * MAX (0, f[i] - s->level));
    v = gain * (f[i] + sd * gauss (rng)) + offset;
    out[i] = (guint16) CLAMP (floor (v + 0.5), 0, 65535);
  }
}

/* Median block r of a pair in double precision, over the blocks whose
 * noise-free content (clean) varies: how well the pair can correlate. */
static gdouble
median_block_r (const guint16 * a, const guint16 * b, const gdouble * clean,
    guint w, guint h)
{
  guint cols = w / BLOCK, rows = h / BLOCK, c, r, x, y, m = 0;
  gdouble *v = g_new (gdouble, cols * rows), med;

  for (r = 0; r < rows; r++)
    for (c = 0; c < cols; c++) {
      gdouble ma = 0, mb = 0, mc = 0, saa = 0, sbb = 0, sab = 0, scc = 0;

      for (y = r * BLOCK; y < (r + 1) * BLOCK; y++)
        for (x = c * BLOCK; x < (c + 1) * BLOCK; x++) {
          ma += a[y * w + x];
          mb += b[y * w + x];
          mc += clean[y * w + x];
        }
      ma /= BLOCK * BLOCK;
      mb /= BLOCK * BLOCK;
      mc /= BLOCK * BLOCK;
      for (y = r * BLOCK; y < (r + 1) * BLOCK; y++)
        for (x = c * BLOCK; x < (c + 1) * BLOCK; x++) {
          gdouble da = a[y * w + x] - ma, db = b[y * w + x] - mb;
          gdouble dc = clean[y * w + x] - mc;

          saa += da * da;
          sbb += db * db;
          sab += da * db;
          scc += dc * dc;
        }
      /* Signal: a noise-free sd of at least 1 grey level. */
      if (scc / (BLOCK * BLOCK) >= 1 && saa > 0 && sbb > 0)
        v[m++] = sab / sqrt (saa * sbb);
    }
  if (m == 0) {
    g_free (v);
    return NAN;
  }
  qsort (v, m, sizeof (gdouble), cmp_double);
  med = m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
  g_free (v);
  return med;
}

typedef struct
{
  guint w, h;
  guint16 *a, *b;
  gdouble *clean_a;
  gdouble median_r;             /* of the registered pair, double precision */
  BwSummary sum;
  gfloat *grids;                /* BW_N_GRIDS grids of the analysis */
} Pair;

#define PAIR_GRID(p, g) ((p)->grids + (gsize) (g) * ((p)->w / BLOCK) \
    * ((p)->h / BLOCK))

/* How B differs from A. */
typedef struct
{
  gdouble sx, sy;
  const Box *square;            /* the content of this square moves */
  const Box *objects;           /* the objects centred in this square move */
  gdouble gain, offset;
} Change;

static void
pair_make (Pair * p, const Scene * s, guint w, guint h, gdouble noise,
    const Change * ch, GRand * rng)
{
  gsize n = (gsize) w * h, i;
  gdouble *clean_b = g_new (gdouble, n);
  guint16 *b_reg = g_new (guint16, n);
  gdouble gain = ch->gain > 0 ? ch->gain : 1;

  p->w = w;
  p->h = h;
  p->a = g_new (guint16, n);
  p->b = g_new (guint16, n);
  p->clean_a = g_new (gdouble, n);
  p->grids = g_new (gfloat, BW_N_GRIDS * (w / BLOCK) * (h / BLOCK));
  render (s, w, h, 0, 0, NULL, p->clean_a);
  quantize (s, p->clean_a, n, noise, 1, 0, rng, p->a);
  /* The registered pair, with its own noise: what r the pair can reach. */
  quantize (s, p->clean_a, n, noise, gain, ch->offset, rng, b_reg);
  p->median_r = median_block_r (p->a, b_reg, p->clean_a, w, h);

  if (ch->square) {
    const Box *q = ch->square;
    guint x, y;

    render (s, w, h, ch->sx, ch->sy, NULL, clean_b);
    for (y = 0; y < h; y++)
      for (x = 0; x < w; x++)
        if (!box_contains (q, x, y))
          clean_b[(gsize) y * w + x] = p->clean_a[(gsize) y * w + x];
  } else if (ch->sx != 0 || ch->sy != 0) {
    render (s, w, h, ch->sx, ch->sy, ch->objects, clean_b);
  } else {
    for (i = 0; i < n; i++)
      clean_b[i] = p->clean_a[i];
  }
  quantize (s, clean_b, n, noise, gain, ch->offset, rng, p->b);
  g_free (clean_b);
  g_free (b_reg);
}

static void
pair_clear (Pair * p)
{
  g_free (p->a);
  g_free (p->b);
  g_free (p->clean_a);
  g_free (p->grids);
}

/* Frames whose verdict reported regions, whose median r outside them was
 * checked. */
static guint outside_checked;

/* The median r of the valid blocks whose top-left corner lies in none of
 * the reported regions, by a full sort. */
static gdouble
reference_median_outside (const Pair * p)
{
  const BwVerdict *v = &p->sum.verdict;
  const gfloat *r = PAIR_GRID (p, BW_GRID_R);
  guint cols = p->w / BLOCK, rows = p->h / BLOCK, row, col, k, m = 0;
  gdouble *values = g_new (gdouble, (gsize) cols * rows), med;

  for (row = 0; row < rows; row++)
    for (col = 0; col < cols; col++) {
      gdouble x = col * BLOCK, y = row * BLOCK, rv = r[row * cols + col];
      gboolean inside = FALSE;

      for (k = 0; k < v->n_reported; k++) {
        const BwRegion *g = &v->regions[k];

        inside |= x >= g->x && x < (gdouble) g->x + g->width && y >= g->y
            && y < (gdouble) g->y + g->height;
      }
      if (!isnan (rv) && !inside)
        values[m++] = rv;
    }
  qsort (values, m, sizeof (gdouble), cmp_double);
  med = m == 0 ? NAN : m % 2 ? values[m / 2] :
      0.5 * (values[m / 2 - 1] + values[m / 2]);
  g_free (values);
  return med;
}

static void
pair_check (Pair * p)
{
  BwSampleFormat f = G_BYTE_ORDER == G_LITTLE_ENDIAN ? BW_SAMPLE_U16LE :
      BW_SAMPLE_U16BE;
  BwPlane a = { (const guint8 *) p->a, 2 * p->w, f };
  BwPlane b = { (const guint8 *) p->b, 2 * p->w, f };
  BwParams params;

  /* The element's defaults and its per-frame pipeline. */
  bw_params_init (&params);
  params.block_width = params.block_height = BLOCK;
  g_assert_true (bw_check_registration (&params, p->w, p->h, &a, &b,
          p->grids, &p->sum));
  {
    gdouble want = reference_median_outside (p);
    gdouble got = p->sum.verdict.median_r_outside;

    if (!((isnan (want) && isnan (got)) || want == got))
      g_error ("median r outside the regions: %.17g, by a sort %.17g", got,
          want);
    outside_checked += p->sum.verdict.n_reported > 0;
  }
}

/* Prints the verdict, and with grid the per-block state: '.' background or
 * invalid, 'o' informative at (0, 0), else the best integer offset. */
static void
pair_print (const Pair * p, const gchar * what, gboolean grid)
{
  const BwVerdict *v = &p->sum.verdict;
  guint cols = p->w / BLOCK, rows = p->h / BLOCK;

  g_printerr ("%s: median r %.3f, %s, informative %u/%u, background %u, "
      "shift (%.3f, %.3f)%s, regions %u; bg A %.1f+-%.1f B %.1f+-%.1f\n",
      what, p->median_r, bw_verdict_name (v->verdict), v->informative,
      cols * rows, p->sum.background_blocks, v->shift_x, v->shift_y,
      v->shift_significant ? " significant" : "", v->n_regions,
      p->sum.background[0].level, p->sum.background[0].noise,
      p->sum.background[1].level, p->sum.background[1].noise);
  print_regions_and_shifts (v, PAIR_GRID (p, BW_GRID_R),
      PAIR_GRID (p, BW_GRID_DX), PAIR_GRID (p, BW_GRID_DY), cols, rows, grid);
}

/* Diagnosis: the error of the median displacement over the informative
 * blocks (the rule of verdict.h, recomputed) away from the frame's edges,
 * where the search is complete. */
static gdouble
inner_error (const Pair * p, const gdouble * truth)
{
  guint cols = p->w / BLOCK, rows = p->h / BLOCK, c, r, m = 0;
  gdouble *vx = g_new (gdouble, cols * rows), *vy =
      g_new (gdouble, cols * rows);
  gdouble ex, ey;

  for (r = 1; r + 1 < rows; r++)
    for (c = 1; c + 1 < cols; c++) {
      const gsize i = r * cols + c;
      const gdouble r_best = PAIR_GRID (p, BW_GRID_R_BEST)[i];

      if (isnan (PAIR_GRID (p, BW_GRID_R)[i]) || isnan (r_best)
          || atanh (MIN (r_best, 0.999999)) * sqrt (BLOCK * BLOCK - 3.0) <= 5)
        continue;
      vx[m] = PAIR_GRID (p, BW_GRID_DX)[i];
      vy[m++] = PAIR_GRID (p, BW_GRID_DY)[i];
    }
  if (m == 0) {
    g_free (vx);
    g_free (vy);
    return INFINITY;
  }
  qsort (vx, m, sizeof (gdouble), cmp_double);
  qsort (vy, m, sizeof (gdouble), cmp_double);
  ex = (m % 2 ? vx[m / 2] : 0.5 * (vx[m / 2 - 1] + vx[m / 2])) - truth[0];
  ey = (m % 2 ? vy[m / 2] : 0.5 * (vy[m / 2 - 1] + vy[m / 2])) - truth[1];
  g_free (vx);
  g_free (vy);
  return MAX (fabs (ex), fabs (ey));
}

/* Sizes per kind: non-square frames too. */
static const guint sizes[N_KINDS][2] = {
  {320, 256}, {320, 256}, {256, 256}, {320, 320}
};

/* 1. Global shifts. */
static void
test_global_shift (void)
{
  static const gdouble shifts[][2] = {
    {0.5, 0}, {0, 0.5}, {1, 0}, {0, -1}, {2, 0}, {0, 2}, {0.5, 0.5},
    {-1, 1}, {2, -2}, {1.5, 1.5}, {-1.5, 0.5}
  };
  guint kind, level, k, failures = 0;

  for (kind = 0; kind < N_KINDS; kind++) {
    guint w = sizes[kind][0], h = sizes[kind][1];
    Scene *s = scene_new (kind, w, h, 1000 + kind);

    scene_fix_scale (s, w, h);
    for (level = 0; level < N_LEVELS; level++) {
      gdouble worst = 0, mr = 0, worst_inner = 0;
      guint ok = 0, asserted = 0, min_inf = G_MAXUINT, max_bg = 0;

      for (k = 0; k < G_N_ELEMENTS (shifts); k++) {
        GRand *rng = g_rand_new_with_seed (77 * level + k);
        Change ch = { shifts[k][0], shifts[k][1], NULL, NULL, 1, 0 };
        Pair p;
        gdouble err;
        gboolean good;

        pair_make (&p, s, w, h, noise_levels[kind][level], &ch, rng);
        pair_check (&p);
        mr = p.median_r;
        min_inf = MIN (min_inf, p.sum.verdict.informative);
        max_bg = MAX (max_bg, p.sum.background_blocks);
        worst_inner = MAX (worst_inner, inner_error (&p, shifts[k]));
        err = MAX (fabs (p.sum.verdict.shift_x - shifts[k][0]),
            fabs (p.sum.verdict.shift_y - shifts[k][1]));
        if (isnan (err))
          err = INFINITY;
        good = p.sum.verdict.verdict == BW_VERDICT_NEEDS_REGISTRATION
            && err <= SHIFT_ACCURACY;
        if (p.median_r >= MIN_R) {
          asserted++;
          worst = MAX (worst, err);
          ok += good;
          if (!good) {
            gchar *what = g_strdup_printf ("FAIL global %s noise %g shift "
                "(%g, %g) error %.3f", kind_names[kind],
                noise_levels[kind][level], shifts[k][0], shifts[k][1], err);

            pair_print (&p, what, verbose);
            g_free (what);
            failures++;
          }
        } else if (verbose) {
          g_printerr ("  (not asserted) %s noise %g shift (%g, %g): %s, "
              "error %.3f\n", kind_names[kind], noise_levels[kind][level],
              shifts[k][0], shifts[k][1],
              bw_verdict_name (p.sum.verdict.verdict), err);
        }
        pair_clear (&p);
        g_rand_free (rng);
      }
      g_printerr ("global %-7s noise %6g: median r %.3f, %u/%u pass, "
          "worst error %.3f px (inner blocks only %.3f), informative >= %u "
          "of %u, background <= %u\n", kind_names[kind],
          noise_levels[kind][level], mr, ok, asserted, worst, worst_inner,
          min_inf, (w / BLOCK) * (h / BLOCK), max_bg);
    }
    scene_free (s);
  }
  g_assert_cmpuint (failures, ==, 0);
}

/* Whether at least min blocks lying wholly in the square carry signal
 * (noise-free sd of 1 grey level): else nothing there can be seen. */
static gboolean
square_has_signal (const Pair * p, const Box * q, guint min)
{
  guint c, r, x, y, n = 0;

  for (r = (q->y + BLOCK - 1) / BLOCK; (r + 1) * BLOCK <= (guint) (q->y + q->h);
      r++)
    for (c = (q->x + BLOCK - 1) / BLOCK;
        (c + 1) * BLOCK <= (guint) (q->x + q->w); c++) {
      gdouble m = 0, v = 0;

      for (y = r * BLOCK; y < (r + 1) * BLOCK; y++)
        for (x = c * BLOCK; x < (c + 1) * BLOCK; x++)
          m += p->clean_a[y * p->w + x];
      m /= BLOCK * BLOCK;
      for (y = r * BLOCK; y < (r + 1) * BLOCK; y++)
        for (x = c * BLOCK; x < (c + 1) * BLOCK; x++)
          v += (p->clean_a[y * p->w + x] - m) * (p->clean_a[y * p->w + x] - m);
      n += v / (BLOCK * BLOCK) >= 1;
    }
  return n >= min;
}

/* Whether the verdict found the truth: a counted region whose box has IoU
 * >= MIN_IOU with truth, and nothing elsewhere (regions_inside()).  *iou
 * receives the best IoU. */
static gboolean
found_only (const Pair * p, const Box * truth, gdouble * iou)
{
  return regions_inside (&p->sum.verdict, truth, iou)
      && p->sum.verdict.verdict == BW_VERDICT_NEEDS_REGISTRATION
      && *iou >= MIN_IOU;
}

/* 2. A square of the content moved by 2-3 px, the rest in place. */
static void
test_region_shift (void)
{
  static const Box squares[] = {
    {40, 72, 48, 48}, {176, 24, 64, 64}, {144, 144, 42, 42}, {96, 160, 80, 56}
  };
  static const gdouble shifts[][2] = { {2, 0}, {0, -3}, {2, 2}, {-3, 1} };
  static const Kind kinds[] = { KIND_SMOOTH, KIND_CELLS };
  guint kk, level, k, failures = 0;

  for (kk = 0; kk < G_N_ELEMENTS (kinds); kk++) {
    Kind kind = kinds[kk];
    guint w = sizes[kind][0], h = sizes[kind][1];

    for (level = 0; level < N_LEVELS; level++) {
      gdouble worst_iou = 1, mr = 0;
      guint ok = 0, asserted = 0, untestable = 0, weak = 0, weak_ok = 0;

      for (k = 0; k < G_N_ELEMENTS (squares); k++) {
        guint j;

        for (j = 0; j < G_N_ELEMENTS (shifts); j++) {
          Scene *s = scene_new (kind, w, h, 2000 + 10 * k + j);
          GRand *rng = g_rand_new_with_seed (99 * level + 7 * k + j);
          Change ch = { shifts[j][0], shifts[j][1], &squares[k], NULL, 1, 0 };
          Pair p;
          gdouble iou;
          gboolean good;

          scene_fix_scale (s, w, h);
          pair_make (&p, s, w, h, noise_levels[kind][level], &ch, rng);
          pair_check (&p);
          mr = p.median_r;
          good = found_only (&p, &squares[k], &iou);
          if (!square_has_signal (&p, &squares[k], 3)) {
            untestable++;
          } else if (p.median_r >= MIN_R && p.median_r < MIN_REGION_R) {
            weak++;
            weak_ok += good;
          } else if (p.median_r >= MIN_R) {
            asserted++;
            ok += good;
            worst_iou = MIN (worst_iou, iou);
            if (!good) {
              gchar *what = g_strdup_printf ("FAIL region %s noise %g square "
                  "%d,%d %dx%d shift (%g, %g) IoU %.2f", kind_names[kind],
                  noise_levels[kind][level], squares[k].x, squares[k].y,
                  squares[k].w, squares[k].h, shifts[j][0], shifts[j][1], iou);

              pair_print (&p, what, verbose);
              g_free (what);
              failures++;
            }
          } else if (verbose) {
            g_printerr ("  (not asserted) region %s noise %g: %s, %u regions, "
                "IoU %.2f\n", kind_names[kind], noise_levels[kind][level],
                bw_verdict_name (p.sum.verdict.verdict),
                p.sum.verdict.n_regions, iou);
          }
          pair_clear (&p);
          g_rand_free (rng);
          scene_free (s);
        }
      }
      g_printerr ("region %-7s noise %6g: median r %.3f, %u/%u pass, "
          "worst IoU %.2f, %u without signal in the square; median r 0.9 .. "
          "0.95 (not asserted): %u/%u found\n", kind_names[kind],
          noise_levels[kind][level], mr, ok, asserted, worst_iou, untestable,
          weak_ok, weak);
    }
  }
  g_assert_cmpuint (failures, ==, 0);
  /* The median outside the regions was checked where there were some. */
  g_assert_cmpuint (outside_checked, >, 0);
}

/* 3. Gain and offset, or noise only: registered, no region, in at least 99
 * of 100 seeds. */
static void
run_unchanged (gboolean gain_offset)
{
  const guint w = 192, h = 192;
  guint seed, good = 0, no_texture = 0;

  for (seed = 0; seed < 100; seed++) {
    Kind kind = seed % N_KINDS;
    guint level = 1 + (seed / N_KINDS) % 3;
    GRand *rng = g_rand_new_with_seed (5000 + seed);
    Scene *s = scene_new (kind, w, h, 3000 + seed);
    Change ch = { 0, 0, NULL, NULL, 1, 0 };
    Pair p;

    if (gain_offset) {
      ch.gain = exp (g_rand_double_range (rng, log (0.5), log (2.0)));
      ch.offset = g_rand_double_range (rng, -100, 2000);
    }
    scene_fix_scale (s, w, h);
    pair_make (&p, s, w, h, noise_levels[kind][level], &ch, rng);
    pair_check (&p);
    if (p.sum.verdict.verdict == BW_VERDICT_REGISTERED
        && p.sum.verdict.n_regions == 0) {
      good++;
    } else {
      gchar *what = g_strdup_printf ("%s seed %u %s noise %g gain %.2f "
          "offset %.0f", gain_offset ? "gain-offset" : "noise-only", seed,
          kind_names[kind], noise_levels[kind][level], ch.gain, ch.offset);

      no_texture += p.sum.verdict.verdict == BW_VERDICT_NO_TEXTURE;
      pair_print (&p, what, verbose);
      g_free (what);
    }
    pair_clear (&p);
    scene_free (s);
    g_rand_free (rng);
  }
  g_printerr ("%s: registered without regions in %u/100 (no-texture %u)\n",
      gain_offset ? "gain-offset" : "noise-only", good, no_texture);
  g_assert_cmpuint (good, >=, 99);
}

static void
test_gain_offset (void)
{
  run_unchanged (TRUE);
}

static void
test_noise_only (void)
{
  run_unchanged (FALSE);
}

/* 3. Flat images, with and without noise. */
static void
test_flat (void)
{
  static const gdouble cases[][4] = {
    /* value A, value B, noise sd */
    {0, 0, 0}, {1000, 1000, 0}, {65535, 65535, 0}, {1000, 30000, 0},
    {1000, 1000, 50}, {30000, 30000, 1000}, {200, 400, 10}
  };
  const guint w = 192, h = 192;
  gsize n = (gsize) w * h, i;
  guint k;

  for (k = 0; k < G_N_ELEMENTS (cases); k++) {
    GRand *rng = g_rand_new_with_seed (k);
    Pair p = { w, h };

    p.a = g_new (guint16, n);
    p.b = g_new (guint16, n);
    p.clean_a = g_new0 (gdouble, n);
    p.grids = g_new (gfloat, BW_N_GRIDS * (w / BLOCK) * (h / BLOCK));
    p.median_r = NAN;
    for (i = 0; i < n; i++) {
      p.a[i] = CLAMP (floor (cases[k][0] + cases[k][2] * gauss (rng) + 0.5),
          0, 65535);
      p.b[i] = CLAMP (floor (cases[k][1] + cases[k][2] * gauss (rng) + 0.5),
          0, 65535);
    }
    pair_check (&p);
    if (p.sum.verdict.verdict != BW_VERDICT_NO_TEXTURE || verbose)
      pair_print (&p, "flat", FALSE);
    g_assert_cmpint (p.sum.verdict.verdict, ==, BW_VERDICT_NO_TEXTURE);
    pair_clear (&p);
    g_rand_free (rng);
  }
}

/* The extent (3 sigma, or the ellipse's longer half-axis) of the objects
 * centred in q, before and after a move by (sx, sy), clipped to the frame. */
static Box
moved_objects_box (const Scene * s, const Box * q, gdouble sx, gdouble sy,
    guint w, guint h, guint * count)
{
  gdouble x0 = G_MAXDOUBLE, y0 = G_MAXDOUBLE, x1 = -G_MAXDOUBLE,
      y1 = -G_MAXDOUBLE;
  Box b;
  guint k;

  *count = 0;
  for (k = 0; k < s->objects->len; k++) {
    const Object *o = &g_array_index (s->objects, Object, k);
    gdouble reach = o->a > 0 ? o->a : 3 * o->sigma;

    if (o->owner >= 0 || !box_contains (q, o->x, o->y))
      continue;
    (*count)++;
    x0 = MIN (x0, o->x - reach + MIN (0, sx));
    x1 = MAX (x1, o->x + reach + MAX (0, sx));
    y0 = MIN (y0, o->y - reach + MIN (0, sy));
    y1 = MAX (y1, o->y + reach + MAX (0, sy));
  }
  b.x = (gint) floor (MAX (0, x0));
  b.y = (gint) floor (MAX (0, y0));
  b.w = (gint) ceil (MIN (w, x1)) - b.x;
  b.h = (gint) ceil (MIN (h, y1)) - b.y;
  return b;
}

/* 4. Sparse objects on a dark background: registered as is; the objects of
 * one square moved by 2 px are found. */
static void
test_sparse (void)
{
  static const Box squares[] = { {80, 64, 128, 128}, {16, 144, 128, 112} };
  static const gdouble shifts[][2] = { {2, 0}, {0, 2}, {-2, 2} };
  static const Kind kinds[] = { KIND_BEADS, KIND_NUCLEI };
  guint kk, level, seed, failures = 0;

  for (kk = 0; kk < G_N_ELEMENTS (kinds); kk++) {
    Kind kind = kinds[kk];
    guint w = sizes[kind][0], h = sizes[kind][1];

    for (level = 0; level < N_LEVELS; level++) {
      guint reg_ok = 0, reg_n = 0, found = 0, asserted = 0, few = 0;
      gdouble worst_iou = 1, mr = 0;

      for (seed = 0; seed < 6; seed++) {
        const Box *q = &squares[seed % G_N_ELEMENTS (squares)];
        const gdouble *sh = shifts[seed % G_N_ELEMENTS (shifts)];
        Scene *s = scene_new (kind, w, h, 4000 + seed);
        GRand *rng = g_rand_new_with_seed (400 + 13 * level + seed);
        Change still = { 0, 0, NULL, NULL, 1, 0 };
        Change move = { sh[0], sh[1], NULL, q, 1, 0 };
        Pair p;
        Box truth;
        guint count;
        gdouble iou;

        pair_make (&p, s, w, h, noise_levels[kind][level], &still, rng);
        pair_check (&p);
        mr = p.median_r;
        reg_n++;
        if (p.sum.verdict.verdict == BW_VERDICT_REGISTERED) {
          reg_ok++;
        } else {
          gchar *what = g_strdup_printf ("FAIL sparse registered %s noise %g "
              "seed %u", kind_names[kind], noise_levels[kind][level], seed);

          pair_print (&p, what, verbose);
          g_free (what);
          failures++;
        }
        pair_clear (&p);

        truth = moved_objects_box (s, q, sh[0], sh[1], w, h, &count);
        pair_make (&p, s, w, h, noise_levels[kind][level], &move, rng);
        pair_check (&p);
        /* A region: at least three objects (fewer is an object, which
         * the three-block rule need not see). */
        few += count < 3;
        if (p.median_r >= MIN_R && count >= 3) {
          gboolean good = found_only (&p, &truth, &iou);

          asserted++;
          found += good;
          worst_iou = MIN (worst_iou, iou);
          if (!good) {
            gchar *what = g_strdup_printf ("FAIL sparse moved %s noise %g "
                "seed %u: %u objects moved (%g, %g), box %d,%d %dx%d, IoU "
                "%.2f", kind_names[kind], noise_levels[kind][level], seed,
                count, sh[0], sh[1], truth.x, truth.y, truth.w, truth.h, iou);

            pair_print (&p, what, verbose);
            g_free (what);
            failures++;
          }
        }
        pair_clear (&p);
        g_rand_free (rng);
        scene_free (s);
      }
      g_printerr ("sparse %-7s noise %6g: median r %.3f, registered %u/%u, "
          "moved found %u/%u, worst IoU %.2f (%u with fewer than 3 objects)\n",
          kind_names[kind], noise_levels[kind][level], mr, reg_ok, reg_n,
          found, asserted, worst_iou, few);
    }
  }
  g_assert_cmpuint (failures, ==, 0);
}

/* 4. Unrelated images: B is another scene of the same kind (no shift of A
 * explains it).  Whatever else, the pair is not "registered". */
static void
test_unrelated (void)
{
  const guint w = 192, h = 192;
  gsize n = (gsize) w * h;
  guint kind, seed, failures = 0;

  for (kind = 0; kind < N_KINDS; kind++)
    for (seed = 0; seed < 5; seed++) {
      Scene *sa = scene_new (kind, w, h, 7000 + 10 * kind + seed);
      Scene *sb = scene_new (kind, w, h, 8000 + 10 * kind + seed);
      GRand *rng = g_rand_new_with_seed (9000 + seed);
      gdouble *clean_b = g_new (gdouble, n);
      Pair p = { w, h };

      scene_fix_scale (sa, w, h);
      scene_fix_scale (sb, w, h);
      p.a = g_new (guint16, n);
      p.b = g_new (guint16, n);
      p.clean_a = g_new (gdouble, n);
      p.grids = g_new (gfloat, BW_N_GRIDS * (w / BLOCK) * (h / BLOCK));
      p.median_r = NAN;
      render (sa, w, h, 0, 0, NULL, p.clean_a);
      render (sb, w, h, 0, 0, NULL, clean_b);
      quantize (sa, p.clean_a, n, noise_levels[kind][0], 1, 0, rng, p.a);
      quantize (sb, clean_b, n, noise_levels[kind][0], 1, 0, rng, p.b);
      pair_check (&p);
      if (p.sum.verdict.verdict == BW_VERDICT_REGISTERED || verbose) {
        gchar *what = g_strdup_printf ("%sunrelated %s seed %u: %s",
            p.sum.verdict.verdict == BW_VERDICT_REGISTERED ? "FAIL " : "",
            kind_names[kind], seed, bw_verdict_name (p.sum.verdict.verdict));

        pair_print (&p, what, verbose);
        g_free (what);
      }
      failures += p.sum.verdict.verdict == BW_VERDICT_REGISTERED;
      g_free (clean_b);
      pair_clear (&p);
      g_rand_free (rng);
      scene_free (sa);
      scene_free (sb);
    }
  /* Smooth waves (sums of sinusoids): each block of one correlates with
   * the other somewhere within the radius by chance, in any direction. */
  for (seed = 0; seed < 16; seed++) {
    GRand *rng = g_rand_new_with_seed (11000 + seed);
    gdouble wave[2][12][3];
    Pair p = { w, h };
    guint k, j, x, y;

    for (k = 0; k < 2; k++)
      for (j = 0; j < 12; j++) {
        wave[k][j][0] = g_rand_double_range (rng, 0.05, 0.4);
        wave[k][j][1] = g_rand_double_range (rng, 0.05, 0.4);
        wave[k][j][2] = g_rand_double_range (rng, 0, 2 * G_PI);
      }
    p.a = g_new (guint16, n);
    p.b = g_new (guint16, n);
    p.clean_a = g_new0 (gdouble, n);
    p.grids = g_new (gfloat, BW_N_GRIDS * (w / BLOCK) * (h / BLOCK));
    p.median_r = NAN;
    for (y = 0; y < h; y++)
      for (x = 0; x < w; x++)
        for (k = 0; k < 2; k++) {
          gdouble v = 0;

          for (j = 0; j < 12; j++)
            v += sin (wave[k][j][0] * x + wave[k][j][1] * y + wave[k][j][2]);
          (k ? p.b : p.a)[(gsize) y * w + x] =
              CLAMP (floor (30000 + 2000 * v + 0.5), 0, 65535);
        }
    pair_check (&p);
    if (p.sum.verdict.verdict == BW_VERDICT_REGISTERED || verbose) {
      gchar *what = g_strdup_printf ("%sunrelated waves seed %u: %s",
          p.sum.verdict.verdict == BW_VERDICT_REGISTERED ? "FAIL " : "",
          seed, bw_verdict_name (p.sum.verdict.verdict));

      pair_print (&p, what, verbose);
      g_free (what);
    }
    failures += p.sum.verdict.verdict == BW_VERDICT_REGISTERED;
    pair_clear (&p);
    g_rand_free (rng);
  }
  g_printerr ("unrelated: registered in %u/%u pairs\n", failures,
      N_KINDS * 5 + 16);
  g_assert_cmpuint (failures, ==, 0);
}

/* Without a search the search results are not looked at: a shift array
 * passed with search_radius 0 (and working memory that never had a
 * search) gives what no shift array gives.  A patch of low r in a
 * correlated frame makes a region, which takes the verdict through every
 * rule that could read the search's results. */
static void
test_shift_without_search (void)
{
  const guint cols = 24, rows = 20, block = 16;
  const gsize n = (gsize) cols * rows;
  gfloat *r = g_new (gfloat, n);
  BwBlockShift *shift = g_new0 (BwBlockShift, n);
  guint8 *suspect[2] = { g_new (guint8, n), g_new (guint8, n) };
  BwVerdict out[2];
  BwVerdictParams vp;
  gsize i;
  guint k;

  memset (&vp, 0, sizeof (vp));
  vp.cols = cols;
  vp.rows = rows;
  vp.width = cols * block;
  vp.height = rows * block;
  vp.block_width = vp.block_height = block;
  vp.min_region_blocks = 4;
  vp.shift_tolerance = 0.5;
  vp.median_r = NAN;
  for (i = 0; i < n; i++) {
    guint col = i % cols, row = i / cols;

    r[i] = 0.9 + 0.01 * sin (i * 0.7);
    if (col >= 5 && col < 9 && row >= 6 && row < 10)
      r[i] = 0.1;
    /* Results no search gave: a displacement everywhere. */
    shift[i].dx = shift[i].dy = 3;
    shift[i].r_best = 0.99;
    shift[i].n = block * block;
    shift[i].at_radius = TRUE;
    shift[i].fitted = TRUE;
  }
  for (k = 0; k < 2; k++) {
    BwVerdictWork *work = bw_verdict_work_new ();

    bw_verdict_compute (&vp, r, k ? shift : NULL, work, &out[k], suspect[k]);
    bw_verdict_work_free (work);
  }
  g_assert_cmpint (out[0].verdict, ==, BW_VERDICT_NEEDS_REGISTRATION);
  g_assert_cmpuint (out[0].n_regions, ==, 1);
  g_assert_cmpuint (out[0].regions[0].x, ==, 5 * block);
  g_assert_cmpuint (out[0].regions[0].y, ==, 6 * block);
  g_assert_cmpuint (out[0].regions[0].blocks, ==, 16);
  g_assert_true (isnan (out[0].shift_x) && isnan (out[0].shift_y));
  g_assert_cmpint (out[1].verdict, ==, out[0].verdict);
  g_assert_cmpuint (out[1].informative, ==, out[0].informative);
  g_assert_true (isnan (out[1].shift_x) && isnan (out[1].shift_y));
  g_assert_cmpuint (out[1].n_regions, ==, out[0].n_regions);
  g_assert_cmpuint (out[1].regions[0].x, ==, out[0].regions[0].x);
  g_assert_cmpuint (out[1].regions[0].y, ==, out[0].regions[0].y);
  g_assert_cmpuint (out[1].regions[0].blocks, ==, out[0].regions[0].blocks);
  g_assert_true (isnan (out[1].regions[0].shift_x));
  g_assert_cmpfloat (out[1].median_r_outside, ==, out[0].median_r_outside);
  g_assert_cmpmem (suspect[1], n, suspect[0], n);
  g_free (r);
  g_free (shift);
  g_free (suspect[0]);
  g_free (suspect[1]);
}

/* The verdict's per-block rules run a block row at a time on the
 * analysis' threads: moved regions and a global shift give the same
 * verdict, regions and grids on 1, 2 and 3 threads. */
static void
test_threads (void)
{
  static const Box square = { 40, 72, 48, 48 };
  static const gdouble shifts[][2] = { {2, 0}, {-3, 1} };
  const guint w = sizes[KIND_SMOOTH][0], h = sizes[KIND_SMOOTH][1];
  const gsize grids_len = BW_N_GRIDS * (gsize) (w / BLOCK) * (h / BLOCK);
  BwSampleFormat f = G_BYTE_ORDER == G_LITTLE_ENDIAN ? BW_SAMPLE_U16LE :
      BW_SAMPLE_U16BE;
  guint j, k, t;

  for (j = 0; j < G_N_ELEMENTS (shifts); j++)
    for (k = 0; k < 2; k++) {
      Scene *sc = scene_new (KIND_SMOOTH, w, h, 2000 + j);
      GRand *rng = g_rand_new_with_seed (31 + j);
      /* A moved square, or the whole frame moved. */
      Change ch = { shifts[j][0], shifts[j][1], k ? NULL : &square, NULL,
        1, 0
      };
      Pair p;
      BwPlane a, b;
      BwSummary first;
      gfloat *grids = g_new (gfloat, grids_len);

      scene_fix_scale (sc, w, h);
      pair_make (&p, sc, w, h, noise_levels[KIND_SMOOTH][0], &ch, rng);
      a = (BwPlane) {
      (const guint8 *) p.a, 2 * w, f};
      b = (BwPlane) {
      (const guint8 *) p.b, 2 * w, f};
      for (t = 1; t <= 3; t++) {
        BwParams params;
        BwSummary sum;
        guint i;

        bw_params_init (&params);
        params.block_width = params.block_height = BLOCK;
        params.n_threads = t;
        g_assert_true (bw_check_registration (&params, w, h, &a, &b,
                t == 1 ? p.grids : grids, t == 1 ? &first : &sum));
        if (t == 1) {
          g_assert_cmpint (first.verdict.verdict, ==,
              BW_VERDICT_NEEDS_REGISTRATION);
          continue;
        }
        g_assert_cmpmem (grids, grids_len * sizeof (gfloat), p.grids,
            grids_len * sizeof (gfloat));
        g_assert_cmpint (sum.verdict.verdict, ==, first.verdict.verdict);
        g_assert_cmpuint (sum.verdict.informative, ==,
            first.verdict.informative);
        g_assert_cmpfloat (sum.verdict.shift_x, ==, first.verdict.shift_x);
        g_assert_cmpfloat (sum.verdict.shift_y, ==, first.verdict.shift_y);
        g_assert_cmpuint (sum.verdict.n_regions, ==, first.verdict.n_regions);
        for (i = 0; i < first.verdict.n_reported; i++) {
          const BwRegion *x = &sum.verdict.regions[i];
          const BwRegion *y = &first.verdict.regions[i];

          g_assert_cmpuint (x->x, ==, y->x);
          g_assert_cmpuint (x->y, ==, y->y);
          g_assert_cmpuint (x->width, ==, y->width);
          g_assert_cmpuint (x->height, ==, y->height);
          g_assert_cmpuint (x->blocks, ==, y->blocks);
        }
      }
      g_free (grids);
      pair_clear (&p);
      g_rand_free (rng);
      scene_free (sc);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  verbose = g_getenv ("BW_VERDICT_VERBOSE") != NULL;
  g_test_add_func ("/verdict/global-shift", test_global_shift);
  g_test_add_func ("/verdict/region-shift", test_region_shift);
  g_test_add_func ("/verdict/gain-offset", test_gain_offset);
  g_test_add_func ("/verdict/noise-only", test_noise_only);
  g_test_add_func ("/verdict/flat", test_flat);
  g_test_add_func ("/verdict/sparse", test_sparse);
  g_test_add_func ("/verdict/unrelated", test_unrelated);
  g_test_add_func ("/verdict/shift-without-search", test_shift_without_search);
  g_test_add_func ("/verdict/threads", test_threads);
  return g_test_run ();
}
