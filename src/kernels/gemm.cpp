#include "rapmc/kernels/gemm.h"

namespace rapmc::kern {

void gemm_s8(const std::int8_t* w, int out, int in, const std::int8_t* x, int tokens,
             std::int32_t* acc) {
  for (int t = 0; t < tokens; ++t) {
    const std::int8_t* xt = x + static_cast<std::ptrdiff_t>(t) * in;
    for (int o = 0; o < out; ++o) {
      const std::int8_t* wo = w + static_cast<std::ptrdiff_t>(o) * in;
      std::int32_t s = 0;
      for (int i = 0; i < in; ++i) s += static_cast<std::int32_t>(wo[i]) * xt[i];
      acc[static_cast<std::ptrdiff_t>(t) * out + o] = s;
    }
  }
}

std::int32_t dot_u8s8(const std::uint8_t* a, const std::int8_t* b, int n) {
  std::int32_t s = 0;
  for (int i = 0; i < n; ++i) s += static_cast<std::int32_t>(a[i]) * b[i];
  return s;
}

}  // namespace rapmc::kern
