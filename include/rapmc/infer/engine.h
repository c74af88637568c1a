// What `evaluate` runs: any pipeline that maps one image to its logits.
#pragma once

#include <armadillo>
#include <cstdint>

namespace rapmc {

/// One inference pipeline. logits() must be thread-safe and a pure function of the image.
class InferenceEngine {
 public:
  virtual ~InferenceEngine() = default;
  /// Logits [num_classes] of one image of raw pixels in (channel, row, column) order.
  virtual arma::vec logits(const std::uint8_t* pixels) const = 0;
};

}  // namespace rapmc
