# SPDX-License-Identifier: LGPL-2.1-or-later
"""ctypes binding of libblockwise (kernels/blockgrids.h)."""
import ctypes
import ctypes.util
import os

import numpy as np

_FORMATS = {np.dtype(np.uint8): 0, np.dtype('<u2'): 1, np.dtype('>u2'): 2}
EDGE_MODES = {'trim': 0, 'partial': 1}


class _Plane(ctypes.Structure):
    _fields_ = [('data', ctypes.c_void_p), ('stride', ctypes.c_ssize_t),
                ('format', ctypes.c_int)]


class _Geometry(ctypes.Structure):
    _fields_ = [('width', ctypes.c_uint), ('height', ctypes.c_uint),
                ('block_width', ctypes.c_uint),
                ('block_height', ctypes.c_uint), ('edge_mode', ctypes.c_int)]


def _load():
    candidates = []
    if os.environ.get('BLOCKWISE_LIB'):
        candidates.append(os.environ['BLOCKWISE_LIB'])
    try:
        from ._config import LIBRARY     # written by meson install
        candidates.append(LIBRARY)
    except ImportError:
        pass
    found = ctypes.util.find_library('blockwise')
    if found:
        candidates.append(found)
    errors = []
    for path in candidates:
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            errors.append('%s: %s' % (path, e))
    raise ImportError('libblockwise not found (build gst-blockwise with meson, '
                      'then use `meson devenv -C build` or `meson install`, '
                      'or set BLOCKWISE_LIB): ' + '; '.join(errors))


_lib = _load()
_lib.bw_grids_compute.restype = ctypes.c_int
_lib.bw_grids_compute.argtypes = [ctypes.POINTER(_Geometry),
                                  ctypes.POINTER(_Plane),
                                  ctypes.POINTER(_Plane), ctypes.c_uint] + \
    [ctypes.c_void_p] * 9
_lib.bw_geometry_grid_size.restype = ctypes.c_int
_lib.bw_geometry_grid_size.argtypes = [ctypes.POINTER(_Geometry),
                                       ctypes.POINTER(ctypes.c_uint),
                                       ctypes.POINTER(ctypes.c_uint)]

GRIDS = ('n', 'sum_a', 'sum_b', 'mean_a', 'mean_b', 'var_a', 'var_b', 'cov',
         'r')


def plane(image):
    """A view of a 2-D uint8/uint16 array, read in place: rows may be any
    (even negative) stride apart, but samples must be contiguous."""
    fmt = _FORMATS.get(image.dtype)
    if fmt is None:
        raise TypeError('blockwise works on uint8 and uint16 images, not %s; '
                        'convert with image.astype(numpy.uint16) (values are '
                        'used as they are)' % image.dtype)
    if image.ndim != 2:
        raise ValueError('blockwise works on 2-D images, not %d-D'
                         % image.ndim)
    if image.strides[1] != image.dtype.itemsize:
        image = np.ascontiguousarray(image)   # samples must be adjacent
    return _Plane(image.ctypes.data, image.strides[0], fmt), image


def grid_shape(shape, block_shape, edge_mode):
    g = _Geometry(shape[1], shape[0], block_shape[1], block_shape[0],
                  EDGE_MODES[edge_mode])
    cols, rows = ctypes.c_uint(), ctypes.c_uint()
    if not _lib.bw_geometry_grid_size(ctypes.byref(g), ctypes.byref(cols),
                                      ctypes.byref(rows)):
        return (0, 0)
    return (rows.value, cols.value)


def compute(a, b, block_shape, edge_mode, wanted, n_threads=0):
    """The grids named in wanted (from GRIDS) for images a and b."""
    if edge_mode not in EDGE_MODES:
        raise ValueError('edge_mode is "trim" or "partial", not %r'
                         % (edge_mode,))
    bh, bw = block_shape
    if not (1 <= bh <= 4096 and 1 <= bw <= 4096):
        raise ValueError('block sides are 1..4096, not %r' % (block_shape,))
    if a.shape != b.shape:
        raise ValueError('the images differ in shape: %r and %r'
                         % (a.shape, b.shape))
    pa, a_keep = plane(a)
    pb, b_keep = plane(b)
    rows, cols = grid_shape(a.shape, block_shape, edge_mode)
    if rows == 0:
        raise ValueError('block shape %r is larger than the image %r (use '
                         'edge_mode="partial")' % (tuple(block_shape), a.shape))
    g = _Geometry(a.shape[1], a.shape[0], bw, bh, EDGE_MODES[edge_mode])
    out = {name: np.empty((rows, cols)) for name in wanted}
    ptrs = [out[name].ctypes.data if name in out else None for name in GRIDS]
    # ctypes releases the GIL during the call: dask threads run in parallel
    if not _lib.bw_grids_compute(ctypes.byref(g), ctypes.byref(pa),
                                 ctypes.byref(pb), n_threads, *ptrs):
        raise ValueError('invalid arguments')
    del a_keep, b_keep
    return out
