#include "rapmc/quant/int_model.h"

#include <array>
#include <functional>

#include "rapmc/core/errors.h"
#include "rapmc/data/dataset.h"
#include "rapmc/data/tokenizer.h"
#include "rapmc/io/format_header.h"
#include "rapmc/io/hdf5.h"
#include "rapmc/model/model_header.h"

namespace rapmc {

RequantMode parse_requant_mode(const std::string& name) {
  if (const auto m = find_value(REQUANT_MODE_NAMES, name)) return *m;
  throw ConfigError("--requant: unknown requantization mode '" + name + "' (expected " +
                    joined_names(REQUANT_MODE_NAMES) + ")");
}

std::string to_string(RequantMode m) {
  return std::string(name_of(REQUANT_MODE_NAMES, m));
}

void QuantSettings::validate() const {
  std::string problems;
  auto check = [&](const char* key, int v, int lo, int hi) {
    if (v < lo || v > hi) {
      problems += std::string(problems.empty() ? "" : "; ") + key + " = " + std::to_string(v) +
                  " out of range " + std::to_string(lo) + ".." + std::to_string(hi);
    }
  };
  check("weight_bits", weight_bits, 2, 8);
  check("act_bits", act_bits, 2, 8);
  check("residual_bits", residual_bits, 8, 24);
  check("prob_bits", prob_bits, 4, 8);
  check("nonlin_frac", nonlin_frac, 8, 20);
  check("mult_bits", mult_bits, 8, 24);
  if (!problems.empty()) throw ConfigError("quantization settings: " + problems);
}

void IntModel::derive_geometry() {
  head_dim = dim / heads;
  if (arch == Architecture::BERT) {
    tokens = max_tokens;
    return;
  }
  patches_per_side = image_size / patch_size;
  tokens = patches_per_side * patches_per_side + 1;
  patch_elements = channels * patch_size * patch_size;
}

std::vector<const IntLinear*> IntModel::weight_layers() const {
  std::vector<const IntLinear*> all;
  if (arch == Architecture::VIT) all.push_back(&embed);
  for (const IntBlock& b : blocks)
    for (const IntLinear* l : {&b.qkv, &b.proj, &b.fc1, &b.fc2}) all.push_back(l);
  if (arch == Architecture::BERT) all.push_back(&pooler);
  all.push_back(&head);
  return all;
}

ModelInput IntModel::input(const std::string& source) const {
  ModelInput in;
  in.source = source;
  if (arch == Architecture::BERT) {
    in.kind = SampleKind::TOKENS;
    in.max_tokens = max_tokens;
    in.tokenizer = tokenizer.get();
  } else {
    in.image_size = image_size;
    in.channels = channels;
  }
  return in;
}

namespace {

using Shape = std::vector<std::uint64_t>;

// The activation scales of a block with their names under blocks/<i>/scales/ (write and read
// share this list).
template <class Block>
auto block_scales(Block& b) {
  return std::array{std::pair{"qkv_in", &b.qkv_in},
                    std::pair{"q", &b.q},
                    std::pair{"k", &b.k},
                    std::pair{"v", &b.v},
                    std::pair{"proj_in", &b.proj_in},
                    std::pair{"fc1_in", &b.fc1_in},
                    std::pair{"fc2_in", &b.fc2_in}};
}

std::uint64_t u(int v) {
  return static_cast<std::uint64_t>(v);
}

void write_dyadics(const h5::Node& g, const std::string& name, const std::vector<Dyadic>& d) {
  std::vector<std::int64_t> flat;
  for (const Dyadic& x : d) {
    flat.push_back(x.m);
    flat.push_back(x.e);
  }
  g.write_dataset(name, flat, {d.size(), 2});
}

void write_linear(const h5::Node& root, const IntLinear& l) {
  const h5::Node g = root.require_group(l.name);
  g.write_dataset("w", l.w, {u(l.out), u(l.in)});
  write_dyadics(g, "w_scale", l.w_scale);
  g.write_dataset("bias", l.bias, {l.bias.size() / u(l.out), u(l.out)});
  g.write_attribute("bias_exp", std::int64_t{l.bias_exp});
}

void write_layernorm(const h5::Node& root, const std::string& name, const IntLayerNorm& n) {
  const h5::Node g = root.require_group(name);
  g.write_dataset("gamma", n.gamma, {n.gamma.size()});
  g.write_dataset("beta", n.beta, {n.beta.size()});
  g.write_attribute("gamma_frac", std::int64_t{n.gamma_frac});
  g.write_attribute("eps_d3_q32", n.eps_d3_q32);
}

void write_scale(const h5::Node& root, const std::string& name, const ActScale& s) {
  write_dyadics(root, name, {s.scale, s.inv_scale});
}

// Reading: every dataset is checked for presence, integer type and shape.
class Reader {
 public:
  explicit Reader(const h5::File& f) : f_(f), attributes_(f, "integer model format") {}

  std::vector<std::int64_t> ints(const std::string& rel, const Shape& shape) const {
    check(rel, shape);
    return f_.read_int64_dataset(rel);
  }
  std::vector<std::int8_t> int8s(const std::string& rel, const Shape& shape) const {
    check(rel, shape);
    return f_.read_int8_dataset(rel);
  }
  std::vector<Dyadic> dyadics(const std::string& rel, std::uint64_t n) const {
    const auto flat = ints(rel, {n, 2});
    std::vector<Dyadic> d(n);
    for (std::uint64_t i = 0; i < n; ++i) {
      d[i] = {flat[2 * i], static_cast<int>(flat[2 * i + 1])};
      if (d[i].m < 0 || d[i].m >= (std::int64_t{1} << DYADIC_BITS) || d[i].e < -1000 ||
          d[i].e > 1000) {
        throw ModelError(f_.where(rel) + ": row " + std::to_string(i) +
                         " is not a valid dyadic constant (m, e)");
      }
    }
    return d;
  }
  std::int64_t attr(const std::string& group, const std::string& name, std::int64_t lo,
                    std::int64_t hi) const {
    return attributes_.integer(group, name, lo, hi);
  }
  std::string text(const std::string& name) const { return attributes_.text(name); }
  const ModelAttributes& attributes() const { return attributes_; }

 private:
  void check(const std::string& rel, const Shape& shape) const {
    if (!f_.exists(rel))
      throw ModelError(f_.where(rel) + ": missing dataset (required by the integer model format)");
    const Shape got = f_.dataset_shape(rel);
    if (got != shape) {
      auto str = [](const Shape& s) {
        std::string o = "[";
        for (std::size_t i = 0; i < s.size(); ++i) o += (i ? ", " : "") + std::to_string(s[i]);
        return o + "]";
      };
      throw ModelError(f_.where(rel) + ": shape " + str(got) +
                       " does not match the attributes (expected " + str(shape) + ")");
    }
    if (!f_.dataset_is_integer(rel))
      throw ModelError(f_.where(rel) + ": expected an integer dataset");
  }
  const h5::File& f_;
  ModelAttributes attributes_;
};

IntLinear read_linear(const Reader& r, const std::string& name, int out, int in, int rows) {
  IntLinear l;
  l.name = name;
  l.out = out;
  l.in = in;
  l.w = r.int8s(name + "/w", {u(out), u(in)});
  l.w_scale = r.dyadics(name + "/w_scale", u(out));
  l.bias = r.ints(name + "/bias", {u(rows), u(out)});
  l.bias_exp = static_cast<int>(r.attr(name, "bias_exp", -200, 200));
  return l;
}

IntLayerNorm read_layernorm(const Reader& r, const std::string& name, int d) {
  IntLayerNorm n;
  n.gamma = r.ints(name + "/gamma", {u(d)});
  n.beta = r.ints(name + "/beta", {u(d)});
  n.gamma_frac = static_cast<int>(r.attr(name, "gamma_frac", -64, 62));
  n.eps_d3_q32 = r.attr(name, "eps_d3_q32", 0, INT64_MAX);
  return n;
}

ActScale read_scale(const Reader& r, const std::string& name) {
  const auto d = r.dyadics(name, 2);
  return {d[0], d[1]};
}

}  // namespace

void save_int_model(const IntModel& m, const std::string& path) {
  const h5::File f = h5::File::create(path, h5::Overwrite::NO);
  write_format_header(f, INT_MODEL_FORMAT);
  const bool vit = m.arch == Architecture::VIT;
  f.write_attribute("kind", to_string(m.arch));
  const auto geometry =
      vit ? std::vector<std::pair<const char*, int>>{{"image_size", m.image_size},
                                                     {"patch_size", m.patch_size},
                                                     {"channels", m.channels}}
          : std::vector<std::pair<const char*, int>>{
                {"max_tokens", m.max_tokens}, {"vocab_size", m.vocab_size}, {"pad_id", m.pad_id},
                {"unk_id", m.unk_id},         {"cls_id", m.cls_id},         {"sep_id", m.sep_id}};
  for (const auto& [k, v] : geometry) f.write_attribute(k, std::int64_t{v});
  for (const auto& [k, v] : {std::pair{"dim", m.dim},
                             {"depth", m.depth},
                             {"heads", m.heads},
                             {"mlp_dim", m.mlp_dim},
                             {"num_classes", m.num_classes},
                             {"weight_bits", m.settings.weight_bits},
                             {"act_bits", m.settings.act_bits},
                             {"residual_bits", m.settings.residual_bits},
                             {"prob_bits", m.settings.prob_bits},
                             {"nonlin_frac", m.settings.nonlin_frac},
                             {"mult_bits", m.settings.mult_bits},
                             {"embed_resid_exp", m.embed_resid_exp}}) {
    f.write_attribute(k, std::int64_t{v});
  }
  f.write_attribute("source_model", m.source_model);
  f.write_attribute("calibration", m.calibration);
  write_dyadics(f, "softmax_c", {m.softmax_c});
  if (vit) {
    write_linear(f, m.embed);
  } else {
    f.write_dataset("embed/word_table", m.word_table, {u(m.vocab_size), u(m.dim)});
    f.write_dataset("embed/pos_table", m.pos_table, {u(m.max_tokens), u(m.dim)});
    f.group("embed").write_attribute("table_exp", std::int64_t{m.embed_table_exp});
    write_layernorm(f, "embed/ln", m.embed_ln);
    f.write_dataset("tokenizer/vocab", m.vocab);
  }
  for (std::size_t i = 0; i < m.blocks.size(); ++i) {
    const IntBlock& b = m.blocks[i];
    const std::string g = "blocks/" + std::to_string(i) + "/";
    write_layernorm(f, g + "ln1", b.ln1);
    write_layernorm(f, g + "ln2", b.ln2);
    for (const IntLinear* l : {&b.qkv, &b.proj, &b.fc1, &b.fc2}) write_linear(f, *l);
    for (const auto& [name, s] : block_scales(b)) write_scale(f, g + "scales/" + name, *s);
    const h5::Node bg = f.group("blocks/" + std::to_string(i));
    bg.write_attribute("resid1_exp", std::int64_t{b.resid1_exp});
    bg.write_attribute("resid2_exp", std::int64_t{b.resid2_exp});
  }
  if (vit) {
    write_layernorm(f, "head/ln", m.head_ln);
  } else {
    write_scale(f, "pooler/scales/pooler_in", m.pooler_in);
    write_linear(f, m.pooler);
  }
  write_scale(f, "head/scales/head_in", m.head_in);
  write_linear(f, m.head);
  f.flush();
}

bool is_int_model_file(const std::string& path) {
  const h5::File f = h5::File::open(path);
  return has_filetype(f, INT_MODEL_FORMAT);
}

IntModel load_int_model(const std::string& path) {
  const h5::File f = h5::File::open(path);
  const Reader r(f);
  const ModelHeader h = read_model_header(r.attributes(), path, INT_MODEL_FORMAT);
  IntModel m;
  auto a = [&](const char* k, int lo, int hi) { return static_cast<int>(r.attr("", k, lo, hi)); };
  m.arch = h.arch;
  const bool vit = m.arch == Architecture::VIT;
  m.dim = static_cast<int>(h.dim);
  m.depth = static_cast<int>(h.depth);
  m.heads = static_cast<int>(h.heads);
  m.mlp_dim = static_cast<int>(h.mlp_dim);
  m.num_classes = static_cast<int>(h.num_classes);
  if (vit) {
    m.image_size = a("image_size", 1, 1 << 14);
    m.patch_size = a("patch_size", 1, 1 << 14);
    m.channels = a("channels", 1, 64);
  } else {
    m.max_tokens = a("max_tokens", 2, 1 << 14);
    m.vocab_size = a("vocab_size", 4, 65535);
    m.pad_id = a("pad_id", 0, m.vocab_size - 1);
    m.unk_id = a("unk_id", 0, m.vocab_size - 1);
    m.cls_id = a("cls_id", 0, m.vocab_size - 1);
    m.sep_id = a("sep_id", 0, m.vocab_size - 1);
  }
  QuantSettings& s = m.settings;
  s.weight_bits = a("weight_bits", INT32_MIN, INT32_MAX);
  s.act_bits = a("act_bits", INT32_MIN, INT32_MAX);
  s.residual_bits = a("residual_bits", INT32_MIN, INT32_MAX);
  s.prob_bits = a("prob_bits", INT32_MIN, INT32_MAX);
  s.nonlin_frac = a("nonlin_frac", INT32_MIN, INT32_MAX);
  s.mult_bits = a("mult_bits", INT32_MIN, INT32_MAX);
  try {
    s.validate();
  } catch (const ConfigError& e) {
    throw ModelError(path + ": " + e.what());
  }
  if (m.dim % m.heads != 0 || (vit && m.image_size % m.patch_size != 0)) {
    throw ModelError(path +
                     ": 'dim' must be a multiple of 'heads' and 'image_size' of 'patch_size'");
  }
  m.derive_geometry();
  m.embed_resid_exp = a("embed_resid_exp", -200, 200);
  m.source_model = r.text("source_model");
  m.calibration = r.text("calibration");
  m.softmax_c = r.dyadics("softmax_c", 1)[0];
  if (vit) {
    m.embed = read_linear(r, "embed", m.dim, m.patch_elements, m.tokens);
  } else {
    m.word_table = r.ints("embed/word_table", {u(m.vocab_size), u(m.dim)});
    m.pos_table = r.ints("embed/pos_table", {u(m.max_tokens), u(m.dim)});
    m.embed_table_exp = static_cast<int>(r.attr("embed", "table_exp", -200, 200));
    // Their sum must fit the integer LayerNorm's 2^31 input range.
    for (const auto& [rel, table] :
         {std::pair{"embed/word_table", &m.word_table}, std::pair{"embed/pos_table", &m.pos_table}})
      for (const std::int64_t v : *table)
        if (v < -(std::int64_t{1} << 30) || v > (std::int64_t{1} << 30))
          throw ModelError(f.where(rel) + ": entries must lie within ±2^30");
    m.embed_ln = read_layernorm(r, "embed/ln", m.dim);
    if (!f.exists("tokenizer/vocab"))
      throw ModelError(f.where("tokenizer/vocab") +
                       ": missing dataset (required by the integer model format)");
    try {
      m.vocab = f.read_string_dataset("tokenizer/vocab");
    } catch (const IoError& e) {
      throw ModelError(e.what());
    }
    if (static_cast<int>(m.vocab.size()) != m.vocab_size)
      throw ModelError(f.where("tokenizer/vocab") + ": " + std::to_string(m.vocab.size()) +
                       " tokens, but attribute 'vocab_size' is " + std::to_string(m.vocab_size));
    m.tokenizer = std::make_shared<const WordTokenizer>(
        m.vocab, SpecialTokens{m.pad_id, m.unk_id, m.cls_id, m.sep_id}, path);
  }
  for (int i = 0; i < m.depth; ++i) {
    const std::string g = "blocks/" + std::to_string(i) + "/";
    IntBlock b;
    b.ln1 = read_layernorm(r, g + "ln1", m.dim);
    b.ln2 = read_layernorm(r, g + "ln2", m.dim);
    b.qkv = read_linear(r, g + "qkv", 3 * m.dim, m.dim, 1);
    b.proj = read_linear(r, g + "proj", m.dim, m.dim, 1);
    b.fc1 = read_linear(r, g + "fc1", m.mlp_dim, m.dim, 1);
    b.fc2 = read_linear(r, g + "fc2", m.dim, m.mlp_dim, 1);
    for (const auto& [name, sc] : block_scales(b)) *sc = read_scale(r, g + "scales/" + name);
    b.resid1_exp = static_cast<int>(r.attr("blocks/" + std::to_string(i), "resid1_exp", -200, 200));
    b.resid2_exp = static_cast<int>(r.attr("blocks/" + std::to_string(i), "resid2_exp", -200, 200));
    m.blocks.push_back(std::move(b));
  }
  if (f.exists("blocks/" + std::to_string(m.depth))) {
    throw ModelError(f.where("blocks/" + std::to_string(m.depth)) +
                     ": more blocks than 'depth' = " + std::to_string(m.depth));
  }
  if (vit) {
    m.head_ln = read_layernorm(r, "head/ln", m.dim);
  } else {
    m.pooler_in = read_scale(r, "pooler/scales/pooler_in");
    m.pooler = read_linear(r, "pooler", m.dim, m.dim, 1);
  }
  m.head_in = read_scale(r, "head/scales/head_in");
  m.head = read_linear(r, "head/fc", m.num_classes, m.dim, 1);
  return m;
}

}  // namespace rapmc
