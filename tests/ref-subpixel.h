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

#endif /* __REF_SUBPIXEL_H__ */
