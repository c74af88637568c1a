#!/usr/bin/env bash
# RAP vs conventional under the same PVT. From the repository root, after building:
#   bash experiments/rap_vs_conventional/run.sh         # the campaigns (~50 min on 2 cores), then the figures and tables
#   bash experiments/rap_vs_conventional/run.sh plots   # only the figures and tables, from results/rap_vs_conventional/*.h5
set -euo pipefail
here=experiments/rap_vs_conventional
out=results/rap_vs_conventional
mkdir -p "$out"
all=(rap conventional rap_untrimmed conventional_untrimmed conventional_flare rap_margin conventional_margin)
if [[ ${1:-} != plots ]]; then
  for c in "${all[@]}" rap_sensitivity conventional_sensitivity; do
    ./build/rapmc run "$here/$c.toml" --out "$out/$c.h5" --force
  done
fi
py=/usr/bin/python3
$py plots/accuracy_distribution.py "$out"/{rap,conventional,rap_untrimmed,conventional_untrimmed,conventional_flare,rap_margin,conventional_margin}.h5 \
  --labels "RAP: flare, K=7, 3-bit flash, trimmed, replica" "conventional: ptq-dqq, dense, 7-bit SAR, trimmed, one-point gain" \
           "RAP untrimmed (as shipped before)" "conventional untrimmed: 8-bit SAR (as shipped before)" \
           "flare on conventional" "RAP K=3, 2-bit flash, WL 0.4 µm², calibrated" "conventional, 6-bit SAR" \
  --title "RAP vs conventional, same PVT (default variation, TT, 27 °C)" --out "$here/accuracy.png"
$py plots/margin_histogram.py "$out"/{rap,conventional,rap_untrimmed,conventional_untrimmed}.h5 --title "RAP vs conventional" \
  --out "$here/margin.png"
$py plots/error_vs_cost.py "$out"/{rap,conventional,rap_untrimmed,conventional_untrimmed,conventional_flare,rap_margin,conventional_margin}.h5 \
  --labels "RAP" "conventional" "RAP untrimmed" "conv. 8-bit untrimmed" "flare on conventional" "RAP K=3" "conventional 6-bit" \
  --out "$here/error_vs_cost.png"
$py plots/summary_table.py "$out"/{rap,conventional,rap_untrimmed,conventional_untrimmed,conventional_flare,rap_margin,conventional_margin}.h5 \
  --metrics accuracy flip_rate code_error_rate saturation_rate margin_p01_lsb energy_j area_mm2
echo
$py plots/summary_table.py "$out"/{rap_sensitivity,conventional_sensitivity}.h5 \
  --metrics accuracy code_error_rate margin_p01_lsb energy_adc_j area_adc_mm2
