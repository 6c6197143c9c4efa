#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs the README's recipes that need no hardware, on files it makes itself,
# and checks that each produced what the README says.  Used by `meson test`
# (suite "recipes") with GST_PLUGIN_PATH pointing at the build's plugin.
# Usage: tests/recipes.sh [WORK_DIR]
set -euo pipefail

work="${1:-$(mktemp -d)}"
mkdir -p "$work"
cd "$work"
fail=0
pass=0
check() {                     # check NAME FILE...: every FILE exists, non-empty
  local name=$1; shift
  for f in "$@"; do
    if [ ! -s "$f" ]; then echo "FAIL: $name: $f missing"; fail=$((fail + 1)); return; fi
  done
  echo "ok: $name"; pass=$((pass + 1))
}
run() { gst-launch-1.0 -q "$@" >/dev/null; }

# Inputs: two 16-bit gray PNG pairs, a sequence, raw dumps.
pattern="videotestsrc pattern=zone-plate kx2=12 ky2=20 kxy=8 kx=20"
gray16="video/x-raw,format=GRAY16_LE,width=320,height=240,framerate=10/1"
run $pattern num-buffers=1 ! $gray16 ! videoconvert ! video/x-raw,format=GRAY16_BE ! pngenc ! filesink location=a.png
run $pattern num-buffers=1 ! $gray16 ! twirl angle=1.0 radius=0.3 ! videoconvert ! video/x-raw,format=GRAY16_BE ! pngenc ! filesink location=b.png
run $pattern num-buffers=3 ! $gray16 ! videoconvert ! video/x-raw,format=GRAY16_BE ! pngenc ! multifilesink location=a_%04d.png
run $pattern num-buffers=3 ! $gray16 ! twirl ! videoconvert ! video/x-raw,format=GRAY16_BE ! pngenc ! multifilesink location=b_%04d.png
run $pattern num-buffers=5 ! $gray16 ! filesink location=a.raw
run $pattern num-buffers=5 ! $gray16 ! twirl ! filesink location=b.raw

# Recipe: two 16-bit PNG files -> heatmap.png at the input size.
run blockcorr name=c output-size=input ! videoconvert ! pngenc ! filesink location=heatmap.png \
  filesrc location=a.png ! pngdec ! c.sink_0  filesrc location=b.png ! pngdec ! c.sink_1
check "two PNG files" heatmap.png

# Recipe: PNG sequences -> one heatmap per pair.
run blockcorr name=c ! videoconvert ! pngenc ! multifilesink location=heat_%04d.png \
  multifilesrc location=a_%04d.png caps=image/png,framerate=1/1 ! pngdec ! c.sink_0 \
  multifilesrc location=b_%04d.png caps=image/png,framerate=1/1 ! pngdec ! c.sink_1
check "PNG sequence (multifilesrc)" heat_0000.png heat_0001.png heat_0002.png
run blockcorr name=c ! videoconvert ! pngenc ! multifilesink location=iseq_%04d.png \
  imagesequencesrc location=a_%04d.png framerate=1/1 ! pngdec ! c.sink_0 \
  imagesequencesrc location=b_%04d.png framerate=1/1 ! pngdec ! c.sink_1
check "PNG sequence (imagesequencesrc)" iseq_0000.png iseq_0002.png

# Recipe: raw camera dumps.
run blockcorr name=c ! videoconvert ! pngenc ! multifilesink location=raw_%04d.png \
  filesrc location=a.raw ! rawvideoparse format=gray16-le width=320 height=240 framerate=10/1 ! c.sink_0 \
  filesrc location=b.raw ! rawvideoparse format=gray16-le width=320 height=240 framerate=10/1 ! c.sink_1
check "raw dumps (rawvideoparse)" raw_0000.png raw_0004.png

# Recipe: 16-bit TIFF files (tiffdec, picked by decodebin), and a stack.
/usr/bin/python3 - <<'PY'
import numpy as np, tifffile
a = np.fromfile('a.raw', dtype='<u2', count=320 * 240).reshape(240, 320)
b = np.fromfile('b.raw', dtype='<u2', count=320 * 240).reshape(240, 320)
tifffile.imwrite('a.tif', a)
tifffile.imwrite('b.tif', b)
tifffile.imwrite('stack.tif', np.stack([a, b, a]), photometric='minisblack')
PY
run blockcorr name=c ! videoconvert ! pngenc ! filesink location=tiff-heatmap.png \
  filesrc location=a.tif ! decodebin ! c.sink_0  filesrc location=b.tif ! decodebin ! c.sink_1
check "16-bit TIFF (decodebin)" tiff-heatmap.png
run blockcorr name=c ! videoconvert ! pngenc ! multifilesink location=stack_%04d.png \
  filesrc location=stack.tif ! decodebin ! c.sink_0  filesrc location=a.tif ! decodebin ! imagefreeze num-buffers=3 ! video/x-raw,framerate=1/1 ! c.sink_1
check "TIFF stack against one image (decodebin)" stack_0000.png stack_0002.png

# Recipe: the command line, a pair and a stack (exit 1: these need registration).
gst-blockcorr -q -o "pair result" a.tif b.tif || [ $? -eq 1 ]
check "gst-blockcorr, a pair" "pair result/heatmap.png" "pair result/r.tif" "pair result/summary.csv"
gst-blockcorr -q -o stack-result a.tif stack.tif || [ $? -eq 1 ]
check "gst-blockcorr, a stack" stack-result/heatmap-0002.png stack-result/median-r.png

# Recipe: live test source, heatmap laid over the reference with compositor.
run videotestsrc is-live=true num-buffers=10 pattern=zone-plate kx2=12 ky2=20 kxy=8 kx=20 kt=2 \
    ! video/x-raw,format=GRAY8,width=320,height=240,framerate=30/1 ! tee name=t \
  t. ! queue ! c.sink_0  t. ! queue ! twirl ! c.sink_1 \
  t. ! queue ! videoconvert ! mix.sink_0 \
  blockcorr name=c output-size=input ! video/x-raw,format=BGRA ! queue ! mix.sink_1 \
  compositor name=mix sink_1::alpha=0.5 ! videoconvert ! pngenc snapshot=false ! multifilesink location=overlay_%04d.png
check "live overlay (compositor)" overlay_0000.png

# Recipe: reading the results with -m.
gst-launch-1.0 -m blockcorr name=c ! fakesink \
  filesrc location=a.png ! pngdec ! c.sink_0  filesrc location=b.png ! pngdec ! c.sink_1 >messages.txt
grep -q 'blockcorr, frame=(guint64)0' messages.txt && echo "ok: messages (-m)" && pass=$((pass + 1)) \
  || { echo "FAIL: messages (-m)"; fail=$((fail + 1)); }

# Recipe: where and how far a region moved (pasted 2 px right, 1 px down).
run videotestsrc num-buffers=1 pattern=zone-plate kx2=12 ky2=20 kxy=8 kx=20 \
    ! video/x-raw,format=GRAY16_LE,width=640,height=480 ! tee name=t \
  t. ! queue ! videoconvert ! video/x-raw,format=GRAY16_BE ! pngenc ! filesink location=moved-a.png \
  t. ! queue ! mix.sink_0  t. ! queue ! videocrop left=320 top=160 right=160 bottom=160 ! mix.sink_1 \
  compositor name=mix sink_1::xpos=322 sink_1::ypos=161 ! video/x-raw,format=GRAY16_LE,width=640,height=480 \
    ! videoconvert ! video/x-raw,format=GRAY16_BE ! pngenc ! filesink location=moved-b.png
gst-launch-1.0 -m blockcorr name=c search-radius=2 min-intensity=-1 measure=shift output-size=input \
    ! videoconvert ! pngenc ! filesink location=shift.png \
  filesrc location=moved-a.png ! pngdec ! c.sink_0  filesrc location=moved-b.png ! pngdec ! c.sink_1 >moved.txt
check "where and how far (shift heatmap)" shift.png
grep -q 'verdict=(string)needs-registration' moved.txt \
  && grep -qF 'x\=\(uint\)320\,\ y\=\(uint\)160\,\ width\=\(uint\)160\,\ height\=\(uint\)160' moved.txt \
  && echo "ok: where and how far (verdict and region)" && pass=$((pass + 1)) \
  || { echo "FAIL: where and how far (verdict and region)"; fail=$((fail + 1)); }

# Recipe: a drifting sample, the alarm printed by -m.
gst-launch-1.0 -m videotestsrc num-buffers=60 pattern=zone-plate kx2=12 ky2=20 kxy=8 kx=20 horizontal-speed=1 \
    ! video/x-raw,format=GRAY8,width=640,height=480,framerate=30/1 \
  ! blockdrift reference=previous search-radius=2 alarm-frames=3 ! fakesink | grep blockcorr-alarm >alarm.txt || true
[ "$(grep -c 'state=(string)raised' alarm.txt)" -eq 1 ] && echo "ok: drift alarm (-m)" && pass=$((pass + 1)) \
  || { echo "FAIL: drift alarm (-m)"; fail=$((fail + 1)); }

# Recipe: live drift watching, the shift heatmap over the live image
# (frames to files instead of a window).
run videotestsrc is-live=true num-buffers=15 pattern=zone-plate kx2=12 ky2=20 kxy=8 kx=20 horizontal-speed=1 \
    ! video/x-raw,format=GRAY8,width=320,height=240,framerate=30/1 ! tee name=t \
  t. ! queue ! videoconvert ! mix.sink_0 \
  t. ! queue ! blockdrift output=heatmap search-radius=2 alarm-frames=5 measure=shift output-size=input \
    ! video/x-raw,format=BGRA ! queue ! mix.sink_1 \
  compositor name=mix sink_1::alpha=0.5 ! videoconvert ! pngenc snapshot=false ! multifilesink location=drift_%04d.png
check "live drift watching (compositor)" drift_0000.png drift_0010.png

# Recipe: one camera's heatmap against its first frame, one short line.
run videotestsrc num-buffers=5 pattern=zone-plate kx2=12 ky2=20 kxy=8 kx=20 horizontal-speed=1 \
    ! video/x-raw,format=GRAY8,width=320,height=240,framerate=30/1 \
  ! blockdrift output=heatmap measure=shift output-size=input ! videoconvert ! pngenc ! multifilesink location=one-camera_%04d.png
check "one camera's heatmap (output=heatmap)" one-camera_0000.png one-camera_0004.png

# Recipe: correcting drift, the registered frames as 16-bit PNG files.
gst-launch-1.0 -m videotestsrc num-buffers=10 pattern=zone-plate kx2=12 ky2=20 kxy=8 kx=20 horizontal-speed=1 \
    ! video/x-raw,format=GRAY16_LE,width=320,height=240,framerate=30/1 \
  ! blockdrift reference=previous correct=shift border=constant \
  ! videoconvert ! video/x-raw,format=GRAY16_BE ! pngenc ! multifilesink location=registered_%04d.png >registered.txt
check "correcting drift (correct=shift)" registered_0000.png registered_0009.png
[ "$(grep -c 'blockdrift, .*correction=(string)shift' registered.txt)" -eq 10 ] \
  && echo "ok: correcting drift (every frame corrected)" && pass=$((pass + 1)) \
  || { echo "FAIL: correcting drift (every frame corrected)"; fail=$((fail + 1)); }

echo "recipes: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
