// Running a campaign's trials: the inputs every trial reads, and one block of trials run in
// parallel (oneTBB threads inside each MPI rank; rank r runs trials first + r, first + r + R, ...),
// gathered on rank 0 in trial order. What to do with a block (write it, decide the trigger) is the
// results floor's (results/campaign_run.h).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "rapmc/core/mpi_context.h"
#include "rapmc/core/progress.h"
#include "rapmc/data/dataset.h"
#include "rapmc/mc/campaign.h"
#include "rapmc/mc/trial.h"
#include "rapmc/model/encoder_model.h"
#include "rapmc/quant/int_model.h"

namespace rapmc {

/// What a campaign's trials read: the integer model, the FP32 model (ptq-dqq only) and the
/// evaluation subset, images [data.first, data.first + data.images) of its dataset, checked
/// against the model's image shape.
struct CampaignInputs {
  IntModel int_model;
  std::optional<EncoderModel> fp32;
  SampleSet images;
  const EncoderModel* fp32_or_null() const { return fp32 ? &*fp32 : nullptr; }
};
CampaignInputs load_campaign_inputs(const Campaign& c);

/// Wall time of one ideal integer pass (exact digital MVMs) over the point's images on one
/// thread, the best of three: the yardstick of the per-trial cost.
double ideal_pass_seconds(const TrialSetup& setup);

/// One block of trials as rank 0 sees it.
struct TrialBlock {
  std::vector<TrialRecord>
      records;             // rank 0: every trial of the block, in trial order; others: empty
  double own_seconds = 0;  // Σ wall time of the trials this rank ran (each on one thread)
  std::uint64_t own_trials = 0;
};

/// Runs trials [first, end) of the point: this rank's share in parallel, then gathered on rank 0
/// (`mpi` null: one process runs them all). `progress` advances per trial.
TrialBlock run_block(const TrialSetup& setup, std::uint64_t first, std::uint64_t end,
                     const MpiContext* mpi, Progress& progress);

}  // namespace rapmc
