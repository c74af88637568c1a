#include "rapmc/variation/pvt_sampler.h"

#include "rapmc/variation/pcm_aging.h"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <cmath>

namespace rapmc {
namespace {

constexpr double BOLTZMANN_J_PER_K = 1.380649e-23;
constexpr double ELEMENTARY_CHARGE_C = 1.602176634e-19;
constexpr double ZERO_CELSIUS_K = 273.15;

// Thermal and shot noise of a bitline, variance in counts² per count of active conductance:
// σ_I² = (4kT·G + 2q·V·G)·B·F with B = 1/(2·t_read) (an integrate-and-dump over t_read), one
// count's current ΔG·V_read.
double thermal_shot_counts2(const HardwareConfig& hw, double temp_c, double excess) {
  const double dg = (hw.g_on_siemens - hw.g_off_siemens) / ((1 << hw.cell_bits) - 1);
  const double bandwidth = 1.0 / (2.0 * hw.t_read_s);
  const double per_siemens = (4.0 * BOLTZMANN_J_PER_K * (temp_c + ZERO_CELSIUS_K) +
                              2.0 * ELEMENTARY_CHARGE_C * hw.v_read) *
                             bandwidth * excess;  // A² per S
  return per_siemens * dg / (dg * hw.v_read * dg * hw.v_read);
}

double normal_cdf(double n) {
  return 0.5 * std::erfc(-n / std::sqrt(2.0));
}

}  // namespace

PvtSampler::PvtSampler(const VariationConfig& v, const OperatingPoint& op, const HardwareConfig& hw,
                       std::uint64_t seed, std::uint64_t trial, const pim::WearProfile* wear)
    : v_(v), op_(op), hw_(hw), seed_(seed), trial_(trial), wear_(wear) {
  levels_ = (1 << hw.cell_bits) - 1;
  dg_siemens_ = (hw.g_on_siemens - hw.g_off_siemens) / levels_;
  g_off_norm_ = hw.g_off_siemens / dg_siemens_;
  const double vdd_ratio = op.vdd_v / v.vdd_nominal_v;
  supply_factor_ = v.ratiometric ? 1.0 : vdd_ratio;
  cal_supply_factor_ = v.ratiometric ? 1.0 : hw.cal_vdd_scale;
  v_lsb_ = hw.v_lsb() * (v.ratiometric ? vdd_ratio : 1.0);
  // The corner's CMOS: SS (x = −1) widens offsets and noise and lowers the sense gain.
  const double x = op.cmos_corner;
  const double os_scale = 1.0 - x * v.corner_offset_rel;
  cmp_sigma_v_ = v.offset_sigma_v(hw.comparator_wl_um2, op.temp_c) * os_scale;
  cmp_sigma_cal_v_ = v.offset_sigma_v(hw.comparator_wl_um2, hw.cal_temp_c) * os_scale;
  sense_sigma_v_ = v.offset_sigma_v(hw.sense_wl_um2, op.temp_c) * os_scale;
  sense_sigma_cal_v_ = v.offset_sigma_v(hw.sense_wl_um2, hw.cal_temp_c) * os_scale;
  sense_gain_sigma_ = v.sense_abeta_pct_um * 1e-2 / std::sqrt(hw.sense_wl_um2);
  noise_.floor_lsb = v.read_noise_rel_ion * (g_off_norm_ + levels_) / hw.lsb_counts;
  noise_.per_g_counts2 = thermal_shot_counts2(hw, op.temp_c, v.bitline_excess_noise);
  noise_.cell_rel = v.cell_read_noise_rel;
  if (v.flicker_q > 0) {  // 1/f noise: each level's own σ, the time-independent part with it
    for (int level = 0; level <= static_cast<int>(levels_); ++level) {
      const double f =
          flicker_sigma_rel(v, (g_off_norm_ + level) / (g_off_norm_ + levels_), op.time_s);
      noise_.cell_rel_by_level.push_back(
          std::sqrt(v.cell_read_noise_rel * v.cell_read_noise_rel + f * f));
    }
  }
  noise_.comparator_lsb = v.comparator_noise_mv * 1e-3 *
                          std::sqrt((op.temp_c + ZERO_CELSIUS_K) / (v.t0_c + ZERO_CELSIUS_K)) *
                          std::sqrt(v.comparator_noise_ref_wl_um2 / hw.comparator_wl_um2) *
                          (1.0 - x * v.corner_noise_rel) / v_lsb_;
  const double dt = op.temp_c - v.t0_c;
  if (varies_tiles()) {
    KeyedStream spatial(seed, RngDomain::SPATIAL, trial, 0);
    boost::random::normal_distribution<double> n01(0.0, 1.0);
    gradient_x_ = v.die_gradient_sigma_rel * n01(spatial);
    gradient_y_ = v.die_gradient_sigma_rel * n01(spatial);
  }
  drift_ = v.drifts(op.time_s);
  drift_log_t_ = v.drift_log_time(op.drift_age(v));
  cal_log_t_ = drift_ ? v.drift_log_time(op.cal_drift_age_s) : 0.0;
  gain_cal_temp_c_ = std::isnan(op.cal_temp_c) ? hw.cal_temp_c : op.cal_temp_c;
  const bool worn =
      (wear && ((v.read_disturb_per_read > 0 && op.inferences_since_programming > 0) ||
                (v.endurance_cycles > 0 && op.inferences_total > 0))) ||
      (v.retention_tau_s > 0 && op.time_s > 0);
  varies_cells_ = drift_ || v.table || worn || v.cell_sigma_on > 0 || v.cell_sigma_off > 0 ||
                  v.stuck_on_prob > 0 || v.stuck_off_prob > 0 ||
                  ((v.alpha_on_per_k != 0 || v.alpha_off_per_k != 0) && dt != 0) ||
                  op.g_on_shift != 0 || op.g_off_shift != 0 || supply_factor_ != 1.0;
  varies_sense_ = sense_sigma_v_ != 0 || sense_gain_sigma_ > 0;
  varies_adcs_ = hw.adc != AdcType::IDEAL &&
                 (cmp_sigma_v_ != 0 || op.adc_gain_shift != 0 || op.adc_offset_lsb != 0 ||
                  (hw.adc == AdcType::SAR && v.dac_unit_sigma_rel > 0) ||
                  hw.reference != ReferenceCal::NONE || (x != 0 && v.corner_sense_gain_rel > 0) ||
                  (drift_ && hw.drift_compensation == DriftCompensation::GLOBAL));
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

double PvtSampler::wear_stuck_probability(const std::string& layer) const {
  if (!wear_ || v_.endurance_cycles <= 0 || op_.inferences_total <= 0) return 0.0;
  const auto it = wear_->cell_writes.find(pim::attention_slot_of(layer));
  if (it == wear_->cell_writes.end()) return 0.0;
  const double cycles = op_.inferences_total * it->second;
  return -std::expm1(-std::pow(cycles / v_.endurance_cycles, v_.endurance_weibull_shape));
}

void PvtSampler::cells(const std::string& layer, int row_tile, int rows, int cols,
                       std::span<float> g) const {
  KeyedStream stream(seed_, RngDomain::CELL, trial_, cell_instance(layer, row_tile));
  boost::random::normal_distribution<double> n01(0.0, 1.0);
  boost::random::uniform_01<double> u01;
  KeyedStream drift(seed_, RngDomain::DRIFT, trial_, cell_instance(layer, row_tile));
  const Normals drift_normals = [&] { return n01(drift); };
  // Endurance: a rewritten array's cells fail stuck, half on and half off (assumed).
  const double worn = wear_stuck_probability(layer);
  // Retention loss: an amorphous cell of a weight array crystallised to the on state (the
  // attention arrays are rewritten for every image).
  const double lost = v_.retention_tau_s > 0 && pim::attention_slot_of(layer).empty()
                          ? -std::expm1(-op_.retention_age(v_) / v_.retention_tau_s)
                          : 0.0;
  for (float& cell : g) {
    const double n_prog = n01(stream);
    const double n_alpha = n01(stream);
    const double u_stuck = u01(stream);
    double level = std::round(static_cast<double>(cell) - g_off_norm_);
    if (u_stuck < v_.stuck_on_prob + 0.5 * worn)
      level = levels_;
    else if (u_stuck < v_.stuck_on_prob + v_.stuck_off_prob + worn)
      level = 0;
    else if (u_stuck < v_.stuck_on_prob + v_.stuck_off_prob + worn + lost)
      level = levels_;  // crystallised (an on cell stays on)
    cell = static_cast<float>(cell_value(level, n_prog, n_alpha, drift_normals));
  }
  // Read disturb: each read of a row since programming moved its cells toward the on state.
  if (!wear_ || v_.read_disturb_per_read <= 0 || op_.inferences_since_programming <= 0) return;
  const auto it = wear_->row_reads.find(layer);
  if (it == wear_->row_reads.end()) return;
  const double on = g_off_norm_ + levels_;
  for (int r = 0; r < rows; ++r) {
    const auto row = static_cast<std::size_t>(row_tile) * static_cast<std::size_t>(rows) +
                     static_cast<std::size_t>(r);
    if (row >= it->second.size()) break;  // rows beyond the layer's inputs are never read
    const double reads = op_.inferences_since_programming * it->second[row];
    const double keep = std::exp(-v_.read_disturb_per_read * reads);
    for (int c = 0; c < cols; ++c) {
      float& cell = g[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) +
                      static_cast<std::size_t>(c)];
      cell = static_cast<float>(on - (on - cell) * keep);
    }
  }
}

double PvtSampler::cell_value(double level, double n_prog, double n_alpha,
                              const Normals& drift) const {
  const double f = level / levels_;  // 0 = off state, 1 = on state
  const double g_nom = g_off_norm_ + level;
  // The programmed conductance: a measured table inverted at Φ(n_prog), or lognormal.
  const double programmed =
      v_.table ? v_.table->quantile(static_cast<int>(level), normal_cdf(n_prog)) / dg_siemens_
               : g_nom * std::exp(cell_sigma(f) * n_prog - 0.5 * cell_sigma(f) * cell_sigma(f));
  const double alpha = (v_.alpha_off_per_k + f * (v_.alpha_on_per_k - v_.alpha_off_per_k)) *
                       (1.0 + v_.alpha_spread_rel * n_alpha);
  const double shift = op_.g_off_shift + f * (op_.g_on_shift - op_.g_off_shift);
  const double dt = op_.temp_c - v_.t0_c;
  double value = programmed * (1.0 + alpha * dt) * (1.0 + shift) * supply_factor_;
  if (drift_) {
    const DriftExponent nu = drift_exponent(v_, g_nom / (g_off_norm_ + levels_), f);
    value *= std::exp(-std::abs(nu.mean + nu.sigma * drift()) * drift_log_t_);
  }
  return value;
}

double PvtSampler::tile_gain(const std::string& layer, int row_tile, int col_tile, double x,
                             double y) const {
  KeyedStream stream(
      seed_, RngDomain::SPATIAL, trial_,
      mix64(cell_instance(layer, row_tile) ^ mix64(static_cast<std::uint64_t>(col_tile) + 0x5a7)));
  boost::random::normal_distribution<double> n01(0.0, 1.0);
  return tile_factor(x, y, n01(stream));
}

double PvtSampler::tile_factor(double x, double y, double n_tile) const {
  return (1.0 + gradient_x_ * x + gradient_y_ * y) * (1.0 + v_.tile_sigma_rel * n_tile);
}

void PvtSampler::rtn_cells(const std::string& layer, int row_tile, int rows, int cols,
                           std::span<const float> g, std::vector<pim::RtnCell>& out) const {
  KeyedStream stream(seed_, RngDomain::RTN, trial_, cell_instance(layer, row_tile));
  boost::random::uniform_01<double> u01;
  const double p = v_.rtn_cell_fraction;
  const auto total = static_cast<std::int64_t>(rows) * cols;
  // Gaps between chosen cells are geometric: skip ⌊ln U / ln(1 − p)⌋ cells.
  const double log_q = p < 1.0 ? std::log1p(-p) : 0.0;
  for (std::int64_t at = -1;;) {
    at += 1 + (p < 1.0 ? static_cast<std::int64_t>(std::floor(std::log(1.0 - u01(stream)) / log_q))
                       : 0);
    if (at >= total) break;
    out.push_back({static_cast<int>(at / cols), static_cast<int>(at % cols),
                   static_cast<float>(v_.rtn_amplitude_rel * g[static_cast<std::size_t>(at)])});
  }
}

double PvtSampler::residual_offset_v(const HardwareConfig& hw, double fixed_v, double n,
                                     double sigma_op_v, double sigma_cal_v, double n_dac) {
  const double at_op = fixed_v + n * sigma_op_v;
  if (hw.offset_trim == OffsetTrim::NONE) return at_op;
  const double step = hw.trim_step_mv * 1e-3;
  const double max_code = std::ldexp(1.0, hw.trim_bits - 1) - 1;
  const double code =
      std::clamp(std::round(-(fixed_v + n * sigma_cal_v) / step), -max_code, max_code);
  return at_op + code * step * (1.0 + hw.trim_dac_sigma_rel * n_dac);
}

void PvtSampler::sense(const std::string& layer, int row_tile, std::span<float> gain,
                       std::span<float> offset_lsb) const {
  const std::uint64_t instance = cell_instance(layer, row_tile);
  KeyedStream stream(seed_, RngDomain::SENSE, trial_, instance);
  KeyedStream trim(seed_, RngDomain::TRIM, trial_, mix64(instance ^ 0x5e75e));
  boost::random::normal_distribution<double> n01(0.0, 1.0);
  for (std::size_t col = 0; col < gain.size(); ++col) {
    const double n_gain = n01(stream);
    const double n_offset = n01(stream);
    const double n_dac = hw_.offset_trim == OffsetTrim::TRIM ? n01(trim) : 0.0;
    sense_stage(n_gain, n_offset, n_dac, gain[col], offset_lsb[col]);
  }
}

void PvtSampler::sense_stage(double n_gain, double n_offset, double n_dac, float& gain,
                             float& offset_lsb) const {
  gain = static_cast<float>(1.0 + sense_gain_sigma_ * n_gain);
  offset_lsb = static_cast<float>(
      residual_offset_v(hw_, 0.0, n_offset, sense_sigma_v_, sense_sigma_cal_v_, n_dac) / v_lsb_);
}

double PvtSampler::on_cell_drift(const Normals& drift, int cells) const {
  const DriftExponent nu = drift_exponent(v_, 1.0, 1.0);
  if (cal_log_t_ == 0) {  // calibrated at programming: the reference's drift from then
    double sum = 0;
    for (int i = 0; i < cells; ++i)
      sum += std::exp(-std::abs(nu.mean + nu.sigma * drift()) * drift_log_t_);
    return sum / cells;
  }
  double now = 0, then = 0;
  for (int i = 0; i < cells; ++i) {
    const double exponent = std::abs(nu.mean + nu.sigma * drift());
    now += std::exp(-exponent * drift_log_t_);
    then += std::exp(-exponent * cal_log_t_);
  }
  return now / then;
}

double PvtSampler::replica_ratio(const Normals& cells, double temp_c, double supply,
                                 const Normals* drift, double log_t) const {
  const double sigma = v_.cell_sigma_on, dt = temp_c - v_.t0_c;
  const DriftExponent nu = drift_exponent(v_, 1.0, 1.0);
  double sum = 0;
  for (int i = 0; i < hw_.replica_cells; ++i) {
    const double n_prog = cells();
    const double n_alpha = cells();
    const double alpha = v_.alpha_on_per_k * (1.0 + v_.alpha_spread_rel * n_alpha);
    const double aged =
        drift && drift_ ? std::exp(-std::abs(nu.mean + nu.sigma * (*drift)()) * log_t) : 1.0;
    const double programmed =
        v_.table
            ? v_.table->quantile(static_cast<int>(levels_), normal_cdf(n_prog)) / hw_.g_on_siemens
            : std::exp(sigma * n_prog - 0.5 * sigma * sigma);
    sum += programmed * (1.0 + alpha * dt) * aged;
  }
  return sum / hw_.replica_cells * (1.0 + op_.g_on_shift) * supply;
}

double PvtSampler::reference_scale(const Normals& replica, const Normals& drift,
                                   const pim::WireAttenuation& wires) const {
  const double adc_gain = 1.0 + op_.adc_gain_shift;
  const double sense_gain = 1.0 + op_.cmos_corner * v_.corner_sense_gain_rel;
  // Global drift compensation: the reference follows the drift measured on the ADC's own
  // on-state reference cells (a replica reference drifts with the array by itself), read now
  // and at calibration through the same column's wires.
  const double compensation =
      drift_ && hw_.drift_compensation == DriftCompensation::GLOBAL
          ? on_cell_drift(drift, hw_.drift_ref_cells) * (wires.now / wires.at_cal)
          : 1.0;
  switch (hw_.reference) {
    case ReferenceCal::NONE:
      return adc_gain / sense_gain * compensation;
    case ReferenceCal::REPLICA:  // read through a matched sense stage: its gain cancels
      return adc_gain * replica_ratio(replica, op_.temp_c, supply_factor_, &drift, drift_log_t_) *
             wires.now;
    case ReferenceCal::ONE_POINT: {
      // The chain's gain measured once at calibration on the calibration column, corrected in
      // steps of gain_trim_step_rel; what drifts after that stays.
      // Recalibrated after programming: its replica cells had drifted by then.
      const double measured = replica_ratio(replica, gain_cal_temp_c_, cal_supply_factor_,
                                            cal_log_t_ > 0 ? &drift : nullptr, cal_log_t_) *
                              wires.at_cal;
      const double want = measured * sense_gain / adc_gain;  // correction that reads it right
      const double step = hw_.gain_trim_step_rel;
      const double applied = step > 0 ? 1.0 + std::round((want - 1.0) / step) * step : want;
      return adc_gain / sense_gain * applied * compensation;
    }
  }
  return adc_gain / sense_gain * compensation;
}

void PvtSampler::calibration_cells(const std::string& layer, int row_tile, int rows, int cols,
                                   std::span<float> g) const {
  OperatingPoint cal = op_;
  cal.temp_c = gain_cal_temp_c_;
  cal.vdd_v = v_.vdd_nominal_v * hw_.cal_vdd_scale;
  cal.time_s = op_.cal_time_s;
  cal.drift_age_s = op_.cal_drift_age_s;
  PvtSampler(v_, cal, hw_, seed_, trial_).cells(layer, row_tile, rows, cols, g);
}

void PvtSampler::adc(const std::string& layer, int row_tile, int adc_index, std::span<float> p,
                     const pim::WireAttenuation& wires) const {
  const std::uint64_t instance = adc_instance(layer, row_tile, adc_index);
  KeyedStream stream(seed_, RngDomain::COMPARATOR, trial_, instance);
  KeyedStream trim(seed_, RngDomain::TRIM, trial_, instance);
  KeyedStream replica(seed_, RngDomain::REPLICA, trial_, instance);
  KeyedStream drift(seed_, RngDomain::DRIFT, trial_, mix64(instance ^ 0xd71f7));
  boost::random::normal_distribution<double> n01(0.0, 1.0);
  adc_params([&] { return n01(stream); }, [&] { return n01(trim); }, [&] { return n01(replica); },
             [&] { return n01(drift); }, p, wires);
}

void PvtSampler::adc_params(const Normals& comparator, const Normals& trim, const Normals& replica,
                            const Normals& drift, std::span<float> p,
                            const pim::WireAttenuation& wires) const {
  const double scale = reference_scale(replica, drift, wires);
  const double shift = hw_.threshold_shift_lsb();  // thresholds between reachable counts
  const double fixed_v = op_.adc_offset_lsb * v_lsb_;
  auto offset = [&] {
    const double n = comparator();
    const double n_dac = hw_.offset_trim == OffsetTrim::TRIM ? trim() : 0.0;
    return residual_offset_v(hw_, fixed_v, n, cmp_sigma_v_, cmp_sigma_cal_v_, n_dac) / v_lsb_;
  };
  if (hw_.adc == AdcType::FLASH) {
    for (std::size_t k = 0; k < p.size(); ++k)
      p[k] = static_cast<float>((static_cast<double>(k) + 0.5 - shift) * scale + offset());
  } else if (hw_.adc == AdcType::SAR) {
    p[0] = static_cast<float>(shift + offset());
    for (std::size_t k = 1; k < p.size(); ++k) {
      const double units = std::ldexp(1.0, static_cast<int>(k) - 1);
      p[k] = static_cast<float>(units * scale *
                                (1.0 + v_.dac_unit_sigma_rel / std::sqrt(units) * comparator()));
    }
  }
}

}  // namespace rapmc
