#!/usr/bin/env bash
# Scale check (issue 16): a DeiT-Tiny-shaped model (197 tokens, width 192, depth 12, 3 heads;
# random weights) imported from a timm-style state_dict, quantized, run through
# `eval --hardware` and a short campaign; the campaign's /runtime/trial_cost_ratio is its time
# per trial over an ideal integer pass of the same images. Needs python3-torch (setup --train).
#   bash experiments/deit_tiny_scale/run.sh [rapmc binary]     (work folder: build/deit_tiny)
set -euo pipefail
cd "$(dirname "$0")/../.."
RAPMC=${1:-./build/rapmc}
W=build/deit_tiny  # campaign.toml names the files in it
/usr/bin/python3 experiments/deit_tiny_scale/make_model.py "$W"
/usr/bin/python3 scripts/import_torch.py vit "$W/deit_tiny.pth" --config "$W/config.json" --out "$W/deit_tiny.h5"
rm -f "$W/deit_tiny_int8.h5"
"$RAPMC" quantize --model "$W/deit_tiny.h5" --out "$W/deit_tiny_int8.h5" --calib-size 64
"$RAPMC" eval --model "$W/deit_tiny.h5" --int-model "$W/deit_tiny_int8.h5" --pipeline flare \
  --hardware data/hardware/rap.toml --limit 8 | tee "$W/eval.txt"
"$RAPMC" run experiments/deit_tiny_scale/campaign.toml --out "$W/campaign.h5" --force | tee "$W/campaign.txt"
HDF5_USE_FILE_LOCKING=FALSE /usr/bin/python3 - "$W/campaign.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    r = f["runtime"].attrs
    print(f"trial cost ratio {r['trial_cost_ratio']:.1f}x the ideal integer pass; "
          f"trial {r['trial_seconds_mean']:.1f} s, ideal pass {r['ideal_pass_seconds']:.3f} s")
PY
