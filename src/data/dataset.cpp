#include "rapmc/data/dataset.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "rapmc/core/errors.h"
#include "rapmc/data/wordnet.h"
#include "rapmc/io/idx.h"

namespace rapmc {
namespace {

SampleSet load_fashion_mnist(const std::string& spec, const std::string& split,
                             const std::string& data_dir, std::size_t limit) {
  const std::filesystem::path dir = data_dir.empty() ? default_fashion_mnist_dir() : data_dir;
  const std::string prefix = split == "train" ? "train" : "t10k";
  const std::string img_path = (dir / (prefix + "-images-idx3-ubyte.gz")).string();
  const std::string lbl_path = (dir / (prefix + "-labels-idx1-ubyte.gz")).string();

  idx::Array images = idx::read(img_path);
  idx::Array labels = idx::read(lbl_path);
  if (images.dims.size() != 3)
    throw DataError(img_path + ": expected a rank-3 IDX array of images");
  if (labels.dims.size() != 1)
    throw DataError(lbl_path + ": expected a rank-1 IDX array of labels");
  if (images.dims[0] != labels.dims[0]) {
    throw DataError(img_path + " and " + lbl_path + ": image and label counts differ");
  }
  SampleSet set;
  set.name = spec;
  set.rows = images.dims[1];
  set.cols = images.dims[2];
  std::size_t n = images.dims[0];
  if (limit > 0 && limit < n) n = limit;
  set.bytes.assign(images.data.begin(),
                   images.data.begin() + static_cast<std::ptrdiff_t>(n * set.sample_bytes()));
  set.labels.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (labels.data[i] > 9)
      throw DataError(lbl_path + ": label " + std::to_string(labels.data[i]) + " at index " +
                      std::to_string(i) + " out of range 0..9");
    set.labels.push_back(labels.data[i]);
  }
  return set;
}

SampleSet load_wordnet(const std::string& spec, const std::string& split, const ModelInput& input,
                       const std::string& data_dir, std::size_t limit) {
  if (input.kind != SampleKind::TOKENS || input.tokenizer == nullptr)
    throw ConfigError("dataset '" + spec + "' is text, but model " + input.source +
                      " reads images (use a text model, e.g. data/models/bert_wordnet.h5)");
  std::vector<Gloss> glosses = read_wordnet(split, data_dir);
  if (limit > 0 && limit < glosses.size()) glosses.resize(limit);
  SampleSet set;
  set.name = spec;
  set.kind = SampleKind::TOKENS;
  set.max_tokens = static_cast<std::size_t>(input.max_tokens);
  set.bytes.reserve(glosses.size() * set.sample_bytes());
  for (const Gloss& g : glosses) {
    append_token_record(set.bytes,
                        input.tokenizer->encode(g.text, static_cast<int>(set.max_tokens)),
                        set.max_tokens);
    set.labels.push_back(g.label);
  }
  return set;
}

}  // namespace

std::string default_fashion_mnist_dir() {
  if (const char* env = std::getenv("RAPMC_DATA_DIR"); env && *env) return env;
  return "/usr/share/datasets/fashion-mnist";
}

const std::vector<DatasetName>& dataset_names() {
  static const std::vector<DatasetName> NAMES{
      {"fashion-mnist:train", "60,000 images, 1×28×28, 10 classes"},
      {"fashion-mnist:test", "10,000 images, 1×28×28, 10 classes"},
      {"wordnet:train", "105,736 glosses, 45 classes"},
      {"wordnet:test", "11,923 glosses, 45 classes"}};
  return NAMES;
}

std::string default_dataset(const ModelInput& input, const std::string& split) {
  return (input.kind == SampleKind::TOKENS ? "wordnet:" : "fashion-mnist:") + split;
}

SampleSet load_dataset(const std::string& spec, const ModelInput& input,
                       const std::string& data_dir, std::size_t limit) {
  const auto colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  const std::string split = colon == std::string::npos ? "" : spec.substr(colon + 1);
  const auto& known = dataset_names();
  if (std::none_of(known.begin(), known.end(),
                   [&](const DatasetName& d) { return d.name == spec; })) {
    std::string expected;
    for (std::size_t i = 0; i < known.size(); ++i)
      expected += std::string(i == 0                  ? ""
                              : i + 1 == known.size() ? " or "
                                                      : ", ") +
                  std::string(known[i].name);
    throw ConfigError("dataset '" + spec + "': unknown (expected " + expected + ")");
  }
  if (name == "wordnet") return load_wordnet(spec, split, input, data_dir, limit);
  if (input.kind == SampleKind::TOKENS)  // refused before 60,000 images are read
    throw ConfigError("dataset '" + spec + "' is images, but model " + input.source +
                      " reads token sequences (use " + default_dataset(input, split) + ")");
  return load_fashion_mnist(spec, split, data_dir, limit);
}

SampleSet load_dataset(const std::string& spec, const std::string& data_dir, std::size_t limit) {
  return load_dataset(spec, ModelInput{}, data_dir, limit);
}

void check_input_shape(const SampleSet& s, const ModelInput& input) {
  if (input.kind == SampleKind::TOKENS) {
    if (s.kind != SampleKind::TOKENS || s.max_tokens > static_cast<std::size_t>(input.max_tokens))
      throw DataError("dataset '" + s.name + "' is not token sequences of at most " +
                      std::to_string(input.max_tokens) + " tokens, which model " + input.source +
                      " reads");
  } else if (s.kind != SampleKind::IMAGE || s.rows != static_cast<std::size_t>(input.image_size) ||
             s.cols != static_cast<std::size_t>(input.image_size) ||
             s.channels != static_cast<std::size_t>(input.channels)) {
    const std::string has = s.kind == SampleKind::IMAGE
                                ? std::to_string(s.channels) + "x" + std::to_string(s.rows) + "x" +
                                      std::to_string(s.cols) + " images"
                                : "token sequences";
    throw DataError("dataset '" + s.name + "' has " + has + " but model " + input.source +
                    " expects " + std::to_string(input.channels) + "x" +
                    std::to_string(input.image_size) + "x" + std::to_string(input.image_size));
  }
  if (s.size() == 0) throw DataError("dataset '" + s.name + "' holds no samples");
}

}  // namespace rapmc
