#!/usr/bin/python3
"""A DeiT-Tiny-shaped ViT with random weights (197 tokens, width 192, depth 12, 3 heads, MLP 768:
DeiT-Tiny's encoder; 28×28 one-channel images cut in 2×2 patches give its 196 patches + CLS), in
timm's parameter names, saved as a state_dict with its config, for the scale check (run.sh).
Random weights are enough: the check measures speed and the pipeline's handling of the size."""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "python"))
import torch_models  # noqa: E402

out = sys.argv[1] if len(sys.argv) > 1 else "build/deit_tiny"
os.makedirs(out, exist_ok=True)
torch.manual_seed(20261130)
m = torch_models.TimmViT(img=28, patch=2, chans=1, dim=192, depth=12, heads=3, mlp=768, classes=10)
with torch.no_grad():  # DeiT's initialisation scale (trunc_normal std 0.02), LayerNorms at 1/0
    for n, p in m.named_parameters():
        if "norm" in n:
            p.fill_(1.0 if n.endswith("weight") else 0.0)
        elif p.dim() >= 2 or "token" in n or "pos" in n:
            p.normal_(0, 0.02)
        else:
            p.zero_()
torch.save(m.state_dict(), os.path.join(out, "deit_tiny.pth"))
with open(os.path.join(out, "config.json"), "w") as f:
    json.dump({"num_heads": 3, "embed_dim": 192, "depth": 12, "mlp_ratio": 4.0, "patch_size": 2,
               "img_size": 28, "in_chans": 1, "num_classes": 10, "mean": [0.286], "std": [0.353]}, f)
print("wrote", out)
