# SPDX-License-Identifier: LGPL-2.1-or-later
"""ctypes binding of libblockwise (kernels/blockgrids.h)."""
import ctypes
import ctypes.util
import os

import numpy as np

FORMATS = {np.dtype(np.uint8): 0, np.dtype('<u2'): 1, np.dtype('>u2'): 2}
EDGE_MODES = {'trim': 0, 'partial': 1}


class _Plane(ctypes.Structure):
    _fields_ = [('data', ctypes.c_void_p), ('stride', ctypes.c_ssize_t),
                ('format', ctypes.c_int)]


class _Geometry(ctypes.Structure):
    _fields_ = [('width', ctypes.c_uint), ('height', ctypes.c_uint),
                ('block_width', ctypes.c_uint),
                ('block_height', ctypes.c_uint), ('edge_mode', ctypes.c_int)]


# What the package calls; a library without them is not libblockwise.
_SYMBOLS = ('bw_grids_compute', 'bw_geometry_grid_size')


def _open(path):
    """(library, None), or (None, what is wrong with path)."""
    if os.sep in path and not os.path.exists(path):
        return None, '%s: no such file' % path
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        cause = str(e)
        if cause.startswith(path + ': '):
            cause = cause[len(path) + 2:]
        return None, '%s: cannot be loaded as a shared library (%s)' % (
            path, cause)
    missing = [name for name in _SYMBOLS if not hasattr(lib, name)]
    if missing:
        return None, ('%s: a shared library, but not libblockwise (no %s)'
                      % (path, ', '.join(missing)))
    return lib, None


def _load():
    # BLOCKWISE_LIB, when set, is the only candidate: a wrong one is an
    # error, not a reason to load some other copy.
    if os.environ.get('BLOCKWISE_LIB'):
        lib, error = _open(os.environ['BLOCKWISE_LIB'])
        if error:
            raise ImportError('BLOCKWISE_LIB=' + error)
        return lib
    candidates = []
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
        lib, error = _open(path)
        if lib:
            return lib
        errors.append(error)
    raise ImportError('libblockwise not found (build gst-blockwise with meson, '
                      'then use `meson devenv -C build` or `meson install`, '
                      'or set BLOCKWISE_LIB): '
                      + ('; '.join(errors) or 'no installed copy'))


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
    if image.strides[1] != image.dtype.itemsize:
        image = np.ascontiguousarray(image)   # samples must be adjacent
    return _Plane(image.ctypes.data, image.strides[0], FORMATS[image.dtype]), \
        image


def _geometry(shape, block_shape, edge_mode):
    return _Geometry(shape[1], shape[0], block_shape[1], block_shape[0],
                     EDGE_MODES[edge_mode])


def grid_shape(shape, block_shape, edge_mode):
    cols, rows = ctypes.c_uint(), ctypes.c_uint()
    if not _lib.bw_geometry_grid_size(
            ctypes.byref(_geometry(shape, block_shape, edge_mode)),
            ctypes.byref(cols), ctypes.byref(rows)):
        return (0, 0)
    return (rows.value, cols.value)


def compute(a, b, block_shape, edge_mode, wanted, n_threads=0):
    """The grids named in wanted (from GRIDS) for images a and b, of one
    shape, checked by _arguments (ctypes truncates what C cannot hold)."""
    pa, a_keep = plane(a)
    pb, b_keep = plane(b)
    rows, cols = grid_shape(a.shape, block_shape, edge_mode)
    out = {name: np.empty((rows, cols)) for name in wanted}
    ptrs = [out[name].ctypes.data if name in out else None for name in GRIDS]
    # ctypes releases the GIL during the call: dask threads run in parallel
    if rows == 0 or not _lib.bw_grids_compute(
            ctypes.byref(_geometry(a.shape, block_shape, edge_mode)),
            ctypes.byref(pa), ctypes.byref(pb), n_threads, *ptrs):
        raise ValueError('libblockwise refused image %r, blocks %r, edge_mode '
                         '%r' % (a.shape, tuple(block_shape), edge_mode))
    del a_keep, b_keep
    return out
