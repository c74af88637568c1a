// The root header the FP32 model file and the integer model file share (docs/formats.md): the
// filetype and format_version, the `kind` of encoder and the geometry attributes dim, depth,
// heads, mlp_dim and num_classes; and the one way both read a required attribute.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "rapmc/core/errors.h"
#include "rapmc/io/format_header.h"
#include "rapmc/io/hdf5.h"
#include "rapmc/model/architecture.h"

namespace rapmc {

/// Required attributes of a model file: every failure a ModelError naming the file and the
/// attribute. `format_name` ends the message of a missing or unreadable one ("... (required by
/// the integer model format)"). `file` must outlive this object.
class ModelAttributes {
 public:
  ModelAttributes(const h5::File& file, std::string format_name)
      : file_(file), format_name_(std::move(format_name)) {}

  /// The integer attribute `name` of `group` ("" for the root), within [lo, hi].
  std::int64_t integer(const std::string& group, const std::string& name, std::int64_t lo,
                       std::int64_t hi) const;
  /// The string attribute `name` of the root.
  std::string text(const std::string& name) const;
  /// `read()`, an IoError from it becoming the ModelError of a missing attribute.
  template <class Read>
  auto required(Read&& read) const -> decltype(read()) {
    try {
      return read();
    } catch (const IoError& e) {
      throw missing(e);
    }
  }
  const h5::File& file() const { return file_; }

 private:
  ModelError missing(const IoError& e) const;
  const h5::File& file_;
  std::string format_name_;
};

/// Major version of the model format this build reads and writes.
inline constexpr int MODEL_FORMAT_MAJOR = 1;
/// The FP32 model file's header (docs/formats.md, "FP32 model file").
inline constexpr FileFormat MODEL_FORMAT{
    "rapmc-model",
    "rapmc model file",
    MODEL_FORMAT_MAJOR,
    1,
    HeaderErrorKind::MODEL,
    "[FP32 model](#fp32-model-file)",
    "1.0: first version (ViT); 1.1: `kind = \"bert\"` (text encoders)"};
/// Major version of the integer model format this build reads and writes.
inline constexpr int INT_MODEL_FORMAT_MAJOR = 1;
/// The integer model file's header (docs/formats.md, "Integer model file").
inline constexpr FileFormat INT_MODEL_FORMAT{"rapmc-int-model",
                                             "rapmc integer model",
                                             INT_MODEL_FORMAT_MAJOR,
                                             1,
                                             HeaderErrorKind::MODEL,
                                             "[Integer model](#integer-model-file)",
                                             "1.0: first version (ViT); 1.1: `kind = \"bert\"`"};

/// What the two model formats share at the root.
struct ModelHeader {
  Architecture arch = Architecture::VIT;
  std::int64_t dim = 0, depth = 0, heads = 0, mlp_dim = 0, num_classes = 0;
};

/// Checks the filetype and major version (`format`), then reads `kind` ('vit' or 'bert') and
/// the geometry in that order, each in its range; ModelError naming `path` otherwise.
ModelHeader read_model_header(const ModelAttributes& attributes, const std::string& path,
                              const FileFormat& format);

}  // namespace rapmc
