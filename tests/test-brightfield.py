#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-blockwise: brightfield slides through gst-blockcorr (the element's
path), as a camera records them.

Pairs from make-brightfield.py (bright glass over a third of the frame,
textured tissue, a saturated patch, shot and read noise): a still pair
whose illumination changes, a stitching error (a tile moved) and a smooth
local warp.  The generator's own masks, from the noise-free scene, are
the reference: glass and saturated blocks must be background and drawn
so (hatched) in heatmap.png and shift.png, no textured block may be, and
the verdict must be right, with the moved region where it was moved.

Usage: test-brightfield.py PATH-TO-gst-blockcorr MAKE-BRIGHTFIELD WORK-DIR
Exit 77 (a skip) when numpy or tifffile is missing.
"""
import json
import os
import shutil
import subprocess
import sys

try:
    import numpy as np
    import tifffile  # noqa: F401 (the generator needs it)
except ImportError as e:
    print('skip: %s' % e)
    sys.exit(77)

PROG, MAKE, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
# The background's hatching in the pictures: white and light gray only.
HATCH = {(255, 255, 255), (178, 178, 178)}
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print('FAIL: ' + what)


def make(name, *args):
    out = os.path.join(WORK, name)
    subprocess.run([sys.executable, MAKE, out] + list(args), check=True)
    with open(os.path.join(out, 'truth.json')) as f:
        return out, json.load(f)


def run(pair, name, *args):
    """gst-blockcorr on the pair: its exit status, JSON line and folder."""
    out = os.path.join(pair, name)
    p = subprocess.run([PROG, '--json', '-o', out] + list(args)
                       + [os.path.join(pair, 'a.tif'),
                          os.path.join(pair, 'b.tif')],
                       capture_output=True, text=True, timeout=120)
    check(p.returncode in (0, 1), '%s: exit %d: %s' % (name, p.returncode,
                                                       p.stderr.strip()))
    return p.returncode, json.loads(p.stdout or '{}'), out


def picture(path):
    """The PNG's pixels (rows x cols x RGB), through GStreamer's decoder;
    None when it cannot be decoded here."""
    raw = path + '.rgbx'
    p = subprocess.run(['gst-launch-1.0', '-q', 'filesrc',
                        'location=' + path, '!', 'pngdec', '!',
                        'videoconvert', '!', 'video/x-raw,format=RGBx', '!',
                        'filesink', 'location=' + raw], capture_output=True)
    if p.returncode != 0:
        return None
    with open(path, 'rb') as f:
        head = f.read(24)
    w, h = int.from_bytes(head[16:20], 'big'), int.from_bytes(head[20:24],
                                                                 'big')
    return np.fromfile(raw, np.uint8).reshape(h, w, 4)[:, :, :3]


def hatched_cells(img, rows, cols):
    """Which grid cells of a heatmap picture are drawn entirely in the
    hatching's two colours (using both).  The grid is found by its black
    frame, so the picture's layout is not assumed."""
    dark = (img.sum(axis=2) == 0)
    # The frame's left and right sides cross the middle row first (no
    # colormap entry is black); its top and bottom are the rows dark
    # across that width.
    line = np.nonzero(dark[img.shape[0] // 2])[0]
    left, right = line[0] + 1, line[1]
    full = np.nonzero(dark[:, left:right].mean(axis=1) > 0.9)[0]
    top, bottom = full[0] + 1, full[-1]
    sx, sy = (right - left) // cols, (bottom - top) // rows
    out = np.zeros((rows, cols), bool)
    for r in range(rows):
        for c in range(cols):
            cell = img[top + r * sy:top + (r + 1) * sy,
                       left + c * sx:left + (c + 1) * sx].reshape(-1, 3)
            colours = set(map(tuple, np.unique(cell, axis=0)))
            out[r, c] = colours == HATCH
    return out


def background_checks(what, j, out, truth, min_glass=0.98):
    """Glass and saturated blocks are background and hatched in both
    pictures; textured blocks are neither."""
    rows, cols = j['rows'], j['cols']
    glass = np.array(truth['glass'], bool)[:rows, :cols]
    sat = np.array(truth['saturated'], bool)[:rows, :cols]
    textured = np.array(truth['textured'], bool)[:rows, :cols]
    check(glass.sum() > 0.2 * rows * cols,
          '%s: bad test data (%d glass blocks)' % (what, glass.sum()))
    for name in ('heatmap.png', 'shift.png'):
        img = picture(os.path.join(out, name))
        if img is None:
            print('%s: no pngdec, %s not checked' % (what, name))
            continue
        bg = hatched_cells(img, rows, cols)
        check(bg.sum() == j['background'],
              '%s %s: %d blocks hatched, %d background in the summary'
              % (what, name, bg.sum(), j['background']))
        check((bg & glass).sum() >= min_glass * glass.sum(),
              '%s %s: %d of %d glass blocks drawn as background'
              % (what, name, (bg & glass).sum(), glass.sum()))
        check((bg & sat).sum() == sat.sum(),
              '%s %s: %d of %d saturated blocks drawn as background'
              % (what, name, (bg & sat).sum(), sat.sum()))
        check(not (bg & textured).any(),
              '%s %s: %d textured blocks drawn as background'
              % (what, name, (bg & textured).sum()))


def region_checks(what, code, j, truth, block):
    """needs-registration, with a region over the moved blocks (bounding
    boxes overlapping by at least half)."""
    check(code == 1 and j.get('verdict') == 'needs-registration',
          '%s: %s (exit %d), expected needs-registration'
          % (what, j.get('verdict'), code))
    moved = np.array(truth['moved'], bool)
    ys, xs = np.nonzero(moved)
    tx0, ty0 = xs.min() * block, ys.min() * block
    tx1, ty1 = (xs.max() + 1) * block, (ys.max() + 1) * block
    best = 0.0
    for reg in j.get('largest-regions', []):
        x0, y0 = reg['x'], reg['y']
        x1, y1 = x0 + reg['width'], y0 + reg['height']
        inter = max(0, min(x1, tx1) - max(x0, tx0)) * \
            max(0, min(y1, ty1) - max(y0, ty0))
        union = (x1 - x0) * (y1 - y0) + (tx1 - tx0) * (ty1 - ty0) - inter
        best = max(best, inter / union)
    check(best >= 0.5, '%s: regions %s, the moved box x %d-%d y %d-%d: '
          'best IoU %.2f' % (what, j.get('largest-regions'), tx0, tx1, ty0,
                             ty1, best))


shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)

# A still pair: the light dims to 0.8 with a 10 % gradient across the
# compared image.  (Without the over-exposed patch: dimmer light moves the
# contour of its clipping, which the verdict takes for a displacement.)
still, truth = make('still', '--seed', '2', '--light', '0.8', '--patch', '0',
                    '--block', '8,16')
for block, min_glass in (('16', 0.98), ('8', 0.98)):
    code, j, out = run(still, 'out-%s' % block, '-b', block)
    check(code == 0 and j.get('verdict') == 'registered',
          'still, %s px: %s (exit %d), expected registered: %s'
          % (block, j.get('verdict'), code, j.get('message')))
    background_checks('still, %s px' % block, j, out, truth[block],
                      min_glass)

# Without a search the background is the same noise, dark or bright, and
# weak texture's low r under photon noise is no region.
code, j, out = run(still, 'out-r0', '-r', '0')
check(code == 0 and j.get('verdict') == 'registered',
      'still, -r 0: %s (exit %d), expected registered: %s'
      % (j.get('verdict'), code, j.get('message')))
rows, cols = j['rows'], j['cols']
img = picture(os.path.join(out, 'heatmap.png'))
if img is not None:
    bg = hatched_cells(img, rows, cols)
    glass = np.array(truth['16']['glass'], bool)[:rows, :cols]
    textured = np.array(truth['16']['textured'], bool)[:rows, :cols]
    check((bg & glass).sum() >= 0.98 * glass.sum(),
          'still, -r 0: %d of %d glass blocks background'
          % ((bg & glass).sum(), glass.sum()))
    check(not (bg & textured).any(), 'still, -r 0: %d textured blocks '
          'background' % (bg & textured).sum())

# A still pair with the patch, saturated in both images: background.
pair, truth = make('saturated', '--seed', '5')
check(np.array(truth['16']['saturated']).sum() >= 20,
      'bad test data: %d saturated blocks'
      % np.array(truth['16']['saturated']).sum())
code, j, out = run(pair, 'out')
check(code == 0 and j.get('verdict') == 'registered',
      'saturated: %s (exit %d), expected registered: %s'
      % (j.get('verdict'), code, j.get('message')))
background_checks('saturated', j, out, truth['16'])

# A stitching error: one tile of the compared image moved by (2, 1) px.
pair, truth = make('stitch', '--seed', '3', '--region',
                   '600,300,200,160,2,1')
code, j, out = run(pair, 'out')
region_checks('stitching error', code, j, truth['16'], 16)
background_checks('stitching error', j, out, truth['16'])
code, j, out = run(pair, 'out-r0', '-r', '0')
region_checks('stitching error, -r 0', code, j, truth['16'], 16)

# A smooth local warp, up to (2.5, 1) px.
pair, truth = make('warp', '--seed', '4', '--warp', '700,400,60,2.5,1')
code, j, out = run(pair, 'out')
region_checks('local warp', code, j, truth['16'], 16)

if failures:
    print('%d failure(s)' % len(failures))
    sys.exit(1)
print('all brightfield checks passed')
