// `rapmc compare` (docs/commands.md, "compare"): paired differences between two campaigns.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>

#include "rapmc/results/compare.h"

namespace rapmc {

/// Adds the `compare` subcommand to `app`; `action` is set to run it once parsing succeeded.
void add_compare_command(CLI::App& app, std::function<int()>& action);

/// The comparison as `rapmc compare --json` prints it (also the Python module's).
nlohmann::ordered_json comparison_json(const Comparison& c);

}  // namespace rapmc
