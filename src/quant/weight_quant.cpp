#include "rapmc/quant/weight_quant.h"

#include <cmath>

#include "rapmc/core/errors.h"

namespace rapmc {

QuantizedWeights quantize_per_channel(const arma::mat& weights, int bits) {
  if (bits < 2 || bits > 8) {
    throw ConfigError("weight_bits = " + std::to_string(bits) + " out of range 2..8");
  }
  QuantizedWeights q;
  q.out = static_cast<int>(weights.n_rows);
  q.in = static_cast<int>(weights.n_cols);
  q.bits = bits;
  q.w.resize(weights.n_elem);
  q.scale.resize(weights.n_rows);
  const double qmax = std::ldexp(1.0, bits - 1) - 1;
  for (arma::uword o = 0; o < weights.n_rows; ++o) {
    const double amax = arma::abs(weights.row(o)).max();
    const double s = amax > 0 ? amax / qmax : 1.0;
    q.scale[o] = s;
    for (arma::uword i = 0; i < weights.n_cols; ++i) {
      const double v = std::nearbyint(weights(o, i) / s);
      q.w[o * weights.n_cols + i] = static_cast<std::int8_t>(std::clamp(v, -qmax, qmax));
    }
  }
  return q;
}

}  // namespace rapmc
