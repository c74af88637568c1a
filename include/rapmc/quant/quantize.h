// Post-training quantization: FP32 model + calibrated activation ranges → integer model.
// Offline: the only place (besides calibration) where floats meet the integer model.
#pragma once

#include <string>

#include "rapmc/data/dataset.h"
#include "rapmc/model/encoder_model.h"
#include "rapmc/quant/calibration.h"
#include "rapmc/quant/int_model.h"

namespace rapmc {

/// Builds the integer model from calibrated ranges (see calibrate()). ConfigError for
/// settings out of range; ModelError if `ranges` lacks a point the model needs.
IntModel quantize_model(const EncoderModel& model, const ActivationRanges& ranges,
                        const QuantSettings& settings);

/// Calibrates on `calib` and quantizes: the whole of `rapmc quantize`.
IntModel quantize_model(const EncoderModel& model, const SampleSet& calib,
                        const CalibrationOptions& calibration, const QuantSettings& settings);

/// ModelError naming `int_path` and the FP32 model's file unless `q` has `fp32`'s architecture
/// (kind, sizes, input): an integer model is only ever read beside the model it came from.
void check_same_architecture(const EncoderModel& fp32, const IntModel& q,
                             const std::string& int_path);

}  // namespace rapmc
