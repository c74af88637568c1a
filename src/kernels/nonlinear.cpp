#include "rapmc/kernels/nonlinear.h"

#include "rapmc/kernels/fixed_point.h"

namespace rapmc::kern {
namespace {
constexpr std::int64_t ONE_Q30 = std::int64_t{1} << 30;
constexpr std::int64_t GELU_C3_Q30 = 48012366;     // 0.044715
constexpr std::int64_t GELU_K_Q30 = 2471977230LL;  // 2·√(2/π)·log2(e)
constexpr std::int64_t TANH_K_Q30 = 3098164009LL;  // 2·log2(e)
}  // namespace

void softmax_row(std::span<const std::int64_t> scores, std::int64_t mult, int shift, int out_bits,
                 std::span<std::int32_t> out) {
  std::int64_t amax = scores[0];
  for (std::int64_t a : scores) amax = a > amax ? a : amax;
  // Terms in Q30 (at most 2^30 each); T terms sum below 2^62 for T < 2^32.
  std::int64_t sum = 0;
  for (std::size_t j = 0; j < scores.size(); ++j) {
    const std::int64_t u = mul_shift_round(scores[j] - amax, mult, shift);  // <= 0, Q16
    const std::int64_t e = exp2_q30(u);  // <= 2^30: fits the int32 output as scratch
    out[j] = static_cast<std::int32_t>(e);
    sum += e;
  }
  int n = 0;
  const std::int64_t r = reciprocal_q30(static_cast<std::uint64_t>(sum), n);  // 1/sum = r·2^(-30-n)
  const std::int64_t top = (std::int64_t{1} << out_bits) - 1;
  for (std::size_t j = 0; j < scores.size(); ++j) {
    const std::int64_t e = out[j];
    const std::int64_t p = shift_round(e * r, 30 + n - out_bits);  // e·r < 2^61
    out[j] = static_cast<std::int32_t>(p > top ? top : p);
  }
}

std::int64_t gelu(std::int64_t x, int frac) {
  const std::int64_t x16 = shift_round(x, frac - 16);  // Q16
  constexpr std::int64_t EIGHT = std::int64_t{8} << 16;
  if (x16 >= EIGHT) return x;
  if (x16 <= -EIGHT) return 0;
  const std::int64_t x2 = (x16 * x16) >> 16;  // < 2^22
  const std::int64_t x3 = (x2 * x16) >> 16;   // |x3| < 2^25
  const std::int64_t inner = x16 + shift_round(x3 * GELU_C3_Q30, 30);
  const std::int64_t z = shift_round(inner * GELU_K_Q30, 30);  // z·log2(e), Q16
  const std::int64_t t = exp2_q30(z < 0 ? z : -z);             // 2^(-|z|·log2 e) = e^-|z|, Q30
  int n = 0;
  const std::int64_t r = reciprocal_q30(static_cast<std::uint64_t>(ONE_Q30 + t), n);
  const std::int64_t sig = shift_round(r, n - 30);  // σ(|z|) = 2^30/(2^30 + t), Q30
  const std::int64_t phi = z >= 0 ? sig : ONE_Q30 - sig;
  const std::int64_t y16 = shift_round(x16 * phi, 30);
  return shift_round(y16, 16 - frac);
}

std::int64_t tanh(std::int64_t x, int frac) {
  // On |x| (odd by construction), saturating beyond 8.
  const std::int64_t one = std::int64_t{1} << frac;
  if (x >= (std::int64_t{8} << frac)) return one;
  if (x <= -(std::int64_t{8} << frac)) return -one;
  const std::int64_t a16 = shift_round(x < 0 ? -x : x, frac - 16);  // |x|, Q16
  const std::int64_t z = shift_round(a16 * TANH_K_Q30, 30);         // 2|x|·log2(e), Q16
  const std::int64_t t = exp2_q30(-z);                              // e^(-2|x|), Q30
  int n = 0;
  const std::int64_t r = reciprocal_q30(static_cast<std::uint64_t>(ONE_Q30 + t), n);
  const std::int64_t sig = shift_round(r, n - 30);  // 1/(1 + e^(-2|x|)), Q30
  const std::int64_t y = shift_round(2 * sig - ONE_Q30, 30 - frac);
  return x < 0 ? -y : y;
}

void layernorm(std::span<const std::int64_t> x, int x_exp, std::int64_t eps_d3_q32,
               std::span<const std::int64_t> gamma_q, int gamma_frac,
               std::span<const std::int64_t> beta_q, int out_frac, std::span<std::int64_t> out) {
  const auto d_count = static_cast<std::int64_t>(x.size());
  std::int64_t sum = 0;
  for (std::int64_t v : x) sum += v;
  std::uint64_t dmax = 0;
  for (std::int64_t v : x) {
    const std::uint64_t a = abs_u64(d_count * v - sum);
    dmax = a > dmax ? a : dmax;
  }
  // LayerNorm is invariant to the scale of d: bring d below 2^20 so Σd² fits in int64.
  int sd = msb_index(dmax) - 19;
  sd = sd > 0 ? sd : 0;
  std::int64_t s = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const std::int64_t d = shift_round(d_count * x[i] - sum, sd);
    out[i] = d;  // keep d for the second pass
    s += d * d;
  }
  const std::int64_t eps_s = shift_round(eps_d3_q32, 32 + 2 * x_exp + 2 * sd);
  constexpr std::int64_t CAP = std::int64_t{1} << 62;
  s = (eps_s > CAP - s) ? CAP : s + eps_s;
  if (s == 0) {
    for (std::size_t i = 0; i < x.size(); ++i) out[i] = beta_q[i];
    return;
  }
  int k = 0;
  const std::int64_t y = rsqrt_q30(static_cast<std::uint64_t>(s), k);  // 1/√S = y·2^(-30-k)
  for (std::size_t i = 0; i < x.size(); ++i) {
    const std::int64_t u = mul_shift_round(out[i], y, k);  // d/√S in Q30, |u| <= 2^30
    out[i] = mul_shift_round(u, gamma_q[i], 30 + gamma_frac - out_frac) + beta_q[i];
  }
}

}  // namespace rapmc::kern
