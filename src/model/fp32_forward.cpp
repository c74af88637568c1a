#include "rapmc/model/fp32_forward.h"

#include <cmath>

#include "rapmc/core/errors.h"

namespace rapmc {

arma::mat image_patches(const EncoderConfig& c, const std::uint8_t* pixels) {
  const auto p = static_cast<arma::uword>(c.patch_size);
  const auto side = static_cast<arma::uword>(c.image_size);
  const arma::uword per_row = side / p;
  arma::mat out(static_cast<arma::uword>(c.patch_elements()), per_row * per_row);
  for (arma::uword pr = 0; pr < per_row; ++pr)
    for (arma::uword pc = 0; pc < per_row; ++pc) {
      const arma::uword n = pr * per_row + pc;
      arma::uword e = 0;
      for (arma::uword ch = 0; ch < static_cast<arma::uword>(c.channels); ++ch)
        for (arma::uword r = 0; r < p; ++r)
          for (arma::uword col = 0; col < p; ++col, ++e) {
            const std::uint8_t px = pixels[(ch * side + pr * p + r) * side + pc * p + col];
            out(e, n) = (px / 255.0 - c.mean[ch]) / c.std[ch];
          }
    }
  return out;
}

arma::mat layer_norm(const arma::mat& x, const arma::vec& weight, const arma::vec& bias,
                     double eps) {
  arma::mat y(x.n_rows, x.n_cols);
  for (arma::uword t = 0; t < x.n_cols; ++t) {
    const arma::vec col = x.col(t);
    const double mu = arma::mean(col);
    const arma::vec d = col - mu;
    const double var = arma::dot(d, d) / static_cast<double>(x.n_rows);
    y.col(t) = d / std::sqrt(var + eps) % weight + bias;
  }
  return y;
}

arma::mat gelu(const arma::mat& x) {
  arma::mat y = x;
  y.transform([](double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); });
  return y;
}

arma::mat softmax_rows(const arma::mat& x) {
  arma::mat y = x;
  for (arma::uword r = 0; r < y.n_rows; ++r) {
    y.row(r) = arma::exp(y.row(r) - y.row(r).max());
    y.row(r) /= arma::accu(y.row(r));
  }
  return y;
}

arma::mat token_embeddings(const EncoderModel& m, const std::uint8_t* record) {
  const std::vector<int> ids = token_ids(record);
  const EncoderConfig& c = m.config;
  if (ids.empty() || static_cast<std::int64_t>(ids.size()) > c.max_tokens)
    throw DataError(m.source + ": a token sequence of " + std::to_string(ids.size()) +
                    " tokens (the model reads 1.." + std::to_string(c.max_tokens) + ")");
  arma::mat x(static_cast<arma::uword>(c.dim), ids.size());
  for (std::size_t t = 0; t < ids.size(); ++t) {
    if (ids[t] < 0 || ids[t] >= c.vocab_size)
      throw DataError(m.source + ": token id " + std::to_string(ids[t]) +
                      " outside the vocabulary");
    x.col(t) = m.word.col(static_cast<arma::uword>(ids[t])) + m.pos.col(t) + m.segment.col(0);
  }
  return x;
}

namespace {
// A dense layer on every token (column): w·x + bias.
arma::mat dense(const arma::mat& w, const arma::vec& bias, const arma::mat& x) {
  arma::mat y = w * x;
  y.each_col() += bias;
  return y;
}
}  // namespace

arma::vec Fp32Inference::forward(const std::uint8_t* sample, const Fp32Observer& observer) const {
  auto observe = [&](const std::string& point, const arma::mat& v) {
    if (observer) observer(point, v);
  };
  const EncoderModel& m = model_;
  const EncoderConfig& c = m.config;
  const bool post_ln = c.arch == Architecture::BERT;
  const auto d = static_cast<arma::uword>(c.dim);
  const auto hd = static_cast<arma::uword>(c.head_dim());
  const double scale = 1.0 / std::sqrt(static_cast<double>(hd));

  // Tokens are columns: x is [D, tokens], token 0 the CLS token.
  arma::mat x;
  if (post_ln) {
    x = layer_norm(token_embeddings(m, sample), m.embed_ln_weight, m.embed_ln_bias, c.ln_eps);
  } else {
    x.set_size(d, static_cast<arma::uword>(c.tokens()));
    x.col(0) = m.cls;
    x.cols(1, x.n_cols - 1) = m.patch_weight * image_patches(c, sample);
    x.cols(1, x.n_cols - 1).each_col() += m.patch_bias;
    x += m.pos;
  }
  observe("embed", x);

  for (std::size_t bi = 0; bi < m.blocks.size(); ++bi) {
    const EncoderBlock& b = m.blocks[bi];
    const std::string g = "blocks/" + std::to_string(bi) + "/";
    const arma::mat qkv_in = post_ln ? x : layer_norm(x, b.ln1_weight, b.ln1_bias, c.ln_eps);
    observe(g + "qkv_in", qkv_in);
    const arma::mat qkv = dense(b.qkv_weight, b.qkv_bias, qkv_in);
    if (observer) {
      observe(g + "q", qkv.rows(0, d - 1));
      observe(g + "k", qkv.rows(d, 2 * d - 1));
      observe(g + "v", qkv.rows(2 * d, 3 * d - 1));
    }
    arma::mat attn_out(d, x.n_cols);
    for (arma::uword h = 0; h < static_cast<arma::uword>(c.heads); ++h) {
      const arma::mat q = qkv.rows(h * hd, (h + 1) * hd - 1);
      const arma::mat k = qkv.rows(d + h * hd, d + (h + 1) * hd - 1);
      const arma::mat v = qkv.rows(2 * d + h * hd, 2 * d + (h + 1) * hd - 1);
      const arma::mat probs = softmax_rows(q.t() * k * scale);  // [query, key]
      attn_out.rows(h * hd, (h + 1) * hd - 1) = v * probs.t();
    }
    observe(g + "proj_in", attn_out);
    x += dense(b.proj_weight, b.proj_bias, attn_out);
    observe(g + "resid1", x);
    if (post_ln) x = layer_norm(x, b.ln1_weight, b.ln1_bias, c.ln_eps);
    const arma::mat fc1_in = post_ln ? x : layer_norm(x, b.ln2_weight, b.ln2_bias, c.ln_eps);
    observe(g + "fc1_in", fc1_in);
    const arma::mat act = gelu(dense(b.fc1_weight, b.fc1_bias, fc1_in));
    observe(g + "fc2_in", act);
    x += dense(b.fc2_weight, b.fc2_bias, act);
    observe(g + "resid2", x);
    if (post_ln) x = layer_norm(x, b.ln2_weight, b.ln2_bias, c.ln_eps);
  }
  if (post_ln) {
    const arma::vec cls = x.col(0);
    observe("pooler_in", cls);
    const arma::vec pooled = arma::tanh(m.pooler_weight * cls + m.pooler_bias);
    observe("head_in", pooled);
    return m.head_weight * pooled + m.head_bias;
  }
  const arma::mat cls = layer_norm(x.col(0), m.head_ln_weight, m.head_ln_bias, c.ln_eps);
  observe("head_in", cls);
  return m.head_weight * cls + m.head_bias;
}

}  // namespace rapmc
