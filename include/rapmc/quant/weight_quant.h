// Symmetric per-output-channel weight quantization (offline, float allowed here).
#pragma once

#include <armadillo>
#include <cstdint>
#include <vector>

namespace rapmc {

/// Weights [out, in] row-major as signed integers of `bits` bits, range ±(2^(bits-1) - 1),
/// with one scale per output channel: W[o,i] ≈ scale[o]·w[o·in + i].
struct QuantizedWeights {
  int out = 0;
  int in = 0;
  int bits = 8;
  std::vector<std::int8_t> w;
  std::vector<double> scale;
};

/// scale[o] = max|W[o,:]| / (2^(bits-1) - 1) (1 for an all-zero row), round to nearest.
/// ConfigError if bits is outside 2..8.
QuantizedWeights quantize_per_channel(const arma::mat& weights, int bits);

}  // namespace rapmc
