// `rapmc eval`: one pipeline over a dataset.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <functional>
#include <string>

#include "rapmc/cli/quant_options.h"

namespace rapmc {

/// The options of `rapmc eval` (docs/commands.md, "eval").
struct EvalArgs {
  std::string model = "data/models/vit_fmnist.h5";
  std::string int_model;
  std::string dataset;  // empty: the model's own kind of test data (default_dataset)
  std::string data_dir;
  std::string pipeline = "fp32";
  std::string requant = "emsb";
  std::string hardware;
  std::size_t limit = 0;
  int threads = 0;
  bool json = false;
  bool no_progress = false;
  QuantArgs quant;
};

/// Runs `rapmc eval` with these options, printing text or, with `json`, one JSON object (also
/// the Python module's rapmc.eval). Every option is checked before anything is loaded.
int run_eval(EvalArgs a);

/// Adds the `eval` subcommand to `app`; `action` is set to run it once parsing succeeded.
void add_eval_command(CLI::App& app, std::function<int()>& action);

}  // namespace rapmc
