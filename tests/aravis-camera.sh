#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A real camera source end to end: aravis's fake GigE Vision camera on the
# loopback interface, aravissrc -> tee -> blockcorr (sink_1 mirrored, so r is
# not trivially 1) -> PNG heatmaps, with the element messages on the bus.
# Used by `meson test --suite camera` with GST_PLUGIN_PATH pointing at the
# build's plugin.  Exit 77 (skipped) where aravis or loopback networking is
# missing.  Usage: tests/aravis-camera.sh [WORK_DIR]
#
# The camera is opened by its address (camera-name=127.0.0.1), not by its
# name: opened by name on a host that also has another interface, aravis may
# take the discovery answer that came in on that interface, point the
# camera's stream at that interface's address and, when it runs with
# CAP_NET_RAW (as root), listen with a packet socket bound to that interface
# while the packets travel on lo.  No frame ever arrives, and aravissrc ends
# after its 2 s buffer timeout with "Internal data stream error" (see the
# README's aravissrc recipe).  320x240 frames keep each frame's burst of
# packets inside the default UDP receive buffer, which an unprivileged
# aravis (no packet socket) reads from.
set -uo pipefail

work="${1:-$(mktemp -d)}"
frames=30
min_frames=15          # heatmaps and messages the run must produce at least
width=320 height=240   # 20 x 15 blocks of 16 x 16
serial="BW$$"          # our camera among any others on the loopback
serial="${serial:0:15}"
name="Aravis-Fake-$serial"

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

for tool in arv-fake-gv-camera-0.8 arv-tool-0.8; do
  command -v "$tool" >/dev/null ||
    skip "$tool not found (Debian: apt-get install aravis-tools aravis-tools-cli)"
done
for tool in gst-launch-1.0 gst-inspect-1.0 timeout od; do
  command -v "$tool" >/dev/null || skip "$tool not found"
done
gst-inspect-1.0 aravissrc >/dev/null 2>&1 ||
  skip "GStreamer element aravissrc not found (Debian: apt-get install libaravis-0.8-0)"
gst-inspect-1.0 blockcorr >/dev/null 2>&1 ||
  fail "blockcorr not found (GST_PLUGIN_PATH=${GST_PLUGIN_PATH:-unset})"
for el in tee queue videoflip videoconvert pngenc multifilesink; do
  gst-inspect-1.0 "$el" >/dev/null 2>&1 ||
    skip "GStreamer element $el not found (gst-plugins-base/-good)"
done
if [ -r /sys/class/net/lo/flags ] && (( ($(cat /sys/class/net/lo/flags) & 1) == 0 )); then
  skip "the loopback interface lo is down"
fi

mkdir -p "$work" || fail "cannot create $work"
cd "$work" || fail "cannot enter $work"
rm -f heat_*.png first_*.png camera.log launch.log first.log

# Devices on the loopback address.  Another camera (fake or not) answering at
# 127.0.0.1 would take our connection by address, and two fake cameras bound
# to the same port disturb each other: skip rather than test the wrong one.
devices_on_lo() { timeout 10 arv-tool-0.8 2>/dev/null | grep -F '(127.0.0.1)'; }
if others=$(devices_on_lo); then
  skip "a GigE Vision device already answers on 127.0.0.1 ($(tr '\n' ' ' <<<"$others")); stop it to run this test"
fi

cam_pid=
cleanup() {
  if [ -n "$cam_pid" ]; then
    kill "$cam_pid" 2>/dev/null
    wait "$cam_pid" 2>/dev/null
  fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

arv-fake-gv-camera-0.8 -i 127.0.0.1 -s "$serial" >camera.log 2>&1 &
cam_pid=$!

# Wait until discovery sees it (about 1 s per round).
seen=
for _ in $(seq 15); do
  if ! kill -0 "$cam_pid" 2>/dev/null; then
    cat camera.log
    cam_pid=
    skip "the fake camera could not start on 127.0.0.1 (no loopback networking?)"
  fi
  listed=$(devices_on_lo)
  case "$listed" in *"$name (127.0.0.1)"*) seen=1; break ;; esac
  sleep 0.5
done
[ -n "$seen" ] || skip "the fake camera $name on 127.0.0.1 is not discoverable (UDP on lo blocked?)"

# The run: aravis's stream statistics (ARV_DEBUG=stream:3) go to the log, so
# a failure shows whether packets arrived at all.
ARV_DEBUG=stream:3 timeout 60 gst-launch-1.0 -m \
  aravissrc camera-name=127.0.0.1 num-buffers=$frames \
    ! video/x-raw,format=GRAY8,width=$width,height=$height ! tee name=t \
  t. ! queue ! c.sink_0 \
  t. ! queue ! videoflip video-direction=horiz ! c.sink_1 \
  blockcorr name=c ! videoconvert ! pngenc ! multifilesink location=heat_%04d.png \
  >launch.log 2>&1
rc=$?

report() {
  echo "--- gst-launch-1.0 (exit $rc), last lines:"
  grep -v '^Got message .*(state-changed)' launch.log | tail -n 40
  echo "--- fake camera:"
  tail -n 20 camera.log
}
if [ $rc -ne 0 ]; then
  report
  if grep -q 'Internal data stream error' launch.log; then
    echo "hint: aravissrc got no complete frame within its 2 s buffer timeout;" \
         "see n_received_packets above"
  fi
  fail "the pipeline did not end cleanly"
fi

n_png=$(find . -maxdepth 1 -name 'heat_*.png' | wc -l)
msgs=$(grep -F 'from element "c" (element): blockcorr,' launch.log)
n_msg=$(printf '%s' "$msgs" | grep -c .)
echo "heatmaps: $n_png, blockcorr messages: $n_msg (of $frames camera frames)"
[ "$n_png" -ge $min_frames ] || { report; fail "only $n_png heatmaps"; }
[ "$n_msg" -ge $min_frames ] || { report; fail "only $n_msg blockcorr messages"; }

# Every heatmap a PNG of the grid's size (one pixel per block).
for f in heat_*.png; do
  sig=$(od -An -tx1 -N8 "$f" | tr -d ' \n')
  [ "$sig" = 89504e470d0a1a0a ] || fail "$f is not a PNG"
  size=$(od -An -tu1 -j16 -N8 "$f" | awk '{print $3*256+$4 "x" $7*256+$8}')
  [ "$size" = "20x15" ] || fail "$f is $size, not 20x15"
done

# The messages describe that grid, and the mirrored branch is no copy: the
# fake camera's diagonal ramp against its mirror image is far from r = 1.
bad=$(grep -cv 'cols=(uint)20, rows=(uint)15,' <<<"$msgs")
[ "$bad" -eq 0 ] || fail "$bad messages without cols=20, rows=15"
means=$(echo "$msgs" | sed -n 's/.* mean=(double)\([^,]*\),.*/\1/p')
[ "$(echo "$means" | grep -c .)" -eq "$n_msg" ] || fail "messages without a mean"
awk '{ if ($1 == "nan" || $1 > 0.9) bad++ } END { exit bad > 0 }' <<<"$means" ||
  fail "mean r of a mirrored frame near 1 or undefined: $(tr '\n' ' ' <<<"$means" | cut -c1-200)"
echo "first message: $(echo "$msgs" | head -n 1 | sed 's/.*blockcorr, //' | cut -c1-240)..."
echo "ok: $name on 127.0.0.1 -> aravissrc -> tee -> blockcorr"

# One camera against its own first frame (blockdrift reference=first): one
# heatmap per camera frame, and every message names the same reference frame
# (pts-0).
ARV_DEBUG=stream:3 timeout 60 gst-launch-1.0 -m \
  aravissrc camera-name=127.0.0.1 num-buffers=$frames \
    ! video/x-raw,format=GRAY8,width=$width,height=$height \
  ! blockdrift reference=first search-radius=1 output=heatmap ! videoconvert ! pngenc \
  ! multifilesink location=first_%04d.png >first.log 2>&1
rc=$?
[ $rc -eq 0 ] || { tail -n 40 first.log; fail "reference=first: the pipeline did not end cleanly"; }
n_png=$(find . -maxdepth 1 -name 'first_*.png' | wc -l)
msgs=$(grep -F 'blockdrift, frame=' first.log)
n_msg=$(printf '%s' "$msgs" | grep -c .)
echo "reference=first: heatmaps: $n_png, blockdrift messages: $n_msg (of $frames camera frames)"
[ "$n_png" -ge $min_frames ] && [ "$n_msg" -ge $min_frames ] ||
  fail "reference=first: only $n_png heatmaps and $n_msg messages"
# One result per camera frame: a late frame is not analysed twice.
[ "$n_png" -le "$frames" ] && [ "$n_msg" -eq "$n_png" ] ||
  fail "reference=first: $n_png heatmaps and $n_msg messages for $frames frames"
refs=$(echo "$msgs" | sed -n 's/.* pts-0=(guint64)\([0-9]*\),.*/\1/p' | sort -u | wc -l)
[ "$refs" -eq 1 ] || fail "reference=first: $refs different reference frames (pts-0)"
echo "ok: $name on 127.0.0.1 -> aravissrc -> blockdrift reference=first"
