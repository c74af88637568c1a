// Pipeline `ptq-dqq`: conventional post-training quantization on a conventional PiM, the
// baseline RAP removes. Every weight MVM and both attention products are int8 × int8 → int32;
// after each product the result is dequantized to float, and LayerNorm, softmax, GELU and the
// residual adds run in float before the next quantization (DQ-Q).
#pragma once

#include "rapmc/infer/engine.h"
#include "rapmc/infer/mvm_backend.h"
#include "rapmc/model/encoder_model.h"
#include "rapmc/quant/int_model.h"

namespace rapmc {

class PtqDqqInference final : public InferenceEngine {
 public:
  /// Integer weights and calibrated scales from `int_model`, LayerNorm parameters from the
  /// FP32 `model` (the float units keep their float parameters). All must outlive this object.
  PtqDqqInference(const EncoderModel& model, const IntModel& int_model, const MvmBackend& backend);
  arma::vec logits(const std::uint8_t* sample, std::uint64_t place = 0) const override;

 private:
  const EncoderModel& model_;
  const IntModel& q_;
  const MvmBackend& backend_;
};

}  // namespace rapmc
