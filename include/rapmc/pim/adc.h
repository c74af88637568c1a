// ADC models (docs/design.md, "Chip model"). Analog inputs are in LSB units (u = V/V_lsb); the
// ideal decision thresholds sit at k − 1/2 for codes k = 1..2^enob − 1, so an exact count c gives
// code c and a sensing margin of 1/2 LSB. Each instance has its own frozen parameters.
#pragma once

#include <span>

#include "rapmc/pim/hardware.h"

namespace rapmc::pim {

/// Parameters per instance: ideal 0; flash 2^enob − 1 thresholds (LSB); sar 1 + enob
/// (comparator offset, then the DAC bit weights 2^k·(1 + ε_k), LSB).
int adc_param_count(AdcType type, int enob);
/// Nominal (mismatch-free) parameters, the thresholds `shift_lsb` below k − 1/2
/// (HardwareConfig::threshold_shift_lsb): flash thresholds k − 1/2 − shift, sar offset +shift.
void nominal_adc_params(AdcType type, int enob, double shift_lsb, std::span<float> params);

/// The code of input u, and in `margin_lsb` the distance of u from the nearest decision
/// threshold the conversion used (flash: all comparators; sar: each bit decision).
/// ideal: clamp(floor(u + 1/2), 0, 2^enob − 1); flash: number of thresholds below u (a
/// ones-counting encoder); sar: binary search, keep bit k if u + offset > trial − 1/2.
int adc_convert(AdcType type, int enob, std::span<const float> params, float u, float& margin_lsb);

/// The ideal ADC on an exact analog value u (double): code and margin.
int ideal_convert(int enob, double u, double& margin_lsb);

}  // namespace rapmc::pim
