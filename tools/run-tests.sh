#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole test suite from a fresh Debian 12 machine: installs the
# dependencies, checks the C files' layout, builds, runs `meson test`, runs
# it again under GStreamer's leaks tracer, builds with clang and warnings
# as errors, builds and tests without ORC and without the x86 SIMD paths
# (and checks that the installed command line finds the installed plugin),
# then builds with AddressSanitizer + UndefinedBehaviorSanitizer and runs
# the suite once more.  A layout difference fails the run at the end; any
# other failure stops it at once.
# Usage: tools/run-tests.sh [--no-sanitizers]
set -euo pipefail

top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"

bash tools/setup-deps.sh

# Configures build directory $1 with the remaining options, or reconfigures
# it when it exists.
setup() {
  local dir=$1
  shift
  meson setup "$dir" --reconfigure "$@" >/dev/null 2>&1 \
    || meson setup "$dir" "$@"
}

layout_ok=1
bash tools/check-indent.sh || layout_ok=0

setup build
ninja -C build
meson test -C build --print-errorlogs

# The whole suite again under GStreamer's leaks tracer.  gst-check fails a
# test that leaves any GstObject, buffer, caps or other mini object alive
# (and both suites check that the tracer is really running); the C example
# and test-readme call gst_deinit() with warnings fatal, so a leak report
# fails them too.  Programs that never call gst_deinit() (gst-launch in the
# recipes, the Python example) and the fuzz replays (no system plugins, so
# no tracer; LeakSanitizer covers them below) run but are not leak-checked.
GST_TRACERS=leaks BW_SKIP_HUGE=1 meson test -C build --print-errorlogs

# clang, every warning an error, and its suite: another compiler's reading
# of the code (evaluation order, floating point, the SIMD intrinsics).
CC=clang setup build-clang -Dwerror=true
ninja -C build-clang
BW_SKIP_HUGE=1 meson test -C build-clang --print-errorlogs

# The portable C kernels alone: no ORC, no AVX2 / AVX-512 paths.  Installed
# into a prefix GStreamer does not scan, the command line must still find
# its plugin there (and not in this build tree).
setup build-plain -Dorc=disabled -Dx86-paths=disabled \
  --prefix="$top/build-plain/prefix"
ninja -C build-plain
meson test -C build-plain --print-errorlogs
meson install -C build-plain --quiet
installed="$top/build-plain/installed-check"
rm -rf "$installed"
mkdir -p "$installed"
for speed in 0 2; do
  gst-launch-1.0 -q videotestsrc num-buffers=1 horizontal-speed=$speed \
    ! video/x-raw,width=96,height=64 ! pngenc \
    ! filesink location="$installed/frame-$speed.png"
done
status=0
env -u GST_PLUGIN_PATH -u GST_PLUGIN_PATH_1_0 \
  GST_REGISTRY="$installed/registry.bin" \
  "$top/build-plain/prefix/bin/gst-blockcorr" -q -o "$installed/out" \
  "$installed/frame-0.png" "$installed/frame-2.png" || status=$?
if [ $status -gt 1 ]; then
  echo "run-tests: the installed gst-blockcorr failed (exit $status)" >&2
  exit 1
fi

if [ "${1:-}" != "--no-sanitizers" ]; then
  # Sanitized build.  gst-plugin-scanner and gst-inspect-1.0 are not built
  # with ASan and cannot load the sanitized plugin, so the registry is
  # scanned in the test process itself, and the tests run by those programs
  # or by Python (gst-inspect, the recipes and the camera test through
  # gst-launch, the Python example) are left to the first run.
  setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
    -Dbuildtype=debug
  ninja -C build-asan
  # Only the system plugins the tests use: scanning every installed plugin
  # inside a sanitized process reports their own start-up leaks
  # (fontconfig, udev, ...), which are not ours.
  gst_sys=$(pkg-config --variable=pluginsdir gstreamer-1.0)
  mkdir -p build-asan/system-plugins
  for p in coreelements videotestsrc app videofilter playback \
      typefindfunctions videoconvertscale png; do
    ln -sf "$gst_sys/libgst$p.so" build-asan/system-plugins/
  done
  # Full unwinding: system libraries have no frame pointers, and leak
  # stacks must reach our code (and the suppressions must see _dl_init).
  GST_REGISTRY_FORK=no \
  GST_PLUGIN_SYSTEM_PATH_1_0="$top/build-asan/system-plugins" \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0 \
  LSAN_OPTIONS=suppressions="$top/tests/lsan.supp":print_suppressions=0 \
    meson test -C build-asan --print-errorlogs --no-suite inspect \
      --no-suite python --no-suite recipes --no-suite camera \
      --timeout-multiplier 3
fi

if [ $layout_ok -eq 0 ]; then
  echo "run-tests: every test passed, but the layout of the C files above" \
    "differs from tools/gst-indent's" >&2
  exit 1
fi
