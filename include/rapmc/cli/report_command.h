// `rapmc report` (docs/commands.md).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace rapmc {

struct ReportOptions {
  bool json = false;
  double flip_rate_max = -1;  // > 0: also the yield P(flip rate <= this)
  bool scaled_sigma = false;  // fit the scaled-sigma points' failure rates back to σ × 1
  bool detail = false;        // text: every metric of every point after the answer
};

/// The summary of a results file as one JSON object, from its trial rows.
nlohmann::ordered_json report_json(const std::string& path, const ReportOptions& o = {});

/// Prints the summary of a results file: report_json, or as text the answer (accuracy against
/// exact arithmetic, yield, code error rate, 1 % margin, speed), then with `detail` every metric.
void print_report(const std::string& path, const ReportOptions& o = {});

/// Adds the `report` subcommand to `app`; `action` is set to run it once parsing succeeded.
void add_report_command(CLI::App& app, std::function<int()>& action);

}  // namespace rapmc
