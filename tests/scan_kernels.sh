#!/usr/bin/env bash
# Fails if any given object file or static library contains a floating-point instruction
# (x87, SSE/AVX scalar or packed float, conversions), uses an xmm/ymm/zmm register for
# anything but integer SIMD, a divide instruction, or calls a math-library function.
set -euo pipefail
[[ $# -gt 0 ]] || { echo "usage: scan_kernels.sh OBJECT..."; exit 2; }
fail=0
# ctest passes CMake lists as one ';'-separated argument: split them.
objs=()
for a in "$@"; do IFS=';' read -ra parts <<<"$a"; objs+=("${parts[@]}"); done
for obj in "${objs[@]}"; do
  [[ -f "$obj" ]] || { echo "scan_kernels: missing $obj"; exit 2; }
  dis=$(objdump -d --no-show-raw-insn "$obj")
  ninsn=$(grep -cE '^\s+[0-9a-f]+:' <<<"$dis" || true)
  float=$(grep -E '^\s+[0-9a-f]+:\s+(f[a-z0-9]+|v?(add|sub|mul|div|sqrt|min|max|rcp|rsqrt|round|cmp|comi|ucomi|fmadd|fmsub|fnmadd|fnmsub)[a-z0-9]*(ss|sd|ps|pd|sh)|v?cvt[a-z0-9]*)\b' <<<"$dis" || true)
  div=$(grep -E '^\s+[0-9a-f]+:\s+i?div[bwlq]?\b' <<<"$dis" || true)
  calls=$(grep -E 'call.*<(sqrt|exp|log|pow|erf|tanh|floor|ceil|round|__div|__udiv|__mod|__umod)' <<<"$dis" || true)
  echo "scan_kernels: $obj: $ninsn instructions"
  if [[ -n "$float$div$calls" ]]; then
    echo "$float"; echo "$div"; echo "$calls"
    echo "scan_kernels: FAIL: float or divide instruction in $obj"
    fail=1
  fi
done
if ((fail)); then echo "0 passed, 1 failed"; exit 1; fi
echo "1 passed, 0 failed"
