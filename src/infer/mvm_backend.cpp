#include "rapmc/infer/mvm_backend.h"

#include "rapmc/kernels/gemm.h"

namespace rapmc {

void MvmBackend::mvm_attention(const AttentionOperand& op, const std::uint8_t* x, InputKind kind,
                               int rows, std::int32_t* acc, std::uint64_t /*sample*/) const {
  for (int t = 0; t < rows; ++t) {
    const std::uint8_t* xt = x + static_cast<std::ptrdiff_t>(t) * op.in;
    for (int o = 0; o < op.out; ++o) {
      const std::int8_t* wo = op.w + static_cast<std::ptrdiff_t>(o) * op.in;
      std::int32_t s = 0;
      for (int i = 0; i < op.in; ++i) {
        const std::int32_t xi =
            kind == InputKind::SIGNED_INT8 ? static_cast<std::int8_t>(xt[i]) : xt[i];
        s += wo[i] * xi;
      }
      acc[static_cast<std::ptrdiff_t>(t) * op.out + o] = s;
    }
  }
}

void DigitalMvm::mvm(const IntLinear& layer, const std::int8_t* x, int rows, std::int32_t* acc,
                     std::uint64_t /*sample*/) const {
  kern::gemm_s8(layer.w.data(), layer.out, layer.in, x, rows, acc);
}

}  // namespace rapmc
