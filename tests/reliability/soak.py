#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Soak test for blockcorr: a live pipeline whose properties change while it runs.

    /usr/bin/python3 tests/reliability/soak.py [SECONDS]   (normally through soak.sh beside it)

Pipeline (live, clock-synchronised, 30 fps, 640x480 GRAY16_LE):

    videotestsrc is-live=true pattern=ball ! caps ! tee
      tee. ! queue ! blockcorr.sink_0
      tee. ! queue ! videoflip video-direction=horiz ! blockcorr.sink_1
    blockcorr ! fakesink sync=true

Every CHANGE_INTERVAL seconds one property of blockcorr is changed (round robin
over block-width, block-height, edge-mode, output-size, measure, colormap,
n-threads, post-messages, each stepping through its own value list, so the
combinations keep changing).  Just before each change the negotiated caps on
blockcorr's src pad are checked against what the current properties imply.

Counted: buffers entering sink_0 / sink_1 and leaving src (pad probes that
do not touch the buffer, so the driver itself allocates nothing per frame),
"blockcorr" element messages (with a consistency check of cols/rows/valid/
invalid against the block size they report), caps changes on src, the longest
wall-clock gap between two output buffers (stalls).

Resident memory (VmRSS of this process) is sampled after a WARMUP-second
warm-up (the baseline), every minute and at the end.

The run fails (exit 1) on:
  * any ERROR or WARNING message on the bus;
  * RSS growth from baseline to end above RSS_BOUND_MIB (10 MiB).  Noise
    bound: the buffer pools for the largest configuration (output-size=input,
    RGBA 640x480 = 1.2 MB per buffer) plus heap fragmentation stay well
    below that; a per-frame leak of even 100 bytes over 10 min (18000 frames)
    is only 1.7 MiB, so the bound catches leaks of ~600+ bytes/frame or any
    per-change leak of ~50 KiB (200 changes);
  * frames out outside [expected - 30 - 0.5%, expected + 5], where expected =
    30 fps x seconds from PLAYING to the stop (the 30-frame slack covers
    start-up: clock start, first negotiation, latency);
  * sink_0 or sink_1 counts differing from frames out by more than 30 + 0.5%;
  * a stall: no output buffer for more than STALL_S seconds;
  * the src caps not matching the properties (checked ~3 s after a change);
  * an inconsistent element message (cols/rows/valid+invalid).
"""
import os
import sys
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

FPS = 30
WIDTH, HEIGHT = 640, 480
WARMUP = 10.0
CHANGE_INTERVAL = 3.0
RSS_BOUND_MIB = 10.0
STALL_S = 2.0
START_SLACK = 30          # frames
REL_TOL = 0.005

# Property schedule: name -> list of values (strings for Gst.util_set_object_arg).
SCHEDULE = [
    ("block-width", ["8", "32", "64", "16"]),
    ("output-size", ["input", "grid"]),
    ("block-height", ["64", "8", "32", "16"]),
    ("measure", ["covariance", "mean-0", "mean-1", "stddev-0", "stddev-1", "pearson"]),
    ("edge-mode", ["partial", "trim"]),
    ("colormap", ["viridis", "magma", "gray", "coolwarm"]),
    ("n-threads", ["1", "2", "0"]),
    ("post-messages", ["false", "true"]),
]


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def mib(kib):
    return kib / 1024.0


class Soak:
    def __init__(self, seconds):
        self.seconds = seconds
        self.failures = []
        self.n_in = [0, 0]
        self.n_out = 0
        self.n_msgs = 0
        self.n_msg_bad = 0
        self.msg_bad_examples = []
        self.n_changes = 0
        self.n_caps_events = 0
        self.caps_seen = set()
        self.caps_mismatch = 0
        self.caps_mismatch_examples = []
        self.last_out_wall = None
        self.max_gap = 0.0
        self.max_gap_at = 0.0
        self.max_gap_change = "none"
        self.last_change = "none"
        self.warnings = []
        self.sched_pos = [0] * len(SCHEDULE)
        self.tick = 0
        self.rss_samples = []   # (t, kib)
        self.rss_base = None
        self.t0 = None
        self.stopping = False
        self.last_frame_field = None
        self.frame_field_gaps = 0

        desc = (
            "videotestsrc name=src is-live=true pattern=ball ! "
            f"video/x-raw,format=GRAY16_LE,width={WIDTH},height={HEIGHT},framerate={FPS}/1 ! "
            "tee name=t "
            "t. ! queue name=q0 ! c.sink_0 "
            "t. ! queue name=q1 ! videoflip video-direction=horiz ! c.sink_1 "
            "blockcorr name=c ! fakesink name=sink sync=true"
        )
        self.pipeline = Gst.parse_launch(desc)
        self.c = self.pipeline.get_by_name("c")
        for i in range(2):
            pad = self.c.get_static_pad(f"sink_{i}")
            pad.add_probe(Gst.PadProbeType.BUFFER, self.on_in, i)
        src = self.c.get_static_pad("src")
        src.add_probe(Gst.PadProbeType.BUFFER, self.on_out, None)
        src.add_probe(Gst.PadProbeType.EVENT_DOWNSTREAM, self.on_src_event, None)
        self.srcpad = src

        self.loop = GLib.MainLoop()
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_message)

    # ---- probes (streaming threads): count only, never touch the buffer ----
    def on_in(self, pad, info, idx):
        self.n_in[idx] += 1
        return Gst.PadProbeReturn.OK

    def on_out(self, pad, info, _):
        now = time.monotonic()
        if self.last_out_wall is not None:
            gap = now - self.last_out_wall
            if gap > self.max_gap:
                self.max_gap = gap
                self.max_gap_at = now - self.t0
                self.max_gap_change = self.last_change
        self.last_out_wall = now
        self.n_out += 1
        return Gst.PadProbeReturn.OK

    def on_src_event(self, pad, info, _):
        ev = info.get_event()
        if ev.type == Gst.EventType.CAPS:
            self.n_caps_events += 1
            s = ev.parse_caps().get_structure(0)
            self.caps_seen.add((s.get_value("format"), s.get_value("width"),
                                s.get_value("height")))
        return Gst.PadProbeReturn.OK

    # ---- bus (main loop) ----
    def on_message(self, bus, msg):
        t = msg.type
        if t == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            if s is not None and s.get_name() == "blockcorr":
                self.n_msgs += 1
                self.check_msg(s)
        elif t == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            self.fail(f"ERROR from {msg.src.get_name()}: {err.message} ({dbg})")
            self.loop.quit()
        elif t == Gst.MessageType.WARNING:
            err, dbg = msg.parse_warning()
            self.fail(f"WARNING from {msg.src.get_name()}: {err.message} ({dbg})")
            self.loop.quit()
        elif t == Gst.MessageType.EOS:
            if self.stopping:
                self.loop.quit()
            else:
                self.fail("unexpected EOS")
                self.loop.quit()
        return True

    def check_msg(self, s):
        ok_f, frame = s.get_uint64("frame")
        if self.last_frame_field is not None and frame != self.last_frame_field + 1:
            self.frame_field_gaps += 1   # expected while post-messages=false
        self.last_frame_field = frame
        cols = s.get_value("cols")
        rows = s.get_value("rows")
        bw = s.get_value("block-width")
        bh = s.get_value("block-height")
        valid = s.get_value("valid")
        invalid = s.get_value("invalid")
        ok = (
            bw and bh
            and cols in (WIDTH // bw, -(-WIDTH // bw))
            and rows in (HEIGHT // bh, -(-HEIGHT // bh))
            and valid + invalid == cols * rows
        )
        if not ok:
            self.n_msg_bad += 1
            if len(self.msg_bad_examples) < 5:
                self.msg_bad_examples.append(s.to_string())

    # ---- property changes ----
    def expected_caps(self):
        c = self.c
        if c.get_property("output-size") == 1 or \
                str(c.get_property("output-size")).find("INPUT") >= 0:
            return WIDTH, HEIGHT
        bw = c.get_property("block-width")
        bh = c.get_property("block-height")
        em = c.get_property("edge-mode")
        partial = int(em) == 1
        if partial:
            return -(-WIDTH // bw), -(-HEIGHT // bh)
        return WIDTH // bw, HEIGHT // bh

    def check_caps(self):
        caps = self.srcpad.get_current_caps()
        if caps is None:
            got = None
        else:
            s = caps.get_structure(0)
            got = (s.get_value("width"), s.get_value("height"))
        exp = self.expected_caps()
        if got != exp:
            self.caps_mismatch += 1
            if len(self.caps_mismatch_examples) < 5:
                self.caps_mismatch_examples.append(
                    f"t={time.monotonic() - self.t0:.1f}s expected {exp} got {got}")

    def on_change(self):
        if self.stopping:
            return False
        self.check_caps()
        i = self.tick % len(SCHEDULE)
        name, values = SCHEDULE[i]
        v = values[self.sched_pos[i] % len(values)]
        self.sched_pos[i] += 1
        Gst.util_set_object_arg(self.c, name, v)
        self.last_change = f"{name}={v} at t={time.monotonic() - self.t0:.1f}s"
        self.n_changes += 1
        self.tick += 1
        return True

    # ---- timeline ----
    def on_warmup_done(self):
        self.rss_base = rss_kib()
        self.rss_samples.append((time.monotonic() - self.t0, self.rss_base))
        print(f"[{time.monotonic() - self.t0:6.1f}s] RSS start (after {WARMUP:.0f}s warm-up): "
              f"{mib(self.rss_base):.1f} MiB  frames in {self.n_in[0]}/{self.n_in[1]} "
              f"out {self.n_out}  msgs {self.n_msgs}  changes {self.n_changes}", flush=True)
        return False

    def on_minute(self):
        if self.stopping:
            return False
        now = time.monotonic() - self.t0
        r = rss_kib()
        self.rss_samples.append((now, r))
        growth = mib(r - self.rss_base) if self.rss_base is not None else float("nan")
        print(f"[{now:6.1f}s] RSS {mib(r):.1f} MiB (growth {growth:+.2f} MiB)  "
              f"frames in {self.n_in[0]}/{self.n_in[1]} out {self.n_out}  "
              f"msgs {self.n_msgs}  changes {self.n_changes}  caps-events {self.n_caps_events}",
              flush=True)
        return True

    def on_stall_check(self):
        if self.stopping or self.last_out_wall is None:
            return not self.stopping
        gap = time.monotonic() - self.last_out_wall
        if gap > STALL_S:
            self.fail(f"stall: no output buffer for {gap:.1f}s at t={time.monotonic() - self.t0:.1f}s")
            self.loop.quit()
            return False
        return True

    def on_end(self):
        self.finish_counts()
        self.stopping = True
        self.pipeline.send_event(Gst.Event.new_eos())
        GLib.timeout_add(5000, self.on_eos_timeout)
        return False

    def on_eos_timeout(self):
        print("note: EOS did not arrive within 5 s after stop; tearing down anyway", flush=True)
        self.loop.quit()
        return False

    def finish_counts(self):
        if getattr(self, "final", None) is not None:
            return
        self.elapsed = time.monotonic() - self.t0
        self.final = dict(n_in=list(self.n_in), n_out=self.n_out, n_msgs=self.n_msgs,
                          rss=rss_kib())

    def fail(self, why):
        print("FAIL: " + why, flush=True)
        self.failures.append(why)

    def run(self):
        print(f"soak: blockcorr live 640x480 GRAY16_LE @{FPS}fps for {self.seconds}s, "
              f"a property change every {CHANGE_INTERVAL:.0f}s, pid {os.getpid()}", flush=True)
        self.final = None
        ret = self.pipeline.set_state(Gst.State.PLAYING)
        if ret == Gst.StateChangeReturn.FAILURE:
            print("FAIL: could not set PLAYING")
            return 1
        self.t0 = time.monotonic()
        GLib.timeout_add(int(WARMUP * 1000), self.on_warmup_done)
        GLib.timeout_add(int(CHANGE_INTERVAL * 1000), self.on_change)
        GLib.timeout_add(60 * 1000, self.on_minute)
        GLib.timeout_add(500, self.on_stall_check)
        GLib.timeout_add(int(self.seconds * 1000), self.on_end)
        self.loop.run()
        self.finish_counts()
        self.pipeline.set_state(Gst.State.NULL)
        rss_after_null = rss_kib()
        return self.report(rss_after_null)

    def report(self, rss_after_null):
        f = self.final
        el = self.elapsed
        expected = int(round(FPS * el))
        tol_lo = START_SLACK + int(REL_TOL * expected)
        n_out = f["n_out"]
        print("---- soak summary ----")
        print(f"duration          : {el:.1f} s (requested {self.seconds} s)")
        if self.rss_base is not None:
            growth = mib(f["rss"] - self.rss_base)
            print(f"RSS start         : {mib(self.rss_base):.1f} MiB (after {WARMUP:.0f} s warm-up)")
            print(f"RSS end           : {mib(f['rss']):.1f} MiB (growth {growth:+.2f} MiB, "
                  f"bound {RSS_BOUND_MIB:.0f} MiB)")
            peak = max(k for _, k in self.rss_samples + [(el, f['rss'])])
            print(f"RSS peak sampled  : {mib(peak):.1f} MiB; after set_state(NULL): "
                  f"{mib(rss_after_null):.1f} MiB")
            if len(self.rss_samples) >= 3:
                # least-squares slope over the samples after the baseline
                pts = self.rss_samples + [(el, f["rss"])]
                n = len(pts)
                mx = sum(t for t, _ in pts) / n
                my = sum(k for _, k in pts) / n
                sxx = sum((t - mx) ** 2 for t, _ in pts)
                sxy = sum((t - mx) * (k - my) for t, k in pts)
                slope = (sxy / sxx) * 60 / 1024 if sxx else 0.0
                print(f"RSS trend         : {slope:+.3f} MiB/min (least squares over {n} samples)")
            if growth > RSS_BOUND_MIB:
                self.fail(f"RSS grew {growth:.2f} MiB > {RSS_BOUND_MIB} MiB")
        else:
            print("RSS start         : (run shorter than warm-up, no baseline)")
        print(f"frames in         : sink_0 {f['n_in'][0]}, sink_1 {f['n_in'][1]}")
        print(f"frames out        : {n_out} (expected {expected} = {FPS} fps x {el:.1f} s, "
              f"accepted {expected - tol_lo}..{expected + 5})")
        print(f"element messages  : {f['n_msgs']} (inconsistent: {self.n_msg_bad}; "
              f"frame-number gaps: {self.frame_field_gaps}, expected from post-messages=false)")
        print(f"property changes  : {self.n_changes}")
        print(f"caps events (src) : {self.n_caps_events}, distinct caps {len(self.caps_seen)}: "
              f"{sorted(self.caps_seen, key=lambda x: (x[1], x[2]))}")
        print(f"caps checks failed: {self.caps_mismatch}")
        for e in self.caps_mismatch_examples:
            print(f"   {e}")
        for e in self.msg_bad_examples:
            print(f"   bad message: {e}")
        print(f"longest output gap: {self.max_gap * 1000:.0f} ms (at t={self.max_gap_at:.1f}s; "
              f"last change before it: {self.max_gap_change})")

        if not (expected - tol_lo <= n_out <= expected + 5):
            self.fail(f"frames out {n_out} outside {expected - tol_lo}..{expected + 5}")
        for i in range(2):
            if abs(f["n_in"][i] - n_out) > tol_lo:
                self.fail(f"sink_{i} frames {f['n_in'][i]} vs out {n_out} differ by more than {tol_lo}")
        if self.caps_mismatch:
            self.fail(f"{self.caps_mismatch} caps checks failed")
        if self.n_msg_bad:
            self.fail(f"{self.n_msg_bad} inconsistent element messages")
        if f["n_msgs"] == 0:
            self.fail("no element messages")
        if self.failures:
            print(f"RESULT: FAIL ({len(self.failures)} problem(s))")
            return 1
        print("RESULT: PASS")
        return 0


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 600.0
    Gst.init(None)
    if Gst.ElementFactory.find("blockcorr") is None:
        print("FAIL: blockcorr not found (GST_PLUGIN_PATH?)", file=sys.stderr)
        return 2
    return Soak(seconds).run()


if __name__ == "__main__":
    sys.exit(main())
