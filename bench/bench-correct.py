#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-blockwise benchmark: the drift correction of a stack from Python,
blockwise.correct(stack, correct="shift"), against the peer a user would
write with scikit-image and SciPy: per frame
skimage.registration.phase_cross_correlation(first, frame,
upsample_factor=100) and scipy.ndimage.shift(frame, shift, order=3).

The stack: 40 frames of 1024x1024 uint16, a smooth band-limited texture
(a random field on a larger periodic canvas, moved by Fourier phase ramps,
so every frame samples the same scene exactly), drifting slowly, with a
sudden jump, sub-pixel steps and up to about 100 px, bleaching to 60 % and
shot-like noise.  Each correction runs in a process of its own (the
stack loaded from a .npy file first, only the correction timed, wall
clock and the process's CPU time), the two alternating, REPS times each;
the medians are printed with their ratio, and each run's ratio.
The residual drift of every corrected frame against the first is
measured by the tests' own phase correlation (tests/phase_correlation.py,
upsampled 100 times), over the window the frame's drift leaves covered.
Then where blockwise's time goes: the measurement (analysis and fit,
drift()) and the warps alone.

Run from the build tree: meson devenv -C build /usr/bin/python3 \\
    ../bench/bench-correct.py [--reps N] [--frames N] [--side N]
Needs python3-numpy, python3-scipy, python3-skimage.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests'))
from phase_correlation import residuals  # noqa: E402


def drift_path(frames, rng):
    """Slow drift, a jump, sub-pixel steps, then a larger drift."""
    path = [(0.0, 0.0)]
    for n in range(1, frames):
        x, y = path[-1]
        if n < frames // 3:
            x, y = x + 0.15, y - 0.1                      # slow
        elif n == frames // 3:
            x, y = x + 23.4, y - 11.7                     # a jump
        elif n < 2 * frames // 3:
            x, y = (x + rng.uniform(-0.4, 0.4),
                    y + rng.uniform(-0.4, 0.4))           # sub-pixel
        else:
            x, y = x + 4.9, y + 3.3                       # further
        path.append((x, y))
    return path


def make_stack(frames, side, seed=40):
    """(stack, drift): frame n's content moved by drift[n]."""
    rng = np.random.default_rng(seed)
    path = drift_path(frames, rng)
    margin = int(max(max(abs(x), abs(y)) for x, y in path)) + 16
    size = side + 2 * margin
    fy = np.fft.fftfreq(size)[:, None]
    fx = np.fft.rfftfreq(size)[None, :]
    f = np.hypot(fx, fy)
    spectrum = ((rng.normal(size=f.shape) + 1j * rng.normal(size=f.shape))
                / (1 + f / 0.02) * (f < 0.2))
    stack = np.empty((frames, side, side), np.uint16)
    scale = None
    for n, (dx, dy) in enumerate(path):
        moved = np.fft.irfft2(spectrum * np.exp(-2j * np.pi * (fx * dx
                                                              + fy * dy)),
                              s=(size, size))
        if scale is None:
            scale = 3000 / moved.std()
        gain = 1 - 0.4 * n / max(frames - 1, 1)               # bleaching
        v = 400 + gain * (18000 + scale * moved[margin:margin + side,
                                                margin:margin + side])
        v += rng.normal(size=v.shape) * np.sqrt(np.maximum(v, 0)) * 1.5
        stack[n] = np.clip(np.rint(v), 0, 65535)
    return stack, path


def peer(stack):
    from scipy import ndimage
    from skimage.registration import phase_cross_correlation

    out = np.empty_like(stack)
    ref = stack[0]
    for n, frame in enumerate(stack):
        shift = phase_cross_correlation(ref, frame, upsample_factor=100)[0]
        out[n] = ndimage.shift(frame, shift, order=3)
    return out


def ours(stack):
    import blockwise
    return blockwise.correct(stack, correct='shift')[0]


def child(method, path, out_path):
    """One timed correction in this process; the corrected stack saved
    when out_path is given."""
    stack = np.load(path)
    func = {'peer': peer, 'blockwise': ours}[method]
    t0, c0 = time.perf_counter(), time.process_time()
    corrected = func(stack)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    if out_path:
        np.save(out_path, corrected)
    print(json.dumps({'seconds': seconds, 'cpu': cpu}))


def profile(stack):
    """blockwise's time by part: the measurement, the warps, the rest."""
    import blockwise
    from blockwise import _correct, _native

    parts = {}
    t0 = time.perf_counter()
    record = blockwise.drift(stack)
    parts['analysis + fit (drift())'] = time.perf_counter() - t0
    out = np.empty_like(stack)
    t0 = time.perf_counter()
    for n, r in enumerate(record):
        r['correction'] = 'shift'
        _correct._corrected(stack[n], r, 'edge', 0, out[n])
    parts['warps'] = time.perf_counter() - t0
    t0 = time.perf_counter()
    blockwise.correct(stack)
    parts['correct(), whole'] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with _native.Analysis() as an:
        params = _correct._settings([stack[0]], (16, 16), 'trim', 2, 'auto',
                                    None, None, None, 0)
        for frame in stack:
            _native.frame_motion(an, stack[0], frame, params, 0)
    parts['analysis + fit, the C calls alone'] = time.perf_counter() - t0
    return parts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--frames', type=int, default=40)
    ap.add_argument('--side', type=int, default=1024)
    ap.add_argument('--child', nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        method, path, out_path = args.child
        child(method, path, out_path if out_path != '-' else None)
        return

    import blockwise
    import scipy
    import skimage
    print('numpy %s, scipy %s, scikit-image %s; %d CPUs'
          % (np.__version__, scipy.__version__, skimage.__version__,
             os.cpu_count()))
    with tempfile.TemporaryDirectory(prefix='bench-correct-') as work:
        t0 = time.perf_counter()
        stack, path = make_stack(args.frames, args.side)
        print('stack: %d frames of %dx%d uint16, drift up to %.1f px '
              '(made in %.1f s)' % (args.frames, args.side, args.side,
                                    max(math.hypot(*d) for d in path),
                                    time.perf_counter() - t0))
        stack_path = os.path.join(work, 'stack.npy')
        np.save(stack_path, stack)
        times = {'peer': [], 'blockwise': []}
        cpu = {'peer': [], 'blockwise': []}
        for rep in range(args.reps):
            for method in times:
                out = (os.path.join(work, method + '.npy') if rep == 0
                       else '-')
                result = subprocess.run(
                    [sys.executable, os.path.abspath(__file__), '--child',
                     method, stack_path, out], check=True,
                    capture_output=True, text=True)
                got = json.loads(result.stdout.strip().splitlines()[-1])
                times[method].append(got['seconds'])
                cpu[method].append(got['cpu'])
        med = {m: statistics.median(t) for m, t in times.items()}
        med_cpu = {m: statistics.median(t) for m, t in cpu.items()}
        for m, t in times.items():
            print('%-10s median %.3f s, CPU %.3f s  (%s)' % (
                m, med[m], med_cpu[m], ' '.join('%.3f' % x for x in t)))
        print('ratio: blockwise %.1fx faster than the peer (target 20x); '
              'per run %s; in CPU time %.1fx'
              % (med['peer'] / med['blockwise'],
                 ' '.join('%.1f' % (p / b) for p, b in
                          zip(times['peer'], times['blockwise'])),
                 med_cpu['peer'] / med_cpu['blockwise']))
        motions = [(dx, 1.0, 0.0, dy, 0.0, 1.0) for dx, dy in path]
        for m in times:
            corrected = np.load(os.path.join(work, m + '.npy'))
            res = residuals(stack[0], corrected, motions, upsample=100)
            length = np.hypot(res[:, 0], res[:, 1])
            print('%-10s residual %.4f px rms, %.4f px worst (frame %d)'
                  % (m, math.sqrt(np.mean(length ** 2)), length.max(),
                     int(np.argmax(length))))
        print('blockwise, where the time goes (this process, %d threads '
              'for the analysis):' % (blockwise._native.default_params()
                                      .n_threads or os.cpu_count()))
        for part, seconds in profile(stack).items():
            print('  %-36s %.3f s (%.1f ms a frame)'
                  % (part, seconds, 1000 * seconds / args.frames))


if __name__ == '__main__':
    main()
