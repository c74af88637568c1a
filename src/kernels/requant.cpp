#include "rapmc/kernels/requant.h"

#include "rapmc/kernels/fixed_point.h"

namespace rapmc::kern {

int emsb_shift(std::uint64_t max_abs, int bits) {
  const int s = msb_index(max_abs) - (bits - 2);
  return s > 0 ? s : 0;
}

int requant_emsb(std::span<const std::int64_t> w, int bits, std::span<std::int32_t> out) {
  std::uint64_t max_abs = 0;
  for (std::int64_t v : w) {
    const std::uint64_t a = abs_u64(v);
    max_abs = a > max_abs ? a : max_abs;
  }
  const int s = emsb_shift(max_abs, bits);
  for (std::size_t i = 0; i < w.size(); ++i) {
    out[i] = static_cast<std::int32_t>(saturate(shift_round(w[i], s), bits));
  }
  return s;
}

void requant_dyadic(std::span<const std::int64_t> w, std::int64_t m, int s, int bits,
                    std::span<std::int32_t> out) {
  for (std::size_t i = 0; i < w.size(); ++i) {
    out[i] = static_cast<std::int32_t>(saturate(mul_shift_round(w[i], m, s), bits));
  }
}

}  // namespace rapmc::kern
