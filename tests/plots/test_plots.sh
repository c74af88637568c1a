#!/usr/bin/env bash
# ctest "plots": every plot script draws a PNG from a small real campaign (a linked K/ENOB sweep
# crossed with comparator area, and an analog-layer sweep), and bad input exits non-zero with
# a message naming the file or key. Usage: test_plots.sh RAPMC_BINARY SOURCE_DIR
set -euo pipefail
rapmc=$1
src=$2
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$src"
export PYTHONPATH="$(cd "$(dirname "$rapmc")" && pwd)/python${PYTHONPATH:+:$PYTHONPATH}"  # import rapmc of this build
fail() { echo "FAIL: $*" >&2; exit 1; }

# The small campaign every plot campaign starts from: 4 trials of 8 images in blocks of 2.
campaign_head() {
  printf '[campaign]\nname = "%s"\nseed = 3\ntrials = 4\n[data]\nimages = 8\n[trigger]\ncheck_every = 2\n' "$1"
}
{ campaign_head plot-test; cat <<'TOML'
[[sweep]]
keys = ["hardware.schedule.k", "hardware.adc.enob"]
values = [[3, 2], [7, 3]]
[[sweep]]
key = "hardware.adc.comparator_wl_um2"
values = [0.1, 1.6]
TOML
} > "$work/sweep.toml"
{ campaign_head plot-test-layers; cat <<'TOML'
[[sweep]]
key = "hardware.schedule.analog_layers"
values = ["*", "blocks/*/fc2"]
TOML
} > "$work/layers.toml"
"$rapmc" run "$work/sweep.toml" --out "$work/sweep.h5" --quiet
"$rapmc" run "$work/layers.toml" --out "$work/layers.h5" --quiet

png() {  # the file exists and starts with the PNG signature
  [[ -s $1 ]] || fail "$1 not written"
  [[ $(head -c 8 "$1" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "$1 is not a PNG"
}
$py plots/accuracy_distribution.py "$work/sweep.h5" "$work/layers.h5" --out "$work/acc.png"
png "$work/acc.png"
$py plots/sweep.py "$work/sweep.h5" --x hardware.adc.comparator_wl_um2 --out "$work/sweep.png"
png "$work/sweep.png"
$py plots/margin_histogram.py "$work/sweep.h5" --where hardware.adc.comparator_wl_um2=0.1 --out "$work/margin.png"
png "$work/margin.png"
$py plots/error_vs_cost.py "$work/sweep.h5" --out "$work/cost.png"
png "$work/cost.png"
$py plots/layer_attribution.py "$work/layers.h5" --out "$work/layers.png"
png "$work/layers.png"
$py plots/summary_table.py "$work/sweep.h5" --target code_error_rate=0.5 > "$work/table.md"
[[ $(grep -c "^| plot-test | K (rows per read)=" "$work/table.md") == 4 ]] || fail "summary table: not one row per point"
grep -q "| yes |$" "$work/table.md" || fail "summary table: no point meets a 0.5 code error rate"

"$rapmc" tails --hardware data/hardware/rap.toml --count 3 --count 5 --samples 5000 --out "$work/tails.h5" > /dev/null
$py plots/tails.py "$work/tails.h5" --target 1e-9 --out "$work/tails.png"
png "$work/tails.png"
# The three yield estimators' figure: a plain, an importance-sampled and a scaled-sigma campaign.
yield_campaign() {  # name, extra TOML
  printf '[campaign]\nname = "%s"\nseed = 3\ntrials = 4\n[data]\nimages = 4\n[yield]\naccuracy_threshold = 0.8\n%b' \
    "$1" "$2" > "$work/$1.toml"
  "$rapmc" run "$work/$1.toml" --out "$work/$1.h5" --quiet
}
yield_campaign y_plain ""
yield_campaign y_is '[sampling]\nmethod = "importance"\nspread = 1.5\n'
yield_campaign y_scaled '[sampling]\nmethod = "scaled_sigma"\n[[sweep]]\nkey = "sampling.sigma_scale"\nvalues = [1.5, 2.0, 3.0]\n'
$py plots/yield_estimates.py --plain "$work/y_plain.h5" --importance "$work/y_is.h5" --scaled "$work/y_scaled.h5" \
  --out "$work/yield.png"
png "$work/yield.png"
$py plots/summary_table.py "$work/y_is.h5" | grep -q "weighted, 4 chips" || fail "summary_table: no weighted yield"

# A lifetime campaign: yield against age from /lifetime, and the metrics against lifetime.age_s.
printf '[campaign]\nname = "life"\nseed = 3\ntrials = 3\n[data]\nimages = 4\n[lifetime]\nages_s = [0.0, 86400.0, 3.15e7]\ntarget_accuracy = 0.8\n' \
  > "$work/life.toml"
"$rapmc" run "$work/life.toml" --out "$work/life.h5" --quiet
$py plots/lifetime.py "$work/life.h5" --out "$work/life.png"
png "$work/life.png"
$py plots/sweep.py "$work/life.h5" --x lifetime.age_s --logx --out "$work/life_sweep.png"
png "$work/life_sweep.png"

# Bad input: a clear message naming the file or key, non-zero exit, nothing written.
expect_error() {  # expect_error MESSAGE COMMAND...
  local message=$1
  shift
  if out=$("$@" 2>&1); then fail "succeeded: $*"; fi
  grep -qF -- "$message" <<<"$out" || fail "'$*' printed '$out', expected '$message'"
}
echo "not hdf5" > "$work/bad.h5"
expect_error "$work/bad.h5: not an HDF5 file" $py plots/sweep.py "$work/bad.h5" --x k --out "$work/x.png"
expect_error "$work/missing.h5: no such file" $py plots/accuracy_distribution.py "$work/missing.h5" --out "$work/x.png"
expect_error "$work/sweep.h5: no /lifetime group" $py plots/lifetime.py "$work/sweep.h5" --out "$work/x.png"
$py -c "import h5py; h5py.File('$work/model.h5', 'w').attrs['filetype'] = 'rapmc-model'"
expect_error "$work/model.h5: not a rapmc tails file (filetype 'rapmc-model')" \
  $py plots/tails.py "$work/model.h5" --out "$work/x.png"
expect_error "$work/tails.h5: /estimates/bogus: missing" \
  $py plots/tails.py "$work/tails.h5" --methods bogus --out "$work/x.png"
expect_error "$work/model.h5: not a rapmc results file (root attribute 'filetype' is 'rapmc-model'" \
  $py plots/margin_histogram.py "$work/model.h5" --out "$work/x.png"
expect_error "'operating_point.temp_c' is not swept" \
  $py plots/sweep.py "$work/sweep.h5" --x operating_point.temp_c --out "$work/x.png"
expect_error "also swept: hardware.schedule.k, hardware.adc.enob; add them to --group" \
  $py plots/sweep.py "$work/sweep.h5" --x hardware.adc.comparator_wl_um2 --group --out "$work/x.png"
expect_error "no point matches" \
  $py plots/margin_histogram.py "$work/sweep.h5" --where hardware.adc.comparator_wl_um2=9 --out "$work/x.png"
# A point not yet summarised (a stopped campaign): its statistics come from rapmc report.
cp "$work/sweep.h5" "$work/stopped.h5"
$py -c "import h5py; del h5py.File('$work/stopped.h5', 'a')['points/3/statistics']"
$py plots/sweep.py "$work/stopped.h5" --x hardware.adc.comparator_wl_um2 --out "$work/stopped.png"
png "$work/stopped.png"
# A running campaign: plotted once its first block of trials is in the file, while it writes.
cat > "$work/long.toml" <<'TOML'
[campaign]
name = "plot-test-running"
seed = 5
trials = 48
[data]
images = 8
TOML
"$rapmc" run "$work/long.toml" --out "$work/live.h5" --quiet --no-progress --threads 1 &
writer=$!
rows() { $py -c "import sys; sys.path.insert(0, 'plots'); import rapmc_results as r; print(r.Results('$work/live.h5').points[0].group['trials/trial'].shape[0])" 2>/dev/null || echo 0; }
for _ in $(seq 600); do [[ $(rows) -ge 8 ]] && break; sleep 0.1; done
kill -0 $writer 2>/dev/null || fail "the campaign ended before a plot could read it running"
$py plots/accuracy_distribution.py "$work/live.h5" --out "$work/live.png"
png "$work/live.png"
running=$(rows)
wait $writer || fail "the campaign being read failed"
[[ $running -lt 48 ]] || fail "the running file was read only after its last trial"
# A format 1.0 file: messages, no traceback.
cp "$work/sweep.h5" "$work/old.h5"
$py - "$work/old.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "a") as f:
    f.attrs["format_version"] = "1.0"
    for i in range(4):
        for g in ("trials", "statistics"):
            for m in ("energy_adc_j", "area_mm2", "area_adc_mm2"):
                del f[f"points/{i}/{g}/{m}"]
        del f[f"points/{i}/reference"]
PY
$py plots/summary_table.py "$work/old.h5" > "$work/old.md"
grep -q "| — | — |" "$work/old.md" || fail "summary table of a 1.0 file: missing columns not shown as —"
expect_error "statistics/area_mm2: missing statistics" $py plots/error_vs_cost.py "$work/old.h5" --out "$work/x.png"
# Before format 1.2 the margin histogram was unsigned, 64 bins: refused with a message.
$py - "$work/old.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "a") as f:
    for i in range(4):
        g = f[f"points/{i}/trials"]
        rows = g["margin_hist"].shape[0]
        del g["margin_hist"]
        g.create_dataset("margin_hist", data=[[0] * 64] * rows, dtype="i8")
PY
expect_error "margin_hist has 64 bins: an unsigned sensing margin of results format < 1.2" \
  $py plots/margin_histogram.py "$work/old.h5" --out "$work/x.png"
[[ ! -e $work/x.png ]] || fail "a failed plot wrote its output"
echo "plots: all checks passed"
