#!/usr/bin/env bash
# ADC resolution: K x ENOB on RAP, ENOB on the conventional design. From the repository root:
#   bash experiments/adc_resolution/run.sh         # the campaigns (~60 min on 2 cores), then the figures and tables
#   bash experiments/adc_resolution/run.sh plots   # only the figures
set -euo pipefail
here=experiments/adc_resolution
out=results/adc_resolution
mkdir -p "$out"
if [[ ${1:-} != plots ]]; then
  for c in rap_k_enob conventional_enob rap_sensitivity conventional_sensitivity; do
    ./build/rapmc run "$here/$c.toml" --out "$out/$c.h5" --force
  done
fi
py=/usr/bin/python3
$py plots/sweep.py "$out/rap_k_enob.h5" --x hardware.adc.enob --group hardware.schedule.k \
  --metrics accuracy code_error_rate saturation_rate --title "RAP: ADC bits and rows per read" --out "$here/k_enob.png"
$py plots/error_vs_cost.py "$out"/{rap_k_enob,conventional_enob}.h5 \
  --labels "RAP: sparse, flash (K, b swept)" "conventional: dense, SAR (b swept)" --out "$here/error_vs_cost.png"
$py plots/summary_table.py "$out"/{rap_k_enob,conventional_enob}.h5 \
  --metrics accuracy code_error_rate saturation_rate energy_j energy_adc_j area_mm2 reads
echo
$py plots/summary_table.py "$out"/{rap_sensitivity,conventional_sensitivity}.h5 \
  --metrics accuracy code_error_rate margin_p01_lsb
