// `rapmc replay` (docs/commands.md).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace rapmc {

/// Adds the `replay` subcommand to `app`; `action` is set to run it once parsing succeeded.
void add_replay_command(CLI::App& app, std::function<int()>& action);

}  // namespace rapmc
