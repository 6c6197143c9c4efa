# SPDX-License-Identifier: LGPL-2.1-or-later
"""Drift correction, as the blockdrift element does it: every frame's motion
against its reference (the first frame, or the frame before) by the
blockcorr element's analysis and a robust fit of a shift or an affine
transform to its blocks' displacements (analysis/motion.h), the motions
composed into the trajectory against the first frame, and the frame
resampled through it (analysis/warp.h)."""
import concurrent.futures
import functools
import os

import numpy as np

from . import _arguments, _native
from ._registration import (_DEFAULT_EDGE_MODE, _DEFAULT_MIN_INTENSITY,
                            _DEFAULTS, _summary)

_is_dask = _arguments.is_dask
_REFERENCES = ('first', 'previous')
_DEFAULT_BLOCK = (_DEFAULTS.block_height, _DEFAULTS.block_width)


def _choice(value, what, choices):
    if not isinstance(value, str) or value not in choices:
        raise ValueError('%s is %s, not %r' % (
            what, ' or '.join('"%s"' % c for c in choices), value))
    return value


def _fill(value, dtype):
    v = _arguments.whole_number(value, 'fill')
    top = np.iinfo(dtype).max
    if not 0 <= v <= top:
        raise ValueError('fill is a sample value 0 to %d for %s images, not '
                         '%r' % (top, dtype, value))
    return v


def _frames(stack, image2):
    """The frames, each a 2-D image (numpy) or a dask array of one frame,
    and whether they are a pair; checked."""
    if image2 is None:
        if not _is_dask(stack):
            stack = np.asarray(stack)
        if stack.ndim != 3:
            raise ValueError(
                'a stack is 3-D (frames, rows, columns), not %d-D%s'
                % (stack.ndim, '; for a pair pass both images'
                   if stack.ndim == 2 else ''))
        if stack.shape[0] == 0:
            raise ValueError('the stack has no frames: its shape is %r'
                             % (stack.shape,))
        first = _arguments.image(stack[0])     # dtype and sides
        if _is_dask(stack):
            stack = stack.rechunk((1,) + first.shape)
        return [stack[n] for n in range(stack.shape[0])], False
    images = [_arguments.image(x) for x in (stack, image2)]
    if images[0].shape != images[1].shape:
        raise ValueError('the images differ in shape: %r and %r'
                         % (images[0].shape, images[1].shape))
    return images, True


def _settings(frames, block_shape, edge_mode, search_radius, min_intensity,
              threshold, min_region_blocks, shift_tolerance, n_threads):
    """The checked analysis settings (a BwParams)."""
    _, block, mode, _ = _arguments.arguments(frames[:1], block_shape,
                                             edge_mode)
    if any(_is_dask(f) for f in frames):
        _arguments.sides(frames[0].shape)     # each frame crosses whole
    return _arguments.analysis_params(
        block, mode, search_radius, min_intensity, threshold,
        min_region_blocks, shift_tolerance, n_threads)


def _transform(values):
    t = _native.BwTransform()
    t.m[:] = values
    return t


def _measure(analysis, ref, frame, params, model, is_reference):
    """frame against ref: the summary as a dict (bw_check_registration's)
    and the fit (found, motion coefficients, inliers, residual), in plain
    Python values (they may cross between processes)."""
    ref, frame = np.asarray(ref), np.asarray(frame)
    summary, fit = _native.frame_motion(analysis, ref, frame, params,
                                        _native.MODELS[model])
    rows, cols = _native.grid_shape(frame.shape, (params.block_height,
                                                  params.block_width),
                                    _native._EDGE_NAMES[params.edge_mode])
    motion = tuple(fit.motion.m)
    found = bool(fit.found)
    if is_reference:
        # the reference does not move against itself
        motion, found = tuple(_native.identity().m), True
    return (_summary(summary, params, (rows, cols)),
            (found, motion, fit.inliers, fit.rms_residual))


def _at_centre(t, shape):
    cx, cy = (shape[1] - 1) / 2, (shape[0] - 1) / 2
    x, y = _native.apply(_transform(t), cx, cy)
    return x - cx, y - cy


def _record(n, shape, measured, trajectory, correct):
    summary, (found, motion, inliers, residual) = measured
    record = {'frame': n}
    record.update(summary)
    mx, my = _at_centre(motion, shape)
    tx, ty = _at_centre(trajectory, shape)
    record.update({'motion-found': found, 'motion-x': mx, 'motion-y': my,
                   'drift-x': tx, 'drift-y': ty, 'motion': motion,
                   'trajectory': trajectory, 'motion-inliers': inliers,
                   'motion-residual': residual})
    if correct:
        record['correction'] = correct if found else 'none'
    return record


def _corrected(frame, record, border, fill, out=None):
    """frame moved back along its trajectory (into out, when given), or
    copied when its motion was not found or is the identity."""
    frame = np.asarray(frame)
    if out is None:
        out = np.empty(frame.shape, frame.dtype)
    t = _transform(record['trajectory'])
    if record['correction'] == 'none' or _native.is_identity(t):
        out[...] = frame
        return out
    return _native.warp(frame, _native.correction(t), _native.BORDERS[border],
                        fill, out)


def _first_frame(analysis, ref, frame, n, params, model, correct, border,
                 fill):
    """One frame against the first: its record and, when correct, the
    corrected frame (the trajectory is the motion)."""
    measured = _measure(analysis, ref, frame, params, model, n == 0)
    record = _record(n, np.shape(frame), measured,
                     _first_trajectory(measured), correct)
    if not correct:
        return None, record
    return _corrected(frame, record, border, fill), record


def _first_trajectory(measured):
    """The trajectory of a frame measured against the first frame, by the
    library's rule (its motion, or the identity when none was found)."""
    found, motion = measured[1][0], measured[1][1]
    return tuple(_native.trajectory_step(False, found, motion,
                                         _native.identity()).m)


def _chain(measured, shape, correct):
    """The records of frames measured each against the frame before: the
    trajectory composed from the motions, motion n after trajectory n - 1
    (a motion not found leaves it where it was), by the library's rule."""
    trajectory = _native.identity()
    records = []
    for n, m in enumerate(measured):
        _native.trajectory_step(True, m[1][0], m[1][1], trajectory)
        records.append(_record(n, shape, m, tuple(trajectory.m), correct))
    return records


def _previous_step(analysis, step, frame, n, params, model):
    """frame n measured against the last frame that was placed (step: the
    previous frame's result, None for the first): (the measurement, the
    next frame's reference).  A frame whose motion is not found is not a
    reference, so that no step of the drift is lost."""
    ref = frame if step is None else step[1]
    measured = _measure(analysis, ref, frame, params, model, n == 0)
    return measured, (frame if measured[1][0] else ref)


def _run_numpy(frames, pair, reference, params, model, correct, border,
               fill):
    """(the corrected stack or None, the records) of numpy frames; a pair
    gives the second image's alone.  The frames are analysed in turn on
    the analysis's threads while another thread resamples the ones already
    measured (ctypes releases the GIL in both)."""
    shape = tuple(frames[0].shape)
    stacked, out = None, [None] * len(frames)
    if correct and not pair:
        stacked = np.empty((len(frames),) + shape, frames[0].dtype)
        out = list(stacked)
    # a pair: the first image is the reference, only the second is measured
    wanted = range(1, 2) if pair else range(len(frames))
    workers = 1 if reference == 'first' or pair else \
        params.n_threads or os.cpu_count() or 1
    with _native.Analysis() as analysis, \
            concurrent.futures.ThreadPoolExecutor(workers) as pool:
        if reference == 'first' or pair:
            records = []
            for n in wanted:
                measured = _measure(analysis, frames[0], frames[n], params,
                                    model, n == 0)
                records.append(_record(n, shape, measured,
                                       _first_trajectory(measured),
                                       correct))
                if correct:
                    out[n] = pool.submit(_corrected, frames[n], records[-1],
                                         border, fill, out[n])
        else:
            step = None
            measured = []
            for n, f in enumerate(frames):
                step = _previous_step(analysis, step, f, n, params, model)
                measured.append(step[0])
            records = _chain(measured, shape, correct)
            if correct:
                out = [pool.submit(_corrected, f, records[n], border, fill,
                                   out[n]) for n, f in enumerate(frames)]
        if correct:
            done = [out[n].result() for n in wanted]
    if pair:
        return done[0] if correct else None, records[0]
    return stacked, records


def _run_dask(frames, pair, reference, params, model, correct, border,
              fill):
    """As _run_numpy's, lazy: one task per frame against the first;
    against the frame before, a chain of tasks (each frame against the
    last frame placed), then the trajectory, then one task per frame for
    the correction."""
    import dask
    import dask.array as da

    shape = tuple(frames[0].shape)
    dtype = np.dtype(frames[-1].dtype)
    # dask runs the frames in parallel; the results do not depend on it
    params.n_threads = 1
    call = functools.partial(dask.delayed, pure=True)
    frames = [f.to_delayed().ravel()[0] if _is_dask(f) else f
              for f in frames]
    wanted = range(1, 2) if pair else range(len(frames))
    if reference == 'first' or pair:
        done = {n: call(_first_frame)(None, frames[0], frames[n], n, params,
                                      model, correct, border, fill)
                for n in wanted}
        records = [done[n][1] for n in wanted]
        records = records[0] if pair else call(list)(records)
        corrected = [done[n][0] for n in wanted] if correct else None
    else:
        step, measured = None, []
        for n, f in enumerate(frames):
            step = call(_previous_step, nout=2)(None, step, f, n, params,
                                                model)
            measured.append(step[0])
        records = call(_chain)(measured, shape, correct)
        corrected = None
        if correct:
            corrected = [call(_corrected)(f, records[n], border, fill)
                         for n, f in enumerate(frames)]
    if correct:
        corrected = [da.from_delayed(c, shape, dtype) for c in corrected]
        corrected = corrected[0] if pair else da.stack(corrected)
    return corrected, records


def _run(frames, pair, *args):
    if any(_is_dask(f) for f in frames):
        return _run_dask(frames, pair, *args)
    return _run_numpy(frames, pair, *args)


_ANALYSIS_DOC = """
    The analysis's settings are the element's and bw_check_registration's
    (the library's defaults): block_shape (rows, columns), search_radius
    (px, around the frame's global shift, which may be up to a quarter of
    the frame), min_intensity ("auto", 0 or a level), threshold,
    min_region_blocks, shift_tolerance, edge_mode, n_threads (0: one per
    CPU; the results do not depend on it)."""


def correct(stack, image2=None, *, reference='first', correct='shift',
            border='edge', fill=0, block_shape=_DEFAULT_BLOCK,
            search_radius=_DEFAULTS.search_radius,
            min_intensity=_DEFAULT_MIN_INTENSITY,
            threshold=_DEFAULTS.threshold,
            min_region_blocks=_DEFAULTS.min_region_blocks,
            shift_tolerance=_DEFAULTS.shift_tolerance,
            edge_mode=_DEFAULT_EDGE_MODE, n_threads=_DEFAULTS.n_threads):
    """The stack registered onto its first frame, and its drift record.

    stack: (frames, rows, columns), uint8 or uint16, numpy or dask; or
    correct(image1, image2): image2 registered onto image1.

    reference: "first" (every frame is compared with the first) or
    "previous" (with the frame before, as it was recorded; the motions are
    composed into the trajectory against the first frame).  correct:
    "shift" (the frame moved back by its drift, to a fraction of a pixel)
    or "affine" (rotation, scale, shear and shift, fitted robustly to the
    blocks' displacements, regions moving on their own rejected).  Frames
    are resampled with Keys' cubic convolution in their own dtype (a
    whole-pixel shift copies them exactly); uncovered pixels repeat the
    nearest edge (border="edge") or get fill (border="constant").  A frame
    whose motion is not found is copied as it is.

    Returns (corrected, record): the corrected stack (same shape and dtype)
    and a list of one dict per frame: "frame", the summary of
    bw_check_registration ("verdict", "shift-x", ...), "motion-found",
    "motion-x", "motion-y" (px, the frame's motion against its reference
    at the frame's centre), "drift-x", "drift-y" (px, the trajectory
    against the first frame at the centre; equal to the motion for
    reference="first"), "motion" and "trajectory" (the transforms' 6
    coefficients: x' = m0 + m1 x + m2 y, y' = m3 + m4 x + m5 y, pixel
    centres on integers, a reference point to where its content is in the
    frame), "motion-inliers", "motion-residual" (blocks the fit kept, their
    rms residual, px) and "correction" ("shift", "affine", or "none" when
    the motion was not found).  For a pair: the registered image2 and one
    dict.

    dask stacks give a lazy dask array and a dask.delayed record: compute
    them together, dask.compute(corrected, record), so that each frame is
    analysed once.  With reference="first" each frame is one task (the
    first frame read once); with "previous" each pair of frames is one
    task, the trajectory one more, the corrections one task per frame.
    Frames cross into C whole.  The results equal the numpy ones bit for
    bit.
    """ + _ANALYSIS_DOC
    frames, pair = _frames(stack, image2)
    reference = _choice(reference, 'reference', _REFERENCES)
    model = _choice(correct, 'correct', tuple(_native.MODELS))
    border = _choice(border, 'border', tuple(_native.BORDERS))
    fill = _fill(fill, frames[-1].dtype)
    params = _settings(frames, block_shape, edge_mode, search_radius,
                       min_intensity, threshold, min_region_blocks,
                       shift_tolerance, n_threads)
    return _run(frames, pair, reference, params, model, model, border, fill)


def drift(stack, image2=None, *, reference='first', model='shift',
          block_shape=_DEFAULT_BLOCK,
          search_radius=_DEFAULTS.search_radius,
          min_intensity=_DEFAULT_MIN_INTENSITY,
          threshold=_DEFAULTS.threshold,
          min_region_blocks=_DEFAULTS.min_region_blocks,
          shift_tolerance=_DEFAULTS.shift_tolerance,
          edge_mode=_DEFAULT_EDGE_MODE, n_threads=_DEFAULTS.n_threads):
    """The drift record of correct() (without "correction") and nothing
    else: the frames are measured, not resampled.  model: "shift" or
    "affine", the fit of the motions.  A dask stack is computed here (one
    task per frame, or a chain of them for reference="previous") and
    the record returned as a list.
    """ + _ANALYSIS_DOC
    frames, pair = _frames(stack, image2)
    reference = _choice(reference, 'reference', _REFERENCES)
    model = _choice(model, 'model', tuple(_native.MODELS))
    params = _settings(frames, block_shape, edge_mode, search_radius,
                       min_intensity, threshold, min_region_blocks,
                       shift_tolerance, n_threads)
    _, records = _run(frames, pair, reference, params, model, None, None, 0)
    if any(_is_dask(f) for f in frames):
        import dask
        records, = dask.compute(records)
    return records
