// What `evaluate` runs: any pipeline that maps one sample to its logits.
#pragma once

#include <armadillo>
#include <cstdint>

namespace rapmc {

/// One inference pipeline. logits() must be thread-safe and a pure function of the sample and
/// its place.
class InferenceEngine {
 public:
  virtual ~InferenceEngine() = default;
  /// Logits [num_classes] of one sample (data/dataset.h): an image of raw pixels in
  /// (channel, row, column) order, or a token record. `place` is the sample's index in its
  /// set: the key of a chip's temporal noise (MvmBackend::mvm).
  virtual arma::vec logits(const std::uint8_t* sample, std::uint64_t place = 0) const = 0;
};

}  // namespace rapmc
