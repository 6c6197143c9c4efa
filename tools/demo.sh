#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# gst-blockwise demo: do these two images need registering?
#
#   bash tools/demo.sh                          # built-in pair: a test pattern and a twirled copy
#   bash tools/demo.sh a.tif b.tif [OPTIONS]    # your own pair (or stacks): gst-blockcorr's options
#
# Installs the dependencies (apt-get), builds, and runs gst-blockcorr on the
# pair; its results go to OUT_DIR (default demo-output/): heatmap.png, the
# grids as float32 TIFF, summary.csv.  The built-in pair is written there
# too (input-0.png, input-1.png).  BLOCK and THRESHOLD in the environment
# set the block size and the threshold; GST_BLOCKCORR=PROGRAM runs that
# gst-blockcorr (an installed one, or another build's) without the setup and
# the build.  A demo that ran ends with 0, either answer, and says what
# gst-blockcorr's status was (0 registered, 1 needs registration); an error
# (2) or a signal's status is passed on.
set -euo pipefail

top="$(cd "$(dirname "$0")/.." && pwd)"
out="${OUT_DIR:-$PWD/demo-output}"

if [ -n "${GST_BLOCKCORR:-}" ]; then
  prog="$GST_BLOCKCORR"
else
  bash "$top/tools/setup-deps.sh"
  if [ ! -f "$top/build/build.ninja" ]; then
    meson setup "$top/build" >/dev/null
  fi
  ninja -C "$top/build" >/dev/null
  export GST_PLUGIN_PATH="$top/build/gst${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
  prog="$top/build/cli/gst-blockcorr"
fi
mkdir -p "$out"

opts=(-o "$out" --block "${BLOCK:-16}" --threshold "${THRESHOLD:-0.5}")
builtin=0
if [ $# -eq 0 ]; then
  builtin=1
  # A texture-rich pattern and a copy deformed in its centre: the blocks
  # there lose correlation, the rest stay at r = 1.
  gst-launch-1.0 -q videotestsrc num-buffers=1 pattern=zone-plate kx2=12 ky2=20 kxy=8 kx=20 \
      ! video/x-raw,format=GRAY16_LE,width=640,height=480 ! tee name=t \
    t. ! queue ! videoconvert ! video/x-raw,format=GRAY16_BE ! pngenc ! filesink location="$out/input-0.png" \
    t. ! queue ! twirl angle=1.0 radius=0.3 ! videoconvert ! video/x-raw,format=GRAY16_BE \
      ! pngenc ! filesink location="$out/input-1.png"
  set -- "$out/input-0.png" "$out/input-1.png"
elif [ $# -eq 1 ]; then
  echo "usage: $0 [REFERENCE COMPARED [gst-blockcorr options]]" >&2
  exit 2
fi
status=0
"$prog" "${opts[@]}" "$@" || status=$?
case $status in
  0)
    echo "Done: gst-blockcorr's exit status 0: the pair looks registered" \
      "(for stacks: every pair)." ;;
  1)
    if [ "$builtin" = 1 ]; then
      echo "Done: gst-blockcorr's exit status 1: needs registration, as it" \
        "should (the built-in copy is twirled in its centre)."
    else
      echo "Done: gst-blockcorr's exit status 1: needs registration (for" \
        "stacks: some pair)."
    fi ;;
  *) exit "$status" ;;
esac
