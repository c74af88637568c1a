#include "rapmc/data/tokenizer.h"

#include "rapmc/core/errors.h"

namespace rapmc {

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::string cur;
  for (const char ch : text) {
    char c = ch;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      cur += c;
    } else if (!cur.empty()) {
      words.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) words.push_back(std::move(cur));
  return words;
}

WordTokenizer::WordTokenizer(std::vector<std::string> vocab, SpecialTokens special,
                             const std::string& source)
    : vocab_(std::move(vocab)), special_(special) {
  const int n = static_cast<int>(vocab_.size());
  for (const int id : {special.pad, special.unk, special.cls, special.sep})
    if (id < 0 || id >= n)
      throw ModelError(source + ": special token id " + std::to_string(id) +
                       " outside the vocabulary (" + std::to_string(n) + " tokens)");
  for (int i = 0; i < n; ++i)
    if (!index_.emplace(vocab_[static_cast<std::size_t>(i)], i).second)
      throw ModelError(source + ": dataset 'tokenizer/vocab': token '" +
                       vocab_[static_cast<std::size_t>(i)] + "' appears twice");
}

std::vector<int> WordTokenizer::encode(std::string_view text, int max_tokens) const {
  std::vector<int> ids{special_.cls};
  for (const std::string& w : split_words(text)) {
    if (static_cast<int>(ids.size()) >= max_tokens - 1) break;
    const auto it = index_.find(w);
    ids.push_back(it == index_.end() ? special_.unk : it->second);
  }
  ids.push_back(special_.sep);
  return ids;
}

}  // namespace rapmc
