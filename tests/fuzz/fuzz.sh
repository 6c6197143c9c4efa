#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds the libFuzzer harnesses (clang, ASan + UBSan + libFuzzer, build dir
# build-fuzz) and runs each one for a while, one after the other.
#
# Usage: tests/fuzz/fuzz.sh [SECONDS_PER_FUZZER] [FUZZER...]
#   SECONDS_PER_FUZZER  default 600 (or $FUZZ_TIME)
#   FUZZER              kernels, element, tiff and/or cli-args (default: all
#                       four)
# Extra libFuzzer flags can be passed in $FUZZ_FLAGS (e.g. "-fork=1
# -ignore_crashes=1" to keep going after a crash).
# FUZZ_ELEMENT_SKIP_KNOWN=1 steers fuzz-element around the crash saved in
# tests/fuzz/regressions/element/eos-without-caps-* (fixed; off by default).
# Corpora are kept in build-fuzz/corpus/<name>/ (and reused by later runs);
# crash, leak and timeout inputs are written to build-fuzz/artifacts/<name>/.
# Replay one with: build-fuzz/tests/fuzz/fuzz-<name> FILE
# Needs tests/meson.build to contain subdir('fuzz').
set -euo pipefail

top="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$top"

time_s="${1:-${FUZZ_TIME:-600}}"
shift || true
fuzzers=("$@")
[ ${#fuzzers[@]} -gt 0 ] || fuzzers=(kernels element tiff cli-args)

missing=0
command -v clang >/dev/null || missing=1
if [ $missing = 0 ]; then
  rt="$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null || true)"
  [ -f "$rt" ] || rt="$(find "$(clang -print-resource-dir)" -name 'libclang_rt.fuzzer*.a' 2>/dev/null | head -n1)"
  [ -n "$rt" ] && [ -f "$rt" ] || missing=1
fi
if [ $missing = 1 ]; then
  echo "fuzz.sh: clang with libFuzzer is needed:" >&2
  echo "  apt-get install clang libclang-rt-14-dev" >&2
  exit 1
fi
if ! grep -q "subdir('fuzz')" tests/meson.build; then
  echo "fuzz.sh: tests/meson.build lacks subdir('fuzz')" >&2
  exit 1
fi

# The whole project gets coverage instrumentation (fuzzer-no-link), so that
# libFuzzer sees the kernels and the plugin too; the harnesses link libFuzzer.
opts=(-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized
  -Dc_args=-fsanitize=fuzzer-no-link)
if [ -d build-fuzz ]; then
  meson setup build-fuzz --reconfigure "${opts[@]}" >/dev/null
else
  CC=clang meson setup build-fuzz "${opts[@]}"
fi
ninja -C build-fuzz

export GST_REGISTRY_FORK=no
export FUZZ_ELEMENT_SKIP_KNOWN="${FUZZ_ELEMENT_SKIP_KNOWN:-0}"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export LSAN_OPTIONS=suppressions="$top/tests/lsan.supp":print_suppressions=0

status=0
for f in "${fuzzers[@]}"; do
  corpus="build-fuzz/corpus/$f"
  artifacts="build-fuzz/artifacts/$f"
  mkdir -p "$corpus" "$artifacts"
  # The saved regression inputs seed the corpus (for tiff: small files of
  # several layouts and multi-page stacks, some damaged or with shared strip
  # data, so the fuzzer starts inside the format).
  cp -n tests/fuzz/regressions/"$f"/* "$corpus"/ 2>/dev/null || true
  echo "== fuzz-$f for ${time_s}s; corpus $corpus; crashes go to $artifacts/"
  # shellcheck disable=SC2086
  build-fuzz/tests/fuzz/fuzz-$f -max_total_time="$time_s" -timeout=10 \
    -rss_limit_mb=4096 -max_len=4096 -len_control=0 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" ${FUZZ_FLAGS:-} "$corpus" || status=$?
done
echo "Crash/leak/timeout inputs (if any): build-fuzz/artifacts/*/"
echo "Minimise one with: build-fuzz/tests/fuzz/fuzz-NAME -minimize_crash=1 -runs=10000 FILE"
exit $status
