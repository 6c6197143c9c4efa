#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# gst-blockwise: blockcorr next to ffmpeg's ssim filter and a numpy version.
#
#   bench/compare-ffmpeg.sh [N_FRAMES]       (default 60 frames; REPS=5)
#   FORMAT=GRAY8 bench/compare-ffmpeg.sh     (8-bit frames; default GRAY16_LE)
#
# 1. Writes two raw 1920x1080 files of N frames in FORMAT into a temp dir:
#    videotestsrc snow, and snow rotated by 180 degrees (textured
#    everywhere, so every 16x16 block is valid: the costly case).
# 2. Times (wall clock of the whole process, median of REPS runs, divided by
#    N) blockcorr n-threads=1 reading both files through rawvideoparse;
# 3. the same pipeline with the two rawvideoparse into fakesinks (the I/O
#    baseline);
# 4. if ffmpeg is on PATH, ffmpeg's ssim filter on gray16le (one filter
#    thread; checks that ffmpeg inserts no scaler), and its I/O baseline;
# 5. if /usr/bin/python3 has numpy, a vectorised numpy version of the same
#    per-block statistics (exact sums in int64, then means, standard
#    deviations and r in float64).
#
# All times include process start-up; the baselines show how much.  Uses
# GST_PLUGIN_PATH if set, else the build directory next to this script.
# Installs nothing.

set -euo pipefail

N=${1:-60}
REPS=${REPS:-5}
W=1920
H=1080
BLOCK=16
FORMAT=${FORMAT:-GRAY16_LE}
case "$FORMAT" in
  GRAY16_LE) parse_fmt=gray16-le; ff_fmt=gray16le; np_dtype='<u2' ;;
  GRAY8) parse_fmt=gray8; ff_fmt=gray; np_dtype='u1' ;;
  *) echo "FORMAT is GRAY16_LE or GRAY8" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
export GST_PLUGIN_PATH=${GST_PLUGIN_PATH:-$here/../build/gst}
if ! gst-inspect-1.0 blockcorr > /dev/null 2>&1; then
  echo "blockcorr not found (GST_PLUGIN_PATH=$GST_PLUGIN_PATH)" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
A=$tmp/a.raw
B=$tmp/b.raw

caps="video/x-raw,format=$FORMAT,width=$W,height=$H"
gst-launch-1.0 -q videotestsrc num-buffers="$N" pattern=snow ! "$caps" \
  ! filesink location="$A"
# videoflip's "method" property is ignored here (GStreamer 1.22.0): use
# video-direction.
gst-launch-1.0 -q videotestsrc num-buffers="$N" pattern=snow ! "$caps" \
  ! videoflip video-direction=180 ! filesink location="$B"
if cmp -s "$A" "$B"; then
  echo "error: the two inputs are identical" >&2
  exit 1
fi

# run_median NAME CMD...: runs CMD REPS times (output to $tmp/log), prints
# the median wall time in seconds.
run_median () {
  local times=() i t0 t1
  for ((i = 0; i < REPS; i++)); do
    t0=$EPOCHREALTIME
    "$@" > "$tmp/log" 2>&1 || { cat "$tmp/log" >&2; echo "failed: $*" >&2; exit 1; }
    t1=$EPOCHREALTIME
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

parse="rawvideoparse format=$parse_fmt width=$W height=$H framerate=30/1"
# The same work as ssim's: the block sums and statistics, no displacement
# search and no background estimate (not the element's defaults).
gst_blockcorr () {
  gst-launch-1.0 -q filesrc location="$A" ! $parse ! c.sink_0 \
    filesrc location="$B" ! $parse ! c.sink_1 \
    blockcorr name=c n-threads=1 block-width=$BLOCK block-height=$BLOCK \
    search-radius=0 min-intensity=0 ! fakesink sync=false
}
gst_io () {
  gst-launch-1.0 -q filesrc location="$A" ! $parse ! fakesink sync=false \
    filesrc location="$B" ! $parse ! fakesink sync=false
}
rawin="-f rawvideo -pix_fmt $ff_fmt -s ${W}x$H"
ffmpeg_ssim () {
  ffmpeg -hide_banner -nostats -filter_threads 1 $rawin -i "$A" $rawin -i "$B" \
    -lavfi ssim -f null -
}
ffmpeg_io () {
  ffmpeg -hide_banner -nostats $rawin -i "$A" $rawin -i "$B" \
    -map 0:v -map 1:v -f null -
}
numpy_stats () {
  /usr/bin/python3 - "$A" "$B" "$N" "$W" "$H" "$BLOCK" "$np_dtype" << 'EOF'
import sys
import numpy as np

path_a, path_b = sys.argv[1], sys.argv[2]
n, w, h, bs = (int(x) for x in sys.argv[3:7])
dtype = sys.argv[7]
rows, cols = h // bs, w // bs          # trim partial blocks, as blockcorr
fa = np.memmap(path_a, dtype=dtype, mode='r', shape=(n, h, w))
fb = np.memmap(path_b, dtype=dtype, mode='r', shape=(n, h, w))
npix = bs * bs
check = 0.0
for f in range(n):
    a = np.asarray(fa[f, :rows * bs, :cols * bs], dtype=np.int64)
    b = np.asarray(fb[f, :rows * bs, :cols * bs], dtype=np.int64)
    a = a.reshape(rows, bs, cols, bs)
    b = b.reshape(rows, bs, cols, bs)
    sa = a.sum(axis=(1, 3))
    sb = b.sum(axis=(1, 3))
    saa = (a * a).sum(axis=(1, 3))
    sbb = (b * b).sum(axis=(1, 3))
    sab = (a * b).sum(axis=(1, 3))
    # Exact centred moments (n*Sxx - Sx^2 < 2^49), then float64.
    va = (npix * saa - sa * sa).astype(np.float64)
    vb = (npix * sbb - sb * sb).astype(np.float64)
    cov = (npix * sab - sa * sb).astype(np.float64)
    mean_a = sa / npix
    mean_b = sb / npix
    sd_a = np.sqrt(va) / npix
    sd_b = np.sqrt(vb) / npix
    with np.errstate(divide='ignore', invalid='ignore'):
        r = np.where((va > 0) & (vb > 0), cov / np.sqrt(va * vb), np.nan)
    check += float(np.nansum(r)) + float(mean_a[0, 0] + mean_b[0, 0]
                                         + sd_a[0, 0] + sd_b[0, 0])
print(check)
EOF
}

per_frame_ms () {
  awk -v t="$1" -v n="$N" 'BEGIN { printf "%.3f", t * 1000 / n }'
}
ratio () {
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

echo "$FORMAT ${W}x$H, $N frames, ${BLOCK}x$BLOCK blocks, median of $REPS runs,"
echo "wall time of the whole process / $N (start-up included)"
echo

t_bc=$(run_median gst_blockcorr)
t_io=$(run_median gst_io)
printf '%-44s %10s %10s\n' "measurement" "s total" "ms/frame"
printf '%-44s %10.3f %10s\n' "gst blockcorr n-threads=1" "$t_bc" "$(per_frame_ms "$t_bc")"
printf '%-44s %10.3f %10s\n' "gst I/O baseline (rawvideoparse ! fakesink)" "$t_io" "$(per_frame_ms "$t_io")"

t_ff=
if command -v ffmpeg > /dev/null 2>&1; then
  # ssim must run on the frames as they are: no auto-inserted scaler.
  ffmpeg -hide_banner -nostats -v verbose -filter_threads 1 $rawin -i "$A" \
    $rawin -i "$B" -lavfi ssim -f null - > "$tmp/ffv.log" 2>&1
  if grep -q "auto_scale\|auto-inserting" "$tmp/ffv.log"; then
    echo "warning: ffmpeg inserted a format conversion before ssim:" >&2
    grep "auto_scale\|auto-inserting" "$tmp/ffv.log" >&2
  fi
  t_ff=$(run_median ffmpeg_ssim)
  t_ffio=$(run_median ffmpeg_io)
  printf '%-44s %10.3f %10s\n' "ffmpeg ssim, filter_threads 1" "$t_ff" "$(per_frame_ms "$t_ff")"
  printf '%-44s %10.3f %10s\n' "ffmpeg I/O baseline (-f null, no filter)" "$t_ffio" "$(per_frame_ms "$t_ffio")"
else
  echo "ffmpeg: not on PATH, skipped"
fi

t_np=
if /usr/bin/python3 -c 'import numpy' > /dev/null 2>&1; then
  t_np=$(run_median numpy_stats)
  printf '%-44s %10.3f %10s\n' "numpy per-block stats (1 thread, vectorised)" "$t_np" "$(per_frame_ms "$t_np")"
else
  echo "numpy: /usr/bin/python3 has no numpy, skipped"
fi

echo
if [ -n "$t_ff" ]; then
  printf '%-44s %10s\n' "ratio ffmpeg ssim / blockcorr" "$(ratio "$t_ff" "$t_bc")"
fi
if [ -n "$t_np" ]; then
  printf '%-44s %10s\n' "ratio numpy / blockcorr" "$(ratio "$t_np" "$t_bc")"
fi
