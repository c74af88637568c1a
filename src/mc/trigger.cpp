#include "rapmc/mc/trigger.h"

#include <cmath>

namespace rapmc {

void TriggerTracker::add(TrialStatus status, double value) {
  if (status == TrialStatus::OK && std::isfinite(value)) estimate_.add(value);
}

bool TriggerTracker::stops_at(std::uint64_t trials) const {
  return config_.ci_halfwidth > 0 && trials >= config_.min_trials && block_end(trials) &&
         estimate_.ci95_halfwidth() <= config_.ci_halfwidth;
}

}  // namespace rapmc
