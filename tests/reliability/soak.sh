#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Soak test of blockcorr in a live pipeline with properties changing while it runs.
#
#   bash tests/reliability/soak.sh [SECONDS]        # default 600
#
# Runs tests/reliability/soak.py (PyGObject, needs /usr/bin/python3 with python3-gi) against
# the plugin in build/gst.  Exit status 0 = pass; non-zero on any bus ERROR or
# WARNING, RSS growth > 10 MiB after the 10 s warm-up, frames out off the
# expected 30 fps x SECONDS, a stall, or caps/message inconsistencies (see the
# docstring of tests/reliability/soak.py for the exact bounds).  BUILD_DIR overrides build/.
set -euo pipefail

top="$(cd "$(dirname "$0")/../.." && pwd)"
build="${BUILD_DIR:-$top/build}"
seconds="${1:-600}"

[ -f "$build/gst/libgstblockwise.so" ] || { echo "soak: $build/gst/libgstblockwise.so not built" >&2; exit 2; }
export GST_PLUGIN_PATH="$build/gst${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
exec /usr/bin/python3 "$top/tests/reliability/soak.py" "$seconds"
