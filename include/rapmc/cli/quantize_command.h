// `rapmc quantize`: FP32 model + calibration set → integer model file.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace rapmc {

/// Adds the `quantize` subcommand to `app`; `action` is set to run it once parsing succeeded.
void add_quantize_command(CLI::App& app, std::function<int()>& action);

}  // namespace rapmc
