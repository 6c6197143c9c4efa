#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-blockwise: the drift correction of the Python package,
blockwise.correct() and drift(), on synthetic drifting stacks whose motion
is known exactly, the result measured by a phase correlation of the tests'
own (phase_correlation.py: numpy FFT, upsampled around the peak), not by
the package.

Run by meson with PYTHONPATH and BLOCKWISE_LIB pointing at the build;
exits 77 (a skip) where numpy or dask is missing.
"""
import math
import sys

try:
    import numpy as np
    import dask
    import dask.array as da
except ImportError as e:
    print('skip: %s (install python3-numpy python3-dask)' % e)
    sys.exit(77)

import blockwise
from phase_correlation import covered, measured_shift, residuals

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print('FAIL: ' + what)


# The scene: a smooth texture defined at every real position, a sum of
# plane waves of random directions and frequencies up to a fifth of the
# sampling frequency (coarser ones stronger), so a frame of the scene moved
# by any transform is sampled exactly.

class Texture:
    def __init__(self, seed, waves=1500, fmin=0.004, fmax=0.2):
        rng = np.random.default_rng(seed)
        f = rng.uniform(fmin, fmax, waves)
        angle = rng.uniform(0, 2 * np.pi, waves)
        self.k = 2 * np.pi * np.stack([f * np.cos(angle), f * np.sin(angle)])
        self.phase = rng.uniform(0, 2 * np.pi, waves)
        self.amp = 1 / (1 + 60 * f)
        self.amp /= math.sqrt(np.sum(self.amp ** 2) / 2)   # std 1

    def render(self, shape, inverse):
        """The texture at inverse(p) for every pixel p = (x, y) of a frame:
        inverse is (B, u), the point B p + u."""
        B, u = inverse
        h, w = shape
        k = B.T @ self.k                       # k . (B p + u)
        phase = self.phase + self.k.T @ u
        px = np.outer(k[0], np.arange(w))
        py = np.outer(k[1], np.arange(h)) + phase[:, None]
        return ((np.cos(py).T * self.amp) @ np.cos(px)
                - (np.sin(py).T * self.amp) @ np.sin(px))


SHAPE = (256, 256)


def motion_matrix(m):
    """A BwTransform's 6 coefficients as (A, t): p' = A p + t."""
    return np.array([[m[1], m[2]], [m[4], m[5]]]), np.array([m[0], m[3]])


def shift_motion(dx, dy):
    return (dx, 1.0, 0.0, dy, 0.0, 1.0)


def similarity(angle_deg, scale, centre, shift):
    """Rotation by angle and scale about centre, then shift."""
    a = math.radians(angle_deg)
    A = scale * np.array([[math.cos(a), -math.sin(a)],
                          [math.sin(a), math.cos(a)]])
    c = np.asarray(centre, float)
    t = c - A @ c + np.asarray(shift, float)
    return (t[0], A[0, 0], A[0, 1], t[1], A[1, 0], A[1, 1])


def apply(m, x, y):
    return m[0] + m[1] * x + m[2] * y, m[3] + m[4] * x + m[5] * y


def transform_error(got, want, shape=SHAPE):
    """The largest distance between the two transforms' images of the
    frame's pixels (at its corners, the transforms being affine)."""
    h, w = shape
    return max(math.hypot(*np.subtract(apply(got, x, y), apply(want, x, y)))
               for x in (0, w - 1) for y in (0, h - 1))


def scene_frame(texture, shape, motion):
    """The frame whose content at motion(q) is the texture's at q."""
    A, t = motion_matrix(motion)
    B = np.linalg.inv(A)
    return texture.render(shape, (B, -B @ t))


def camera(signal, rng, gain, dtype=np.uint16, offset=400.0, scale=4000.0,
           mean=18000.0, noise=True):
    """Sample values: the texture around mean, times the bleaching gain,
    over the camera offset, with shot-like noise, rounded."""
    v = offset + gain * (mean + scale * signal)
    if noise:
        v = v + rng.normal(0, 1, v.shape) * np.sqrt(np.maximum(v, 0)) * 1.5
    return np.clip(np.rint(v), 0, np.iinfo(dtype).max).astype(dtype)


def report(name, res):
    length = np.hypot(res[:, 0], res[:, 1])
    rms, worst = math.sqrt(np.mean(length ** 2)), length.max()
    print('%s: residual %.4f px rms, %.4f px worst (frame %d)'
          % (name, rms, worst, int(np.argmax(length))))
    return rms, worst


rng = np.random.default_rng(23)
texture = Texture(1)

# 1. Translation: slow drift, a sudden jump, sub-pixel steps, a drift up to
#    nearly a quarter of the frame, noise, bleaching; 16-bit.
drift_truth = [(0.0, 0.0)]
for n in range(1, 8):                                   # slow
    drift_truth.append((0.11 * n, -0.07 * n))
drift_truth.append((drift_truth[-1][0] + 9.4, drift_truth[-1][1] + 4.3))
for n in range(6):                                      # sub-pixel steps
    x, y = drift_truth[-1]
    drift_truth.append((x + rng.uniform(-0.35, 0.35),
                        y + rng.uniform(-0.35, 0.35)))
for target in ((-20.0, 16.0), (-38.5, 27.3), (-52.25, 41.6), (-61.7, 35.2)):
    drift_truth.append(target)                          # large
for n in range(4):                                      # back, sub-pixel
    x, y = drift_truth[-1]
    drift_truth.append((x + 14.1 + 0.3 * n, y - 9.6))
motions = [shift_motion(*d) for d in drift_truth]
n_frames = len(motions)
gains = np.exp(-np.arange(n_frames) / 25.0)              # bleaching to ~40 %
stack = np.stack([camera(scene_frame(texture, SHAPE, m), rng, g)
                  for m, g in zip(motions, gains)])

# The measure itself first: on the raw frames it finds the true drift
# (small ones, where the window moves little content in or out).
for n in range(1, 8):
    win = covered(SHAPE, [motions[n]])
    got = measured_shift(stack[0][win], stack[n][win])
    want = drift_truth[n]
    check(abs(got[0] - want[0]) <= 0.02 and abs(got[1] - want[1]) <= 0.02,
          'the phase correlation measures frame %d\'s drift %r: %r'
          % (n, want, got))
raw = residuals(stack[0], stack, motions)
check(report('uncorrected', raw)[1] > 50, 'the raw stack drifts')

corrected, record = blockwise.correct(stack, correct='shift')
check(corrected.dtype == stack.dtype and corrected.shape == stack.shape,
      'the corrected stack keeps the shape and dtype')
rms, worst = report('correct="shift"', residuals(stack[0], corrected,
                                                 motions))
check(rms <= 0.05, 'shift: residual %.4f px rms over the stack, at most '
      '0.05' % rms)
check(worst <= 0.1, 'shift: residual %.4f px worst, at most 0.1' % worst)

# The record against the truth.
check(len(record) == n_frames, 'one record per frame')
worst_record = 0.0
for n, (r, (dx, dy)) in enumerate(zip(record, drift_truth)):
    check(r['frame'] == n, 'record %d is frame %d' % (n, r['frame']))
    check(r['motion-found'] and r['correction'] == 'shift',
          'frame %d: motion found and corrected by a shift (%r, %r)'
          % (n, r['motion-found'], r['correction']))
    err = max(abs(r['drift-x'] - dx), abs(r['drift-y'] - dy),
              abs(r['motion-x'] - dx), abs(r['motion-y'] - dy))
    worst_record = max(worst_record, err)
    check(err <= 0.1, 'frame %d: drift (%.3f, %.3f), truth (%.3f, %.3f)'
          % (n, r['drift-x'], r['drift-y'], dx, dy))
    m = r['trajectory']
    check(m[1:3] == (1.0, 0.0) and m[4:6] == (0.0, 1.0),
          'frame %d: a shift\'s transform %r' % (n, m))
    # a drift counts from shift_tolerance (0.25 px) on
    length = math.hypot(dx, dy)
    if length < 0.2 or length > 0.35:
        check(r['verdict'] == ('registered' if length < 0.2
                               else 'needs-registration'),
              'frame %d: drift %.2f px, verdict %s' % (n, length,
                                                       r['verdict']))
print('record: drift within %.4f px of the truth' % worst_record)

# Against the frame before: motions are the steps, the trajectory their
# sum (errors add up along it).
corrected_p, record_p = blockwise.correct(stack, reference='previous')
worst_step = worst_trajectory = 0.0
for n, r in enumerate(record_p):
    px, py = drift_truth[max(n - 1, 0)]
    dx, dy = drift_truth[n]
    worst_step = max(worst_step, abs(r['motion-x'] - (dx - px)),
                     abs(r['motion-y'] - (dy - py)))
    worst_trajectory = max(worst_trajectory, abs(r['drift-x'] - dx),
                           abs(r['drift-y'] - dy))
print('reference="previous": steps within %.4f px, trajectory within %.4f '
      'px of the truth' % (worst_step, worst_trajectory))
check(worst_step <= 0.1, 'previous: the steps within %.4f px of the truth'
      % worst_step)
check(worst_trajectory <= 0.25, 'previous: the trajectory within %.4f px of '
      'the truth' % worst_trajectory)
rms, worst = report('correct="shift", reference="previous"',
                    residuals(stack[0], corrected_p, motions))
check(rms <= 0.1 and worst <= 0.15, 'previous: residual %.4f px rms, %.4f '
      'worst, at most 0.1 and 0.15 (the steps\' errors add up)'
      % (rms, worst))

# The trajectory's algebra alone, on motions large enough for the order
# to matter: motion n after trajectory n - 1, against matrix products.
from blockwise import _correct as correct_module


def homogeneous(m):
    return np.array([[m[1], m[2], m[0]], [m[4], m[5], m[3]], [0, 0, 1]])


steps = [shift_motion(0, 0), similarity(10, 1.1, (30, 40), (25, -12)),
         similarity(-7, 0.95, (200, 10), (-3, 40)),
         similarity(4, 1.02, (0, 0), (60, 5))]
fake = [({}, (True, m, 0, 0.0)) for m in steps]
fake.insert(2, ({}, (False, similarity(45, 2, (0, 0), (99, 99)), 0, 0.0)))
steps.insert(2, shift_motion(0, 0))         # not found: no step
chained = correct_module._chain(fake, SHAPE, 'affine')
product = np.eye(3)
for n, (r, m) in enumerate(zip(chained, steps)):
    product = homogeneous(m) @ product
    check(np.allclose(homogeneous(r['trajectory']), product, atol=1e-9)
          and r['correction'] == ('affine' if fake[n][1][0] else 'none'),
          'trajectory %d composes the motions in order' % n)

# 2. dask: the same results, bit for bit (chunks that are not frames are
#    rechunked; the reference frame is read once).
lazy = da.from_array(stack, chunks=(5, 100, 128))
for reference in ('first', 'previous'):
    c, r = blockwise.correct(lazy, reference=reference)
    check(isinstance(c, da.Array), reference + ': dask gives a dask array')
    c, r = dask.compute(c, r)
    want_c, want_r = ((corrected, record) if reference == 'first'
                      else (corrected_p, record_p))
    check(c.dtype == want_c.dtype and np.array_equal(c, want_c),
          reference + ': dask corrects as numpy does, bit for bit')
    check(repr(r) == repr(want_r), reference + ': dask records as numpy')
    check(repr(blockwise.drift(lazy, reference=reference))
          == repr([{k: v for k, v in x.items() if k != 'correction'}
                   for x in want_r]),
          reference + ': drift() on dask records as correct()')
check(repr(blockwise.drift(stack)) == repr(
    [{k: v for k, v in x.items() if k != 'correction'} for x in record]),
      'drift() records as correct()')
# a pair: the second image registered onto the first, as in a stack
pair_c, pair_r = blockwise.correct(stack[0], stack[9])
both_c, both_r = blockwise.correct(stack[[0, 9]])
check(np.array_equal(pair_c, both_c[1]) and pair_r['frame'] == 1
      and pair_r['drift-x'] == both_r[1]['drift-x'],
      'a pair is corrected as a stack of the two')
pair_lazy = blockwise.correct(da.from_array(stack[0]), stack[9])
check(np.array_equal(dask.compute(pair_lazy)[0][0], pair_c),
      'a dask pair as a numpy one')

# 3. Rotation up to 1 degree and scale up to 0.5 % about a point off the
#    centre: correct="affine" leaves a small residual, "shift" does not.
affine_truth = [shift_motion(0, 0)]
for n, (angle, scale) in enumerate(((0.2, 1.001), (0.4, 1.002),
                                    (0.6, 1.003), (0.8, 1.004),
                                    (1.0, 1.005), (-1.0, 0.995)), 1):
    affine_truth.append(similarity(angle, scale, (70.0, 190.0),
                                   (1.7 * n, -0.9 * n)))
affine_stack = np.stack([camera(scene_frame(texture, SHAPE, m), rng, 1.0)
                         for m in affine_truth])
TILE = 64


def tile_residuals(reference, frames, motions):
    """The shift left in each 64x64 tile that every frame covers."""
    win = covered(SHAPE, motions)
    out = []
    for frame in frames:
        ref, img = reference[win], frame[win]
        for y in range(0, ref.shape[0] - TILE + 1, TILE):
            for x in range(0, ref.shape[1] - TILE + 1, TILE):
                out.append(measured_shift(ref[y:y + TILE, x:x + TILE],
                                          img[y:y + TILE, x:x + TILE]))
    return np.array(out)


a_corrected, a_record = blockwise.correct(affine_stack, correct='affine')
rms, worst = report('correct="affine", per 64x64 tile', tile_residuals(
    affine_stack[0], a_corrected[1:], affine_truth[1:]))
check(rms <= 0.1, 'affine: residual %.4f px rms over the tiles, at most 0.1'
      % rms)
s_rms, _ = report('correct="shift" on the same, per tile', tile_residuals(
    affine_stack[0], blockwise.correct(affine_stack)[0][1:],
    affine_truth[1:]))
check(s_rms > 0.3, 'the tiles see the rotation a shift leaves (%.3f px)'
      % s_rms)


errors = [transform_error(r['trajectory'], m)
          for r, m in zip(a_record, affine_truth)]
print('affine: fitted transforms within %.4f px of the truth over the frame'
      % max(errors))
check(max(errors) <= 0.15, 'affine: the transforms within %.4f px of the '
      'truth at the corners' % max(errors))
centre = ((SHAPE[1] - 1) / 2, (SHAPE[0] - 1) / 2)
worst_centre = max(max(abs(r['drift-x'] - (x - centre[0])),
                       abs(r['drift-y'] - (y - centre[1])))
                   for r, (x, y) in zip(a_record, [apply(m, *centre)
                                                   for m in affine_truth]))
check(worst_centre <= 0.05, 'affine: the drift at the frame\'s centre '
      'within %.4f px of the truth' % worst_centre)
check(all(r['correction'] == 'affine' for r in a_record),
      'affine: every frame corrected so')
# Against the frame before, the trajectory composes the motions in order
# (motion n after trajectory n - 1: with rotations, the order matters);
# the frames up to the last, whose step from the one before (2 degrees,
# 1 %) is beyond the range.
ap_corrected, ap_record = blockwise.correct(affine_stack[:-1],
                                            correct='affine',
                                            reference='previous')
errors = [transform_error(r['trajectory'], m)
          for r, m in zip(ap_record, affine_truth)]
print('affine, reference="previous": trajectory within %.4f px of the truth'
      % max(errors))
check(max(errors) <= 0.15, 'affine previous: the trajectory within %.4f px '
      'of the truth at the corners' % max(errors))
c, r = dask.compute(*blockwise.correct(da.from_array(affine_stack[:-1]),
                                       correct='affine',
                                       reference='previous'))
check(np.array_equal(c, ap_corrected) and repr(r) == repr(ap_record),
      'affine previous: dask as numpy, bit for bit')

# 4. A tenth of the image moving on its own (a cell crawling over the
#    drifting background) does not drag the correction.
cell = Texture(7, fmin=0.02, fmax=0.15)
side = int(round(math.sqrt(0.1 * SHAPE[0] * SHAPE[1])))
yy, xx = np.mgrid[0:SHAPE[0], 0:SHAPE[1]]
crawl_truth = [(0.0, 0.0), (0.4, 0.3), (1.1, 0.5), (1.6, 1.2), (2.35, 1.4),
               (3.1, 2.2)]
crawl = []
for n, (dx, dy) in enumerate(crawl_truth):
    background = scene_frame(texture, SHAPE, shift_motion(dx, dy))
    ox, oy = 30 + 4.5 * n, 20 + 3.0 * n           # the cell, its own way
    inside = ((xx >= ox) & (xx < ox + side) & (yy >= oy) & (yy < oy + side))
    own = scene_frame(cell, SHAPE, shift_motion(ox, oy))
    crawl.append(camera(np.where(inside, 1.6 * own, background), rng, 1.0))
crawl = np.stack(crawl)
c_corrected, c_record = blockwise.correct(crawl)
worst_cell = max(max(abs(r['drift-x'] - dx), abs(r['drift-y'] - dy))
                 for r, (dx, dy) in zip(c_record, crawl_truth))
print('a tenth moving: correction within %.4f px of the background\'s drift'
      % worst_cell)
check(worst_cell <= 0.1, 'a tenth moving: the correction %.4f px from the '
      'background\'s drift' % worst_cell)
# measured on the background alone, below the cell's path
low = (slice(140, 250), slice(8, 248))
res = np.array([measured_shift(c_corrected[0][low], f[low])
                for f in c_corrected])
rms, worst = report('a tenth moving, the background', res)
check(worst <= 0.1, 'a tenth moving: the background\'s residual %.4f px'
      % worst)

# 5. 8-bit frames, and 16-bit ones of the other byte order.
stack8 = np.stack([camera(scene_frame(texture, (160, 200), m), rng, 1.0,
                          np.uint8, 8, 40, 120, noise=False)
                   for m in motions[:8]])
c8, r8 = blockwise.correct(stack8)
check(c8.dtype == np.uint8, '8-bit: stays 8-bit')
rms, worst = report('8-bit', residuals(stack8[0], c8, motions[:8]))
check(worst <= 0.1, '8-bit: residual %.4f px worst' % worst)
swapped = stack[:6].astype('>u2')
cs, rs = blockwise.correct(swapped)
check(cs.dtype == np.dtype('>u2') and np.array_equal(cs, corrected[:6]),
      'big-endian 16-bit: the same correction, in its own byte order')

# 6. Borders, and frames whose motion cannot be found.
cc, rc = blockwise.correct(stack[:20], border='constant', fill=7)
dx, dy = drift_truth[19]
# output pixels whose source, p + drift, lies a pixel or more off the frame,
# and those whose source lies on it (the pixel between may go either way)
source_x, source_y = np.arange(SHAPE[1]) + dx, np.arange(SHAPE[0]) + dy
off = ((source_x < -1) | (source_x > SHAPE[1]))[None, :] | \
    ((source_y < -1) | (source_y > SHAPE[0]))[:, None]
on = ((source_x >= 0) & (source_x <= SHAPE[1] - 1))[None, :] & \
    ((source_y >= 0) & (source_y <= SHAPE[0] - 1))[:, None]
check(off.sum() > 1000 and np.all(cc[19][off] == 7)
      and np.count_nonzero(cc[19][on] == 7) < 10,
      'border="constant": the uncovered pixels and those alone get fill')
check(np.count_nonzero(corrected[19] == 7) < 10, 'border="edge": no fill')
flat = np.full((4, 64, 64), 1000, np.uint16)
fc, fr = blockwise.correct(flat)
check(np.array_equal(fc, flat) and all(
    r['correction'] == 'none' and not r['motion-found'] for r in fr[1:])
      and all(r['verdict'] == 'no-texture' for r in fr),
      'a flat stack: no motion found, frames copied as they are')

# 7. Bad input: a clear error naming the cause.
bad = [
    ((stack[0],), {}, ValueError, 'a 2-D image without a second'),
    ((stack[None],), {}, ValueError, 'a 4-D array'),
    ((stack[:0],), {}, ValueError, 'no frames'),
    ((stack.astype(np.float32),), {}, TypeError, 'float frames'),
    ((stack.astype(np.int16),), {}, TypeError, 'int16 frames'),
    ((np.zeros((3, 0, 5), np.uint16),), {}, ValueError, 'empty frames'),
    ((stack[0], stack[1][:100]), {}, ValueError, 'a pair of two shapes'),
    ((stack,), {'reference': 'last'}, ValueError, 'reference="last"'),
    ((stack,), {'correct': 'rotate'}, ValueError, 'correct="rotate"'),
    ((stack,), {'correct': 'none'}, ValueError, 'correct="none"'),
    ((stack,), {'border': 'wrap'}, ValueError, 'border="wrap"'),
    ((stack,), {'fill': -1}, ValueError, 'fill=-1'),
    ((stack,), {'fill': 65536}, ValueError, 'fill=65536'),
    ((stack8,), {'fill': 256}, ValueError, 'fill=256 for 8-bit'),
    ((stack,), {'fill': 1.5}, ValueError, 'fill=1.5'),
    ((stack,), {'fill': True}, TypeError, 'fill=True'),
    ((stack,), {'fill': 'x'}, TypeError, 'fill="x"'),
    ((stack,), {'block_shape': (0, 16)}, ValueError, 'a block side of 0'),
    ((stack,), {'block_shape': (512, 16)}, ValueError, 'blocks too large'),
    ((stack,), {'search_radius': 99}, ValueError, 'search_radius=99'),
    ((stack,), {'min_intensity': 'off'}, ValueError, 'min_intensity="off"'),
    ((lazy[:, :, :0],), {}, ValueError, 'empty dask frames'),
]
for args, kw, error, what in bad:
    for func in (blockwise.correct, blockwise.drift):
        if func is blockwise.drift:
            kw = {k: v for k, v in kw.items()
                  if k not in ('correct', 'border', 'fill')}
            if not kw and what.startswith(('correct=', 'fill', 'border')):
                continue
        try:
            func(*args, **kw)
            check(False, '%s: %s is refused' % (func.__name__, what))
        except error as e:
            check(len(str(e)) > 10, '%s: %s: %s' % (func.__name__, what, e))
        except Exception as e:
            check(False, '%s: %s raises %s, not %s (%s)' % (
                func.__name__, what, type(e).__name__, error.__name__, e))
try:
    blockwise.drift(stack, model='rigid')
    check(False, 'drift: model="rigid" is refused')
except ValueError:
    pass

# reference="previous" over a frame that cannot be placed (flat): the next
# frame is measured against the last frame placed, so no step is lost;
# numpy and dask alike.
rng = np.random.default_rng(11)
gaps = np.stack([camera(scene_frame(texture, SHAPE,
                                    shift_motion(1.0 * n, -0.5 * n)), rng, 1.0)
                 for n in range(7)])
gaps[3] = 5000
for name, data in (('numpy', gaps), ('dask', da.from_array(gaps))):
    g_record = blockwise.drift(data, reference='previous')
    check(not g_record[3]['motion-found'],
          name + ': the flat frame is not placed')
    for n in range(4, 7):
        got = (g_record[n]['drift-x'], g_record[n]['drift-y'])
        check(abs(got[0] - n) < 0.05 and abs(got[1] + 0.5 * n) < 0.05,
              '%s: frame %d after the flat one: drift (%.3f, %.3f), truth '
              '(%d, %.1f)' % (name, n, got[0], got[1], n, -0.5 * n))

# A drift of whole pixels gives the first frame's samples exactly (the
# shift measured within a hundredth of them is taken as whole, as the
# element takes it), where the frame covers it.
rng = np.random.default_rng(7)
big = camera(texture.render((SHAPE[0] + 8, SHAPE[1] + 8),
                            (np.eye(2), np.zeros(2))), rng, 1.0)
whole = np.stack([big[4:4 + SHAPE[0], 4:4 + SHAPE[1]],
                  big[1:1 + SHAPE[0], 7:7 + SHAPE[1]]])
w_corrected, w_record = blockwise.correct(whole)
check(w_record[1]['correction'] == 'shift'
      and abs(w_record[1]['drift-x'] + 3) < 0.01
      and abs(w_record[1]['drift-y'] - 3) < 0.01,
      'whole pixels: drift (%.4f, %.4f), truth (-3, 3)'
      % (w_record[1]['drift-x'], w_record[1]['drift-y']))
check(np.array_equal(w_corrected[1][:-3, 3:], whole[0][:-3, 3:]),
      'whole pixels: the corrected frame is the first frame\'s samples')

print('test-python-correct: %s' % ('all checks passed' if not failures else
                                   '%d checks failed' % len(failures)))
sys.exit(1 if failures else 0)
