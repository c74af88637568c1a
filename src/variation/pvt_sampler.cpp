#include "rapmc/variation/pvt_sampler.h"

#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <cmath>

#include "rapmc/core/keyed_rng.h"

namespace rapmc {

PvtSampler::PvtSampler(const VariationConfig& v, const OperatingPoint& op, const HardwareConfig& hw,
                       std::uint64_t seed, std::uint64_t trial)
    : v_(v), op_(op), hw_(hw), seed_(seed), trial_(trial) {
  levels_ = (1 << hw.cell_bits) - 1;
  g_off_norm_ = hw.g_off_siemens / ((hw.g_on_siemens - hw.g_off_siemens) / levels_);
  const double vdd_ratio = op.vdd_v / v.vdd_nominal_v;
  supply_factor_ = v.ratiometric ? 1.0 : vdd_ratio;
  const double v_lsb = hw.v_lsb() * (v.ratiometric ? vdd_ratio : 1.0);
  offset_sigma_lsb_ = v.comparator_sigma_v(op.temp_c) / v_lsb;
  const double read_lsb = v.read_noise_rel_ion * (g_off_norm_ + levels_) / hw.lsb_counts;
  const double cmp_lsb =
      v.comparator_noise_mv * 1e-3 * std::sqrt((op.temp_c + 273.15) / (v.t0_c + 273.15)) / v_lsb;
  noise_sigma_lsb_ = std::sqrt(read_lsb * read_lsb + cmp_lsb * cmp_lsb);
  const double dt = op.temp_c - v.t0_c;
  varies_cells_ = v.cell_sigma_on > 0 || v.cell_sigma_off > 0 || v.stuck_on_prob > 0 ||
                  v.stuck_off_prob > 0 ||
                  ((v.alpha_on_per_k != 0 || v.alpha_off_per_k != 0) && dt != 0) ||
                  op.g_on_shift != 0 || op.g_off_shift != 0 || supply_factor_ != 1.0;
  varies_adcs_ = hw.adc != AdcType::IDEAL &&
                 (offset_sigma_lsb_ > 0 || op.adc_gain_shift != 0 || op.adc_offset_lsb != 0 ||
                  (hw.adc == AdcType::SAR && v.dac_unit_sigma_rel > 0));
}

std::uint64_t PvtSampler::noise_key() const {
  return KeyedStream(seed_, RngDomain::READ_NOISE, trial_, 0).key();
}

std::uint64_t PvtSampler::cell_instance(const std::string& layer, int row_tile) {
  return mix64(name_key(layer) ^ mix64(static_cast<std::uint64_t>(row_tile) + 1));
}

std::uint64_t PvtSampler::adc_instance(const std::string& layer, int row_tile, int adc_index) {
  return mix64(name_key(layer) ^ mix64((static_cast<std::uint64_t>(row_tile) << 32) +
                                       static_cast<std::uint64_t>(adc_index) + 7));
}

void PvtSampler::cells(const std::string& layer, int row_tile, int, int, std::span<float> g) const {
  KeyedStream stream(seed_, RngDomain::CELL, trial_, cell_instance(layer, row_tile));
  boost::random::normal_distribution<double> n01(0.0, 1.0);
  boost::random::uniform_01<double> u01;
  const double dt = op_.temp_c - v_.t0_c;
  for (float& cell : g) {
    const double n_prog = n01(stream);
    const double n_alpha = n01(stream);
    const double u_stuck = u01(stream);
    double level = std::round(static_cast<double>(cell) - g_off_norm_);
    if (u_stuck < v_.stuck_on_prob)
      level = levels_;
    else if (u_stuck < v_.stuck_on_prob + v_.stuck_off_prob)
      level = 0;
    const double f = level / levels_;  // 0 = off state, 1 = on state
    const double g_nom = g_off_norm_ + level;
    const double sigma = v_.cell_sigma_off + f * (v_.cell_sigma_on - v_.cell_sigma_off);
    const double alpha = (v_.alpha_off_per_k + f * (v_.alpha_on_per_k - v_.alpha_off_per_k)) *
                         (1.0 + v_.alpha_spread_rel * n_alpha);
    const double shift = op_.g_off_shift + f * (op_.g_on_shift - op_.g_off_shift);
    const double value = g_nom * std::exp(sigma * n_prog - 0.5 * sigma * sigma) *
                         (1.0 + alpha * dt) * (1.0 + shift) * supply_factor_;
    cell = static_cast<float>(value);
  }
}

void PvtSampler::adc(const std::string& layer, int row_tile, int adc_index,
                     std::span<float> p) const {
  KeyedStream stream(seed_, RngDomain::COMPARATOR, trial_,
                     adc_instance(layer, row_tile, adc_index));
  boost::random::normal_distribution<double> n01(0.0, 1.0);
  const double gain = 1.0 + op_.adc_gain_shift;
  const double shift = hw_.threshold_shift_lsb();  // thresholds between reachable counts
  if (hw_.adc == AdcType::FLASH) {
    for (std::size_t k = 0; k < p.size(); ++k) {
      p[k] = static_cast<float>((static_cast<double>(k) + 0.5 - shift) * gain + op_.adc_offset_lsb +
                                offset_sigma_lsb_ * n01(stream));
    }
  } else if (hw_.adc == AdcType::SAR) {
    p[0] = static_cast<float>(shift + op_.adc_offset_lsb + offset_sigma_lsb_ * n01(stream));
    for (std::size_t k = 1; k < p.size(); ++k) {
      const double units = std::ldexp(1.0, static_cast<int>(k) - 1);
      p[k] = static_cast<float>(units * gain *
                                (1.0 + v_.dac_unit_sigma_rel / std::sqrt(units) * n01(stream)));
    }
  }
}

}  // namespace rapmc
