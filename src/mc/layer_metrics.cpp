#include "rapmc/mc/layer_metrics.h"

#include <limits>

namespace rapmc {
namespace {

using enum LayerMetric;

constexpr std::array<LayerMetricInfo, LAYER_METRIC_COUNT> TABLE{{
    {MVM_SQNR_DB, "mvm_sqnr_db", "dB",
     "10·log10(signal_power / error_power) at the layer's accumulators; +inf without error, "
     "NaN for a layer kept digital (not on the chip)"},
    {SIGNAL_POWER, "signal_power", "accumulator LSB²", "Σ exact accumulator² over the trial"},
    {ERROR_POWER, "error_power", "accumulator LSB²",
     "Σ (simulated − exact accumulator)² over the trial"},
    {CODE_ERROR_RATE, "code_error_rate", "",
     "conversions whose code differs from the ideal code / conversions"},
    {SATURATION_RATE, "saturation_rate", "",
     "conversions whose exact count lies beyond the ADC range / conversions"},
    {MARGIN_MIN_LSB, "margin_min_lsb", "LSB", "smallest signed sensing margin"},
    {MARGIN_P01_LSB, "margin_p01_lsb", "LSB",
     "1 % quantile of the signed sensing margin (upper edge of its 1/64-LSB bin)"},
    {MARGIN_P50_LSB, "margin_p50_lsb", "LSB",
     "median signed sensing margin (upper edge of its 1/64-LSB bin)"},
}};

constexpr bool in_order() {
  for (std::size_t i = 0; i < TABLE.size(); ++i)
    if (index_of(TABLE[i].id) != i) return false;
  return true;
}
static_assert(in_order(), "the layer metric table must list the metrics in LayerMetric order");

}  // namespace

const std::array<LayerMetricInfo, LAYER_METRIC_COUNT>& layer_metrics() {
  return TABLE;
}

LayerMetricValues no_layer_metric_values() {
  LayerMetricValues v;
  v.fill(std::numeric_limits<double>::quiet_NaN());
  return v;
}

LayerMetricValues layer_metric_values(const pim::LayerCounters& c) {
  LayerMetricValues v = no_layer_metric_values();
  if (c.conversions == 0) return v;  // kept digital: not on the chip (every value NaN)
  v[index_of(MVM_SQNR_DB)] = c.mvm_sqnr_db();
  v[index_of(SIGNAL_POWER)] = c.signal_sq.value();
  v[index_of(ERROR_POWER)] = c.error_sq.value();
  v[index_of(CODE_ERROR_RATE)] = c.code_error_rate();
  v[index_of(SATURATION_RATE)] = c.saturation_rate();
  if (c.conversions) {
    v[index_of(MARGIN_MIN_LSB)] = c.margin_min_lsb;
    v[index_of(MARGIN_P01_LSB)] = c.margin_quantile_lsb(0.01);
    v[index_of(MARGIN_P50_LSB)] = c.margin_quantile_lsb(0.5);
  }
  return v;
}

}  // namespace rapmc
