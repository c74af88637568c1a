#!/usr/bin/python3
"""Train the shipped Vision Transformer on Fashion-MNIST and export it in the
rapmc model-file format (docs/formats.md, "FP32 model file").

Run with Debian's interpreter (python3-torch, python3-h5py, python3-numpy):
    /usr/bin/python3 experiments/train_vit/train.py --out data/models/vit_fmnist.h5 \
        --fixture data/fixtures/vit_fmnist_logits256.h5
The model is exported after every epoch, so an interrupted run still leaves a
valid file. Offline only: rapmc itself never runs Python.
"""
import argparse
import gzip
import math
import os
import struct
import subprocess
import time

import h5py
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA_DIR = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530  # Fashion-MNIST training-set pixel mean/std (pixels scaled to [0,1])


def read_idx(path):
    with gzip.open(path, "rb") as f:
        magic = struct.unpack(">I", f.read(4))[0]
        ndim = magic & 0xFF
        dims = struct.unpack(">" + "I" * ndim, f.read(4 * ndim))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


def load(split):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(os.path.join(DATA_DIR, f"{prefix}-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(DATA_DIR, f"{prefix}-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(x.astype(np.float32) / 255.0).unsqueeze(1)
    x = (x - MEAN) / STD
    return x, torch.from_numpy(y.astype(np.int64))


class Block(nn.Module):
    """Pre-LN encoder block; the attention is written out so rapmc can mirror it."""

    def __init__(self, dim, heads, mlp_dim, eps):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(dim, eps=eps)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.ln2 = nn.LayerNorm(dim, eps=eps)
        self.fc1 = nn.Linear(dim, mlp_dim)
        self.fc2 = nn.Linear(mlp_dim, dim)

    def forward(self, x):
        b, t, d = x.shape
        hd = d // self.heads
        qkv = self.qkv(self.ln1(x)).reshape(b, t, 3, self.heads, hd).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
        att = att.softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.proj(y)
        x = x + self.fc2(F.gelu(self.fc1(self.ln2(x))))  # exact (erf) GELU
        return x


class ViT(nn.Module):
    def __init__(self, image_size, patch_size, channels, dim, depth, heads, mlp_dim, num_classes, eps):
        super().__init__()
        self.p = patch_size
        n = (image_size // patch_size) ** 2
        self.patch = nn.Linear(channels * patch_size * patch_size, dim)
        self.cls = nn.Parameter(torch.zeros(dim))
        self.pos = nn.Parameter(torch.randn(n + 1, dim) * 0.02)
        self.blocks = nn.ModuleList([Block(dim, heads, mlp_dim, eps) for _ in range(depth)])
        self.ln = nn.LayerNorm(dim, eps=eps)
        self.fc = nn.Linear(dim, num_classes)

    def patches(self, x):
        # (B, C, H, W) -> (B, N, C*p*p), patches row-major, each flattened (channel, row, column)
        b, c, h, w = x.shape
        p = self.p
        x = x.reshape(b, c, h // p, p, w // p, p).permute(0, 2, 4, 1, 3, 5)
        return x.reshape(b, (h // p) * (w // p), c * p * p)

    def forward(self, x):
        t = self.patch(self.patches(x))
        cls = self.cls.expand(t.shape[0], 1, -1)
        x = torch.cat([cls, t], dim=1) + self.pos
        for blk in self.blocks:
            x = blk(x)
        return self.fc(self.ln(x[:, 0]))


@torch.no_grad()
def evaluate(model, x, y, bs=500):
    model.eval()
    correct = 0
    for i in range(0, len(x), bs):
        correct += (model(x[i:i + bs]).argmax(1) == y[i:i + bs]).sum().item()
    return correct / len(x)


def export(model, args, path, test_acc, epochs_done, train_seconds):
    sd = {k: v.detach().cpu().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    tmp = path + ".tmp"
    with h5py.File(tmp, "w") as f:
        a = f.attrs
        a["filetype"] = "rapmc-model"
        a["format_version"] = "1.0"
        a["kind"] = "vit"
        for k in ("dim", "depth", "heads", "mlp_dim", "num_classes", "image_size", "patch_size", "channels"):
            a[k] = np.int64(getattr(args, k))
        a["ln_eps"] = np.float64(args.ln_eps)
        a["mean"] = np.array([MEAN], dtype=np.float64)
        a["std"] = np.array([STD], dtype=np.float64)
        a["dataset"] = "fashion-mnist"
        a["torch_test_accuracy"] = np.float64(test_acc)
        a["torch_version"] = str(torch.__version__)
        a["train_seed"] = np.int64(args.seed)
        a["train_epochs"] = np.int64(epochs_done)
        a["train_batch_size"] = np.int64(args.batch_size)
        a["train_lr"] = np.float64(args.lr)
        a["train_weight_decay"] = np.float64(args.weight_decay)
        a["train_optimizer"] = "AdamW, linear warm-up then cosine decay"
        a["train_seconds"] = np.float64(train_seconds)
        try:
            a["train_git_commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                                   text=True).stdout.strip() or "unknown"
        except OSError:
            a["train_git_commit"] = "unknown"
        f["embed/patch/weight"] = sd["patch.weight"]
        f["embed/patch/bias"] = sd["patch.bias"]
        f["embed/cls"] = sd["cls"]
        f["embed/pos"] = sd["pos"]
        for i in range(args.depth):
            p = f"blocks.{i}."
            g = f"blocks/{i}/"
            f[g + "ln1/weight"] = sd[p + "ln1.weight"]
            f[g + "ln1/bias"] = sd[p + "ln1.bias"]
            f[g + "attn/qkv_weight"] = sd[p + "qkv.weight"]
            f[g + "attn/qkv_bias"] = sd[p + "qkv.bias"]
            f[g + "attn/proj_weight"] = sd[p + "proj.weight"]
            f[g + "attn/proj_bias"] = sd[p + "proj.bias"]
            f[g + "ln2/weight"] = sd[p + "ln2.weight"]
            f[g + "ln2/bias"] = sd[p + "ln2.bias"]
            f[g + "mlp/fc1_weight"] = sd[p + "fc1.weight"]
            f[g + "mlp/fc1_bias"] = sd[p + "fc1.bias"]
            f[g + "mlp/fc2_weight"] = sd[p + "fc2.weight"]
            f[g + "mlp/fc2_bias"] = sd[p + "fc2.bias"]
        f["head/ln/weight"] = sd["ln.weight"]
        f["head/ln/bias"] = sd["ln.bias"]
        f["head/fc/weight"] = sd["fc.weight"]
        f["head/fc/bias"] = sd["fc.bias"]
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="data/models/vit_fmnist.h5")
    ap.add_argument("--fixture", default="data/fixtures/vit_fmnist_logits256.h5")
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--weight-decay", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--mlp-dim", type=int, default=128)
    ap.add_argument("--patch-size", type=int, default=7)
    ap.add_argument("--ln-eps", type=float, default=1e-5)
    args = ap.parse_args()
    args.image_size, args.channels, args.num_classes = 28, 1, 10

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    xtr, ytr = load("train")
    xte, yte = load("test")
    model = ViT(args.image_size, args.patch_size, args.channels, args.dim, args.depth, args.heads,
                args.mlp_dim, args.num_classes, args.ln_eps)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    steps_per_epoch = math.ceil(len(xtr) / args.batch_size)
    total = args.epochs * steps_per_epoch
    warm = steps_per_epoch // 2
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / (total - warm))))
    gen = torch.Generator().manual_seed(args.seed)
    t0 = time.time()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        loss_sum = 0.0
        for i in range(steps_per_epoch):
            idx = perm[i * args.batch_size:(i + 1) * args.batch_size]
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item()
        acc = evaluate(model, xte, yte)
        print(f"epoch {epoch + 1}/{args.epochs} loss {loss_sum / steps_per_epoch:.4f} "
              f"test {acc * 100:.2f}% ({time.time() - t0:.0f} s)", flush=True)
        export(model, args, args.out, acc, epoch + 1, time.time() - t0)

    model.eval()
    with torch.no_grad():
        logits = model(xte[:256]).numpy().astype(np.float32)
    with h5py.File(args.fixture, "w") as f:
        f.attrs["filetype"] = "rapmc-fixture"
        f.attrs["description"] = "PyTorch FP32 logits of data/models/vit_fmnist.h5 on the first 256 test images"
        f.attrs["torch_version"] = str(torch.__version__)
        f["logits"] = logits
        f["labels"] = yte[:256].numpy().astype(np.int64)
    print(f"wrote {args.out} and {args.fixture}")


if __name__ == "__main__":
    main()
