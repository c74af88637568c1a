// Where the matrix-vector products of the quantized pipelines run: exact digital integer
// arithmetic here; the AMS-PiM engine (crossbar tiles and ADCs of one chip instance)
// implements the same interface.
#pragma once

#include <cstdint>

#include "rapmc/quant/int_model.h"

namespace rapmc {

/// How the input bytes of an MVM are read: int8 two's complement (activations) or unsigned
/// 8-bit (softmax probabilities).
enum class InputKind { SIGNED_INT8, UNSIGNED_8 };

/// An attention product whose "weights" are written into the array at run time:
/// q·kᵀ (weights k of one head, [tokens × head_dim]) or P·V (weights vᵀ, [head_dim × tokens]).
struct AttentionOperand {
  enum class Product { QK, PV };
  int block = 0;
  Product product = Product::QK;
  int head = 0;
  int out = 0, in = 0;
  const std::int8_t* w = nullptr;  // [out × in] row-major
};

class MvmBackend {
 public:
  virtual ~MvmBackend() = default;
  /// acc[t·out + o] = Σ_i w[o,i]·x[t·in + i] for the `rows` int8 input vectors x (row-major
  /// [rows × in]) of `layer`, as this backend computes it. Thread-safe.
  virtual void mvm(const IntLinear& layer, const std::int8_t* x, int rows,
                   std::int32_t* acc) const = 0;
  /// True if the attention products run on this backend (mvm_attention); otherwise the
  /// pipelines compute them digitally.
  virtual bool runs_attention() const { return false; }
  /// acc[t·out + o] = Σ_i w[o,i]·x[t·in + i] with run-time weights; x as `kind`. The default
  /// is exact integer arithmetic.
  virtual void mvm_attention(const AttentionOperand& op, const std::uint8_t* x, InputKind kind,
                             int rows, std::int32_t* acc) const;
};

/// Exact int8 × int8 → int32 products (kern::gemm_s8).
class DigitalMvm final : public MvmBackend {
 public:
  void mvm(const IntLinear& layer, const std::int8_t* x, int rows,
           std::int32_t* acc) const override;
};

}  // namespace rapmc
