#include "rapmc/mc/runner.h"

#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <chrono>

#include "rapmc/core/errors.h"
#include "rapmc/core/parallel_for.h"
#include "rapmc/core/timing.h"
#include "rapmc/infer/mvm_backend.h"
#include "rapmc/infer/pipeline_factory.h"
#include "rapmc/pim/counters.h"
#include "rapmc/quant/quantize.h"

namespace rapmc {
namespace {

SampleSet evaluation_subset(const Campaign& c, const ModelInput& input) {
  const bool first = c.select == SubsetSelect::FIRST;
  const SampleSet all = load_dataset(c.dataset.empty() ? default_dataset(input, "test") : c.dataset,
                                     input, c.data_dir, first ? c.first_image + c.images : 0);
  try {
    return first ? first_subset(all, c.first_image, c.images)
                 : stratified_subset(all, c.images, c.seed);
  } catch (const DataError& e) {
    rethrow_with_context(e, c.source + ": ");
  }
}

// A trial record as doubles, for gathering over MPI (integers are exact below 2^53).
void pack(const TrialRecord& r, std::vector<double>& out) {
  out.push_back(static_cast<double>(r.trial));
  out.push_back(static_cast<double>(r.status));
  out.insert(out.end(), r.metrics.begin(), r.metrics.end());
  for (const LayerMetricValues& l : r.layers) out.insert(out.end(), l.begin(), l.end());
  for (auto v : r.dcode_hist) out.push_back(static_cast<double>(v));
  for (auto v : r.margin_hist) out.push_back(static_cast<double>(v));
  for (auto v : r.predictions) out.push_back(static_cast<double>(v));
}

TrialRecord unpack(const double*& p, std::size_t layers, std::size_t images) {
  TrialRecord r;
  r.trial = static_cast<std::uint64_t>(*p++);
  r.status = static_cast<TrialStatus>(static_cast<std::int64_t>(*p++));
  std::copy(p, p + r.metrics.size(), r.metrics.begin());
  p += r.metrics.size();
  r.layers.resize(layers);
  for (LayerMetricValues& l : r.layers) {
    std::copy(p, p + l.size(), l.begin());
    p += l.size();
  }
  for (int b = 0; b < pim::DCODE_BINS; ++b) r.dcode_hist.push_back(static_cast<std::int64_t>(*p++));
  for (int b = 0; b < pim::MARGIN_BINS; ++b)
    r.margin_hist.push_back(static_cast<std::int64_t>(*p++));
  for (std::size_t i = 0; i < images; ++i) r.predictions.push_back(static_cast<std::int64_t>(*p++));
  return r;
}

}  // namespace

// `load(path)` for the file a campaign key names; its error also names the campaign and the key.
template <class Load>
auto load_named(const Campaign& c, const char* key, const std::string& path, Load load) {
  try {
    return load(path);
  } catch (const Error& e) {
    rethrow_with_context(e, c.source + ": " + key + " = '" + path + "': ");
  }
}

CampaignInputs load_campaign_inputs(const Campaign& c) {
  // Both models are read and checked against each other whatever the pipeline: a campaign
  // records model.fp32 as the integer model's source, so a wrong file there is an error.
  EncoderModel fp32 = load_named(c, "model.fp32", c.model, load_model);
  IntModel int_model = load_named(c, "model.int", c.int_model, [&](const std::string& path) {
    IntModel q = load_int_model(path);
    check_same_architecture(fp32, q, path);
    return q;
  });
  const ModelInput input = int_model.input(c.int_model);
  SampleSet images = evaluation_subset(c, input);
  check_input_shape(images, input);
  CampaignInputs in{std::move(int_model), std::nullopt, std::move(images)};
  if (c.pipeline == Pipeline::PTQ_DQQ) in.fp32 = std::move(fp32);
  return in;
}

double ideal_pass_seconds(const TrialSetup& s) {
  const DigitalMvm digital;
  const auto engine =
      make_pipeline(s.campaign->pipeline, s.campaign->requant, s.int_model, s.fp32, digital);
  return best_of_seconds(3, [&] {
    for (std::size_t i = 0; i < s.images->size(); ++i) (void)engine->logits(s.images->sample(i), i);
  });
}

TrialBlock run_block(const TrialSetup& setup, std::uint64_t first, std::uint64_t end,
                     const MpiContext* mpi, Progress& progress) {
  const auto ranks = static_cast<std::uint64_t>(mpi ? mpi->size() : 1);
  TrialBlock b;
  auto timed_trial = [&](std::uint64_t t, TrialRecord& rec, double& secs) {
    const auto t0 = std::chrono::steady_clock::now();
    // Isolated: a thread waiting in this trial's loops helps with this trial only, never starts
    // another trial on its stack (which would hold two chips in memory and inflate the time).
    tbb::this_task_arena::isolate([&] { rec = run_trial(setup, t); });
    secs = seconds_since(t0);
    progress.advance(1);
  };
  if (ranks == 1) {  // the block's trials in parallel, each trial's images in parallel too
    b.records.resize(end - first);
    std::vector<double> secs(end - first);
    parallel_for(std::size_t{0}, b.records.size(),
                 [&](std::size_t i) { timed_trial(first + i, b.records[i], secs[i]); });
    for (double x : secs) b.own_seconds += x;
    b.own_trials = b.records.size();
    return b;
  }
  // Several ranks: each takes the next unclaimed trial when it is free (a shared counter on
  // rank 0), so no rank waits for another's slow chips but at the block's end; a trial's
  // images use the rank's threads. Which rank ran a trial does not change its record.
  {
    SharedCounter next(*mpi, first);
    for (std::uint64_t t = next.take(); t < end; t = next.take()) {
      double secs = 0;
      b.records.emplace_back();
      timed_trial(t, b.records.back(), secs);
      b.own_seconds += secs;
    }
  }
  b.own_trials = b.records.size();
  const std::size_t mine = b.records.size();
  std::vector<double> packed;
  for (const TrialRecord& r : b.records) pack(r, packed);
  const std::vector<double> all = mpi->gather(packed);
  b.records.clear();
  if (!mpi->is_root()) return b;
  const double* p = all.data();
  while (p < all.data() + all.size())
    b.records.push_back(unpack(p, setup.layers.size(), setup.images->size()));
  std::sort(b.records.begin(), b.records.end(),
            [](const TrialRecord& x, const TrialRecord& y) { return x.trial < y.trial; });
  progress.advance(b.records.size() - mine);
  return b;
}

}  // namespace rapmc
