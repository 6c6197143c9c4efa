#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-blockwise benchmark of the Python package `blockwise`.

1. In memory: a 16120x16840 uint16 pair (the predecessor's largest case),
   bw_corrcoef on numpy arrays and through dask with 2 threads (chunks of
   about 8192x8192 holding whole blocks), against the
   predecessor's own vectorised approach (numpy reshape to blocks), medians
   of REPS alternating runs, for 16x16 and 10x10 blocks.
2. The displacement search (--search): bw_displacement on a 4096x4096
   uint16 pair, 16x16 blocks, radius 2, on numpy in one call and on dask
   with 2 threads in 1024x1024 chunks (each computed with a margin of one
   block row and column of its neighbours), medians of REPS runs.
3. Larger than memory: a 40000x40000 uint16 pair as chunked zarr arrays on
   disk, bw_corrcoef on a distributed.LocalCluster of 2 workers with a 2 GB
   memory limit each, the result written to zarr; the time and the workers'
   peak memory.

Run from the build tree: meson devenv -C build /usr/bin/python3 \\
    ../bench/bench-python.py [--reps N] [--skip-large] [--search] [--work DIR]
Needs python3-numpy, python3-dask, python3-distributed, python3-zarr, and
about 7 GB of disk for part 2.
"""
import argparse
import os
import shutil
import statistics
import tempfile
import time

import numpy as np
import dask
import dask.array as da

import blockwise


def predecessor_corrcoef(a, b, bs):
    """The predecessor's vectorised approach: reshape to blocks."""
    bh, bw = bs
    h, w = (a.shape[0] // bh) * bh, (a.shape[1] // bw) * bw
    x = a[:h, :w].astype(np.float64).reshape(h // bh, bh, w // bw, bw)
    y = b[:h, :w].astype(np.float64).reshape(h // bh, bh, w // bw, bw)
    dx = x - x.mean(axis=(1, 3), keepdims=True)
    dy = y - y.mean(axis=(1, 3), keepdims=True)
    with np.errstate(invalid='ignore', divide='ignore'):
        return (dx * dy).sum(axis=(1, 3)) / np.sqrt(
            (dx * dx).sum(axis=(1, 3)) * (dy * dy).sum(axis=(1, 3)))


def timed(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def in_memory(reps):
    rng = np.random.default_rng(1)
    a = rng.integers(0, 65536, (16120, 16840), dtype=np.uint16)
    b = (a.astype(np.int32) + rng.integers(-2000, 2000, a.shape)).clip(
        0, 65535).astype(np.uint16)
    for bs in ((16, 16), (10, 10)):
        # chunks of about 8192 pixels (128 MB, dask's usual size) that hold whole
        # blocks (other chunkings
        # work too, after a rechunk that copies the pixels)
        ch = (8192 // bs[0] * bs[0], 8192 // bs[1] * bs[1])
        da_a = da.from_array(a, chunks=ch)
        da_b = da.from_array(b, chunks=ch)
        exp = predecessor_corrcoef(a, b, bs)
        got = blockwise.bw_corrcoef(a, b, bs)
        assert np.allclose(got, exp, equal_nan=True)
        t_np, t_ours, t_dask = [], [], []
        for _ in range(reps):
            t_np.append(timed(lambda: predecessor_corrcoef(a, b, bs)))
            t_ours.append(timed(lambda: blockwise.bw_corrcoef(a, b, bs)))
            with dask.config.set(scheduler='threads', num_workers=2):
                t_dask.append(timed(lambda: blockwise.bw_corrcoef(
                    da_a, da_b, bs).compute()))
        m_np, m_ours, m_dask = (statistics.median(t) for t in
                                (t_np, t_ours, t_dask))
        print('16120x16840 uint16, %dx%d blocks, %d reps: numpy reshape %.2f s, '
              'blockwise (numpy in) %.3f s = %.0fx faster, blockwise on dask '
              '(2 threads) %.3f s = %.0fx faster' % (bs[0], bs[1], reps, m_np,
                                                   m_ours, m_np / m_ours,
                                                   m_dask, m_np / m_dask),
              flush=True)


def search(reps, side=4096, chunk=1024):
    rng = np.random.default_rng(3)
    a = rng.integers(0, 65536, (side, side), dtype=np.uint16)
    b = np.roll(a, (1, -2), axis=(0, 1))
    da_a = da.from_array(a, chunks=chunk)
    da_b = da.from_array(b, chunks=chunk)
    # min_intensity=0: chunk by chunk on dask (an estimated background
    # needs the whole images)
    exp = blockwise.bw_displacement(a, b, (16, 16), min_intensity=0)
    got, = dask.compute(blockwise.bw_displacement(da_a, da_b, (16, 16),
                                                  min_intensity=0))
    assert all(np.array_equal(got[k], exp[k], equal_nan=True) for k in exp)
    t_np, t_dask = [], []
    for _ in range(reps):
        t_np.append(timed(lambda: blockwise.bw_displacement(
            a, b, (16, 16), min_intensity=0, n_threads=2)))
        with dask.config.set(scheduler='threads', num_workers=2):
            t_dask.append(timed(lambda: dask.compute(
                blockwise.bw_displacement(da_a, da_b, (16, 16),
                                          min_intensity=0))))
    print('%dx%d uint16, 16x16 blocks, radius 2, %d reps: bw_displacement '
          'numpy in (2 threads) %.3f s, on dask (2 threads, %d^2 chunks) '
          '%.3f s' % (side, side, reps, statistics.median(t_np), chunk,
                      statistics.median(t_dask)), flush=True)


def larger_than_memory(work):
    import zarr
    from distributed import Client, LocalCluster

    side, chunk = 40000, 4000
    pa, pb, pr = (os.path.join(work, n) for n in ('a.zarr', 'b.zarr',
                                                  'r.zarr'))
    # The workers start first: started later, they would count this
    # process's arrays (as forked pages) in their peak memory.
    with LocalCluster(n_workers=2, threads_per_worker=1, memory_limit='2GB',
                      dashboard_address=None) as cluster, \
            Client(cluster) as client:
        t0 = time.perf_counter()
        for path, seed in ((pa, 1), (pb, 2)):
            z = zarr.open(path, mode='w', shape=(side, side),
                          chunks=(chunk, chunk), dtype=np.uint16,
                          compressor=None)
            rng = np.random.default_rng(seed)
            for i in range(0, side, chunk):
                z[i:i + chunk] = rng.integers(0, 65536, (chunk, side),
                                              dtype=np.uint16)
        print('wrote two %dx%d uint16 zarr arrays (%.1f GB each) in %.0f s'
              % (side, side, side * side * 2 / 1e9, time.perf_counter() - t0),
              flush=True)
        a = da.from_zarr(pa)
        b = da.from_zarr(pb)
        t0 = time.perf_counter()
        r = blockwise.bw_corrcoef(a, b, (16, 16))
        da.to_zarr(r, pr, overwrite=True)
        elapsed = time.perf_counter() - t0
        peaks = client.run(lambda: __import__('resource').getrusage(
            __import__('resource').RUSAGE_SELF).ru_maxrss)
        alive = len(client.scheduler_info()['workers'])
        out = zarr.open(pr, mode='r')
        print('bw_corrcoef of the pair (16x16 blocks) on a LocalCluster of 2 '
              'workers, 2 GB limit each: %.1f s, result %s written to zarr; '
              'workers\' peak RSS %s MB; %d workers alive at the end'
              % (elapsed, out.shape, ', '.join('%.0f' % (v / 1024) for v in
                                                peaks.values()), alive),
              flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--skip-large', action='store_true')
    ap.add_argument('--search', action='store_true',
                    help='only the displacement search benchmark')
    ap.add_argument('--large-only', action='store_true')
    ap.add_argument('--work')
    args = ap.parse_args()
    if args.search:
        search(args.reps)
        return
    if not args.large_only:
        in_memory(args.reps)
        if not args.skip_large:
            # In a fresh process: workers started from this one would count
            # its large arrays in their peak memory.
            import subprocess
            import sys
            cmd = [sys.executable, os.path.abspath(__file__), '--large-only']
            if args.work:
                cmd += ['--work', args.work]
            subprocess.run(cmd, check=True)
        return
    work = args.work or tempfile.mkdtemp(prefix='bench-python-')
    try:
        larger_than_memory(work)
    finally:
        if not args.work:
            shutil.rmtree(work)


if __name__ == '__main__':
    main()
