"""Import a torchvision ViT in-process and run a 16-trial Monte Carlo campaign on it.

A small torchvision VisionTransformer (28x28 inputs, 7x7 patches, one input channel) is trained
briefly on Fashion-MNIST from Debian's dataset-fashion-mnist, imported with rapmc.import_torch,
quantized with rapmc.quantize, and run on the RAP hardware under the default variation. From
the repository root, after building (docs/python.md):
    PYTHONPATH=build/python /usr/bin/python3 examples/import_torchvision_vit.py
About 4 minutes on 2 cores (training ~1 minute). Needs python3-torch and python3-torchvision.
"""
import gzip
import os

import numpy as np
import torch
import torchvision

import rapmc

out = "results/examples"  # gitignored
os.makedirs(out, exist_ok=True)
data = os.environ.get("RAPMC_DATA_DIR", "/usr/share/datasets/fashion-mnist")


def idx(name):
    with gzip.open(os.path.join(data, name)) as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


# 1. A torchvision ViT for 1x28x28 images, trained for 400 steps (a sketch of your own model).
torch.manual_seed(0)
model = torchvision.models.VisionTransformer(image_size=28, patch_size=7, num_layers=2, num_heads=2,
                                             hidden_dim=64, mlp_dim=128, num_classes=10)
model.conv_proj = torch.nn.Conv2d(1, 64, kernel_size=7, stride=7)
mean, std = 0.2860, 0.3530  # Fashion-MNIST's pixel statistics (x = (pixel/255 − mean)/std)
x = (torch.tensor(idx("train-images-idx3-ubyte.gz"), dtype=torch.float32) / 255 - mean) / std
y = torch.tensor(idx("train-labels-idx1-ubyte.gz"), dtype=torch.long)
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
for step in range(400):
    i = torch.randint(0, len(y), (128,))
    loss = torch.nn.functional.cross_entropy(model(x[i, None]), y[i])
    opt.zero_grad()
    loss.backward()
    opt.step()
model.eval()
print(f"trained 400 steps, last loss {loss.item():.3f}")

# 2. Into rapmc: import in-process, quantize, and evaluate both ways.
rapmc.import_torch(model, {"num_heads": 2, "mean": [mean], "std": [std]}, f"{out}/tv_vit.h5")
print(rapmc.quantize(f"{out}/tv_vit.h5", f"{out}/tv_vit_int8.h5", force=True))
fp32 = rapmc.eval(f"{out}/tv_vit.h5", pipeline="fp32", limit=1000)
flare = rapmc.eval(f"{out}/tv_vit_int8.h5", pipeline="flare", hardware="data/hardware/rap.toml", limit=1000)
print(f"fp32 {fp32['accuracy']:.3f}, flare on a nominal RAP chip {flare['accuracy']:.3f} (1,000 test images)")

# 3. A 16-trial campaign: 16 sampled chips, 64 test images each.
campaign = {
    "campaign": {"name": "torchvision ViT on RAP", "seed": 1, "trials": 16},
    "model": {"fp32": f"{out}/tv_vit.h5", "int": f"{out}/tv_vit_int8.h5"},
    "data": {"images": 64},
    "hardware": {"file": "data/hardware/rap.toml"},
    "yield": {"accuracy_threshold": round(max(0.05, fp32["accuracy"] - 0.05), 3)},
}
rapmc.run(campaign, out=f"{out}/tv_vit_campaign.h5", force=True)
ds = rapmc.open(f"{out}/tv_vit_campaign.h5")
print(f"accuracy over 16 chips: {float(ds.accuracy_mean[0]):.3f} "
      f"[{float(ds.accuracy_ci95_low[0]):.3f}, {float(ds.accuracy_ci95_high[0]):.3f}] "
      f"(exact MVMs {float(ds.reference_accuracy[0]):.3f}); code error rate "
      f"{float(ds.code_error_rate_mean[0]):.2e}; yield {float(ds.yield_p[0]):.2f} "
      f"[{float(ds.yield_ci95_low[0]):.2f}, {float(ds.yield_ci95_high[0]):.2f}]")
