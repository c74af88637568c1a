#include "rapmc/data/wordnet.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "rapmc/core/errors.h"

namespace rapmc {

std::string default_wordnet_dir() {
  if (const char* env = std::getenv("RAPMC_WORDNET_DIR"); env && *env) return env;
  return "/usr/share/wordnet";
}

std::vector<Gloss> read_wordnet(const std::string& split, const std::string& dir) {
  if (split != "train" && split != "test")
    throw ConfigError("dataset 'wordnet:" + split + "': unknown split (expected train or test)");
  const std::filesystem::path root = dir.empty() ? default_wordnet_dir() : dir;
  std::vector<Gloss> out;
  for (const char* pos : {"noun", "verb", "adj", "adv"}) {
    const std::string path = (root / (std::string("data.") + pos)).string();
    std::ifstream in(path, std::ios::binary);
    if (!in)
      throw DataError(path +
                      ": cannot open (install Debian's wordnet-base or set "
                      "RAPMC_WORDNET_DIR)");
    std::string line;
    for (std::size_t n = 1; std::getline(in, line); ++n) {
      if (line.rfind("  ", 0) == 0) continue;  // licence header
      const auto bar = line.find("| ");
      const auto sp1 = line.find(' ');
      const auto sp2 = sp1 == std::string::npos ? sp1 : line.find(' ', sp1 + 1);
      unsigned long offset = 0;
      int label = -1;
      const bool ok =
          bar != std::string::npos && sp2 != std::string::npos && sp2 < bar &&
          std::from_chars(line.data(), line.data() + sp1, offset).ec == std::errc{} &&
          std::from_chars(line.data() + sp1 + 1, line.data() + sp2, label).ec == std::errc{};
      if (!ok || label < 0 || label >= WORDNET_CLASSES)
        throw DataError(path + ":" + std::to_string(n) +
                        ": malformed synset line (expected '<offset> <lex_filenum 0..44> ... | "
                        "<gloss>')");
      if ((offset % 10 == 0) != (split == "test")) continue;
      std::string text = line.substr(bar + 2);
      text = text.substr(0, text.find('"'));
      while (!text.empty() && (text.back() == ' ' || text.back() == ';' || text.back() == '\r'))
        text.pop_back();
      char id[32];
      std::snprintf(id, sizeof id, "%s:%08lu", pos, offset);
      out.push_back({std::move(text), label, id});
    }
  }
  return out;
}

}  // namespace rapmc
