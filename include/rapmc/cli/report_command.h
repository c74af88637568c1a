// `rapmc report` (docs/commands.md).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace rapmc {

struct ReportOptions {
  bool json = false;
  double flip_rate_max = -1;  // > 0: also the yield P(flip rate <= this)
  bool scaled_sigma = false;  // fit the scaled-sigma points' failure rates back to σ × 1
};

/// Adds the `report` subcommand to `app`; `action` is set to run it once parsing succeeded.
/// Prints the summary of a results file (text or one JSON object) from its trial rows.
void print_report(const std::string& path, const ReportOptions& o = {});

void add_report_command(CLI::App& app, std::function<int()>& action);

}  // namespace rapmc
