#!/usr/bin/env bash
# Rewrites the golden dumps of the regression campaigns from the current build:
#   tests/regression/regenerate.sh [BUILD_DIR]     (default: build)
# A golden changes only when the numbers a campaign produces change. Such a commit must say
# why (which model change moves which trials, and by how much); a restructuring that moves a
# golden is a bug, not a new golden.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
cd "$root"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for campaign in tests/regression/campaigns/*.toml; do
  name="$(basename "$campaign" .toml)"
  "$build/rapmc" run "$campaign" --out "$tmp/$name.h5" --no-progress --quiet
  "$build/tests/rapmc_results_dump" "$tmp/$name.h5" > "tests/regression/golden/$name.txt"
  echo "regenerate: tests/regression/golden/$name.txt ($(wc -l < "tests/regression/golden/$name.txt") lines)"
done
echo "regenerate: explain the change of goldens in the commit message (git diff tests/regression/golden)"
