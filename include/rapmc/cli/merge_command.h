// `rapmc merge` (docs/cluster.md).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace rapmc {

/// Adds the `merge` subcommand to `app`; `action` is set to run it once parsing succeeded.
void add_merge_command(CLI::App& app, std::function<int()>& action);

}  // namespace rapmc
