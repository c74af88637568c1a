"""The WordNet gloss task (docs/datasets.md, "WordNet supersenses"): reading, split, tokenizer.

This file is the Python reference of rules the C++ side implements again (src/data/wordnet.cpp,
src/data/tokenizer.cpp); tests compare the two on committed fixtures.

- Examples: every synset line of /usr/share/wordnet/data.{noun,verb,adj,adv} (Debian
  `wordnet-base`, WordNet 3.0). Label: the lexicographer file number (field 2, 0..44, the
  45 supersense classes). Text: the gloss after "| " up to its first double quote (the
  definition without its example sentences), trailing spaces and semicolons removed.
- Split: test if the synset offset (field 1) is divisible by 10, else train.
- Tokenizer `rapmc-word-v1`: ASCII lower case; a word is a maximal run of [a-z0-9]; every other
  byte separates words. Ids: [PAD]=0, [UNK]=1, [CLS]=2, [SEP]=3, then the vocabulary. A sequence
  is [CLS] w1 .. wn [SEP] with n cut to max_tokens - 2 words.
"""
import os
import re

WORDNET_DIR = "/usr/share/wordnet"
POS_FILES = ("noun", "verb", "adj", "adv")
NUM_CLASSES = 45
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
PAD, UNK, CLS, SEP = range(4)
TOKENIZER = "rapmc-word-v1"
_WORD = re.compile(rb"[a-z0-9]+")


def read_split(split, wordnet_dir=WORDNET_DIR):
    """[(text, label, 'pos:offset')] of one split ('train' or 'test'), in file order."""
    if split not in ("train", "test"):
        raise ValueError(f"wordnet split must be train or test, not {split!r}")
    out = []
    for pos in POS_FILES:
        path = os.path.join(wordnet_dir, "data." + pos)
        with open(path, "rb") as f:
            for line in f:
                if line.startswith(b"  "):  # licence header
                    continue
                head, sep, gloss = line.partition(b"| ")
                fields = head.split(b" ")
                if not sep or len(fields) < 3:
                    raise ValueError(f"{path}: malformed synset line {line[:40]!r}")
                offset, label = int(fields[0]), int(fields[1])
                if (offset % 10 == 0) != (split == "test"):
                    continue
                text = gloss.split(b'"', 1)[0].rstrip(b" ;\r\n")
                out.append((text, label, f"{pos}:{offset:08d}"))
    return out


def words(text):
    """The words of a gloss (bytes in, list of str out)."""
    return [w.decode("ascii") for w in _WORD.findall(text.lower())]


def encode(text, vocab_index, max_tokens):
    """Token ids [CLS] w.. [SEP] of one text (vocab_index: word -> id)."""
    ids = [vocab_index.get(w, UNK) for w in words(text)[:max_tokens - 2]]
    return [CLS] + ids + [SEP]


def build_vocab(texts, min_count=2, max_size=12000):
    """Specials, then the training words seen at least min_count times, most frequent first
    (ties alphabetical), cut to max_size entries in all."""
    counts = {}
    for t in texts:
        for w in words(t):
            counts[w] = counts.get(w, 0) + 1
    ranked = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    return SPECIALS + ranked[:max_size - len(SPECIALS)]
