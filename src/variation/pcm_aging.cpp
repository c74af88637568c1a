#include "rapmc/variation/pcm_aging.h"

#include <algorithm>
#include <cmath>

#include "rapmc/variation/variation.h"

namespace rapmc {
namespace {
constexpr double BOLTZMANN_EV_PER_K = 8.617333262e-5;
constexpr double ZERO_CELSIUS_K = 273.15;
}  // namespace

DriftExponent drift_exponent(const VariationConfig& v, double g_rel, double level_fraction) {
  if (v.drift_law == DriftLaw::LINEAR) {
    const double f = level_fraction;
    return {v.drift_nu_off_mean + f * (v.drift_nu_on_mean - v.drift_nu_off_mean),
            v.drift_nu_off_sigma + f * (v.drift_nu_on_sigma - v.drift_nu_off_sigma)};
  }
  const double ln_x = std::log(std::max(g_rel, 1e-7));
  return {std::clamp(v.drift_nu_mean_slope * ln_x + v.drift_nu_mean_at_gmax, v.drift_nu_mean_min,
                     v.drift_nu_mean_max),
          std::clamp(v.drift_nu_sigma_slope * ln_x + v.drift_nu_sigma_at_gmax, v.drift_nu_sigma_min,
                     v.drift_nu_sigma_max)};
}

double arrhenius_factor(double activation_ev, double ref_c, double temp_c) {
  if (activation_ev == 0) return 1.0;
  return std::exp(activation_ev / BOLTZMANN_EV_PER_K *
                  (1.0 / (ref_c + ZERO_CELSIUS_K) - 1.0 / (temp_c + ZERO_CELSIUS_K)));
}

double flicker_sigma_rel(const VariationConfig& v, double g_rel, double time_s) {
  if (v.flicker_q == 0) return 0.0;
  const double q =
      std::min(v.flicker_q / std::max(std::pow(std::max(g_rel, 0.0), v.flicker_exponent), 1e-3),
               v.flicker_q_max);
  const double t = time_s + v.drift_t0_s;
  return q * std::sqrt(std::log((t + v.flicker_t_read_s) / (2.0 * v.flicker_t_read_s)));
}

}  // namespace rapmc
