#include "rapmc/mc/runner.h"

#include <oneapi/tbb/parallel_for.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "rapmc/core/errors.h"
#include "rapmc/core/parallelism.h"
#include "rapmc/eval/evaluate.h"
#include "rapmc/io/results_file.h"
#include "rapmc/mc/statistics.h"
#include "rapmc/mc/trial.h"
#include "rapmc/eval/quantized_pipeline.h"
#include "rapmc/pim/chip.h"
#include "rapmc/pim/counters.h"

namespace rapmc {

namespace {
ImageSet evaluation_subset(const Campaign& c) {
  ImageSet all = load_dataset(c.dataset, c.data_dir, c.first_image + c.images);
  if (all.size() < c.first_image + c.images) {
    throw DataError(c.source + ": data.first + data.images = " + std::to_string(c.first_image + c.images) +
                    " but dataset '" + c.dataset + "' has " + std::to_string(all.size()) + " images");
  }
  ImageSet s = all;
  s.pixels.assign(all.pixels.begin() + static_cast<std::ptrdiff_t>(c.first_image * all.image_elements()), all.pixels.end());
  s.labels.assign(all.labels.begin() + static_cast<std::ptrdiff_t>(c.first_image), all.labels.end());
  return s;
}
}  // namespace

CampaignInputs load_campaign_inputs(const Campaign& c) {
  CampaignInputs in{load_int_model(c.int_model), std::nullopt, evaluation_subset(c)};
  if (c.pipeline == Pipeline::PTQ_DQQ) in.fp32 = load_vit_model(c.model);
  check_compatible(in.int_model.image_size, in.int_model.channels, c.int_model, in.images);
  return in;
}

namespace {
// One ideal integer pass (exact digital MVMs) over the evaluation subset on one thread: the
// yardstick of the per-trial cost.
double ideal_pass_seconds(const TrialSetup& s) {
  const DigitalMvm digital;
  const QuantizedPipeline engine(s.campaign->pipeline, s.campaign->requant, *s.int_model, s.fp32, digital);
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < s.images->size(); ++i) (void)engine.logits(s.images->image(i));
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

ShardSpec parse_shard(const std::string& text, std::uint64_t trials) {
  const auto slash = text.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    std::size_t used = 0;
    const auto i = std::stoull(text.substr(0, slash), &used);
    if (used != slash) throw std::invalid_argument("index");
    const std::string rest = text.substr(slash + 1);
    const auto n = std::stoull(rest, &used);
    if (used != rest.size() || n == 0 || i >= n) throw std::invalid_argument("range");
    if (n > trials) throw std::invalid_argument("more shards than trials");
    return ShardSpec{i, n, i * trials / n, (i + 1) * trials / n};
  } catch (const std::exception&) {
    throw ConfigError("--shard '" + text + "': expected i/N with 0 <= i < N <= trials (" + std::to_string(trials) + ")");
  }
}

namespace {
// A trial record as doubles, for gathering over MPI (integers are exact below 2^53).
void pack(const TrialRecord& r, std::vector<double>& out) {
  out.push_back(static_cast<double>(r.trial));
  out.push_back(static_cast<double>(r.status));
  out.insert(out.end(), r.metrics.begin(), r.metrics.end());
  out.insert(out.end(), r.layer_sqnr_db.begin(), r.layer_sqnr_db.end());
  out.insert(out.end(), r.layer_code_error_rate.begin(), r.layer_code_error_rate.end());
  for (auto v : r.dcode_hist) out.push_back(static_cast<double>(v));
  for (auto v : r.margin_hist) out.push_back(static_cast<double>(v));
}

TrialRecord unpack(const double*& p, std::size_t metrics, std::size_t layers) {
  TrialRecord r;
  r.trial = static_cast<std::uint64_t>(*p++);
  r.status = static_cast<TrialStatus>(static_cast<std::int64_t>(*p++));
  r.metrics.assign(p, p + metrics);
  p += metrics;
  r.layer_sqnr_db.assign(p, p + layers);
  p += layers;
  r.layer_code_error_rate.assign(p, p + layers);
  p += layers;
  for (int b = 0; b < pim::DCODE_BINS; ++b) r.dcode_hist.push_back(static_cast<std::int64_t>(*p++));
  for (int b = 0; b < pim::MARGIN_BINS; ++b) r.margin_hist.push_back(static_cast<std::int64_t>(*p++));
  return r;
}
}  // namespace

RunSummary run_campaign(const Campaign& c, const RunOptions& o) {
  MpiContext* mpi = o.mpi;
  const bool root = !mpi || mpi->is_root();
  const int ranks = mpi ? mpi->size() : 1, rank = mpi ? mpi->rank() : 0;
  auto bcast = [&](std::uint64_t v) { return mpi ? mpi->broadcast(v) : v; };
  if (o.resume && o.force) throw ConfigError("--resume and --force exclude each other");
  const auto start = std::chrono::steady_clock::now();
  const Parallelism parallelism(o.threads);
  const CampaignInputs inputs = load_campaign_inputs(c);
  const IntModel& q = inputs.int_model;
  const ImageSet& images = inputs.images;

  std::vector<std::vector<std::string>> layers;
  for (const CampaignPoint& p : c.points) layers.push_back(pim::ChipInstance::counter_names_for(q, p.hardware));
  RunInfo info;
  info.command_line = o.command_line;
  info.threads = parallelism.threads();
  info.ranks = ranks;
  const std::uint64_t total = o.trials.value_or(c.trials);
  std::optional<ShardSpec> shard;
  if (o.shard) shard = parse_shard(*o.shard, total);
  const std::uint64_t first = shard ? shard->begin : 0, last = shard ? shard->end : total;
  std::optional<ResultsWriter> writer;
  if (root) {
    writer.emplace(o.resume ? ResultsWriter::resume(o.out, c, layers, shard)
                            : ResultsWriter::create(o.out, c, layers, info, o.force, shard));
  }
  const auto& names = trial_metric_names();
  const std::size_t metric = static_cast<std::size_t>(std::find(names.begin(), names.end(), c.trigger.metric) - names.begin());
  const std::size_t acc_metric = 0;  // "accuracy"
  RunSummary summary;
  summary.threads = parallelism.threads();
  summary.ranks = ranks;
  if (mpi) mpi->set_collective(true);  // from here an error on one rank aborts the job

  for (std::size_t pi = 0; pi < c.points.size(); ++pi) {
    const CampaignPoint& point = c.points[pi];
    const TrialSetup setup = make_trial_setup(c, point, q, inputs.fp32_or_null(), images);
    if (root) {
      summary.ideal_pass_seconds = ideal_pass_seconds(setup);
      std::size_t correct = 0;
      for (std::size_t i = 0; i < images.size(); ++i) correct += setup.ideal_predictions[i] == images.labels[i];
      writer->write_reference(pi, static_cast<double>(correct) / static_cast<double>(images.size()));
    }
    std::uint64_t n = bcast(first + (root ? writer->rows(pi) : 0));  // the next trial
    // The trigger metric and accuracy of the rows so far (a resume reads them back).
    Welford trig, acc;
    if (root && n > first) {
      const ResultsData d = read_results(o.out);
      const PointTable& t = d.points[pi];
      for (std::uint64_t i = 0; i < n - first; ++i) {
        if (t.status[i] != 0) continue;
        const double v = t.columns.at(c.trigger.metric)[i];
        if (std::isfinite(v)) trig.add(v);
        acc.add(t.columns.at("accuracy")[i]);
      }
    }
    // Triggers need the trial-ordered prefix: a shard runs its whole range and merge applies them.
    auto triggered = [&] {
      return !shard && c.trigger.ci_halfwidth > 0 && n >= c.trigger.min_trials && n % c.trigger.check_every == 0 &&
             trig.ci95_halfwidth() <= c.trigger.ci_halfwidth;
    };
    Progress progress("trials" + (point.label.empty() ? "" : " [" + point.label + "]"), last - first, "trial",
                      root ? o.progress : ProgressDisplay::OFF);
    progress.start_at(n - first);
    while (bcast(root && n < last && !triggered() ? 1 : 0) == 1) {  // decided on rank 0
      const std::uint64_t end = std::min(last, (n / c.trigger.check_every + 1) * c.trigger.check_every);
      // This rank's trials of the block: n + rank, n + rank + ranks, ...
      std::vector<std::uint64_t> mine;
      for (std::uint64_t t = n + static_cast<std::uint64_t>(rank); t < end; t += static_cast<std::uint64_t>(ranks)) mine.push_back(t);
      std::vector<TrialRecord> block(mine.size());
      std::vector<double> secs(mine.size());
      tbb::parallel_for(std::size_t{0}, mine.size(), [&](std::size_t i) {
        const auto t0 = std::chrono::steady_clock::now();
        block[i] = run_trial(setup, mine[i]);
        secs[i] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        progress.advance(1);
      });
      if (root) {
        for (double x : secs) summary.trial_seconds += x;
        summary.timed_trials += mine.size();
      }
      if (ranks > 1) {
        std::vector<double> packed;
        for (const TrialRecord& r : block) pack(r, packed);
        const std::vector<double> all = mpi->gather(packed);
        if (root) {
          block.clear();
          const double* p = all.data();
          while (p < all.data() + all.size()) block.push_back(unpack(p, names.size(), layers[pi].size()));
          std::sort(block.begin(), block.end(), [](const TrialRecord& a, const TrialRecord& b) { return a.trial < b.trial; });
          progress.advance(block.size() - mine.size());
        }
      }
      if (root) {
        for (const TrialRecord& r : block) {
          if (r.status == TrialStatus::FAILED) {
            ++summary.failed;
            std::fprintf(stderr, "\nrapmc: trial %llu failed: %s\n", static_cast<unsigned long long>(r.trial), r.error.c_str());
            continue;
          }
          if (std::isfinite(r.metrics[metric])) trig.add(r.metrics[metric]);
          acc.add(r.metrics[acc_metric]);
        }
        writer->append(pi, block);
        char note[96];
        std::snprintf(note, sizeof note, "accuracy %.4f ± %.4f", acc.mean,
                      std::isfinite(acc.ci95_halfwidth()) ? acc.ci95_halfwidth() : 0.0);
        progress.set_note(note);
      }
      summary.trials_run += end - n;
      n = end;
    }
    progress.finish();
    if (root) writer->write_summary(pi, c);
  }
  if (mpi) mpi->set_collective(false);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (root) writer->write_runtime(summary, o.resume);
  return summary;
}

}  // namespace rapmc
