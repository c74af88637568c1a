// The `flare` pipeline as an InferenceEngine: integer logits m·2^exp seen as doubles (exact
// for |m| < 2^53), so they can be compared with the float pipelines.
#pragma once

#include <optional>

#include "rapmc/infer/engine.h"
#include "rapmc/infer/flare_inference.h"

namespace rapmc {

/// m·2^exp of each class as a double.
arma::vec to_vec(const IntLogits& logits);

class FlareEngine final : public InferenceEngine {
 public:
  /// A view of an existing flare pipeline (which must outlive this object).
  explicit FlareEngine(const FlareInference& flare) : flare_(&flare) {}
  /// Builds and owns the pipeline of `int_model` on `backend` (both must outlive this object).
  FlareEngine(const IntModel& int_model, RequantMode mode, const MvmBackend& backend)
      : owned_(std::in_place, int_model, mode, backend), flare_(&*owned_) {}
  FlareEngine(const FlareEngine&) = delete;
  FlareEngine& operator=(const FlareEngine&) = delete;
  arma::vec logits(const std::uint8_t* sample, std::uint64_t place = 0) const override {
    return to_vec(flare_->forward(sample, place));
  }

 private:
  std::optional<FlareInference> owned_;
  const FlareInference* flare_;
};

}  // namespace rapmc
