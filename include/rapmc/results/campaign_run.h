// Running a campaign into its results file (docs/design.md, "Monte Carlo engine"): for each
// point, trials in blocks of trigger.check_every run by mc/runner (threads, MPI ranks), committed
// to the file in trial order after each block; the trigger is checked between blocks on the
// trial-ordered prefix, so where a campaign stops, like every row, does not depend on threads,
// ranks or resumes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "rapmc/core/mpi_context.h"
#include "rapmc/core/progress.h"
#include "rapmc/mc/campaign.h"
#include "rapmc/mc/run_summary.h"

namespace rapmc {

struct RunOptions {
  std::string out;
  int threads = 0;
  std::optional<std::uint64_t> trials;  // overrides campaign.trials
  bool resume = false;
  bool force = false;
  ProgressDisplay progress = ProgressDisplay::AUTO;
  std::string command_line;
  std::optional<std::string> shard;  // "i/N": run only the i-th of N blocks of trials
  MpiContext* mpi = nullptr;         // ranks share the trials; rank 0 writes (null: one process)
  /// Called after each committed block with the trials done of the point and its range
  /// (the Python module's progress callback; one process only).
  std::function<void(std::uint64_t done, std::uint64_t total)> on_block;
  /// Asked before each block: true ends the run cleanly, every committed block kept and
  /// summarised (Ctrl-C in Python; one process only). RunSummary::stopped tells.
  std::function<bool()> stop;
};

/// Runs (or, with options.resume, continues) the campaign into options.out.
RunSummary run_campaign(const Campaign& c, const RunOptions& options);

}  // namespace rapmc
