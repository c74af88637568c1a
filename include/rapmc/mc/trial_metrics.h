// The per-trial metrics, one table: name (the results file's column), unit, how a trial
// computes it and how a campaign point summarises it. Every writer, reader, trigger and
// report finds a metric here by its id or name, never by position.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace rapmc {

/// Ids of the per-trial metrics, in the table's (and the results file's) order.
enum class TrialMetric : std::size_t {
  ACCURACY,
  FLIP_RATE,
  LOGIT_SQNR_DB,
  LOGIT_SIGNAL_POWER,
  LOGIT_ERROR_POWER,
  CODE_ERROR_RATE,
  DCODE_GE2_RATE,
  SATURATION_RATE,
  MARGIN_MIN_LSB,
  MARGIN_P01_LSB,
  MARGIN_P50_LSB,
  READS,
  CONVERSIONS,
  ENERGY_J,
  ENERGY_ADC_J,
  AREA_MM2,
  AREA_ADC_MM2,
  VDD_V,
  TEMP_C,
  G_ON_SHIFT,
  G_OFF_SHIFT,
  ADC_GAIN_SHIFT,
  ADC_OFFSET_LSB,
  WEIGHT,
  SIGMA_SCALE,
};
inline constexpr std::size_t TRIAL_METRIC_COUNT = 25;

/// How a campaign point summarises a metric over its trials.
enum class MetricSummary {
  DISTRIBUTION,  // mean, std, t-CI, min/max, quantiles over the finite values of successful trials
  // The same, and the yield P(value >= the campaign's yield threshold) with its Wilson CI, over
  // all trials: a failed trial counts as a failing chip.
  DISTRIBUTION_AND_YIELD,
  // An SQNR: pooled over the successful trials, 10·log10(Σ signal power / Σ error power) with a
  // jackknife CI, and the count of error-free trials (whose own SQNR is +inf).
  POOLED_SQNR,
};

struct TrialMetricInfo {
  TrialMetric id;
  std::string_view name;      // column /trials/<name>
  std::string_view unit;      // "" for dimensionless fractions and counts
  std::string_view computed;  // how a trial computes it
  MetricSummary summary;
};

/// The table, in TrialMetric order.
const std::array<TrialMetricInfo, TRIAL_METRIC_COUNT>& trial_metrics();
/// The entry of one metric.
const TrialMetricInfo& trial_metric(TrialMetric id);
/// The metric called `name`, if any.
std::optional<TrialMetric> find_trial_metric(std::string_view name);
/// Position of a metric in a per-trial row.
constexpr std::size_t index_of(TrialMetric m) {
  return static_cast<std::size_t>(m);
}

/// One trial's values, indexed by TrialMetric.
using TrialMetricValues = std::array<double, TRIAL_METRIC_COUNT>;

}  // namespace rapmc
