// `rapmc run` (README, "Monte Carlo campaigns").
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace rapmc {

/// Adds the `run` subcommand to `app`; `action` is set to run it once parsing succeeded.
void add_run_command(CLI::App& app, std::function<int()>& action);

}  // namespace rapmc
