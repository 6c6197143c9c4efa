#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-blockwise benchmark: the whole gst-blockcorr command against its
peers and its floor.

For each size, writes an uncompressed 16-bit TIFF pair (a noisy texture and
a copy with a shifted region), then, REPS times each, alternating, side by
side in one run:
  - defaults: the command as a user runs it (read both files, analyse with
    the default search, write every output:
    gst-blockcorr -q -b 10 -o DIR A B), timed as a whole process, with its
    peak resident memory;
  - -r 0: the same without the displacement search;
  - numpy: numpy's vectorised block statistics (reshape to blocks, means,
    variances, covariance, r) on the two arrays already in memory;
  - cat: reading both files from the page cache (cat A B > /dev/null), the
    floor of any command that reads them;
and, once per size, the fixed costs the command pays whatever the size:
  - --help: starting the process (loading its libraries);
  - a 64x64 pair: starting GStreamer, the analysis' pipelines, drawing and
    writing every output, committing the folder.
Prints the medians (and ranges) and the ratios against the targets of
issue 24: numpy / defaults at least 6x, -r 0 at most 4x cat, peak RSS at
most 1.1x the raw pair.  A benchmark, not a test: it passes or fails
nothing, and on a shared machine only the ratios within one run mean much.

Usage: bench/bench-cli.py PATH-TO-gst-blockcorr [--reps N] [--sizes WxH,...]
       [--work DIR]
Not part of `meson test`: it takes minutes and needs about 6 GB of disk.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import tifffile

TARGET_NUMPY = 6.0          # numpy / defaults, at least
TARGET_CAT = 4.0            # -r 0 / cat, at most
TARGET_RSS = 1.1            # peak RSS / raw pair, at most


def numpy_blockstats(a, b, bs):
    """The predecessor's computation, vectorised: per-block r, means, stds."""
    h, w = (a.shape[0] // bs) * bs, (a.shape[1] // bs) * bs
    x = a[:h, :w].astype(np.float64).reshape(h // bs, bs, w // bs, bs)
    y = b[:h, :w].astype(np.float64).reshape(h // bs, bs, w // bs, bs)
    mx, my = x.mean(axis=(1, 3)), y.mean(axis=(1, 3))
    dx = x - mx[:, None, :, None]
    dy = y - my[:, None, :, None]
    vx, vy = (dx * dx).mean(axis=(1, 3)), (dy * dy).mean(axis=(1, 3))
    cov = (dx * dy).mean(axis=(1, 3))
    with np.errstate(invalid='ignore', divide='ignore'):
        r = cov / np.sqrt(vx * vy)
    return r, mx, my, np.sqrt(vx), np.sqrt(vy)


# Started from this (large) process, a child's peak RSS would count the
# pages it shares with us before exec; a small wrapper process starts the
# command (its standard output to /dev/null) and reports the command's own
# time and peak.
WRAPPER = """
import os, sys, time
null = os.open(os.devnull, os.O_WRONLY)
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.dup2(null, 1)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - t0, usage.ru_maxrss * 1024,
      os.waitstatus_to_exitcode(status))
"""


def run_command(cmd):
    """Wall time and peak RSS (bytes) of one process."""
    p = subprocess.run([sys.executable, '-c', WRAPPER] + cmd,
                       capture_output=True, text=True)
    elapsed, rss, code = p.stdout.split()
    if int(code) not in (0, 1):
        sys.exit('command failed (%s): %s\n%s' % (code, ' '.join(cmd),
                                                  p.stderr))
    return float(elapsed), int(rss)


def write_pair(work, w, h, rng):
    """The pair's files and arrays: a noisy texture, and a copy with a
    quarter of it shifted by 3 px."""
    a = rng.normal(3000, 400, (h, w)).clip(0, 65535).astype(np.uint16)
    b = a.copy()
    b[h // 4:h // 2, w // 4:w // 2] = np.roll(a, 3, axis=1)[
        h // 4:h // 2, w // 4:w // 2]
    pa, pb = os.path.join(work, 'a.tif'), os.path.join(work, 'b.tif')
    tifffile.imwrite(pa, a)
    tifffile.imwrite(pb, b)
    return a, b, pa, pb


def summary(times):
    return '%.3f s (%.3f-%.3f)' % (statistics.median(times), min(times),
                                   max(times))


def verdict(value, target, at_least):
    met = value >= target if at_least else value <= target
    return '%.2fx (target %s %.2gx: %s)' % (
        value, '>=' if at_least else '<=', target,
        'met' if met else 'not met')


def fixed_costs(program, work, reps):
    """Medians of --help and of a 64x64 pair with every output."""
    _, _, pa, pb = write_pair(work, 64, 64, np.random.default_rng(2))
    small = [program, '-q', '-o', os.path.join(work, 'out-small'), pa, pb]
    run_command(small)
    t_help, t_small = [], []
    for _ in range(reps):
        t_help.append(run_command([program, '--help'])[0])
        t_small.append(run_command(small)[0])
    os.remove(pa)
    os.remove(pb)
    print('fixed costs, %d reps: --help %s; a 64x64 pair with every '
          'output %s' % (reps, summary(t_help), summary(t_small)),
          flush=True)


def bench_size(program, work, size, reps, rng):
    w, h = (int(v) for v in size.split('x'))
    a, b, pa, pb = write_pair(work, w, h, rng)
    raw = a.nbytes + b.nbytes
    out = os.path.join(work, 'out')
    defaults = [program, '-q', '-b', '10', '-o', out, pa, pb]
    radius0 = [program, '-q', '-b', '10', '-r', '0', '-o', out, pa, pb]
    cat = ['/bin/cat', pa, pb]
    run_command(cat)                        # warm the page cache
    run_command(defaults)                   # and the output folder
    t = {'defaults': [], '-r 0': [], 'numpy': [], 'cat': []}
    rss = {'defaults': [], '-r 0': []}
    for _ in range(reps):
        for name, cmd in (('defaults', defaults), ('-r 0', radius0),
                          ('cat', cat)):
            elapsed, peak = run_command(cmd)
            t[name].append(elapsed)
            if name in rss:
                rss[name].append(peak)
        t0 = time.perf_counter()
        numpy_blockstats(a, b, 10)
        t['numpy'].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in t.items()}
    print('%s, 10x10 blocks, raw pair %.0f MB, medians of %d reps (range):'
          % (size, raw / 2**20, reps))
    for name in ('defaults', '-r 0', 'numpy', 'cat'):
        line = '  %-9s %s' % (name, summary(t[name]))
        if name in rss:
            line += ', peak RSS %.0f MB' % (max(rss[name]) / 2**20)
        print(line)
    print('  numpy / defaults = %s' % verdict(med['numpy'] / med['defaults'],
                                              TARGET_NUMPY, True))
    print('  -r 0 / cat = %s' % verdict(med['-r 0'] / med['cat'],
                                        TARGET_CAT, False))
    for name in rss:
        print('  peak RSS / raw pair, %s = %s' % (
            name, verdict(max(rss[name]) / raw, TARGET_RSS, False)))
    print('  the search (defaults - -r 0): %.3f s' % (med['defaults']
                                                       - med['-r 0']),
          flush=True)
    os.remove(pa)
    os.remove(pb)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('program')
    ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--sizes', default='10100x9660,16120x16840')
    ap.add_argument('--work')
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix='bench-cli-')
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(1)
    program = os.path.abspath(args.program)
    fixed_costs(program, work, args.reps)
    for size in args.sizes.split(','):
        bench_size(program, work, size, args.reps, rng)
    if not args.work:
        shutil.rmtree(work)


if __name__ == '__main__':
    main()
