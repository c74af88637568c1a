#!/usr/bin/python3
"""Train the shipped BERT-style text encoder on the WordNet gloss task and export it.

Run with Debian's interpreter (python3-torch, python3-h5py, python3-numpy):
    /usr/bin/python3 experiments/train_bert/train.py --work build/train_bert \
        --out data/models/bert_wordnet.h5 --fixture data/fixtures/bert_wordnet_logits.h5
Writes a HuggingFace-style checkpoint (state_dict.pt with BertForSequenceClassification names,
config.json, vocab.txt) into --work after every epoch, and at the end converts it with
scripts/import_torch.py, exactly as a user converts their own model. Offline only.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

import h5py
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wordnet  # noqa: E402


class SelfAttention(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.query = nn.Linear(dim, dim)
        self.key = nn.Linear(dim, dim)
        self.value = nn.Linear(dim, dim)


class Dense(nn.Module):
    """A dense layer followed by dropout, the residual and a LayerNorm (BERT's *Output)."""

    def __init__(self, d_in, d_out, eps, p):
        super().__init__()
        self.dense = nn.Linear(d_in, d_out)
        self.LayerNorm = nn.LayerNorm(d_out, eps=eps)
        self.dropout = nn.Dropout(p)

    def forward(self, h, residual):
        return self.LayerNorm(residual + self.dropout(self.dense(h)))


class Attention(nn.Module):
    def __init__(self, dim, eps, p):
        super().__init__()
        setattr(self, "self", SelfAttention(dim))
        self.output = Dense(dim, dim, eps, p)


class Intermediate(nn.Module):
    def __init__(self, dim, mlp):
        super().__init__()
        self.dense = nn.Linear(dim, mlp)


class Layer(nn.Module):
    """Post-LN encoder layer, BERT's names: x = LN(x + attn(x)); x = LN(x + W2 gelu(W1 x))."""

    def __init__(self, dim, heads, mlp, eps, p):
        super().__init__()
        self.heads = heads
        self.attention = Attention(dim, eps, p)
        self.intermediate = Intermediate(dim, mlp)
        self.output = Dense(mlp, dim, eps, p)
        self.drop = nn.Dropout(p)

    def forward(self, x, key_pad):
        b, t, d = x.shape
        hd = d // self.heads
        sa = getattr(self.attention, "self")

        def split(y):
            return y.reshape(b, t, self.heads, hd).transpose(1, 2)

        q, k, v = split(sa.query(x)), split(sa.key(x)), split(sa.value(x))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
        att = att.masked_fill(key_pad[:, None, None, :], float("-inf")).softmax(dim=-1)
        y = (self.drop(att) @ v).transpose(1, 2).reshape(b, t, d)
        x = self.attention.output(y, x)
        return self.output(F.gelu(self.intermediate.dense(x)), x)  # exact (erf) GELU


class Embeddings(nn.Module):
    def __init__(self, vocab, dim, max_tokens, types, eps, p):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, dim, padding_idx=wordnet.PAD)
        self.position_embeddings = nn.Embedding(max_tokens, dim)
        self.token_type_embeddings = nn.Embedding(types, dim)
        self.LayerNorm = nn.LayerNorm(dim, eps=eps)
        self.dropout = nn.Dropout(p)

    def forward(self, ids):
        pos = torch.arange(ids.shape[1])
        e = self.word_embeddings(ids) + self.position_embeddings(pos)[None] + self.token_type_embeddings(
            torch.zeros_like(ids))
        return self.dropout(self.LayerNorm(e))


class Encoder(nn.Module):
    def __init__(self, c, p):
        super().__init__()
        self.layer = nn.ModuleList(
            [Layer(c["hidden_size"], c["num_attention_heads"], c["intermediate_size"], c["layer_norm_eps"], p)
             for _ in range(c["num_hidden_layers"])])


class Pooler(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dense = nn.Linear(dim, dim)


class Bert(nn.Module):
    def __init__(self, c, p):
        super().__init__()
        self.embeddings = Embeddings(c["vocab_size"], c["hidden_size"], c["max_position_embeddings"],
                                     c["type_vocab_size"], c["layer_norm_eps"], p)
        self.encoder = Encoder(c, p)
        self.pooler = Pooler(c["hidden_size"])


class BertForSequenceClassification(nn.Module):
    def __init__(self, c, p=0.1):
        super().__init__()
        self.bert = Bert(c, p)
        self.dropout = nn.Dropout(p)
        self.classifier = nn.Linear(c["hidden_size"], c["num_labels"])

    def forward(self, ids):
        key_pad = ids == wordnet.PAD
        x = self.bert.embeddings(ids)
        for layer in self.bert.encoder.layer:
            x = layer(x, key_pad)
        pooled = torch.tanh(self.bert.pooler.dense(x[:, 0]))
        return self.classifier(self.dropout(pooled))


def batch(seqs):
    """Pads id lists to the longest one (PAD keys are masked, so the padding changes nothing)."""
    n = max(len(s) for s in seqs)
    return torch.tensor([s + [wordnet.PAD] * (n - len(s)) for s in seqs], dtype=torch.long)


def length_batches(seqs, size, gen, pool=50):
    """Shuffled batches of similar lengths (less padding): shuffle, sort pools of `pool` batches
    by length, cut them into batches, shuffle the batches."""
    perm = torch.randperm(len(seqs), generator=gen).tolist()
    out = []
    for p in range(0, len(perm), size * pool):
        chunk = sorted(perm[p:p + size * pool], key=lambda j: len(seqs[j]))
        out += [chunk[i:i + size] for i in range(0, len(chunk), size)]
    order = torch.randperm(len(out), generator=gen).tolist()
    return [out[i] for i in order]


@torch.no_grad()
def evaluate(model, seqs, labels, bs=512):
    model.eval()
    correct = 0
    for i in range(0, len(seqs), bs):
        correct += (model(batch(seqs[i:i + bs])).argmax(1) == labels[i:i + bs]).sum().item()
    return correct / len(seqs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="build/train_bert")
    ap.add_argument("--out", default="data/models/bert_wordnet.h5")
    ap.add_argument("--fixture", default="data/fixtures/bert_wordnet_logits.h5")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--mlp-dim", type=int, default=512)
    ap.add_argument("--max-tokens", type=int, default=32)
    ap.add_argument("--vocab-size", type=int, default=12000)
    ap.add_argument("--max-steps", type=int, default=0, help="stop early (timing runs)")
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    train, test = wordnet.read_split("train"), wordnet.read_split("test")
    vocab = wordnet.build_vocab([t for t, _, _ in train], max_size=args.vocab_size)
    index = {w: i for i, w in enumerate(vocab)}
    xtr = [wordnet.encode(t, index, args.max_tokens) for t, _, _ in train]
    ytr = torch.tensor([y for _, y, _ in train])
    xte = [wordnet.encode(t, index, args.max_tokens) for t, _, _ in test]
    yte = torch.tensor([y for _, y, _ in test])
    config = {
        "architectures": ["BertForSequenceClassification"], "model_type": "bert",
        "vocab_size": len(vocab), "hidden_size": args.dim, "num_hidden_layers": args.depth,
        "num_attention_heads": args.heads, "intermediate_size": args.mlp_dim, "hidden_act": "gelu",
        "max_position_embeddings": args.max_tokens, "type_vocab_size": 1, "layer_norm_eps": 1e-12,
        "num_labels": wordnet.NUM_CLASSES, "rapmc_tokenizer": wordnet.TOKENIZER,
        "rapmc_dataset": "wordnet",
    }
    model = BertForSequenceClassification(config, args.dropout)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    other = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": other, "weight_decay": 0.0}], lr=args.lr)
    steps_per_epoch = math.ceil(len(xtr) / args.batch_size)
    total = args.epochs * steps_per_epoch
    warm = steps_per_epoch // 2
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / (total - warm))))
    gen = torch.Generator().manual_seed(args.seed)
    os.makedirs(args.work, exist_ok=True)
    with open(os.path.join(args.work, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
    with open(os.path.join(args.work, "vocab.txt"), "w") as f:
        f.write("\n".join(vocab) + "\n")
    t0, step, acc = time.time(), 0, 0.0
    for epoch in range(args.epochs):
        model.train()
        loss_sum = 0.0
        for idx in length_batches(xtr, args.batch_size, gen):
            loss = F.cross_entropy(model(batch([xtr[j] for j in idx])), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item()
            step += 1
            if args.max_steps and step >= args.max_steps:
                print(f"{step} steps in {time.time() - t0:.1f} s")
                return
        acc = evaluate(model, xte, yte)
        print(f"epoch {epoch + 1}/{args.epochs} loss {loss_sum / steps_per_epoch:.4f} "
              f"test {acc * 100:.2f}% ({time.time() - t0:.0f} s)", flush=True)
        torch.save(model.state_dict(), os.path.join(args.work, "state_dict.pt"))
    seconds = time.time() - t0
    train_info = {"torch_test_accuracy": acc, "train_seed": args.seed, "train_epochs": args.epochs,
                  "train_batch_size": args.batch_size, "train_lr": args.lr, "train_weight_decay": args.weight_decay,
                  "train_dropout": args.dropout, "train_seconds": seconds,
                  "train_optimizer": "AdamW, linear warm-up then cosine decay", "torch_version": str(torch.__version__)}
    with open(os.path.join(args.work, "train_info.json"), "w") as f:
        json.dump(train_info, f, indent=1)
    here = os.path.dirname(os.path.abspath(__file__))
    importer = os.path.join(here, "..", "..", "scripts", "import_torch.py")
    subprocess.run([sys.executable, importer, "bert", os.path.join(args.work, "state_dict.pt"),
                    "--config", os.path.join(args.work, "config.json"), "--vocab", os.path.join(args.work, "vocab.txt"),
                    "--info", os.path.join(args.work, "train_info.json"), "--out", args.out], check=True)
    # Fixture: PyTorch logits of the first 64 test glosses, with their token ids (C++ checks both).
    model.eval()
    n = 64
    with torch.no_grad():
        logits = torch.cat([model(torch.tensor([s])) for s in xte[:n]]).numpy().astype(np.float32)
    with h5py.File(args.fixture, "w") as f:
        f.attrs["filetype"] = "rapmc-fixture"
        f.attrs["description"] = f"PyTorch FP32 logits of {args.out} on the first {n} WordNet test glosses"
        f.attrs["torch_version"] = str(torch.__version__)
        f["logits"] = logits
        f["labels"] = yte[:n].numpy().astype(np.int64)
        ids = np.full((n, args.max_tokens), -1, dtype=np.int32)
        for i, s in enumerate(xte[:n]):
            ids[i, :len(s)] = s
        f["token_ids"] = ids
    print(f"wrote {args.out} and {args.fixture} ({seconds:.0f} s of training)")


if __name__ == "__main__":
    main()
