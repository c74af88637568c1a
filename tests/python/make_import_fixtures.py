#!/usr/bin/python3
"""Makes the committed fixtures of the importer's parity test (tests/unit/test_import.cpp):
two small random ViTs in the parameter layouts of torchvision and timm/DeiT, converted with
scripts/import_torch.py, and PyTorch's FP32 logits on 16 random images each.

    /usr/bin/python3 tests/python/make_import_fixtures.py   # writes data/fixtures/import_*.h5
Needs python3-torch and python3-torchvision (scripts/setup-debian.sh --train). The C++ test
needs neither: it reads the committed files."""
import json
import os
import sys
import tempfile

import h5py
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models  # noqa: E402
import import_torch  # noqa: E402

OUT = os.path.join(torch_models.ROOT, "data", "fixtures")


def make(name, model, config, channels, mean, std, seed):
    tmp = tempfile.mkdtemp()
    ckpt, cfg = os.path.join(tmp, "m.pt"), os.path.join(tmp, "c.json")
    torch.save(model.state_dict(), ckpt)
    with open(cfg, "w") as f:
        json.dump(dict(config, mean=mean, std=std), f)
    path = os.path.join(OUT, f"import_{name}.h5")
    if os.path.exists(path):
        os.remove(path)
    assert import_torch.main(["vit", ckpt, "--config", cfg, "--out", path]) == 0
    g = torch.Generator().manual_seed(seed)
    pixels = torch.randint(0, 256, (16, channels, 28, 28), generator=g)
    x = (pixels.float() / 255.0 - torch.tensor(mean)[None, :, None, None]) / torch.tensor(std)[None, :, None, None]
    with torch.no_grad():
        logits = model(x).numpy().astype(np.float64)
    with h5py.File(path, "a") as f:  # the fixture rides along in the model file, under /fixture
        f["fixture/pixels"] = pixels.reshape(16, -1).numpy().astype(np.int64)
        f["fixture/logits"] = logits
        f["fixture"].attrs["description"] = f"PyTorch {torch.__version__} FP32 logits of the {name} model on 16 random images"
    print("wrote", path)


def main():
    make("torchvision_vit", torch_models.torchvision_vit(11), {"num_heads": 2}, 3,
         [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], 12)
    make("timm_vit", torch_models.timm_vit(21), {"num_heads": 2}, 1, [0.286], [0.353], 22)


if __name__ == "__main__":
    main()
