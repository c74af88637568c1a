// What one invocation of a campaign run did and how long it took (written to /runtime).
#pragma once

#include <cstdint>

namespace rapmc {

struct RunSummary {
  std::uint64_t trials_run = 0;  // by this invocation
  std::uint64_t failed = 0;
  bool stopped = false;  // RunOptions::stop ended the run early: resume it to finish
  double seconds = 0;
  int threads = 1;
  int ranks = 1;
  double trial_seconds = 0;  // Σ of the wall times of the trials rank 0 ran (each on one thread)
  std::uint64_t timed_trials = 0;  // how many trials that sum covers
  double ideal_pass_seconds = 0;   // one ideal integer pass over the subset, one thread
  double trials_per_hour() const {
    return seconds > 0 ? 3600.0 * static_cast<double>(trials_run) / seconds : 0.0;
  }
  /// Mean time of one trial over the time of one ideal integer pass over the same images.
  double trial_cost_ratio() const {
    return timed_trials && ideal_pass_seconds > 0
               ? trial_seconds / static_cast<double>(timed_trials) / ideal_pass_seconds
               : 0.0;
  }
};

}  // namespace rapmc
