# SPDX-License-Identifier: LGPL-2.1-or-later
"""The checks of every argument before anything reaches libblockwise: each
value either fits what the C library takes or is refused with a message
that names it (ctypes would otherwise truncate it without a word)."""
import math
import numbers
import operator

import numpy as np

from . import _native
from ._native import (AUTO, EDGE_MODES, FORMATS, MAX_BLOCK, MAX_SEARCH_RADIUS,
                      MAX_SIDE, MAX_THREADS)

# guint settings beyond this would be truncated by ctypes.
_MAX_UINT = 2**32 - 1


def is_dask(x):
    return type(x).__module__.startswith('dask.')


def whole_number(value, what):
    """value as an int: Python and numpy integers, and floats with a whole
    value (16.0); not bool, not 16.9."""
    message = '%s must be a whole number, not %r' % (what, value)
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(message)
    try:
        return operator.index(value)
    except TypeError:
        pass
    if isinstance(value, numbers.Real):
        if math.isfinite(value) and value == math.floor(value):
            return int(value)
        raise ValueError(message)
    raise TypeError(message)


def block_shape(value):
    """(rows, columns), each 1..MAX_BLOCK."""
    if isinstance(value, (str, bytes)):
        parts = None
    else:
        try:
            parts = tuple(value)
        except TypeError:
            parts = None
    if parts is None or len(parts) != 2:
        raise ValueError('block_shape is (rows, columns), not %r' % (value,))
    bh, bw = (whole_number(v, 'a block side') for v in parts)
    if not (1 <= bh <= MAX_BLOCK and 1 <= bw <= MAX_BLOCK):
        raise ValueError('block sides are 1..%d pixels, not %r'
                         % (MAX_BLOCK, (bh, bw)))
    return bh, bw


def edge_mode(value):
    if not isinstance(value, str) or value not in EDGE_MODES:
        raise ValueError('edge_mode is "trim" or "partial", not %r' % (value,))
    return value


def ddof(value):
    d = whole_number(value, 'ddof')
    if d < 0:
        raise ValueError('ddof must be 0 or more, not %r' % (value,))
    return d


def image(x):
    """x as a 2-D uint8/uint16 array (numpy, or dask with known chunk
    sizes) that is not empty."""
    if not is_dask(x):
        x = np.asarray(x)
    if x.dtype not in FORMATS:
        raise TypeError('blockwise works on uint8 and uint16 images, not %s; '
                        'convert with image.astype(numpy.uint16) (values are '
                        'used as they are)' % x.dtype)
    if x.ndim != 2:
        raise ValueError('blockwise works on 2-D images, not %d-D' % x.ndim)
    if any(math.isnan(s) for s in x.shape):
        raise ValueError('the dask array\'s chunk sizes are unknown (shape %r, '
                         'as after boolean indexing); call '
                         'image.compute_chunk_sizes() first' % (x.shape,))
    if 0 in x.shape:
        raise ValueError('the image is empty: its shape is %r' % (x.shape,))
    return x


def aligned_chunks(chunks, block, total, least=1):
    """Chunk sizes along one axis that hold whole blocks (but the last) and
    are at least `least` pixels: as they are when they do, otherwise equal
    ones rounded up to whole blocks, a last chunk shorter than `least`
    merged into the one before."""
    if (all(c % block == 0 for c in chunks[:-1])
            and (len(chunks) == 1 or min(chunks) >= least)):
        return tuple(chunks)
    size = -(-max(max(chunks), least, block) // block) * block
    out = [size] * (total // size)
    rest = total % size
    if rest and out and rest < least:
        out[-1] += rest
    elif rest:
        out.append(rest)
    return tuple(out)


def sides(shape, what='the image', hint=''):
    """What crosses into C: a numpy image, or each chunk of a dask one."""
    if max(shape) > MAX_SIDE:
        raise ValueError('%s is too large for the library: shape %r, sides '
                         'are at most %d pixels%s'
                         % (what, tuple(shape), MAX_SIDE, hint))


def arguments(images, block, mode, ddof_value=0):
    """The checked images (numpy ones as arrays, within MAX_SIDE), block
    shape, edge mode and ddof of a call, or the error naming what is
    wrong."""
    images = [image(x) for x in images]
    if len(images) == 2 and images[0].shape != images[1].shape:
        raise ValueError('the images differ in shape: %r and %r'
                         % (images[0].shape, images[1].shape))
    # with a dask image in the call, chunks cross into C (see _dask_grid)
    if not any(is_dask(x) for x in images):
        sides(images[0].shape)
    block = block_shape(block)
    mode = edge_mode(mode)
    h, w = images[0].shape
    if mode == 'trim' and (h < block[0] or w < block[1]):
        raise ValueError('block shape %r is larger than the image %r (use '
                         'edge_mode="partial")' % (block, images[0].shape))
    return images, block, mode, ddof(ddof_value)


def _whole_in(value, what, low, high):
    v = whole_number(value, what)
    if not low <= v <= high:
        raise ValueError('%s is %d to %d, not %r' % (what, low, high, value))
    return v


def _real_in(value, what, low, high):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value,
                                                             numbers.Real):
        raise TypeError('%s must be a number, not %r' % (what, value))
    if not low <= value <= high:
        raise ValueError('%s is %g to %g, not %r' % (what, low, high, value))
    return float(value)


def min_intensity(value):
    """'auto' (the background estimated per image), 0 (no background) or a
    level in sample units."""
    if isinstance(value, str):
        if value == 'auto':
            return AUTO
        raise ValueError('min_intensity is "auto" or a level 0 to 65535, '
                         'not %r' % (value,))
    try:
        return _real_in(value, 'min_intensity', 0, 65535)
    except ValueError:
        raise ValueError('min_intensity is "auto" or a level 0 to 65535, '
                         'not %r' % (value,)) from None


def analysis_params(block, mode, search_radius, level, threshold=None,
                    min_region_blocks=None, shift_tolerance=None,
                    n_threads=0):
    """The checked settings of an analysis as the library's BwParams (its
    defaults where a setting is None)."""
    p = _native.default_params()
    p.block_height, p.block_width = block
    p.edge_mode = _native.edge_value(mode)
    p.search_radius = _whole_in(search_radius, 'search_radius', 0,
                                MAX_SEARCH_RADIUS)
    p.min_intensity = min_intensity(level)
    if threshold is not None:
        p.threshold = _real_in(threshold, 'threshold', -1, 1)
    if min_region_blocks is not None:
        p.min_region_blocks = _whole_in(min_region_blocks,
                                        'min_region_blocks', 1, _MAX_UINT)
    if shift_tolerance is not None:
        p.shift_tolerance = _real_in(shift_tolerance, 'shift_tolerance', 0,
                                     MAX_SEARCH_RADIUS)
    p.n_threads = _whole_in(n_threads, 'n_threads', 0, MAX_THREADS)
    # the library's own check, after the ones that name Python's keywords
    error = _native.params_error(p)
    if error:
        raise ValueError(error)
    return p
