#!/usr/bin/env bash
# Per-layer attribution on the default RAP design. From the repository root:
#   bash experiments/layer_attribution/run.sh         # the campaigns (~20 min on 2 cores), then the figure and tables
#   bash experiments/layer_attribution/run.sh plots   # only the figure
set -euo pipefail
here=experiments/layer_attribution
out=results/layer_attribution
mkdir -p "$out"
if [[ ${1:-} != plots ]]; then
  for c in attribution sensitivity; do
    ./build/rapmc run "$here/$c.toml" --out "$out/$c.h5" --force
  done
fi
py=/usr/bin/python3
$py plots/layer_attribution.py "$out/attribution.h5" --title "Per-layer attribution, RAP (K = 7, 3-bit flash), default variation (docs/configuration.md)" \
  --out "$here/layers.png"
$py plots/summary_table.py "$out/attribution.h5" --metrics accuracy flip_rate code_error_rate
echo
$py plots/summary_table.py "$out/sensitivity.h5" --metrics accuracy code_error_rate \
  layers/embed/mvm_sqnr_db layers/blocks/0/qkv/mvm_sqnr_db layers/blocks/0/fc1/mvm_sqnr_db \
  layers/blocks/0/fc2/mvm_sqnr_db layers/blocks/3/fc2/mvm_sqnr_db layers/head/fc/mvm_sqnr_db
