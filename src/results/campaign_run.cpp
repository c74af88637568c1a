#include "rapmc/results/campaign_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <span>

#include "rapmc/core/errors.h"
#include "rapmc/core/parallelism.h"
#include "rapmc/mc/runner.h"
#include "rapmc/mc/shard.h"
#include "rapmc/mc/statistics.h"
#include "rapmc/mc/trigger.h"
#include "rapmc/pim/chip.h"
#include "rapmc/results/results_file.h"

namespace rapmc {
namespace {

// One run's shared state: the campaign, its inputs, the writer (rank 0) and the tallies.
struct Run {
  const Campaign& c;
  const RunOptions& o;
  const CampaignInputs inputs;
  std::optional<ShardSpec> shard;
  std::uint64_t first = 0, last = 0;  // this invocation's trial range
  std::optional<ResultsWriter> writer;
  RunSummary summary;

  bool root() const { return !o.mpi || o.mpi->is_root(); }
  std::uint64_t broadcast(std::uint64_t v) const { return o.mpi ? o.mpi->broadcast(v) : v; }
};

std::vector<std::vector<std::string>> layers_of(const Campaign& c, const IntModel& q) {
  std::vector<std::vector<std::string>> layers;
  for (const CampaignPoint& p : c.points)
    layers.push_back(pim::ChipInstance::counter_names_for(q, p.hardware));
  return layers;
}

// A committed trial, in trial order: its trigger value to the trigger, its accuracy (if it
// succeeded) to the running estimate shown on the progress line.
void count_trial(TrialStatus status, double trigger_value, double accuracy_value,
                 TriggerTracker& trigger, Welford& accuracy) {
  trigger.add(status, trigger_value);
  if (status == TrialStatus::OK) accuracy.add(accuracy_value);
}

// The rows already written (a resume), counted as if they had just been committed.
void replay_rows(const Run& run, std::size_t pi, std::uint64_t n, TriggerTracker& trigger,
                 Welford& accuracy) {
  if (!run.root() || n <= run.first) return;
  const PointTable t = run.writer->table(pi);
  const auto& metric = t.columns.at(run.c.trigger.metric);
  const auto& acc = t.columns.at(std::string(trial_metric(TrialMetric::ACCURACY).name));
  for (std::uint64_t i = 0; i < n - run.first; ++i)
    count_trial(static_cast<TrialStatus>(t.status[i]), metric[i], acc[i], trigger, accuracy);
}

// Rank 0: the block's records go to the file, failures to stderr, values to the trigger.
void commit_block(Run& run, std::size_t pi, const TrialBlock& block, TriggerTracker& trigger,
                  Welford& accuracy, Progress& progress) {
  const auto metric = *find_trial_metric(run.c.trigger.metric);
  // A trial that ended in an internal error (a bug, not a failing chip): the trials before it
  // are committed, then the campaign stops (exit 1); --resume runs it again.
  const auto bad = std::find_if(block.records.begin(), block.records.end(), [](const auto& r) {
    return r.status == TrialStatus::INTERNAL_ERROR;
  });
  const std::span<const TrialRecord> good(block.records.begin(), bad);
  for (const TrialRecord& r : good) {
    count_trial(r.status, r.metric(metric), r.metric(TrialMetric::ACCURACY), trigger, accuracy);
    if (r.status == TrialStatus::FAILED) {
      ++run.summary.failed;
      std::fprintf(stderr, "\nrapmc: trial %llu: failing chip: %s\n",
                   static_cast<unsigned long long>(r.trial), r.error.c_str());
    }
  }
  run.writer->append(pi, good);
  if (bad != block.records.end())
    throw std::runtime_error("trial " + std::to_string(bad->trial) + ": " + bad->error +
                             " (a fault of rapmc, not a failing chip; the trials before it are "
                             "committed to " +
                             run.o.out + ")");
  run.summary.trial_seconds += block.own_seconds;
  run.summary.timed_trials += block.own_trials;
  char note[96];
  std::snprintf(note, sizeof note, "accuracy %.4f ± %.4f", accuracy.mean,
                std::isfinite(accuracy.ci95_halfwidth()) ? accuracy.ci95_halfwidth() : 0.0);
  progress.set_note(note);
}

// Every trial of point pi that this invocation runs, block by block.
void run_point(Run& run, std::size_t pi) {
  const Campaign& c = run.c;
  const CampaignPoint& point = c.points[pi];
  const TrialSetup setup = make_trial_setup(c, point, run.inputs.int_model,
                                            run.inputs.fp32_or_null(), run.inputs.images);
  if (run.root()) {
    run.summary.ideal_pass_seconds = ideal_pass_seconds(setup);
    const std::vector<int>& labels = setup.images->labels;
    run.writer->write_reference(
        pi, setup.ideal_accuracy, std::vector<std::int64_t>(labels.begin(), labels.end()),
        std::vector<std::int64_t>(setup.ideal_predictions.begin(), setup.ideal_predictions.end()));
  }
  std::uint64_t n =
      run.broadcast(run.first + (run.root() ? run.writer->rows(pi) : 0));  // the next trial
  TriggerTracker trigger(c.trigger);
  Welford accuracy;
  replay_rows(run, pi, n, trigger, accuracy);
  // Triggers need the trial-ordered prefix: a shard runs its whole range and merge applies them.
  auto stops = [&] { return !run.shard && trigger.stops_at(n); };
  Progress progress("trials" + (point.label.empty() ? "" : " [" + point.label + "]"),
                    run.last - run.first, "trial",
                    run.root() ? run.o.progress : ProgressDisplay::OFF);
  progress.start_at(n - run.first);
  // Blocks of check_every trials; with the trigger off they only order the commits, and with
  // several ranks larger blocks (8 trials per rank) wait less often for their slowest trial.
  const auto ranks = static_cast<std::uint64_t>(run.o.mpi ? run.o.mpi->size() : 1);
  const std::uint64_t block_trials = c.trigger.ci_halfwidth > 0
                                         ? c.trigger.check_every
                                         : std::max(c.trigger.check_every, 8 * ranks);
  auto stop_requested = [&] {
    if (!run.summary.stopped && run.o.stop && run.o.stop()) run.summary.stopped = true;
    return run.summary.stopped;
  };
  while (run.broadcast(run.root() && n < run.last && !stops() && !stop_requested() ? 1 : 0) ==
         1) {  // decided on rank 0
    const std::uint64_t end = std::min(run.last, (n / block_trials + 1) * block_trials);
    const TrialBlock block = run_block(setup, n, end, run.o.mpi, progress);
    if (run.root()) commit_block(run, pi, block, trigger, accuracy, progress);
    run.summary.trials_run += end - n;
    n = end;
    if (run.o.on_block) run.o.on_block(n - run.first, run.last - run.first);
  }
  progress.finish();
  if (run.root()) run.writer->write_summary(pi, c);
}

}  // namespace

RunSummary run_campaign(const Campaign& c, const RunOptions& o) {
  if (o.resume && o.force) throw ConfigError("--resume and --force exclude each other");
  const auto start = std::chrono::steady_clock::now();
  Parallelism parallelism(o.threads);
  Run run{c, o, load_campaign_inputs(c), std::nullopt, 0, 0, std::nullopt, {}};
  const std::uint64_t total = o.trials.value_or(c.trials);
  if (o.shard) run.shard = parse_shard(*o.shard, total);
  run.first = run.shard ? run.shard->begin : 0;
  run.last = run.shard ? run.shard->end : total;
  run.summary.threads = parallelism.threads();
  run.summary.ranks = o.mpi ? o.mpi->size() : 1;
  if (run.root()) {
    const auto layers = layers_of(c, run.inputs.int_model);
    RunInfo info{o.command_line, parallelism.threads(), run.summary.ranks};
    run.writer.emplace(o.resume
                           ? ResultsWriter::resume(o.out, c, layers, run.shard)
                           : ResultsWriter::create(o.out, c, layers, info, o.force, run.shard));
  }
  if (o.mpi) o.mpi->set_collective(true);  // from here an error on one rank aborts the job
  parallelism.execute([&] {
    for (std::size_t pi = 0; pi < c.points.size() && !run.summary.stopped; ++pi) run_point(run, pi);
  });
  if (o.mpi) o.mpi->set_collective(false);
  run.summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (run.root()) {
    if (c.mission.enabled()) run.writer->write_lifetime(c);
    run.writer->write_runtime(run.summary, o.resume);
  }
  return run.summary;
}

}  // namespace rapmc
