#!/usr/bin/env bash
# Fails on an include that goes up the floors (docs/design.md, "Source layout and floors"):
# a file in floor F may include headers of F and of lower floors only. Lower floors reach
# higher ones only through the interfaces they define (infer/mvm_backend.h, implemented by
# pim; pim/device_sampler.h, implemented by variation), which are includes downward.
#   tests/floors.sh [SOURCE_DIR]
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
declare -A FLOOR=([core]=0 [io]=1 [data]=2 [model]=2 [kernels]=3 [quant]=4 [infer]=5 [pim]=6
                  [variation]=7 [mc]=8 [tails]=9 [results]=10 [cli]=11 [python]=12)
status=0
checked=0
floor_of() {  # include/rapmc/<f>/x.h, src/<f>/x.cpp, src/main.cpp
  local p="$1"
  p="${p#include/rapmc/}"
  p="${p#src/}"
  if [[ "$p" == main.cpp ]]; then echo 12; return; fi
  local f="${p%%/*}"
  if [[ -z "${FLOOR[$f]+x}" ]]; then echo "floors: $1: folder '$f' has no floor (add it to tests/floors.sh and docs/design.md)" >&2; echo -1; return; fi
  echo "${FLOOR[$f]}"
}
while IFS= read -r file; do
  from=$(floor_of "$file")
  if ((from < 0)); then status=1; continue; fi
  while IFS= read -r line; do
    target="${line#*\"}"
    target="${target%%\"*}"
    target="${target#rapmc/}"
    folder="${target%%/*}"
    [[ "$target" == */* ]] || continue               # same-folder or generated header (build_info.h)
    [[ -n "${FLOOR[$folder]+x}" ]] || { echo "floors: $file includes \"$target\": folder '$folder' has no floor" >&2; status=1; continue; }
    to=${FLOOR[$folder]}
    checked=$((checked + 1))
    if ((to > from)); then
      echo "floors: $file (floor $from) includes \"$target\" (floor $to): an include up the floors" >&2
      status=1
    fi
  done < <(grep -E '^\s*#\s*include\s+"' "$file" || true)
done < <(find include/rapmc src -name '*.h' -o -name '*.cpp' | sort)
echo "floors: $checked includes checked"
exit $status
