#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz, each for a given time, from the seed corpus in
# tests/fuzz/corpus/<target> (docs/building.md, "Sanitizers and fuzzing").
#   scripts/fuzz.sh [--build DIR] [--seconds N] [target ...]
# --build    a build folder configured with -DRAPMC_FUZZ=ON, targets built (default: build-san,
#            configured and built here as scripts/checking-build.sh does)
# --seconds  time per target (default 60)
# targets    default: all five
# Inputs the fuzzer finds are kept in DIR/fuzz/corpus/<target>; a crash is saved as
# DIR/fuzz/findings/<target>/crash-* and ends the script with a non-zero status.
set -euo pipefail
cd "$(dirname "$0")/.."
build="" seconds=60 targets=()
while (($#)); do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
((${#targets[@]})) || targets=(fuzz_campaign fuzz_hardware fuzz_idx fuzz_model fuzz_int_model)
if [[ -z "$build" ]]; then
  build=build-san
  bash scripts/checking-build.sh "$build" 20 "${targets[@]}"
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
for t in "${targets[@]}"; do
  corpus="$build/fuzz/corpus/$t" findings="$build/fuzz/findings/$t"
  mkdir -p "$corpus" "$findings"
  start=$(date +%s)
  if "$build/tests/fuzz/$t" "$corpus" "tests/fuzz/corpus/$t" -max_total_time="$seconds" \
       -timeout=20 -rss_limit_mb=3072 -max_len=8192 -artifact_prefix="$findings/" \
       -print_final_stats=1 >"$build/fuzz/$t.log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/fuzz/$t.log" | grep -o '[0-9]*$' || echo "?")
    echo "fuzz: $t ran $runs inputs in $(($(date +%s) - start)) s, no findings"
  else
    status=1
    echo "fuzz: $t FOUND A PROBLEM after $(($(date +%s) - start)) s (input saved in $findings):" >&2
    grep -E -A25 'ERROR: |runtime error|uncaught|deadly signal|timeout' "$build/fuzz/$t.log" | head -60 >&2
  fi
done
exit $status
