#!/usr/bin/env bash
# The floors checker must reject an upward include: run it on a tiny tree with one.
set -euo pipefail
checker="$1"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/include/rapmc/core" "$tmp/include/rapmc/mc" "$tmp/src/core"
echo '#pragma once' > "$tmp/include/rapmc/mc/campaign.h"
printf '#pragma once\n#include "rapmc/mc/campaign.h"\n' > "$tmp/include/rapmc/core/errors.h"
echo '#include "rapmc/core/errors.h"' > "$tmp/src/core/errors.cpp"
if bash "$checker" "$tmp" 2> "$tmp/err"; then
  echo "floors selftest: the checker accepted core -> mc"; exit 1
fi
grep -q 'include/rapmc/core/errors.h (floor 0) includes "mc/campaign.h" (floor 8)' "$tmp/err" || { cat "$tmp/err"; exit 1; }
# and a clean tree passes
printf '#pragma once\n' > "$tmp/include/rapmc/core/errors.h"
bash "$checker" "$tmp" > /dev/null
echo "floors selftest: upward include rejected, clean tree accepted"
