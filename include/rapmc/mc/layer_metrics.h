// The per-layer metrics of a trial, one table like mc/trial_metrics.h: name (the results file's
// column /trials/layers/<layer>/<name>), unit and how a trial computes it from the layer's
// counters. Writers, readers, merge and report find a metric here by its id or name.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "rapmc/pim/counters.h"

namespace rapmc {

enum class LayerMetric : std::size_t {
  MVM_SQNR_DB,
  SIGNAL_POWER,
  ERROR_POWER,
  CODE_ERROR_RATE,
  SATURATION_RATE,
  MARGIN_MIN_LSB,
  MARGIN_P01_LSB,
  MARGIN_P50_LSB,
};
inline constexpr std::size_t LAYER_METRIC_COUNT = 8;

struct LayerMetricInfo {
  LayerMetric id;
  std::string_view name;
  std::string_view unit;
  std::string_view computed;
};

/// The table, in LayerMetric order.
const std::array<LayerMetricInfo, LAYER_METRIC_COUNT>& layer_metrics();
constexpr std::size_t index_of(LayerMetric m) {
  return static_cast<std::size_t>(m);
}

/// One layer's values in one trial, indexed by LayerMetric.
using LayerMetricValues = std::array<double, LAYER_METRIC_COUNT>;
/// The values of a layer's counters (NaN where the layer converted nothing).
LayerMetricValues layer_metric_values(const pim::LayerCounters& c);
/// All NaN (a layer without counters, a failed trial).
LayerMetricValues no_layer_metric_values();

}  // namespace rapmc
