// The ADC decision rule, once (docs/design.md, "Chip model"): the arithmetic of one comparator
// decision, shared by the scalar conversion (adc_convert, adc_decision_margins in adc.cpp) and
// the engine's vectorised conversion of a whole read's bitlines (below, adc_kernels.cpp), so
// that a change to the rule reaches both. The bitline kernels give adc_convert's noise-free code,
// margin and closest distance bit for bit (tests/unit/test_adc.cpp, at every resolution).
#pragma once

#include <cmath>
#include <cstdint>

namespace rapmc::pim {

/// The shared arithmetic of a decision. Each function is one IEEE float operation (or a
/// choice), no contraction (the build keeps -ffp-contract=off), so both paths round alike.
namespace adc_rule {

/// Flash comparator with threshold t (LSB) on input u: the signed distance u − t.
[[gnu::always_inline]] inline float flash_distance(float u, float t) {
  return u - t;
}
/// The value a SAR converter compares: the input plus its comparator offset (LSB).
[[gnu::always_inline]] inline float sar_input(float u, float offset) {
  return u + offset;
}
/// The DAC level a SAR bit trial compares against: the bits kept so far plus the bit's weight.
[[gnu::always_inline]] inline float sar_trial(float kept, float weight) {
  return kept + weight;
}
/// SAR decision on input v at DAC level `trial`: the signed distance to its threshold trial − 1/2.
[[gnu::always_inline]] inline float sar_distance(float v, float trial) {
  return v - (trial - 0.5f);
}
/// A decision fires (flash comparator on, SAR bit kept) iff its (noisy) distance is > 0.
[[gnu::always_inline]] inline bool fires(float x) {
  return x > 0.0f;
}
/// Margin of a decision against the ideal code: x if the ideal code needs it to fire, else −x.
[[gnu::always_inline]] inline float decision_margin(bool want, float x) {
  return want ? x : -x;
}
/// Distance to a decision's threshold (before noise): |x|, for the noise's reach.
[[gnu::always_inline]] inline float threshold_distance(float x) {
  return std::fabs(x);
}

}  // namespace adc_rule

/// Noise-free flash conversion of the `cols` bitlines of one read (the engine's vectorised
/// path): bitline col has input u[col] (LSB), ideal code ideal[col] and its instance's
/// thresholds t[k·cols + col], k = 0..2^enob − 2. Writes code[col], margin[col] and
/// closest[col]: what adc_convert(AdcType::FLASH, enob, …, u[col], ideal[col], margin, {},
/// &closest) gives, bit for bit. enob 1..8 (the hardware file's range for flash).
void flash_bitlines(int enob, int cols, const float* t, const float* u, const std::int32_t* ideal,
                    std::int32_t* code, float* margin, float* closest);

/// The same for a SAR ADC: p[k·cols + col] holds bitline col's instance offset (k = 0) and bit
/// weights (k = 1 + bit), as adc_convert(AdcType::SAR, …) takes them. enob 1..12; up to 8 bits
/// the bitlines vectorise, beyond that each is converted by adc_convert.
void sar_bitlines(int enob, int cols, const float* p, const float* u, const std::int32_t* ideal,
                  std::int32_t* code, float* margin, float* closest);

}  // namespace rapmc::pim
