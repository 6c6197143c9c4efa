#!/usr/bin/python3
# gst-blockwise: a static live camera with sensor-like noise raises no drift
# alarm (a soak, not a timed test).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A still, noisy live source watched with reference=first for SECONDS.

The source is an appsrc (live, timestamped as frames are pushed, 30 per
second) of a still 16-bit scene (smooth texture on a background) with
fresh Gaussian sensor noise and photon noise in every frame, 640x480
GRAY16_LE; blockdrift compares every frame with the first one, with
search-radius=2, min-intensity=-1 and alarm-frames=5.  Prints the frames,
the verdicts seen and the alarms; exit 0 when no alarm was raised, no error
or warning was posted and frames kept coming; 1 otherwise.
"""

import sys
import time

import numpy as np
import gi
gi.require_version('Gst', '1.0')
from gi.repository import GLib, Gst

W, H, FPS = 640, 480, 30


def scene(rng):
    """Smooth texture: random values averaged over 9x9, plus a background."""
    t = rng.uniform(0, 1, (H + 9, W + 9))
    c = np.cumsum(np.cumsum(t, 0), 1)
    box = (c[9:, 9:] - c[:-9, 9:] - c[9:, :-9] + c[:-9, :-9]) / 81.0
    box = (box - box.min()) / (box.max() - box.min())
    return 800 + 20000 * box[:H, :W]


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 600
    rng = np.random.default_rng(1)
    still = scene(rng)
    Gst.init(None)
    pipeline = Gst.parse_launch(
        'appsrc name=src is-live=true do-timestamp=true format=time '
        'caps=video/x-raw,format=GRAY16_LE,width=%d,height=%d,framerate=%d/1 '
        '! queue ! blockdrift reference=first search-radius=2 alarm-frames=5 '
        'min-intensity=-1 ! fakesink sync=false' % (W, H, FPS))
    src = pipeline.get_by_name('src')
    counts = {'frames': 0, 'alarms': 0, 'problems': 0, 'pushed': 0}
    verdicts = {}

    def push():
        # Photon noise (variance grows with the level) and read noise.
        frame = still + rng.normal(0, 1, still.shape) * np.sqrt(still) \
            + rng.normal(0, 30, still.shape)
        data = np.clip(frame, 0, 65535).astype('<u2').tobytes()
        buf = Gst.Buffer.new_allocate(None, len(data), None)
        buf.fill(0, data)
        src.emit('push-buffer', buf)
        counts['pushed'] += 1
        return True

    def on_message(bus, msg):
        if msg.type == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            if s.get_name() == 'blockdrift':
                counts['frames'] += 1
                v = s.get_string('verdict')
                verdicts[v] = verdicts.get(v, 0) + 1
            elif s.get_name() == 'blockcorr-alarm':
                counts['alarms'] += 1
                print('alarm: %s' % s.to_string())
        elif msg.type in (Gst.MessageType.ERROR, Gst.MessageType.WARNING):
            counts['problems'] += 1
            err = msg.parse_error()[0] if msg.type == Gst.MessageType.ERROR \
                else msg.parse_warning()[0]
            print('%s: %s' % (Gst.MessageType.get_name(msg.type), err.message))
        return True

    loop = GLib.MainLoop()
    bus = pipeline.get_bus()
    bus.add_watch(GLib.PRIORITY_DEFAULT, on_message)
    pipeline.set_state(Gst.State.PLAYING)
    GLib.timeout_add(1000 // FPS, push)
    start = time.monotonic()
    GLib.timeout_add_seconds(int(seconds), loop.quit)
    loop.run()
    pipeline.set_state(Gst.State.NULL)
    elapsed = time.monotonic() - start
    print('%.0f s: %d frames pushed, %d analysed (%.1f per second), verdicts '
          '%r, %d alarms, %d errors or warnings'
          % (elapsed, counts['pushed'], counts['frames'],
             counts['frames'] / elapsed, verdicts, counts['alarms'],
             counts['problems']))
    ok = counts['alarms'] == 0 and counts['problems'] == 0 \
        and counts['frames'] > 0.5 * counts['pushed'] > 0
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
