#include "rapmc/cli/merge_command.h"

#include <iostream>
#include <memory>

#include "rapmc/cli/report_command.h"
#include "rapmc/results/merge.h"

namespace rapmc {

void add_merge_command(CLI::App& app, std::function<int()>& action) {
  auto o = std::make_shared<MergeOptions>();
  auto quiet = std::make_shared<bool>(false);
  CLI::App* cmd =
      app.add_subcommand("merge", "Merge the shard files of a campaign into one results file");
  cmd->add_option("parts", o->parts, "Shard files (rapmc run --shard i/N)")->required();
  cmd->add_option("--out", o->out, "Merged results file (HDF5)")->required();
  cmd->add_flag("--force", o->force, "Replace an existing --out file");
  cmd->add_flag("--quiet", *quiet, "Do not print the summary");
  cmd->callback([o, quiet, &action] {
    o->command_line = "rapmc merge";
    for (const auto& p : o->parts) o->command_line += " " + p;
    o->command_line += " --out " + o->out;
    action = [o, quiet] {
      const auto n = merge_shards(*o);
      if (!*quiet) {
        std::cout << "merged " << o->parts.size() << " shards, " << n << " trials, into " << o->out
                  << "\n\n";
        print_report(o->out);
      }
      return 0;
    };
  });
}

}  // namespace rapmc
