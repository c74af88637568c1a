// Runs a campaign (DESIGN.md §5): for each point, trials in blocks of trigger.check_every,
// in parallel within a block (oneTBB), committed to the results file in trial order after
// each block; triggers are checked between blocks on trial-ordered prefixes, so the trial
// count at which a campaign stops, like every row, does not depend on threads or resumes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "rapmc/core/mpi_context.h"
#include "rapmc/core/progress.h"
#include "rapmc/data/dataset.h"
#include "rapmc/io/results_file.h"
#include "rapmc/model/vit_model.h"
#include "rapmc/quant/int_model.h"
#include "rapmc/mc/campaign.h"

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
  MpiContext* mpi = nullptr;          // ranks share the trials; rank 0 writes (null: one process)
};

struct RunSummary {
  std::uint64_t trials_run = 0;  // by this invocation
  std::uint64_t failed = 0;
  double seconds = 0;
  int threads = 1;
  int ranks = 1;
  double trial_seconds = 0;       // Σ of the wall times of the trials rank 0 ran (each on one thread)
  std::uint64_t timed_trials = 0;  // how many trials that sum covers
  double ideal_pass_seconds = 0;  // one ideal integer pass over the subset, one thread
  double trials_per_hour() const { return seconds > 0 ? 3600.0 * static_cast<double>(trials_run) / seconds : 0.0; }
  /// Mean time of one trial over the time of one ideal integer pass over the same images.
  double trial_cost_ratio() const {
    return timed_trials && ideal_pass_seconds > 0 ? trial_seconds / static_cast<double>(timed_trials) / ideal_pass_seconds
                                                  : 0.0;
  }
};

RunSummary run_campaign(const Campaign& c, const RunOptions& options);

/// "i/N" (0 <= i < N) → trials [i·T/N, (i+1)·T/N) of T; ConfigError naming --shard otherwise.
ShardSpec parse_shard(const std::string& text, std::uint64_t trials);

/// What a campaign's trials read: the integer model, the FP32 model (ptq-dqq only) and the
/// evaluation subset, images [data.first, data.first + data.images) of its dataset, checked
/// against the model's image shape.
struct CampaignInputs {
  IntModel int_model;
  std::optional<VitModel> fp32;
  ImageSet images;
  const VitModel* fp32_or_null() const { return fp32 ? &*fp32 : nullptr; }
};
CampaignInputs load_campaign_inputs(const Campaign& c);

}  // namespace rapmc
