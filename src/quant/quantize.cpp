#include "rapmc/quant/quantize.h"

#include <cmath>
#include <cstdio>
#include <memory>

#include "rapmc/core/errors.h"
#include "rapmc/data/tokenizer.h"
#include "rapmc/quant/weight_quant.h"

namespace rapmc {
namespace {

double range_of(const ActivationRanges& ranges, const std::string& point) {
  const auto it = ranges.find(point);
  if (it == ranges.end()) throw ModelError("calibration has no range for point '" + point + "'");
  return it->second;
}

// Integer scale for a symmetric signed quantizer of `bits` bits covering ±range.
ActScale act_scale(double range, int bits) {
  const double s = range / (std::ldexp(1.0, bits - 1) - 1);
  return {to_dyadic(s), to_dyadic(1.0 / s)};
}

// Power-of-two exponent E of a residual stream of `bits` signed bits holding ±range:
// range·2^-E < 2^(bits-1).
int resid_exp(double range, int bits) {
  return std::ilogb(range) + 2 - bits;
}

IntLinear quantize_linear(const std::string& name, const arma::mat& w, const arma::mat& bias_rows,
                          int bits) {
  const QuantizedWeights q = quantize_per_channel(w, bits);
  IntLinear l;
  l.name = name;
  l.out = q.out;
  l.in = q.in;
  l.w = q.w;
  for (double s : q.scale) l.w_scale.push_back(to_dyadic(s));
  // Biases in one fixed-point format of ~31 significant bits (bias_rows is [out, rows]).
  const double bmax = bias_rows.is_empty() ? 0.0 : arma::abs(bias_rows).max();
  l.bias_exp = bmax > 0 ? std::ilogb(bmax) - 30 : 0;
  for (arma::uword r = 0; r < bias_rows.n_cols; ++r)
    for (arma::uword o = 0; o < bias_rows.n_rows; ++o)
      l.bias.push_back(
          static_cast<std::int64_t>(std::nearbyint(std::ldexp(bias_rows(o, r), -l.bias_exp))));
  return l;
}

IntLayerNorm quantize_layernorm(const arma::vec& gamma, const arma::vec& beta, double eps,
                                int nonlin_frac) {
  const double d = static_cast<double>(gamma.n_elem);
  IntLayerNorm n;
  const double gmax = arma::abs(gamma).max() * std::sqrt(d);
  n.gamma_frac = gmax > 0 ? 23 - std::ilogb(gmax) : 0;  // γ·√D in 24 signed bits
  for (double g : gamma)
    n.gamma.push_back(
        static_cast<std::int64_t>(std::nearbyint(std::ldexp(g * std::sqrt(d), n.gamma_frac))));
  for (double b : beta)
    n.beta.push_back(static_cast<std::int64_t>(std::nearbyint(std::ldexp(b, nonlin_frac))));
  n.eps_d3_q32 = static_cast<std::int64_t>(std::nearbyint(std::ldexp(eps * d * d * d, 32)));
  return n;
}

// ViT: the patch embedding as an MVM on (pixel - 128), the input normalisation folded in.
void quantize_patch_embedding(const EncoderModel& model, IntModel& m) {
  const EncoderConfig& c = model.config;
  // Embedding on (pixel - 128): x = (p/255 - mean)/std = (p - 128)/(255·std) + (128/255 -
  // mean)/std.
  const auto pe = static_cast<arma::uword>(c.patch_elements());
  const auto per_ch = static_cast<arma::uword>(c.patch_size * c.patch_size);
  arma::mat w = model.patch_weight;
  arma::vec offset(pe);
  for (arma::uword j = 0; j < pe; ++j) {
    const arma::uword ch = j / per_ch;
    w.col(j) /= 255.0 * c.std[ch];
    offset(j) = (128.0 / 255.0 - c.mean[ch]) / c.std[ch];
  }
  const arma::vec patch_bias = model.patch_bias + model.patch_weight * offset;
  arma::mat bias_rows(model.pos.n_rows, model.pos.n_cols);
  bias_rows.col(0) = model.cls + model.pos.col(0);
  for (arma::uword t = 1; t < bias_rows.n_cols; ++t)
    bias_rows.col(t) = patch_bias + model.pos.col(t);
  m.embed = quantize_linear("embed", w, bias_rows, m.settings.weight_bits);
}

// Fixed point of 30 significant bits for a table of values: the exponent E with
// max |v|·2^-E < 2^30.
int table_exp(double vmax) {
  return vmax > 0 ? std::ilogb(vmax) - 29 : 0;
}

std::vector<std::int64_t> to_fixed(const arma::mat& columns, int exp) {  // [D, n] -> [n × D]
  std::vector<std::int64_t> out;
  out.reserve(columns.n_elem);
  for (arma::uword t = 0; t < columns.n_cols; ++t)
    for (arma::uword o = 0; o < columns.n_rows; ++o)
      out.push_back(static_cast<std::int64_t>(std::nearbyint(std::ldexp(columns(o, t), -exp))));
  return out;
}

// BERT: word and position (+ segment 0) tables in one fixed-point format, so their sum is an
// integer add; their sum stays below 2^31 as the integer LayerNorm needs.
void quantize_text_embedding(const EncoderModel& model, IntModel& m) {
  const arma::mat pos = model.pos.each_col() + model.segment.col(0);
  const double vmax = std::max(arma::abs(model.word).max(), arma::abs(pos).max());
  m.embed_table_exp = table_exp(vmax);
  m.word_table = to_fixed(model.word, m.embed_table_exp);
  m.pos_table = to_fixed(pos, m.embed_table_exp);
  m.embed_ln = quantize_layernorm(model.embed_ln_weight, model.embed_ln_bias, model.config.ln_eps,
                                  m.settings.nonlin_frac);
  m.vocab = model.tokenizer.vocab();
  const SpecialTokens& sp = model.tokenizer.special();
  m.pad_id = sp.pad;
  m.unk_id = sp.unk;
  m.cls_id = sp.cls;
  m.sep_id = sp.sep;
  m.tokenizer = std::make_shared<const WordTokenizer>(model.tokenizer);
}

}  // namespace

IntModel quantize_model(const EncoderModel& model, const ActivationRanges& ranges,
                        const QuantSettings& settings) {
  settings.validate();
  const EncoderConfig& c = model.config;
  IntModel m;
  m.dim = static_cast<int>(c.dim);
  m.depth = static_cast<int>(c.depth);
  m.heads = static_cast<int>(c.heads);
  m.mlp_dim = static_cast<int>(c.mlp_dim);
  m.num_classes = static_cast<int>(c.num_classes);
  m.arch = c.arch;
  m.image_size = static_cast<int>(c.image_size);
  m.patch_size = static_cast<int>(c.patch_size);
  m.channels = static_cast<int>(c.channels);
  m.max_tokens = static_cast<int>(c.max_tokens);
  m.vocab_size = static_cast<int>(c.vocab_size);
  m.settings = settings;
  m.derive_geometry();
  m.source_model = model.source;
  const int ab = settings.act_bits;
  const int rb = settings.residual_bits;

  if (c.arch == Architecture::BERT) {
    quantize_text_embedding(model, m);
  } else {
    quantize_patch_embedding(model, m);
  }
  m.embed_resid_exp = resid_exp(range_of(ranges, "embed"), rb);

  for (std::size_t i = 0; i < model.blocks.size(); ++i) {
    const EncoderBlock& b = model.blocks[i];
    const std::string g = "blocks/" + std::to_string(i) + "/";
    IntBlock ib;
    ib.ln1 = quantize_layernorm(b.ln1_weight, b.ln1_bias, c.ln_eps, settings.nonlin_frac);
    ib.ln2 = quantize_layernorm(b.ln2_weight, b.ln2_bias, c.ln_eps, settings.nonlin_frac);
    ib.qkv = quantize_linear(g + "qkv", b.qkv_weight, b.qkv_bias, settings.weight_bits);
    ib.proj = quantize_linear(g + "proj", b.proj_weight, b.proj_bias, settings.weight_bits);
    ib.fc1 = quantize_linear(g + "fc1", b.fc1_weight, b.fc1_bias, settings.weight_bits);
    ib.fc2 = quantize_linear(g + "fc2", b.fc2_weight, b.fc2_bias, settings.weight_bits);
    ib.qkv_in = act_scale(range_of(ranges, g + "qkv_in"), ab);
    ib.q = act_scale(range_of(ranges, g + "q"), ab);
    ib.k = act_scale(range_of(ranges, g + "k"), ab);
    ib.v = act_scale(range_of(ranges, g + "v"), ab);
    ib.proj_in = act_scale(range_of(ranges, g + "proj_in"), ab);
    ib.fc1_in = act_scale(range_of(ranges, g + "fc1_in"), ab);
    ib.fc2_in = act_scale(range_of(ranges, g + "fc2_in"), ab);
    ib.resid1_exp = resid_exp(range_of(ranges, g + "resid1"), rb);
    ib.resid2_exp = resid_exp(range_of(ranges, g + "resid2"), rb);
    m.blocks.push_back(std::move(ib));
  }
  if (c.arch == Architecture::BERT) {
    m.pooler_in = act_scale(range_of(ranges, "pooler_in"), ab);
    m.pooler =
        quantize_linear("pooler", model.pooler_weight, model.pooler_bias, settings.weight_bits);
  } else {
    m.head_ln = quantize_layernorm(model.head_ln_weight, model.head_ln_bias, c.ln_eps,
                                   settings.nonlin_frac);
  }
  m.head_in = act_scale(range_of(ranges, "head_in"), ab);
  m.head = quantize_linear("head/fc", model.head_weight, model.head_bias, settings.weight_bits);
  m.softmax_c = to_dyadic(std::log2(std::exp(1.0)) / std::sqrt(static_cast<double>(c.head_dim())));
  return m;
}

IntModel quantize_model(const EncoderModel& model, const SampleSet& calib,
                        const CalibrationOptions& calibration, const QuantSettings& settings) {
  settings.validate();
  IntModel m = quantize_model(model, calibrate(model, calib, calibration), settings);
  m.calibration = calib.name + ", " + std::to_string(calib.size()) + " samples, " +
                  to_string(calibration.method);
  if (calibration.method == Calibrator::PERCENTILE) {
    char p[32];
    std::snprintf(p, sizeof p, " %g", calibration.percentile);
    m.calibration += p;
  }
  return m;
}

void check_same_architecture(const EncoderModel& fp32, const IntModel& q,
                             const std::string& int_path) {
  const EncoderConfig& c = fp32.config;
  if (c.arch != q.arch || c.dim != q.dim || c.depth != q.depth || c.heads != q.heads ||
      c.mlp_dim != q.mlp_dim || c.num_classes != q.num_classes || c.image_size != q.image_size ||
      c.patch_size != q.patch_size || c.channels != q.channels || c.max_tokens != q.max_tokens ||
      c.vocab_size != q.vocab_size) {
    throw ModelError(int_path + ": integer model architecture does not match the FP32 model " +
                     fp32.source);
  }
}

}  // namespace rapmc
