#!/usr/bin/env bash
# Chip yield of the shipped RAP design by plain Monte Carlo, importance sampling over the die and
# scaled-sigma sampling (README of this folder). From the repository root, after building:
#   bash experiments/high_sigma/yield/run.sh          # the campaigns (~55 min on 2 cores), then the figure
#   bash experiments/high_sigma/yield/run.sh plots    # only the figure and the reports
set -euo pipefail
here=experiments/high_sigma/yield
out=results/high_sigma/yield
mkdir -p "$out"
run() { ./build/rapmc run "$1" --out "$2" --force --quiet --no-progress "${@:3}"; }
if [[ ${1:-} != plots ]]; then
  # The pilot: the first 200 chips of the plain campaign; its failing chips' mean die variates
  # (rapmc report prints them) are importance.toml's sampling.shift_*.
  [[ -f "$out/pilot.h5" ]] || run $here/plain.toml "$out/pilot.h5" --trials 200
  run $here/importance.toml "$out/importance.h5"
  run $here/importance_refined.toml "$out/importance_refined.h5"   # shift: importance.h5's failing chips
  run $here/importance_gain.toml "$out/importance_gain.h5"
  run $here/importance_spread.toml "$out/importance_spread.h5"
  run $here/scaled_sigma.toml "$out/scaled_sigma.h5"
  run $here/plain.toml "$out/plain.h5"   # 2,000 chips: the reference
  run $here/shipped_importance.toml "$out/shipped_importance.h5"
  run experiments/default/campaign.toml "$out/shipped_plain.h5" --trials 160   # its plain reference
fi
rep() { ./build/rapmc report "$@" | grep -E "yield|failing chips|extrapolated|scaled sigma|s=" || true; }
for f in pilot plain importance importance_refined importance_gain importance_spread shipped_importance shipped_plain; do echo "== $f"; rep "$out/$f.h5"; done
echo "== scaled_sigma"; rep "$out/scaled_sigma.h5" --scaled-sigma
/usr/bin/python3 plots/yield_estimates.py --plain "$out/plain.h5" \
  --importance "$out"/importance{,_refined,_gain,_spread}.h5 \
  --labels "importance, pilot's shift" "importance, refined shift" "importance, ADC gain −1.65σ" \
  "importance, spread 1.6" \
  --scaled "$out/scaled_sigma.h5" \
  --title "RAP shipped, 8 images, P(accuracy < 85 %): three estimators of the same chip failure" \
  --out $here/yield_estimates.png
