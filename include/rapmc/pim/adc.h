// ADC models (docs/design.md, "Chip model"). Analog inputs are in LSB units (u = V/V_lsb); the
// ideal decision thresholds sit at k − 1/2 for codes k = 1..2^enob − 1, so an exact count c gives
// code c. Each instance has its own frozen parameters. Every conversion also reports its signed
// sensing margin (docs/design.md, "Sensing margin"): how far inside the decision interval of the
// ideal code the analog value sat, negative when a decision went wrong.
#pragma once

#include <span>

#include "rapmc/pim/hardware.h"
#include "rapmc/pim/temporal_noise.h"

namespace rapmc::pim {

/// Parameters per instance: ideal 0; flash 2^enob − 1 thresholds (LSB); sar 1 + enob
/// (comparator offset, then the DAC bit weights 2^k·(1 + ε_k), LSB).
int adc_param_count(AdcType type, int enob);
/// Nominal (mismatch-free) parameters, the thresholds `shift_lsb` below k − 1/2
/// (HardwareConfig::threshold_shift_lsb): flash thresholds k − 1/2 − shift, sar offset +shift.
void nominal_adc_params(AdcType type, int enob, double shift_lsb, std::span<float> params);

/// Comparator decisions a conversion takes at most: flash 2^enob − 1, sar enob, ideal 0.
int adc_decisions(AdcType type, int enob);

/// The code of input u and, in `margin_lsb`, its signed sensing margin against the ideal code
/// `ideal`: the smallest, over the decisions the ideal code needs, of how far u sits on the
/// right side of that decision's threshold (comparator noise included). Flash: comparator j
/// (j = 1..2^enob − 1) must fire iff j ≤ ideal; the code is the number that fire (a
/// ones-counting encoder). Sar: each bit decision on the ideal code's search path, keep bit k
/// if u + offset > trial − 1/2. A wrong code always has a margin ≤ 0. With `closest` (flash and
/// sar; the ideal ADC takes no decisions and leaves it as it is), also the smallest distance
/// (LSB, before comparator noise) of u to a threshold of a decision taken. With `worst`, also
/// the decision whose margin that is (flash: the comparator; sar: the bit, enob − 1 first; the
/// ideal ADC: 0 for the threshold below the ideal code, 1 above): the failure modes of the tail
/// estimators.
int adc_convert(AdcType type, int enob, std::span<const float> params, float u, int ideal,
                float& margin_lsb, const DecisionNoise& noise = {}, float* closest = nullptr,
                int* worst = nullptr);

/// The noise-free signed margin (LSB) of every decision the ideal code `ideal` needs, for input
/// u: flash, comparator j (j = 0..2^enob − 2) must fire iff j < ideal, margin ±(u − t_j); sar,
/// the enob decisions of the ideal code's search path, bit enob − 1 first; ideal, the threshold
/// below the ideal code and the one above (1e30 where none exists). `out` holds
/// adc_decisions(type, enob) values (2 for the ideal ADC). The smallest of them is
/// adc_convert's noise-free margin (tested). Decision d goes wrong under Gaussian noise of σ on
/// the input with probability Q(margin_d/σ): the tail estimators' noise-averaged error rate.
void adc_decision_margins(AdcType type, int enob, std::span<const float> params, float u, int ideal,
                          std::span<float> out);

/// The ideal ADC on an analog value u (double): clamp(floor(u + 1/2), 0, 2^enob − 1), and its
/// signed margin against the ideal code `ideal` (thresholds at k ± 1/2 that exist).
int ideal_convert(int enob, double u, int ideal, double& margin_lsb, int* worst = nullptr);

}  // namespace rapmc::pim
