#!/usr/bin/env bash
# README command (b): set up, build, and run the whole test suite through CTest — once in the
# Release build and once under AddressSanitizer + UndefinedBehaviorSanitizer.
#   scripts/pade-test.sh            both builds
#   PADE_SKIP_SANITIZERS=1 scripts/pade-test.sh   the Release build only (quick local loop)
#   PADE_SKIP_FUZZ=1 scripts/pade-test.sh         without the final fuzzing step
# Last, every libFuzzer target runs for PADE_FUZZ_SECONDS (default 20) seconds (scripts/fuzz.sh,
# docs/fuzzing.md): about 2.5 min with its instrumented build on 2 idle cores, 4 min when shared.
set -euo pipefail
cd "$(dirname "$0")/.."
# Chromium too: the HTML report's test loads it in a headless browser (skipped, with a note, without it).
PADE_WITH_BROWSER=1 scripts/setup.sh
jobs="$(nproc 2>/dev/null || echo 2)"

scripts/build.sh build
(cd build && ctest --output-on-failure -j "$jobs")

if [[ "${PADE_SKIP_SANITIZERS:-0}" != "1" ]]; then
  # -O1 with line tables keeps the sanitizer build quick to compile and the traces readable;
  # benchmarks are skipped.
  scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" -DPADE_SANITIZE=ON \
    -DPADE_BUILD_BENCH=OFF
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j "$jobs")
fi

if [[ "${PADE_SKIP_FUZZ:-0}" != "1" ]]; then
  # Any crash, sanitizer report, uncaught exception other than an InputError, hang or leak on a
  # generated input fails the run; the input is kept in out/fuzz/findings/.
  scripts/fuzz.sh "${PADE_FUZZ_SECONDS:-20}"
fi
