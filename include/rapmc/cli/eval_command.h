// `rapmc eval`: one pipeline over a dataset.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace rapmc {

/// Adds the `eval` subcommand to `app`; `action` is set to run it once parsing succeeded.
void add_eval_command(CLI::App& app, std::function<int()>& action);

}  // namespace rapmc
