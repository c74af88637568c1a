#include "rapmc/model/fp32_forward.h"

#include <cmath>

namespace rapmc {

arma::mat image_patches(const VitConfig& c, const std::uint8_t* pixels) {
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

arma::mat layer_norm(const arma::mat& x, const arma::vec& weight, const arma::vec& bias, double eps) {
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

arma::vec Fp32Inference::forward(const std::uint8_t* pixels) const {
  const VitModel& m = model_;
  const VitConfig& c = m.config;
  const auto d = static_cast<arma::uword>(c.dim);
  const auto hd = static_cast<arma::uword>(c.head_dim());
  const double scale = 1.0 / std::sqrt(static_cast<double>(hd));

  // Tokens are columns: x is [D, tokens], token 0 the CLS token.
  arma::mat x(d, static_cast<arma::uword>(c.tokens()));
  x.col(0) = m.cls;
  x.cols(1, x.n_cols - 1) = m.patch_weight * image_patches(c, pixels);
  x.cols(1, x.n_cols - 1).each_col() += m.patch_bias;
  x += m.pos;

  for (const VitBlock& b : m.blocks) {
    arma::mat qkv = b.qkv_weight * layer_norm(x, b.ln1_weight, b.ln1_bias, c.ln_eps);
    qkv.each_col() += b.qkv_bias;
    arma::mat attn_out(d, x.n_cols);
    for (arma::uword h = 0; h < static_cast<arma::uword>(c.heads); ++h) {
      const arma::mat q = qkv.rows(h * hd, (h + 1) * hd - 1);
      const arma::mat k = qkv.rows(d + h * hd, d + (h + 1) * hd - 1);
      const arma::mat v = qkv.rows(2 * d + h * hd, 2 * d + (h + 1) * hd - 1);
      const arma::mat probs = softmax_rows(q.t() * k * scale);  // [query, key]
      attn_out.rows(h * hd, (h + 1) * hd - 1) = v * probs.t();
    }
    arma::mat proj = b.proj_weight * attn_out;
    proj.each_col() += b.proj_bias;
    x += proj;
    arma::mat hidden = b.fc1_weight * layer_norm(x, b.ln2_weight, b.ln2_bias, c.ln_eps);
    hidden.each_col() += b.fc1_bias;
    arma::mat mlp = b.fc2_weight * gelu(hidden);
    mlp.each_col() += b.fc2_bias;
    x += mlp;
  }
  const arma::mat cls = layer_norm(x.col(0), m.head_ln_weight, m.head_ln_bias, c.ln_eps);
  return m.head_weight * cls + m.head_bias;
}

}  // namespace rapmc
