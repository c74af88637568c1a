// Wall-clock timing of the benchmarks and the runtime figures (docs/performance.md): seconds
// since a point in time, and the best of several runs of a piece of work.
#pragma once

#include <algorithm>
#include <chrono>

namespace rapmc {

/// Seconds of steady-clock time since t0.
inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// The shortest wall time, in seconds, of `reps` runs of f() (one run is short and noisy).
template <class F>
double best_of_seconds(int reps, F&& f) {
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, seconds_since(t0));
  }
  return best;
}

}  // namespace rapmc
