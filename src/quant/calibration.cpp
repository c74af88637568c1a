#include "rapmc/quant/calibration.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "rapmc/core/enum_names.h"
#include "rapmc/core/errors.h"
#include "rapmc/data/dataset.h"
#include "rapmc/model/fp32_forward.h"

namespace rapmc {

namespace {
constexpr EnumNames<Calibrator, 2> CALIBRATORS{
    {{Calibrator::MINMAX, "minmax"}, {Calibrator::PERCENTILE, "percentile"}}};
}  // namespace

Calibrator parse_calibrator(const std::string& name) {
  if (const auto c = find_value(CALIBRATORS, name)) return *c;
  throw ConfigError("--calibrator: unknown calibrator '" + name + "' (expected " +
                    joined_names(CALIBRATORS) + ")");
}

std::string to_string(Calibrator c) {
  return std::string(name_of(CALIBRATORS, c));
}

ActivationRanges calibrate(const EncoderModel& model, const SampleSet& calib,
                           const CalibrationOptions& options) {
  if (calib.size() == 0) {
    throw ConfigError("calibration set '" + calib.name + "' is empty (need --calib-size >= 1)");
  }
  if (options.method == Calibrator::PERCENTILE &&
      !(options.percentile > 50 && options.percentile <= 100)) {
    throw ConfigError("--percentile = " + std::to_string(options.percentile) +
                      " out of range (50, 100]");
  }
  check_input_shape(calib, model.input());
  // Sequential on purpose: cheap (a few ms per image) and trivially deterministic.
  std::map<std::string, std::vector<float>> samples;
  std::map<std::string, double> maxima;
  const Fp32Inference fp32(model);
  for (std::size_t i = 0; i < calib.size(); ++i) {
    fp32.forward(calib.sample(i), [&](const std::string& point, const arma::mat& v) {
      double& mx = maxima[point];
      mx = std::max(mx, arma::abs(v).max());
      if (options.method == Calibrator::PERCENTILE) {
        auto& s = samples[point];
        for (double x : v) s.push_back(static_cast<float>(std::abs(x)));
      }
    });
  }
  ActivationRanges ranges;
  for (const auto& [point, mx] : maxima) {
    double r = mx;
    if (options.method == Calibrator::PERCENTILE) {
      auto& s = samples[point];
      const auto k = static_cast<std::size_t>(
                         std::ceil(options.percentile / 100.0 * static_cast<double>(s.size()))) -
                     1;
      std::nth_element(s.begin(),
                       s.begin() + static_cast<std::ptrdiff_t>(std::min(k, s.size() - 1)), s.end());
      r = s[std::min(k, s.size() - 1)];
    }
    ranges[point] = r > 0 ? r : 1e-12;
  }
  return ranges;
}

}  // namespace rapmc
