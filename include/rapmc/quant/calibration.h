// Post-training calibration of activation ranges on FP32 reference activations.
#pragma once

#include <map>
#include <string>

#include "rapmc/data/dataset.h"
#include "rapmc/model/encoder_model.h"

namespace rapmc {

enum class Calibrator {
  MINMAX,      // range = max |x| over the calibration set
  PERCENTILE,  // range = the p-th percentile of |x| (clips rare outliers)
};

Calibrator parse_calibrator(const std::string& name);  // "minmax" | "percentile"
std::string to_string(Calibrator c);

struct CalibrationOptions {
  Calibrator method = Calibrator::PERCENTILE;
  double percentile = 99.99;  // %, for PERCENTILE; in (50, 100]
};

/// Range (max |x| or percentile of |x|) of each observation point of the FP32 forward pass
/// (see Fp32Observer), keyed by point name.
using ActivationRanges = std::map<std::string, double>;

/// Runs the FP32 model over every image of `calib` and returns the range of each point.
/// ConfigError for an empty calibration set or a percentile out of range.
ActivationRanges calibrate(const EncoderModel& model, const SampleSet& calib,
                           const CalibrationOptions& options);

}  // namespace rapmc
