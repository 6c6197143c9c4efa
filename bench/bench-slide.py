#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-blockwise benchmark: a compressed RGB slide pair through the command.

Writes (once: kept in WORK and reused) a 20000x20000 RGB pair, 256x256
tiles, Deflate (zlib), BigTIFF, with tifffile: a texture with noise, and the
same shifted by a few pixels.  Then, REPS times each, alternating, on one CPU
(taskset -c 0) and on two (taskset -c 0,1; the command and the reader take
as many threads as the affinity allows):
  - the command: gst-blockcorr -q -o OUT A B, timed as a whole process,
    with its peak resident memory;
  - libtiff alone decoding both files on as many threads
    (bench-tiff-decode -m libtiff): the floor;
  - the reader alone decoding both files as GRAY8 (bench-tiff-decode -m gray).
Prints the medians and the issue's targets: two CPUs at least 1.7x faster
than one, the command at most 1.25x libtiff alone, peak RSS at most 1.25x
the gray pair plus 256 MB.

Usage: bench/bench-slide.py BUILD-DIR WORK-DIR [--reps N] [--size N]
Not part of `meson test`: writing the pair takes minutes, it needs about
3 GB of disk and each run decodes 2.4 GB of pixels.
"""
import argparse
import importlib.util
import os
import resource
import statistics
import subprocess
import sys

import numpy as np
import tifffile

TILE = 256
SHIFT = (3, 5)          # (dy, dx) of the second image


def load_bench_cli():
    """run_command (a process's wall time and peak RSS) of bench-cli.py."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        'bench-cli.py')
    spec = importlib.util.spec_from_file_location('bench_cli', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def texture(y0, rows, width, dy, dx):
    """Rows y0.. of the slide moved by (dy, dx): smooth structure at several
    scales, different in each channel, and noise fixed to the position."""
    y = (np.arange(y0, y0 + rows, dtype=np.float32) + dy)[:, None]
    x = (np.arange(width, dtype=np.float32) + dx)[None, :]
    base = (40 * np.sin(x * 0.031 + y * 0.017)
            + 30 * np.sin(x * 0.0071 - y * 0.013) * np.cos(y * 0.021)
            + 20 * np.cos((x + y) * 0.053))
    yi = (np.arange(y0, y0 + rows, dtype=np.uint32) + dy)[:, None]
    xi = (np.arange(width, dtype=np.uint32) + dx)[None, :]
    h = (xi * np.uint32(0x9E3779B1)) ^ (yi * np.uint32(0x85EBCA77))
    h ^= h >> np.uint32(15)
    h *= np.uint32(0x2C1B3C6D)
    h ^= h >> np.uint32(12)
    out = np.empty((rows, width, 3), np.uint8)
    for c in range(3):
        noise = ((h >> np.uint32(8 * c)) & np.uint32(31)).astype(np.float32)
        out[..., c] = np.clip(120 + (1 - 0.2 * c) * base + noise - 16, 0, 255)
    return out


def tiles(size, dy, dx):
    """The image's tiles in order, edge tiles padded with zeros."""
    for ty in range(0, size, TILE):
        rows = min(TILE, size - ty)
        band = np.zeros((TILE, -(-size // TILE) * TILE, 3), np.uint8)
        band[:rows, :size] = texture(ty, rows, size, dy, dx)
        for tx in range(0, size, TILE):
            yield band[:, tx:tx + TILE]


def make_pair(work, size):
    paths = [os.path.join(work, 'slide-%d-%s.tif' % (size, n)) for n in 'ab']
    for path, (dy, dx) in zip(paths, [(0, 0), SHIFT]):
        if os.path.exists(path):
            continue
        print('writing %s ...' % path, flush=True)
        tmp = path + '.part'
        tifffile.imwrite(tmp, tiles(size, dy, dx), shape=(size, size, 3),
                         dtype=np.uint8, tile=(TILE, TILE),
                         compression='zlib', photometric='rgb', bigtiff=True)
        os.rename(tmp, path)
    return paths


def seconds(output):
    """The wall and CPU times bench-tiff-decode printed:
    'label, N threads: X s (...), CPU Y s'."""
    return (float(output.split(': ')[1].split(' s')[0]),
            float(output.split('CPU ')[1].split(' s')[0]))


def children_cpu():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('build')
    ap.add_argument('work')
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--size', type=int, default=20000)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    bench_cli = load_bench_cli()
    a, b = make_pair(args.work, args.size)
    program = os.path.join(args.build, 'cli', 'gst-blockcorr')
    decoder = os.path.join(args.build, 'bench', 'bench-tiff-decode')
    os.environ['GST_PLUGIN_PATH'] = os.path.join(args.build, 'gst')
    out = os.path.join(args.work, 'out')
    cpus = {1: '0', 2: '0,1'}

    subprocess.run(['cat', a, b], stdout=subprocess.DEVNULL, check=True)
    keys = ('cmd1', 'cmd2', 'lib1', 'lib2', 'gray1', 'gray2')
    t = {k: [] for k in keys}
    cpu = {k: [] for k in keys}
    rss = []
    for rep in range(args.reps):
        for n, c in cpus.items():
            c0 = children_cpu()
            el, m = bench_cli.run_command(
                ['/usr/bin/taskset', '-c', c, program, '-q', '-o', out, a, b])
            cpu['cmd%d' % n].append(children_cpu() - c0)
            t['cmd%d' % n].append(el)
            rss.append(m)
            for mode, key in (('libtiff', 'lib'), ('gray', 'gray')):
                p = subprocess.run(['taskset', '-c', c, decoder, '-r', '1',
                                    '-t', str(n), '-m', mode, a, b],
                                   capture_output=True, text=True, check=True)
                wall, used = seconds(p.stdout)
                t['%s%d' % (key, n)].append(wall)
                cpu['%s%d' % (key, n)].append(used)
        print('run %d: %s' % (rep + 1, ', '.join(
            '%s %.2f s (CPU %.2f)' % (k, t[k][-1], cpu[k][-1])
            for k in keys)), flush=True)

    med = {k: statistics.median(v) for k, v in t.items()}
    mcpu = {k: statistics.median(v) for k, v in cpu.items()}
    gray_pair = 2 * args.size * args.size
    limit = 1.25 * gray_pair + 256 * 2**20
    print('%dx%d RGB pair, %dx%d Deflate tiles, BigTIFF (%.0f MiB on disk); '
          'medians of %d runs:' % (args.size, args.size, TILE, TILE,
                                   (os.path.getsize(a) + os.path.getsize(b))
                                   / 2**20, args.reps))
    for n in (1, 2):
        print('  %d CPU%s: gst-blockcorr %.2f s (CPU %.2f s), libtiff alone '
              '%.2f s (CPU %.2f s): command / libtiff %.2fx (target <= '
              '1.25x); reader alone as GRAY8 %.2f s (CPU %.2f s, %.2fx '
              'libtiff)'
              % (n, 's' if n > 1 else '', med['cmd%d' % n],
                 mcpu['cmd%d' % n], med['lib%d' % n], mcpu['lib%d' % n],
                 med['cmd%d' % n] / med['lib%d' % n], med['gray%d' % n],
                 mcpu['gray%d' % n], med['gray%d' % n] / med['lib%d' % n]))
    print('  1 CPU / 2 CPUs: command %.2fx (target >= 1.7x), libtiff alone '
          '%.2fx, reader alone %.2fx'
          % (med['cmd1'] / med['cmd2'], med['lib1'] / med['lib2'],
             med['gray1'] / med['gray2']))
    print('  peak RSS of the command %.0f MiB: %.2fx the gray pair (%.0f MiB) '
          '+ 256 MiB (target <= %.0f MiB)'
          % (max(rss) / 2**20, (max(rss) - 256 * 2**20) / gray_pair,
             gray_pair / 2**20, limit / 2**20))


if __name__ == '__main__':
    main()
