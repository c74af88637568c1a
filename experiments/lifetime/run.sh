#!/usr/bin/env bash
# A chip over its life, RAP against conventional. From the repository root, after building:
#   bash experiments/lifetime/run.sh         # the campaigns (~75 min on 2 cores), then the figures and tables
#   bash experiments/lifetime/run.sh plots   # only the figures and tables, from results/lifetime/*.h5
set -euo pipefail
here=experiments/lifetime
out=results/lifetime
mkdir -p "$out"
all=(rap_27c_none rap_27c_recal rap_85c_none conventional_27c_none conventional_27c_recal
     conventional_85c_none rap_85c_recal conventional_85c_recal rap_27c_fine conventional_27c_fine
     rap_27c_refresh rap_85c_refresh conventional_27c_refresh)
rapmc=${RAPMC:-./build/rapmc}
if [[ ${1:-} != plots ]]; then
  for c in "${all[@]}"; do
    "$rapmc" run "$here/$c.toml" --out "$out/$c.h5" --force
  done
fi
py=/usr/bin/python3
for d in rap conventional; do
  $py plots/sweep.py "$out"/${d}_{27c_none,27c_recal,85c_none,85c_recal}.h5 \
    --labels "27 °C" "27 °C, weekly recalibration" "85 °C" "85 °C, weekly recalibration" \
    --x lifetime.age_s --logx \
    --metrics accuracy code_error_rate --title "$d: a chip over its life" \
    --out "$here/${d}_accuracy.png"
done
$py plots/sweep.py "$out"/{rap,conventional}_27c_fine.h5 --labels "RAP" "conventional" \
  --x lifetime.age_s --logx --metrics accuracy code_error_rate \
  --title "the first day at 27 °C: accuracy just before a refresh every T s" --out "$here/first_day.png"
$py plots/lifetime.py "$out"/{rap,conventional}_{27c_none,27c_recal,85c_none}.h5 \
  --labels "RAP, 27 °C" "RAP, 27 °C, weekly recal." "RAP, 85 °C" "conv., 27 °C" \
  "conv., 27 °C, weekly recal." "conv., 85 °C" --out "$here/lifetime_yield.png"
for c in "${all[@]}"; do
  echo "== $c"
  "$rapmc" report "$out/$c.h5" | sed -n '/^lifetime/,$p'
done
$py plots/summary_table.py "$out"/*.h5 --metrics accuracy code_error_rate
