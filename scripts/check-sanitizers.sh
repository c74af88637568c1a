#!/usr/bin/env bash
# The checking build (docs/building.md, "Sanitizers and fuzzing"): Clang with AddressSanitizer
# and UndefinedBehaviorSanitizer, the quick unit tests (ctest label `quick`) and each libFuzzer
# target for a short time (label `fuzz`, RAPMC_FUZZ_SECONDS each). Any finding fails it.
#   scripts/check-sanitizers.sh [build folder, default build-san] [fuzz seconds, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-san}" seconds="${2:-20}"
bash scripts/checking-build.sh "$build" "$seconds" rapmc  # configures, so ctest knows the tests
quick=$(ctest --test-dir "$build" -N -L quick | sed -n 's/^ *Test *#[0-9]*: //p' | sed 's/_sanitized$//' | sort -u)
fuzz=$(ctest --test-dir "$build" -N -L fuzz | sed -n 's/^ *Test *#[0-9]*: //p')
# shellcheck disable=SC2086
bash scripts/checking-build.sh "$build" "$seconds" $quick $fuzz
# Leak checking stays on for the unit tests (tests/fuzz/lsan.supp lists no suppression).
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir "$build" -L 'quick|fuzz' --output-on-failure
