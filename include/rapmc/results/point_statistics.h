// The statistics of one campaign point, computed from its per-trial table: one function for the
// results writer (/statistics, /convergence), `rapmc report` and `rapmc merge`. Failed trials
// are counted and left out of every metric's summary; in the yield they count as failing chips.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "rapmc/mc/campaign.h"
#include "rapmc/mc/statistics.h"
#include "rapmc/results/results_reader.h"

namespace rapmc {

struct YieldStatistics {
  double accuracy_threshold = 0;
  std::uint64_t passing = 0, n = 0;
  Interval wilson;  // of passing / n
};

/// The trigger metric's running mean and CI after every block (trial-order prefixes).
struct ConvergenceHistory {
  std::string metric;
  std::vector<double> trials, mean, ci95_halfwidth;
};

struct PointStatistics {
  std::uint64_t trials = 0, failed = 0;
  /// Per-trial metrics by name, then "layers/<layer>/mvm_sqnr_db" and ".../code_error_rate".
  std::vector<std::pair<std::string, Summary>> metrics;
  YieldStatistics yield;
  std::vector<std::int64_t> dcode_hist, margin_hist;  // summed over successful trials
  ConvergenceHistory convergence;
};

/// Statistics of a point's table under the campaign's trigger and yield threshold.
PointStatistics point_statistics(const PointTable& table, const TriggerConfig& trigger,
                                 double yield_accuracy);

}  // namespace rapmc
