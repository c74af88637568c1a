// Command-line options of post-training quantization, shared by `quantize` and `eval`.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <string>

#include "rapmc/model/encoder_model.h"
#include "rapmc/quant/calibration.h"
#include "rapmc/quant/int_model.h"

namespace rapmc {

struct QuantArgs {
  std::string calib;  // empty: the model's own kind of training data (default_dataset)
  std::size_t calib_size = 512;
  std::string calibrator = "percentile";
  double percentile = 99.99;
  QuantSettings settings;
};

/// Adds --calib, --calib-size, --calibrator, --percentile, --weight-bits, --act-bits.
void add_quant_options(CLI::App* cmd, QuantArgs& args);

/// Checks the options (ConfigError naming each bad one) before anything is loaded.
CalibrationOptions validate_quant_args(const QuantArgs& args);

/// Calibrates `model` on the first --calib-size images of --calib and quantizes it.
IntModel quantize_from_args(const EncoderModel& model, const QuantArgs& args,
                            const std::string& data_dir);

}  // namespace rapmc
