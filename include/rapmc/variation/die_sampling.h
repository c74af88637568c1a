// How a trial's die is drawn (docs/design.md, "Chip yield at the network level"): plainly from
// the variation model, by importance sampling over the five die-level variates (the within-die
// variables stay plain: conditional Monte Carlo), or with every frozen σ scaled up by s > 1
// (scaled-sigma sampling, extrapolated back to s = 1 by `rapmc report --scaled-sigma`).
// A trial's draw and its likelihood-ratio weight are a pure function of (seed, trial).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "rapmc/pim/hardware.h"
#include "rapmc/variation/variation.h"

namespace rapmc {

enum class SamplingMethod { PLAIN, IMPORTANCE, SCALED_SIGMA };

/// The die-level variates in DieVariates order (names of sampling.shift's entries).
inline constexpr std::size_t DIE_VARIATES = 5;
inline constexpr std::array<std::string_view, DIE_VARIATES> DIE_VARIATE_NAMES{
    "vdd", "g_on", "g_off", "adc_gain", "adc_offset"};
std::array<double, DIE_VARIATES> as_array(const DieVariates& d);
DieVariates die_variates(const std::array<double, DIE_VARIATES>& a);

/// A campaign point's [sampling] keys (docs/configuration.md, "Sampling keys").
struct SamplingConfig {
  SamplingMethod method = SamplingMethod::PLAIN;
  // Importance sampling: the proposal α·N(0, I) + (1 − α)·N(shift, spread²·I) over the die
  // variates whose σ is not zero.
  std::array<double, DIE_VARIATES> shift{};  // σ units
  double spread = 1.0;                       // ≥ 1
  double defensive = 0.1;                    // α, in [0, 1)
  // Scaled sigma: every frozen σ of the variation model × sigma_scale (> 1).
  double sigma_scale = 1.0;
};

/// The σ of each die variate under `v` (zero: the variate does not act and is not sampled).
std::array<double, DIE_VARIATES> die_sigmas(const VariationConfig& v);

/// The die of one trial: its operating point, its die variates and the likelihood ratio of that
/// draw under the variation model to the proposal it was drawn from (1 unless importance).
struct DieDraw {
  OperatingPoint op;
  DieVariates variates;
  double weight = 1.0;
};
/// Trial `trial`'s die: the variates of sample_operating_point() (same streams; a plain draw is
/// the same operating point); under importance sampling, with probability 1 − α (a uniform of
/// stream OPERATING_POINT, instance 1), moved to shift + spread·z on the acting variates; under
/// scaled sigma, s·z.
DieDraw sample_die(const VariationConfig& v, const Corner& corner, TempMode temp_mode,
                   double temp_min_c, double temp_max_c, const SamplingConfig& s,
                   std::uint64_t seed, std::uint64_t trial);
/// ln of the proposal's likelihood ratio φ(z)/q(z) over the acting variates (`sigmas` ≠ 0).
double log_weight(const SamplingConfig& s, const std::array<double, DIE_VARIATES>& sigmas,
                  const DieVariates& d);

/// The die variates of an operating point (operating_point()'s inverse; a variate whose σ is
/// zero reads 0).
DieVariates die_variates_of(const VariationConfig& v, const Corner& corner,
                            const OperatingPoint& op);

/// The within-die part of scaled-sigma sampling: every frozen within-die σ × s (cells'
/// programming error, tempco spread and drift-exponent spread, Pelgrom offsets and sense gains,
/// SAR unit and trim-DAC mismatch, die gradient and tile shifts). The die variates are scaled by
/// sample_die() (z·s, so that a corner's deterministic shift stays). Temporal noise, stuck-at
/// and telegraph-noise probabilities and the corner's effects are not scaled.
void scale_sigmas(VariationConfig& v, HardwareConfig& hw, double s);

}  // namespace rapmc
