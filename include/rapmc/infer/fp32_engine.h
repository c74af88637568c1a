// The `fp32` pipeline as an InferenceEngine: the float reference forward pass of a ViT.
#pragma once

#include "rapmc/infer/engine.h"
#include "rapmc/model/fp32_forward.h"

namespace rapmc {

class Fp32Engine final : public InferenceEngine {
 public:
  /// `model` must outlive this object.
  explicit Fp32Engine(const EncoderModel& model) : fp32_(model) {}
  arma::vec logits(const std::uint8_t* sample, std::uint64_t /*place*/ = 0) const override {
    return fp32_.forward(sample);
  }

 private:
  Fp32Inference fp32_;
};

}  // namespace rapmc
