// Requantization without dequantize-quantize (docs/design.md, "Integer pipelines"): the eMSB window
// of RAP and the dyadic multiplier-and-shift of I-ViT/I-BERT. Integer only, division-free.
#pragma once

#include <cstdint>
#include <span>

namespace rapmc::kern {

/// Right shift that brings `max_abs` inside a signed window of `bits` bits:
/// s = max(0, msb(max_abs) - (bits - 2)), so max_abs >> s < 2^(bits-1).
int emsb_shift(std::uint64_t max_abs, int bits);

/// RAP eMSB requantization of one vector: finds the effective MSB of max|w|, keeps the
/// window of `bits` bits below it by a rounding arithmetic shift, saturates (only the
/// value rounded up to exactly 2^(bits-1) can saturate, by one LSB). Returns the shift s:
/// the caller adds it to the vector's power-of-two exponent. out may alias nothing.
int requant_emsb(std::span<const std::int64_t> w, int bits, std::span<std::int32_t> out);

/// Dyadic requantization: out_i = saturate(round(w_i·m·2^-s), bits), product in 128 bits.
void requant_dyadic(std::span<const std::int64_t> w, std::int64_t m, int s, int bits,
                    std::span<std::int32_t> out);

}  // namespace rapmc::kern
