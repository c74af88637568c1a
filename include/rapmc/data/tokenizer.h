// The word-level tokenizer `rapmc-word-v1` of the text models (docs/datasets.md, "WordNet
// supersenses"). The same rule is written in Python (experiments/train_bert/wordnet.py) and
// checked against it on committed token ids (tests/unit/test_text.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rapmc {

/// Name stored in a text model's `tokenizer` attribute.
inline constexpr std::string_view WORD_TOKENIZER = "rapmc-word-v1";

/// Ids of the special tokens in a vocabulary.
struct SpecialTokens {
  int pad = 0, unk = 1, cls = 2, sep = 3;
};

/// ASCII lower case; a word is a maximal run of [a-z0-9], every other byte separates words.
/// encode() gives [CLS] w1 .. wn [SEP], the words cut to max_tokens - 2, unknown words [UNK].
class WordTokenizer {
 public:
  WordTokenizer() = default;
  /// ModelError naming `source` if the vocabulary repeats a token or a special id is out of
  /// range.
  WordTokenizer(std::vector<std::string> vocab, SpecialTokens special, const std::string& source);
  std::vector<int> encode(std::string_view text, int max_tokens) const;
  const std::vector<std::string>& vocab() const { return vocab_; }
  const SpecialTokens& special() const { return special_; }
  bool empty() const { return vocab_.empty(); }

 private:
  std::vector<std::string> vocab_;
  std::unordered_map<std::string, int> index_;
  SpecialTokens special_;
};

/// The words of a text by the rule above (exposed for tests).
std::vector<std::string> split_words(std::string_view text);

}  // namespace rapmc
