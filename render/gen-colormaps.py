#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Generate render/colormap-tables.c: 256-entry RGB tables for the heatmap.

  coolwarm  Kenneth Moreland's diverging map, computed here from its
            definition ("Diverging Color Maps for Scientific Visualization",
            ISVC 2009): Msh interpolation between sRGB (59,76,192) and
            (180,4,38) through a white point of M = 88.
  viridis   matplotlib's published 256-entry list (matplotlib.colormaps).
  magma     matplotlib's published 256-entry list (matplotlib.colormaps).
  gray      entry i = (i, i, i).

Needs matplotlib (Debian: python3-matplotlib).  Usage:

  render/gen-colormaps.py [OUTPUT]   (default: render/colormap-tables.c)

Floats are quantised as floor(255 * c + 0.5).  matplotlib's own coolwarm
(linear interpolation of 33 of Moreland's samples) is used only as a sanity
check; its maximum difference from ours is printed to stderr.
"""

import math
import os
import sys

N = 256

# --- Colour space conversions (sRGB, D65) ---------------------------------

# Reference white used by Moreland (D65, Y normalised to 1).
WHITE = (0.9505, 1.0, 1.089)

RGB_TO_XYZ = (
    (0.4124, 0.3576, 0.1805),
    (0.2126, 0.7152, 0.0722),
    (0.0193, 0.1192, 0.9505),
)

XYZ_TO_RGB = (
    (3.2406, -1.5372, -0.4986),
    (-0.9689, 1.8758, 0.0415),
    (0.0557, -0.2040, 1.0570),
)


def mat_mul(m, v):
    return tuple(sum(m[r][c] * v[c] for c in range(3)) for r in range(3))


def srgb_to_linear(c):
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def linear_to_srgb(c):
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1.0 / 2.4) - 0.055


def lab_f(t):
    return t ** (1.0 / 3.0) if t > 0.008856 else 7.787 * t + 16.0 / 116.0


def lab_finv(t):
    return t ** 3 if t > 0.20689 else (t - 16.0 / 116.0) / 7.787


def rgb8_to_msh(rgb):
    lin = [srgb_to_linear(c / 255.0) for c in rgb]
    x, y, z = mat_mul(RGB_TO_XYZ, lin)
    fx, fy, fz = (lab_f(x / WHITE[0]), lab_f(y / WHITE[1]),
                  lab_f(z / WHITE[2]))
    L = 116.0 * fy - 16.0
    a = 500.0 * (fx - fy)
    b = 200.0 * (fy - fz)
    M = math.sqrt(L * L + a * a + b * b)
    s = math.acos(L / M) if M > 0 else 0.0
    h = math.atan2(b, a)
    return M, s, h


def msh_to_rgb(msh):
    """Msh -> sRGB floats, clipped to [0, 1]."""
    M, s, h = msh
    L = M * math.cos(s)
    a = M * math.sin(s) * math.cos(h)
    b = M * math.sin(s) * math.sin(h)
    fy = (L + 16.0) / 116.0
    fx = fy + a / 500.0
    fz = fy - b / 200.0
    xyz = (WHITE[0] * lab_finv(fx), WHITE[1] * lab_finv(fy),
           WHITE[2] * lab_finv(fz))
    lin = mat_mul(XYZ_TO_RGB, xyz)
    return tuple(min(1.0, max(0.0, linear_to_srgb(max(0.0, c))))
                 for c in lin)


# --- Moreland's diverging interpolation -----------------------------------

def adjust_hue(msh, m_unsat):
    """Hue for an unsaturated colour of magnitude m_unsat next to msh, spun
    so the map does not look to bend towards another hue near white."""
    M, s, h = msh
    if M >= m_unsat:
        return h
    spin = s * math.sqrt(m_unsat * m_unsat - M * M) / (M * math.sin(s))
    return h + spin if h > -math.pi / 3.0 else h - spin


def diverging(msh1, msh2, t):
    M1, s1, h1 = msh1
    M2, s2, h2 = msh2
    # Distinct saturated end points: pass through white at the midpoint.
    if s1 > 0.05 and s2 > 0.05 and abs(h1 - h2) > math.pi / 3.0:
        m_mid = max(M1, M2, 88.0)
        if t < 0.5:
            M2, s2, h2 = m_mid, 0.0, 0.0
            t = 2.0 * t
        else:
            M1, s1, h1 = m_mid, 0.0, 0.0
            t = 2.0 * t - 1.0
    # An unsaturated end point takes the hue of the saturated one.
    if s1 < 0.05 and s2 > 0.05:
        h1 = adjust_hue((M2, s2, h2), M1)
    elif s2 < 0.05 and s1 > 0.05:
        h2 = adjust_hue((M1, s1, h1), M2)
    return ((1 - t) * M1 + t * M2, (1 - t) * s1 + t * s2,
            (1 - t) * h1 + t * h2)


def quant(c):
    return min(255, max(0, int(math.floor(c * 255.0 + 0.5))))


def coolwarm_table():
    lo = rgb8_to_msh((59, 76, 192))
    hi = rgb8_to_msh((180, 4, 38))
    return [tuple(quant(c) for c in msh_to_rgb(diverging(lo, hi, i / (N - 1))))
            for i in range(N)]


# --- matplotlib ------------------------------------------------------------

def mpl_cmap(name):
    import matplotlib
    try:
        return matplotlib.colormaps[name]
    except AttributeError:      # matplotlib < 3.5
        import matplotlib.cm
        return matplotlib.cm.get_cmap(name)


def mpl_table(name):
    cmap = mpl_cmap(name)
    if cmap.N != N:
        sys.exit("matplotlib '%s' has %d entries, expected %d"
                 % (name, cmap.N, N))
    # cmap(i) with an integer i is entry i of the lookup table, exactly.
    return [tuple(quant(c) for c in cmap(i)[:3]) for i in range(N)]


def max_diff(t1, t2):
    return max(abs(a - b) for e1, e2 in zip(t1, t2) for a, b in zip(e1, e2))


# --- Output ----------------------------------------------------------------

def emit(out, cname, table):
    out.write("static const guint8 %s[256 * 3] = {\n" % cname)
    for i in range(0, N, 4):
        row = ", ".join("%3d, %3d, %3d" % table[j] for j in range(i, i + 4))
        out.write("  %s,\n" % row)
    out.write("};\n\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = (sys.argv[1] if len(sys.argv) > 1 else
            os.path.join(here, os.pardir, "render", "colormap-tables.c"))

    import matplotlib
    coolwarm = coolwarm_table()
    viridis = mpl_table("viridis")
    magma = mpl_table("magma")
    gray = [(i, i, i) for i in range(N)]

    diff = max_diff(coolwarm, mpl_table("coolwarm"))
    sys.stderr.write("coolwarm vs matplotlib 'coolwarm': max difference "
                     "%d/255\n" % diff)

    with open(path, "w") as out:
        out.write(
            "/* gst-blockwise: colormap tables.  GENERATED FILE, DO NOT EDIT.\n"
            " *\n"
            " * Generated by render/gen-colormaps.py from:\n"
            " *   coolwarm  Moreland's diverging map (\"Diverging Color Maps "
            "for\n"
            " *             Scientific Visualization\", 2009), Msh "
            "interpolation\n"
            " *             from (59,76,192) to (180,4,38), computed by the "
            "script\n"
            " *   viridis   matplotlib %s published 256-entry list\n"
            " *   magma     matplotlib %s published 256-entry list\n"
            " *   gray      entry i = (i, i, i)\n"
            " *\n"
            " * Each table is 256 entries of R, G, B; entry 0 is the low end.\n"
            " * #included by colormap.c; not a compilation unit of its own.\n"
            " *\n"
            " * SPDX-License-Identifier: LGPL-2.1-or-later\n"
            " */\n\n"
            "#include <glib.h>\n\n"
            % (matplotlib.__version__, matplotlib.__version__))
        emit(out, "bw_colormap_coolwarm", coolwarm)
        emit(out, "bw_colormap_viridis", viridis)
        emit(out, "bw_colormap_magma", magma)
        emit(out, "bw_colormap_gray", gray)
    sys.stderr.write("wrote %s\n" % os.path.normpath(path))


if __name__ == "__main__":
    main()
