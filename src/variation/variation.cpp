#include "rapmc/variation/variation.h"

#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>

#include "rapmc/core/enum_names.h"
#include "rapmc/core/errors.h"
#include "rapmc/core/keyed_rng.h"
#include "rapmc/variation/pcm_aging.h"

namespace rapmc {
namespace {
constexpr EnumNames<DriftLaw, 2> DRIFT_LAWS{{{DriftLaw::LOG, "log"}, {DriftLaw::LINEAR, "linear"}}};
}  // namespace

VariationConfig VariationConfig::none() {
  VariationConfig v;
  v.process_g_sigma_rel = v.process_adc_gain_sigma_rel = v.process_adc_offset_sigma_lsb = 0;
  v.cell_sigma_on = v.cell_sigma_off = 0;
  v.alpha_on_per_k = v.alpha_off_per_k = v.alpha_spread_rel = 0;
  v.avt_mv_um = 0;
  v.sense_abeta_pct_um = 0;
  v.dac_unit_sigma_rel = 0;
  v.vdd_sigma_rel = 0;
  v.read_noise_rel_ion = 0;
  v.bitline_excess_noise = 0;
  v.cell_read_noise_rel = 0;
  v.comparator_noise_mv = 0;
  v.drift_nu_on_mean = v.drift_nu_on_sigma = v.drift_nu_off_mean = v.drift_nu_off_sigma = 0;
  v.drift_nu_mean_slope = v.drift_nu_mean_at_gmax = v.drift_nu_mean_min = v.drift_nu_mean_max = 0;
  v.drift_nu_sigma_slope = v.drift_nu_sigma_at_gmax = 0;
  v.drift_nu_sigma_min = v.drift_nu_sigma_max = 0;
  return v;
}

double VariationConfig::offset_sigma_v(double wl_um2, double temp_c) const {
  return avt_mv_um * 1e-3 / std::sqrt(wl_um2) * (1.0 + offset_tempco_per_k * (temp_c - t0_c));
}

VariationConfig read_variation(TomlReader& r, const std::string& p) {
  VariationConfig v;
  auto d = [&](const char* key, double& field, double lo, double hi) {
    field = r.get_double(p + key, field, lo, hi);
  };
  d("process_g_sigma_rel", v.process_g_sigma_rel, 0, 1);
  d("process_adc_gain_sigma_rel", v.process_adc_gain_sigma_rel, 0, 1);
  d("process_adc_offset_sigma_lsb", v.process_adc_offset_sigma_lsb, 0, 10);
  d("cell_sigma_on", v.cell_sigma_on, 0, 2);
  d("cell_sigma_off", v.cell_sigma_off, 0, 2);
  d("stuck_on_prob", v.stuck_on_prob, 0, 1);
  d("stuck_off_prob", v.stuck_off_prob, 0, 1);
  d("alpha_on_per_k", v.alpha_on_per_k, -0.1, 0.1);
  d("alpha_off_per_k", v.alpha_off_per_k, -0.1, 0.1);
  d("alpha_spread_rel", v.alpha_spread_rel, 0, 10);
  d("avt_mv_um", v.avt_mv_um, 0, 100);
  d("sense_abeta_pct_um", v.sense_abeta_pct_um, 0, 100);
  d("corner_offset_rel", v.corner_offset_rel, 0, 0.9);
  d("corner_noise_rel", v.corner_noise_rel, 0, 0.9);
  d("corner_sense_gain_rel", v.corner_sense_gain_rel, 0, 0.9);
  if (r.has(p + "comparator_wl_um2")) {
    (void)r.get_double(p + "comparator_wl_um2", 0, -1e300, 1e300);  // known, but moved:
    r.problem(p + "comparator_wl_um2",
              "moved to the hardware: adc.comparator_wl_um2 (the comparator's size is a design "
              "choice; in a campaign write [hardware.adc] comparator_wl_um2 = ...)");
  }
  d("offset_tempco_per_k", v.offset_tempco_per_k, -0.1, 0.1);
  d("dac_unit_sigma_rel", v.dac_unit_sigma_rel, 0, 1);
  d("vdd_nominal_v", v.vdd_nominal_v, 0.1, 5);
  d("vdd_sigma_rel", v.vdd_sigma_rel, 0, 1);
  d("t0_c", v.t0_c, -273, 300);
  d("read_noise_rel_ion", v.read_noise_rel_ion, 0, 10);
  d("bitline_excess_noise", v.bitline_excess_noise, 0, 1e6);
  d("cell_read_noise_rel", v.cell_read_noise_rel, 0, 1);
  d("comparator_noise_mv", v.comparator_noise_mv, 0, 1000);
  d("comparator_noise_ref_wl_um2", v.comparator_noise_ref_wl_um2, 1e-4, 1e4);
  d("rtn_cell_fraction", v.rtn_cell_fraction, 0, 1);
  d("rtn_amplitude_rel", v.rtn_amplitude_rel, 0, 10);
  d("die_gradient_sigma_rel", v.die_gradient_sigma_rel, 0, 1);
  d("tile_sigma_rel", v.tile_sigma_rel, 0, 1);
  d("drift_nu_on_mean", v.drift_nu_on_mean, 0, 1);
  d("drift_nu_on_sigma", v.drift_nu_on_sigma, 0, 1);
  d("drift_nu_off_mean", v.drift_nu_off_mean, 0, 1);
  d("drift_nu_off_sigma", v.drift_nu_off_sigma, 0, 1);
  d("drift_t0_s", v.drift_t0_s, 1e-9, 1e10);
  v.drift_law = read_choice(r, p + "drift_law", v.drift_law, DRIFT_LAWS);
  d("drift_nu_mean_slope", v.drift_nu_mean_slope, -1, 1);
  d("drift_nu_mean_at_gmax", v.drift_nu_mean_at_gmax, -1, 1);
  d("drift_nu_mean_min", v.drift_nu_mean_min, 0, 1);
  d("drift_nu_mean_max", v.drift_nu_mean_max, 0, 1);
  d("drift_nu_sigma_slope", v.drift_nu_sigma_slope, -1, 1);
  d("drift_nu_sigma_at_gmax", v.drift_nu_sigma_at_gmax, -1, 1);
  d("drift_nu_sigma_min", v.drift_nu_sigma_min, 0, 1);
  d("drift_nu_sigma_max", v.drift_nu_sigma_max, 0, 1);
  d("drift_activation_ev", v.drift_activation_ev, 0, 5);
  d("flicker_q", v.flicker_q, 0, 1);
  d("flicker_exponent", v.flicker_exponent, 0, 2);
  d("flicker_q_max", v.flicker_q_max, 0, 10);
  d("flicker_t_read_s", v.flicker_t_read_s, 1e-12, 1);
  if (v.drift_nu_mean_min > v.drift_nu_mean_max)
    r.problem(p + "drift_nu_mean_min", "exceeds drift_nu_mean_max");
  if (v.drift_nu_sigma_min > v.drift_nu_sigma_max)
    r.problem(p + "drift_nu_sigma_min", "exceeds drift_nu_sigma_max");
  v.device_table = r.get_string(p + "device_table", v.device_table);
  d("retention_tau_s", v.retention_tau_s, 0, 1e30);
  d("retention_activation_ev", v.retention_activation_ev, 0, 10);
  d("read_disturb_per_read", v.read_disturb_per_read, 0, 1);
  d("endurance_cycles", v.endurance_cycles, 0, 1e18);
  d("endurance_weibull_shape", v.endurance_weibull_shape, 0.1, 20);
  v.ratiometric = r.get_int(p + "ratiometric", v.ratiometric ? 1 : 0, 0, 1) == 1;
  if (v.stuck_on_prob + v.stuck_off_prob > 1)
    r.problem(p + "stuck_on_prob", "plus stuck_off_prob exceeds 1");
  return v;
}

double VariationConfig::drift_log_time(double time_s) const {
  return std::log1p(time_s / drift_t0_s);
}

double VariationConfig::drift_age_s(double time_s, double temp_c) const {
  return time_s * arrhenius_factor(drift_activation_ev, t0_c, temp_c);
}

void VariationConfig::copy_drift_law(const VariationConfig& from) {
  drift_law = from.drift_law;
  drift_nu_mean_slope = from.drift_nu_mean_slope;
  drift_nu_mean_at_gmax = from.drift_nu_mean_at_gmax;
  drift_nu_mean_min = from.drift_nu_mean_min;
  drift_nu_mean_max = from.drift_nu_mean_max;
  drift_nu_sigma_slope = from.drift_nu_sigma_slope;
  drift_nu_sigma_at_gmax = from.drift_nu_sigma_at_gmax;
  drift_nu_sigma_min = from.drift_nu_sigma_min;
  drift_nu_sigma_max = from.drift_nu_sigma_max;
  drift_nu_on_mean = from.drift_nu_on_mean;
  drift_nu_on_sigma = from.drift_nu_on_sigma;
  drift_nu_off_mean = from.drift_nu_off_mean;
  drift_nu_off_sigma = from.drift_nu_off_sigma;
}

double VariationConfig::retention_age_s(double time_s, double temp_c) const {
  return time_s * arrhenius_factor(retention_activation_ev, t0_c, temp_c);
}

bool VariationConfig::drifts(double time_s) const {
  if (time_s <= 0) return false;
  if (drift_law == DriftLaw::LOG) return drift_nu_mean_max > 0 || drift_nu_sigma_max > 0;
  return drift_nu_on_mean > 0 || drift_nu_on_sigma > 0 || drift_nu_off_mean > 0 ||
         drift_nu_off_sigma > 0;
}

Corner parse_corner(const std::string& name, double temp_c) {
  Corner c;
  c.name = name;
  c.temp_c = temp_c;
  const std::string process = name.substr(0, 2);
  const std::string volt = name.size() > 2 ? name.substr(2) : "";
  if (process == "SS")
    c.process_shift_sigmas = -3;
  else if (process == "FF")
    c.process_shift_sigmas = 3;
  else if (process != "TT")
    throw ConfigError("unknown corner '" + name + "' (expected TT|SS|FF, optionally _LV|_HV)");
  if (volt == "_LV")
    c.vdd_scale = 0.9;
  else if (volt == "_HV")
    c.vdd_scale = 1.1;
  else if (!volt.empty())
    throw ConfigError("unknown corner '" + name + "' (expected TT|SS|FF, optionally _LV|_HV)");
  return c;
}

DieVariates sample_die_variates(const Corner& corner, TempMode temp_mode, double temp_min_c,
                                double temp_max_c, std::uint64_t seed, std::uint64_t trial,
                                double& temp_c) {
  KeyedStream globals(seed, RngDomain::OPERATING_POINT, trial, 0);
  boost::random::normal_distribution<double> n01(0.0, 1.0);
  DieVariates d;
  d.n_vdd = n01(globals);
  temp_c = temp_mode == TempMode::UNIFORM
               ? boost::random::uniform_real_distribution<double>(temp_min_c, temp_max_c)(globals)
               : corner.temp_c;
  KeyedStream process(seed, RngDomain::PROCESS_GLOBAL, trial, 0);
  d.n_g_on = n01(process);
  d.n_g_off = n01(process);
  d.n_adc_gain = n01(process);
  d.n_adc_offset = n01(process);
  return d;
}

OperatingPoint sample_operating_point(const VariationConfig& v, const Corner& corner,
                                      TempMode temp_mode, double temp_min_c, double temp_max_c,
                                      std::uint64_t seed, std::uint64_t trial) {
  double temp_c = 0;
  const DieVariates d =
      sample_die_variates(corner, temp_mode, temp_min_c, temp_max_c, seed, trial, temp_c);
  return operating_point(v, corner, temp_c, d);
}

OperatingPoint operating_point(const VariationConfig& v, const Corner& corner, double temp_c,
                               const DieVariates& d) {
  OperatingPoint op;
  op.vdd_v = v.vdd_nominal_v * corner.vdd_scale * (1.0 + v.vdd_sigma_rel * d.n_vdd);
  op.temp_c = temp_c;
  const double shift = corner.process_shift_sigmas * v.process_g_sigma_rel;
  op.g_on_shift = shift + v.process_g_sigma_rel * d.n_g_on;
  op.g_off_shift = shift + v.process_g_sigma_rel * d.n_g_off;
  op.adc_gain_shift = v.process_adc_gain_sigma_rel * d.n_adc_gain;
  op.adc_offset_lsb = v.process_adc_offset_sigma_lsb * d.n_adc_offset;
  op.cmos_corner = corner.process_shift_sigmas / 3.0;
  op.time_s = corner.time_s;
  return op;
}

}  // namespace rapmc
