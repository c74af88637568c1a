// `rapmc tails`: the probability that one conversion returns a wrong code, per count, far
// beyond plain Monte Carlo's reach (docs/design.md, "High-sigma estimation").
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace rapmc {

/// Adds the `tails` subcommand to `app`; `action` is set to run it once parsing succeeded.
void add_tails_command(CLI::App& app, std::function<int()>& action);

}  // namespace rapmc
