#!/usr/bin/env bash
# Sensing margin against comparator offset, ENOB and offset trim. From the repository root:
#   bash experiments/sensing_margin/run.sh         # the campaign (~12 min on 2 cores), then the figures
#   bash experiments/sensing_margin/run.sh plots   # only the figures
set -euo pipefail
here=experiments/sensing_margin
out=results/sensing_margin
mkdir -p "$out"
if [[ ${1:-} != plots ]]; then
  ./build/rapmc run "$here/margin.toml" --out "$out/margin.h5" --force
fi
py=/usr/bin/python3
for trim in trim none; do
  $py plots/sweep.py "$out/margin.h5" --x hardware.adc.comparator_wl_um2 --logx \
    --where hardware.calibration.offset_trim=$trim \
    --metrics code_error_rate margin_p01_lsb accuracy --target code_error_rate=1e-3 \
    --title "Sensing margin: matched K = 2^b − 1 against comparator size, offset trim: $trim" \
    --out "$here/code_error_vs_comparator_$trim.png"
done
$py plots/margin_histogram.py "$out/margin.h5" --where hardware.adc.comparator_wl_um2=0.1 hardware.calibration.offset_trim=trim \
  --title "Matched K, ENOB; default comparators (σ 11 mV), trimmed" --out "$here/margin_by_enob.png"
$py plots/margin_histogram.py "$out/margin.h5" --where hardware.adc.enob=3 hardware.adc.comparator_wl_um2=0.1 \
  --title "RAP default K = 7, 3-bit flash, 0.1 µm²: trimmed or not" --out "$here/margin_by_trim.png"
$py plots/summary_table.py "$out/margin.h5" --metrics code_error_rate margin_p01_lsb accuracy energy_j area_mm2 \
  --target code_error_rate=1e-3
