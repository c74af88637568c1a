#!/usr/bin/env bash
# RAP vs conventional under the same PVT. From the repository root, after building:
#   bash experiments/rap_vs_conventional/run.sh         # the three campaigns (~5 min on 2 cores), then the figures
#   bash experiments/rap_vs_conventional/run.sh plots   # only the figures, from results/rap_vs_conventional/*.h5
set -euo pipefail
here=experiments/rap_vs_conventional
out=results/rap_vs_conventional
mkdir -p "$out"
if [[ ${1:-} != plots ]]; then
  for c in rap conventional_flare conventional; do
    ./build/rapmc run "$here/$c.toml" --out "$out/$c.h5" --force
  done
fi
py=/usr/bin/python3
$py plots/accuracy_distribution.py "$out"/{rap,conventional_flare,conventional}.h5 \
  --labels "RAP: flare, sparse K=7, 3-bit flash" "flare on conventional: dense, 8-bit SAR" \
           "conventional: ptq-dqq, dense, 8-bit SAR" \
  --title "RAP vs conventional, same PVT (DESIGN §4 defaults, TT, 27 °C)" --out "$here/accuracy.png"
$py plots/margin_histogram.py "$out"/{rap,conventional}.h5 --title "RAP vs conventional" --out "$here/margin.png"
$py plots/summary_table.py "$out"/{rap,conventional_flare,conventional}.h5 \
  --metrics accuracy flip_rate code_error_rate margin_p01_lsb energy_j area_mm2
