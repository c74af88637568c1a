// Pipeline `flare`: the RAP FP-less, division-free integer transformer (docs/design.md, "Integer
// pipelines"). Every runtime step is integer: int8 MVMs (through an MvmBackend), wide int64
// epilogues, eMSB-window or dyadic requantization, VDR-softmax, integer GELU and LayerNorm. It
// compiles into the FP-less runtime library (no float header may enter here); FlareEngine
// (flare_engine.h) is its float view for comparisons.
#pragma once

#include <cstdint>
#include <vector>

#include "rapmc/infer/mvm_backend.h"
#include "rapmc/quant/int_model.h"

namespace rapmc {

/// Logits as integers: value of class c = m[c]·2^exp.
struct IntLogits {
  std::vector<std::int64_t> m;
  int exp = 0;
  friend bool operator==(const IntLogits&, const IntLogits&) = default;
};

/// Runtime constants of one weight layer: y[o] = mult[o]·acc[o]·2^(E_x - shift) + bias.
struct LinearPlan {
  std::vector<std::int64_t> mult;
  int shift = 0;
};

/// Pixels of one image as (pixel - 128) int8, one row per patch ([patches × C·p·p], row-major,
/// patches row-major, each flattened in (channel, row, column) order).
void patch_pixels_s8(const IntModel& model, const std::uint8_t* pixels, std::int8_t* out);

/// The integer pipeline for one requantization mode. Constant after construction; forward()
/// is thread-safe and bit-exact (same image → same integers, any thread).
class FlareInference {
 public:
  /// `model` and `backend` must outlive this object.
  FlareInference(const IntModel& model, RequantMode mode, const MvmBackend& backend);
  /// Logits of one sample: an image (ViT) or a token record (BERT, data/token_record.h);
  /// DataError for a token record the model cannot read. `place`: the sample's index in its
  /// set, passed to the backend (MvmBackend::mvm).
  IntLogits forward(const std::uint8_t* sample, std::uint64_t place = 0) const;
  RequantMode mode() const { return mode_; }

 private:
  struct BlockPlan {
    LinearPlan qkv, proj, fc1, fc2;
    Dyadic softmax;  // score units → log2 units
    Dyadic rq_qkv_in, rq_q, rq_k, rq_v, rq_proj_in, rq_fc1_in, rq_fc2_in;  // dyadic mode
  };
  const IntModel& model_;
  RequantMode mode_;
  const MvmBackend& backend_;
  LinearPlan embed_, head_, pooler_;
  Dyadic rq_head_in_, rq_pooler_in_;
  std::vector<BlockPlan> blocks_;
};

}  // namespace rapmc
