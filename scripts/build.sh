#!/usr/bin/env bash
# Configure and build into a build folder (default: build/, Release). Quiet when up to date.
#   scripts/build.sh [BUILD_DIR] [extra cmake -D options...]
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-build}"
shift || true
jobs="$(nproc 2>/dev/null || echo 2)"
if [[ ! -f "$dir/CMakeCache.txt" ]]; then
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >"$dir.configure.log" 2>&1 ||
    { cat "$dir.configure.log" >&2; exit 1; }
  rm -f "$dir.configure.log"
fi
log="$(mktemp)"
if ! cmake --build "$dir" -j "$jobs" >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
# Surface compiler warnings even when the build succeeds: the code base is warning-free.
grep -E "warning:" "$log" >&2 || true
rm -f "$log"
