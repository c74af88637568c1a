#include "rapmc/cli/quant_options.h"

#include "rapmc/cli/ranged_option.h"
#include "rapmc/core/errors.h"
#include "rapmc/data/dataset.h"
#include "rapmc/quant/quantize.h"

namespace rapmc {

void add_quant_options(CLI::App* cmd, QuantArgs& a) {
  cmd->add_option("--calib", a.calib,
                  "Calibration dataset (default: the model's kind, fashion-mnist:train for a "
                  "ViT, wordnet:train for a text model)");
  add_ranged_option(cmd, "--calib-size", a.calib_size,
                    "Calibration samples (the first N of --calib)", 1, 1e7);
  cmd->add_option("--calibrator", a.calibrator, "Activation range: minmax|percentile")
      ->capture_default_str();
  cmd->add_option("--percentile", a.percentile,
                  "Percentile of |x| for --calibrator percentile, in (50, 100]")
      ->capture_default_str();  // (50, 100], open below: validate_quant_args
  // Bit widths are checked by QuantSettings::validate (validate_quant_args), with the files'.
  cmd->add_option("--weight-bits", a.settings.weight_bits, "Signed weight bits, 2..8")
      ->capture_default_str();
  cmd->add_option("--act-bits", a.settings.act_bits, "Signed activation bits, 2..8")
      ->capture_default_str();
}

CalibrationOptions validate_quant_args(const QuantArgs& a) {
  a.settings.validate();
  CalibrationOptions c;
  c.method = parse_calibrator(a.calibrator);
  c.percentile = a.percentile;
  if (!(c.percentile > 50 && c.percentile <= 100)) {  // checked even when minmax ignores it
    throw ConfigError("--percentile = " + std::to_string(c.percentile) + " out of range (50, 100]");
  }
  return c;
}

IntModel quantize_from_args(const EncoderModel& model, const QuantArgs& a,
                            const std::string& data_dir) {
  const CalibrationOptions c = validate_quant_args(a);
  const std::string spec = a.calib.empty() ? default_dataset(model.input(), "train") : a.calib;
  const SampleSet calib = load_dataset(spec, model.input(), data_dir, a.calib_size);
  return quantize_model(model, calib, c, a.settings);
}

}  // namespace rapmc
