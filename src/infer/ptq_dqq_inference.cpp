#include "rapmc/infer/ptq_dqq_inference.h"

#include <cmath>
#include <vector>

#include "rapmc/infer/flare_inference.h"
#include "rapmc/model/fp32_forward.h"

namespace rapmc {
namespace {

// Symmetric int8 quantization of a [rows, tokens] float matrix into row-major [tokens × rows].
std::vector<std::int8_t> quantize(const arma::mat& x, double scale, int bits) {
  const double hi = std::ldexp(1.0, bits - 1) - 1;
  std::vector<std::int8_t> out(x.n_elem);
  for (arma::uword t = 0; t < x.n_cols; ++t)
    for (arma::uword r = 0; r < x.n_rows; ++r)
      out[t * x.n_rows + r] =
          static_cast<std::int8_t>(std::clamp(std::nearbyint(x(r, t) / scale), -hi - 1, hi));
  return out;
}

// Dequantized y = w_scale[o]·x_scale·acc + bias[bias_row0 + t], as [out, tokens].
arma::mat linear(const MvmBackend& backend, const IntLinear& l, const std::vector<std::int8_t>& x,
                 int tokens, double x_scale, int bias_row0 = 0) {
  std::vector<std::int32_t> acc(static_cast<std::size_t>(tokens) * l.out);
  backend.mvm(l, x.data(), tokens, acc.data());
  arma::mat y(static_cast<arma::uword>(l.out), static_cast<arma::uword>(tokens));
  for (int t = 0; t < tokens; ++t)
    for (int o = 0; o < l.out; ++o) {
      const double b = std::ldexp(static_cast<double>(l.bias_row(bias_row0 + t)[o]), l.bias_exp);
      y(o, t) =
          to_double(l.w_scale[o]) * x_scale * acc[static_cast<std::size_t>(t) * l.out + o] + b;
    }
  return y;
}

}  // namespace

PtqDqqInference::PtqDqqInference(const EncoderModel& model, const IntModel& int_model,
                                 const MvmBackend& backend)
    : model_(model), q_(int_model), backend_(backend) {}

arma::vec PtqDqqInference::logits(const std::uint8_t* sample, std::uint64_t place) const {
  const SampleMvm backend(backend_, place);
  const IntModel& q = q_;
  const EncoderConfig& c = model_.config;
  const bool post_ln = q.arch == Architecture::BERT;
  const int D = q.dim, H = q.heads, hd = q.head_dim;
  const int ab = q.settings.act_bits;
  const double prob_lsb = std::ldexp(1.0, -q.settings.prob_bits);
  const double prob_max = std::ldexp(1.0, q.settings.prob_bits) - 1;
  auto s = [](const ActScale& a) { return to_double(a.scale); };

  // Embedding: the patch MVM (ViT) or the float embedding lookup and LayerNorm (BERT).
  arma::mat x;
  if (post_ln) {
    x = layer_norm(token_embeddings(model_, sample), model_.embed_ln_weight, model_.embed_ln_bias,
                   c.ln_eps);
  } else {
    x.set_size(static_cast<arma::uword>(D), static_cast<arma::uword>(q.tokens));
    std::vector<std::int8_t> px(static_cast<std::size_t>(q.tokens - 1) * q.patch_elements);
    patch_pixels_s8(q, sample, px.data());
    for (int o = 0; o < D; ++o)
      x(o, 0) = std::ldexp(static_cast<double>(q.embed.bias_row(0)[o]), q.embed.bias_exp);
    x.cols(1, q.tokens - 1) = linear(backend, q.embed, px, q.tokens - 1, 1.0, 1);
  }
  const int T = static_cast<int>(x.n_cols);

  for (std::size_t bi = 0; bi < q.blocks.size(); ++bi) {
    const IntBlock& b = q.blocks[bi];
    const EncoderBlock& fb = model_.blocks[bi];
    const arma::mat ln1 = post_ln ? x : layer_norm(x, fb.ln1_weight, fb.ln1_bias, c.ln_eps);
    const arma::mat qkv = linear(backend, b.qkv, quantize(ln1, s(b.qkv_in), ab), T, s(b.qkv_in));
    const auto d = static_cast<arma::uword>(D);
    const auto q8 = quantize(qkv.rows(0, d - 1), s(b.q), ab);
    const auto k8 = quantize(qkv.rows(d, 2 * d - 1), s(b.k), ab);
    const auto v8 = quantize(qkv.rows(2 * d, 3 * d - 1), s(b.v), ab);
    arma::mat attn(d, static_cast<arma::uword>(T));
    arma::mat scores(static_cast<arma::uword>(T), static_cast<arma::uword>(T));
    const double score_scale = s(b.q) * s(b.k) / std::sqrt(static_cast<double>(hd));
    // Both attention products are int8 integer products (on the backend when it runs them;
    // otherwise the backend's exact default); softmax in float between them.
    attention_on_backend(
        backend, static_cast<int>(bi), T, H, hd, q8.data(), k8.data(), v8.data(),
        [&](const std::int32_t* sc, std::uint8_t* pr) {
          for (int i = 0; i < T; ++i)
            for (int j = 0; j < T; ++j) scores(i, j) = sc[i * T + j] * score_scale;  // dequantized
          const arma::mat probs = softmax_rows(scores);
          for (int i = 0; i < T; ++i)
            for (int j = 0; j < T; ++j)
              pr[i * T + j] = static_cast<std::uint8_t>(
                  std::min(std::nearbyint(probs(i, j) / prob_lsb), prob_max));
        },
        [&](int h, const std::int32_t* pv) {
          for (int i = 0; i < T; ++i)
            for (int e = 0; e < hd; ++e) attn(h * hd + e, i) = pv[i * hd + e] * prob_lsb * s(b.v);
        });
    x += linear(backend, b.proj, quantize(attn, s(b.proj_in), ab), T, s(b.proj_in));
    if (post_ln) x = layer_norm(x, fb.ln1_weight, fb.ln1_bias, c.ln_eps);
    const arma::mat ln2 = post_ln ? x : layer_norm(x, fb.ln2_weight, fb.ln2_bias, c.ln_eps);
    const arma::mat hidden =
        gelu(linear(backend, b.fc1, quantize(ln2, s(b.fc1_in), ab), T, s(b.fc1_in)));
    x += linear(backend, b.fc2, quantize(hidden, s(b.fc2_in), ab), T, s(b.fc2_in));
    if (post_ln) x = layer_norm(x, fb.ln2_weight, fb.ln2_bias, c.ln_eps);
  }
  arma::mat cls;
  if (post_ln) {  // pooler: int8 MVM, float tanh
    cls = arma::tanh(
        linear(backend, q.pooler, quantize(x.col(0), s(q.pooler_in), ab), 1, s(q.pooler_in)));
  } else {
    cls = layer_norm(x.col(0), model_.head_ln_weight, model_.head_ln_bias, c.ln_eps);
  }
  return linear(backend, q.head, quantize(cls, s(q.head_in), ab), 1, s(q.head_in)).col(0);
}

}  // namespace rapmc
