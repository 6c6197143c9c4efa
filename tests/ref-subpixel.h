/* gst-blockwise tests: the sub-pixel peak the displacement search should
 * report, computed independently of kernels/: a quadratic surface
 * a + b x + c y + d x² + e y² + g x y fitted by least squares to the 3 x 3
 * r values around the best whole-pixel offset (normal equations solved by
 * Gaussian elimination), its maximum when the surface has one, is no ridge
 * (curvatures within a factor of ten) and it lies within half a pixel
 * (the caller gives r one pixel beyond the search radius where the best
 * offset lies on it);
 * otherwise separate parabolas along x and y (0 along an axis without both
 * neighbours or a peak).
 * Then, where the search refines that estimate, the refinement
 * (ref_refine()).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __REF_SUBPIXEL_H__
#define __REF_SUBPIXEL_H__

#include <math.h>
#include <glib.h>

static gdouble
ref_parabola_vertex (gdouble l, gdouble m, gdouble r)
{
  gdouble d;

  if (isnan (l) || isnan (r))
    return 0;
  d = l + r - 2 * m;
  if (d >= 0)
    return 0;
  d = (l - r) / (2 * d);
  return d > 0.5 ? 0.5 : d < -0.5 ? -0.5 : d;
}

/* f[j][i]: r at offset (i - 1, j - 1) from the best; NaN where missing.
 * Writes the sub-pixel part of the peak. */
static void
ref_subpixel (const gdouble f[3][3], gdouble * px, gdouble * py)
{
  gdouble m[6][7] = { {0} };
  gdouble coef[6];
  gboolean all = TRUE;
  gint i, j, k, r, c;

  for (j = 0; j < 3; j++)
    for (i = 0; i < 3; i++)
      all = all && !isnan (f[j][i]);
  if (all) {
    /* Normal equations of the six basis functions over the nine points. */
    for (j = 0; j < 3; j++)
      for (i = 0; i < 3; i++) {
        gdouble x = i - 1, y = j - 1;
        gdouble basis[6] = { 1, x, y, x * x, y * y, x * y };

        for (r = 0; r < 6; r++) {
          for (c = 0; c < 6; c++)
            m[r][c] += basis[r] * basis[c];
          m[r][6] += basis[r] * f[j][i];
        }
      }
    for (k = 0; k < 6; k++) {
      gint piv = k;

      for (r = k + 1; r < 6; r++)
        if (fabs (m[r][k]) > fabs (m[piv][k]))
          piv = r;
      for (c = 0; c < 7; c++) {
        gdouble t = m[k][c];

        m[k][c] = m[piv][c];
        m[piv][c] = t;
      }
      for (r = 0; r < 6; r++)
        if (r != k) {
          gdouble q = m[r][k] / m[k][k];

          for (c = k; c < 7; c++)
            m[r][c] -= q * m[k][c];
        }
    }
    for (k = 0; k < 6; k++)
      coef[k] = m[k][6] / m[k][k];
    {
      /* Zero gradient: [2d g; g 2e] (x, y) = -(b, c). */
      gdouble b = coef[1], cc = coef[2], d = coef[3], e = coef[4];
      gdouble g = coef[5], det = 4 * d * e - g * g;

      /* Curvatures along the principal axes: the Hessian's eigenvalues,
       * by its characteristic polynomial. */
      gdouble h11 = 2 * d, h22 = 2 * e, h12 = g;
      gdouble mean = 0.5 * (h11 + h22);
      gdouble rad = sqrt (0.25 * (h11 - h22) * (h11 - h22) + h12 * h12);
      gdouble steep = mean - rad, flat = mean + rad;

      if (d < 0 && det > 0 && flat < 0 && steep >= 10 * flat) {
        gdouble x = (-b * 2 * e + g * cc) / det;
        gdouble y = (-2 * d * cc + g * b) / det;

        if (fabs (x) <= 0.5 && fabs (y) <= 0.5) {
          *px = x;
          *py = y;
          return;
        }
      }
    }
  }
  *px = ref_parabola_vertex (f[1][0], f[1][1], f[1][2]);
  *py = ref_parabola_vertex (f[0][1], f[1][1], f[2][1]);
}

/* A sample of a frame at whole pixel (x, y), inside it. */
typedef gdouble (*RefSampleFunc) (gconstpointer frame, gint x, gint y);

/* Keys's six-point cubic convolution kernel (third-order accurate). */
static gdouble
ref_keys6 (gdouble d)
{
  d = fabs (d);
  if (d < 1)
    return 4.0 / 3 * d * d * d - 7.0 / 3 * d * d + 1;
  if (d < 2)
    return -7.0 / 12 * d * d * d + 3 * d * d - 59.0 / 12 * d + 15.0 / 6;
  if (d < 3)
    return 1.0 / 12 * d * d * d - 2.0 / 3 * d * d + 7.0 / 4 * d - 3.0 / 2;
  return 0;
}

/* TRUE where the refinement runs on a peak: r at the best offset's four
 * whole-pixel neighbours (nb[1][1] is the best) averages at least half of
 * r there; a narrower peak is content at the sampling limit. */
static gboolean
ref_peak_wide (const gdouble nb[3][3], gdouble best)
{
  gdouble around = (nb[1][0] + nb[1][2] + nb[0][1] + nb[2][1]) / 4;

  return around >= 0.5 * best;
}

/* The refinement the search applies after the fit above (analysis/
 * subpixel.h), written from its definition: A's block t (w x h at x0, y0
 * of a width x height frame) and its gradients (central differences,
 * one-sided at the frame's edges), the gradients made orthogonal to a
 * constant and to t by explicit projections over arrays, B interpolated at
 * the moved pixels by the two-dimensional six-point cubic convolution
 * kernel (Keys) over 6 x 6 samples, and Gauss-Newton steps
 * p -= H⁻¹ Σ g' (σt / σb) b until a step is below 0.01 px along both axes
 * (at most 4).  FALSE where the search keeps the fit: the samples needed
 * leave the frame, H's eigenvalues differ more than a hundredfold, the
 * window does not correlate positively, or an estimate leaves the pixel
 * around the start. */
static gboolean
ref_refine (RefSampleFunc sample_a, gconstpointer fa, RefSampleFunc sample_b,
    gconstpointer fb, gint width, gint height, gint x0, gint y0, gint w,
    gint h, gdouble * dx, gdouble * dy)
{
  const gint n = w * h;
  gdouble *t = g_new (gdouble, n), *gx = g_new (gdouble, n);
  gdouble *gy = g_new (gdouble, n), *b = g_new (gdouble, n);
  gdouble mt = 0, vt = 0, hxx = 0, hyy = 0, hxy = 0, px = *dx, py = *dy;
  gdouble *g[2] = { gx, gy };
  gboolean ok = FALSE;
  gint x, y, i, k, it;

  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      gint ax = x0 + x, ay = y0 + y;
      gint l = MAX (ax - 1, 0), r = MIN (ax + 1, width - 1);
      gint u = MAX (ay - 1, 0), d = MIN (ay + 1, height - 1);

      i = y * w + x;
      t[i] = sample_a (fa, ax, ay);
      gx[i] = r > l ? (sample_a (fa, r, ay) - sample_a (fa, l, ay)) / (r - l)
          : 0;
      gy[i] = d > u ? (sample_a (fa, ax, d) - sample_a (fa, ax, u)) / (d - u)
          : 0;
    }
  for (i = 0; i < n; i++)
    mt += t[i] / n;
  for (i = 0; i < n; i++) {
    t[i] -= mt;
    vt += t[i] * t[i];
  }
  if (!(vt > 0))
    goto done;
  for (k = 0; k < 2; k++) {
    gdouble m = 0, c = 0;

    for (i = 0; i < n; i++)
      m += g[k][i] / n;
    for (i = 0; i < n; i++)
      c += (g[k][i] - m) * t[i];
    for (i = 0; i < n; i++)
      g[k][i] -= m + c / vt * t[i];
  }
  for (i = 0; i < n; i++) {
    hxx += gx[i] * gx[i];
    hyy += gy[i] * gy[i];
    hxy += gx[i] * gy[i];
  }
  {
    gdouble mean = 0.5 * (hxx + hyy);
    gdouble rad = sqrt (0.25 * (hxx - hyy) * (hxx - hyy) + hxy * hxy);

    if (!(mean - rad >= 0.01 * (mean + rad)) || !(mean + rad > 0))
      goto done;
  }
  for (it = 0; it < 4; it++) {
    gint ix = (gint) floor (px), iy = (gint) floor (py);
    gdouble mb = 0, vb = 0, c = 0, sx = 0, sy = 0, det, ux, uy;

    if (x0 + ix - 2 < 0 || y0 + iy - 2 < 0 || x0 + ix + w + 3 > width
        || y0 + iy + h + 3 > height)
      goto done;
    for (y = 0; y < h; y++)
      for (x = 0; x < w; x++) {
        gdouble v = 0;
        gint j, q;

        for (j = -2; j <= 3; j++)
          for (q = -2; q <= 3; q++)
            v += ref_keys6 (px - ix - q) * ref_keys6 (py - iy - j)
                * sample_b (fb, x0 + x + ix + q, y0 + y + iy + j);
        b[y * w + x] = v;
        mb += v / n;
      }
    for (i = 0; i < n; i++) {
      gdouble v = b[i] - mb;

      vb += v * v;
      c += v * t[i];
      sx += gx[i] * v;
      sy += gy[i] * v;
    }
    if (!(vb > 0) || !(c > 0))
      goto done;
    sx *= sqrt (vt / vb);
    sy *= sqrt (vt / vb);
    det = hxx * hyy - hxy * hxy;
    ux = (hyy * sx - hxy * sy) / det;
    uy = (hxx * sy - hxy * sx) / det;
    px -= ux;
    py -= uy;
    if (!(fabs (px - *dx) <= 1 && fabs (py - *dy) <= 1))
      goto done;
    if (fabs (ux) < 0.01 && fabs (uy) < 0.01) {
      *dx = px;
      *dy = py;
      ok = TRUE;
      goto done;
    }
  }
done:
  g_free (t);
  g_free (gx);
  g_free (gy);
  g_free (b);
  return ok;
}

#endif /* __REF_SUBPIXEL_H__ */
