#include "rapmc/infer/mvm_backend.h"

#include "rapmc/kernels/gemm.h"

namespace rapmc {

void DigitalMvm::mvm(const IntLinear& layer, const std::int8_t* x, int rows, std::int32_t* acc) const {
  kern::gemm_s8(layer.w.data(), layer.out, layer.in, x, rows, acc);
}

}  // namespace rapmc
