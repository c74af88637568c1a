// One Monte Carlo trial (docs/design.md, "Monte Carlo engine"): a pure function of (campaign point,
// master seed, trial index). It samples the operating point and the chip instance, runs the
// pipeline on the evaluation subset on that chip (images in order, one thread), and measures it
// against the same pipeline on exact digital MVMs.
#pragma once

#include <armadillo>
#include <cstdint>
#include <string>
#include <vector>

#include "rapmc/data/dataset.h"
#include "rapmc/mc/campaign.h"
#include "rapmc/mc/layer_metrics.h"
#include "rapmc/mc/trial_metrics.h"
#include "rapmc/model/encoder_model.h"
#include "rapmc/pim/counters.h"
#include "rapmc/pim/wear.h"
#include "rapmc/quant/int_model.h"

namespace rapmc {

/// What every trial of one campaign point shares (read-only while trials run).
struct TrialSetup {
  const Campaign* campaign = nullptr;
  const CampaignPoint* point = nullptr;
  const IntModel* int_model = nullptr;
  const EncoderModel* fp32 = nullptr;  // needed by ptq-dqq
  const SampleSet* images = nullptr;
  std::vector<std::string> layers;  // counter slots of the chip, in order
  arma::mat ideal_logits;           // the pipeline on exact digital MVMs
  std::vector<int> ideal_predictions;
  double ideal_accuracy = 0;  // of those predictions on the images' labels
  /// The workload's reads and writes per inference (a lifetime campaign with read disturb or
  /// endurance on; empty otherwise), counted on the nominal chip.
  pim::WearProfile wear;
};

/// Evaluates the ideal reference of the point (in parallel over images).
TrialSetup make_trial_setup(const Campaign& c, const CampaignPoint& p, const IntModel& q,
                            const EncoderModel* fp32, const SampleSet& images);

/// OK and FAILED (a failing chip: ChipFailure, docs/formats.md "Failing chips") are written to
/// the results file; INTERNAL_ERROR (any other exception: a bug) never is: the campaign stops.
enum class TrialStatus : std::int64_t { OK = 0, FAILED = 1, INTERNAL_ERROR = 2 };

struct TrialRecord {
  std::uint64_t trial = 0;
  TrialStatus status = TrialStatus::OK;
  TrialMetricValues metrics{};  // indexed by TrialMetric; NaN when failed
  double metric(TrialMetric m) const { return metrics[index_of(m)]; }
  std::vector<LayerMetricValues> layers;  // setup.layers order
  std::vector<std::int64_t> dcode_hist;   // conversions with |code − ideal code| = 0..6, ≥ 7
  std::vector<std::int64_t> margin_hist;  // conversions per signed-margin bin (pim/counters.h)
  std::vector<std::int64_t>
      predictions;         // per image of the subset: the predicted class (−1: failed)
  pim::Counters counters;  // for replay's per-layer detail
  std::string error;       // why it failed
};

/// Runs trial `trial` of the point. Never throws for a failure inside the trial: a failing chip
/// is recorded with status FAILED, any other exception with INTERNAL_ERROR, with its message.
TrialRecord run_trial(const TrialSetup& setup, std::uint64_t trial);

}  // namespace rapmc
