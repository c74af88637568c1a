#!/usr/bin/env bash
# The ThreadSanitizer build (docs/building.md, "Sanitizers and fuzzing"): Clang 14 with
# -fsanitize=thread, MPI off; runs the tests that drive one engine or one trial from several
# threads (ctest label `threads`). Any data race fails it.
#   scripts/check-threads.sh [build folder, default build-tsan]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-tsan}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRAPMC_MPI=OFF \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 -DRAPMC_TSAN=ON >/dev/null
cmake --build "$build" --target test_sense_chain test_mc rapmc
ctest --test-dir "$build" -L threads --output-on-failure
