#!/usr/bin/python3
# gst-blockwise example: reading GstBlockCorrMeta from Python
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Run a pipeline with blockcorr into an appsink and dump GstBlockCorrMeta.

blockcorr attaches a GstCustomMeta named "GstBlockCorrMeta" to every output
buffer.  Its GstStructure holds the per-frame summary (frame, pts-0, pts-1,
cols, rows, valid, invalid, mean, min, max, median, below-threshold, ...)
and the grids r, mean-0, mean-1, stddev-0, stddev-1 as GLib.Bytes of
native-endian float32, row-major (rows x cols), NaN where a block is
invalid.

With PyGObject (3.42, GStreamer 1.22) the meta is read with
    buf.get_custom_meta("GstBlockCorrMeta").get_structure()

Writes one CSV line per frame (frame,pts,mean,median,below_threshold,valid,
invalid) to --csv (default stdout) and, with --grid-dir, each frame's r grid
as DIR/r_00000.csv (rows lines of cols values, 'nan' for invalid blocks).

Exit status: 0 on success, 1 on a pipeline error, a buffer without the meta
or a wrong number of frames, 77 (a test "skip") when GStreamer's
introspection data is not available.

Example:
    GST_PLUGIN_PATH=build/gst tests/examples/read_meta.py --frames 3 \\
        --grid-dir /tmp/grids
"""

import argparse
import array
import csv
import math
import os
import sys

try:
    import gi
    gi.require_version('Gst', '1.0')
    from gi.repository import GLib, Gst
except (ImportError, ValueError) as e:
    print('GStreamer introspection not available (%s): skipping' % e,
          file=sys.stderr)
    sys.exit(77)

META_NAME = 'GstBlockCorrMeta'

DEFAULT_PIPELINE = (
    'videotestsrc num-buffers={n} pattern=snow '
    '! video/x-raw,format=GRAY16_LE,width=320,height=240,framerate=30/1 '
    '! tee name=t '
    't. ! queue ! c.sink_0 '
    't. ! queue ! videoflip video-direction=horiz ! c.sink_1 '
    'blockcorr name=c ! appsink name=out')


def grid_from_structure(s, name):
    """Return the grid `name` of structure `s` as a list of rows."""
    rows = s.get_value('rows')
    cols = s.get_value('cols')
    data = s.get_value(name)          # a GLib.Bytes
    if isinstance(data, GLib.Bytes):
        data = data.get_data()
    values = array.array('f')         # 'f' is a native float32
    values.frombytes(data)
    if len(values) != rows * cols:
        raise ValueError('grid %s has %d values, expected %d x %d'
                         % (name, len(values), rows, cols))
    return [values[r * cols:(r + 1) * cols] for r in range(rows)]


def write_grid(path, grid):
    with open(path, 'w', newline='') as f:
        w = csv.writer(f)
        for row in grid:
            # repr() of a float32 widened to double would print 17 digits;
            # '%.7g' keeps float32 precision.  NaN marks invalid blocks.
            w.writerow(['nan' if math.isnan(v) else '%.7g' % v for v in row])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--frames', type=int, default=None,
                        help='frames the default pipeline produces (default '
                        '5); with --pipeline, the number expected (not '
                        'checked when not given)')
    parser.add_argument('--pipeline',
                        help='pipeline description with an appsink named '
                        '"out" after blockcorr')
    parser.add_argument('--csv', help='summary CSV file (default stdout)')
    parser.add_argument('--grid-dir', help='directory for r_NNNNN.csv')
    args = parser.parse_args()

    Gst.init(None)
    desc = args.pipeline or DEFAULT_PIPELINE.format(n=args.frames or 5)
    # The default pipeline makes a known number of frames; a pipeline of the
    # user's makes what it makes, unless --frames says what to expect.
    expected = args.frames or 5 if args.pipeline is None else args.frames
    try:
        pipeline = Gst.parse_launch(desc)
    except GLib.Error as e:
        print('Cannot build pipeline: %s' % e.message, file=sys.stderr)
        return 1
    sink = pipeline.get_by_name('out')
    if sink is None:
        print('The pipeline needs an appsink named "out"', file=sys.stderr)
        return 1
    sink.set_property('sync', False)
    if args.grid_dir:
        os.makedirs(args.grid_dir, exist_ok=True)

    out = open(args.csv, 'w', newline='') if args.csv else sys.stdout
    writer = csv.writer(out)
    writer.writerow(['frame', 'pts', 'mean', 'median', 'below_threshold',
                     'valid', 'invalid'])

    bus = pipeline.get_bus()
    pipeline.set_state(Gst.State.PLAYING)
    n_frames = 0
    ret = 0
    # The appsink's action signal "try-pull-sample" and its "eos" property
    # are used rather than GstApp.AppSink methods, so only the Gst typelib
    # is needed.  Wait 100 ms at most per sample so that errors on the bus
    # are seen even when the pipeline never reaches EOS.
    while not sink.get_property('eos'):
        sample = sink.emit('try-pull-sample', 100 * Gst.MSECOND)
        if sample is not None:
            buf = sample.get_buffer()
            meta = buf.get_custom_meta(META_NAME)
            if meta is None:
                print('Buffer %d has no %s' % (n_frames, META_NAME),
                      file=sys.stderr)
                ret = 1
                break
            s = meta.get_structure()
            frame = s.get_value('frame')
            writer.writerow([frame, s.get_value('pts-0'),
                             s.get_value('mean'), s.get_value('median'),
                             s.get_value('below-threshold'),
                             s.get_value('valid'), s.get_value('invalid')])
            if args.grid_dir:
                write_grid(os.path.join(args.grid_dir, 'r_%05d.csv' % frame),
                           grid_from_structure(s, 'r'))
            n_frames += 1

        msg = bus.pop_filtered(Gst.MessageType.ERROR)
        if msg is not None:
            err, dbg = msg.parse_error()
            print('Error from %s: %s\n%s' % (msg.src.get_name(), err.message,
                                             dbg or ''), file=sys.stderr)
            ret = 1
            break

    pipeline.set_state(Gst.State.NULL)
    if out is not sys.stdout:
        out.close()
    if ret == 0 and expected is not None and n_frames != expected:
        print('Expected %d frames, got %d' % (expected, n_frames),
              file=sys.stderr)
        ret = 1
    return ret


if __name__ == '__main__':
    sys.exit(main())
