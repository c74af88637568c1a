// `rapmc quantize`: FP32 model + calibration set → integer model file.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "rapmc/cli/quant_options.h"

namespace rapmc {

/// The options of `rapmc quantize` (docs/commands.md, "quantize").
struct QuantizeArgs {
  std::string model = "data/models/vit_fmnist.h5";
  std::string out;
  std::string data_dir;
  bool force = false;
  int threads = 0;
  QuantArgs quant;
};

/// Runs `rapmc quantize`: calibrates the FP32 model and writes the integer model file (also the
/// Python module's rapmc.quantize).
int run_quantize(const QuantizeArgs& a);

/// Adds the `quantize` subcommand to `app`; `action` is set to run it once parsing succeeded.
void add_quantize_command(CLI::App& app, std::function<int()>& action);

}  // namespace rapmc
