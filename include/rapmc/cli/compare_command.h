// `rapmc compare` (docs/commands.md, "compare"): paired differences between two campaigns.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace rapmc {

/// Adds the `compare` subcommand to `app`; `action` is set to run it once parsing succeeded.
void add_compare_command(CLI::App& app, std::function<int()>& action);

}  // namespace rapmc
