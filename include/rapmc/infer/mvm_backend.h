// Where the weight matrix-vector products of the quantized pipelines run: exact digital
// integer arithmetic here; the AMS-PiM engine (crossbar tiles and ADCs of one chip instance)
// implements the same interface.
#pragma once

#include <cstdint>

#include "rapmc/quant/int_model.h"

namespace rapmc {

class MvmBackend {
 public:
  virtual ~MvmBackend() = default;
  /// acc[t·out + o] = Σ_i w[o,i]·x[t·in + i] for the `rows` int8 input vectors x (row-major
  /// [rows × in]) of `layer`, as this backend computes it. Thread-safe.
  virtual void mvm(const IntLinear& layer, const std::int8_t* x, int rows, std::int32_t* acc) const = 0;
};

/// Exact int8 × int8 → int32 products (kern::gemm_s8).
class DigitalMvm final : public MvmBackend {
 public:
  void mvm(const IntLinear& layer, const std::int8_t* x, int rows, std::int32_t* acc) const override;
};

}  // namespace rapmc
