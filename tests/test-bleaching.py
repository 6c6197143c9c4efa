#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-blockwise: intensity changes without motion are not misalignment.

Fluorescence time-lapses made by gen-timelapse.py, bleaching to 30 % of the
first frame's signal over 40 frames, alone and with a gain and offset
change, an illumination gradient or a rising background, and nothing moves.
Each stack goes through the element as a camera's frames would
(filesrc ! tiffdec ! blockdrift reference=first alarm-frames=5): the drift
alarm must never be raised and at least 99 % of the frames must be
"registered"; and from files, frame 0 and a later frame as two TIFF files
through gst-blockcorr with its defaults: "registered", exit status 0.

A stack whose nuclei in one box drift (with the same bleaching) must still
raise the alarm and show a region there, displaced as the box moved.

Usage: test-bleaching.py GEN-TIMELAPSE GST-BLOCKCORR WORKDIR
Exit status 77 (skip) without numpy, tifffile or PyGObject's Gst.
"""
import json
import os
import subprocess
import sys
import warnings

try:
    import numpy  # noqa: F401 (the generator's)
    import tifffile
    import gi
    gi.require_version('Gst', '1.0')
    from gi.repository import Gst
except (ImportError, ValueError) as e:
    print('skip: %s' % e)
    sys.exit(77)

SIZE = 384
FRAMES = 40
# Bleaching to 30 % of the first frame's signal over the stack.
TAU = -(FRAMES - 1) / numpy.log(0.3)
COMMON = ['--size', str(SIZE), '--frames', str(FRAMES), '--nuclei', '26',
          '--photons', '5000', '--tau', '%.3f' % TAU]
STILL = {
    'bleaching': ['--seed', '11'],
    'gain-offset': ['--gain', '1,0.6', '--offset', '100,70', '--seed', '12'],
    'gradient': ['--gradient', '0,0.5', '--seed', '13'],
    'background': ['--background', '5,40', '--seed', '14'],
}
# Nuclei centred in this box drift by MOVE px per frame.
BOX = (120, 100, 160, 160)
MOVE = (0.08, -0.05)
# Nuclei reach up to 32 px beyond their centre.
NUCLEUS = 32

failures = []


def check(ok, what):
    print('%s: %s' % ('ok' if ok else 'FAIL', what))
    if not ok:
        failures.append(what)


def generate(gen, work, name, args):
    path = os.path.join(work, name + '.tif')
    subprocess.run([sys.executable, gen, path] + COMMON + args, check=True)
    return path


def regions(s):
    """largest-regions of a blockdrift message, as dicts (PyGObject reads a
    GstValueArray only through the deprecated GValueArray)."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        arr = s.get_array('largest-regions')[1]
        return [{k: arr.get_nth(i).get_value(k)
                 for k in ('x', 'y', 'width', 'height', 'shift-x', 'shift-y')}
                for i in range(arr.n_values)]


def run_element(path):
    """The element's messages over the stack: per-frame results and the
    alarm's states."""
    pipeline = Gst.parse_launch(
        'filesrc location="%s" ! tiffdec ! blockdrift reference=first '
        'alarm-frames=5 ! fakesink' % path)
    bus = pipeline.get_bus()
    frames, alarms = [], []
    pipeline.set_state(Gst.State.PLAYING)
    while True:
        msg = bus.timed_pop_filtered(
            60 * Gst.SECOND, Gst.MessageType.ELEMENT | Gst.MessageType.EOS
            | Gst.MessageType.ERROR)
        if msg is None or msg.type != Gst.MessageType.ELEMENT:
            break
        s = msg.get_structure()
        if s.get_name() == 'blockdrift':
            frames.append({
                'verdict': s.get_string('verdict'),
                'regions': s.get_value('regions'),
                'largest': regions(s)})
        elif s.get_name() == 'blockcorr-alarm':
            alarms.append(s.get_string('state'))
    pipeline.set_state(Gst.State.NULL)
    if msg is None or msg.type != Gst.MessageType.EOS:
        err = msg.parse_error()[0].message if msg else 'timeout'
        check(False, '%s: the pipeline ended without EOS (%s)' % (path, err))
    return frames, alarms


def run_cli(cli, work, stack, name, k):
    """frame 0 and frame k of stack as two files through gst-blockcorr."""
    pages = tifffile.imread(stack)
    ref = os.path.join(work, '%s-0.tif' % name)
    cmp = os.path.join(work, '%s-%d.tif' % (name, k))
    tifffile.imwrite(ref, pages[0])
    tifffile.imwrite(cmp, pages[k])
    p = subprocess.run([cli, '--json', '-o', os.path.join(work, 'out'),
                        ref, cmp], stdout=subprocess.PIPE, text=True)
    return p.returncode, json.loads(p.stdout.splitlines()[0])


def in_box(reg):
    """The region's centre lies where the box's nuclei are."""
    cx = reg['x'] + reg['width'] / 2.0
    cy = reg['y'] + reg['height'] / 2.0
    return (BOX[0] - NUCLEUS <= cx <= BOX[0] + BOX[2] + NUCLEUS
            and BOX[1] - NUCLEUS <= cy <= BOX[1] + BOX[3] + NUCLEUS)


def main():
    gen, cli, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    Gst.init(None)

    judged = registered = 0
    for name, args in STILL.items():
        stack = generate(gen, work, name, args)
        frames, alarms = run_element(stack)
        check(len(frames) == FRAMES, '%s: %d frames judged' %
              (name, len(frames)))
        bad = [i for i, f in enumerate(frames)
               if f['verdict'] != 'registered' or f['regions']]
        judged += len(frames)
        registered += len(frames) - len(bad)
        print('%s: not registered: %s' % (name, bad))
        check('raised' not in alarms, '%s: no drift alarm (%s)' %
              (name, alarms))
        for k in (FRAMES // 3, 2 * FRAMES // 3, FRAMES - 1):
            status, res = run_cli(cli, work, stack, name, k)
            check(status == 0 and res['verdict'] == 'registered'
                  and res['regions'] == 0,
                  '%s: frame %d against frame 0 from files: exit %d, %s, '
                  '%d regions' % (name, k, status, res['verdict'],
                                  res['regions']))
    check(registered >= 0.99 * judged, 'live: %d of %d frames registered'
          % (registered, judged))

    stack = generate(gen, work, 'moved-box',
                     ['--move-box', ','.join(map(str, BOX)),
                      '--move=%g,%g' % MOVE, '--seed', '15'])
    frames, alarms = run_element(stack)
    check('raised' in alarms, 'moved box: the drift alarm is raised (%s)'
          % alarms)
    for k in (20, 30):
        tx, ty = MOVE[0] * k, MOVE[1] * k
        found = [r for r in frames[k]['largest'] if in_box(r)
                 and abs(r['shift-x'] - tx) <= 0.75
                 and abs(r['shift-y'] - ty) <= 0.75]
        check(frames[k]['verdict'] == 'needs-registration' and found,
              'moved box, frame %d live: %s, a region in the box moved by '
              '(%.2f, %.2f): %s' % (k, frames[k]['verdict'], tx, ty,
                                    frames[k]['largest']))
    status, res = run_cli(cli, work, stack, 'moved-box', 30)
    found = [r for r in res['largest-regions'] if in_box(r)]
    check(status == 1 and res['verdict'] == 'needs-registration' and found,
          'moved box from files: exit %d, %s, regions %s'
          % (status, res['verdict'], res['largest-regions']))

    if failures:
        print('%d failures' % len(failures))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
