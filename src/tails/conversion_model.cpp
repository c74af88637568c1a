#include "rapmc/tails/conversion_model.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

#include "rapmc/core/errors.h"
#include "rapmc/pim/adc.h"
#include "rapmc/pim/temporal_noise.h"
#include "rapmc/variation/pvt_sampler.h"

namespace rapmc::tails {

// The variables of z in the order a conversion uses them; in the dry run (names given) each
// returns 0 and records its name ("<kind>/<i>").
class ConversionModel::Cursor {
 public:
  Cursor(std::span<const double> z, std::vector<std::string>* names) : z_(z), names_(names) {}
  double next(const char* kind) {
    if (names_) {
      names_->push_back(std::string(kind) + "/" + std::to_string(counts_[kind]++));
      return 0.0;
    }
    if (at_ >= z_.size())  // the model's variables are fixed by its setup, never by z's values
      throw std::logic_error("ConversionModel: a conversion used more variables than its " +
                             std::to_string(z_.size()));
    return z_[at_++];
  }
  std::size_t used() const { return at_; }
  // A source of variates of one kind (PvtSampler::Normals).
  PvtSampler::Normals source(const char* kind) {
    return [this, kind] { return next(kind); };
  }

 private:
  std::span<const double> z_;
  std::vector<std::string>* names_;
  std::size_t at_ = 0;
  std::unordered_map<std::string, int> counts_;
};

// The conversion up to the comparators, noise-free: the frozen state every read of it shares.
struct ConversionModel::Analog {
  float u = 0;             // analog value before noise, LSB
  double var_bitline = 0;  // the bitline noise's variance, LSB²
  float sigma_c = 0;       // each comparator decision's noise σ, LSB
  std::vector<float> p;    // the ADC instance
  int ideal = 0;
};

ConversionModel::ConversionModel(ConversionSetup setup) : setup_(std::move(setup)) {
  const HardwareConfig& hw = setup_.hw;
  const VariationConfig& v = setup_.variation;
  const bool sparse = hw.schedule == MvmSchedule::SPARSE;
  const int max_rows = sparse ? hw.sparse_k : hw.tile_rows;
  if (setup_.rows == 0) setup_.rows = sparse ? hw.sparse_k : hw.tile_rows / 2;
  const int levels = (1 << hw.cell_bits) - 1;
  std::string problems;
  auto problem = [&](const std::string& p) { problems += "\n  " + p; };
  if (setup_.rows < 1 || setup_.rows > max_rows)
    problem("rows = " + std::to_string(setup_.rows) + ": a read of " + hw.source + " drives 1.." +
            std::to_string(max_rows) + " rows");
  if (setup_.count < 0 || setup_.count > setup_.rows * levels)
    problem("count = " + std::to_string(setup_.count) + ": a read of " +
            std::to_string(setup_.rows) + " rows counts 0.." +
            std::to_string(setup_.rows * levels));
  if (v.stuck_on_prob > 0 || v.stuck_off_prob > 0)
    problem(
        "variation.stuck_on_prob / stuck_off_prob: stuck-at cells are not in the tail model "
        "(a plain campaign covers them)");
  if (v.rtn_cell_fraction > 0 && v.rtn_amplitude_rel > 0)
    problem("variation.rtn_cell_fraction: telegraph noise is not in the tail model");
  if (v.die_gradient_sigma_rel > 0)
    problem(
        "variation.die_gradient_sigma_rel: the die gradient depends on the tile's place, "
        "which one conversion does not have");
  if (hw.ir_drop()) problem(hw.source + ": wires.*: IR drop is not in the tail model");
  if (v.table)
    problem(
        "variation.device_table: a measured table is not in the tail model (its lognormal "
        "programming error is)");
  if (v.flicker_q > 0)
    problem("variation.flicker_q: 1/f read noise per level is not in the tail model");
  if (!problems.empty()) throw ConfigError("high-sigma conversion model:" + problems);
  // Which parts vary is a property of the setup, not of a point: the sampler's flags depend on
  // the die-level shifts it was given, so they are taken at shifts of one σ each (a source with
  // σ > 0 then shows).
  DieVariates one{1.0, 1.0, 1.0, 1.0, 1.0};
  const PvtSampler probe(v, operating_point(v, setup_.corner, setup_.corner.temp_c, one), hw, 0, 0);
  cells_ = probe.varies_cells();
  adcs_ = probe.varies_adcs();
  sense_ = probe.varies_sense();
  tiles_ = probe.varies_tiles();
  evaluate_at({}, &names_, nullptr);
  dimension_ = static_cast<int>(names_.size());
  // The temporal variables come last (evaluate_at draws them after the analog value).
  frozen_dimension_ = static_cast<int>(
      std::find_if(names_.begin(), names_.end(),
                   [](const std::string& n) { return n.rfind("noise/", 0) == 0; }) -
      names_.begin());
  // The read's cells follow the column's variables (analog_at draws the driven and reference
  // cells after the die, tile, ADC and sense stage).
  instance_dimension_ = static_cast<int>(
      std::find_if(names_.begin(), names_.begin() + frozen_dimension_,
                   [](const std::string& n) {
                     return n.rfind("cell/", 0) == 0 || n.rfind("reference/", 0) == 0;
                   }) -
      names_.begin());
}

ConversionOutcome ConversionModel::evaluate(std::span<const double> z) const {
  if (static_cast<int>(z.size()) != dimension_)
    throw ModelError("ConversionModel::evaluate: " + std::to_string(z.size()) +
                     " variables, the model has " + std::to_string(dimension_));
  std::size_t used = 0;
  const ConversionOutcome out = evaluate_at(z, nullptr, &used);
  if (used != z.size())
    throw std::logic_error("ConversionModel: a conversion used " + std::to_string(used) +
                           " of its " + std::to_string(z.size()) + " variables");
  return out;
}

ConversionModel::Analog ConversionModel::analog_at(Cursor& cur) const {
  const ConversionSetup& st = setup_;
  const HardwareConfig& hw = st.hw;
  // The die: the operating point (sample_operating_point's rule) and the chip's sampler on it.
  DieVariates d;
  d.n_vdd = cur.next("die/vdd");
  double temp_c = st.corner.temp_c;
  if (st.temp_mode == TempMode::UNIFORM) {  // a uniform temperature through Φ of its variable
    const double u = 0.5 * std::erfc(-cur.next("die/temperature") / std::sqrt(2.0));
    temp_c = st.temp_min_c + u * (st.temp_max_c - st.temp_min_c);
  }
  d.n_g_on = cur.next("die/g_on");
  d.n_g_off = cur.next("die/g_off");
  d.n_adc_gain = cur.next("die/adc_gain");
  d.n_adc_offset = cur.next("die/adc_offset");
  const OperatingPoint op = operating_point(st.variation, st.corner, temp_c, d);
  const PvtSampler s(st.variation, op, hw, 0, 0);
  const auto tile = static_cast<float>(tiles_ ? s.tile_factor(0, 0, cur.next("tile/shift")) : 1.0);
  // The bitline's ADC instance and sense stage (map_weights' rules).
  std::vector<float> p(static_cast<std::size_t>(pim::adc_param_count(hw.adc, hw.enob)));
  pim::nominal_adc_params(hw.adc, hw.enob, hw.threshold_shift_lsb(), p);
  if (adcs_ && !p.empty())
    s.adc_params(cur.source("adc/comparator"), cur.source("adc/trim"), cur.source("adc/replica"),
                 cur.source("adc/drift"), p);
  float gain = 1.0f, offset = 0.0f;
  if (sense_) {
    const double n_gain = cur.next("sense/gain");
    const double n_offset = cur.next("sense/offset");
    const double n_dac = hw.offset_trim == OffsetTrim::TRIM ? cur.next("sense/trim") : 0.0;
    s.sense_stage(n_gain, n_offset, n_dac, gain, offset);
  }
  // The driven cells: the count as full-level cells, one partial, the rest off; then the
  // reference column's off cells (map_weights: floats, scaled by the tile's factor).
  const int levels = (1 << hw.cell_bits) - 1;
  const bool varied = cells_;
  const PvtSampler::Normals cell_drift = cur.source("cell/drift");
  auto cell = [&](double level, const char* prog, const char* alpha) {
    float g = static_cast<float>(s.g_off_norm() + level);
    if (varied) {
      const double n_prog = cur.next(prog);
      const double n_alpha = cur.next(alpha);
      g = static_cast<float>(s.cell_value(level, n_prog, n_alpha, cell_drift));
    }
    return tiles_ ? g * tile : g;
  };
  float sum = 0.0f, sum2 = 0.0f, ref = 0.0f, ref2 = 0.0f;
  for (int r = 0, left = st.count; r < st.rows; ++r) {
    const int level = std::min(left, levels);
    left -= level;
    const float g = cell(level, "cell/prog", "cell/alpha");
    sum += g;
    sum2 += g * g;
  }
  const bool ref_column = hw.off_current == OffCurrent::REFERENCE_COLUMN;
  if (ref_column) {
    for (int r = 0; r < st.rows; ++r) {
      const float g = cell(0, "reference/prog", "reference/alpha");
      ref += g;
      ref2 += g * g;
    }
  }
  // The analog value (PimMvm::analog_values), then the read's noise and the conversion.
  const float inv_lsb = 1.0f / static_cast<float>(hw.lsb_counts);
  float u = sum * inv_lsb;
  if (ref_column)
    u = (sum - ref) * inv_lsb;
  else if (hw.off_current == OffCurrent::DIGITAL_OFFSET)
    u = (sum - static_cast<float>(st.rows * s.g_off_norm())) * inv_lsb;
  if (sense_) u = u * gain + offset;
  Analog a;
  a.u = u;
  const pim::ReadNoise rn = s.read_noise();
  if (rn.bitline()) {
    const double l2 = static_cast<double>(hw.lsb_counts) * hw.lsb_counts;
    a.var_bitline = rn.floor_lsb * rn.floor_lsb + rn.per_g_counts2 * (sum + ref) / l2 +
                    rn.cell_rel * rn.cell_rel * (sum2 + ref2) / l2;
  }
  a.sigma_c = hw.adc == AdcType::IDEAL ? 0.0f : static_cast<float>(rn.comparator_lsb);
  a.p = std::move(p);
  const int top = (1 << hw.enob) - 1;
  a.ideal = std::min((2 * st.count + hw.lsb_counts) / (2 * hw.lsb_counts), top);
  return a;
}

ConversionOutcome ConversionModel::evaluate_at(std::span<const double> z,
                                               std::vector<std::string>* names,
                                               std::size_t* used) const {
  const HardwareConfig& hw = setup_.hw;
  Cursor cur(z, names);
  const Analog a = analog_at(cur);
  float u = a.u;
  if (a.var_bitline > 0)
    u += static_cast<float>(std::sqrt(a.var_bitline) * cur.next("noise/bitline"));
  ConversionOutcome out;
  out.ideal = a.ideal;
  if (hw.adc == AdcType::IDEAL) {
    double margin = 0;
    out.code = pim::ideal_convert(hw.enob, static_cast<double>(u) + hw.threshold_shift_lsb(),
                                  out.ideal, margin, &out.decision);
    out.margin_lsb = static_cast<float>(margin);
    if (used) *used = cur.used();
    return out;
  }
  const float sigma_c = a.sigma_c;
  std::vector<double> decisions;
  if (sigma_c > 0.0f)
    for (int k = 0; k < pim::adc_decisions(hw.adc, hw.enob); ++k)
      decisions.push_back(cur.next("noise/comparator"));
  out.code = pim::adc_convert(
      hw.adc, hw.enob, a.p, u, out.ideal, out.margin_lsb,
      sigma_c > 0.0f ? pim::DecisionNoise(sigma_c, decisions.data()) : pim::DecisionNoise(),
      nullptr, &out.decision);
  if (used) *used = cur.used();
  return out;
}

double ConversionModel::noise_error_rate(std::span<const double> frozen, int* decision) const {
  if (static_cast<int>(frozen.size()) != frozen_dimension_)
    throw ModelError("ConversionModel::noise_error_rate: " + std::to_string(frozen.size()) +
                     " variables, the frozen state has " + std::to_string(frozen_dimension_));
  Cursor cur(frozen, nullptr);
  const Analog a = analog_at(cur);
  if (cur.used() != frozen.size())
    throw std::logic_error("ConversionModel: a frozen state used " + std::to_string(cur.used()) +
                           " of its " + std::to_string(frozen.size()) + " variables");
  const HardwareConfig& hw = setup_.hw;
  const bool ideal_adc = hw.adc == AdcType::IDEAL;
  std::vector<float> margins(
      ideal_adc ? 2 : static_cast<std::size_t>(pim::adc_decisions(hw.adc, hw.enob)));
  const float u = ideal_adc ? a.u + static_cast<float>(hw.threshold_shift_lsb()) : a.u;
  pim::adc_decision_margins(hw.adc, hw.enob, a.p, u, a.ideal, margins);
  // Decision d goes wrong when the bitline's noise and its comparator's, together N(0, σ²), push
  // the input across its margin: Q(m_d/σ). The code is wrong if any does (a union: the sum is
  // an upper bound, exact when one decision dominates, as it does for rare errors).
  const double sigma = std::sqrt(a.var_bitline + static_cast<double>(a.sigma_c) * a.sigma_c);
  double rate = 0, worst = -1;
  for (std::size_t d = 0; d < margins.size(); ++d) {
    const double m = margins[d];
    const double pd =
        sigma > 0 ? 0.5 * std::erfc(m / (sigma * std::sqrt(2.0))) : (m <= 0 ? 1.0 : 0.0);
    rate += pd;
    if (pd > worst) {
      worst = pd;
      if (decision) *decision = static_cast<int>(d);
    }
  }
  return std::min(rate, 1.0);
}

double ConversionModel::instance_error_rate(std::span<const double> instance, int reads,
                                            std::uint64_t seed, int* decision) const {
  if (static_cast<int>(instance.size()) != instance_dimension_)
    throw ModelError("ConversionModel::instance_error_rate: " + std::to_string(instance.size()) +
                     " variables, the ADC instance has " + std::to_string(instance_dimension_));
  if (reads < 1) throw ConfigError("high-sigma: a failing column averages over reads ≥ 1");
  const int per_read = frozen_dimension_ - instance_dimension_;
  std::vector<double> state(instance.begin(), instance.end());
  state.resize(static_cast<std::size_t>(frozen_dimension_));
  std::vector<double> sum_by_decision;
  double sum = 0;
  for (int j = 0; j < (per_read > 0 ? reads : 1); ++j) {
    if (per_read > 0) {
      const std::vector<double> r =
          sample_point(seed, TailStage::READS, 0, static_cast<std::uint64_t>(j), per_read);
      std::copy(r.begin(), r.end(), state.begin() + instance_dimension_);
    }
    int d = 0;
    const double rate = noise_error_rate(state, &d);
    sum += rate;
    if (sum_by_decision.size() <= static_cast<std::size_t>(d))
      sum_by_decision.resize(static_cast<std::size_t>(d) + 1, 0.0);
    sum_by_decision[static_cast<std::size_t>(d)] += rate;
  }
  if (decision)
    *decision = static_cast<int>(std::max_element(sum_by_decision.begin(), sum_by_decision.end()) -
                                 sum_by_decision.begin());
  return sum / (per_read > 0 ? reads : 1);
}

LimitState conversion_failure(const ConversionModel& m, int min_codes) {
  return [&m, min_codes](std::span<const double> z) {
    const ConversionOutcome o = m.evaluate(z);
    return LimitOutcome{o.error_codes() >= min_codes, o.decision, o.margin_lsb};
  };
}

LimitState failing_state(const ConversionModel& m, double limit) {
  return [&m, limit](std::span<const double> z) {
    int decision = 0;
    const double rate = m.noise_error_rate(z, &decision);
    return LimitOutcome{rate > limit, decision, std::log(limit) - std::log(std::max(rate, 1e-300))};
  };
}

LimitState failing_column(const ConversionModel& m, double limit, int reads, std::uint64_t seed) {
  return [&m, limit, reads, seed](std::span<const double> z) {
    int decision = 0;
    const double rate = m.instance_error_rate(z, reads, seed, &decision);
    return LimitOutcome{rate > limit, decision, std::log(limit) - std::log(std::max(rate, 1e-300))};
  };
}

}  // namespace rapmc::tails
