"""Small PyTorch encoders with the parameter names of the libraries the importer supports, for
the importer's tests and the committed fixtures (tests/python/make_import_fixtures.py)."""
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "experiments", "train_bert"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))


class TimmBlock(nn.Module):
    def __init__(self, dim, heads, mlp, eps):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = nn.Module()
        self.attn.qkv = nn.Linear(dim, 3 * dim)
        self.attn.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = nn.Module()
        self.mlp.fc1 = nn.Linear(dim, mlp)
        self.mlp.fc2 = nn.Linear(mlp, dim)

    def forward(self, x):
        b, t, d = x.shape
        hd = d // self.heads
        qkv = self.attn.qkv(self.norm1(x)).reshape(b, t, 3, self.heads, hd).permute(2, 0, 3, 1, 4)
        att = ((qkv[0] @ qkv[1].transpose(-2, -1)) / math.sqrt(hd)).softmax(-1)
        x = x + self.attn.proj((att @ qkv[2]).transpose(1, 2).reshape(b, t, d))
        return x + self.mlp.fc2(F.gelu(self.mlp.fc1(self.norm2(x))))


class TimmViT(nn.Module):
    """timm/DeiT `VisionTransformer` names: patch_embed.proj, cls_token, pos_embed, blocks.N, norm, head."""

    def __init__(self, img=28, patch=7, chans=1, dim=32, depth=2, heads=2, mlp=64, classes=10, eps=1e-6):
        super().__init__()
        self.patch_embed = nn.Module()
        self.patch_embed.proj = nn.Conv2d(chans, dim, patch, stride=patch)
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim) * 0.5)
        self.pos_embed = nn.Parameter(torch.randn(1, (img // patch) ** 2 + 1, dim) * 0.5)
        self.blocks = nn.ModuleList([TimmBlock(dim, heads, mlp, eps) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=eps)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        t = self.patch_embed.proj(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(t.shape[0], -1, -1), t], 1) + self.pos_embed
        for b in self.blocks:
            x = b(x)
        return self.head(self.norm(x)[:, 0])


def torchvision_vit(seed, **kw):
    import torchvision
    torch.manual_seed(seed)
    m = torchvision.models.VisionTransformer(image_size=28, patch_size=7, num_layers=2, num_heads=2,
                                             hidden_dim=32, mlp_dim=64, num_classes=10, **kw)
    with torch.no_grad():  # torchvision zero-initialises the head and CLS token: make them matter
        for p in m.parameters():
            if p.abs().sum() == 0:
                p.normal_(0, 0.3)
    return m.eval()


def timm_vit(seed, **kw):
    torch.manual_seed(seed)
    return TimmViT(**kw).eval()


def bert(seed, vocab_size=40, dim=32, depth=2, heads=2, mlp=64, max_tokens=16, classes=5):
    import train as bert_train  # experiments/train_bert/train.py: HF BertForSequenceClassification names
    torch.manual_seed(seed)
    config = {"architectures": ["BertForSequenceClassification"], "model_type": "bert",
              "vocab_size": vocab_size, "hidden_size": dim, "num_hidden_layers": depth,
              "num_attention_heads": heads, "intermediate_size": mlp, "hidden_act": "gelu",
              "max_position_embeddings": max_tokens, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
              "num_labels": classes}
    m = bert_train.BertForSequenceClassification(config, 0.0).eval()
    with torch.no_grad():
        for n, p in m.named_parameters():
            if "LayerNorm" in n:
                p.normal_(1.0 if n.endswith("weight") else 0.0, 0.2)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"] + [f"w{i}" for i in range(vocab_size - 4)]
    return m, config, vocab
