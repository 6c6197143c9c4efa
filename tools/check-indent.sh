#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Lists the C files whose layout differs from tools/gst-indent's (GStreamer's
# C style) and exits 1 if there are any; changes nothing.  -d also prints
# each difference.  Without FILEs: every .c file of the project except those
# a tool generates (orcc's -dist backups, the colormap tables).  Headers are
# left out, as GStreamer leaves them: indent cannot parse G_BEGIN_DECLS.
# Usage: tools/check-indent.sh [-d] [FILE...]
set -euo pipefail

top="$(cd "$(dirname "$0")/.." && pwd)"
show_diff=0
if [ "${1:-}" = "-d" ]; then
  show_diff=1
  shift
fi

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  cd "$top"
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    mapfile -t files < <(git ls-files '*.c')
  else
    mapfile -t files < <(find . -path './build*' -prune -o -name '*.c' \
      -print | sed 's|^\./||' | sort)
  fi
  mapfile -t files < <(printf '%s\n' "${files[@]}" \
    | grep -v -e '-dist\.c$' -e '^render/colormap-tables\.c$')
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
differ=0
for f in "${files[@]}"; do
  "$top/tools/gst-indent" -o "$work/out.c" "$f"
  if ! cmp -s "$f" "$work/out.c"; then
    echo "$f"
    differ=$((differ + 1))
    if [ $show_diff -eq 1 ]; then
      diff -u "$f" "$work/out.c" --label "$f" --label "$f (gst-indent)" || true
    fi
  fi
done
if [ $differ -gt 0 ]; then
  echo "check-indent: $differ of ${#files[@]} files differ from" \
    "tools/gst-indent's layout (run it on them)" >&2
  exit 1
fi
