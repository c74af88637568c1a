#include "rapmc/mc/mission.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "io/toml_tree.h"
#include "rapmc/variation/pcm_aging.h"
#include "rapmc/variation/variation.h"

namespace rapmc {
namespace {

// A TOML array of numbers at `key` (empty if absent); a problem if it is not one.
std::vector<double> numbers(TomlReader& r, const std::string& key) {
  std::vector<double> out;
  const toml::node* node = toml_raw(r, key);
  if (!node) return out;
  const toml::array* a = node->as_array();
  if (!a) {
    r.problem(key, "must be a list of numbers");
    return out;
  }
  for (const toml::node& x : *a) {
    if (const auto v = x.value<double>()) {
      out.push_back(*v);
    } else {
      r.problem(key, "must be a list of numbers");
      return {};
    }
  }
  return out;
}

// The temperature of the mission at time t: that of the first age at or after t.
double temperature_at(const MissionProfile& m, double t) {
  const auto it = std::lower_bound(m.ages_s.begin(), m.ages_s.end(), t);
  return it == m.ages_s.end() ? m.temperature_c.back()
                              : m.temperature_c[static_cast<std::size_t>(it - m.ages_s.begin())];
}

}  // namespace

MissionProfile read_mission(TomlReader& r, double default_temp_c, double default_target) {
  MissionProfile m;
  if (!r.has("lifetime")) return m;
  m.ages_s = numbers(r, "lifetime.ages_s");
  m.temperature_c = numbers(r, "lifetime.temperature_c");
  m.inference_rate_hz = r.get_double("lifetime.inference_rate_hz", 0.0, 0.0, 1e12);
  m.recalibrate_every_s = r.get_double("lifetime.recalibrate_every_s", 0.0, 0.0, 1e12);
  m.refresh_every_s = r.get_double("lifetime.refresh_every_s", 0.0, 0.0, 1e12);
  m.target_accuracy = r.get_double("lifetime.target_accuracy", default_target, 1e-9, 1.0 - 1e-9);
  if (m.ages_s.empty()) {
    r.problem("lifetime.ages_s", "must be a non-empty list of ages in seconds");
    return m;
  }
  for (std::size_t i = 0; i < m.ages_s.size(); ++i) {
    if (m.ages_s[i] < 0 || m.ages_s[i] > 1e12) {
      std::ostringstream what;  // (not "[" + std::string: GCC 12 warns falsely, -Wrestrict)
      what << "[" << i << "] = " << std::to_string(m.ages_s[i]) << " is outside 0..1e12 s";
      r.problem("lifetime.ages_s", what.str());
    }
    if (i > 0 && m.ages_s[i] <= m.ages_s[i - 1])
      r.problem("lifetime.ages_s", "must be strictly increasing (entry " + std::to_string(i) +
                                       " is not after entry " + std::to_string(i - 1) + ")");
  }
  if (m.temperature_c.empty()) m.temperature_c.assign(m.ages_s.size(), default_temp_c);
  if (m.temperature_c.size() != m.ages_s.size())
    r.problem("lifetime.temperature_c",
              "must give one temperature per age (" + std::to_string(m.ages_s.size()) + ")");
  for (double t : m.temperature_c)
    if (t < -273 || t > 500)
      r.problem("lifetime.temperature_c", "has a value outside -273..500 °C");
  const double last = m.ages_s.back();
  if (m.recalibrate_every_s > last)
    r.problem("lifetime.recalibrate_every_s",
              "is longer than the mission (its last age, " + std::to_string(last) + " s)");
  if (m.refresh_every_s > last)
    r.problem("lifetime.refresh_every_s",
              "is longer than the mission (its last age, " + std::to_string(last) + " s)");
  return m;
}

double mission_drift_age(const MissionProfile& m, const VariationConfig& v, double from_s,
                         double to_s) {
  return mission_equivalent_age(m, v, v.drift_activation_ev, from_s, to_s);
}

double mission_equivalent_age(const MissionProfile& m, const VariationConfig& v,
                              double activation_ev, double from_s, double to_s) {
  double total = 0, start = 0;
  for (std::size_t k = 0; k <= m.ages_s.size() && start < to_s; ++k) {
    const double end = k < m.ages_s.size() ? m.ages_s[k] : to_s;
    const double temp = m.temperature_c[std::min(k, m.temperature_c.size() - 1)];
    const double lo = std::max(start, from_s), hi = std::min(end, to_s);
    if (hi > lo) total += (hi - lo) * arrhenius_factor(activation_ev, v.t0_c, temp);
    start = end;
  }
  return total;
}

std::vector<MissionAge> mission_ages(const MissionProfile& m, const VariationConfig& v) {
  std::vector<MissionAge> out;
  for (std::size_t k = 0; k < m.ages_s.size(); ++k) {
    MissionAge a;
    a.index = k;
    a.age_s = m.ages_s[k];
    a.temp_c = m.temperature_c[k];
    const double programmed =
        m.refresh_every_s > 0 ? std::floor(a.age_s / m.refresh_every_s) * m.refresh_every_s : 0.0;
    const double calibrated =
        m.recalibrate_every_s > 0
            ? std::max(std::floor(a.age_s / m.recalibrate_every_s) * m.recalibrate_every_s,
                       programmed)
            : programmed;
    a.since_programming_s = a.age_s - programmed;
    a.drift_age_s = mission_drift_age(m, v, programmed, a.age_s);
    a.retention_age_s =
        mission_equivalent_age(m, v, v.retention_activation_ev, programmed, a.age_s);
    a.recalibrated = calibrated > 0;
    a.cal_since_programming_s = calibrated - programmed;
    a.cal_drift_age_s = mission_drift_age(m, v, programmed, calibrated);
    a.cal_temp_c = temperature_at(m, calibrated);
    a.inferences = m.inference_rate_hz * a.age_s;
    a.inferences_since_programming = m.inference_rate_hz * a.since_programming_s;
    out.push_back(a);
  }
  return out;
}

void apply_age(OperatingPoint& op, const MissionAge& a) {
  op.drift_age_s = a.drift_age_s;
  op.retention_age_s = a.retention_age_s;
  op.cal_time_s = a.cal_since_programming_s;
  op.cal_drift_age_s = a.cal_drift_age_s;
  if (a.recalibrated) op.cal_temp_c = a.cal_temp_c;
  op.inferences_since_programming = a.inferences_since_programming;
  op.inferences_total = a.inferences;
}

}  // namespace rapmc
