#include "rapmc/model/encoder_model.h"

#include <functional>

#include "rapmc/core/errors.h"
#include "rapmc/io/format_header.h"
#include "rapmc/io/hdf5.h"
#include "rapmc/model/model_header.h"

namespace rapmc {
namespace {

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

std::vector<float> flat(const arma::mat& m) {  // column-major [r,c] -> row-major
  std::vector<float> out(m.n_elem);
  for (arma::uword r = 0; r < m.n_rows; ++r)
    for (arma::uword c = 0; c < m.n_cols; ++c) out[r * m.n_cols + c] = static_cast<float>(m(r, c));
  return out;
}

std::vector<float> flat(const arma::vec& v) {
  return std::vector<float>(v.begin(), v.end());
}

// The tensors of a block with their datasets under blocks/<i>/ and shapes, in file order:
// vec(name, field, n) and mat(name, field, rows, cols) (load_model and save_model share this
// list).
template <class Block, class Vec, class Mat>
void for_each_block_tensor(Block& b, std::int64_t d, std::int64_t mlp, Vec&& vec, Mat&& mat) {
  vec("ln1/weight", b.ln1_weight, d);
  vec("ln1/bias", b.ln1_bias, d);
  mat("attn/qkv_weight", b.qkv_weight, 3 * d, d);
  vec("attn/qkv_bias", b.qkv_bias, 3 * d);
  mat("attn/proj_weight", b.proj_weight, d, d);
  vec("attn/proj_bias", b.proj_bias, d);
  vec("ln2/weight", b.ln2_weight, d);
  vec("ln2/bias", b.ln2_bias, d);
  mat("mlp/fc1_weight", b.fc1_weight, mlp, d);
  vec("mlp/fc1_bias", b.fc1_bias, mlp);
  mat("mlp/fc2_weight", b.fc2_weight, d, mlp);
  vec("mlp/fc2_bias", b.fc2_bias, d);
}

void read_blocks(const h5::File& f, EncoderModel& m) {
  const EncoderConfig& c = m.config;
  const std::int64_t d = c.dim;
  for (std::int64_t i = 0; i < c.depth; ++i) {
    const std::string g = "blocks/" + std::to_string(i) + "/";
    EncoderBlock b;
    for_each_block_tensor(
        b, d, c.mlp_dim,
        [&](const char* name, arma::vec& v, std::int64_t n) { v = read_vec(f, g + name, n); },
        [&](const char* name, arma::mat& a, std::int64_t rows, std::int64_t cols) {
          a = read_mat(f, g + name, rows, cols);
        });
    m.blocks.push_back(std::move(b));
  }
  if (f.exists("blocks/" + std::to_string(c.depth))) {
    throw ModelError(f.where("blocks/" + std::to_string(c.depth)) +
                     ": more blocks than attribute 'depth' (" + std::to_string(c.depth) + ")");
  }
  m.head_weight = read_mat(f, "head/fc/weight", c.num_classes, d);
  m.head_bias = read_vec(f, "head/fc/bias", c.num_classes);
}

void read_vit(const ModelAttributes& a, const std::string& path, EncoderModel& m) {
  const h5::File& f = a.file();
  EncoderConfig& c = m.config;
  c.image_size = a.integer("", "image_size", 1, 1 << 14);
  c.patch_size = a.integer("", "patch_size", 1, 1 << 14);
  c.channels = a.integer("", "channels", 1, 64);
  c.mean = a.required([&] { return f.read_double_array_attribute("mean"); });
  c.std = a.required([&] { return f.read_double_array_attribute("std"); });
  if (c.image_size % c.patch_size != 0) {
    throw ModelError(path + ": attribute 'image_size' is not a multiple of 'patch_size'");
  }
  if (c.mean.size() != static_cast<std::size_t>(c.channels) ||
      c.std.size() != static_cast<std::size_t>(c.channels)) {
    throw ModelError(path + ": attributes 'mean' and 'std' need one value per channel (" +
                     std::to_string(c.channels) + ")");
  }
  for (double s : c.std)
    if (!(s > 0)) throw ModelError(path + ": attribute 'std' must be positive");
  const std::int64_t d = c.dim, t = c.tokens();
  m.patch_weight = read_mat(f, "embed/patch/weight", d, c.patch_elements());
  m.patch_bias = read_vec(f, "embed/patch/bias", d);
  m.cls = read_vec(f, "embed/cls", d);
  m.pos = read_mat(f, "embed/pos", t, d).t();
  read_blocks(f, m);
  m.head_ln_weight = read_vec(f, "head/ln/weight", d);
  m.head_ln_bias = read_vec(f, "head/ln/bias", d);
}

void read_bert(const ModelAttributes& a, const std::string& path, EncoderModel& m) {
  const h5::File& f = a.file();
  EncoderConfig& c = m.config;
  c.max_tokens = a.integer("", "max_tokens", 1, 1 << 14);
  c.vocab_size = a.integer("", "vocab_size", 1, 65535);
  c.type_vocab_size = a.integer("", "type_vocab_size", 1, 1 << 10);
  if (c.max_tokens < 2) throw ModelError(path + ": attribute 'max_tokens' must be at least 2");
  const std::string tok = a.text("tokenizer");
  if (tok != WORD_TOKENIZER)
    throw ModelError(path + ": attribute 'tokenizer' is '" + tok + "', expected '" +
                     std::string(WORD_TOKENIZER) + "'");
  SpecialTokens sp;
  for (const auto& [attr, id] : {std::pair{"pad_id", &sp.pad}, std::pair{"unk_id", &sp.unk},
                                 std::pair{"cls_id", &sp.cls}, std::pair{"sep_id", &sp.sep}}) {
    const std::string name = attr;  // Clang 14 lambdas cannot capture a structured binding
    *id = static_cast<int>(a.required([&] { return f.read_int_attribute(name); }));
  }
  if (!f.exists("tokenizer/vocab"))
    throw ModelError(f.where("tokenizer/vocab") + ": missing dataset (required by the format)");
  std::vector<std::string> vocab =
      a.required([&] { return f.read_string_dataset("tokenizer/vocab"); });
  if (static_cast<std::int64_t>(vocab.size()) != c.vocab_size)
    throw ModelError(f.where("tokenizer/vocab") + ": " + std::to_string(vocab.size()) +
                     " tokens, but attribute 'vocab_size' is " + std::to_string(c.vocab_size));
  m.tokenizer = WordTokenizer(std::move(vocab), sp, path);
  const std::int64_t d = c.dim;
  m.word = read_mat(f, "embed/word", c.vocab_size, d).t();
  m.pos = read_mat(f, "embed/pos", c.max_tokens, d).t();
  m.segment = read_mat(f, "embed/segment", c.type_vocab_size, d).t();
  m.embed_ln_weight = read_vec(f, "embed/ln/weight", d);
  m.embed_ln_bias = read_vec(f, "embed/ln/bias", d);
  read_blocks(f, m);
  m.pooler_weight = read_mat(f, "pooler/weight", d, d);
  m.pooler_bias = read_vec(f, "pooler/bias", d);
}

}  // namespace

ModelInput EncoderModel::input() const {
  ModelInput in;
  in.source = source;
  if (config.arch == Architecture::BERT) {
    in.kind = SampleKind::TOKENS;
    in.max_tokens = config.max_tokens;
    in.tokenizer = &tokenizer;
  } else {
    in.image_size = config.image_size;
    in.channels = config.channels;
  }
  return in;
}

EncoderModel load_model(const std::string& path) {
  const h5::File f = h5::File::open(path);
  const ModelAttributes a(f, "model format");
  const ModelHeader h = read_model_header(a, path, MODEL_FORMAT);
  EncoderModel m;
  m.source = path;
  EncoderConfig& c = m.config;
  c.arch = h.arch;
  c.dim = h.dim;
  c.depth = h.depth;
  c.heads = h.heads;
  c.mlp_dim = h.mlp_dim;
  c.num_classes = h.num_classes;
  c.ln_eps = a.required([&] { return f.read_double_attribute("ln_eps"); });
  if (c.dim % c.heads != 0) {
    throw ModelError(path + ": attribute 'dim' (" + std::to_string(c.dim) +
                     ") is not a multiple of 'heads' (" + std::to_string(c.heads) + ")");
  }
  if (!(c.ln_eps > 0 && c.ln_eps < 1))
    throw ModelError(path + ": attribute 'ln_eps' must be in (0, 1)");
  if (f.has_attribute("torch_test_accuracy"))
    m.torch_test_accuracy = f.read_double_attribute("torch_test_accuracy");
  if (c.arch == Architecture::VIT)
    read_vit(a, path, m);
  else
    read_bert(a, path, m);
  return m;
}

void save_model(const EncoderModel& m, const std::string& path) {
  const h5::File f = h5::File::create(path, h5::Overwrite::YES);
  const EncoderConfig& c = m.config;
  const bool vit = c.arch == Architecture::VIT;
  write_format_header(f, MODEL_FORMAT);
  f.write_attribute("kind", to_string(c.arch));
  f.write_attribute("dim", c.dim);
  f.write_attribute("depth", c.depth);
  f.write_attribute("heads", c.heads);
  f.write_attribute("mlp_dim", c.mlp_dim);
  f.write_attribute("num_classes", c.num_classes);
  f.write_attribute("ln_eps", c.ln_eps);
  if (vit) {
    f.write_attribute("image_size", c.image_size);
    f.write_attribute("patch_size", c.patch_size);
    f.write_attribute("channels", c.channels);
    f.write_attribute("mean", c.mean);
    f.write_attribute("std", c.std);
  } else {
    f.write_attribute("max_tokens", c.max_tokens);
    f.write_attribute("vocab_size", c.vocab_size);
    f.write_attribute("type_vocab_size", c.type_vocab_size);
    f.write_attribute("tokenizer", std::string(WORD_TOKENIZER));
    const SpecialTokens& sp = m.tokenizer.special();
    f.write_attribute("pad_id", std::int64_t{sp.pad});
    f.write_attribute("unk_id", std::int64_t{sp.unk});
    f.write_attribute("cls_id", std::int64_t{sp.cls});
    f.write_attribute("sep_id", std::int64_t{sp.sep});
    f.write_dataset("tokenizer/vocab", m.tokenizer.vocab());
  }
  if (m.torch_test_accuracy >= 0) f.write_attribute("torch_test_accuracy", m.torch_test_accuracy);
  auto mat = [&](const std::string& rel, const arma::mat& a) {
    f.write_dataset(rel, flat(a), {a.n_rows, a.n_cols});
  };
  auto vec = [&](const std::string& rel, const arma::vec& v) {
    f.write_dataset(rel, flat(v), {v.n_elem});
  };
  if (vit) {
    mat("embed/patch/weight", m.patch_weight);
    vec("embed/patch/bias", m.patch_bias);
    vec("embed/cls", m.cls);
  } else {
    mat("embed/word", arma::mat(m.word.t()));
    mat("embed/segment", arma::mat(m.segment.t()));
    vec("embed/ln/weight", m.embed_ln_weight);
    vec("embed/ln/bias", m.embed_ln_bias);
  }
  mat("embed/pos", arma::mat(m.pos.t()));
  for (std::size_t i = 0; i < m.blocks.size(); ++i) {
    const std::string g = "blocks/" + std::to_string(i) + "/";
    for_each_block_tensor(
        m.blocks[i], c.dim, c.mlp_dim,
        [&](const char* name, const arma::vec& v, std::int64_t) { vec(g + name, v); },
        [&](const char* name, const arma::mat& a, std::int64_t, std::int64_t) {
          mat(g + name, a);
        });
  }
  if (vit) {
    vec("head/ln/weight", m.head_ln_weight);
    vec("head/ln/bias", m.head_ln_bias);
  } else {
    mat("pooler/weight", m.pooler_weight);
    vec("pooler/bias", m.pooler_bias);
  }
  mat("head/fc/weight", m.head_weight);
  vec("head/fc/bias", m.head_bias);
}

}  // namespace rapmc
