# SPDX-License-Identifier: LGPL-2.1-or-later
"""ctypes binding of libblockwise (analysis/blockgrids.h, registration.h,
params.h, motion.h, warp.h, abi.h).  The structures are checked against the library's own
layout (bw_abi_layout()) when the package is imported."""
import ctypes
import ctypes.util
import os

import numpy as np

EDGE_MODES = ('trim', 'partial')


class BwPlane(ctypes.Structure):
    _fields_ = [('data', ctypes.c_void_p), ('stride', ctypes.c_ssize_t),
                ('format', ctypes.c_int)]


class BwGeometry(ctypes.Structure):
    _fields_ = [('width', ctypes.c_uint), ('height', ctypes.c_uint),
                ('block_width', ctypes.c_uint),
                ('block_height', ctypes.c_uint), ('edge_mode', ctypes.c_int)]


# bw_grids_compute()'s outputs, in C's order; None: not wanted.
GRIDS = ('n', 'sum_a', 'sum_b', 'mean_a', 'mean_b', 'var_a', 'var_b', 'cov',
         'r')


class BwGridsOut(ctypes.Structure):
    _fields_ = [(name, ctypes.c_void_p) for name in GRIDS]


class BwParams(ctypes.Structure):
    _fields_ = [('block_width', ctypes.c_uint),
                ('block_height', ctypes.c_uint), ('edge_mode', ctypes.c_int),
                ('search_radius', ctypes.c_uint),
                ('min_intensity', ctypes.c_double),
                ('threshold', ctypes.c_double),
                ('min_region_blocks', ctypes.c_uint),
                ('shift_tolerance', ctypes.c_double),
                ('n_threads', ctypes.c_uint)]


class BwBackground(ctypes.Structure):
    _fields_ = [('level', ctypes.c_double), ('noise', ctypes.c_double),
                ('min_intensity', ctypes.c_double),
                ('noise_var_offset', ctypes.c_double),
                ('noise_var_slope', ctypes.c_double),
                ('noise_mean_max', ctypes.c_double)]


class BwRegion(ctypes.Structure):
    _fields_ = [('x', ctypes.c_uint), ('y', ctypes.c_uint),
                ('width', ctypes.c_uint), ('height', ctypes.c_uint),
                ('blocks', ctypes.c_uint), ('median_r', ctypes.c_double),
                ('shift_x', ctypes.c_double), ('shift_y', ctypes.c_double),
                ('unmatched', ctypes.c_uint), ('at_radius', ctypes.c_int)]


# BW_MAX_REPORTED_REGIONS; checked with the layout (the array's size).
_MAX_REPORTED_REGIONS = 8


class BwVerdict(ctypes.Structure):
    _fields_ = [('verdict', ctypes.c_int), ('informative', ctypes.c_uint),
                ('shift_x', ctypes.c_double), ('shift_y', ctypes.c_double),
                ('shift_significant', ctypes.c_int),
                ('shift_at_limit', ctypes.c_int),
                ('uncorrelated', ctypes.c_int),
                ('n_regions', ctypes.c_uint), ('n_reported', ctypes.c_uint),
                ('regions', BwRegion * _MAX_REPORTED_REGIONS),
                ('median_r_outside', ctypes.c_double)]


class BwSummary(ctypes.Structure):
    _fields_ = [('valid_blocks', ctypes.c_uint),
                ('invalid_blocks', ctypes.c_uint),
                ('mean_r', ctypes.c_double), ('min_r', ctypes.c_double),
                ('max_r', ctypes.c_double), ('median_r', ctypes.c_double),
                ('below_fraction', ctypes.c_double),
                ('background_blocks', ctypes.c_uint),
                ('min_intensity', ctypes.c_double * 2),
                ('background', BwBackground * 2),
                ('verdict', BwVerdict)]


class BwTransform(ctypes.Structure):
    _fields_ = [('m', ctypes.c_double * 6)]


class BwMotionFit(ctypes.Structure):
    _fields_ = [('found', ctypes.c_int), ('model', ctypes.c_int),
                ('motion', BwTransform), ('informative', ctypes.c_uint),
                ('inliers', ctypes.c_uint),
                ('rms_residual', ctypes.c_double)]


class BwWarpPlane(ctypes.Structure):
    _fields_ = [('data', ctypes.c_void_p), ('stride', ctypes.c_ssize_t),
                ('pixel_stride', ctypes.c_uint),
                ('components', ctypes.c_uint), ('format', ctypes.c_int),
                ('width', ctypes.c_uint), ('height', ctypes.c_uint),
                ('scale_x', ctypes.c_double), ('scale_y', ctypes.c_double)]


# The structures the package passes to the library, by their C names.
STRUCTURES = {cls.__name__: cls for cls in (
    BwPlane, BwGeometry, BwGridsOut, BwParams, BwBackground, BwRegion,
    BwVerdict, BwSummary, BwTransform, BwMotionFit, BwWarpPlane)}


class _AbiField(ctypes.Structure):
    _fields_ = [('type', ctypes.c_char_p), ('field', ctypes.c_char_p),
                ('offset', ctypes.c_size_t), ('size', ctypes.c_size_t)]


class _AbiConstant(ctypes.Structure):
    _fields_ = [('name', ctypes.c_char_p), ('value', ctypes.c_double)]


# What the package calls; a library without them is not libblockwise.
_SYMBOLS = ('bw_grids_compute', 'bw_geometry_grid_size',
            'bw_check_registration', 'bw_params_init', 'bw_params_check',
            'bw_grid_name', 'bw_verdict_name', 'bw_abi_layout',
            'bw_abi_constants', 'bw_abi_frame_motion', 'bw_warp_plane',
            'bw_transform_identity', 'bw_transform_is_identity',
            'bw_transform_compose', 'bw_transform_correction',
            'bw_trajectory_step',
            'bw_transform_apply',
            'bw_analysis_new', 'bw_analysis_free')


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


def check_layout(lib, structures):
    """Raises ImportError naming the first structure or field of structures
    (C name -> ctypes Structure) whose size or offset differs from the
    library's, or that one side has and the other lacks."""
    rows = ctypes.cast(lib.bw_abi_layout(), ctypes.POINTER(_AbiField))
    c_layout = {}
    i = 0
    while rows[i].type is not None:
        row = rows[i]
        fields = c_layout.setdefault(row.type.decode(), {})
        fields[row.field.decode() if row.field else None] = (row.offset,
                                                             row.size)
        i += 1

    def fail(what, detail):
        raise ImportError('libblockwise and the blockwise package disagree '
                          'on %s: %s (rebuild them together)' % (what,
                                                                 detail))

    for name, cls in structures.items():
        if name not in c_layout:
            fail(name, 'the library does not describe it')
        c_fields = c_layout[name]
        py_fields = {f[0]: (getattr(cls, f[0]).offset,
                            getattr(cls, f[0]).size) for f in cls._fields_}
        for field in [f for f in c_fields if f is not None]:
            if field not in py_fields:
                fail('%s.%s' % (name, field), 'missing in Python')
            if py_fields[field] != c_fields[field]:
                fail('%s.%s' % (name, field),
                     'offset %d and size %d in C, offset %d and size %d in '
                     'Python' % (c_fields[field] + py_fields[field]))
        for field in py_fields:
            if field not in c_fields:
                fail('%s.%s' % (name, field), 'not in the C structure')
        # after the fields, which name what differs
        if c_fields[None][1] != ctypes.sizeof(cls):
            fail(name, 'size %d in C, %d in Python'
                 % (c_fields[None][1], ctypes.sizeof(cls)))


def _constants(lib):
    table = ctypes.cast(lib.bw_abi_constants(),
                        ctypes.POINTER(_AbiConstant))
    out = {}
    i = 0
    while table[i].name is not None:
        value = table[i].value
        out[table[i].name.decode()] = int(value) if value.is_integer() \
            else value
        i += 1
    return out


_lib = _load()
for _name in ('bw_abi_layout', 'bw_abi_constants'):
    getattr(_lib, _name).restype = ctypes.c_void_p
    getattr(_lib, _name).argtypes = []
check_layout(_lib, STRUCTURES)
CONSTANTS = _constants(_lib)
MAX_BLOCK = CONSTANTS['BW_MAX_BLOCK_SIZE']
MAX_SIDE = CONSTANTS['BW_MAX_SIDE']
MAX_SEARCH_RADIUS = CONSTANTS['BW_MAX_SEARCH_RADIUS']
MAX_THREADS = CONSTANTS['BW_WORKER_MAX_THREADS']
AUTO = CONSTANTS['BW_AUTO']
FORMATS = {np.dtype(np.uint8): CONSTANTS['BW_SAMPLE_U8'],
           np.dtype('<u2'): CONSTANTS['BW_SAMPLE_U16LE'],
           np.dtype('>u2'): CONSTANTS['BW_SAMPLE_U16BE']}
_EDGE_VALUES = {'trim': CONSTANTS['BW_EDGE_TRIM'],
                'partial': CONSTANTS['BW_EDGE_PARTIAL']}
_EDGE_NAMES = {v: k for k, v in _EDGE_VALUES.items()}
MODELS = {'shift': CONSTANTS['BW_MOTION_SHIFT'],
          'affine': CONSTANTS['BW_MOTION_AFFINE']}
BORDERS = {'edge': CONSTANTS['BW_BORDER_EDGE'],
           'constant': CONSTANTS['BW_BORDER_CONSTANT']}

_lib.bw_grids_compute.restype = ctypes.c_int
_lib.bw_grids_compute.argtypes = [ctypes.POINTER(BwGeometry),
                                  ctypes.POINTER(BwPlane),
                                  ctypes.POINTER(BwPlane), ctypes.c_uint,
                                  ctypes.POINTER(BwGridsOut)]
_lib.bw_geometry_grid_size.restype = ctypes.c_int
_lib.bw_geometry_grid_size.argtypes = [ctypes.POINTER(BwGeometry),
                                       ctypes.POINTER(ctypes.c_uint),
                                       ctypes.POINTER(ctypes.c_uint)]
_lib.bw_check_registration.restype = ctypes.c_int
_lib.bw_check_registration.argtypes = [
    ctypes.POINTER(BwParams), ctypes.c_uint, ctypes.c_uint,
    ctypes.POINTER(BwPlane), ctypes.POINTER(BwPlane), ctypes.c_void_p,
    ctypes.POINTER(BwSummary)]
_lib.bw_abi_frame_motion.restype = ctypes.c_int
_lib.bw_abi_frame_motion.argtypes = [
    ctypes.c_void_p, ctypes.POINTER(BwParams), ctypes.c_uint, ctypes.c_uint,
    ctypes.POINTER(BwPlane), ctypes.POINTER(BwPlane), ctypes.c_int,
    ctypes.c_void_p, ctypes.POINTER(BwSummary), ctypes.POINTER(BwMotionFit)]
_lib.bw_warp_plane.restype = ctypes.c_int
_lib.bw_warp_plane.argtypes = [ctypes.POINTER(BwTransform),
                               ctypes.POINTER(BwWarpPlane),
                               ctypes.POINTER(BwWarpPlane), ctypes.c_int,
                               ctypes.c_uint]
_lib.bw_transform_identity.restype = None
_lib.bw_transform_identity.argtypes = [ctypes.POINTER(BwTransform)]
_lib.bw_transform_is_identity.restype = ctypes.c_int
_lib.bw_transform_is_identity.argtypes = [ctypes.POINTER(BwTransform)]
_lib.bw_transform_compose.restype = None
_lib.bw_transform_compose.argtypes = [ctypes.POINTER(BwTransform)] * 3
_lib.bw_trajectory_step.restype = ctypes.c_int
_lib.bw_trajectory_step.argtypes = [ctypes.c_int, ctypes.POINTER(BwMotionFit),
                                    ctypes.POINTER(BwTransform)]
_lib.bw_transform_correction.restype = None
_lib.bw_transform_correction.argtypes = [ctypes.POINTER(BwTransform)] * 2
_lib.bw_transform_apply.restype = None
_lib.bw_transform_apply.argtypes = [
    ctypes.POINTER(BwTransform), ctypes.c_double, ctypes.c_double,
    ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_double)]
_lib.bw_analysis_new.restype = ctypes.c_void_p
_lib.bw_analysis_new.argtypes = []
_lib.bw_analysis_free.restype = None
_lib.bw_analysis_free.argtypes = [ctypes.c_void_p]
_lib.bw_params_init.restype = None
_lib.bw_params_init.argtypes = [ctypes.POINTER(BwParams)]
_lib.bw_params_check.restype = ctypes.c_int
_lib.bw_params_check.argtypes = [ctypes.POINTER(BwParams),
                                 ctypes.POINTER(ctypes.c_void_p)]
_lib.g_free.restype = None
_lib.g_free.argtypes = [ctypes.c_void_p]
_lib.bw_grid_name.restype = ctypes.c_char_p
_lib.bw_grid_name.argtypes = [ctypes.c_int]
_lib.bw_verdict_name.restype = ctypes.c_char_p
_lib.bw_verdict_name.argtypes = [ctypes.c_int]

# The analysis's grids, in C's order, by the element's names ("r", ...).
GRID_NAMES = tuple(_lib.bw_grid_name(i).decode()
                   for i in range(CONSTANTS['BW_N_GRIDS']))


def verdict_name(kind):
    return _lib.bw_verdict_name(kind).decode()


def default_params():
    """The library's defaults (bw_params_init())."""
    p = BwParams()
    _lib.bw_params_init(ctypes.byref(p))
    return p


def params_error(p):
    """None when the library takes p, else its sentence naming the
    setting."""
    message = ctypes.c_void_p()
    if _lib.bw_params_check(ctypes.byref(p), ctypes.byref(message)):
        return None
    text = ctypes.string_at(message.value).decode()
    _lib.g_free(message)
    return text


def edge_value(mode):
    return _EDGE_VALUES[mode]


def plane(image):
    """A view of a 2-D uint8/uint16 array, read in place: rows may be any
    (even negative) stride apart, but samples must be contiguous."""
    if image.strides[1] != image.dtype.itemsize:
        image = np.ascontiguousarray(image)   # samples must be adjacent
    return BwPlane(image.ctypes.data, image.strides[0],
                   FORMATS[image.dtype]), image


def _geometry(shape, block_shape, edge_mode):
    return BwGeometry(shape[1], shape[0], block_shape[1], block_shape[0],
                      _EDGE_VALUES[edge_mode])


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
    ptrs = BwGridsOut(*(out[name].ctypes.data if name in out else None
                        for name in GRIDS))
    # ctypes releases the GIL during the call: dask threads run in parallel
    if rows == 0 or not _lib.bw_grids_compute(
            ctypes.byref(_geometry(a.shape, block_shape, edge_mode)),
            ctypes.byref(pa), ctypes.byref(pb), n_threads,
            ctypes.byref(ptrs)):
        raise ValueError('libblockwise refused image %r, blocks %r, edge_mode '
                         '%r' % (a.shape, tuple(block_shape), edge_mode))
    del a_keep, b_keep
    return out


def check_registration(a, b, params):
    """The analysis of images a and b (one shape, checked by _arguments)
    with params (a BwParams the library takes): the grids as one float32
    array (grid, row, column) in GRID_NAMES order, and the BwSummary."""
    pa, a_keep = plane(a)
    pb, b_keep = plane(b)
    rows, cols = grid_shape(a.shape, (params.block_height,
                                      params.block_width),
                            _EDGE_NAMES[params.edge_mode])
    grids = np.empty((len(GRID_NAMES), rows, cols), np.float32)
    summary = BwSummary()
    if rows == 0 or not _lib.bw_check_registration(
            ctypes.byref(params), a.shape[1], a.shape[0], ctypes.byref(pa),
            ctypes.byref(pb), grids.ctypes.data, ctypes.byref(summary)):
        raise ValueError('libblockwise refused image %r, blocks %r: %s'
                         % (a.shape, (params.block_height,
                                      params.block_width),
                            params_error(params) or 'no whole block'))
    del a_keep, b_keep
    return grids, summary


class Analysis:
    """The analysis's working memory and threads, reused from frame to frame
    by one thread at a time (bw_analysis_new())."""

    def __init__(self):
        self._an = _lib.bw_analysis_new()

    def close(self):
        if self._an:
            _lib.bw_analysis_free(self._an)
            self._an = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    __del__ = close


def frame_motion(analysis, a, b, params, model):
    """Image b's motion against image a (one shape, checked by _arguments):
    the analysis with params and the fit of model (a MODELS value), as the
    BwSummary and the BwMotionFit.  analysis: an Analysis, or None for one
    of this call's own."""
    pa, a_keep = plane(a)
    pb, b_keep = plane(b)
    summary, fit = BwSummary(), BwMotionFit()
    if not _lib.bw_abi_frame_motion(
            analysis._an if analysis else None, ctypes.byref(params),
            a.shape[1], a.shape[0], ctypes.byref(pa), ctypes.byref(pb),
            model, None, ctypes.byref(summary), ctypes.byref(fit)):
        raise ValueError('libblockwise refused image %r, blocks %r: %s'
                         % (a.shape, (params.block_height,
                                      params.block_width),
                            params_error(params) or 'no whole block'))
    del a_keep, b_keep
    return summary, fit


def _warp_plane(image):
    return BwWarpPlane(image.ctypes.data, image.strides[0],
                       image.strides[1], 1, FORMATS[image.dtype],
                       image.shape[1], image.shape[0], 1.0, 1.0)


def warp(image, motion, border, fill, out=None):
    """out(p) = image(motion(p)) into out (a new array of image's shape and
    dtype when None, otherwise one whose samples are adjacent), motion a
    BwTransform, border a BORDERS value, fill a sample value."""
    if image.strides[1] != image.dtype.itemsize:
        image = np.ascontiguousarray(image)
    if out is None:
        out = np.empty(image.shape, image.dtype)
    src, dst = _warp_plane(image), _warp_plane(out)
    if not _lib.bw_warp_plane(ctypes.byref(motion), ctypes.byref(src),
                              ctypes.byref(dst), border, fill):
        raise ValueError('libblockwise refused to warp image %r with %r'
                         % (image.shape, tuple(motion.m)))
    return out


def is_identity(t):
    return bool(_lib.bw_transform_is_identity(ctypes.byref(t)))


def compose(second, first):
    """second after first, as a new BwTransform."""
    out = BwTransform()
    _lib.bw_transform_compose(ctypes.byref(second), ctypes.byref(first),
                              ctypes.byref(out))
    return out


def apply(t, x, y):
    ox, oy = ctypes.c_double(), ctypes.c_double()
    _lib.bw_transform_apply(ctypes.byref(t), x, y, ctypes.byref(ox),
                            ctypes.byref(oy))
    return ox.value, oy.value


def trajectory_step(against_previous, found, motion, trajectory):
    """trajectory (a BwTransform, updated) after one frame whose motion
    (6 coefficients) was found or not, by the library's rule."""
    fit = BwMotionFit()
    fit.found = 1 if found else 0
    fit.motion.m[:] = motion
    _lib.bw_trajectory_step(1 if against_previous else 0, ctypes.byref(fit),
                            ctypes.byref(trajectory))
    return trajectory


def correction(t):
    """The transform that corrects a frame of trajectory t (a shift within
    BW_WHOLE_PIXEL_SNAP of whole pixels taken as whole)."""
    out = BwTransform()
    _lib.bw_transform_correction(ctypes.byref(t), ctypes.byref(out))
    return out


def identity():
    t = BwTransform()
    _lib.bw_transform_identity(ctypes.byref(t))
    return t
