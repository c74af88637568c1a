#include "rapmc/pim/adc.h"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <cmath>

#include "rapmc/pim/adc_kernels.h"

namespace rapmc::pim {

using namespace adc_rule;  // the decision arithmetic the bitline kernels share

int adc_param_count(AdcType type, int enob) {
  switch (type) {
    case AdcType::IDEAL:
      return 0;
    case AdcType::FLASH:
      return (1 << enob) - 1;
    case AdcType::SAR:
      return 1 + enob;
  }
  return 0;
}

void nominal_adc_params(AdcType type, int enob, double shift_lsb, std::span<float> p) {
  if (type == AdcType::FLASH) {
    for (int k = 1; k < (1 << enob); ++k) p[k - 1] = static_cast<float>(k - 0.5 - shift_lsb);
  } else if (type == AdcType::SAR) {
    p[0] = static_cast<float>(shift_lsb);
    for (int k = 0; k < enob; ++k) p[1 + k] = static_cast<float>(1 << k);
  }
}

int adc_decisions(AdcType type, int enob) {
  return type == AdcType::FLASH ? (1 << enob) - 1 : type == AdcType::SAR ? enob : 0;
}

int ideal_convert(int enob, double u, int ideal, double& margin, int* worst) {
  const int top = (1 << enob) - 1;
  const double c = std::floor(u + 0.5);
  const int code = c < 0 ? 0 : (c > top ? top : static_cast<int>(c));
  // The interval of the ideal code: (ideal − 1/2, ideal + 1/2), open where no threshold exists.
  double m = 1e30;
  int which = 0;
  if (ideal >= 1) m = u - (ideal - 0.5);
  if (ideal < top && (ideal + 0.5) - u < m) {
    m = (ideal + 0.5) - u;
    which = 1;
  }
  margin = m;
  if (worst) *worst = which;
  return code;
}

void adc_decision_margins(AdcType type, int enob, std::span<const float> p, float u, int ideal,
                          std::span<float> out) {
  if (type == AdcType::IDEAL) {  // thresholds at k ± 1/2 (the caller adds the shift to u)
    const int top = (1 << enob) - 1;
    out[0] = ideal >= 1 ? u - (static_cast<float>(ideal) - 0.5f) : 1e30f;
    out[1] = ideal < top ? (static_cast<float>(ideal) + 0.5f) - u : 1e30f;
    return;
  }
  if (type == AdcType::FLASH) {
    for (std::size_t j = 0; j < p.size(); ++j)
      out[j] = decision_margin(static_cast<int>(j) < ideal, flash_distance(u, p[j]));
    return;
  }
  const float v = sar_input(u, p[0]);
  float ideal_acc = 0;
  for (int k = enob - 1; k >= 0; --k) {
    const bool want = (ideal >> k) & 1;
    const float trial = sar_trial(ideal_acc, p[1 + k]);
    out[static_cast<std::size_t>(enob - 1 - k)] = decision_margin(want, sar_distance(v, trial));
    if (want) ideal_acc = trial;
  }
}

int adc_convert(AdcType type, int enob, std::span<const float> p, float u, int ideal, float& margin,
                const DecisionNoise& noise, float* closest, int* worst) {
  if (type == AdcType::IDEAL) {
    double m = 0;
    const int c = ideal_convert(enob, u, ideal, m, worst);
    margin = static_cast<float>(m);
    return c;
  }
  float m = 1e30f, near = 1e30f;
  int code = 0, which = 0;
  auto keep = [&](float signed_x, int decision) {
    if (signed_x < m) {
      m = signed_x;
      which = decision;
    }
  };
  if (type == AdcType::FLASH) {
    for (std::size_t j = 0; j < p.size(); ++j) {
      const float d = flash_distance(u, p[j]);
      near = std::min(near, threshold_distance(d));
      const float x = d - noise.draw(static_cast<int>(j), d);
      code += fires(x);
      keep(decision_margin(static_cast<int>(j) < ideal, x), static_cast<int>(j));
    }
  } else {
    const float v = sar_input(u, p[0]);
    float acc = 0, ideal_acc = 0;
    for (int k = enob - 1; k >= 0; --k) {
      // The decision the converter takes (on its own path) ...
      const float trial = sar_trial(acc, p[1 + k]);
      const float d = sar_distance(v, trial);
      near = std::min(near, threshold_distance(d));
      const float x = d - noise.draw(enob - 1 - k, d);
      if (fires(x)) {
        acc = trial;
        code |= 1 << k;
      }
      // ... and its margin on the ideal code's path (the same decision while the paths agree).
      const bool want = (ideal >> k) & 1;
      const float ideal_trial = sar_trial(ideal_acc, p[1 + k]);
      const float xi = ideal_trial == trial ? x : sar_distance(v, ideal_trial);
      keep(decision_margin(want, xi), k);
      if (want) ideal_acc = ideal_trial;
    }
  }
  margin = m;
  if (closest) *closest = near;
  if (worst) *worst = which;
  return code;
}

}  // namespace rapmc::pim
