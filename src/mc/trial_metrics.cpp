#include "rapmc/mc/trial_metrics.h"

namespace rapmc {
namespace {

using enum TrialMetric;
constexpr MetricSummary DIST = MetricSummary::DISTRIBUTION;

constexpr std::array<TrialMetricInfo, TRIAL_METRIC_COUNT> TABLE{{
    {ACCURACY, "accuracy", "", "top-1 correct / images on this chip",
     MetricSummary::DISTRIBUTION_AND_YIELD},
    {FLIP_RATE, "flip_rate", "", "images whose top-1 differs from the exact-MVM pipeline / images",
     DIST},
    {LOGIT_SQNR_DB, "logit_sqnr_db", "dB",
     "10·log10(logit_signal_power / logit_error_power); +inf without error",
     MetricSummary::POOLED_SQNR},
    {LOGIT_SIGNAL_POWER, "logit_signal_power", "logit²", "Σ ideal logit² over images and classes",
     DIST},
    {LOGIT_ERROR_POWER, "logit_error_power", "logit²",
     "Σ (logit − ideal logit)² over images and classes", DIST},
    {CODE_ERROR_RATE, "code_error_rate", "",
     "conversions whose code differs from the ideal code / conversions (saturations excluded: "
     "a count beyond the range whose code is the top code is no error)",
     DIST},
    {DCODE_GE2_RATE, "dcode_ge2_rate", "",
     "conversions with |code − ideal code| >= 2 / conversions", DIST},
    {SATURATION_RATE, "saturation_rate", "",
     "conversions whose exact count exceeds the ADC range / conversions", DIST},
    {MARGIN_MIN_LSB, "margin_min_lsb", "LSB",
     "smallest signed sensing margin of any conversion (negative: a decision went wrong)", DIST},
    {MARGIN_P01_LSB, "margin_p01_lsb", "LSB",
     "1 % quantile of the signed sensing margin (upper edge of its 1/64-LSB bin)", DIST},
    {MARGIN_P50_LSB, "margin_p50_lsb", "LSB",
     "median signed sensing margin (upper edge of its 1/64-LSB bin)", DIST},
    {READS, "reads", "per image", "analog tile reads per inference", DIST},
    {CONVERSIONS, "conversions", "per image", "ADC conversions per inference", DIST},
    {ENERGY_J, "energy_j", "J per image",
     "array + ADC + shift-add energy per inference (cost model)", DIST},
    {ENERGY_ADC_J, "energy_adc_j", "J per image", "ADC energy per inference (cost model)", DIST},
    {AREA_MM2, "area_mm2", "mm²", "arrays + ADCs of the chip (cost model)", DIST},
    {AREA_ADC_MM2, "area_adc_mm2", "mm²", "ADCs of the chip (cost model)", DIST},
    {VDD_V, "vdd_v", "V", "supply voltage of the trial's operating point", DIST},
    {TEMP_C, "temp_c", "°C", "temperature of the trial's operating point", DIST},
    {G_ON_SHIFT, "g_on_shift", "relative", "die-level shift of G_on", DIST},
    {G_OFF_SHIFT, "g_off_shift", "relative", "die-level shift of G_off", DIST},
    {ADC_GAIN_SHIFT, "adc_gain_shift", "relative", "die-level ADC gain shift", DIST},
    {ADC_OFFSET_LSB, "adc_offset_lsb", "LSB", "die-level ADC offset", DIST},
    {WEIGHT, "weight", "",
     "likelihood ratio of the trial's die under the variation model to the proposal it was drawn "
     "from (sampling.method = 'importance'; 1 otherwise)",
     DIST},
    {SIGMA_SCALE, "sigma_scale", "",
     "factor on every frozen sigma the trial was drawn with (sampling.method = 'scaled_sigma'; 1 "
     "otherwise)",
     DIST},
}};

constexpr bool in_order() {
  for (std::size_t i = 0; i < TABLE.size(); ++i)
    if (index_of(TABLE[i].id) != i) return false;
  return true;
}
static_assert(in_order(), "the metric table must list the metrics in TrialMetric order");

}  // namespace

const std::array<TrialMetricInfo, TRIAL_METRIC_COUNT>& trial_metrics() {
  return TABLE;
}

const TrialMetricInfo& trial_metric(TrialMetric id) {
  return TABLE[index_of(id)];
}

std::optional<TrialMetric> find_trial_metric(std::string_view name) {
  for (const auto& m : TABLE)
    if (m.name == name) return m.id;
  return std::nullopt;
}

}  // namespace rapmc
