#!/usr/bin/python3
"""Tests of scripts/import_torch.py (run by ctest with Debian's python3-torch/torchvision).

Each supported architecture imports and its tensors land where docs/formats.md says; each
input the importer must refuse is refused with exit status 2, a message naming the key, and
no output file."""
import json
import os
import sys
import tempfile

import h5py
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models  # noqa: E402
import import_torch  # noqa: E402  (path set by torch_models)

FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)


def run(tmp, arch, sd, config, vocab=None, name="m"):
    ckpt, cfg, out = (os.path.join(tmp, name + s) for s in (".pt", ".json", ".h5"))
    torch.save(sd, ckpt)
    with open(cfg, "w") as f:
        json.dump(config, f)
    argv = [arch, ckpt, "--config", cfg, "--out", out]
    if vocab is not None:
        with open(os.path.join(tmp, name + ".txt"), "w") as f:
            f.write("\n".join(vocab) + "\n")
        argv += ["--vocab", os.path.join(tmp, name + ".txt")]
    import contextlib
    import io
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc = import_torch.main(argv)
    return rc, err.getvalue(), out


def refused(tmp, what, arch, sd, config, vocab, needle):
    rc, err, out = run(tmp, arch, sd, config, vocab, name="bad")
    check(rc == 2 and needle in err and not os.path.exists(out),
          f"refuses {what}: rc {rc}, message {err.strip()!r} names {needle!r}")


def main():
    tmp = tempfile.mkdtemp(prefix="rapmc_import_")
    # torchvision ViT: every tensor placed, the conv kernel flattened (channel, row, column).
    tv = torch_models.torchvision_vit(1)
    rc, err, out = run(tmp, "vit", tv.state_dict(), {"num_heads": 2, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]})
    check(rc == 0, f"torchvision ViT imports ({err.strip()})")
    if rc != 0:
        return report()
    with h5py.File(out) as f:
        a = f.attrs
        check((a["dim"], a["depth"], a["heads"], a["mlp_dim"], a["image_size"], a["patch_size"]) == (32, 2, 2, 64, 28, 7),
              "torchvision ViT hyper-parameters read from the tensors")
        w = tv.state_dict()["encoder.layers.encoder_layer_1.self_attention.in_proj_weight"].numpy()
        check(np.array_equal(f["blocks/1/attn/qkv_weight"][...], w), "in_proj_weight is qkv_weight")
        check(np.array_equal(f["embed/patch/weight"][...], tv.conv_proj.weight.detach().numpy().reshape(32, -1)),
              "conv_proj flattened to [D, C·p·p]")
    # timm ViT.
    tm = torch_models.timm_vit(2)
    rc, err, out = run(tmp, "vit", tm.state_dict(), {"num_heads": 2, "embed_dim": 32, "mlp_ratio": 2.0})
    check(rc == 0, f"timm ViT imports ({err.strip()})")
    # BERT: q, k, v concatenated in that order.
    bm, bc, bv = torch_models.bert(3)
    rc, err, out = run(tmp, "bert", bm.state_dict(), bc, bv)
    check(rc == 0, f"BERT imports ({err.strip()})")
    if rc != 0:
        return report()
    with h5py.File(out) as f:
        sd = bm.state_dict()
        q = sd["bert.encoder.layer.0.attention.self.query.weight"].numpy()
        v = sd["bert.encoder.layer.0.attention.self.value.weight"].numpy()
        qkv = f["blocks/0/attn/qkv_weight"][...]
        check(np.array_equal(qkv[:32], q) and np.array_equal(qkv[64:], v), "query, key, value stacked into qkv")
        check([s.decode() for s in f["tokenizer/vocab"][...]] == bv, "vocabulary stored in order")
        check((f.attrs["cls_id"], f.attrs["sep_id"], f.attrs["max_tokens"]) == (2, 3, 16), "special ids, max_tokens")

    # What must be refused, each naming the key.
    sd = dict(tm.state_dict())
    sd["blocks.0.ls1.gamma"] = torch.ones(32)  # timm LayerScale: a layer type rapmc does not run
    refused(tmp, "an unsupported layer type (LayerScale)", "vit", sd, {"num_heads": 2}, None, "'blocks.0.ls1.gamma'")
    sd = dict(tm.state_dict())
    sd["dist_token"] = torch.zeros(1, 1, 32)  # DeiT's distillation token
    refused(tmp, "DeiT's distillation token", "vit", sd, {"num_heads": 2}, None, "'dist_token'")
    sd = dict(bm.state_dict())
    del sd["bert.encoder.layer.1.output.LayerNorm.bias"]
    refused(tmp, "a missing tensor", "bert", sd, bc, bv, "'bert.encoder.layer.1.output.LayerNorm.bias'")
    sd = dict(tm.state_dict())
    del sd["blocks.1.mlp.fc2.weight"]
    refused(tmp, "a missing ViT tensor", "vit", sd, {"num_heads": 2}, None, "'blocks.1.mlp.fc2.weight'")
    refused(tmp, "a config contradicting a shape (hidden_size)", "bert", bm.state_dict(), dict(bc, hidden_size=64), bv,
            "'hidden_size' = 64")
    refused(tmp, "a config contradicting a shape (depth)", "vit", tm.state_dict(), {"num_heads": 2, "depth": 3}, None,
            "'depth' = 3")
    refused(tmp, "heads that do not divide D", "vit", tm.state_dict(), {"num_heads": 3}, None, "'num_heads' = 3")
    sd = dict(bm.state_dict())
    sd["bert.encoder.layer.0.attention.self.key.weight"] = torch.zeros(32, 16)
    refused(tmp, "a tensor of the wrong shape", "bert", sd, bc, bv, "'bert.encoder.layer.0.attention.self.key.weight'")
    refused(tmp, "a vocabulary of the wrong size", "bert", bm.state_dict(), bc, bv[:-1], "vocabulary mismatch")
    refused(tmp, "a vocabulary without [CLS]", "bert", bm.state_dict(), bc, [w if w != "[CLS]" else "cls" for w in bv],
            "no [CLS] token")
    refused(tmp, "an unsupported activation", "bert", bm.state_dict(), dict(bc, hidden_act="relu"), bv, "'hidden_act'")
    refused(tmp, "an unsupported architecture", "bert", bm.state_dict(),
            dict(bc, architectures=["BertForMaskedLM"]), bv, "BertForMaskedLM")
    refused(tmp, "a config without the head count", "vit", tm.state_dict(), {}, None, "missing 'num_heads'")
    ckpt = os.path.join(tmp, "notmodel.pt")
    with open(ckpt, "w") as f:
        f.write("# rapmc\nnot a checkpoint\n")
    with open(os.path.join(tmp, "c.json"), "w") as f:
        json.dump({"num_heads": 2}, f)
    import contextlib
    import io
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = import_torch.main(["vit", ckpt, "--config", os.path.join(tmp, "c.json"), "--out", os.path.join(tmp, "x.h5")])
    check(rc == 2 and "notmodel.pt: not a PyTorch checkpoint" in err.getvalue(), "refuses a file that is not a checkpoint")

    return report()


def report():
    print(f"{len(FAILURES)} failure(s)")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
