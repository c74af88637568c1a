#include "rapmc/model/vit_model.h"

#include <functional>

#include "rapmc/core/errors.h"
#include "rapmc/io/format_header.h"
#include "rapmc/io/hdf5.h"

namespace rapmc {
namespace {

constexpr FileFormat MODEL_FORMAT{"rapmc-model", "rapmc model file", MODEL_FORMAT_MAJOR, 0,
                                  HeaderErrorKind::MODEL};

using Shape = std::vector<std::uint64_t>;

std::string shape_str(const Shape& s) {
  std::string out = "[";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

// Reads a float dataset and checks its shape against the attributes.
std::vector<float> read_checked(const h5::File& f, const std::string& rel, const Shape& expected) {
  if (!f.exists(rel)) throw ModelError(f.where(rel) + ": missing dataset (required by the format)");
  const Shape got = f.dataset_shape(rel);
  if (got != expected) {
    throw ModelError(f.where(rel) + ": shape " + shape_str(got) +
                     " does not match the attributes (expected " + shape_str(expected) + ")");
  }
  if (!f.dataset_is_float(rel))
    throw ModelError(f.where(rel) + ": expected a floating-point dataset");
  return f.read_float_dataset(rel);
}

arma::vec read_vec(const h5::File& f, const std::string& rel, std::int64_t n) {
  const auto v = read_checked(f, rel, {static_cast<std::uint64_t>(n)});
  return arma::conv_to<arma::vec>::from(std::vector<double>(v.begin(), v.end()));
}

// A row-major [rows, cols] dataset into a column-major arma::mat of the same shape.
arma::mat read_mat(const h5::File& f, const std::string& rel, std::int64_t rows,
                   std::int64_t cols) {
  const auto v =
      read_checked(f, rel, {static_cast<std::uint64_t>(rows), static_cast<std::uint64_t>(cols)});
  arma::mat m(static_cast<arma::uword>(rows), static_cast<arma::uword>(cols));
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) m(r, c) = v[static_cast<std::size_t>(r * cols + c)];
  return m;
}

std::int64_t positive_int(const h5::File& f, const std::string& name, std::int64_t max) {
  std::int64_t v = 0;
  try {
    v = f.read_int_attribute(name);
  } catch (const IoError& e) {
    throw ModelError(std::string(e.what()) + " (required by the model format)");
  }
  if (v < 1 || v > max) {
    throw ModelError(f.where() + ": attribute '" + name + "' = " + std::to_string(v) +
                     " out of range 1.." + std::to_string(max));
  }
  return v;
}

template <class Fn>
auto as_model_error(Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const IoError& e) {
    throw ModelError(std::string(e.what()) + " (required by the model format)");
  }
}

std::vector<float> flat(const arma::mat& m) {  // column-major [r,c] -> row-major
  std::vector<float> out(m.n_elem);
  for (arma::uword r = 0; r < m.n_rows; ++r)
    for (arma::uword c = 0; c < m.n_cols; ++c) out[r * m.n_cols + c] = static_cast<float>(m(r, c));
  return out;
}

std::vector<float> flat(const arma::vec& v) {
  return std::vector<float>(v.begin(), v.end());
}

}  // namespace

VitModel load_vit_model(const std::string& path) {
  const h5::File f = h5::File::open(path);
  (void)check_format_header(f, path, MODEL_FORMAT);
  const std::string kind = as_model_error([&] { return f.read_string_attribute("kind"); });
  if (kind != "vit")
    throw ModelError(path + ": attribute 'kind' is '" + kind + "', expected 'vit'");

  VitModel m;
  m.source = path;
  VitConfig& c = m.config;
  c.dim = positive_int(f, "dim", 1 << 16);
  c.depth = positive_int(f, "depth", 1024);
  c.heads = positive_int(f, "heads", 1024);
  c.mlp_dim = positive_int(f, "mlp_dim", 1 << 18);
  c.num_classes = positive_int(f, "num_classes", 1 << 20);
  c.image_size = positive_int(f, "image_size", 1 << 14);
  c.patch_size = positive_int(f, "patch_size", 1 << 14);
  c.channels = positive_int(f, "channels", 64);
  c.ln_eps = as_model_error([&] { return f.read_double_attribute("ln_eps"); });
  c.mean = as_model_error([&] { return f.read_double_array_attribute("mean"); });
  c.std = as_model_error([&] { return f.read_double_array_attribute("std"); });
  if (c.dim % c.heads != 0) {
    throw ModelError(path + ": attribute 'dim' (" + std::to_string(c.dim) +
                     ") is not a multiple of 'heads' (" + std::to_string(c.heads) + ")");
  }
  if (c.image_size % c.patch_size != 0) {
    throw ModelError(path + ": attribute 'image_size' is not a multiple of 'patch_size'");
  }
  if (!(c.ln_eps > 0 && c.ln_eps < 1))
    throw ModelError(path + ": attribute 'ln_eps' must be in (0, 1)");
  if (c.mean.size() != static_cast<std::size_t>(c.channels) ||
      c.std.size() != static_cast<std::size_t>(c.channels)) {
    throw ModelError(path + ": attributes 'mean' and 'std' need one value per channel (" +
                     std::to_string(c.channels) + ")");
  }
  for (double s : c.std)
    if (!(s > 0)) throw ModelError(path + ": attribute 'std' must be positive");
  if (f.has_attribute("torch_test_accuracy"))
    m.torch_test_accuracy = f.read_double_attribute("torch_test_accuracy");

  const std::int64_t d = c.dim, t = c.tokens();
  m.patch_weight = read_mat(f, "embed/patch/weight", d, c.patch_elements());
  m.patch_bias = read_vec(f, "embed/patch/bias", d);
  m.cls = read_vec(f, "embed/cls", d);
  m.pos = read_mat(f, "embed/pos", t, d).t();
  for (std::int64_t i = 0; i < c.depth; ++i) {
    const std::string g = "blocks/" + std::to_string(i) + "/";
    VitBlock b;
    b.ln1_weight = read_vec(f, g + "ln1/weight", d);
    b.ln1_bias = read_vec(f, g + "ln1/bias", d);
    b.qkv_weight = read_mat(f, g + "attn/qkv_weight", 3 * d, d);
    b.qkv_bias = read_vec(f, g + "attn/qkv_bias", 3 * d);
    b.proj_weight = read_mat(f, g + "attn/proj_weight", d, d);
    b.proj_bias = read_vec(f, g + "attn/proj_bias", d);
    b.ln2_weight = read_vec(f, g + "ln2/weight", d);
    b.ln2_bias = read_vec(f, g + "ln2/bias", d);
    b.fc1_weight = read_mat(f, g + "mlp/fc1_weight", c.mlp_dim, d);
    b.fc1_bias = read_vec(f, g + "mlp/fc1_bias", c.mlp_dim);
    b.fc2_weight = read_mat(f, g + "mlp/fc2_weight", d, c.mlp_dim);
    b.fc2_bias = read_vec(f, g + "mlp/fc2_bias", d);
    m.blocks.push_back(std::move(b));
  }
  if (f.exists("blocks/" + std::to_string(c.depth))) {
    throw ModelError(f.where("blocks/" + std::to_string(c.depth)) +
                     ": more blocks than attribute 'depth' (" + std::to_string(c.depth) + ")");
  }
  m.head_ln_weight = read_vec(f, "head/ln/weight", d);
  m.head_ln_bias = read_vec(f, "head/ln/bias", d);
  m.head_weight = read_mat(f, "head/fc/weight", c.num_classes, d);
  m.head_bias = read_vec(f, "head/fc/bias", c.num_classes);
  return m;
}

void save_vit_model(const VitModel& m, const std::string& path) {
  const h5::File f = h5::File::create(path, h5::Overwrite::YES);
  const VitConfig& c = m.config;
  write_format_header(f, MODEL_FORMAT);
  f.write_attribute("kind", std::string("vit"));
  f.write_attribute("dim", c.dim);
  f.write_attribute("depth", c.depth);
  f.write_attribute("heads", c.heads);
  f.write_attribute("mlp_dim", c.mlp_dim);
  f.write_attribute("num_classes", c.num_classes);
  f.write_attribute("image_size", c.image_size);
  f.write_attribute("patch_size", c.patch_size);
  f.write_attribute("channels", c.channels);
  f.write_attribute("ln_eps", c.ln_eps);
  f.write_attribute("mean", c.mean);
  f.write_attribute("std", c.std);
  if (m.torch_test_accuracy >= 0) f.write_attribute("torch_test_accuracy", m.torch_test_accuracy);
  auto mat = [&](const std::string& rel, const arma::mat& a) {
    f.write_dataset(rel, flat(a), {a.n_rows, a.n_cols});
  };
  auto vec = [&](const std::string& rel, const arma::vec& v) {
    f.write_dataset(rel, flat(v), {v.n_elem});
  };
  mat("embed/patch/weight", m.patch_weight);
  vec("embed/patch/bias", m.patch_bias);
  vec("embed/cls", m.cls);
  mat("embed/pos", arma::mat(m.pos.t()));
  for (std::size_t i = 0; i < m.blocks.size(); ++i) {
    const std::string g = "blocks/" + std::to_string(i) + "/";
    const VitBlock& b = m.blocks[i];
    vec(g + "ln1/weight", b.ln1_weight);
    vec(g + "ln1/bias", b.ln1_bias);
    mat(g + "attn/qkv_weight", b.qkv_weight);
    vec(g + "attn/qkv_bias", b.qkv_bias);
    mat(g + "attn/proj_weight", b.proj_weight);
    vec(g + "attn/proj_bias", b.proj_bias);
    vec(g + "ln2/weight", b.ln2_weight);
    vec(g + "ln2/bias", b.ln2_bias);
    mat(g + "mlp/fc1_weight", b.fc1_weight);
    vec(g + "mlp/fc1_bias", b.fc1_bias);
    mat(g + "mlp/fc2_weight", b.fc2_weight);
    vec(g + "mlp/fc2_bias", b.fc2_bias);
  }
  vec("head/ln/weight", m.head_ln_weight);
  vec("head/ln/bias", m.head_ln_bias);
  mat("head/fc/weight", m.head_weight);
  vec("head/fc/bias", m.head_bias);
}

}  // namespace rapmc
