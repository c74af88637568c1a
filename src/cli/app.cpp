#include "rapmc/cli/app.h"

#include <CLI/CLI.hpp>
#include <csignal>
#include <exception>
#include <functional>
#include <iostream>

#include "rapmc/cli/bench_command.h"
#include "rapmc/cli/compare_command.h"
#include "rapmc/cli/config_command.h"
#include "rapmc/cli/eval_command.h"
#include "rapmc/cli/merge_command.h"
#include "rapmc/cli/quantize_command.h"
#include "rapmc/cli/replay_command.h"
#include "rapmc/cli/report_command.h"
#include "rapmc/cli/run_command.h"
#include "rapmc/cli/tails_command.h"
#include "rapmc/core/errors.h"
#include "rapmc/core/mpi_context.h"
#include "rapmc/core/version.h"

namespace rapmc {

namespace {
// Errors every rank sees (bad input, found before ranks depend on each other) are printed once,
// by rank 0; an error once ranks depend on each other is printed with its rank and aborts the
// whole job (MPI_Abort), leaving the rows already written readable.
int report_error(const MpiContext& mpi, const std::string& what, int code) {
  if (mpi.size() > 1 && mpi.collective()) {
    std::cerr << "rapmc: error (rank " << mpi.rank() << " of " << mpi.size() << "): " << what
              << "\n";
    mpi.abort(code);
  }
  if (mpi.is_root())
    std::cerr << "rapmc: "
              << (code == static_cast<int>(ExitCode::INTERNAL) ? "internal error: " : "error: ")
              << what << "\n";
  return code;
}
}  // namespace

int run_cli(int argc, char** argv) {
  // A write beyond a file-size limit (ulimit -f) fails with EFBIG, reported as an I/O error
  // naming the file, instead of killing the process with SIGXFSZ mid-write (docs/errors.md).
  std::signal(SIGXFSZ, SIG_IGN);
  MpiContext mpi(argc, argv);
  CLI::App app{
      "rapmc: Monte Carlo PVT-variation and error-resilience analyzer for the RAP/FLARE "
      "AMS-PiM transformer accelerator"};
  app.require_subcommand(0, 1);
  bool show_version = false;
  app.add_flag("--version", show_version, "Print version, git commit and library versions");
  std::function<int()> action;
  add_eval_command(app, action);
  add_quantize_command(app, action);
  add_bench_command(app, action);
  add_run_command(app, action, mpi);
  add_report_command(app, action);
  add_replay_command(app, action);
  add_merge_command(app, action);
  add_compare_command(app, action);
  add_tails_command(app, action);
  add_config_command(app, action);

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
    return report_error(mpi, e.what(), static_cast<int>(e.code()));
  } catch (const std::exception& e) {
    return report_error(mpi, e.what(), static_cast<int>(ExitCode::INTERNAL));
  }
}

}  // namespace rapmc
