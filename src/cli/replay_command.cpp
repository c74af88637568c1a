#include "rapmc/cli/replay_command.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <memory>

#include "rapmc/cli/ranged_option.h"
#include "rapmc/core/errors.h"
#include "rapmc/core/parallelism.h"
#include "rapmc/mc/runner.h"
#include "rapmc/mc/trial.h"
#include "rapmc/mc/trial_metrics.h"
#include "rapmc/results/results_reader.h"

namespace rapmc {
namespace {

struct ReplayArgs {
  std::string file;
  std::uint64_t trial = 0;
  std::size_t point = 0;
  int threads = 0;
};

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

int run_replay(const ReplayArgs& a) {
  const ResultsData d = read_results(a.file);
  require_rng_scheme(a.file, d.rng_scheme, "replaying a trial of it");
  if (a.point >= d.points.size()) {
    throw ConfigError("--point " + std::to_string(a.point) + ": " + a.file + " has " +
                      std::to_string(d.points.size()) + " point(s)");
  }
  const Campaign c = parse_campaign(d.campaign_toml, a.file + ":/settings");
  const Parallelism parallelism(a.threads);
  const CampaignInputs inputs = load_campaign_inputs(c);
  const SampleSet& images = inputs.images;
  const TrialSetup setup =
      make_trial_setup(c, c.points[a.point], inputs.int_model, inputs.fp32_or_null(), images);
  const TrialRecord r = run_trial(setup, a.trial);
  if (r.status != TrialStatus::OK)
    throw Error("trial " + std::to_string(a.trial) +
                    (r.status == TrialStatus::FAILED ? ": failing chip: " : ": ") + r.error,
                ExitCode::INTERNAL);

  std::cout << "trial " << a.trial << " of " << a.file
            << (c.points[a.point].label.empty() ? "" : " [" + c.points[a.point].label + "]")
            << " (campaign " << c.name << ", seed " << c.seed << ")\n";
  for (const TrialMetricInfo& m : trial_metrics())
    std::cout << "  " << std::left << std::setw(18) << m.name << std::right << std::setprecision(8)
              << r.metric(m.id) << "\n";
  std::cout << "\n  layer              reads/img   conv/img  code err     sat rate  margin min  "
               "MVM SQNR [dB]\n";
  const double n = static_cast<double>(images.size());
  for (const auto& name : setup.layers) {
    const auto it = r.counters.find(name);
    if (it == r.counters.end()) continue;
    const pim::LayerCounters& l = it->second;
    const auto conv = static_cast<double>(l.conversions);
    std::cout << "  " << std::left << std::setw(18) << name << std::right << std::fixed
              << std::setprecision(0) << std::setw(10) << static_cast<double>(l.reads) / n
              << std::setw(11) << conv / n << std::setprecision(6) << std::setw(10)
              << l.code_error_rate() << std::setw(13) << l.saturation_rate() << std::setprecision(3)
              << std::setw(12) << l.margin_min_lsb << std::setprecision(2) << std::setw(15)
              << l.mvm_sqnr_db() << std::defaultfloat << "\n";
  }
  // The stored row, if the file has it, must be reproduced bit for bit.
  const PointTable& t = d.points[a.point];
  if (a.trial < t.trial.size()) {
    std::vector<std::string> differ;
    for (const TrialMetricInfo& m : trial_metrics()) {
      const std::string name(m.name);
      if (std::find(t.absent_columns.begin(), t.absent_columns.end(), name) !=
          t.absent_columns.end())
        continue;
      if (!same_bits(t.columns.at(name)[a.trial], r.metric(m.id))) differ.push_back(name);
    }
    if (!differ.empty()) {
      std::string list;
      for (const auto& n2 : differ) list += " " + n2;
      throw Error("replay of trial " + std::to_string(a.trial) +
                      " differs from the stored row in:" + list +
                      " (different model, hardware file or build?)",
                  ExitCode::INTERNAL);
    }
    std::cout << "\nidentical to the stored row, bit for bit\n";
  } else {
    std::cout << "\n(the file holds " << t.trial.size() << " trials; trial " << a.trial
              << " was computed fresh)\n";
  }
  return 0;
}

}  // namespace

void add_replay_command(CLI::App& app, std::function<int()>& action) {
  auto args = std::make_shared<ReplayArgs>();
  CLI::App* cmd = app.add_subcommand(
      "replay", "Re-run one trial of a results file and print its per-layer detail");
  cmd->add_option("file", args->file, "Results file (HDF5)")->required();
  add_ranged_option(cmd, "--trial", args->trial, "Trial index", 0, 1e9)->required();
  add_ranged_option(cmd, "--point", args->point, "Sweep point index", 0, 1e9);
  add_ranged_option(cmd, "--threads", args->threads, "Worker threads for the ideal reference", 0,
                    Parallelism::MAX_THREADS);
  cmd->callback([args, &action] { action = [args] { return run_replay(*args); }; });
}

}  // namespace rapmc
