/* gst-blockwise: the verdict where the noise is as strong as the texture.
 *
 * Pairs are rendered here from a continuous scene, a sum of plane waves of
 * random direction and phase with wavelengths 6-48 px (a band-limited
 * texture, exact at any sub-pixel shift), times a contrast that varies
 * slowly over the frame, on a constant level.  Noise (Gaussian, or
 * Poisson-like: variance proportional to the signal) is scaled so that the
 * registered pair's median block r, computed here in double precision, is
 * the level asked for; the checks assert that it is within 0.05 of it.
 *
 * Checks (bw_check_registration(), the element's defaults):
 *  1. at median r 0.3, 0.4 and 0.5: a rectangle of 5-15 % of the frame
 *     moved by 2-3 px (several places and directions, several seeds) is
 *     one counted region with a bounding-box IoU >= 0.5 with it, and
 *     nothing else counts (every counted region lies mostly in it);
 *  2. the same pairs registered (noise only): registered, no region;
 *  3. a low-contrast picture (block deviations 10-40 counts) with noise of
 *     sd 30 shifted globally by 0.5-1 px: needs-registration;
 *  4. the command line (the element's path) on two TIFF files written
 *     here: a region moved at median r 0.4 is found, the same pair
 *     registered is registered.
 *
 * Usage: test-low-signal [PATH-TO-gst-blockcorr WORK-DIR] (without them
 * the command line's check is skipped).
 *
 * Set BW_LOW_SIGNAL_VERBOSE=1 to print every case.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <tiffio.h>

#include "pair-checks.h"
#include "registration.h"

#define BLOCK BW_DEFAULT_BLOCK_SIZE
#define N_WAVES 120
#define MIN_IOU 0.5

static gboolean verbose;
/* The command line and a folder for its files (NULL: not built). */
static const gchar *program, *work_dir;

typedef struct
{
  gdouble level;
  gdouble u[N_WAVES], v[N_WAVES], phase[N_WAVES], amp[N_WAVES];
  /* Contrast: lo .. hi, a cosine across the frame of this period. */
  gdouble contrast_lo, contrast_hi, contrast_period;
} Scene;

/* Waves of unit total variance: amplitudes grow with the wavelength, as
 * in pictures, whose power lies mostly at low frequencies. */
static void
scene_init (Scene * s, guint32 seed, gdouble level, gdouble lo, gdouble hi)
{
  GRand *rng = g_rand_new_with_seed (seed);
  gdouble var = 0;
  guint k;

  s->level = level;
  s->contrast_lo = lo;
  s->contrast_hi = hi;
  s->contrast_period = g_rand_double_range (rng, 150, 300);
  for (k = 0; k < N_WAVES; k++) {
    gdouble lambda = exp (g_rand_double_range (rng, log (6.0), log (48.0)));
    gdouble theta = g_rand_double_range (rng, 0, G_PI);

    s->u[k] = 2 * G_PI / lambda * cos (theta);
    s->v[k] = 2 * G_PI / lambda * sin (theta);
    s->phase[k] = g_rand_double_range (rng, 0, 2 * G_PI);
    s->amp[k] = sqrt (lambda);
    var += 0.5 * s->amp[k] * s->amp[k];
  }
  for (k = 0; k < N_WAVES; k++)
    s->amp[k] /= sqrt (var);
  g_rand_free (rng);
}

/* The scene at (x - ox, y - oy) into out (w x h doubles). */
static void
render_at (const Scene * s, guint w, guint h, gdouble ox, gdouble oy,
    gdouble * out)
{
  gdouble *cx = g_new (gdouble, 2 * w), *cy = g_new (gdouble, 2 * h);
  guint k, x, y;

  memset (out, 0, sizeof (gdouble) * w * h);
  for (k = 0; k < N_WAVES; k++) {
    /* cos (u (x - ox) + v (y - oy) + phase): the real part of e^{iux}
     * e^{i (vy + c)}, from a row and a column of factors. */
    gdouble c = s->phase[k] - s->u[k] * ox - s->v[k] * oy;

    for (x = 0; x < w; x++) {
      cx[2 * x] = cos (s->u[k] * x);
      cx[2 * x + 1] = sin (s->u[k] * x);
    }
    for (y = 0; y < h; y++) {
      cy[2 * y] = s->amp[k] * cos (s->v[k] * y + c);
      cy[2 * y + 1] = s->amp[k] * sin (s->v[k] * y + c);
    }
    for (y = 0; y < h; y++) {
      gdouble *row = out + (gsize) y * w;

      for (x = 0; x < w; x++)
        row[x] += cx[2 * x] * cy[2 * y] - cx[2 * x + 1] * cy[2 * y + 1];
    }
  }
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      gdouble t = 0.5 * (1 + cos (2 * G_PI * (x - ox + 0.6 * (y - oy))
              / s->contrast_period));

      out[(gsize) y * w + x] = s->level + (s->contrast_lo
          + (s->contrast_hi - s->contrast_lo) * t) * out[(gsize) y * w + x];
    }
  g_free (cx);
  g_free (cy);
}

/* The scene moved by (sx, sy) inside moved (everywhere when NULL), in
 * place elsewhere. */
static void
render (const Scene * s, guint w, guint h, gdouble sx, gdouble sy,
    const Box * moved, gdouble * out)
{
  gdouble *in_box;
  gint x, y;

  if (!moved) {
    render_at (s, w, h, sx, sy, out);
    return;
  }
  in_box = g_new (gdouble, (gsize) w * h);
  render_at (s, w, h, 0, 0, out);
  render_at (s, w, h, sx, sy, in_box);
  for (y = moved->y; y < moved->y + moved->h; y++)
    for (x = moved->x; x < moved->x + moved->w; x++)
      out[(gsize) y * w + x] = in_box[(gsize) y * w + x];
  g_free (in_box);
}

/* f plus noise of variance read² + photon · f, rounded into 16 bits. */
static void
add_noise (const gdouble * f, gsize n, gdouble read, gdouble photon,
    GRand * rng, guint16 * out)
{
  gsize i;

  for (i = 0; i < n; i++) {
    gdouble sd = sqrt (read * read + photon * MAX (f[i], 0));

    out[i] = (guint16) CLAMP (floor (f[i] + sd * gauss (rng) + 0.5), 0, 65535);
  }
}

static gdouble
median (gdouble * v, guint m)
{
  qsort (v, m, sizeof (gdouble), cmp_double);
  return m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
}

/* Per block of the clean image: its mean and variance. */
static void
block_moments (const gdouble * f, guint w, guint h, gdouble * mean,
    gdouble * var)
{
  guint cols = w / BLOCK, rows = h / BLOCK, c, r, x, y;

  for (r = 0; r < rows; r++)
    for (c = 0; c < cols; c++) {
      gdouble m = 0, v = 0;

      for (y = r * BLOCK; y < (r + 1) * BLOCK; y++)
        for (x = c * BLOCK; x < (c + 1) * BLOCK; x++)
          m += f[(gsize) y * w + x];
      m /= BLOCK * BLOCK;
      for (y = r * BLOCK; y < (r + 1) * BLOCK; y++)
        for (x = c * BLOCK; x < (c + 1) * BLOCK; x++)
          v += (f[(gsize) y * w + x] - m) * (f[(gsize) y * w + x] - m);
      mean[r * cols + c] = m;
      var[r * cols + c] = v / (BLOCK * BLOCK);
    }
}

/* Median block r of two images in double precision. */
static gdouble
median_block_r (const guint16 * a, const guint16 * b, guint w, guint h)
{
  guint cols = w / BLOCK, rows = h / BLOCK, c, r, x, y, m = 0;
  gdouble *v = g_new (gdouble, cols * rows), med;

  for (r = 0; r < rows; r++)
    for (c = 0; c < cols; c++) {
      gdouble ma = 0, mb = 0, saa = 0, sbb = 0, sab = 0;

      for (y = r * BLOCK; y < (r + 1) * BLOCK; y++)
        for (x = c * BLOCK; x < (c + 1) * BLOCK; x++) {
          ma += a[y * w + x];
          mb += b[y * w + x];
        }
      ma /= BLOCK * BLOCK;
      mb /= BLOCK * BLOCK;
      for (y = r * BLOCK; y < (r + 1) * BLOCK; y++)
        for (x = c * BLOCK; x < (c + 1) * BLOCK; x++) {
          gdouble da = a[y * w + x] - ma, db = b[y * w + x] - mb;

          saa += da * da;
          sbb += db * db;
          sab += da * db;
        }
      if (saa > 0 && sbb > 0)
        v[m++] = sab / sqrt (saa * sbb);
    }
  med = m ? median (v, m) : NAN;
  g_free (v);
  return med;
}

typedef struct
{
  guint w, h;
  guint16 *a, *b;
  gdouble median_r;             /* of the registered pair */
  BwSummary sum;
  gfloat *grids;
} Pair;

#define PAIR_GRID(p, g) ((p)->grids + (gsize) (g) * ((p)->w / BLOCK) \
    * ((p)->h / BLOCK))

/* A pair of the scene with noise for median block r target_r (photon:
 * Poisson-like, else Gaussian; sd > 0: Gaussian of that sd instead): B is
 * the scene moved by (sx, sy) inside box (everywhere when box is NULL). */
static void
pair_make (Pair * p, const Scene * s, guint w, guint h, gdouble target_r,
    gboolean photon, gdouble sd, gdouble sx, gdouble sy, const Box * box,
    GRand * rng)
{
  guint nb = (w / BLOCK) * (h / BLOCK), i;
  gsize n = (gsize) w * h;
  gdouble *fa = g_new (gdouble, n), *fb = g_new (gdouble, n);
  gdouble *mean = g_new (gdouble, nb), *var = g_new (gdouble, nb);
  gdouble read = sd, gain = 0;
  guint16 *reg = g_new (guint16, n);

  p->w = w;
  p->h = h;
  p->a = g_new (guint16, n);
  p->b = g_new (guint16, n);
  p->grids = g_new (gfloat, BW_N_GRIDS * nb);
  render (s, w, h, 0, 0, NULL, fa);
  render (s, w, h, sx, sy, box, fb);
  if (sd <= 0) {
    /* r = var / (var + noise) per block: the noise that gives target_r at
     * the median block (per unit of intensity for photon noise). */
    block_moments (fa, w, h, mean, var);
    if (photon) {
      for (i = 0; i < nb; i++)
        var[i] /= mean[i];
      gain = median (var, nb) * (1 - target_r) / target_r;
      read = 0;
    } else {
      read = sqrt (median (var, nb) * (1 - target_r) / target_r);
    }
  }
  add_noise (fa, n, read, gain, rng, p->a);
  add_noise (fa, n, read, gain, rng, reg);
  p->median_r = median_block_r (p->a, reg, w, h);
  add_noise (fb, n, read, gain, rng, p->b);
  g_free (fa);
  g_free (fb);
  g_free (mean);
  g_free (var);
  g_free (reg);
}

static void
pair_clear (Pair * p)
{
  g_free (p->a);
  g_free (p->b);
  g_free (p->grids);
}

static void
pair_check (Pair * p)
{
  BwSampleFormat f = G_BYTE_ORDER == G_LITTLE_ENDIAN ? BW_SAMPLE_U16LE :
      BW_SAMPLE_U16BE;
  BwPlane a = { (const guint8 *) p->a, 2 * p->w, f };
  BwPlane b = { (const guint8 *) p->b, 2 * p->w, f };
  BwParams params;

  bw_params_init (&params);
  g_assert_true (bw_check_registration (&params, p->w, p->h, &a, &b,
          p->grids, &p->sum));
}

static void
pair_print (const Pair * p, const gchar * what, gboolean grid)
{
  const BwVerdict *v = &p->sum.verdict;
  guint cols = p->w / BLOCK, rows = p->h / BLOCK;

  g_printerr ("%s: median r %.3f, %s, informative %u/%u, shift (%.3f, "
      "%.3f)%s, regions %u\n", what, p->median_r,
      bw_verdict_name (v->verdict), v->informative, cols * rows, v->shift_x,
      v->shift_y, v->shift_significant ? " significant" : "", v->n_regions);
  print_regions_and_shifts (v, PAIR_GRID (p, BW_GRID_R),
      PAIR_GRID (p, BW_GRID_DX), PAIR_GRID (p, BW_GRID_DY), cols, rows, grid);
}

#define W 384
#define H 320

/* Moved rectangles (5-15 % of W x H) and their displacements. */
static const Box boxes[] = {
  {48, 40, 96, 80}, {224, 160, 128, 112}, {120, 96, 112, 96},
  {16, 200, 144, 96}, {256, 24, 104, 88}, {160, 192, 88, 96}
};

static const gdouble moves[][2] = {
  {2, 0}, {0, -3}, {2, 2}, {-3, 1}, {-2, -2}, {3, 2}
};

static const gdouble target_rs[] = { 0.3, 0.4, 0.5 };

#define N_SEEDS 2

/* Of the moved regions, the fraction that must be found per level (0.3:
 * counted and printed, not asserted). */
static const gdouble min_found[] = { 0, 0.75, 1 };

/* 1 and 2: moved regions at low r, and the same noise registered. */
static void
test_regions (void)
{
  guint level, k, seed, failures = 0;

  for (level = 0; level < G_N_ELEMENTS (target_rs); level++) {
    guint found = 0, cases = 0, still = 0, false_regions = 0;
    gdouble worst_iou = 1, lo_r = 1, hi_r = 0;

    for (k = 0; k < G_N_ELEMENTS (boxes); k++)
      for (seed = 0; seed < N_SEEDS; seed++) {
        guint32 id = 100 * level + 10 * k + seed;
        gboolean photon = (k + seed) % 2;
        GRand *rng = g_rand_new_with_seed (id);
        Scene s;
        Pair p;
        gdouble iou;
        gboolean alone, good;

        scene_init (&s, 5000 + id, 10000, 1000, 1000);
        pair_make (&p, &s, W, H, target_rs[level], photon, 0, moves[k][0],
            moves[k][1], &boxes[k], rng);
        pair_check (&p);
        lo_r = MIN (lo_r, p.median_r);
        hi_r = MAX (hi_r, p.median_r);
        alone = regions_inside (&p.sum.verdict, &boxes[k], &iou);
        good = alone && iou >= MIN_IOU
            && p.sum.verdict.verdict == BW_VERDICT_NEEDS_REGISTRATION;
        cases++;
        found += good;
        false_regions += !alone;
        worst_iou = MIN (worst_iou, iou);
        if (!good || verbose) {
          gchar *what = g_strdup_printf ("%sregion r %.1f %s box %d,%d %dx%d "
              "moved (%g, %g) seed %u: IoU %.2f%s", good ? "" : "missed ",
              target_rs[level], photon ? "photon" : "gaussian", boxes[k].x,
              boxes[k].y, boxes[k].w, boxes[k].h, moves[k][0], moves[k][1],
              seed, iou, alone ? "" : ", FAIL: a region elsewhere");

          pair_print (&p, what, verbose);
          g_free (what);
        }
        pair_clear (&p);

        pair_make (&p, &s, W, H, target_rs[level], photon, 0, 0, 0, NULL, rng);
        pair_check (&p);
        good = p.sum.verdict.verdict == BW_VERDICT_REGISTERED
            && p.sum.verdict.n_regions == 0;
        still += good;
        if (!good || verbose) {
          gchar *what = g_strdup_printf ("%sregistered r %.1f %s seed %u",
              good ? "" : "FAIL ", target_rs[level],
              photon ? "photon" : "gaussian", id);

          pair_print (&p, what, verbose);
          g_free (what);
        }
        pair_clear (&p);
        g_rand_free (rng);
      }
    g_printerr ("low signal, median r %.2f .. %.2f: moved region found "
        "%u/%u (worst IoU %.2f), a region elsewhere %u/%u; registered pairs "
        "registered without regions %u/%u\n", lo_r, hi_r, found, cases,
        worst_iou, false_regions, cases, still, cases);
    g_assert_cmpfloat (fabs (lo_r - target_rs[level]), <, 0.05);
    g_assert_cmpfloat (fabs (hi_r - target_rs[level]), <, 0.05);
    failures += false_regions + (cases - still);
    failures += found < min_found[level] * cases;
  }
  g_assert_cmpuint (failures, ==, 0);
}

/* 3. Low contrast (block sd 10-40 counts), noise sd 30, a global shift. */
static void
test_low_contrast_shift (void)
{
  static const gdouble shifts[][2] = {
    {0.5, 0}, {0, 0.5}, {0.7, 0}, {0, -0.7}, {1, 0}, {0, 1}, {0.5, 0.5},
    {-0.7, 0.7}
  };
  guint k, seed, found = 0, cases = 0;

  for (k = 0; k < G_N_ELEMENTS (shifts); k++)
    for (seed = 0; seed < 2; seed++) {
      guint32 id = 700 + 10 * k + seed;
      GRand *rng = g_rand_new_with_seed (id);
      Scene s;
      Pair p;
      gboolean good;

      scene_init (&s, 9000 + id, 1000, 10, 45);
      pair_make (&p, &s, W, H, 0, FALSE, 30, shifts[k][0], shifts[k][1],
          NULL, rng);
      pair_check (&p);
      good = p.sum.verdict.verdict == BW_VERDICT_NEEDS_REGISTRATION;
      cases++;
      found += good;
      if (!good || verbose) {
        gchar *what = g_strdup_printf ("%slow contrast shift (%g, %g) seed %u",
            good ? "" : "FAIL ", shifts[k][0], shifts[k][1], id);

        pair_print (&p, what, verbose);
        g_free (what);
      }
      pair_clear (&p);
      g_rand_free (rng);
    }
  g_printerr ("low contrast, noise sd 30, global shift 0.5-1 px: "
      "needs-registration %u/%u\n", found, cases);
  g_assert_cmpuint (found, ==, cases);
}

static void
write_tiff (const gchar * path, const guint16 * data, guint w, guint h)
{
  TIFF *t = TIFFOpen (path, "w");
  guint y;

  g_assert_nonnull (t);
  TIFFSetField (t, TIFFTAG_IMAGEWIDTH, w);
  TIFFSetField (t, TIFFTAG_IMAGELENGTH, h);
  TIFFSetField (t, TIFFTAG_BITSPERSAMPLE, 16);
  TIFFSetField (t, TIFFTAG_SAMPLESPERPIXEL, 1);
  TIFFSetField (t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
  TIFFSetField (t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField (t, TIFFTAG_ROWSPERSTRIP, h);
  for (y = 0; y < h; y++)
    g_assert_cmpint (TIFFWriteScanline (t, (void *) (data + (gsize) y * w), y,
            0), ==, 1);
  TIFFClose (t);
}

/* Runs the command line on a and b; returns its exit status and stdout. */
static gint
run_program (const Pair * p, const gchar * name, gchar ** out)
{
  gchar *a = g_build_filename (work_dir, "a.tif", NULL);
  gchar *b = g_build_filename (work_dir, "b.tif", NULL);
  gchar *dir = g_build_filename (work_dir, name, NULL);
  gchar *argv[] = { (gchar *) program, "-o", dir, a, b, NULL };
  gchar *err = NULL;
  gint status;
  GError *error = NULL;

  write_tiff (a, p->a, p->w, p->h);
  write_tiff (b, p->b, p->w, p->h);
  g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
          out, &err, &status, &error));
  g_assert_no_error (error);
  if (verbose || !g_spawn_check_wait_status (status, NULL))
    g_printerr ("%s: %s%s", name, *out, err);
  g_free (err);
  g_free (a);
  g_free (b);
  g_free (dir);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* 4. The element's path: the command line on TIFF files, a region moved
 * by (2, 2) px at median r 0.4 and the same pair registered. */
static void
test_command_line (void)
{
  const Box *box = &boxes[2];
  GRand *rng = g_rand_new_with_seed (120);
  Scene s;
  Pair p;
  gchar *out, *at;
  Box found;
  gint status;

  if (!program) {
    g_test_skip ("gst-blockcorr not built");
    return;
  }
  g_assert_cmpint (g_mkdir_with_parents (work_dir, 0755), ==, 0);
  scene_init (&s, 5120, 10000, 1000, 1000);
  pair_make (&p, &s, W, H, 0.4, FALSE, 0, moves[2][0], moves[2][1], box, rng);
  status = run_program (&p, "moved", &out);
  g_assert_cmpint (status, ==, 1);
  at = strstr (out, "1 region, x ");
  g_assert_nonnull (at);
  g_assert_cmpint (sscanf (at, "1 region, x %d-%d, y %d-%d", &found.x,
          &found.w, &found.y, &found.h), ==, 4);
  found.w -= found.x;
  found.h -= found.y;
  g_assert_cmpfloat (box_iou (&found, box), >=, MIN_IOU);
  g_free (out);
  pair_clear (&p);

  pair_make (&p, &s, W, H, 0.4, FALSE, 0, 0, 0, NULL, rng);
  status = run_program (&p, "registered", &out);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "registered"));
  g_free (out);
  pair_clear (&p);
  g_rand_free (rng);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  verbose = g_getenv ("BW_LOW_SIGNAL_VERBOSE") != NULL;
  if (argc == 3) {
    program = argv[1];
    work_dir = argv[2];
  }
  g_test_add_func ("/low-signal/regions", test_regions);
  g_test_add_func ("/low-signal/low-contrast-shift", test_low_contrast_shift);
  g_test_add_func ("/low-signal/command-line", test_command_line);
  return g_test_run ();
}
