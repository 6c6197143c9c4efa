#!/usr/bin/env python3
# gst-blockwise: the command line on drifting fluorescence frames (through
# the element): the global shift measured whatever its size up to a
# quarter of the image, and "or more" beyond.
#
# The frames are rendered here from one continuous scene (Gaussian nuclei
# with spots, photon and read noise, a camera offset), so the expected
# shift is the generator's own.
#
#   test-cli-drift.py GST-BLOCKCORR WORKDIR
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import re
import shutil
import subprocess
import sys

try:
    import numpy as np
    import tifffile
except ImportError as e:
    print('skip: %s' % e)
    sys.exit(77)

PROG, WORK = sys.argv[1], sys.argv[2]
SIDE = 256
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print('FAIL: ' + what)


def scene(seed, margin):
    """Nuclei (broad Gaussians) with spots inside, over the frame and a
    margin around it: (x, y, sigma, amplitude) rows."""
    rng = np.random.default_rng(seed)
    extent = SIDE + 2 * margin
    n = int(extent * extent / 900)
    nuclei = np.column_stack([rng.uniform(-margin, SIDE + margin, (n, 2)),
                              rng.uniform(5, 9, n), rng.uniform(300, 800, n)])
    spots = np.repeat(nuclei, 4, axis=0)
    spots[:, :2] += rng.normal(0, 4, (len(spots), 2))
    spots[:, 2] = rng.uniform(1, 2.5, len(spots))
    spots[:, 3] = rng.uniform(100, 400, len(spots))
    return np.vstack([nuclei, spots])


def render(objects, sx, sy, bleach, seed):
    """The scene's content moved by (sx, sy), 16-bit, with noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:SIDE, 0:SIDE].astype(np.float64)
    signal = np.full((SIDE, SIDE), 20.0)
    for ox, oy, sigma, amp in objects:
        cx, cy = ox + sx, oy + sy
        r = int(4 * sigma) + 1
        x0, x1 = max(int(cx) - r, 0), min(int(cx) + r + 1, SIDE)
        y0, y1 = max(int(cy) - r, 0), min(int(cy) + r + 1, SIDE)
        if x0 >= x1 or y0 >= y1:
            continue
        u, v = x[y0:y1, x0:x1] - cx, y[y0:y1, x0:x1] - cy
        signal[y0:y1, x0:x1] += amp * np.exp(-(u * u + v * v)
                                             / (2 * sigma * sigma))
    s = signal * bleach
    v = 100 + rng.poisson(s) + rng.normal(0, 3, s.shape)
    return v.round().clip(0, 65535).astype(np.uint16)


if os.path.isdir(WORK):
    shutil.rmtree(WORK)
os.makedirs(WORK)
objects = scene(5, SIDE // 4 + 40)
ref = os.path.join(WORK, 'ref.tif')
tifffile.imwrite(ref, render(objects, 0, 0, 1, 1))
SHIFTED = re.compile(r'shifted by \(([-+0-9.]+), ([-+0-9.]+)\) px overall'
                     r'( or more)?')

# (shift x, shift y, bleach, expected "or more"): a still frame, jumps of
# 6 and 30 px and one near a quarter of the side, one beyond it.
for k, (sx, sy, bleach, beyond) in enumerate((
        (0, 0, 0.7, False), (6.3, -2.1, 0.6, False),
        (-30.4, 12.6, 0.5, False), (0, 61.2, 0.5, False),
        (80, 80, 0.5, True))):
    path = os.path.join(WORK, 'frame-%d.tif' % k)
    tifffile.imwrite(path, render(objects, sx, sy, bleach, 10 + k))
    p = subprocess.run([PROG, '-o', os.path.join(WORK, 'out-%d' % k), ref, path], capture_output=True,
                       text=True, timeout=120)
    what = '(%g, %g) bleached to %g: exit %d, %s %s' % (
        sx, sy, bleach, p.returncode, p.stdout.strip(), p.stderr.strip())
    m = SHIFTED.search(p.stdout)
    if sx == 0 and sy == 0:
        check(p.returncode == 0 and m is None and 'registered' in p.stdout,
              what)
        continue
    check(p.returncode == 1 and m is not None, what)
    if m is None:
        continue
    if beyond:
        check(m.group(3) is not None, what + ': no "or more"')
    else:
        check(m.group(3) is None and abs(float(m.group(1)) - sx) <= 0.1
              and abs(float(m.group(2)) - sy) <= 0.1, what)

print('test-cli-drift: %s' % ('all checks passed' if not failures else
                              '%d checks failed' % len(failures)))
sys.exit(1 if failures else 0)
