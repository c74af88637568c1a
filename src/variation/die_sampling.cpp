#include "rapmc/variation/die_sampling.h"

#include <boost/random/uniform_01.hpp>
#include <cmath>

#include "rapmc/core/keyed_rng.h"

namespace rapmc {

std::array<double, DIE_VARIATES> as_array(const DieVariates& d) {
  return {d.n_vdd, d.n_g_on, d.n_g_off, d.n_adc_gain, d.n_adc_offset};
}

DieVariates die_variates(const std::array<double, DIE_VARIATES>& a) {
  return {a[0], a[1], a[2], a[3], a[4]};
}

std::array<double, DIE_VARIATES> die_sigmas(const VariationConfig& v) {
  return {v.vdd_sigma_rel, v.process_g_sigma_rel, v.process_g_sigma_rel,
          v.process_adc_gain_sigma_rel, v.process_adc_offset_sigma_lsb};
}

double log_weight(const SamplingConfig& s, const std::array<double, DIE_VARIATES>& sigmas,
                  const DieVariates& d) {
  if (s.method != SamplingMethod::IMPORTANCE) return 0.0;
  // ln φ(z) − ln q(z), q = α·φ(z) + (1 − α)·Π φ((z − μ)/σ_q)/σ_q over the acting variates.
  const auto z = as_array(d);
  double nominal = 0, shifted = 0;
  for (std::size_t i = 0; i < DIE_VARIATES; ++i) {
    if (sigmas[i] == 0) continue;
    const double u = (z[i] - s.shift[i]) / s.spread;
    nominal += -0.5 * z[i] * z[i];
    shifted += -0.5 * u * u - std::log(s.spread);
  }
  // ln q − ln φ = ln(α + (1 − α)·e^(shifted − nominal)), evaluated without overflow.
  const double r = shifted - nominal;
  const double a = s.defensive;
  const double log_q_over_phi =
      r > 0 ? r + std::log((1 - a) + a * std::exp(-r)) : std::log(a + (1 - a) * std::exp(r));
  return -log_q_over_phi;
}

DieDraw sample_die(const VariationConfig& v, const Corner& corner, TempMode temp_mode,
                   double temp_min_c, double temp_max_c, const SamplingConfig& s,
                   std::uint64_t seed, std::uint64_t trial) {
  DieDraw out;
  double temp_c = corner.temp_c;
  out.variates =
      sample_die_variates(corner, temp_mode, temp_min_c, temp_max_c, seed, trial, temp_c);
  if (s.method == SamplingMethod::IMPORTANCE) {
    KeyedStream choice(seed, RngDomain::OPERATING_POINT, trial, 1);
    const auto sigmas = die_sigmas(v);
    if (boost::random::uniform_01<double>()(choice) >= s.defensive) {
      auto z = as_array(out.variates);
      for (std::size_t i = 0; i < DIE_VARIATES; ++i)
        if (sigmas[i] != 0) z[i] = s.shift[i] + s.spread * z[i];
      out.variates = die_variates(z);
    }
    out.weight = std::exp(log_weight(s, sigmas, out.variates));
  } else if (s.method == SamplingMethod::SCALED_SIGMA) {
    auto z = as_array(out.variates);
    for (double& x : z) x *= s.sigma_scale;
    out.variates = die_variates(z);
  }
  out.op = operating_point(v, corner, temp_c, out.variates);
  return out;
}

DieVariates die_variates_of(const VariationConfig& v, const Corner& corner,
                            const OperatingPoint& op) {
  auto n = [](double value, double sigma) { return sigma != 0 ? value / sigma : 0.0; };
  const double shift = corner.process_shift_sigmas * v.process_g_sigma_rel;
  DieVariates d;
  d.n_vdd = n(op.vdd_v / (v.vdd_nominal_v * corner.vdd_scale) - 1.0, v.vdd_sigma_rel);
  d.n_g_on = n(op.g_on_shift - shift, v.process_g_sigma_rel);
  d.n_g_off = n(op.g_off_shift - shift, v.process_g_sigma_rel);
  d.n_adc_gain = n(op.adc_gain_shift, v.process_adc_gain_sigma_rel);
  d.n_adc_offset = n(op.adc_offset_lsb, v.process_adc_offset_sigma_lsb);
  return d;
}

void scale_sigmas(VariationConfig& v, HardwareConfig& hw, double s) {
  for (double* sigma :
       {&v.cell_sigma_on, &v.cell_sigma_off, &v.alpha_spread_rel, &v.avt_mv_um,
        &v.sense_abeta_pct_um, &v.dac_unit_sigma_rel, &v.die_gradient_sigma_rel, &v.tile_sigma_rel,
        &v.drift_nu_on_sigma, &v.drift_nu_off_sigma, &v.drift_nu_sigma_slope,
        &v.drift_nu_sigma_at_gmax, &v.drift_nu_sigma_min, &v.drift_nu_sigma_max})
    *sigma *= s;
  hw.trim_dac_sigma_rel *= s;
}

}  // namespace rapmc
