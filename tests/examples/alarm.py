#!/usr/bin/python3
# gst-blockwise example: reacting to blockdrift's drift alarm from Python
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Watch a drifting sample for drift and print the alarm messages.

A test pattern stands still for --still frames, scrolls one pixel per
frame (videotestsrc horizontal-speed=1) for --drift frames, then stands
still again for --after frames: blockdrift compares every frame with the
one before it (reference=previous), searches 2 px around every block and,
after --alarm-frames drifting frames in a row, posts one element message
"blockcorr-alarm" with state "raised", and after as many still frames one
with state "cleared".  The program prints each alarm message and checks
that exactly one alarm was raised and one cleared, each within
alarm-frames + 1 frames of the drift's start and end.

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
    ap.add_argument('--after', type=int, default=8)
    ap.add_argument('--alarm-frames', type=int, default=3)
    args = ap.parse_args()

    Gst.init(None)
    pipeline = Gst.parse_launch(
        'videotestsrc name=src pattern=zone-plate kx2=12 ky2=20 kxy=8 kx=20 '
        'num-buffers=%d ! video/x-raw,format=GRAY8,width=320,height=240,'
        'framerate=30/1 ! blockdrift name=c reference=previous search-radius=2 '
        'alarm-frames=%d post-messages=false ! fakesink'
        % (args.still + args.drift + args.after, args.alarm_frames))
    src = pipeline.get_by_name('src')
    alarms = []
    frames = [0]

    # The pattern stands still, scrolls, stands still: a probe changes
    # horizontal-speed when the first drifting and the first still frame
    # after the drift are made.
    def on_buffer(pad, info):
        frames[0] += 1
        if frames[0] == args.still:
            src.set_property('horizontal-speed', 1)
        elif frames[0] == args.still + args.drift:
            src.set_property('horizontal-speed', 0)
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

    states = [state for state, f in alarms]
    if states != ['raised', 'cleared']:
        print('expected one alarm raised, then cleared; got %r' % alarms,
              file=sys.stderr)
        return 1
    # Frame args.still (from 0) is the first one made after the speed
    # changed; frame args.still + args.drift the first still one again.
    for (state, frame), start in zip(alarms, (args.still,
                                              args.still + args.drift)):
        if not start <= frame <= start + args.alarm_frames:
            print('alarm %s at frame %d, the change came at frame %d'
                  % (state, frame, start), file=sys.stderr)
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
