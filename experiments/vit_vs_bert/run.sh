#!/usr/bin/env bash
# ViT vs BERT under the same PVT (README of this folder). From the repository root, after building:
#   bash experiments/vit_vs_bert/run.sh         # quantize the text model, the campaigns (~40 min on 2 cores), then figures and tables
#   bash experiments/vit_vs_bert/run.sh plots   # only the figures and tables, from results/vit_vs_bert/*.h5
set -euo pipefail
here=experiments/vit_vs_bert
out=results/vit_vs_bert
RAPMC=${RAPMC:-./build/rapmc}
mkdir -p "$out"
if [[ ${1:-} != plots ]]; then
  # The text model's integer model (its word table makes it ~12 MB, so it is made, not shipped).
  rm -f "$out/bert_wordnet_int8.h5"
  "$RAPMC" quantize --model data/models/bert_wordnet.h5 --calib wordnet:train --out "$out/bert_wordnet_int8.h5"
  for c in vit_rap vit_conventional bert_rap bert_conventional vit_layers bert_layers; do
    "$RAPMC" run "$here/$c.toml" --out "$out/$c.h5" --force
  done
fi
py=/usr/bin/python3
$py plots/accuracy_distribution.py "$out"/{vit_rap,vit_conventional,bert_rap,bert_conventional}.h5 \
  --labels "ViT on RAP (flare, K=7, 3-bit flash)" "ViT on conventional (ptq-dqq, 7-bit SAR)" \
           "BERT on RAP" "BERT on conventional" \
  --title "ViT (Fashion-MNIST) vs BERT (WordNet glosses), same chips and PVT" --out "$here/accuracy.png"
$py plots/layer_attribution.py "$out/vit_layers.h5" --title "ViT on RAP: per-layer attribution" --out "$here/vit_layers.png"
$py plots/layer_attribution.py "$out/bert_layers.h5" --title "BERT on RAP: per-layer attribution" --out "$here/bert_layers.png"
$py plots/summary_table.py "$out"/{vit_rap,vit_conventional,bert_rap,bert_conventional}.h5 \
  --metrics accuracy flip_rate logit_sqnr_db code_error_rate margin_p01_lsb energy_j
echo
for m in vit bert; do
  $py plots/summary_table.py "$out/${m}_layers.h5" --metrics accuracy flip_rate code_error_rate
  echo
done
