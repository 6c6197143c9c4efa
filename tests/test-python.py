#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-blockwise: the Python package `blockwise` against independent numpy
references (float64, brute force per block), on numpy and dask arrays.

Run by meson with PYTHONPATH and BLOCKWISE_LIB pointing at the build, and
the built gst-blockcorr as its argument (the analysis is compared with the
command line's answers; skipped without it or python3-tifffile); exits 77
(a skip) with a message where numpy or dask is missing.
"""
import _ctypes as not_blockwise    # a shared library, not libblockwise
import json
import math
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import dask
    import dask.array as da
    from numpy.lib.stride_tricks import as_strided
except ImportError as e:
    print('skip: %s (install python3-numpy python3-dask)' % e)
    sys.exit(77)

import blockwise

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print('FAIL: ' + what)


def close(got, exp, what, tol=1e-9):
    got, exp = np.asarray(got, dtype=float), np.asarray(exp, dtype=float)
    ok = got.shape == exp.shape and np.array_equal(np.isnan(got),
                                                   np.isnan(exp))
    if ok:
        m = ~np.isnan(exp)
        ok = np.all(np.abs(got[m] - exp[m]) <= tol * np.maximum(1,
                                                                np.abs(exp[m])))
    check(ok, '%s: got %s, expected %s' % (what, got.ravel()[:6],
                                           exp.ravel()[:6]))


def ref(a, b, bs, partial=False):
    """Brute force, one block at a time, in double precision."""
    bh, bw = bs
    h, w = a.shape
    rows = -(-h // bh) if partial else h // bh
    cols = -(-w // bw) if partial else w // bw
    out = {k: np.empty((rows, cols)) for k in
           ('sum', 'mean', 'std', 'std1', 'r')}
    for j in range(rows):
        for i in range(cols):
            x = a[j*bh:(j+1)*bh, i*bw:(i+1)*bw].astype(np.float64).ravel()
            y = b[j*bh:(j+1)*bh, i*bw:(i+1)*bw].astype(np.float64).ravel()
            n = x.size
            mx, my = sum(x) / n, sum(y) / n
            sxx = sum((v - mx) ** 2 for v in x)
            syy = sum((v - my) ** 2 for v in y)
            sxy = sum((u - mx) * (v - my) for u, v in zip(x, y))
            out['sum'][j, i] = sum(x)
            out['mean'][j, i] = mx
            out['std'][j, i] = math.sqrt(sxx / n)
            out['std1'][j, i] = math.sqrt(sxx / (n - 1)) if n > 1 else math.nan
            out['r'][j, i] = (sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0
                              else math.nan)
    return out


# 1. The predecessor's own cases: a (4, 6) array in (2, 3) blocks, and a
#    rolled copy for corrcoef.
a = np.arange(24, dtype=np.uint16).reshape(4, 6)
b = np.roll(a, 1, axis=1)
R = ref(a, b, (2, 3))
close(blockwise.bw_sum(a, (2, 3)), R['sum'], 'predecessor sum')
close(blockwise.bw_mean(a, (2, 3)), R['mean'], 'predecessor mean')
close(blockwise.bw_std(a, (2, 3)), R['std'], 'predecessor std')
close(blockwise.bw_std(a, (2, 3), ddof=1), R['std1'], 'predecessor std ddof=1')
close(blockwise.bw_corrcoef(a, b, (2, 3)), R['r'], 'predecessor corrcoef')
close(blockwise.bw_mean(a, (2, 3), keep_shape=True),
      np.repeat(np.repeat(R['mean'], 2, 0), 3, 1), 'keep_shape')

# 2. Random shapes, block sizes and dtypes, trim and partial, strided views.
rng = np.random.default_rng(7)
for k in range(40):
    dtype = (np.uint8, np.uint16, np.dtype('>u2'))[k % 3]
    h, w = rng.integers(1, 70, 2)
    bh, bw = rng.integers(1, 20, 2)
    top = 255 if dtype == np.uint8 else 65535
    base = rng.integers(0, top + 1, (h + 7, w + 9)).astype(dtype)
    other = rng.integers(0, top + 1, (h + 7, w + 9)).astype(dtype)
    if k % 4 == 0:          # a strided view: rows farther apart, offset start
        x, y = base[3:3 + h, 5:5 + w], other[2:2 + h, 1:1 + w]
    elif k % 4 == 1:        # rows bottom-up (negative stride)
        x, y = base[h - 1::-1, :w], other[:h, :w]
    else:
        x, y = np.ascontiguousarray(base[:h, :w]), np.ascontiguousarray(
            other[:h, :w])
    partial = bool(k % 2)
    mode = 'partial' if partial else 'trim'
    if not partial and (h < bh or w < bw):
        try:
            blockwise.bw_mean(x, (bh, bw))
            check(False, 'block larger than the image accepted')
        except ValueError:
            pass
        continue
    R = ref(x, y, (bh, bw), partial)
    what = 'case %d %s %dx%d blocks %dx%d %s' % (k, np.dtype(dtype), h, w, bh,
                                                 bw, mode)
    close(blockwise.bw_sum(x, (bh, bw), edge_mode=mode), R['sum'],
          what + ' sum')
    close(blockwise.bw_mean(x, (bh, bw), edge_mode=mode), R['mean'],
          what + ' mean')
    close(blockwise.bw_std(x, (bh, bw), edge_mode=mode), R['std'],
          what + ' std')
    close(blockwise.bw_corrcoef(x, y, (bh, bw), edge_mode=mode), R['r'],
          what + ' r', tol=1e-9)
    s = blockwise.bw_stats(x, y, (bh, bw), edge_mode=mode)
    close(s['r'], R['r'], what + ' bw_stats r')
    close(s['mean_1'], R['mean'], what + ' bw_stats mean_1')

# 3. dask: chunks that are not multiples of the block, threaded scheduler and
#    dask.distributed; results equal to the numpy path.
x = rng.integers(0, 65536, (300, 410)).astype(np.uint16)
y = (x.astype(np.int64) + rng.integers(-900, 900, x.shape)).clip(
    0, 65535).astype(np.uint16)
dx, dy = da.from_array(x, chunks=(77, 101)), da.from_array(y, chunks=(90, 64))
for mode in ('trim', 'partial'):
    exp_r = blockwise.bw_corrcoef(x, y, (16, 12), edge_mode=mode)
    got = blockwise.bw_corrcoef(dx, dy, (16, 12), edge_mode=mode)
    check(isinstance(got, da.Array), 'dask in, dask out')
    close(got.compute(scheduler='threads'), exp_r, 'dask corrcoef ' + mode)
    close(blockwise.bw_std(dx, (16, 12), edge_mode=mode, ddof=1).compute(),
          blockwise.bw_std(x, (16, 12), edge_mode=mode, ddof=1),
          'dask std ' + mode)
    close(blockwise.bw_mean(dx, (16, 12), keep_shape=True,
                            edge_mode=mode).compute(),
          blockwise.bw_mean(x, (16, 12), keep_shape=True, edge_mode=mode),
          'dask keep_shape ' + mode)
    got = blockwise.bw_corrcoef(x, dy, (16, 12), keep_shape=True,
                                edge_mode=mode)
    check(isinstance(got, da.Array), 'numpy and dask in, dask out')
    close(got.compute(), np.repeat(np.repeat(exp_r, 16, 0), 12, 1)
          [:x.shape[0] if mode == 'partial' else 300 // 16 * 16,
           :x.shape[1] if mode == 'partial' else 410 // 12 * 12],
          'mixed keep_shape corrcoef ' + mode)
try:
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address=None) as cluster, Client(cluster):
        close(blockwise.bw_corrcoef(dx, dy, (16, 12)).compute(),
              blockwise.bw_corrcoef(x, y, (16, 12)), 'dask.distributed')
except ImportError:
    print('skip: dask.distributed (install python3-distributed)')

# 4. Errors that say what to do.
for bad in (np.zeros((8, 8), np.float32), np.zeros((8, 8), np.int16)):
    try:
        blockwise.bw_mean(bad, (2, 2))
        check(False, '%s accepted' % bad.dtype)
    except TypeError as e:
        check('uint8' in str(e) and 'astype' in str(e), 'dtype message: %s' % e)
try:
    blockwise.bw_corrcoef(np.zeros((8, 8), np.uint8), np.zeros((8, 9),
                                                              np.uint8), (2, 2))
    check(False, 'shape mismatch accepted')
except ValueError as e:
    check('(8, 8)' in str(e) and '(8, 9)' in str(e), 'shape message: %s' % e)


def raises(exc, f, words, what):
    """f() raises exc (or a subclass) whose message holds every one of words
    (case-insensitive), and returns nothing."""
    try:
        got = f()
    except exc as e:
        msg = str(e).lower()
        check(all(w.lower() in msg for w in words),
              '%s: message %r lacks %r' % (what, str(e), words))
        return
    except Exception as e:
        check(False, '%s: %s: %s instead of %s' % (what, type(e).__name__, e,
                                                   exc.__name__))
        return
    check(False, '%s: accepted (%r) instead of %s' % (
        what, getattr(got, 'shape', got), exc.__name__))


small = np.arange(48, dtype=np.uint8).reshape(6, 8)
dsmall = da.from_array(small, chunks=(4, 3))

# 5. Block sizes: whole numbers only (ints, numpy integers, integral floats);
#    bool is not a size; 1..4096 (the library's BW_MAX_BLOCK_SIZE).
R = ref(small, small, (2, 4))
for bs in ((np.int64(2), np.uint8(4)), (2.0, np.float32(4.0)),
           np.array([2, 4])):
    close(blockwise.bw_mean(small, bs), R['mean'], 'block %r' % (bs,))
    close(blockwise.bw_mean(dsmall, bs).compute(), R['mean'],
          'dask block %r' % (bs,))
for img, kind in ((small, 'numpy'), (dsmall, 'dask')):
    for bs in ((16.9, 16), (2, 2.5), (float('nan'), 2), (2, float('inf'))):
        raises(ValueError, lambda: blockwise.bw_mean(img, bs),
               ['whole number'], '%s block %r' % (kind, bs))
    for bs in ((True, 2), (2, np.bool_(False)), ('2', 2), (None, 2)):
        raises(TypeError, lambda: blockwise.bw_mean(img, bs),
               ['block'], '%s block %r' % (kind, bs))
    for bs in ((0, 2), (2, -1), (4097, 1), (1, 2**32 + 2)):
        raises(ValueError, lambda: blockwise.bw_sum(img, bs, edge_mode=
                                                    'partial'),
               ['1..4096'], '%s block %r' % (kind, bs))
    for bs in (2, (2,), (2, 2, 2), '22'):
        raises(ValueError, lambda: blockwise.bw_sum(img, bs),
               ['(rows, columns)'], '%s block %r' % (kind, bs))
tall = rng.integers(0, 256, (4096, 3)).astype(np.uint8)
close(blockwise.bw_sum(tall, (4096, 1)), tall.sum(axis=0,
                                                  dtype=np.float64)[None],
      'block of 4096 rows')

# 6. The other arguments: edge_mode is "trim" or "partial" (dask too);
#    ddof a whole number >= 0, std NaN where a block has no more pixels
#    than ddof (n - ddof <= 0: undefined).
for img, kind in ((small, 'numpy'), (dsmall, 'dask')):
    for mode in ('bogus', 'Partial', None, 1):
        raises(ValueError, lambda: blockwise.bw_mean(img, (2, 2),
                                                     edge_mode=mode),
               ['edge_mode'], '%s edge_mode %r' % (kind, mode))
    raises(ValueError, lambda: blockwise.bw_corrcoef(img, small, (2, 2),
                                                     edge_mode='bogus'),
           ['edge_mode'], '%s corrcoef edge_mode' % kind)
    for d in (-1, 0.5, float('nan')):
        raises(ValueError, lambda: blockwise.bw_std(img, (2, 2), ddof=d),
               ['ddof'], '%s ddof %r' % (kind, d))
    raises(TypeError, lambda: blockwise.bw_std(img, (2, 2), ddof=True),
           ['ddof'], '%s ddof True' % kind)
    for d in (4, 5):
        got = blockwise.bw_std(img, (2, 2), ddof=d)
        got = got.compute() if isinstance(got, da.Array) else got
        close(got, np.full((3, 4), np.nan), '%s ddof %d of 4 pixels'
              % (kind, d))
    close(np.asarray(blockwise.bw_std(img, (2, 2), ddof=np.int64(3))),
          [[math.sqrt(((v - v.mean()) ** 2).sum() / (4 - 3))
            for v in (small[j:j+2, i:i+2].astype(float)
                      for i in range(0, 8, 2))]
           for j in range(0, 6, 2)], '%s ddof 3 of 4 pixels' % kind)

# 7. Empty images: a message that fits (not "use partial").
for shape in ((0, 8), (8, 0), (0, 0)):
    for mode in ('trim', 'partial'):
        for img, kind in ((np.zeros(shape, np.uint8), 'numpy'),
                          (da.zeros(shape, dtype=np.uint8), 'dask')):
            try:
                blockwise.bw_mean(img, (2, 2), edge_mode=mode)
                check(False, '%s empty %r %s accepted' % (kind, shape, mode))
            except ValueError as e:
                check('empty' in str(e) and 'partial' not in str(e)
                      and str(shape) in str(e),
                      '%s empty %r %s: %s' % (kind, shape, mode, e))

# 8. dask arrays the package cannot take get the numpy path's messages, when
#    the function is called (not later in compute()).
unknown = dsmall[dsmall[:, 0] >= 0]
raises(ValueError, lambda: blockwise.bw_mean(unknown, (2, 2)),
       ['compute_chunk_sizes()'], 'dask with unknown chunk sizes')
raises(ValueError, lambda: blockwise.bw_corrcoef(small, unknown, (2, 2)),
       ['compute_chunk_sizes()'], 'corrcoef with unknown chunk sizes')
for shape in ((2, 6, 8), (48,)):
    for img, kind in ((np.zeros(shape, np.uint8), 'numpy'),
                      (da.zeros(shape, dtype=np.uint8), 'dask')):
        raises(ValueError, lambda: blockwise.bw_mean(img, (2, 2)),
               ['2-D', '%d-D' % len(shape)], '%s %d-D' % (kind, len(shape)))
        raises(ValueError, lambda: blockwise.bw_corrcoef(small, img, (2, 2)),
               ['2-D'], 'corrcoef %s %d-D' % (kind, len(shape)))
raises(TypeError, lambda: blockwise.bw_mean(
    da.zeros((8, 8), dtype=np.float32), (2, 2)),
       ['float32', 'astype'], 'dask float32')
raises(ValueError, lambda: blockwise.bw_corrcoef(dsmall, small[:4], (2, 2)),
       ['(6, 8)', '(4, 8)'], 'dask shape mismatch')

# 9. The library's limits.  Sides are at most 2**31 - 1 pixels (its row
#    offsets are 32-bit); nothing beyond crosses into C, so the huge numpy
#    views below (zero strides, or a few bytes pretending to be long rows)
#    are never read.  dask images may be larger: the limit is the chunks'.
LIMIT = 2**31 - 1
row = np.zeros(64, np.uint8)
for h, w in ((16, 2**32 + 16), (2**32 + 16, 16), (16, LIMIT + 1),
             (LIMIT + 1, 16)):
    img = as_strided(row, shape=(h, w), strides=(0, 1))
    for mode in ('trim', 'partial'):
        raises(ValueError, lambda: blockwise.bw_mean(img, (16, 16),
                                                     edge_mode=mode),
               [str(LIMIT), str((h, w))], 'numpy %dx%d %s' % (h, w, mode))
    raises(ValueError, lambda: blockwise.bw_corrcoef(img, img, (16, 16)),
           [str(LIMIT)], 'numpy corrcoef %dx%d' % (h, w))
    raises(ValueError, lambda: blockwise.bw_stats(img, img, (16, 16)),
           [str(LIMIT)], 'numpy bw_stats %dx%d' % (h, w))
for h, w, chunks in ((LIMIT, 16, (2**24, 16)), (16, LIMIT, (16, 2**24))):
    img = da.zeros((h, w), dtype=np.uint8, chunks=chunks)
    check(blockwise.bw_mean(img, (16, 16)).shape == (h // 16, w // 16),
          'dask %dx%d at the limit' % (h, w))
one_chunk = da.zeros((16, LIMIT + 1), dtype=np.uint8, chunks=(16, LIMIT + 1))
raises(ValueError, lambda: blockwise.bw_mean(one_chunk, (16, 16)),
       [str(LIMIT), 'chunk', 'rechunk'], 'dask chunk over the limit')
wide = da.full((16, 2**32 + 20), 7, dtype=np.uint8, chunks=(16, 2**20))
got = blockwise.bw_mean(wide, (16, 16), edge_mode='partial')
check(got.shape == (1, 2**28 + 2), 'dask wider than the limit: %r'
      % (got.shape,))
close(got[:, -2:].compute(), [[7, 7]], 'dask wider than the limit, last '
      'blocks')

# 10. A wrong BLOCKWISE_LIB is an ImportError naming the file and the cause.
with tempfile.TemporaryDirectory() as tmp:
    for path, words in ((os.path.join(tmp, 'missing.so'), ['no such file']),
                        (os.path.abspath(__file__), ['cannot be loaded as a shared library']),
                        (not_blockwise.__file__, ['bw_grids_compute'])):
        p = subprocess.run(
            [sys.executable, '-c', 'import blockwise'], capture_output=True,
            text=True, env=dict(os.environ, BLOCKWISE_LIB=path))
        last = p.stderr.strip().splitlines()[-1:] or ['']
        check(p.returncode != 0 and last[0].startswith('ImportError: ')
              and path in last[0]
              and all(w in last[0].lower() for w in words),
              'BLOCKWISE_LIB=%s: %s' % (path, last[0]))

# 11. The structures: the layout check passes for the package's own, and
#     names the structure and field when one is wrong.
import ctypes
from blockwise import _native

_native.check_layout(_native._lib, _native.STRUCTURES)


class WrongPlane(ctypes.Structure):     # stride as an int: offsets move
    _fields_ = [('data', ctypes.c_void_p), ('stride', ctypes.c_int),
                ('format', ctypes.c_int)]


class WrongRegion(ctypes.Structure):    # at_radius missing
    _fields_ = [f for f in _native.BwRegion._fields_ if f[0] != 'at_radius']


class ExtraParams(ctypes.Structure):    # a field C does not have
    _fields_ = _native.BwParams._fields_ + [('spare', ctypes.c_uint)]


for name, cls, words in (('BwPlane', WrongPlane, ['BwPlane.stride']),
                         ('BwRegion', WrongRegion,
                          ['BwRegion.at_radius', 'missing']),
                         ('BwParams', ExtraParams,
                          ['BwParams.spare', 'not in the C'])):
    raises(ImportError, lambda: _native.check_layout(
        _native._lib, dict(_native.STRUCTURES, **{name: cls})), words,
        'layout check with a wrong %s' % name)
raises(ImportError, lambda: _native.check_layout(
    _native._lib, {'BwNothing': WrongPlane}), ['BwNothing'],
    'layout check of a structure C does not describe')


# 12. The displacement search against brute force: r of each block of a
#     with b's window moved by every whole-pixel offset that keeps it in
#     the image, the best of them and where.
def search_reference(a, b, bs, radius):
    bh, bw = bs
    h, w = a.shape
    rows, cols = h // bh, w // bw
    best = np.full((rows, cols), -np.inf)
    where = np.zeros((rows, cols, 2))
    for j in range(rows):
        for i in range(cols):
            x = a[j*bh:(j+1)*bh, i*bw:(i+1)*bw].astype(np.float64).ravel()
            x = x - x.mean()
            for oy in range(-radius, radius + 1):
                for ox in range(-radius, radius + 1):
                    y0, x0 = j * bh + oy, i * bw + ox
                    if y0 < 0 or x0 < 0 or y0 + bh > h or x0 + bw > w:
                        continue
                    y = b[y0:y0+bh, x0:x0+bw].astype(np.float64).ravel()
                    y = y - y.mean()
                    r = (x * y).sum() / math.sqrt((x * x).sum() *
                                                   (y * y).sum())
                    if r > best[j, i]:
                        best[j, i], where[j, i] = r, (ox, oy)
    return best, where[..., 0], where[..., 1]


texture = rng.normal(3000, 500, (72, 88)).clip(0, 65535).astype(np.uint16)
for shift, radius, bs in (((2, -1), 2, (12, 16)), ((-1, 3), 3, (16, 8)),
                          ((0, 0), 1, (8, 8))):
    # b's content is a's moved by shift: b[y, x] = a[y - sy, x - sx]
    moved = np.roll(texture, (shift[1], shift[0]), axis=(0, 1))
    # no background: the reference knows none
    got = blockwise.bw_displacement(texture, moved, bs, search_radius=radius,
                                    min_intensity=0)
    best, ox, oy = search_reference(texture, moved, bs, radius)
    what = 'search shift %r radius %d blocks %r' % (shift, radius, bs)
    close(got['r-best'], best, what + ' r-best', tol=1e-6)
    check(np.array_equal(np.round(got['dx']), ox)
          and np.array_equal(np.round(got['dy']), oy),
          what + ': whole-pixel part of dx, dy is the best offset')
    # inside (searched whole, not rolled over) the sub-pixel fit of the
    # texture's correlation peak lands near the shift
    inner = (slice(1, -1), slice(1, -1))
    close(got['dx'][inner], np.full(ox[inner].shape, shift[0]),
          what + ' dx', tol=0.2)
    close(got['dy'][inner], np.full(oy[inner].shape, shift[1]),
          what + ' dy', tol=0.2)
    close(got['r'], ref(texture, moved, bs)['r'], what + ' r at (0, 0)',
          tol=1e-6)
    check(got['dx'].dtype == np.float32 and set(got) == {
        'r', 'covariance', 'mean-0', 'mean-1', 'stddev-0', 'stddev-1', 'dx',
        'dy', 'r-best'}, what + ': the element\'s nine float32 grids')


# 13. dask equals numpy: chunks of any size (also not whole blocks, smaller
#     than a block or than the search radius), every radius, both edge
#     modes, a fixed and an estimated background.
def same_grids(got, exp, what):
    got, = dask.compute(got)
    check(set(got) == set(exp) and all(
        got[k].shape == exp[k].shape
        and np.array_equal(got[k], exp[k], equal_nan=True) for k in exp),
        what + ': ' + ', '.join(k for k in exp if k in got and not
                                np.array_equal(got[k], exp[k],
                                               equal_nan=True)))


scene = rng.normal(200, 40, (150, 173)).clip(0, 255)
scene[:, :40] = rng.normal(10, 2, (150, 40))     # a dark, flat background
scene = scene.astype(np.uint8)
other = np.roll(scene, (1, -2), axis=(0, 1))
other[60:100, 70:130] = np.roll(scene, 2, axis=1)[60:100, 70:130]
for radius in (0, 1, 2, 8):
    for mode in ('trim', 'partial'):
        for level in (0, 30, 'auto'):
            exp = blockwise.bw_displacement(scene, other, (16, 12),
                                            search_radius=radius,
                                            min_intensity=level,
                                            edge_mode=mode)
            for chunks in ((40, 50), (16, 12), (7, 9), (150, 60)):
                if level == 'auto' and chunks != (40, 50):
                    continue       # one task on the whole images
                got = blockwise.bw_displacement(
                    da.from_array(scene, chunks=chunks),
                    da.from_array(other, chunks=(33, 41)), (16, 12),
                    search_radius=radius, min_intensity=level,
                    edge_mode=mode)
                check(all(isinstance(g, da.Array) for g in got.values()),
                      'bw_displacement: dask in, dask out')
                same_grids(got, exp, 'dask chunks %r radius %d %s level %r'
                           % (chunks, radius, mode, level))
    exp = blockwise.bw_check_registration(scene, other, (16, 12),
                                          search_radius=radius)
    got = blockwise.bw_check_registration(
        da.from_array(scene, chunks=(40, 50)), other, (16, 12),
        search_radius=radius)
    check(json.dumps(got) == json.dumps(exp),
          'bw_check_registration dask radius %d: %s' % (radius, got))
check(blockwise.bw_check_registration(scene, other, (16, 12))['background']
      > 0, 'the test scene has an estimated background')

# 14. The analysis' settings: checked, with the keyword's name and the
#     library's limits.
for kw, value, exc, words in (
        ('search_radius', 9, ValueError, ['search_radius', '0 to 8']),
        ('search_radius', -1, ValueError, ['search_radius']),
        ('search_radius', 2**32 + 1, ValueError, ['search_radius']),
        ('search_radius', True, TypeError, ['search_radius']),
        ('min_intensity', -1, ValueError, ['min_intensity', 'auto']),
        ('min_intensity', 'Auto', ValueError, ['min_intensity', 'auto']),
        ('min_intensity', 70000, ValueError, ['min_intensity', '65535']),
        ('min_intensity', float('nan'), ValueError, ['min_intensity']),
        ('min_intensity', None, TypeError, ['min_intensity']),
        ('threshold', 1.5, ValueError, ['threshold']),
        ('min_region_blocks', 0, ValueError, ['min_region_blocks']),
        ('shift_tolerance', 9, ValueError, ['shift_tolerance', '8']),
        ('n_threads', 65, ValueError, ['n_threads', '64'])):
    raises(exc, lambda: blockwise.bw_check_registration(
        small, small, (2, 2), **{kw: value}), words, '%s=%r' % (kw, value))
    if kw in ('search_radius', 'min_intensity', 'n_threads'):
        raises(exc, lambda: blockwise.bw_displacement(
            dsmall, small, (2, 2), **{kw: value}), words,
            'bw_displacement %s=%r' % (kw, value))


# 15. The command line's answer for the same options: the summary of its
#     JSON and the grids it writes.
def cli_answer(a, b, options):
    with tempfile.TemporaryDirectory() as tmp:
        tifffile.imwrite(os.path.join(tmp, 'a.tif'), a)
        tifffile.imwrite(os.path.join(tmp, 'b.tif'), b)
        p = subprocess.run([CLI, '--json', '-o', os.path.join(tmp, 'out')]
                           + options + [os.path.join(tmp, 'a.tif'),
                                        os.path.join(tmp, 'b.tif')],
                           capture_output=True, text=True, timeout=120)
        check(p.returncode in (0, 1), 'gst-blockcorr %s: exit %d: %s'
              % (options, p.returncode, p.stderr))
        summary = json.loads(p.stdout.splitlines()[0]) if p.stdout else {}
        grids = {}
        for name in ('r', 'covariance', 'mean-0', 'mean-1', 'stddev-0',
                     'stddev-1', 'dx', 'dy', 'r-best'):
            path = os.path.join(tmp, 'out', name + '.tif')
            if os.path.exists(path):
                grids[name] = tifffile.imread(path)
        return summary, grids


CLI = sys.argv[1] if len(sys.argv) > 1 else None
try:
    import tifffile
except ImportError:
    tifffile = None
if not CLI or not tifffile:
    print('skip: the command line comparison (needs gst-blockcorr and '
          'python3-tifffile)')
else:
    pair16 = (scene.astype(np.uint16) * 200,
              (other.astype(np.float64) * 200 + rng.normal(0, 30, scene.shape)
               ).clip(0, 65535).astype(np.uint16))
    for images, options, kw in (
            ((scene, other), [], {}),
            (pair16, ['-b', '16x8', '-r', '3', '--min-intensity', '0',
                      '-t', '0.8', '--min-region-blocks', '2',
                      '--edge-mode', 'partial'],
             dict(search_radius=3, min_intensity=0, threshold=0.8,
                  min_region_blocks=2, edge_mode='partial')),
            (pair16, ['-r', '0', '--min-intensity', '2000'],
             dict(search_radius=0, min_intensity=2000)),
            ((scene, scene), ['-b', '10'], {})):
        what = 'gst-blockcorr %s' % ' '.join(options)
        summary, grids = cli_answer(*images, options)
        block = (8, 16) if '16x8' in options else \
            (10, 10) if '10' in options else (16, 16)
        got = blockwise.bw_check_registration(*images, block, **kw)
        # the CLI's JSON writes NaN as null
        got_json = json.loads(json.dumps(got).replace('NaN', 'null'))
        for key, value in summary.items():
            if key in ('frame', 'source-0', 'source-1', 'message'):
                continue
            check(key in got and got_json[key] == value, '%s: %s is %r, '
                  'the command line says %r' % (what, key, got.get(key),
                                                value))
        check(len(summary) > 20, what + ': the JSON has the summary')
        level = kw.get('min_intensity', 'auto')
        exp = blockwise.bw_displacement(
            *images, block, search_radius=kw.get('search_radius', 2),
            min_intensity=level, edge_mode=kw.get('edge_mode', 'trim'))
        check(set(grids) == set(exp), what + ': the grids it writes')
        for name in grids:
            check(np.array_equal(grids[name], exp[name], equal_nan=True),
                  '%s: %s.tif equals bw_displacement\'s' % (what, name))
    check(blockwise.bw_check_registration(scene, other, (16, 16))['verdict']
          == 'needs-registration', 'the shifted scene needs registration')


# The statistics grids do not depend on the threads that compute them
# (each thread keeps its own block row of sums).
pair_a = rng.integers(0, 65536, (301, 233), dtype=np.uint16)
pair_b = (pair_a // 2 + rng.integers(0, 900, pair_a.shape)).astype(np.uint16)
from blockwise import _native as native_for_threads
one = native_for_threads.compute(pair_a, pair_b, (13, 16), 'trim',
                                 native_for_threads.GRIDS, 1)
for threads in (0, 2, 3, 7, 64):
    got = native_for_threads.compute(pair_a, pair_b, (13, 16), 'trim',
                                     native_for_threads.GRIDS, threads)
    for name in native_for_threads.GRIDS:
        check(np.array_equal(one[name], got[name], equal_nan=True),
              'grid %s on %d threads equals one thread\'s' % (name, threads))


# One set of defaults: every keyword of the analysis defaults to what the
# library's bw_params_init() gives, as the element's properties and the
# command line's options do.
import inspect
from blockwise import _native
lib_defaults = _native.default_params()
expected = {'search_radius': lib_defaults.search_radius,
            'min_intensity': 'auto' if lib_defaults.min_intensity == -1
            else lib_defaults.min_intensity,
            'threshold': lib_defaults.threshold,
            'min_region_blocks': lib_defaults.min_region_blocks,
            'shift_tolerance': lib_defaults.shift_tolerance,
            'n_threads': lib_defaults.n_threads,
            'edge_mode': ('trim', 'partial')[lib_defaults.edge_mode]}
expected['block_shape'] = (lib_defaults.block_height,
                          lib_defaults.block_width)
for func in (blockwise.bw_displacement, blockwise.bw_check_registration,
             blockwise.correct, blockwise.drift):
    for name, param in inspect.signature(func).parameters.items():
        if name in expected and param.default is not param.empty:
            check(param.default == expected[name],
                  '%s: %s defaults to %r, the library to %r' % (
                      func.__name__, name, param.default, expected[name]))


print('test-python: %s' % ('all checks passed' if not failures else
                           '%d checks failed' % len(failures)))
sys.exit(1 if failures else 0)
