#include "rapmc/model/model_header.h"

namespace rapmc {

ModelError ModelAttributes::missing(const IoError& e) const {
  return ModelError(std::string(e.what()) + " (required by the " + format_name_ + ")");
}

std::int64_t ModelAttributes::integer(const std::string& group, const std::string& name,
                                      std::int64_t lo, std::int64_t hi) const {
  const std::int64_t v = required([&] {
    return group.empty() ? file_.read_int_attribute(name)
                         : file_.group(group).read_int_attribute(name);
  });
  if (v < lo || v > hi) {
    throw ModelError(file_.where(group) + ": attribute '" + name + "' = " + std::to_string(v) +
                     " out of range " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  return v;
}

std::string ModelAttributes::text(const std::string& name) const {
  return required([&] { return file_.read_string_attribute(name); });
}

ModelHeader read_model_header(const ModelAttributes& a, const std::string& path,
                              const FileFormat& format) {
  (void)check_format_header(a.file(), path, format);
  const std::string kind = a.text("kind");
  const auto arch = find_value(ARCHITECTURE_NAMES, kind);
  if (!arch)
    throw ModelError(path + ": attribute 'kind' is '" + kind + "', expected 'vit' or 'bert'");
  ModelHeader h;
  h.arch = *arch;
  h.dim = a.integer("", "dim", 1, 1 << 16);
  h.depth = a.integer("", "depth", 1, 1024);
  h.heads = a.integer("", "heads", 1, 1024);
  h.mlp_dim = a.integer("", "mlp_dim", 1, 1 << 18);
  h.num_classes = a.integer("", "num_classes", 1, 1 << 20);
  return h;
}

}  // namespace rapmc
