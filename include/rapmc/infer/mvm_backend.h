// Where the matrix-vector products of the quantized pipelines run: exact digital integer
// arithmetic here; the AMS-PiM engine (crossbar tiles and ADCs of one chip instance)
// implements the same interface.
#pragma once

#include <cstdint>
#include <functional>

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
  /// [rows × in]) of `layer`, as this backend computes it. `sample` is the place of the sample
  /// being inferred in its set: a backend with temporal noise keys the noise by it (with the
  /// layer, token and read), so that results do not depend on the order in which samples
  /// run. Each layer is driven once per sample. Thread-safe.
  virtual void mvm(const IntLinear& layer, const std::int8_t* x, int rows, std::int32_t* acc,
                   std::uint64_t sample = 0) const = 0;
  /// True if the attention products run on this backend (mvm_attention); otherwise the
  /// pipelines compute them digitally.
  virtual bool runs_attention() const { return false; }
  /// acc[t·out + o] = Σ_i w[o,i]·x[t·in + i] with run-time weights; x as `kind`. The default
  /// is exact integer arithmetic.
  virtual void mvm_attention(const AttentionOperand& op, const std::uint8_t* x, InputKind kind,
                             int rows, std::int32_t* acc, std::uint64_t sample = 0) const;
};

/// Between the two products of one head in attention_on_backend: the head's scores
/// [tokens × tokens] (row i: query i, as int32 accumulators) to unsigned 8-bit probabilities
/// [tokens × tokens].
using AttentionSoftmax = std::function<void(const std::int32_t* scores, std::uint8_t* probs)>;
/// Receives the P·V result of head `head`, [tokens × head_dim] int32.
using AttentionOutput = std::function<void(int head, const std::int32_t* pv)>;

/// How attention is put on a backend, the one placement every quantized pipeline uses: for
/// each head h, q·kᵀ with k of the head written as the weights [tokens × head_dim] and q
/// driving them (signed int8), `softmax` on its scores, then P·V with vᵀ [head_dim × tokens]
/// written and the probabilities driving it (unsigned 8-bit), its result to `output`. q, k, v:
/// int8 [tokens × heads·head_dim] row-major, head h in columns [h·head_dim, (h+1)·head_dim).
/// `block` names the products to the backend (AttentionOperand).
void attention_on_backend(const MvmBackend& backend, int block, int tokens, int heads, int head_dim,
                          const std::int8_t* q, const std::int8_t* k, const std::int8_t* v,
                          const AttentionSoftmax& softmax, const AttentionOutput& output);

/// One sample's view of a backend: every product goes to `backend` keyed by `sample` (how the
/// pipelines pass the sample's place down to their MVMs).
class SampleMvm final : public MvmBackend {
 public:
  SampleMvm(const MvmBackend& backend, std::uint64_t sample) : backend_(backend), sample_(sample) {}
  void mvm(const IntLinear& layer, const std::int8_t* x, int rows, std::int32_t* acc,
           std::uint64_t /*sample*/ = 0) const override {
    backend_.mvm(layer, x, rows, acc, sample_);
  }
  bool runs_attention() const override { return backend_.runs_attention(); }
  void mvm_attention(const AttentionOperand& op, const std::uint8_t* x, InputKind kind, int rows,
                     std::int32_t* acc, std::uint64_t /*sample*/ = 0) const override {
    backend_.mvm_attention(op, x, kind, rows, acc, sample_);
  }

 private:
  const MvmBackend& backend_;
  std::uint64_t sample_;
};

/// Exact int8 × int8 → int32 products (kern::gemm_s8).
class DigitalMvm final : public MvmBackend {
 public:
  void mvm(const IntLinear& layer, const std::int8_t* x, int rows, std::int32_t* acc,
           std::uint64_t sample = 0) const override;
};

}  // namespace rapmc
