#include "rapmc/data/dataset.h"

#include <cstdlib>
#include <filesystem>

#include "rapmc/core/errors.h"
#include "rapmc/io/idx.h"

namespace rapmc {

std::string default_fashion_mnist_dir() {
  if (const char* env = std::getenv("RAPMC_DATA_DIR"); env && *env) return env;
  return "/usr/share/datasets/fashion-mnist";
}

ImageSet load_dataset(const std::string& spec, const std::string& data_dir, std::size_t limit) {
  const auto colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  const std::string split = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (name != "fashion-mnist" || (split != "train" && split != "test")) {
    throw ConfigError("dataset '" + spec +
                      "': unknown (expected fashion-mnist:train or fashion-mnist:test)");
  }
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
  ImageSet set;
  set.name = spec;
  set.rows = images.dims[1];
  set.cols = images.dims[2];
  std::size_t n = images.dims[0];
  if (limit > 0 && limit < n) n = limit;
  set.pixels.assign(images.data.begin(),
                    images.data.begin() + static_cast<std::ptrdiff_t>(n * set.image_elements()));
  set.labels.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (labels.data[i] > 9)
      throw DataError(lbl_path + ": label " + std::to_string(labels.data[i]) + " at index " +
                      std::to_string(i) + " out of range 0..9");
    set.labels.push_back(labels.data[i]);
  }
  return set;
}

void check_image_shape(const ImageSet& images, std::int64_t image_size, std::int64_t channels,
                       const std::string& model_source) {
  if (images.rows != static_cast<std::size_t>(image_size) ||
      images.cols != static_cast<std::size_t>(image_size) ||
      images.channels != static_cast<std::size_t>(channels)) {
    throw DataError("dataset '" + images.name + "' has " + std::to_string(images.channels) + "x" +
                    std::to_string(images.rows) + "x" + std::to_string(images.cols) +
                    " images but model " + model_source + " expects " + std::to_string(channels) +
                    "x" + std::to_string(image_size) + "x" + std::to_string(image_size));
  }
  if (images.size() == 0) throw DataError("dataset '" + images.name + "' holds no images");
}

}  // namespace rapmc
