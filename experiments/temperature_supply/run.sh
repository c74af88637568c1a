#!/usr/bin/env bash
# Temperature -40..125 °C x V_DD corners x ratiometric or fixed ADC reference. From the repository root:
#   bash experiments/temperature_supply/run.sh         # the campaign (~15 min on 2 cores), then the figures
#   bash experiments/temperature_supply/run.sh plots   # only the figure
set -euo pipefail
here=experiments/temperature_supply
out=results/temperature_supply
mkdir -p "$out"
if [[ ${1:-} != plots ]]; then
  ./build/rapmc run "$here/temperature_supply.toml" --out "$out/temperature_supply.h5" --force
fi
py=/usr/bin/python3
for r in 1 0; do
  $py plots/sweep.py "$out/temperature_supply.h5" --x operating_point.temp_c --group operating_point.corner \
    --where variation.ratiometric=$r --metrics accuracy code_error_rate margin_p01_lsb \
    --title "K = 3, 2-bit flash, W·L 0.4 µm²; ADC reference $([[ $r == 1 ]] && echo 'follows V_DD (ratiometric)' || echo 'fixed (not ratiometric)')" \
    --out "$here/temperature_ratiometric_$r.png"
done
$py plots/summary_table.py "$out/temperature_supply.h5" --metrics accuracy code_error_rate margin_p01_lsb
