#include "rapmc/pim/adc.h"

#include <cmath>

namespace rapmc::pim {

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

int ideal_convert(int enob, double u, double& margin) {
  const int top = (1 << enob) - 1;
  const double c = std::floor(u + 0.5);
  const int code = c < 0 ? 0 : (c > top ? top : static_cast<int>(c));
  // Nearest threshold: code − 1/2 or code + 1/2, limited to the thresholds that exist.
  double m = 1e30;
  if (code >= 1) m = std::abs(u - (code - 0.5));
  if (code < top) m = std::min(m, std::abs(u - (code + 0.5)));
  margin = m;
  return code;
}

int adc_convert(AdcType type, int enob, std::span<const float> p, float u, float& margin) {
  if (type == AdcType::IDEAL) {
    double m = 0;
    const int c = ideal_convert(enob, u, m);
    margin = static_cast<float>(m);
    return c;
  }
  float m = 1e30f;
  int code = 0;
  if (type == AdcType::FLASH) {
    for (float t : p) {
      code += u > t;
      m = std::min(m, std::abs(u - t));
    }
  } else {
    const float v = u + p[0];
    float acc = 0;
    for (int k = enob - 1; k >= 0; --k) {
      const float trial = acc + p[1 + k];
      const float threshold = trial - 0.5f;
      m = std::min(m, std::abs(v - threshold));
      if (v > threshold) {
        acc = trial;
        code |= 1 << k;
      }
    }
  }
  margin = m;
  return code;
}

}  // namespace rapmc::pim
