#include "rapmc/core/parallelism.h"

#include <oneapi/tbb/info.h>

#include "rapmc/core/errors.h"

extern "C" void openblas_set_num_threads(int);

namespace rapmc {

Parallelism::Parallelism(int threads) {
  if (threads < 0 || threads > MAX_THREADS) {
    throw ConfigError("--threads: " + std::to_string(threads) + " out of range 0.." +
                      std::to_string(MAX_THREADS) + " (0 = all cores)");
  }
  threads_ = threads == 0 ? tbb::info::default_concurrency() : threads;
  control_ = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                   static_cast<std::size_t>(threads_));
  arena_ = std::make_unique<tbb::task_arena>(threads_);
  openblas_set_num_threads(1);
}

}  // namespace rapmc
