// Labelled image datasets named by a spec such as "fashion-mnist:test".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rapmc {

/// Images as raw 8-bit pixels, (channel, row, column) order per image, with labels.
struct ImageSet {
  std::string name;  // the spec it was loaded from
  std::size_t channels = 1;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<std::uint8_t> pixels;
  std::vector<int> labels;

  std::size_t size() const noexcept { return labels.size(); }
  std::size_t image_elements() const noexcept { return channels * rows * cols; }
  const std::uint8_t* image(std::size_t i) const { return pixels.data() + i * image_elements(); }
};

/// Folder of the Fashion-MNIST files: $RAPMC_DATA_DIR if set, else Debian's
/// /usr/share/datasets/fashion-mnist (package dataset-fashion-mnist).
std::string default_fashion_mnist_dir();

/// Loads "fashion-mnist:train" or "fashion-mnist:test" from `data_dir` (empty: the default);
/// `limit` > 0 keeps only the first `limit` images. ConfigError for an unknown spec,
/// DataError for missing or malformed files.
ImageSet load_dataset(const std::string& spec, const std::string& data_dir = "",
                      std::size_t limit = 0);

/// Throws DataError if the images are not channels × image_size × image_size (the shape the
/// model in `model_source` expects), or there are none.
void check_image_shape(const ImageSet& images, std::int64_t image_size, std::int64_t channels,
                       const std::string& model_source);

}  // namespace rapmc
