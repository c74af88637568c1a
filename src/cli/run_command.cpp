#include "rapmc/cli/run_command.h"

#include <iomanip>
#include <iostream>
#include <memory>

#include "rapmc/cli/ranged_option.h"
#include "rapmc/cli/report_command.h"
#include "rapmc/core/parallelism.h"
#include "rapmc/mc/campaign.h"
#include "rapmc/results/campaign_run.h"

namespace rapmc {
namespace {

struct RunArgs {
  std::string campaign;
  std::string out;
  int threads = 0;
  std::uint64_t trials = 0;
  bool resume = false, force = false, no_progress = false, quiet = false, detail = false;
  std::string shard;
  std::string command_line;
};

int run_run(const RunArgs& a, MpiContext& mpi) {
  const Campaign c =
      load_campaign(a.campaign);  // every campaign problem is reported before any trial
  RunOptions o;
  o.out = a.out;
  o.threads = a.threads;
  if (a.trials > 0) o.trials = a.trials;
  o.resume = a.resume;
  o.force = a.force;
  o.progress = a.no_progress ? ProgressDisplay::OFF : ProgressDisplay::AUTO;
  o.command_line = a.command_line;
  if (!a.shard.empty()) o.shard = a.shard;
  o.mpi = &mpi;
  const RunSummary s = run_campaign(c, o);
  if (!a.quiet && mpi.is_root()) {
    ReportOptions ro;
    ro.detail = a.detail;
    print_report(a.out, ro);
    std::cout << "this run: " << s.trials_run << " trials in " << std::fixed << std::setprecision(1)
              << s.seconds << " s on " << s.ranks << " rank(s) × " << s.threads << " threads ("
              << std::setprecision(0) << s.trials_per_hour() << " trials/hour; one trial costs "
              << std::setprecision(1) << s.trial_cost_ratio()
              << " ideal integer passes over its images)"
              << (s.failed ? ", " + std::to_string(s.failed) + " failed" : std::string())
              << "\nresults  " << a.out << "\n";
  }
  return 0;
}

}  // namespace

void add_run_command(CLI::App& app, std::function<int()>& action, MpiContext& mpi) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd =
      app.add_subcommand("run", "Run a Monte Carlo campaign (TOML) and write its results (HDF5)");
  cmd->add_option("campaign", args->campaign, "Campaign file (TOML)")->required();
  cmd->add_option("--out", args->out, "Results file (HDF5)")->required();
  add_ranged_option(cmd, "--threads", args->threads,
                    "Worker threads (0 = all cores); results do not depend on it", 0,
                    Parallelism::MAX_THREADS);
  cmd->add_option("--trials", args->trials, "Trials per point (overrides campaign.trials)")
      ->check(range_of<std::uint64_t>(1, 1e9));
  cmd->add_option(
      "--shard", args->shard,
      "Run only the i-th of N equal blocks of trials (i/N); merge the parts with rapmc merge");
  cmd->add_flag("--resume", args->resume, "Continue the campaign in --out where it stopped");
  cmd->add_flag("--force", args->force, "Replace an existing --out file");
  cmd->add_flag("--no-progress", args->no_progress, "Do not draw the progress line");
  cmd->add_flag("--quiet", args->quiet, "Do not print the summary at the end");
  cmd->add_flag("--detail", args->detail, "Print every metric of every point after the answer");
  cmd->callback([args, &action, &mpi] {
    args->command_line =
        "rapmc run " + args->campaign + " --out " + args->out + (args->resume ? " --resume" : "") +
        (args->force ? " --force" : "") +
        (args->trials ? " --trials " + std::to_string(args->trials) : std::string()) +
        (args->shard.empty() ? std::string() : " --shard " + args->shard) + " --threads " +
        std::to_string(args->threads);
    action = [args, &mpi] { return run_run(*args, mpi); };
  });
}

}  // namespace rapmc
