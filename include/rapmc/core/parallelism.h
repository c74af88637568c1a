// Thread-count control for a command: TBB worker limit and single-threaded BLAS.
#pragma once

#include <oneapi/tbb/global_control.h>

#include <memory>

namespace rapmc {

/// While alive, TBB runs at most `threads` workers (0 = all cores). BLAS is kept
/// single-threaded because rapmc parallelises over images and trials, never inside a
/// small matrix product, and nested thread pools only oversubscribe the cores.
class Parallelism {
 public:
  static constexpr int MAX_THREADS = 4096;
  explicit Parallelism(int threads);
  /// Threads TBB will use.
  int threads() const noexcept { return threads_; }

 private:
  int threads_;
  std::unique_ptr<tbb::global_control> control_;
};

}  // namespace rapmc
