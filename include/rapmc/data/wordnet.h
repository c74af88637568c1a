// The WordNet gloss task (docs/datasets.md, "WordNet supersenses"): each synset's definition
// text, labelled with its lexicographer file (45 supersense classes), split by synset offset.
// Python reference: experiments/train_bert/wordnet.py.
#pragma once

#include <string>
#include <vector>

namespace rapmc {

inline constexpr int WORDNET_CLASSES = 45;

struct Gloss {
  std::string text;  // the gloss up to its first '"', trailing spaces and ';' removed
  int label = 0;     // lexicographer file number, 0..44
  std::string id;    // "<pos>:<offset>", e.g. "noun:00001740"
};

/// Folder of the WordNet data files: $RAPMC_WORDNET_DIR if set, else Debian's
/// /usr/share/wordnet (package wordnet-base).
std::string default_wordnet_dir();

/// The glosses of one split ("train": offset % 10 != 0, "test": offset % 10 == 0) from
/// data.{noun,verb,adj,adv}, in file order. DataError naming the file and line for a missing
/// file or a malformed synset line.
std::vector<Gloss> read_wordnet(const std::string& split, const std::string& dir = "");

}  // namespace rapmc
