# SPDX-License-Identifier: LGPL-2.1-or-later
"""blockwise: exact block-wise statistics of images, on gst-blockwise's kernels.

The Python predecessor's API, same names and arguments, on numpy and dask
arrays of uint8 or uint16:

    import blockwise
    r = blockwise.bw_corrcoef(image1, image2, (16, 16))     # Pearson r per block
    m = blockwise.bw_mean(image, (16, 16))
    grids = blockwise.bw_stats(image1, image2, (16, 16))   # every grid at once

and the blockcorr element's analysis, the displacement search and the
verdict:

    d = blockwise.bw_displacement(image1, image2, (16, 16))  # d['dx'], ...
    s = blockwise.bw_check_registration(image1, image2, (16, 16))
    s['verdict'], s['shift-x'], s['largest-regions']

and the blockdrift element's drift correction of a stack (frames, rows,
columns), every frame registered onto the first:

    corrected, record = blockwise.correct(stack, correct='shift')
    record[5]['drift-x'], record[5]['drift-y'], record[5]['verdict']

Results are float64 grids of one value per block; images are trimmed to whole
blocks as the predecessor did (edge_mode="partial" keeps the partial blocks of
the right and bottom edges).  keep_shape=True repeats each block's value over
its pixels instead.  The sums are exact integers; means, standard deviations
and r come from exact centred moments.  (The predecessor's "better practice"
std divided by N twice; these standard deviations are the usual ones, with
ddof as in numpy.)

numpy arrays are read in place when their samples are adjacent (any row
stride, also negative); dask arrays give lazy dask arrays, computed chunk by
chunk (any chunking: chunks are aligned to whole blocks first), on the
threaded scheduler or dask.distributed.  The GIL is released while a chunk is
computed.
"""
import numpy as np

from . import _arguments, _native
from ._correct import correct, drift
from ._registration import bw_check_registration, bw_displacement

__all__ = ['bw_sum', 'bw_mean', 'bw_std', 'bw_corrcoef', 'bw_stats',
           'bw_displacement', 'bw_check_registration', 'correct', 'drift']

_is_dask = _arguments.is_dask


def _expand(grid, image_shape, block_shape, edge_mode):
    """keep_shape: each block's value over its pixels (the trimmed image, or
    the whole image in partial mode)."""
    bh, bw = block_shape
    if _is_dask(grid):
        import dask.array as xp
    else:
        xp = np
    out = xp.repeat(xp.repeat(grid, bh, axis=0), bw, axis=1)
    if edge_mode == 'partial':
        return out[:image_shape[0], :image_shape[1]]
    return out


def _finish(grids, name, ddof=0):
    if name == 'sum':
        return grids['sum_a']
    if name == 'mean':
        return grids['mean_a']
    if name == 'std':
        # undefined (NaN) where a block has no more pixels than ddof
        dof = grids['n'] - ddof
        with np.errstate(invalid='ignore', divide='ignore'):
            return np.where(dof > 0, np.sqrt(grids['var_a'] / dof), np.nan)
    if name == 'r':
        return grids['r']
    raise KeyError(name)


_NEEDS = {'sum': ('sum_a',), 'mean': ('mean_a',), 'std': ('n', 'var_a'),
          'r': ('r',)}


def _dask_grid(a, b, block_shape, edge_mode, name, ddof=0):
    import dask.array as da

    bh, bw = block_shape
    h, w = a.shape

    chunks = (_arguments.aligned_chunks(a.chunks[0], bh, h),
              _arguments.aligned_chunks(a.chunks[1], bw, w))
    # the chunks are what crosses into C, not the whole image
    _arguments.sides((max(chunks[0]), max(chunks[1])),
                     'a chunk of the dask array', '; rechunk it')
    if a.chunks != chunks:
        a = a.rechunk(chunks)
    if b.chunks != chunks:
        b = b.rechunk(chunks)
    out_chunks = tuple(tuple(-(-c // blk) for c in dim)
                       for dim, blk in zip(chunks, (bh, bw)))
    wanted = _NEEDS[name]

    def one_chunk(ca, cb):
        # Partial blocks exist only in the last chunk of each axis, at the
        # image's edge; one kernel thread per chunk (dask runs the chunks
        # in parallel).
        grids = _native.compute(ca, cb, (bh, bw), 'partial', wanted,
                                n_threads=1)
        return _finish(grids, name, ddof)

    grid = da.map_blocks(one_chunk, a, b, chunks=out_chunks,
                         dtype=np.float64)
    if edge_mode == 'trim':
        # trimming the grid, not the images: no task touches the pixels twice
        grid = grid[:h // bh, :w // bw]
    return grid


def _grid(images, block_shape, edge_mode, name, ddof=0):
    """One grid of images (one image, or two of one shape), checked first;
    a dask array if either image is one."""
    images, block_shape, edge_mode, ddof = _arguments.arguments(
        images, block_shape, edge_mode, ddof)
    a, b = images[0], images[-1]
    if _is_dask(a) or _is_dask(b):
        import dask.array as da
        a = a if _is_dask(a) else da.from_array(a)
        b = b if _is_dask(b) else da.from_array(b)
        grid = _dask_grid(a, b, block_shape, edge_mode, name, ddof)
    else:
        grid = _finish(_native.compute(a, b, block_shape, edge_mode,
                                       _NEEDS[name]), name, ddof)
    return grid, a.shape, block_shape, edge_mode


def _kept(grid, image_shape, block_shape, edge_mode, keep_shape):
    if keep_shape:
        return _expand(grid, image_shape, block_shape, edge_mode)
    return grid


def bw_sum(image, block_shape, keep_shape=False, edge_mode='trim'):
    """Sum of each block (exact)."""
    return _kept(*_grid([image], block_shape, edge_mode, 'sum'), keep_shape)


def bw_mean(image, block_shape, keep_shape=False, edge_mode='trim'):
    """Mean of each block."""
    return _kept(*_grid([image], block_shape, edge_mode, 'mean'), keep_shape)


def bw_std(image, block_shape, ddof=0, keep_shape=False, edge_mode='trim'):
    """Standard deviation of each block, sqrt(sum((x - mean)^2) / (n - ddof)),
    NaN where a block has no more than ddof pixels."""
    return _kept(*_grid([image], block_shape, edge_mode, 'std', ddof),
                 keep_shape)


def bw_corrcoef(image1, image2, block_shape, keep_shape=False,
                edge_mode='trim'):
    """Pearson correlation of each pair of blocks; NaN where a block is flat
    in either image."""
    return _kept(*_grid([image1, image2], block_shape, edge_mode, 'r'),
                 keep_shape)


def bw_stats(image1, image2, block_shape, edge_mode='trim'):
    """Every grid at once, for numpy arrays: a dict of float64 grids
    n, mean_1, mean_2, std_1, std_2 (ddof=0), cov (population) and r."""
    (a, b), block_shape, edge_mode, _ = _arguments.arguments(
        [np.asarray(image1), np.asarray(image2)], block_shape, edge_mode)
    g = _native.compute(a, b, block_shape, edge_mode, _native.GRIDS)
    n = g['n']
    return {'n': n, 'sum_1': g['sum_a'], 'sum_2': g['sum_b'],
            'mean_1': g['mean_a'], 'mean_2': g['mean_b'],
            'std_1': np.sqrt(g['var_a'] / n), 'std_2': np.sqrt(g['var_b'] / n),
            'cov': g['cov'] / n, 'r': g['r']}
