#include "rapmc/cli/quant_options.h"

#include "rapmc/core/errors.h"
#include "rapmc/data/dataset.h"
#include "rapmc/quant/quantize.h"

namespace rapmc {

void add_quant_options(CLI::App* cmd, QuantArgs& a) {
  cmd->add_option("--calib", a.calib, "Calibration dataset")->capture_default_str();
  cmd->add_option("--calib-size", a.calib_size, "Calibration images (the first N of --calib)")
      ->capture_default_str();
  cmd->add_option("--calibrator", a.calibrator, "Activation range: minmax|percentile")
      ->capture_default_str();
  cmd->add_option("--percentile", a.percentile,
                  "Percentile of |x| for --calibrator percentile, in (50, 100]")
      ->capture_default_str();
  cmd->add_option("--weight-bits", a.settings.weight_bits, "Signed weight bits, 2..8")
      ->capture_default_str();
  cmd->add_option("--act-bits", a.settings.act_bits, "Signed activation bits, 2..8")
      ->capture_default_str();
}

CalibrationOptions validate_quant_args(const QuantArgs& a) {
  a.settings.validate();
  if (a.calib_size < 1)
    throw ConfigError("--calib-size must be at least 1 (the calibration set is empty)");
  CalibrationOptions c;
  c.method = parse_calibrator(a.calibrator);
  c.percentile = a.percentile;
  if (c.method == Calibrator::PERCENTILE && !(c.percentile > 50 && c.percentile <= 100)) {
    throw ConfigError("--percentile = " + std::to_string(c.percentile) + " out of range (50, 100]");
  }
  return c;
}

IntModel quantize_from_args(const EncoderModel& model, const QuantArgs& a,
                            const std::string& data_dir) {
  const CalibrationOptions c = validate_quant_args(a);
  const SampleSet calib = load_dataset(a.calib, model.input(), data_dir, a.calib_size);
  return quantize_model(model, calib, c, a.settings);
}

}  // namespace rapmc
