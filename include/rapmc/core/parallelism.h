// Thread-count control for a command: TBB worker limit and single-threaded BLAS.
#pragma once

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include <memory>
#include <utility>

namespace rapmc {

/// While alive, TBB runs at most `threads` workers (0 = all cores), and execute() runs work on
/// exactly that many (more than the cores, if asked: the thread-count tests). BLAS is kept
/// single-threaded because rapmc parallelises over images and trials, never inside a
/// small matrix product, and nested thread pools only oversubscribe the cores.
class Parallelism {
 public:
  static constexpr int MAX_THREADS = 4096;
  explicit Parallelism(int threads);
  /// Threads TBB will use.
  int threads() const noexcept { return threads_; }
  /// f() in an arena of threads() threads (its parallel loops use them all); exceptions pass.
  template <class F>
  decltype(auto) execute(F&& f) {
    return arena_->execute(std::forward<F>(f));
  }

 private:
  int threads_;
  std::unique_ptr<tbb::global_control> control_;
  std::unique_ptr<tbb::task_arena> arena_;
};

}  // namespace rapmc
