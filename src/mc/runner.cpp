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
#include "rapmc/infer/flare_inference.h"
#include "rapmc/infer/ptq_dqq_inference.h"
#include "rapmc/pim/chip.h"

namespace rapmc {

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

namespace {
// One ideal integer pass (exact digital MVMs) over the evaluation subset on one thread: the
// yardstick of the per-trial cost.
double ideal_pass_seconds(const TrialSetup& s) {
  const DigitalMvm digital;
  const auto t0 = std::chrono::steady_clock::now();
  if (s.campaign->pipeline == Pipeline::FLARE) {
    const FlareInference flare(*s.int_model, s.campaign->requant, digital);
    for (std::size_t i = 0; i < s.images->size(); ++i) (void)flare.forward(s.images->image(i));
  } else {
    const PtqDqqInference dqq(*s.fp32, *s.int_model, digital);
    for (std::size_t i = 0; i < s.images->size(); ++i) (void)dqq.logits(s.images->image(i));
  }
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

RunSummary run_campaign(const Campaign& c, const RunOptions& o) {
  if (o.resume && o.force) throw ConfigError("--resume and --force exclude each other");
  const auto start = std::chrono::steady_clock::now();
  const Parallelism parallelism(o.threads);
  const IntModel q = load_int_model(c.int_model);
  std::optional<VitModel> fp32;
  if (c.pipeline == Pipeline::PTQ_DQQ) fp32 = load_vit_model(c.model);
  const ImageSet images = evaluation_subset(c);
  check_compatible(q.image_size, q.channels, c.int_model, images);

  std::vector<std::vector<std::string>> layers;
  for (const CampaignPoint& p : c.points) layers.push_back(pim::ChipInstance::counter_names_for(q, p.hardware));
  RunInfo info;
  info.command_line = o.command_line;
  info.threads = parallelism.threads();
  const std::uint64_t total = o.trials.value_or(c.trials);
  std::optional<ShardSpec> shard;
  if (o.shard) shard = parse_shard(*o.shard, total);
  const std::uint64_t first = shard ? shard->begin : 0, last = shard ? shard->end : total;
  ResultsWriter writer = o.resume ? ResultsWriter::resume(o.out, c, layers, shard)
                                  : ResultsWriter::create(o.out, c, layers, info, o.force, shard);
  const std::size_t metric = static_cast<std::size_t>(
      std::find(trial_metric_names().begin(), trial_metric_names().end(), c.trigger.metric) - trial_metric_names().begin());
  const std::size_t acc_metric = 0;  // "accuracy"
  RunSummary summary;
  summary.threads = parallelism.threads();

  for (std::size_t pi = 0; pi < c.points.size(); ++pi) {
    const CampaignPoint& point = c.points[pi];
    const TrialSetup setup = make_trial_setup(c, point, q, fp32 ? &*fp32 : nullptr, images);
    summary.ideal_pass_seconds = ideal_pass_seconds(setup);
    std::uint64_t n = first + writer.rows(pi);  // the next trial
    // The trigger metric and accuracy of the rows so far (a resume reads them back).
    Welford trig, acc;
    if (n > first) {
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
                      o.progress);
    progress.start_at(n - first);
    while (n < last && !triggered()) {
      const std::uint64_t end = std::min(last, (n / c.trigger.check_every + 1) * c.trigger.check_every);
      std::vector<TrialRecord> block(end - n);
      std::vector<double> secs(end - n);
      tbb::parallel_for(std::uint64_t{0}, end - n, [&](std::uint64_t i) {
        const auto t0 = std::chrono::steady_clock::now();
        block[i] = run_trial(setup, n + i);
        secs[i] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        progress.advance(1);
      });
      for (double x : secs) summary.trial_seconds += x;
      for (const TrialRecord& r : block) {
        if (r.status == TrialStatus::FAILED) {
          ++summary.failed;
          std::fprintf(stderr, "\nrapmc: trial %llu failed: %s\n", static_cast<unsigned long long>(r.trial), r.error.c_str());
          continue;
        }
        if (std::isfinite(r.metrics[metric])) trig.add(r.metrics[metric]);
        acc.add(r.metrics[acc_metric]);
      }
      writer.append(pi, block);
      summary.trials_run += end - n;
      n = end;
      char note[96];
      std::snprintf(note, sizeof note, "accuracy %.4f ± %.4f", acc.mean, std::isfinite(acc.ci95_halfwidth()) ? acc.ci95_halfwidth() : 0.0);
      progress.set_note(note);
    }
    progress.finish();
    writer.write_summary(pi, c);
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  writer.write_runtime(summary, o.resume);
  return summary;
}

}  // namespace rapmc
