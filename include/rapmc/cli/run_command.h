// `rapmc run` (docs/commands.md).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "rapmc/core/mpi_context.h"

namespace rapmc {

/// Adds the `run` subcommand to `app`; `action` is set to run it once parsing succeeded.
/// `mpi` (alive for the program) lets `mpirun -np N rapmc run` share the trials over ranks.
void add_run_command(CLI::App& app, std::function<int()>& action, MpiContext& mpi);

}  // namespace rapmc
