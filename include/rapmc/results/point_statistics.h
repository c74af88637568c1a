// The statistics of one campaign point, computed from its per-trial table: one function for the
// results writer (/statistics, /convergence), `rapmc report` and `rapmc merge`. Failed trials
// are counted and left out of every metric's summary; in the yield they count as failing chips.
// An SQNR is pooled over the trials (Σ signal / Σ error), never averaged over the finite ones.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "rapmc/mc/campaign.h"
#include "rapmc/mc/statistics.h"
#include "rapmc/results/results_reader.h"

namespace rapmc {

/// A chip yield P(pass) over all trials, a failed trial failing: plainly passing / n with its
/// Wilson interval; from importance-sampled trials 1 − the weighted failure probability.
struct YieldStatistics {
  double accuracy_threshold = 0;
  std::uint64_t passing = 0, n = 0;
  Interval wilson;  // of passing / n (of the proposal's chips when weighted)
  bool weighted = false;
  Interval estimate;           // the yield: wilson, or 1 − failure's (weighted)
  WeightedProportion failure;  // P(fail), weighted by the trials' likelihood ratios
  std::vector<bool> fail;      // per trial (table order): the chip fails
};
/// The yield of a point's trials, trial i passing when pass[i] (and its status is OK).
YieldStatistics yield_statistics(const PointTable& table, const std::vector<bool>& pass);

/// The trigger metric's running mean and CI after every block (trial-order prefixes).
struct ConvergenceHistory {
  std::string metric;
  std::vector<double> trials, mean, ci95_halfwidth;
};

/// An SQNR pooled over the successful trials.
struct PooledSqnr {
  double db = 0;                        // 10·log10(Σ signal / Σ error); +inf without error
  double ci95_low = 0, ci95_high = 0;   // jackknife over trials (±1.96 se); NaN without error
  double jackknife_se = 0;              // dB
  std::uint64_t n = 0, error_free = 0;  // trials, and those without any error
};

/// Pools per-trial signal and error powers (values of failed trials are not passed).
PooledSqnr pool_sqnr(const std::vector<double>& signal, const std::vector<double>& error);

struct PointStatistics {
  std::uint64_t trials = 0, failed = 0;
  /// Per-trial metrics by name, then "layers/<layer>/<metric>" (mc/layer_metrics.h); the SQNRs'
  /// entries summarise the pooled SQNR (mean = pooled dB, std = jackknife se, CI jackknife,
  /// min..q95 of the finite per-trial values).
  std::vector<std::pair<std::string, Summary>> metrics;
  /// The SQNRs by the same names, with their error-free counts.
  std::vector<std::pair<std::string, PooledSqnr>> sqnr;
  YieldStatistics yield;
  std::vector<std::int64_t> dcode_hist, margin_hist;  // summed over successful trials
  ConvergenceHistory convergence;
};

/// Statistics of a point's table under the campaign's trigger and yield threshold.
PointStatistics point_statistics(const PointTable& table, const TriggerConfig& trigger,
                                 double yield_accuracy);

}  // namespace rapmc
