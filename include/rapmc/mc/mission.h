// A chip over its life (docs/design.md, "Lifetime campaigns"): a mission profile — the ages at
// which the chip is evaluated, its temperature between them, the inference rate, a
// recalibration and a refresh schedule — turns each campaign point into one point per age.
// Trial t is the same sampled chip at every age (its streams are keyed by seed and trial, not
// by point), so ages are compared with common random numbers and a trial's time to failure is
// the first age at which its accuracy falls below the target.
#pragma once

#include <string>
#include <vector>

namespace rapmc {

class TomlReader;
struct VariationConfig;

/// [lifetime] of a campaign (docs/configuration.md, "Lifetime keys").
struct MissionProfile {
  std::vector<double> ages_s;         // strictly increasing, ≥ 0
  std::vector<double> temperature_c;  // per age: the chip's temperature since the previous age,
                                      // and at the read (empty: operating_point.temp_c)
  double inference_rate_hz = 0;       // inferences per second over the whole life
  double recalibrate_every_s = 0;     // gain calibration redone every this (0: at programming only)
  double refresh_every_s = 0;         // weights reprogrammed every this (0: never)
  double target_accuracy = 0;         // a chip has failed once its accuracy is below this
  bool enabled() const { return !ages_s.empty(); }
};

/// What one age of the mission means for the chip.
struct MissionAge {
  std::size_t index = 0;
  double age_s = 0;                         // s since the chip was first programmed
  double temp_c = 27;                       // its temperature at this age's read
  double since_programming_s = 0;           // s since the last programming (refresh)
  double drift_age_s = 0;                   // that time's equivalent at variation.t0_c (Arrhenius)
  double retention_age_s = 0;               // the same for retention loss (its activation energy)
  bool recalibrated = false;                // the gain calibration was redone after programming
  double cal_since_programming_s = 0;       // s from programming to the last calibration
  double cal_drift_age_s = 0;               // its equivalent at t0_c
  double cal_temp_c = 27;                   // temperature at that calibration (when recalibrated)
  double inferences = 0;                    // inferences run since first programming
  double inferences_since_programming = 0;  // since the last programming
};

/// Reads [lifetime]; problems recorded in `r` naming the key: ages not strictly increasing or
/// negative, a temperature list of another length, a recalibration or refresh interval longer
/// than the mission, a target outside (0, 1). `default_temp_c` fills temperature_c when absent;
/// `default_target` the target (yield.accuracy_threshold).
MissionProfile read_mission(TomlReader& r, double default_temp_c, double default_target);

/// Every age of `m` under the drift temperature law of `v` (its Arrhenius factor).
std::vector<MissionAge> mission_ages(const MissionProfile& m, const VariationConfig& v);

/// The equivalent time at t0_c of the mission's interval [from_s, to_s] (each age's temperature
/// holds from the previous age up to it; after the last age, the last temperature).
double mission_drift_age(const MissionProfile& m, const VariationConfig& v, double from_s,
                         double to_s);
/// The same with activation energy `activation_ev` (retention loss).
double mission_equivalent_age(const MissionProfile& m, const VariationConfig& v,
                              double activation_ev, double from_s, double to_s);

struct OperatingPoint;
/// Sets the drift age and the last calibration of an operating point to those of age `a`.
void apply_age(OperatingPoint& op, const MissionAge& a);

}  // namespace rapmc
