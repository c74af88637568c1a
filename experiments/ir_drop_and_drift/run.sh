#!/usr/bin/env bash
# IR drop and drift, RAP against conventional. From the repository root, after building:
#   bash experiments/ir_drop_and_drift/run.sh         # the campaigns (~45 min on 2 cores), then the figures and tables
#   bash experiments/ir_drop_and_drift/run.sh plots   # only the figures and tables, from results/ir_drop_and_drift/*.h5
set -euo pipefail
here=experiments/ir_drop_and_drift
out=results/ir_drop_and_drift
mkdir -p "$out"
all=(rap_wires conventional_wires rap_lines conventional_lines rap_drift conventional_drift
     rap_mitigations conventional_mitigations rap_crossover conventional_crossover)
rapmc=${RAPMC:-./build/rapmc}
# `run.sh mitigations`: only the calibration-through-the-wires, mitigation and crossover campaigns.
if [[ ${1:-} == mitigations ]]; then
  all=(rap_mitigations conventional_mitigations rap_crossover conventional_crossover)
fi
if [[ ${1:-} != plots ]]; then
  for c in "${all[@]}"; do
    "$rapmc" run "$here/$c.toml" --out "$out/$c.h5" --force
  done
fi
py=/usr/bin/python3
if [[ ${1:-} == mitigations ]]; then
  $py plots/summary_table.py "$out"/{rap,conventional}_{mitigations,crossover}.h5 --metrics accuracy code_error_rate margin_p01_lsb
  exit 0
fi
$py plots/sweep.py "$out"/{rap_wires,conventional_wires}.h5 --labels "RAP" "conventional" \
  --x hardware.wires.row_segment_ohm --tied hardware.wires.bitline_segment_ohm \
  --metrics accuracy code_error_rate margin_p01_lsb \
  --title "IR drop: row and bitline segment resistance (Ω per cell pitch)" --out "$here/wires.png"
$py plots/sweep.py "$out"/rap_drift.h5 --x operating_point.time_s --logx \
  --metrics accuracy code_error_rate --title "RAP: drift after programming" --out "$here/rap_drift.png"
$py plots/sweep.py "$out"/conventional_drift.h5 --x operating_point.time_s --logx \
  --metrics accuracy code_error_rate --title "conventional: drift after programming" --out "$here/conventional_drift.png"
$py plots/summary_table.py "$out"/{rap_wires,conventional_wires,rap_lines,conventional_lines}.h5 \
  --metrics accuracy code_error_rate margin_p01_lsb
echo
$py plots/summary_table.py "$out"/{rap_drift,conventional_drift}.h5 --metrics accuracy code_error_rate
echo
$py plots/summary_table.py "$out"/{rap,conventional}_{mitigations,crossover}.h5 --metrics accuracy code_error_rate margin_p01_lsb
