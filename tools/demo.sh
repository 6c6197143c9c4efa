#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# gst-blockwise demo: do these two images need registering?
#
#   bash tools/demo.sh                 # built-in pair: a test pattern and a twirled copy
#   bash tools/demo.sh a.png b.png     # your own pair (any format decodebin reads)
#
# Installs the dependencies (apt-get), builds the plugin, runs blockcorr on the
# pair and writes heatmap.png (input size) with the two inputs beside it
# (input-0.png, input-1.png) into OUT_DIR (default: demo-output/), then prints
# the summary in plain words.  Options through the environment:
#   OUT_DIR, BLOCK (block side, default 16), THRESHOLD (default 0.5).
set -euo pipefail

top="$(cd "$(dirname "$0")/.." && pwd)"
out="${OUT_DIR:-$PWD/demo-output}"
block="${BLOCK:-16}"
threshold="${THRESHOLD:-0.5}"

bash "$top/tools/setup-deps.sh"
if [ ! -f "$top/build/build.ninja" ]; then
  meson setup "$top/build" >/dev/null
fi
ninja -C "$top/build" >/dev/null
export GST_PLUGIN_PATH="$top/build/gst${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
mkdir -p "$out"

analysis="blockcorr name=c block-width=$block block-height=$block threshold=$threshold output-size=input \
  ! videoconvert ! pngenc ! filesink location=$out/heatmap.png"
# Inputs are analysed as they are when they are gray already (16-bit PNGs
# decode to GRAY16_BE); colour images are reduced to their luma.
gray='video/x-raw,format=(string){GRAY16_BE,GRAY16_LE,GRAY8}'
save() { echo "queue ! videoconvert ! video/x-raw,format=(string){GRAY16_BE,GRAY8} ! pngenc ! filesink location=$out/$1"; }

if [ $# -eq 2 ]; then
  for f in "$1" "$2"; do
    [ -r "$f" ] || { echo "demo: cannot read $f" >&2; exit 1; }
    # The demo writes input-0.png, input-1.png and heatmap.png into $out.
    case "$(realpath "$f")" in
      "$(realpath "$out")"/input-[01].png|"$(realpath "$out")"/heatmap.png)
        echo "demo: $f would be overwritten by the output; copy it elsewhere or set OUT_DIR" >&2
        exit 1;;
    esac
  done
  pipeline="$analysis \
    filesrc location=$1 ! decodebin ! videoconvert ! $gray ! imagefreeze num-buffers=1 ! tee name=t0 \
      t0. ! queue ! c.sink_0  t0. ! $(save input-0.png) \
    filesrc location=$2 ! decodebin ! videoconvert ! $gray ! imagefreeze num-buffers=1 ! tee name=t1 \
      t1. ! queue ! c.sink_1  t1. ! $(save input-1.png)"
elif [ $# -eq 0 ]; then
  # A texture-rich pattern and a copy deformed in its centre: the blocks
  # there lose correlation, the rest stay at r = 1.
  pipeline="$analysis \
    videotestsrc num-buffers=1 pattern=zone-plate kx2=12 ky2=20 kxy=8 kx=20 \
      ! video/x-raw,format=GRAY16_LE,width=640,height=480,framerate=1/1 ! tee name=t \
    t. ! queue ! c.sink_0  t. ! $(save input-0.png) \
    t. ! queue ! twirl angle=1.0 radius=0.3 ! tee name=tw \
    tw. ! queue ! c.sink_1  tw. ! $(save input-1.png)"
else
  echo "usage: $0 [reference-image compared-image]" >&2
  exit 2
fi

log="$out/messages.txt"
# shellcheck disable=SC2086
gst-launch-1.0 -m $pipeline >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
msg="$(grep -m1 'blockcorr, frame=' "$log" || true)"
if [ -z "$msg" ]; then
  echo "demo: no result from blockcorr; see $log" >&2
  exit 1
fi
field() { sed -n "s/.*[ ,]$1=(\\(double\\|uint\\|guint64\\))\\([^,;]*\\).*/\\2/p" <<<"$msg"; }
valid=$(field valid); invalid=$(field invalid); below=$(field below-threshold)
median=$(field median); cols=$(field cols); rows=$(field rows)
awk -v b="$below" -v t="$threshold" -v v="$valid" -v i="$invalid" -v m="$median" \
    -v c="$cols" -v r="$rows" -v o="$out" 'BEGIN {
  if (v == 0) { printf "No valid blocks (%d invalid): the images have no texture to compare.\n", i; exit }
  pct = 100 * b
  verdict = pct > 5 ? "this pair likely needs registration" : "this pair looks registered"
  printf "%.1f%% of valid blocks have r < %s (threshold): %s; %d invalid blocks.\n", pct, t, verdict, i
  printf "Median r over %d of %d x %d blocks: %.3f.  Heatmap: %s/heatmap.png (blue = anti-correlated, white = uncorrelated, red = r near 1).\n", v, c, r, m, o
}'
