// `rapmc bench`: throughput of the AMS-PiM engine against this machine's sgemm, in one run.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace rapmc {

/// Adds the `bench` subcommand to `app`; `action` is set to run it once parsing succeeded.
void add_bench_command(CLI::App& app, std::function<int()>& action);

}  // namespace rapmc
