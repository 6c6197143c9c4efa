#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-blockwise benchmark: the whole gst-blockcorr command against numpy.

For each size, writes an uncompressed 16-bit TIFF pair (a noisy texture and
a copy with a shifted region), then, REPS times each, alternating:
  - the command: read both files, compute, write every output
    (gst-blockcorr -q -b 10 -o DIR A B), timed as a whole process, with its
    peak resident memory;
  - the peer: numpy's vectorised block statistics (reshape to blocks, means,
    variances, covariance, r) on the two arrays already in memory.
Prints the medians, the ratio numpy / command, and peak RSS / raw pair size.

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
# command and reports the command's own time and peak.
WRAPPER = """
import os, sys, time
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
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
        sys.exit('command failed (%s): %s' % (code, p.stderr))
    return float(elapsed), int(rss)


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
    for size in args.sizes.split(','):
        w, h = (int(v) for v in size.split('x'))
        a = rng.normal(3000, 400, (h, w)).clip(0, 65535).astype(np.uint16)
        b = a.copy()
        b[h // 4:h // 2, w // 4:w // 2] = np.roll(a, 3, axis=1)[
            h // 4:h // 2, w // 4:w // 2]
        pa, pb = os.path.join(work, 'a.tif'), os.path.join(work, 'b.tif')
        tifffile.imwrite(pa, a)
        tifffile.imwrite(pb, b)
        raw = a.nbytes + b.nbytes
        cmd = [args.program, '-q', '-b', '10', '-o',
               os.path.join(work, 'out'), pa, pb]
        run_command(cmd)                    # warm the page cache
        t_cmd, t_np, rss = [], [], []
        for _ in range(args.reps):
            t, m = run_command(cmd)
            t_cmd.append(t)
            rss.append(m)
            t0 = time.perf_counter()
            numpy_blockstats(a, b, 10)
            t_np.append(time.perf_counter() - t0)
        mc, mn = statistics.median(t_cmd), statistics.median(t_np)
        print('%s, 10x10 blocks, %d reps: gst-blockcorr %.2f s (%.2f-%.2f), '
              'numpy block statistics alone %.2f s (%.2f-%.2f): numpy / '
              'command = %.1fx; peak RSS %.0f MB = %.2fx the raw pair '
              '(%.0f MB)' % (size, args.reps, mc, min(t_cmd), max(t_cmd), mn,
                             min(t_np), max(t_np), mn / mc, max(rss) / 2**20,
                             max(rss) / raw, raw / 2**20), flush=True)
        os.remove(pa)
        os.remove(pb)
        del a, b
    if not args.work:
        shutil.rmtree(work)


if __name__ == '__main__':
    main()
