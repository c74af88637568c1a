#!/usr/bin/env bash
# RAP vs conventional under the same PVT. From the repository root, after building:
#   bash experiments/rap_vs_conventional/run.sh         # the five campaigns (~12 min on 2 cores), then the figures
#   bash experiments/rap_vs_conventional/run.sh plots   # only the figures, from results/rap_vs_conventional/*.h5
set -euo pipefail
here=experiments/rap_vs_conventional
out=results/rap_vs_conventional
mkdir -p "$out"
if [[ ${1:-} != plots ]]; then
  for c in rap conventional_flare conventional rap_margin conventional_margin; do
    ./build/rapmc run "$here/$c.toml" --out "$out/$c.h5" --force
  done
fi
py=/usr/bin/python3
$py plots/accuracy_distribution.py "$out"/{rap,conventional_flare,conventional,rap_margin,conventional_margin}.h5 \
  --labels "RAP: flare, sparse K=7, 3-bit flash" "flare on conventional: dense, 8-bit SAR" \
           "conventional: ptq-dqq, dense, 8-bit SAR" "RAP with margin: K=3, 2-bit flash, WL 0.4 µm²" \
           "conventional, 6-bit SAR, WL 0.4 µm²" \
  --title "RAP vs conventional, same PVT (default variation, TT, 27 °C)" --out "$here/accuracy.png"
$py plots/margin_histogram.py "$out"/{rap,conventional,rap_margin,conventional_margin}.h5 --title "RAP vs conventional" \
  --out "$here/margin.png"
$py plots/error_vs_cost.py "$out"/{rap,conventional_flare,conventional,rap_margin,conventional_margin}.h5 \
  --labels "RAP" "flare on conventional" "conventional" "RAP with margin" "conventional 6-bit" --out "$here/error_vs_cost.png"
$py plots/summary_table.py "$out"/{rap,conventional_flare,conventional,rap_margin,conventional_margin}.h5 \
  --metrics accuracy flip_rate code_error_rate margin_p01_lsb energy_j area_mm2
