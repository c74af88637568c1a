// Measured device statistics (docs/design.md, "Measured device tables"): per programmed level,
// the distribution of a cell's conductance as a table of samples or of quantiles, read from a
// CSV file. A cell of that level is drawn by inverting the table's distribution function at
// Φ(n), n its programming-error variate, so that a table replaces the lognormal programming
// error and leaves the chip's other draws unchanged.
#pragma once

#include <string>
#include <vector>

namespace rapmc {

class DeviceTable {
 public:
  /// Reads `path`: a CSV with a header naming its columns, either `level,g_siemens` (samples:
  /// the empirical distribution) or `level,p,g_siemens` (quantiles: p strictly increasing in
  /// (0, 1) and g non-decreasing within each level; the distribution is linear between them and
  /// holds its end values beyond); or an HDF5 file (.h5, .hdf5) with the same columns as 1-D
  /// datasets /level, /g_siemens and, for quantiles, /p. Levels are 0 (off) .. `levels` − 1,
  /// each present. ConfigError naming the file, the row and the rule broken; IoError if it
  /// cannot be read or is not HDF5.
  static DeviceTable load(const std::string& path, int levels);
  /// The conductance (S) at cumulative probability u ∈ (0, 1) of level `level`.
  double quantile(int level, double u) const;
  int levels() const { return static_cast<int>(p_.size()); }
  /// Mean conductance (S) of a level under the table's distribution.
  double mean(int level) const;
  const std::string& source() const { return source_; }
  /// Samples (sorted) or quantile values of one level, and their probabilities.
  const std::vector<double>& values(int level) const { return g_[static_cast<std::size_t>(level)]; }
  const std::vector<double>& probabilities(int level) const {
    return p_[static_cast<std::size_t>(level)];
  }
  bool samples() const { return samples_; }

 private:
  std::string source_;
  bool samples_ = false;
  std::vector<std::vector<double>> p_, g_;  // per level
};

}  // namespace rapmc
