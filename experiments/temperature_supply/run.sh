#!/usr/bin/env bash
# Temperature -40..125 °C x V_DD corners x ratiometric or fixed ADC reference, and the reference
# calibration (replica, fixed, one-point) across temperature. From the repository root:
#   bash experiments/temperature_supply/run.sh         # the campaigns (~15 min on 2 cores), then the figures
#   bash experiments/temperature_supply/run.sh plots   # only the figures
set -euo pipefail
here=experiments/temperature_supply
out=results/temperature_supply
mkdir -p "$out"
if [[ ${1:-} != plots ]]; then
  ./build/rapmc run "$here/temperature_supply.toml" --out "$out/temperature_supply.h5" --force
  ./build/rapmc run "$here/reference.toml" --out "$out/reference.h5" --force
fi
py=/usr/bin/python3
for r in 1 0; do
  $py plots/sweep.py "$out/temperature_supply.h5" --x operating_point.temp_c --group operating_point.corner \
    --where variation.ratiometric=$r --metrics accuracy code_error_rate margin_p01_lsb \
    --title "K = 3, 2-bit flash, W·L 0.4 µm², trimmed, replica reference $([[ $r == 1 ]] && echo 'following V_DD (ratiometric)' || echo 'on a fixed supply scale (not ratiometric)')" \
    --out "$here/temperature_ratiometric_$r.png"
done
$py plots/sweep.py "$out/reference.h5" --x operating_point.temp_c --group hardware.calibration.reference \
  --metrics accuracy code_error_rate margin_p01_lsb \
  --title "K = 3, 2-bit flash, W·L 0.4 µm², trimmed at 27 °C; ADC reference fixed or calibrated once at 27 °C" \
  --out "$here/temperature_reference.png"
$py plots/summary_table.py "$out/temperature_supply.h5" "$out/reference.h5" --metrics accuracy code_error_rate margin_p01_lsb
