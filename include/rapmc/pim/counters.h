// Activity and error counters of the AMS-PiM engine, per weight layer.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rapmc::pim {

inline constexpr int DCODE_BINS = 8;  // |Δcode| = 0, 1, ..., 6, and >= 7
// The signed sensing margin (docs/design.md, "Sensing margin") in bins of 1/64 LSB over
// [−1, 1): bin b holds margins in [−1 + b/64, −1 + (b+1)/64); the first bin also holds every
// margin below −1, the last every margin from 63/64 up.
inline constexpr int MARGIN_BINS = 128;
inline constexpr double MARGIN_BIN_LSB = 1.0 / 64.0;
inline constexpr double MARGIN_LOW_LSB = -1.0;  // lower edge of the first bin
/// The histogram bin of signed margin m (LSB).
inline int margin_bin(double m) {
  const double b = (m - MARGIN_LOW_LSB) / MARGIN_BIN_LSB;
  return b < 0 ? 0 : (b >= MARGIN_BINS - 1 ? MARGIN_BINS - 1 : static_cast<int>(b));
}

/// An exact sum of squared integers (128-bit, unsigned): sums merged in any order, over any
/// threads, give the same value.
class ExactSquares {
 public:
  void add_square(std::int64_t v);
  void merge(const ExactSquares& o);
  /// The sum rounded once to the nearest double.
  double value() const;

 private:
  void add(std::uint64_t lo, std::uint64_t hi);  // the 128-bit number hi·2^64 + lo
  std::uint64_t lo_ = 0, hi_ = 0;
};

struct LayerCounters {
  std::uint64_t reads = 0;        // analog reads of one tile (row-tile reads × column tiles)
  std::uint64_t conversions = 0;  // ADC conversions (one per data bitline per read)
  std::uint64_t cell_ops = 0;     // cells on an active wordline, summed over reads and bitlines
  std::uint64_t on_counts = 0;    // Σ ideal column counts (cell levels on active wordlines)
  std::uint64_t code_errors = 0;  // conversions whose code differs from the ideal code
  std::uint64_t saturations = 0;  // conversions whose ideal count exceeds the ADC's range
  std::array<std::uint64_t, DCODE_BINS> dcode_hist{};  // |code − ideal code|
  // Signed sensing margin: how far inside the decision interval of the ideal code the analog
  // value (with the comparators' noise) sat, LSB; negative when a decision went wrong.
  std::array<std::uint64_t, MARGIN_BINS> margin_hist{};
  double margin_min_lsb = 1e30;
  ExactSquares signal_sq;  // Σ exact accumulator² (integer MVM result)
  ExactSquares error_sq;   // Σ (simulated − exact)²: the layer's MVM SQNR is signal / error
  // Conversions by the exact count of their bitline (index = count); empty unless the engine
  // records counts (PimMvm, CountHistogram::ON).
  std::vector<std::uint64_t> count_hist;
  // Wear of the workload (PimMvm, WearCounts::ON; docs/design.md, "Read disturb and
  // endurance"): how many reads drove each input row of the layer (index = the row of the
  // layer's input), and how many times an attention array of this slot was written (one
  // operand into the array of one head) and over how many heads.
  std::vector<std::uint64_t> row_reads;
  std::uint64_t writes = 0;
  std::uint64_t write_heads = 0;

  /// 10·log10(signal_sq / error_sq), +inf without error; NaN without conversions (a layer kept
  /// digital is not on the chip, not error-free).
  double mvm_sqnr_db() const;
  /// code_errors / conversions; NaN without conversions (a layer kept digital converts nothing).
  double code_error_rate() const;
  /// Conversions with |code − ideal code| >= 2, over conversions; NaN without conversions.
  double dcode_ge2_rate() const;
  /// saturations / conversions; NaN without conversions.
  double saturation_rate() const;
  void merge(const LayerCounters& o);
  /// q-quantile (0..1) of the signed sensing margin from the histogram (upper edge of its
  /// bin), LSB; NaN without conversions.
  double margin_quantile_lsb(double q) const;
};

/// Counters of every weight layer, keyed by layer name, plus their total.
using Counters = std::map<std::string, LayerCounters>;
LayerCounters total(const Counters& c);

}  // namespace rapmc::pim
