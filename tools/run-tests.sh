#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole test suite from a fresh Debian 12 machine: installs the
# dependencies, builds, runs `meson test`, then builds again with
# AddressSanitizer + UndefinedBehaviorSanitizer and runs the suite once more.
# Usage: tools/run-tests.sh [--no-sanitizers]
set -euo pipefail

top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"

bash tools/setup-deps.sh

meson setup build --reconfigure >/dev/null 2>&1 || meson setup build
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

if [ "${1:-}" = "--no-sanitizers" ]; then
  exit 0
fi

# Sanitized build.  gst-plugin-scanner and gst-inspect-1.0 are not built with
# ASan and cannot load the sanitized plugin, so the registry is scanned in
# the test process itself, and the tests run by those programs or by Python
# (gst-inspect, the recipes and the camera test through gst-launch, the
# Python example) are left to the first run.
meson setup build-asan --reconfigure -Db_sanitize=address,undefined \
  -Db_lundef=false -Dbuildtype=debug >/dev/null 2>&1 \
  || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
       -Dbuildtype=debug
ninja -C build-asan
export GST_REGISTRY_FORK=no
# Only the system plugins the tests use: scanning every installed plugin
# inside a sanitized process reports their own start-up leaks (fontconfig,
# udev, ...), which are not ours.
gst_sys=$(pkg-config --variable=pluginsdir gstreamer-1.0)
mkdir -p build-asan/system-plugins
for p in coreelements videotestsrc app videofilter playback typefindfunctions \
    videoconvertscale png; do
  ln -sf "$gst_sys/libgst$p.so" build-asan/system-plugins/
done
export GST_PLUGIN_SYSTEM_PATH_1_0="$top/build-asan/system-plugins"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Full unwinding: system libraries have no frame pointers, and leak stacks
# must reach our code (and the suppressions must see _dl_init).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0
export LSAN_OPTIONS=suppressions="$top/tests/lsan.supp":print_suppressions=0
meson test -C build-asan --print-errorlogs --no-suite inspect --no-suite python --no-suite recipes \
  --no-suite camera --timeout-multiplier 3
