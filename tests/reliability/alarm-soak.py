#!/usr/bin/python3
# gst-blockwise: a static live camera with sensor-like noise raises no drift
# alarm (a soak, not a timed test).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A still, noisy live source watched with reference=first for SECONDS.

The source is a still test pattern with fresh noise in every frame (the
pattern blended with videotestsrc's "snow" at 15 %), live at 30 fps,
640x480 GRAY8; blockcorr compares every frame with the first one, with
search-radius=2 and alarm-frames=5.  Prints the frames, the verdicts seen
and the alarms; exit 0 when no alarm was raised, no error or warning was
posted and frames kept coming; 1 otherwise.
"""

import sys
import time

import gi
gi.require_version('Gst', '1.0')
from gi.repository import GLib, Gst


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 600
    Gst.init(None)
    pipeline = Gst.parse_launch(
        'videotestsrc is-live=true pattern=zone-plate kx2=12 ky2=20 kxy=8 '
        'kx=20 ! video/x-raw,format=AYUV,width=640,height=480,framerate=30/1 '
        '! mix.sink_0 '
        'videotestsrc is-live=true pattern=snow '
        '! video/x-raw,format=AYUV,width=640,height=480,framerate=30/1 '
        '! mix.sink_1 '
        'compositor name=mix sink_1::alpha=0.15 ! videoconvert '
        '! video/x-raw,format=GRAY8 ! queue '
        '! blockcorr reference=first search-radius=2 alarm-frames=5 '
        'min-intensity=-1 ! fakesink sync=false')
    counts = {'frames': 0, 'alarms': 0, 'problems': 0}
    verdicts = {}

    def on_message(bus, msg):
        if msg.type == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            if s.get_name() == 'blockcorr':
                counts['frames'] += 1
                v = s.get_string('verdict')
                verdicts[v] = verdicts.get(v, 0) + 1
            elif s.get_name() == 'blockcorr-alarm':
                counts['alarms'] += 1
                print('alarm: %s' % s.to_string())
        elif msg.type in (Gst.MessageType.ERROR, Gst.MessageType.WARNING):
            counts['problems'] += 1
            print('%s: %s' % (msg.type.value_nick, msg.parse_error()[0].message
                              if msg.type == Gst.MessageType.ERROR else
                              msg.parse_warning()[0].message))
        return True

    loop = GLib.MainLoop()
    bus = pipeline.get_bus()
    bus.add_watch(GLib.PRIORITY_DEFAULT, on_message)
    pipeline.set_state(Gst.State.PLAYING)
    start = time.monotonic()
    GLib.timeout_add_seconds(int(seconds), loop.quit)
    loop.run()
    pipeline.set_state(Gst.State.NULL)
    elapsed = time.monotonic() - start
    print('%.0f s: %d frames (%.1f per second), verdicts %r, %d alarms, '
          '%d errors or warnings' % (elapsed, counts['frames'],
                                     counts['frames'] / elapsed, verdicts,
                                     counts['alarms'], counts['problems']))
    ok = counts['alarms'] == 0 and counts['problems'] == 0 \
        and counts['frames'] > 0.5 * 30 * elapsed
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
