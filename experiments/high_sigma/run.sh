#!/usr/bin/env bash
# High-sigma study: per-count code-error probabilities of the shipped designs by importance
# and scaled-sigma sampling (rapmc tails), then the figures. From the repository root:
#   bash experiments/high_sigma/run.sh          # the estimates (~6 min on 2 cores), then the figures
#   bash experiments/high_sigma/run.sh plots    # only the figures
set -euo pipefail
here=experiments/high_sigma
out=results/high_sigma
mkdir -p "$out"
tails() { ./build/rapmc tails --seed 20261202 --force "$@"; }
if [[ ${1:-} != plots ]]; then
  for p in 0 1 2 3; do  # RAP, comparator area 0.1 .. 6.4 µm², every count of a 7-row read
    tails --campaign $here/rap.toml --point $p --out "$out/rap_$p.h5"
  done
  tails --campaign $here/rap.toml --point 0 --average --method importance --out "$out/rap_workload.h5"
  tails --campaign $here/rap.toml --point 0 --min-codes 2 --method importance --out "$out/rap_2codes.h5"
  for p in 0 2; do  # failing read states and failing columns: an error rate above 1e-6
    tails --campaign $here/rap.toml --point $p --failing-read 1e-6 --method importance \
      --out "$out/rap_failing_$p.h5"
    tails --campaign $here/rap.toml --point $p --failing-column 1e-6 --method importance \
      --out "$out/rap_failing_column_$p.h5"
  done
  for p in 0 1 2 3 4 5 6 7; do  # which sources set the rate
    tails --campaign $here/mechanisms.toml --point $p --method importance --out "$out/mechanisms_$p.h5"
  done
  for p in 0 1; do  # conventional: dense reads of 64 rows, 7-bit SAR
    tails --campaign $here/conventional.toml --point $p --rows 64 --method importance \
      --count 0 --count 1 --count 2 --count 4 --count 8 --count 16 --count 32 --count 64 \
      --out "$out/conventional_$p.h5"
  done
  tails --campaign $here/conventional.toml --point 0 --rows 128 --average --method importance \
    --out "$out/conventional_workload.h5"
fi
py=/usr/bin/python3
$py plots/tails.py "$out"/rap_{0,1,2,3}.h5 --methods importance --target 1e-9 \
  --labels "0.1 µm² (shipped)" "0.4 µm²" "1.6 µm²" "6.4 µm²" \
  --title "RAP: P(code wrong) per conversion against comparator area" --out $here/rap_comparator_area.png
$py plots/tails.py "$out/rap_0.h5" --target 1e-9 --labels "RAP shipped" \
  --title "RAP shipped: importance against scaled-sigma sampling" --out $here/rap_methods.png
$py plots/tails.py "$out"/mechanisms_{0,1,2,3,4,5,6,7}.h5 --target 1e-9 \
  --labels "default" "no ADC gain shift" "no cell variation" "neither" "gain 1 %, cells 2 %/4 %" \
  "neither, 0.4 µm²" "gain 1 %, cells 2 %/4 %, 0.4 µm²" "gain 0.5 %, cells 1 %/2 %, 0.4 µm²" \
  --title "RAP: which sources set the rate (importance sampling)" --out $here/rap_mechanisms.png
$py plots/tails.py "$out"/conventional_{0,1}.h5 --target 1e-9 --labels "1 µm² (shipped)" "16 µm²" \
  --title "Conventional (dense, 64 rows, 7-bit SAR)" --out $here/conventional.png
