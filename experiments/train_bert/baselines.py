#!/usr/bin/python3
"""Simple baselines for the WordNet gloss task on the same split and words as the shipped text
model (docs/datasets.md): the majority class, and a bag-of-words logistic regression (word
counts over the model's vocabulary, unknown words dropped, L2-regularised softmax regression
trained with AdamW; settings fixed in advance, never tuned on the test split).

    /usr/bin/python3 experiments/train_bert/baselines.py --out experiments/train_bert/baselines.json
"""
import argparse
import collections
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wordnet  # noqa: E402


def bags(texts, index):
    ids, offsets = [], []
    for t in texts:
        offsets.append(len(ids))
        ids += [index[w] for w in wordnet.words(t) if w in index]
    return torch.tensor(ids, dtype=torch.long), torch.tensor(offsets, dtype=torch.long)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="experiments/train_bert/baselines.json")
    ap.add_argument("--vocab-size", type=int, default=12000)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=20261130)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    train, test = wordnet.read_split("train"), wordnet.read_split("test")
    ytr = torch.tensor([y for _, y, _ in train])
    yte = torch.tensor([y for _, y, _ in test])
    majority = collections.Counter(ytr.tolist()).most_common(1)[0][0]
    maj_acc = (yte == majority).float().mean().item()

    vocab = wordnet.build_vocab([t for t, _, _ in train], max_size=args.vocab_size)
    index = {w: i for i, w in enumerate(vocab) if i >= len(wordnet.SPECIALS)}
    model = nn.EmbeddingBag(len(vocab), wordnet.NUM_CLASSES, mode="sum")
    bias = nn.Parameter(torch.zeros(wordnet.NUM_CLASSES))
    nn.init.zeros_(model.weight)
    opt = torch.optim.AdamW(list(model.parameters()) + [bias], lr=0.01, weight_decay=1e-4)
    texts = [t for t, _, _ in train]
    t0 = time.time()
    for epoch in range(args.epochs):
        perm = torch.randperm(len(texts)).tolist()
        for i in range(0, len(perm), 512):
            idx = perm[i:i + 512]
            ids, off = bags([texts[j] for j in idx], index)
            loss = F.cross_entropy(model(ids, off) + bias, ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        ids, off = bags([t for t, _, _ in test], index)
        bow_acc = ((model(ids, off) + bias).argmax(1) == yte).float().mean().item()
    out = {"split": "wordnet:test", "n_test": len(test), "n_train": len(train),
           "majority_class": majority, "majority_accuracy": maj_acc,
           "bow_logistic_accuracy": bow_acc, "bow_vocab_size": len(vocab), "bow_epochs": args.epochs,
           "bow_seconds": time.time() - t0, "seed": args.seed}
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
