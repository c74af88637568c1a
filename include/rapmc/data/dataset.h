// Labelled datasets named by a spec such as "fashion-mnist:test" or "wordnet:test"
// (docs/datasets.md): images for the vision models, token sequences for the text models.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rapmc/data/token_record.h"
#include "rapmc/data/tokenizer.h"

namespace rapmc {

enum class SampleKind { IMAGE, TOKENS };

/// What a model reads, from its file: images of channels × image_size × image_size, or token
/// sequences of at most max_tokens ids made by the model's own tokenizer.
struct ModelInput {
  SampleKind kind = SampleKind::IMAGE;
  std::int64_t image_size = 0, channels = 0;  // images
  std::int64_t max_tokens = 0;                // token sequences
  const WordTokenizer* tokenizer = nullptr;   // token sequences; owned by the model
  std::string source;                         // the model file, for messages
};

/// Samples as fixed-size byte records with labels. An image record is its raw 8-bit pixels in
/// (channel, row, column) order; a token record is a uint16 count n, then max_tokens uint16
/// ids of which the first n are the sequence (data/token_record.h).
struct SampleSet {
  std::string name;  // the spec it was loaded from
  SampleKind kind = SampleKind::IMAGE;
  std::size_t channels = 1;  // images
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::size_t max_tokens = 0;  // token sequences
  std::vector<std::uint8_t> bytes;
  std::vector<int> labels;

  std::size_t size() const noexcept { return labels.size(); }
  std::size_t sample_bytes() const noexcept {
    return kind == SampleKind::IMAGE ? channels * rows * cols : token_record_bytes(max_tokens);
  }
  const std::uint8_t* sample(std::size_t i) const { return bytes.data() + i * sample_bytes(); }
};

/// Folder of the Fashion-MNIST files: $RAPMC_DATA_DIR if set, else Debian's
/// /usr/share/datasets/fashion-mnist (package dataset-fashion-mnist).
std::string default_fashion_mnist_dir();

/// One dataset load_dataset knows, by the name campaigns and options give it.
struct DatasetName {
  std::string_view name;         // "fashion-mnist:test"
  std::string_view description;  // what it holds, for docs/datasets.md
};

/// Every dataset name load_dataset accepts.
const std::vector<DatasetName>& dataset_names();

/// Loads "fashion-mnist:{train,test}" (from `data_dir`, empty: the default) or
/// "wordnet:{train,test}" (from `data_dir`, empty: default_wordnet_dir(); tokenized with the
/// model's tokenizer, so `input` must be a text model's); `limit` > 0 keeps the first `limit`
/// samples. ConfigError for an unknown spec or a spec the model cannot read, DataError for
/// missing or malformed files.
SampleSet load_dataset(const std::string& spec, const ModelInput& input,
                       const std::string& data_dir = "", std::size_t limit = 0);

/// An image dataset, no model needed: load_dataset(spec, ModelInput{}, data_dir, limit).
SampleSet load_dataset(const std::string& spec, const std::string& data_dir = "",
                       std::size_t limit = 0);

/// The dataset of the model's own kind for `split` ("train" or "test"): "wordnet:<split>" for a
/// text model, "fashion-mnist:<split>" for a vision model. What eval, quantize and campaigns
/// use when no dataset is named.
std::string default_dataset(const ModelInput& input, const std::string& split);

/// Throws DataError if the samples are not what the model reads (image shape, or token
/// sequences for a text model), or there are none.
void check_input_shape(const SampleSet& samples, const ModelInput& input);

}  // namespace rapmc
