#!/usr/bin/env bash
# Per-layer attribution on the default RAP design. From the repository root:
#   bash experiments/layer_attribution/run.sh         # the campaign (~3 min on 2 cores), then the figure
#   bash experiments/layer_attribution/run.sh plots   # only the figure
set -euo pipefail
here=experiments/layer_attribution
out=results/layer_attribution
mkdir -p "$out"
if [[ ${1:-} != plots ]]; then
  ./build/rapmc run "$here/attribution.toml" --out "$out/attribution.h5" --force
fi
py=/usr/bin/python3
$py plots/layer_attribution.py "$out/attribution.h5" --title "Per-layer attribution, RAP (K = 7, 3-bit flash), default variation (docs/configuration.md)" \
  --out "$here/layers.png"
$py plots/summary_table.py "$out/attribution.h5" --metrics accuracy flip_rate code_error_rate
