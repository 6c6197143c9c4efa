# SPDX-License-Identifier: LGPL-2.1-or-later
"""blockwise: exact block-wise statistics of images, on gst-blockwise's kernels.

The Python predecessor's API, same names and arguments, on numpy and dask
arrays of uint8 or uint16:

    import blockwise
    r = blockwise.bw_corrcoef(image1, image2, (16, 16))     # Pearson r per block
    m = blockwise.bw_mean(image, (16, 16))
    grids = blockwise.bw_stats(image1, image2, (16, 16))   # every grid at once

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

from . import _native

__all__ = ['bw_sum', 'bw_mean', 'bw_std', 'bw_corrcoef', 'bw_stats']


def _is_dask(x):
    return type(x).__module__.startswith('dask.')


def _shape(x):
    # a dask array's own shape: np.shape would go through dask's
    # __array_function__
    return x.shape if _is_dask(x) else np.shape(x)


def _block_shape(block_shape):
    try:
        bh, bw = (int(v) for v in block_shape)
    except (TypeError, ValueError):
        raise ValueError('block_shape is (rows, columns), not %r'
                         % (block_shape,)) from None
    return bh, bw


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


def _numpy_grids(a, b, block_shape, edge_mode, wanted):
    return _native.compute(np.asarray(a), np.asarray(b), block_shape,
                           edge_mode, wanted)


def _finish(grids, name, ddof=0):
    if name == 'sum':
        return grids['sum_a']
    if name == 'mean':
        return grids['mean_a']
    if name == 'std':
        n = grids['n']
        with np.errstate(invalid='ignore', divide='ignore'):
            return np.sqrt(grids['var_a'] / (n - ddof))
    if name == 'r':
        return grids['r']
    raise KeyError(name)


_NEEDS = {'sum': ('sum_a',), 'mean': ('mean_a',), 'std': ('n', 'var_a'),
          'r': ('r',)}


def _dask_grid(a, b, block_shape, edge_mode, name, ddof=0):
    import dask.array as da

    bh, bw = block_shape
    h, w = a.shape
    if a.shape != b.shape:
        raise ValueError('the images differ in shape: %r and %r'
                         % (a.shape, b.shape))
    if edge_mode == 'trim' and (h < bh or w < bw):
        raise ValueError('block shape %r is larger than the image %r'
                         % ((bh, bw), a.shape))

    def aligned(chunks, block, total):
        # chunks that are whole blocks except the last: as they are;
        # otherwise chunk sizes rounded up to whole blocks
        if all(c % block == 0 for c in chunks[:-1]):
            return chunks
        size = max(block, -(-max(chunks) // block) * block)
        out = [size] * (total // size)
        if total % size:
            out.append(total % size)
        return tuple(out)

    chunks = (aligned(a.chunks[0], bh, h), aligned(a.chunks[1], bw, w))
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


def _single(image, block_shape, keep_shape, name, edge_mode='trim', ddof=0):
    block_shape = _block_shape(block_shape)
    if _is_dask(image):
        grid = _dask_grid(image, image, block_shape, edge_mode, name, ddof)
    else:
        grids = _numpy_grids(image, image, block_shape, edge_mode,
                             _NEEDS[name])
        grid = _finish(grids, name, ddof)
    if keep_shape:
        return _expand(grid, _shape(image), block_shape, edge_mode)
    return grid


def bw_sum(image, block_shape, keep_shape=False, edge_mode='trim'):
    """Sum of each block (exact)."""
    return _single(image, block_shape, keep_shape, 'sum', edge_mode)


def bw_mean(image, block_shape, keep_shape=False, edge_mode='trim'):
    """Mean of each block."""
    return _single(image, block_shape, keep_shape, 'mean', edge_mode)


def bw_std(image, block_shape, ddof=0, keep_shape=False, edge_mode='trim'):
    """Standard deviation of each block, sqrt(sum((x - mean)^2) / (n - ddof))."""
    return _single(image, block_shape, keep_shape, 'std', edge_mode, ddof)


def bw_corrcoef(image1, image2, block_shape, keep_shape=False,
                edge_mode='trim'):
    """Pearson correlation of each pair of blocks; NaN where a block is flat
    in either image."""
    block_shape = _block_shape(block_shape)
    if _is_dask(image1) or _is_dask(image2):
        import dask.array as da
        a = image1 if _is_dask(image1) else da.from_array(image1)
        b = image2 if _is_dask(image2) else da.from_array(image2)
        grid = _dask_grid(a, b, block_shape, edge_mode, 'r')
    else:
        grid = _numpy_grids(image1, image2, block_shape, edge_mode,
                            ('r',))['r']
    if keep_shape:
        return _expand(grid, _shape(image1), block_shape, edge_mode)
    return grid


def bw_stats(image1, image2, block_shape, edge_mode='trim'):
    """Every grid at once, for numpy arrays: a dict of float64 grids
    n, mean_1, mean_2, std_1, std_2 (ddof=0), cov (population) and r."""
    block_shape = _block_shape(block_shape)
    g = _numpy_grids(image1, image2, block_shape, edge_mode,
                     _native.GRIDS)
    n = g['n']
    return {'n': n, 'sum_1': g['sum_a'], 'sum_2': g['sum_b'],
            'mean_1': g['mean_a'], 'mean_2': g['mean_b'],
            'std_1': np.sqrt(g['var_a'] / n), 'std_2': np.sqrt(g['var_b'] / n),
            'cov': g['cov'] / n, 'r': g['r']}
