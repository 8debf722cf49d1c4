#!/usr/bin/env bash
# Build the libFuzzer targets (fuzz/, docs/fuzzing.md) into build-fuzz/ with clang and run each for
# a bounded time, starting from the seed corpora in fuzz/corpus/<target>/.
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 30 s, every target)
# Fails when any target reports a finding (crash, uncaught exception, sanitizer report, timeout,
# out-of-memory); the input that triggered it is copied to out/fuzz/findings/ with a line on how to
# reproduce it. Inputs that found new coverage accumulate in out/fuzz/corpus/<target>/ (never in the
# seed folders), so later runs start further along.
# Environment: PADE_FUZZ_BUILD (default build-fuzz), PADE_FUZZ_OUT (default out/fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then targets=(hardware campaign npy trace); fi
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || ((seconds < 1)); then
  echo "fuzz: SECONDS_PER_TARGET must be a whole number >= 1, got '$seconds'" >&2
  exit 2
fi
for t in "${targets[@]}"; do
  if [[ ! -d "fuzz/corpus/$t" ]]; then
    echo "fuzz: unknown target '$t' (expected one of: $(ls fuzz/corpus | tr '\n' ' '))" >&2
    exit 2
  fi
done
build="${PADE_FUZZ_BUILD:-build-fuzz}"
out="${PADE_FUZZ_OUT:-out/fuzz}"

# -O1 with line tables: quick to build, fast enough to fuzz, stack traces with file:line.
scripts/build.sh "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
  "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" -DPADE_FUZZ=ON -DPADE_BUILD_TESTS=OFF -DPADE_BUILD_BENCH=OFF

mkdir -p "$out/findings"
failed=()
for t in "${targets[@]}"; do
  bin="$build/fuzz/fuzz_$t"
  seeds="fuzz/corpus/$t"
  corpus="$out/corpus/$t"
  artifacts="$out/artifacts/$t"
  log="$out/$t.log"
  mkdir -p "$corpus" "$artifacts"
  rm -f "$artifacts"/*
  # Dictionaries (fuzz/dict/): tokens the mutations insert — YAML syntax and schema keys, .npy
  # header words.
  case "$t" in
    hardware) dicts=(yaml) ;;
    campaign) dicts=(yaml campaign) ;;
    *) dicts=(npy) ;;
  esac
  dict="$out/$t.dict"
  for d in "${dicts[@]}"; do cat "fuzz/dict/$d.dict"; done >"$dict"
  rc=0
  started=$SECONDS
  # New inputs go to the first corpus folder (ours); the seeds are read only. Leaks are findings.
  ASAN_OPTIONS="detect_leaks=1" UBSAN_OPTIONS="print_stacktrace=1" \
    "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -dict="$dict" -artifact_prefix="$artifacts/" "$corpus" "$seeds" >"$log" 2>&1 || rc=$?
  elapsed=$((SECONDS - started))
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
  cov="$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)"
  summary="fuzz: $t: ${execs:-?} executions in ${elapsed} s (${speed:-?}/s), coverage ${cov:-?},"
  summary+=" corpus $(find "$corpus" -type f | wc -l) + $(find "$seeds" -type f | wc -l) seeds"
  shopt -s nullglob
  found=("$artifacts"/*)
  shopt -u nullglob
  if ((rc != 0)) || ((${#found[@]} > 0)); then
    echo "$summary: FINDING (exit $rc)" >&2
    # What went wrong, and where in our sources (the libFuzzer frames say nothing).
    grep -E "ERROR: |runtime error:|SUMMARY: |uncaught exception|what\(\)" "$log" | head -n 10 >&2 || true
    grep -E "^ +#[0-9]+ .* in .* $PWD/[^ ]+:[0-9]+" "$log" | head -n 8 >&2 || true
    for f in "${found[@]}"; do
      kept="$out/findings/$t-$(basename "$f")"
      cp "$f" "$kept"
      echo "fuzz:   input kept in $kept; reproduce with: $bin $kept" >&2
    done
    echo "fuzz:   full log: $log" >&2
    failed+=("$t")
  else
    echo "$summary: no finding"
  fi
done
if ((${#failed[@]} > 0)); then
  echo "fuzz: findings in: ${failed[*]} (docs/fuzzing.md: turn each into a regression input)" >&2
  exit 1
fi
