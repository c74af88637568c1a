// rapmc's one parallel loop: f(i) for every index of a range, each once, in any order on any
// thread. tbb::parallel_for, except in the ThreadSanitizer build (RAPMC_TSAN): Debian's libtbb is
// not instrumented, so the ordering its scheduler guarantees (and its reuse of task memory) is
// invisible to the sanitizer and every loop would report races inside TBB. There the loop runs on
// plain threads (as many as the current TBB arena allows), whose start and join the sanitizer
// sees, so that it checks rapmc's own code under real concurrency (scripts/check-threads.sh).
#pragma once

#include <oneapi/tbb/parallel_for.h>

#if defined(__SANITIZE_THREAD__)
#define RAPMC_PLAIN_THREADS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RAPMC_PLAIN_THREADS 1
#endif
#endif
#ifdef RAPMC_PLAIN_THREADS
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>
#endif

namespace rapmc {

/// f(i) for every i in [begin, end), in parallel; `grain`: indices per task at least. An
/// exception from f ends the loop and is rethrown.
template <class Index, class F>
void parallel_for(Index begin, Index end, F&& f, Index grain = 1) {
#ifdef RAPMC_PLAIN_THREADS
  (void)grain;
  if (end <= begin) return;
  const auto n = static_cast<std::size_t>(end - begin);
  const std::size_t threads =
      std::min(n, static_cast<std::size_t>(std::max(1, tbb::this_task_arena::max_concurrency())));
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    try {
      for (std::size_t k; (k = next.fetch_add(1)) < n;) f(static_cast<Index>(begin + k));
    } catch (...) {
      const std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      next.store(n);
    }
  };
  std::vector<std::thread> pool;
  try {
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  } catch (...) {  // no thread to be had: stop the started ones before leaving
    next.store(n);
    for (std::thread& t : pool) t.join();
    throw;
  }
  work();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
#else
  tbb::parallel_for(tbb::blocked_range<Index>(begin, end, grain), [&](const auto& r) {
    for (Index i = r.begin(); i != r.end(); ++i) f(i);
  });
#endif
}

}  // namespace rapmc
