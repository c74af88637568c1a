#!/usr/bin/env bash
# Configures (if needed) and builds the checking build (docs/building.md, "Sanitizers and
# fuzzing"): Clang 14, AddressSanitizer + UndefinedBehaviorSanitizer, the libFuzzer targets,
# MPI off. Used by check-sanitizers.sh and fuzz.sh.
#   scripts/checking-build.sh BUILD_DIR FUZZ_SECONDS [target ...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=$1 seconds=$2
shift 2
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRAPMC_MPI=OFF \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DRAPMC_SANITIZE=ON -DRAPMC_FUZZ=ON -DRAPMC_FUZZ_SECONDS="$seconds" >/dev/null
cmake --build "$build" --target "$@"
