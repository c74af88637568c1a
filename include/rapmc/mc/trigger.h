// The stopping rule of a campaign point, one place for the runner (live), the merge of shards
// (after the fact) and the convergence history: trials are added in trial order; a successful
// trial with a finite value of the trigger metric counts; between blocks of check_every trials
// the point stops once min_trials are done and the 95 % CI half-width of the metric's mean is at
// most ci_halfwidth. The trial count where a point stops is therefore a function of its rows
// alone, not of threads, ranks, shards or resumes.
#pragma once

#include <cstdint>

#include "rapmc/mc/campaign.h"
#include "rapmc/mc/statistics.h"
#include "rapmc/mc/trial.h"

namespace rapmc {

class TriggerTracker {
 public:
  explicit TriggerTracker(const TriggerConfig& config) : config_(config) {}
  /// Adds the next trial in trial order.
  void add(TrialStatus status, double value);
  /// True if a point that has committed `trials` trials stops before running more.
  bool stops_at(std::uint64_t trials) const;
  /// True if `trials` ends a block (a point where the rule is checked).
  bool block_end(std::uint64_t trials) const { return trials % config_.check_every == 0; }
  /// The running estimate of the metric's mean.
  const Welford& estimate() const { return estimate_; }

 private:
  TriggerConfig config_;
  Welford estimate_;
};

}  // namespace rapmc
