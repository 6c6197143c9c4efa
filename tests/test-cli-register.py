#!/usr/bin/env python3
# gst-blockwise: one stack through the command line, --register FILE.
#
# Drifting stacks are made here by sampling one smooth texture at shifted
# coordinates (a band-limited periodic field, shifted exactly by the
# Fourier shift theorem, then cropped), so every frame's drift is known.
# The registered stack is read back and its residual drift against the
# first frame is measured with a whole-frame phase correlation written
# here (numpy FFT, the cross-power spectrum's peak refined by an upsampled
# DFT around it), not with anything of the program's.
#
#   test-cli-register.py GST-BLOCKCORR WORKDIR
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import csv
import os
import shutil
import signal
import struct
import subprocess
import sys

from cli_interrupt import default_signals, start_json, waiting_on_stdout

try:
    import numpy as np
    import tifffile
except ImportError as e:
    print('skip: %s' % e)
    sys.exit(77)

PROG, WORK = sys.argv[1], sys.argv[2]
SIDE = 256
CANVAS = 512
UPSAMPLE = 100
BAND = 0.15           # cycles per pixel
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print('FAIL: ' + what)


def w(*names):
    return os.path.join(WORK, *names)


def run(args, expect=None):
    p = subprocess.run([PROG] + args, capture_output=True, timeout=240,
                       preexec_fn=default_signals)
    if expect is not None:
        check(p.returncode == expect, '%s: exit %d, expected %d; stderr: %s'
              % (' '.join(args), p.returncode, expect,
                 p.stderr.decode(errors='replace').strip()))
    return p


# ---- the stacks -------------------------------------------------------------

def texture_spectrum(seed):
    """A smooth random field on a CANVAS x CANVAS torus, as its spectrum:
    white noise low-pass filtered well below Nyquist, so that shifting it
    by any fraction of a pixel is exact."""
    rng = np.random.default_rng(seed)
    f = np.fft.fft2(rng.normal(size=(CANVAS, CANVAS)))
    fy = np.fft.fftfreq(CANVAS)[:, None]
    fx = np.fft.fftfreq(CANVAS)[None, :]
    return f * np.exp(-(fx * fx + fy * fy) / (2 * 0.06 ** 2))


def frames(spectrum, drifts, gains, levels, noise, seed):
    """The texture's content moved by each (dx, dy) (a point at p in the
    first frame is at p + d in this one), cropped to SIDE x SIDE from the
    canvas' middle, scaled to levels (low, high) by the gain, with
    Gaussian noise."""
    rng = np.random.default_rng(seed)
    fy = np.fft.fftfreq(CANVAS)[:, None]
    fx = np.fft.fftfreq(CANVAS)[None, :]
    o = (CANVAS - SIDE) // 2
    base = np.real(np.fft.ifft2(spectrum))[o:o + SIDE, o:o + SIDE]
    lo, hi = base.min(), base.max()
    out = []
    for (dx, dy), gain in zip(drifts, gains):
        moved = np.real(np.fft.ifft2(
            spectrum * np.exp(-2j * np.pi * (fx * dx + fy * dy))))
        v = (moved[o:o + SIDE, o:o + SIDE] - lo) / (hi - lo)
        v = levels[0] + gain * (levels[1] - levels[0]) * v
        v = v + rng.normal(0, noise, v.shape)
        out.append(v)
    return out


def quantize(frames, dtype):
    top = np.iinfo(dtype).max
    return np.stack([np.clip(np.round(f), 0, top).astype(dtype)
                     for f in frames])


# ---- the independent measure: phase correlation ----------------------------

def measure_shift(a, b, margin):
    """(dx, dy) by which b's content is moved against a's: the peak of the
    normalized cross-power spectrum of the two (the same central crop,
    mean removed, Hann windowed), refined by an upsampled DFT over +-1.5 px
    around it (UPSAMPLE points per pixel)."""
    a = a[margin:-margin, margin:-margin].astype(np.float64)
    b = b[margin:-margin, margin:-margin].astype(np.float64)
    h, wd = a.shape
    win = np.outer(np.hanning(h), np.hanning(wd))
    fa = np.fft.fft2((a - a.mean()) * win)
    fb = np.fft.fft2((b - b.mean()) * win)
    cross = np.conj(fa) * fb
    # Whitened only where the texture is above the noise: beyond, the
    # phases are the noise's.
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.fftfreq(wd)[None, :]
    cross = np.where(np.hypot(fx, fy) <= BAND,
                     cross / np.maximum(np.abs(cross), 1e-30), 0)
    corr = np.real(np.fft.ifft2(cross))
    py, px = np.unravel_index(np.argmax(corr), corr.shape)
    py = py - h if py > h // 2 else py
    px = px - wd if px > wd // 2 else px
    # corr at any (x, y): sum over frequencies of cross e^{2 pi i (u x + v y)}
    span = np.arange(-1.5 * UPSAMPLE, 1.5 * UPSAMPLE + 1) / UPSAMPLE
    ys, xs = py + span, px + span
    ey = np.exp(2j * np.pi * np.outer(ys, np.fft.fftfreq(h)))
    ex = np.exp(2j * np.pi * np.outer(np.fft.fftfreq(wd), xs))
    fine = np.real(ey @ cross @ ex)
    j, i = np.unravel_index(np.argmax(fine), fine.shape)
    j = min(max(j, 1), len(ys) - 2)
    i = min(max(i, 1), len(xs) - 2)
    return (xs[i] + vertex(fine[j, i - 1:i + 2]) / UPSAMPLE,
            ys[j] + vertex(fine[j - 1:j + 2, i]) / UPSAMPLE)


def vertex(v):
    """The offset of the top of the parabola through three samples."""
    d = v[0] - 2 * v[1] + v[2]
    return 0.5 * (v[0] - v[2]) / d if d < 0 else 0.0


def read_drift_csv(path):
    with open(path, newline='') as f:
        rows = list(csv.DictReader(f))
    return rows


def png_size(path):
    with open(path, 'rb') as f:
        head = f.read(24)
    if head[:8] != b'\x89PNG\r\n\x1a\n':
        return None
    return struct.unpack('>II', head[16:24])


def temporaries(folder, name):
    return [n for n in os.listdir(folder) if n.startswith('.' + name + '.')]


if os.path.isdir(WORK):
    shutil.rmtree(WORK)
os.makedirs(WORK)

# Slow sub-pixel drift, sudden jumps, one near a quarter of the side,
# bleaching to 70 %.
DRIFTS = [(0, 0), (0.3, -0.2), (0.65, -0.45), (1.2, -0.8), (6.4, 3.3),
          (6.9, 3.65), (7.35, 4.1), (-12.6, 18.2), (-12.15, 18.95),
          (40.3, -22.7), (40.8, -22.25), (0.45, 0.35)]
N = len(DRIFTS)
MARGIN = 48
spectrum = texture_spectrum(7)
gains = np.linspace(1.0, 0.7, N)
stack16 = quantize(frames(spectrum, DRIFTS, gains, (3000, 60000), 60, 1),
                   np.uint16)
tifffile.imwrite(w('stack16.tif'), stack16, photometric='minisblack')

# The measure itself, on the stack with its known drift: within 0.015 px
# of a small drift (the residuals it measures), within 1.5 % of a large one
# (the fixed window pulls towards 0 by a fraction of the shift).
for n in range(1, N):
    mx, my = measure_shift(stack16[0], stack16[n], MARGIN)
    kx, ky = DRIFTS[n]
    check(abs(mx - kx) <= max(0.015, 0.015 * abs(kx)) and
          abs(my - ky) <= max(0.015, 0.015 * abs(ky)),
          'the phase correlation measures frame %d at (%.3f, %.3f), known '
          '(%g, %g)' % (n, mx, my, kx, ky))


def residuals(registered, first, margin, label):
    """Every frame's residual drift against the first, in px."""
    res = []
    for n in range(1, len(registered)):
        mx, my = measure_shift(first, registered[n], margin)
        res.append(np.hypot(mx, my))
    res = np.array(res)
    print('%s: residual drift RMS %.4f px, worst %.4f px (frame %d)'
          % (label, np.sqrt(np.mean(res ** 2)), res.max(),
             1 + int(np.argmax(res))))
    return res


def check_registered(path, original, label, rms=0.05, worst=0.1):
    """path holds original registered: one page per frame, its dtype, the
    first frame as it was, the residual drift within rms and worst."""
    if not os.path.exists(path):
        check(False, '%s: %s is missing' % (label, path))
        return
    with tifffile.TiffFile(path) as t:
        pages = len(t.pages)
        bits = t.pages[0].bitspersample
        reg = t.asarray(key=range(pages))
    if reg.ndim == 2:
        reg = reg[None]
    check(pages == len(original), '%s: %d pages, expected %d'
          % (label, pages, len(original)))
    check(reg.dtype == original.dtype and bits == original.itemsize * 8,
          '%s: %s (%d bits), the input is %s' % (label, reg.dtype, bits,
                                                  original.dtype))
    check(reg.shape[1:] == original.shape[1:], '%s: frames of %r, the input '
          'has %r' % (label, reg.shape[1:], original.shape[1:]))
    if pages != len(original) or reg.shape[1:] != original.shape[1:]:
        return
    check(np.array_equal(reg[0], original[0]), '%s: the first frame is '
          'changed' % label)
    res = residuals(reg, original[0], MARGIN, label)
    check(np.sqrt(np.mean(res ** 2)) <= rms and res.max() <= worst,
          '%s: residual drift RMS %.4f px, worst %.4f px (at most %g and %g)'
          % (label, np.sqrt(np.mean(res ** 2)), res.max(), rms, worst))


# ---- 1. A 16-bit stack against its first frame -----------------------------

p = run(['-q', '-o', w('out16'), w('stack16.tif'), '--register',
         w('registered16.tif')], expect=1)
check_registered(w('registered16.tif'), stack16, '16-bit, --register')
check(not temporaries(WORK, 'registered16.tif'), 'no temporary file beside '
      'registered16.tif: %r' % temporaries(WORK, 'registered16.tif'))
if os.path.exists(w('out16', 'drift.csv')):
    rows = read_drift_csv(w('out16', 'drift.csv'))
    check([int(r['frame']) for r in rows] == list(range(N)),
          'drift.csv has one row per frame: %r' % [r['frame'] for r in rows])
    err = max(max(abs(float(r['dx']) - kx), abs(float(r['dy']) - ky))
              for r, (kx, ky) in zip(rows, DRIFTS))
    print('drift.csv against the known drift: worst %.4f px' % err)
    for r, (kx, ky) in zip(rows, DRIFTS):
        dx, dy = float(r['dx']), float(r['dy'])
        ax, ay = float(r['accumulated-dx']), float(r['accumulated-dy'])
        check(abs(dx - kx) <= 0.05 and abs(dy - ky) <= 0.05,
              'drift.csv frame %s: (%g, %g), known (%g, %g)'
              % (r['frame'], dx, dy, kx, ky))
        check(ax == dx and ay == dy, 'drift.csv frame %s: against the first '
              'frame the accumulated drift is the drift: (%g, %g), (%g, %g)'
              % (r['frame'], ax, ay, dx, dy))
        expected = 'registered' if (kx, ky) == (0, 0) else \
            'needs-registration'
        check(r['verdict'] == expected, 'drift.csv frame %s: verdict %s, '
              'expected %s' % (r['frame'], r['verdict'], expected))
else:
    check(False, 'drift.csv is missing')
check(png_size(w('out16', 'drift.png')) == (1000, 560),
      'drift.png is 1000 x 560: %r' % (png_size(w('out16', 'drift.png')),))
check(os.path.exists(w('out16', 'median-r.png')) and
      os.path.exists(w('out16', 'shift-%04d.png' % (N - 1))),
      'the stack\'s pictures are there: %r' % sorted(os.listdir(w('out16'))))

# ---- 2. Against the frame before: the steps accumulate ---------------------

p = run(['-q', '-o', w('prev'), '--reference', 'previous',
         w('stack16.tif'), '--register', w('registered-prev.tif')], expect=1)
if os.path.exists(w('prev', 'drift.csv')):
    rows = read_drift_csv(w('prev', 'drift.csv'))
    steps = np.array([[float(r['dx']), float(r['dy'])] for r in rows])
    acc = np.array([[float(r['accumulated-dx']), float(r['accumulated-dy'])]
                    for r in rows])
    known = np.array(DRIFTS, dtype=float)
    known_steps = np.vstack([[0, 0], np.diff(known, axis=0)])
    check(len(rows) == N, 'drift.csv with previous: %d rows' % len(rows))
    if len(rows) == N:
        check(np.abs(steps - known_steps).max() <= 0.05,
              'steps against the frame before within 0.05 px: worst %.4f'
              % np.abs(steps - known_steps).max())
        # CSV values have 4 decimals: their sums differ by rounding only.
        check(np.abs(acc - np.cumsum(steps, axis=0)).max() <= 1e-3 * N,
              'accumulated = cumulative sum of the steps: worst difference '
              '%.5f' % np.abs(acc - np.cumsum(steps, axis=0)).max())
        check(np.abs(acc - known).max() <= 0.1,
              'accumulated drift within 0.1 px of the known: worst %.4f'
              % np.abs(acc - known).max())
else:
    check(False, 'drift.csv with --reference previous is missing')
check_registered(w('registered-prev.tif'), stack16,
                 '16-bit, --reference previous --register', rms=0.1,
                 worst=0.2)

# A frame that cannot be placed (flat) in the middle: its drift is unknown
# (nan, not 0), and with --reference previous the frames after it are
# measured against the last frame placed, so no step is lost.
gappy = stack16[:7].copy()
gappy[3] = 5000
tifffile.imwrite(w('gappy.tif'), gappy, photometric='minisblack')
for reference in ('first', 'previous'):
    run(['-q', '-o', w('gappy-' + reference), '--reference', reference,
         w('gappy.tif')], expect=1)
    rows = read_drift_csv(w('gappy-' + reference, 'drift.csv'))
    check(len(rows) == 7, 'gappy, %s: %d rows' % (reference, len(rows)))
    if len(rows) == 7:
        acc = np.array([[float(r['accumulated-dx']),
                         float(r['accumulated-dy'])] for r in rows])
        check(np.isnan(acc[3]).all(), 'gappy, %s: the flat frame\'s drift '
              'is nan, not %s' % (reference, acc[3]))
        later = np.abs(acc[4:] - np.array(DRIFTS[4:7]))
        check(later.max() <= 0.1, 'gappy, %s: the frames after the flat one '
              'within 0.1 px of the known drift: worst %.3f'
              % (reference, later.max()))

# ---- 3. 8-bit stays 8-bit; two images --------------------------------------

stack8 = quantize(frames(spectrum, DRIFTS[:6], gains[:6], (20, 235), 0.5,
                         2), np.uint8)
tifffile.imwrite(w('stack8.tif'), stack8, photometric='minisblack')
run(['-q', '-o', w('out8'), w('stack8.tif'), '--register',
     w('registered8.tif')], expect=1)
check_registered(w('registered8.tif'), stack8, '8-bit, --register',
                 rms=0.1, worst=0.15)

tifffile.imwrite(w('a.tif'), stack16[0])
tifffile.imwrite(w('b.tif'), stack16[4])
run(['-q', '-o', w('pair'), w('a.tif'), w('b.tif'), '--register',
     w('b-on-a.tif')], expect=1)
if os.path.exists(w('b-on-a.tif')):
    with tifffile.TiffFile(w('b-on-a.tif')) as t:
        pages = len(t.pages)
        b_on_a = t.pages[0].asarray()
    check(pages == 1 and b_on_a.dtype == np.uint16 and
          b_on_a.shape == stack16[0].shape, 'B registered onto A: %d pages '
          'of %s %r' % (pages, b_on_a.dtype, b_on_a.shape))
    mx, my = measure_shift(stack16[0], b_on_a, MARGIN)
    check(np.hypot(mx, my) <= 0.1, 'B registered onto A: residual (%.3f, '
          '%.3f) px' % (mx, my))
else:
    check(False, 'B registered onto A: b-on-a.tif is missing')

# Two stacks: compared frame n onto reference frame n.
tifffile.imwrite(w('refs.tif'), stack16[[0, 1, 2]], photometric='minisblack')
tifffile.imwrite(w('cmps.tif'), stack16[[4, 7, 9]], photometric='minisblack')
run(['-q', '-o', w('pairs'), w('refs.tif'), w('cmps.tif'), '--register',
     w('cmps-on-refs.tif')], expect=1)
if os.path.exists(w('cmps-on-refs.tif')):
    onto = tifffile.imread(w('cmps-on-refs.tif'))
    check(onto.shape == (3, SIDE, SIDE), 'two stacks: %r registered frames'
          % (onto.shape,))
    for n in range(min(3, len(onto))):
        mx, my = measure_shift(stack16[n], onto[n], MARGIN)
        check(np.hypot(mx, my) <= 0.1, 'two stacks: frame %d registered onto '
              'its reference: residual (%.3f, %.3f) px' % (n, mx, my))
else:
    check(False, 'two stacks: cmps-on-refs.tif is missing')

# ---- 4. --correct affine: rotation and scale ------------------------------


def turned_frames(motions, seed):
    """A sum of cosines (so that it can be sampled anywhere) moved by each
    (degrees, scale, dx, dy) about the frame's centre: the point p of the
    first frame is at R s (p - c) + c + d in this one."""
    rng = np.random.default_rng(seed)
    k = 150
    f = rng.uniform(0.01, 0.09, k)
    th, ph = rng.uniform(0, 2 * np.pi, (2, k))
    u, v = f * np.cos(th), f * np.sin(th)
    y, x = np.mgrid[0:SIDE, 0:SIDE].astype(np.float64)
    c = (SIDE - 1) / 2
    out = []
    for deg, scale, dx, dy in motions:
        ca, sa = np.cos(np.radians(deg)), np.sin(np.radians(deg))
        qx, qy = x - c - dx, y - c - dy
        px = (ca * qx + sa * qy) / scale + c
        py = (-sa * qx + ca * qy) / scale + c
        img = np.zeros_like(x)
        for i in range(k):
            img += np.cos(2 * np.pi * (u[i] * px + v[i] * py) + ph[i]) / f[i]
        out.append(img)
    out = np.array(out)
    return 5000 + 50000 * (out - out.min()) / (out.max() - out.min())


def worst_local_residual(path):
    """The largest shift left between the first frame and any other in five
    64 x 64 windows (the corners and the middle)."""
    reg = tifffile.imread(path).astype(np.float64)
    worst = 0.0
    for n in range(1, len(reg)):
        for y0, x0 in ((24, 24), (24, 168), (168, 24), (168, 168), (96, 96)):
            a = np.pad(reg[0][y0:y0 + 64, x0:x0 + 64], 4)
            b = np.pad(reg[n][y0:y0 + 64, x0:x0 + 64], 4)
            worst = max(worst, np.hypot(*measure_shift(a, b, 4)))
    return worst


turned = quantize(turned_frames([(0, 1, 0, 0), (0.3, 1.002, 1.2, -0.7),
                                 (0.6, 0.997, 2.5, 1.1),
                                 (1.0, 1.004, -3.2, 2.0)], 5), np.uint16)
tifffile.imwrite(w('turned.tif'), turned, photometric='minisblack')
for correct, lo, hi in (('affine', 0, 0.1), ('shift', 0.5, 1e9)):
    reg = w('turned-%s.tif' % correct)
    run(['-q', '-o', w('turned-' + correct), w('turned.tif'), '--register',
         reg, '--correct', correct], expect=1)
    if os.path.exists(reg):
        worst = worst_local_residual(reg)
        print('rotation and scale, --correct %s: worst local residual %.4f '
              'px' % (correct, worst))
        check(lo <= worst <= hi, 'rotation and scale, --correct %s: worst '
              'local residual %.4f px, expected %g to %g' % (correct, worst,
                                                           lo, hi))
    else:
        check(False, 'rotation and scale: %s is missing' % reg)

# ---- 5. Refusals ------------------------------------------------------------

# The register file is an input.
original = open(w('stack8.tif'), 'rb').read()
p = run(['-q', '-o', w('self'), w('stack8.tif'), '--register',
         w('stack8.tif')], expect=2)
err = p.stderr.decode(errors='replace')
check('stack8.tif' in err and 'input' in err, 'the refusal names the '
      'input: ' + err.strip())
check(open(w('stack8.tif'), 'rb').read() == original,
      'the input stack8.tif is unchanged')
check(not os.path.exists(w('self', 'drift.csv')), 'a refused run writes no '
      'results')
# ... or a result of the output folder.
p = run(['-q', '-o', w('out8'), w('stack8.tif'), '--register',
         w('out8', 'drift.csv')], expect=2)
check(b'drift.csv' in p.stderr, 'a register file among the results is '
      'refused: %s' % p.stderr.decode(errors='replace').strip())
# One argument that is a single image.
p = run(['-q', '-o', w('single'), w('a.tif')], expect=2)
err = p.stderr.decode(errors='replace')
check('a.tif' in err and 'single image' in err, 'a single image alone is '
      'refused, naming it: ' + err.strip())
# A folder that does not exist.
p = run(['-q', '-o', w('nofolder'), w('stack8.tif'), '--register',
         w('no', 'such', 'folder.tif')], expect=2)
check(b'folder' in p.stderr, 'a register file in a missing folder: %s'
      % p.stderr.decode(errors='replace').strip())

# ---- 6. Signals leave no partial file ---------------------------------------

LONG = 150
tifffile.imwrite(w('long.tif'), np.stack([stack8[k % 6] for k in
                                          range(LONG)]),
                 photometric='minisblack')


def start_long(out, reg):
    """A --json run over the long stack, and its first line."""
    return start_json([PROG, '--json', '-o', out, w('long.tif'),
                       '--register', reg])


# One SIGINT: the frames done, in every file alike, and no temporary.
os.makedirs(w('sig'))
p, first = start_long(w('sig', 'out'), w('sig', 'reg.tif'))
p.send_signal(signal.SIGINT)
rest, err = p.communicate()
done = len((first + rest).decode().splitlines())
check(p.returncode == 130, 'SIGINT: exit %d, expected 130; stderr: %s'
      % (p.returncode, err.decode(errors='replace')))
check(0 < done < LONG, 'SIGINT: stopped within the stack (%d of %d)'
      % (done, LONG))
if os.path.exists(w('sig', 'reg.tif')):
    with tifffile.TiffFile(w('sig', 'reg.tif')) as t:
        pages = len(t.pages)
        whole = t.asarray(key=range(pages)).reshape(-1, SIDE, SIDE)
    check(pages == done and whole.shape[0] == done and
          np.array_equal(whole[0], stack8[0]),
          'SIGINT: reg.tif holds the %d frames done: %d pages' % (done,
                                                                  pages))
else:
    check(False, 'SIGINT: reg.tif holds the frames done: it is missing')
check(not temporaries(w('sig'), 'reg.tif'), 'SIGINT: no temporary file: %r'
      % temporaries(w('sig'), 'reg.tif'))

# A second SIGINT: no register file at all, and no temporary.
os.makedirs(w('twice'))
p, first = start_long(w('twice', 'out'), w('twice', 'reg.tif'))
if not waiting_on_stdout(p):
    print('skip: a second SIGINT: cannot tell when the program waits')
    p.kill()
    p.communicate()
else:
    p.send_signal(signal.SIGINT)
    line = b'\n'
    while line == b'\n':
        line = p.stderr.readline()
    p.send_signal(signal.SIGINT)
    p.communicate()
    check(p.returncode == -signal.SIGINT, 'a second SIGINT ends the program '
          'by SIGINT: status %d' % p.returncode)
    check(os.listdir(w('twice')) == ['out'] and
          not [n for n in os.listdir(w('twice', 'out')) if n != '.lock'],
          'after a second SIGINT nothing is left: %r, %r'
          % (os.listdir(w('twice')), os.listdir(w('twice', 'out'))))

print('test-cli-register: %s' % ('all checks passed' if not failures else
                                 '%d checks failed' % len(failures)))
sys.exit(1 if failures else 0)
