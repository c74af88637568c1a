// The `flare` pipeline as an InferenceEngine: integer logits m·2^exp seen as doubles (exact
// for |m| < 2^53), so they can be compared with the float pipelines.
#pragma once

#include "rapmc/infer/engine.h"
#include "rapmc/infer/flare_inference.h"

namespace rapmc {

/// m·2^exp of each class as a double.
arma::vec to_vec(const IntLogits& logits);

class FlareEngine final : public InferenceEngine {
 public:
  explicit FlareEngine(const FlareInference& flare) : flare_(flare) {}
  arma::vec logits(const std::uint8_t* pixels) const override { return to_vec(flare_.forward(pixels)); }

 private:
  const FlareInference& flare_;
};

}  // namespace rapmc
