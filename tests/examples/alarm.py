#!/usr/bin/python3
# gst-blockwise example: reacting to blockcorr's drift alarm from Python
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Watch a drifting sample for drift and print the alarm messages.

A test pattern stands still for --still frames, then scrolls one pixel per
frame (videotestsrc horizontal-speed=1): blockcorr compares every frame
with the one before it (reference=previous), searches 2 px around every
block and, after --alarm-frames drifting frames in a row, posts one
element message "blockcorr-alarm" with state "raised".  The program prints
each alarm message and checks that exactly one alarm was raised, within
alarm-frames + 1 frames of the start of the drift.

Exit status: 0 when the alarm came as expected, 1 otherwise, 77 (a test
"skip") when GStreamer's introspection data is not available.

Example:
    GST_PLUGIN_PATH=build/gst tests/examples/alarm.py
"""

import argparse
import sys

try:
    import gi
    gi.require_version('Gst', '1.0')
    from gi.repository import GLib, Gst
except (ImportError, ValueError) as e:
    print('skipped: PyGObject with Gst 1.0 is needed (%s)' % e)
    sys.exit(77)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--still', type=int, default=5)
    ap.add_argument('--drift', type=int, default=10)
    ap.add_argument('--alarm-frames', type=int, default=3)
    args = ap.parse_args()

    Gst.init(None)
    pipeline = Gst.parse_launch(
        'videotestsrc name=src pattern=zone-plate kx2=12 ky2=20 kxy=8 kx=20 '
        'num-buffers=%d ! video/x-raw,format=GRAY8,width=320,height=240,'
        'framerate=30/1 ! blockcorr name=c reference=previous search-radius=2 '
        'alarm-frames=%d post-messages=false ! fakesink'
        % (args.still + args.drift, args.alarm_frames))
    src = pipeline.get_by_name('src')
    alarms = []
    frames = [0]

    # The pattern stands still, then starts to scroll: a probe changes
    # horizontal-speed when the first drifting frame is made.
    def on_buffer(pad, info):
        frames[0] += 1
        if frames[0] == args.still:
            src.set_property('horizontal-speed', 1)
        return Gst.PadProbeReturn.OK
    src.get_static_pad('src').add_probe(Gst.PadProbeType.BUFFER, on_buffer)

    loop = GLib.MainLoop()

    def on_message(bus, msg):
        if msg.type == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            if s.get_name() == 'blockcorr-alarm':
                frame = s.get_value('frame')
                print('drift alarm %s at frame %d: shift (%.2f, %.2f) px'
                      % (s.get_string('state'), frame,
                         s.get_double('shift-x')[1],
                         s.get_double('shift-y')[1]))
                alarms.append((s.get_string('state'), frame))
        elif msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            print('error: %s (%s)' % (err.message, dbg), file=sys.stderr)
            alarms.append(('error', -1))
            loop.quit()
        elif msg.type == Gst.MessageType.EOS:
            loop.quit()

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect('message', on_message)
    pipeline.set_state(Gst.State.PLAYING)
    loop.run()
    pipeline.set_state(Gst.State.NULL)
    bus.remove_signal_watch()

    raised = [f for state, f in alarms if state == 'raised']
    if len(alarms) != 1 or len(raised) != 1:
        print('expected one raised alarm, got %r' % alarms, file=sys.stderr)
        return 1
    # Frame k (from 0) is the first one made after the speed changed; it is
    # compared with the still frame before it.
    start = args.still
    if not start <= raised[0] <= start + args.alarm_frames:
        print('alarm raised at frame %d, drift started at frame %d'
              % (raised[0], start), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
