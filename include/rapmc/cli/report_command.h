// `rapmc report` (docs/commands.md).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace rapmc {

/// Adds the `report` subcommand to `app`; `action` is set to run it once parsing succeeded.
/// Prints the summary of a results file (text or one JSON object) from its trial rows.
void print_report(const std::string& path, bool json);

void add_report_command(CLI::App& app, std::function<int()>& action);

}  // namespace rapmc
