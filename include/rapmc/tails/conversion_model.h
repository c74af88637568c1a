// One conversion of a chip as a function of the standard normal variables that decide it
// (docs/design.md, "High-sigma estimation"): the die-level operating point, the tile's shift, the
// ADC instance (replica or calibration column, each comparator's offset and trim DAC, SAR DAC
// units), the bitline's sense stage, the driven cells of the bitline and of its reference
// column, and the read's temporal noise (the bitline's and each comparator decision's). Every
// formula is the chip's own (PvtSampler's, adc_convert's, the engine's bitline variance), fed
// with coordinates of a vector z instead of keyed streams, so a rare z found by an estimator is
// a conversion a chip can make.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "rapmc/pim/hardware.h"
#include "rapmc/tails/rare_event.h"
#include "rapmc/variation/variation.h"

namespace rapmc::tails {

/// What decides the conversion studied: the design, its variation and operating conditions, and
/// the read (count c on a bitline whose read drives `rows` rows).
struct ConversionSetup {
  HardwareConfig hw;
  VariationConfig variation;
  Corner corner;
  TempMode temp_mode = TempMode::FIXED;
  double temp_min_c = 27.0, temp_max_c = 27.0;
  int count = 0;
  int rows = 0;  // rows the read drives (≥ count, ≤ the schedule's rows per read)
};

/// The outcome of one conversion: its code, the ideal code of its count, the signed margin of
/// its worst decision (LSB, < 0 for a wrong decision) and which decision that is.
struct ConversionOutcome {
  int code = 0;
  int ideal = 0;
  float margin_lsb = 0;
  int decision = 0;
  bool wrong() const { return code != ideal; }
  int error_codes() const { return code > ideal ? code - ideal : ideal - code; }
};

class ConversionModel {
 public:
  /// ConfigError naming the key for what the model does not cover: stuck-at cells, telegraph
  /// noise, a die gradient, IR drop, a count or rows outside the read's range.
  explicit ConversionModel(ConversionSetup setup);
  /// Number of standard normal variables (fixed for the setup).
  int dimension() const { return dimension_; }
  /// The name of each variable ("die/n_vdd", "cell/3/prog", "noise/comparator/2", ...).
  const std::vector<std::string>& variable_names() const { return names_; }
  const ConversionSetup& setup() const { return setup_; }
  /// The conversion at z (dimension() values).
  ConversionOutcome evaluate(std::span<const double> z) const;
  /// The frozen variables: the first frozen_dimension() of z, everything but the read's
  /// temporal noise (die, tile, ADC instance, sense stage, driven and reference cells).
  int frozen_dimension() const { return frozen_dimension_; }
  /// The probability that a conversion of the frozen state `frozen` returns a wrong code over
  /// its temporal noise: Σ_d Q(m_d/σ) over the decisions' noise-free margins m_d
  /// (adc_decision_margins), σ² the bitline's noise variance plus a comparator decision's. Exact
  /// per decision; their sum is an upper bound of the union, tight when errors are rare.
  /// `decision` receives the decision contributing most.
  double noise_error_rate(std::span<const double> frozen, int* decision = nullptr) const;
  /// A column's variables, the same for all its reads: the first instance_dimension() of z (die,
  /// tile, the ADC instance's comparators, trims, DAC units, replica and reference drift, the
  /// bitline's sense stage), before the read's cells, which change from one read to the next.
  int instance_dimension() const { return instance_dimension_; }
  /// A column's error rate over its reads of this count: the mean of noise_error_rate() over
  /// `reads` reads whose cells are sample_point(seed, READS, 0, j) (the same reads for every
  /// column: common random numbers, so the rate is a smooth function of the column). Exact when
  /// the cells do not vary.
  double instance_error_rate(std::span<const double> instance, int reads, std::uint64_t seed,
                             int* decision = nullptr) const;

 private:
  class Cursor;
  struct Analog;
  // The conversion up to its comparators, noise-free, from the frozen variables.
  Analog analog_at(Cursor& cur) const;
  // The conversion at z; with `names`, each variable's name as it is used (the dry run that
  // sizes the model); `used` receives how many variables it read.
  ConversionOutcome evaluate_at(std::span<const double> z, std::vector<std::string>* names,
                                std::size_t* used) const;
  ConversionSetup setup_;
  bool cells_ = false, adcs_ = false, sense_ = false, tiles_ = false;  // which parts vary
  int dimension_ = 0;
  int frozen_dimension_ = 0;
  int instance_dimension_ = 0;
  std::vector<std::string> names_;
};

/// The failure events the estimators take, over `m`'s variables. `m` must outlive them.
/// A conversion whose code is off by at least `min_codes` (margin: its worst decision's).
LimitState conversion_failure(const ConversionModel& m, int min_codes = 1);
/// Over the frozen variables only (frozen_dimension()): a state whose noise-averaged error
/// rate exceeds `limit` (margin ln limit − ln rate).
LimitState failing_state(const ConversionModel& m, double limit);
/// Over the column's variables only (instance_dimension()): a failing column, a bitline with its
/// ADC instance and sense stage whose error rate over `reads` of its reads (instance_error_rate)
/// exceeds `limit`.
LimitState failing_column(const ConversionModel& m, double limit, int reads, std::uint64_t seed);

}  // namespace rapmc::tails
