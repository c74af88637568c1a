"""Convert a PyTorch encoder transformer into a rapmc model file (docs/formats.md, "Importing
PyTorch models"). The one importer: scripts/import_torch.py is its command line, and
rapmc.import_torch (docs/python.md) calls import_torch() below in-process.

    /usr/bin/python3 scripts/import_torch.py vit  CHECKPOINT --config CONFIG.json --out MODEL.h5
    /usr/bin/python3 scripts/import_torch.py bert CHECKPOINT --config CONFIG.json \
        --vocab VOCAB.txt --out MODEL.h5

CHECKPOINT is a state_dict saved with torch.save (.pt/.pth; a dict holding it under "model" or
"state_dict" also works; a "module." prefix is dropped). Supported:
  vit:  timm / DeiT-style `VisionTransformer` (patch_embed.proj, cls_token, pos_embed, blocks.N)
        and torchvision `VisionTransformer` (conv_proj, class_token, encoder.layers)
  bert: HuggingFace-style `BertForSequenceClassification` (bert.embeddings, bert.encoder.layer.N,
        bert.pooler, classifier), absolute positions, GELU.
Shapes come from the tensors; the config gives what tensors cannot (heads, eps, input
normalisation) and every value it states is checked against the tensors. Any tensor the
importer cannot place, any missing tensor, a config that contradicts a shape or a vocabulary of
the wrong size stops the import with a message naming it (exit status 2); nothing is written.
Needs Debian's python3-torch (scripts/setup-debian.sh --train) and python3-h5py.
"""
import argparse
import json
import math
import os
import re
import sys

import h5py
import numpy as np

FORMAT_VERSION = "1.1"
SPECIALS = {"pad_id": "[PAD]", "unk_id": "[UNK]", "cls_id": "[CLS]", "sep_id": "[SEP]"}


class ImportError_(Exception):
    """An input the importer refuses; the message names the file, key or tensor."""


def fail(msg):
    raise ImportError_(msg)


class Tensors:
    """The checkpoint's tensors; take() marks each one used, so leftovers can be refused."""

    def __init__(self, sd, path):
        self.sd, self.path, self.used = sd, path, set()

    def has(self, key):
        return key in self.sd

    def take(self, key, shape=None):
        if key not in self.sd:
            fail(f"{self.path}: missing tensor '{key}'")
        t = self.sd[key]
        if shape is not None and tuple(t.shape) != tuple(shape):
            fail(f"{self.path}: tensor '{key}' has shape {list(t.shape)}, expected {list(shape)} "
                 f"from the config and the other tensors")
        self.used.add(key)
        return t.astype(np.float32)

    def ignore(self, pattern):
        for k in self.sd:
            if re.fullmatch(pattern, k):
                self.used.add(k)

    def refuse_leftovers(self, arch):
        left = sorted(k for k in self.sd if k not in self.used)
        if left:
            more = f" (and {len(left) - 1} more)" if len(left) > 1 else ""
            fail(f"{self.path}: unsupported tensor '{left[0]}'{more}: not part of a {arch} encoder "
                 f"rapmc can run (docs/formats.md, 'Importing PyTorch models')")


def load_checkpoint(path):
    import torch
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises many types for a file that is not a checkpoint
        fail(f"{path}: not a PyTorch checkpoint ({type(e).__name__}: {e})")
    return numpy_state(obj, path)


def numpy_state(obj, path):
    """The float32 numpy tensors of a state_dict (or of a dict holding it under "model" or
    "state_dict"), without a "module." prefix; `path` names it in messages."""
    for k in ("model", "state_dict"):
        if isinstance(obj, dict) and k in obj and isinstance(obj[k], dict):
            obj = obj[k]
    if not isinstance(obj, dict) or not obj:
        fail(f"{path}: expected a state_dict (a dict of tensors)")
    sd = {}
    for k, v in obj.items():
        if not hasattr(v, "detach"):
            fail(f"{path}: entry '{k}' is not a tensor")
        sd[k[len("module."):] if k.startswith("module.") else k] = v.detach().cpu().float().numpy()
    return sd


def load_config(path):
    try:
        with open(path) as f:
            c = json.load(f)
    except OSError as e:
        fail(f"{path}: cannot read config ({e.strerror})")
    except json.JSONDecodeError as e:
        fail(f"{path}: not JSON ({e})")
    if not isinstance(c, dict):
        fail(f"{path}: the config must be a JSON object")
    return c


def agree(config, cpath, key, value):
    """A config value, if stated, must equal what the tensors say."""
    if key in config and config[key] != value:
        fail(f"{cpath}: '{key}' = {config[key]} contradicts the checkpoint's tensors ({value})")


def need(config, cpath, key, kind=int):
    if key not in config:
        fail(f"{cpath}: missing '{key}' (the tensors do not determine it)")
    v = config[key]
    if not isinstance(v, kind) or isinstance(v, bool):
        fail(f"{cpath}: '{key}' must be {kind.__name__}, not {v!r}")
    return v


def count_layers(t, pattern):
    idx = {int(m.group(1)) for k in t.sd for m in [re.match(pattern, k)] if m}
    if not idx:
        return 0
    if idx != set(range(max(idx) + 1)):
        fail(f"{t.path}: layers {sorted(idx)} are not numbered 0..{max(idx)}")
    return max(idx) + 1


def import_vit(t, config, cpath):
    if t.has("patch_embed.proj.weight"):
        flavour = "timm"
        names = dict(patch="patch_embed.proj", cls="cls_token", pos="pos_embed", block="blocks.{}.",
                     ln1="norm1", ln2="norm2", qkv="attn.qkv", proj="attn.proj", fc1="mlp.fc1",
                     fc2="mlp.fc2", norm="norm", head="head", layer_re=r"blocks\.(\d+)\.")
    elif t.has("conv_proj.weight"):
        flavour = "torchvision"
        names = dict(patch="conv_proj", cls="class_token", pos="encoder.pos_embedding",
                     block="encoder.layers.encoder_layer_{}.", ln1="ln_1", ln2="ln_2",
                     qkv="self_attention.in_proj", proj="self_attention.out_proj",
                     fc1="mlp.0" if t.has("encoder.layers.encoder_layer_0.mlp.0.weight") else "mlp.linear_1",
                     fc2="mlp.3" if t.has("encoder.layers.encoder_layer_0.mlp.3.weight") else "mlp.linear_2",
                     norm="encoder.ln", head="heads.head", layer_re=r"encoder\.layers\.encoder_layer_(\d+)\.")
    else:
        fail(f"{t.path}: not a ViT checkpoint rapmc knows: neither 'patch_embed.proj.weight' (timm/DeiT) "
             f"nor 'conv_proj.weight' (torchvision)")
    pw = t.sd[names["patch"] + ".weight"]
    if pw.ndim != 4 or pw.shape[2] != pw.shape[3]:
        fail(f"{t.path}: tensor '{names['patch']}.weight' has shape {list(pw.shape)}, expected a square "
             f"Conv2d kernel [D, C, p, p]")
    dim, channels, patch = pw.shape[0], pw.shape[1], pw.shape[2]
    pos = t.sd.get(names["pos"])
    if pos is None:
        fail(f"{t.path}: missing tensor '{names['pos']}'")
    tokens = pos.reshape(-1, dim).shape[0] if pos.size % dim == 0 else -1
    side = math.isqrt(max(tokens - 1, 0))
    if tokens < 2 or side * side != tokens - 1:
        fail(f"{t.path}: tensor '{names['pos']}' has shape {list(pos.shape)}: not [1, 1 + n², D] "
             f"(a CLS token and a square grid of patches)")
    image = side * patch
    depth = count_layers(t, names["layer_re"])
    if depth == 0:
        fail(f"{t.path}: no encoder blocks ('{names['block'].format(0)}...')")
    fc1 = t.sd.get(names["block"].format(0) + names["fc1"] + ".weight")
    if fc1 is None:
        fail(f"{t.path}: missing tensor '{names['block'].format(0) + names['fc1']}.weight'")
    mlp = fc1.shape[0]
    hw = t.sd.get(names["head"] + ".weight")
    if hw is None:
        fail(f"{t.path}: missing tensor '{names['head']}.weight' (a classification head)")
    classes = hw.shape[0]
    heads = need(config, cpath, "heads" if "heads" in config else "num_heads")
    if heads <= 0 or dim % heads:
        fail(f"{cpath}: 'num_heads' = {heads} does not divide the width D = {dim}")
    for key, value in (("embed_dim", dim), ("hidden_dim", dim), ("depth", depth), ("num_layers", depth),
                       ("patch_size", patch), ("in_chans", channels), ("img_size", image),
                       ("image_size", image), ("num_classes", classes), ("mlp_dim", mlp)):
        agree(config, cpath, key, value)
    if "mlp_ratio" in config and config["mlp_ratio"] * dim != mlp:
        fail(f"{cpath}: 'mlp_ratio' = {config['mlp_ratio']} contradicts the checkpoint's MLP width {mlp} "
             f"(D = {dim})")
    eps = float(config.get("layer_norm_eps", 1e-6))
    mean = [float(v) for v in config.get("mean", [0.5] * channels)]
    std = [float(v) for v in config.get("std", [0.5] * channels)]
    if len(mean) != channels or len(std) != channels or min(std) <= 0:
        fail(f"{cpath}: 'mean' and 'std' need {channels} values each, std > 0")

    out = {}
    out["embed/patch/weight"] = t.take(names["patch"] + ".weight").reshape(dim, -1)
    out["embed/patch/bias"] = t.take(names["patch"] + ".bias", (dim,))
    out["embed/cls"] = t.take(names["cls"], (1, 1, dim)).reshape(dim)
    out["embed/pos"] = t.take(names["pos"], (1, tokens, dim)).reshape(tokens, dim)
    for i in range(depth):
        p, g = names["block"].format(i), f"blocks/{i}/"
        for a, b in (("ln1", names["ln1"]), ("ln2", names["ln2"])):
            out[g + a + "/weight"] = t.take(p + b + ".weight", (dim,))
            out[g + a + "/bias"] = t.take(p + b + ".bias", (dim,))
        qkv = names["qkv"]
        wkey, bkey = (p + qkv + "_weight", p + qkv + "_bias") if flavour == "torchvision" else (
            p + qkv + ".weight", p + qkv + ".bias")
        out[g + "attn/qkv_weight"] = t.take(wkey, (3 * dim, dim))
        out[g + "attn/qkv_bias"] = t.take(bkey, (3 * dim,))
        out[g + "attn/proj_weight"] = t.take(p + names["proj"] + ".weight", (dim, dim))
        out[g + "attn/proj_bias"] = t.take(p + names["proj"] + ".bias", (dim,))
        out[g + "mlp/fc1_weight"] = t.take(p + names["fc1"] + ".weight", (mlp, dim))
        out[g + "mlp/fc1_bias"] = t.take(p + names["fc1"] + ".bias", (mlp,))
        out[g + "mlp/fc2_weight"] = t.take(p + names["fc2"] + ".weight", (dim, mlp))
        out[g + "mlp/fc2_bias"] = t.take(p + names["fc2"] + ".bias", (dim,))
    out["head/ln/weight"] = t.take(names["norm"] + ".weight", (dim,))
    out["head/ln/bias"] = t.take(names["norm"] + ".bias", (dim,))
    out["head/fc/weight"] = t.take(names["head"] + ".weight", (classes, dim))
    out["head/fc/bias"] = t.take(names["head"] + ".bias", (classes,))
    t.refuse_leftovers("ViT")
    attrs = dict(kind="vit", dim=dim, depth=depth, heads=heads, mlp_dim=mlp, num_classes=classes,
                 image_size=image, patch_size=patch, channels=channels, ln_eps=eps,
                 mean=np.array(mean, dtype=np.float64), std=np.array(std, dtype=np.float64),
                 source_architecture=f"{flavour} VisionTransformer")
    return attrs, out


def read_vocab(path, size):
    try:
        with open(path, encoding="utf-8") as f:
            vocab = [line.rstrip("\n") for line in f]
    except OSError as e:
        fail(f"{path}: cannot read vocabulary ({e.strerror})")
    while vocab and vocab[-1] == "":
        vocab.pop()
    if len(vocab) != size:
        fail(f"{path}: vocabulary mismatch: {len(vocab)} entries, but the word embedding "
             f"'bert.embeddings.word_embeddings.weight' has {size} rows")
    if len(set(vocab)) != len(vocab):
        dup = next(w for i, w in enumerate(vocab) if w in vocab[:i])
        fail(f"{path}: vocabulary mismatch: '{dup}' appears twice")
    ids = {}
    for attr, token in SPECIALS.items():
        if token not in vocab:
            fail(f"{path}: vocabulary mismatch: no {token} token")
        ids[attr] = vocab.index(token)
    return vocab, ids


def import_bert(t, config, cpath, vocab_path):
    archs = config.get("architectures", ["BertForSequenceClassification"])
    if archs != ["BertForSequenceClassification"]:
        fail(f"{cpath}: unsupported architecture {archs}: rapmc imports BertForSequenceClassification")
    if config.get("hidden_act", "gelu") != "gelu":
        fail(f"{cpath}: unsupported 'hidden_act' = {config['hidden_act']!r} (rapmc runs exact GELU)")
    if config.get("position_embedding_type", "absolute") != "absolute":
        fail(f"{cpath}: unsupported 'position_embedding_type' = {config['position_embedding_type']!r}")
    e = "bert.embeddings."
    word = t.sd.get(e + "word_embeddings.weight")
    if word is None:
        fail(f"{t.path}: missing tensor '{e}word_embeddings.weight' (not a BertForSequenceClassification)")
    vocab_size, dim = word.shape
    depth = count_layers(t, r"bert\.encoder\.layer\.(\d+)\.")
    if depth == 0:
        fail(f"{t.path}: no encoder layers ('bert.encoder.layer.0...')")
    inter = t.sd.get("bert.encoder.layer.0.intermediate.dense.weight")
    if inter is None:
        fail(f"{t.path}: missing tensor 'bert.encoder.layer.0.intermediate.dense.weight'")
    mlp = inter.shape[0]
    cls_w = t.sd.get("classifier.weight")
    if cls_w is None:
        fail(f"{t.path}: missing tensor 'classifier.weight'")
    classes = cls_w.shape[0]
    pos_w = t.sd.get(e + "position_embeddings.weight")
    typ_w = t.sd.get(e + "token_type_embeddings.weight")
    if pos_w is None or typ_w is None:
        fail(f"{t.path}: missing tensor '{e}{'position' if pos_w is None else 'token_type'}_embeddings.weight'")
    max_tokens, types = pos_w.shape[0], typ_w.shape[0]
    for key, value in (("vocab_size", vocab_size), ("hidden_size", dim), ("num_hidden_layers", depth),
                       ("intermediate_size", mlp), ("max_position_embeddings", max_tokens),
                       ("type_vocab_size", types), ("num_labels", classes)):
        agree(config, cpath, key, value)
    if "id2label" in config and len(config["id2label"]) != classes:
        fail(f"{cpath}: 'id2label' has {len(config['id2label'])} labels, the classifier {classes} outputs")
    heads = need(config, cpath, "num_attention_heads")
    if heads <= 0 or dim % heads:
        fail(f"{cpath}: 'num_attention_heads' = {heads} does not divide hidden_size = {dim}")
    eps = float(config.get("layer_norm_eps", 1e-12))
    vocab, special_ids = read_vocab(vocab_path, vocab_size)

    out = {}
    out["embed/word"] = t.take(e + "word_embeddings.weight", (vocab_size, dim))
    out["embed/pos"] = t.take(e + "position_embeddings.weight", (max_tokens, dim))
    out["embed/segment"] = t.take(e + "token_type_embeddings.weight", (types, dim))
    out["embed/ln/weight"] = t.take(e + "LayerNorm.weight", (dim,))
    out["embed/ln/bias"] = t.take(e + "LayerNorm.bias", (dim,))
    t.ignore(r"bert\.embeddings\.(position_ids|token_type_ids)")  # index buffers, not weights
    for i in range(depth):
        p, g = f"bert.encoder.layer.{i}.", f"blocks/{i}/"
        a = p + "attention."
        out[g + "attn/qkv_weight"] = np.concatenate(
            [t.take(a + f"self.{n}.weight", (dim, dim)) for n in ("query", "key", "value")])
        out[g + "attn/qkv_bias"] = np.concatenate([t.take(a + f"self.{n}.bias", (dim,)) for n in ("query", "key", "value")])
        out[g + "attn/proj_weight"] = t.take(a + "output.dense.weight", (dim, dim))
        out[g + "attn/proj_bias"] = t.take(a + "output.dense.bias", (dim,))
        out[g + "ln1/weight"] = t.take(a + "output.LayerNorm.weight", (dim,))
        out[g + "ln1/bias"] = t.take(a + "output.LayerNorm.bias", (dim,))
        out[g + "mlp/fc1_weight"] = t.take(p + "intermediate.dense.weight", (mlp, dim))
        out[g + "mlp/fc1_bias"] = t.take(p + "intermediate.dense.bias", (mlp,))
        out[g + "mlp/fc2_weight"] = t.take(p + "output.dense.weight", (dim, mlp))
        out[g + "mlp/fc2_bias"] = t.take(p + "output.dense.bias", (dim,))
        out[g + "ln2/weight"] = t.take(p + "output.LayerNorm.weight", (dim,))
        out[g + "ln2/bias"] = t.take(p + "output.LayerNorm.bias", (dim,))
    out["pooler/weight"] = t.take("bert.pooler.dense.weight", (dim, dim))
    out["pooler/bias"] = t.take("bert.pooler.dense.bias", (dim,))
    out["head/fc/weight"] = t.take("classifier.weight", (classes, dim))
    out["head/fc/bias"] = t.take("classifier.bias", (classes,))
    t.refuse_leftovers("BERT")
    attrs = dict(kind="bert", dim=dim, depth=depth, heads=heads, mlp_dim=mlp, num_classes=classes,
                 max_tokens=max_tokens, vocab_size=vocab_size, type_vocab_size=types, ln_eps=eps,
                 tokenizer=config.get("rapmc_tokenizer", "rapmc-word-v1"),
                 source_architecture="BertForSequenceClassification", **special_ids)
    if "rapmc_dataset" in config:
        attrs["dataset"] = config["rapmc_dataset"]
    if attrs["tokenizer"] != "rapmc-word-v1":
        fail(f"{cpath}: unsupported 'rapmc_tokenizer' = {attrs['tokenizer']!r} (rapmc has rapmc-word-v1)")
    return attrs, out, vocab


def write(path, attrs, tensors, vocab=None, info=None):
    tmp = path + ".tmp"
    with h5py.File(tmp, "w") as f:
        f.attrs["filetype"] = "rapmc-model"
        f.attrs["format_version"] = FORMAT_VERSION
        for k, v in attrs.items():
            f.attrs[k] = np.int64(v) if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else (
                np.float64(v) if isinstance(v, float) else v)
        for k, v in (info or {}).items():
            f.attrs[k] = np.int64(v) if isinstance(v, int) else (np.float64(v) if isinstance(v, float) else str(v))
        for k, v in tensors.items():
            f[k] = np.ascontiguousarray(v, dtype=np.float32)
        if vocab is not None:
            f.create_dataset("tokenizer/vocab", data=np.array(vocab, dtype=object),
                             dtype=h5py.string_dtype("utf-8"))
    os.replace(tmp, path)


def import_torch(source, config, out, arch=None, vocab=None, info=None):
    """Imports in-process: `source` is a torch.nn.Module, a state_dict or a checkpoint path;
    `config` a dict or a JSON file; `arch` "vit" or "bert" (default: "bert" when the tensors
    are HuggingFace BERT's, else "vit"); `vocab` the vocabulary file of a text model; `info` a
    dict of provenance attributes. The command line's rules and refusals (ImportError_, nothing
    written). Returns the model's attributes."""
    if hasattr(source, "state_dict"):
        t = Tensors(numpy_state(source.state_dict(), "<module>"), f"<{type(source).__name__}>")
    elif isinstance(source, dict):
        t = Tensors(numpy_state(source, "<state_dict>"), "<state_dict>")
    else:
        t = Tensors(load_checkpoint(os.fspath(source)), os.fspath(source))
    if isinstance(config, dict):
        cpath = "<config>"
    else:
        cpath = os.fspath(config)
        config = load_config(cpath)
    if arch is None:
        arch = "bert" if any(k.startswith("bert.") for k in t.sd) else "vit"
    if arch not in ("vit", "bert"):
        fail(f"arch = {arch!r}: expected 'vit' or 'bert'")
    words = None
    if arch == "vit":
        attrs, tensors = import_vit(t, config, cpath)
    else:
        if vocab is None:
            fail("bert: vocab is required (the vocabulary is stored in the model file)")
        attrs, tensors, words = import_bert(t, config, cpath, os.fspath(vocab))
    attrs["source_checkpoint"] = os.path.basename(t.path)
    write(os.fspath(out), attrs, tensors, words, info)
    return attrs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("arch", choices=("vit", "bert"))
    ap.add_argument("checkpoint")
    ap.add_argument("--config", required=True, help="JSON: hyper-parameters (HF config.json for bert)")
    ap.add_argument("--vocab", help="bert: vocabulary, one token per line (HF vocab.txt)")
    ap.add_argument("--info", help="JSON of provenance attributes to record (e.g. training figures)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    try:
        if args.arch == "bert" and not args.vocab:
            fail("bert: --vocab is required (the vocabulary is stored in the model file)")
        info = load_config(args.info) if args.info else None
        attrs = import_torch(args.checkpoint, args.config, args.out, args.arch, args.vocab, info)
    except ImportError_ as e:
        print(f"import_torch: error: {e}", file=sys.stderr)
        return 2
    print(f"import_torch: wrote {args.out} ({attrs['kind']}, D={attrs['dim']}, depth={attrs['depth']}, "
          f"heads={attrs['heads']})")
    return 0

