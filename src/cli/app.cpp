#include "rapmc/cli/app.h"

#include <CLI/CLI.hpp>
#include <exception>
#include <functional>
#include <iostream>

#include "rapmc/cli/bench_command.h"
#include "rapmc/cli/eval_command.h"
#include "rapmc/cli/merge_command.h"
#include "rapmc/cli/quantize_command.h"
#include "rapmc/cli/replay_command.h"
#include "rapmc/cli/report_command.h"
#include "rapmc/cli/run_command.h"
#include "rapmc/core/errors.h"
#include "rapmc/core/version.h"

namespace rapmc {

int run_cli(int argc, char** argv) {
  CLI::App app{"rapmc: Monte Carlo PVT-variation and error-resilience analyzer for the RAP/FLARE "
               "AMS-PiM transformer accelerator"};
  app.require_subcommand(0, 1);
  bool show_version = false;
  app.add_flag("--version", show_version, "Print version, git commit and library versions");
  std::function<int()> action;
  add_eval_command(app, action);
  add_quantize_command(app, action);
  add_bench_command(app, action);
  add_run_command(app, action);
  add_report_command(app, action);
  add_replay_command(app, action);
  add_merge_command(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);  // prints help or the parse error
    return rc == 0 ? 0 : static_cast<int>(ExitCode::CONFIG);
  }
  if (show_version) {
    std::cout << version_text();
    return 0;
  }
  if (!action) {
    std::cout << app.help();
    return static_cast<int>(ExitCode::CONFIG);
  }
  try {
    return action();
  } catch (const Error& e) {
    std::cerr << "rapmc: error: " << e.what() << "\n";
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::cerr << "rapmc: internal error: " << e.what() << "\n";
    return static_cast<int>(ExitCode::INTERNAL);
  }
}

}  // namespace rapmc
