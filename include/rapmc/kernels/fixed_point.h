// Integer fixed-point primitives of the FP-less, division-free runtime (docs/design.md, "Integer
// pipelines"). This header and every kernel in src/kernels/ compile with -mgeneral-regs-only in the
// test build: no floating point and no divide instruction may appear in them.
//
// Conventions: "Qn" means an integer holding value·2^n. Shifts round half up (toward +∞):
// shift_round(x, s) = floor(x / 2^s + 1/2), computed without overflow for every int64 x.
#pragma once

#include <cstdint>

namespace rapmc::kern {

/// floor(x/2^s + 1/2) for s > 0 (no overflow for any x; s >= 64 gives 0);
/// x·2^(-s) saturated to the int64 range for s < 0; x for s = 0.
std::int64_t shift_round(std::int64_t x, int s);

/// Index of the most significant set bit (the effective MSB), -1 for 0.
int msb_index(std::uint64_t x);

/// |x| as unsigned (exact for INT64_MIN).
std::uint64_t abs_u64(std::int64_t x);

/// Clamps x to the signed range of `bits` bits: [-2^(bits-1), 2^(bits-1) - 1], 2 <= bits <= 63.
std::int64_t saturate(std::int64_t x, int bits);

/// a + b saturated to the int64 range (a sum of two saturated shifts must not wrap).
std::int64_t add_saturate(std::int64_t a, std::int64_t b);

/// shift_round(a·b, s) with the product formed in 128 bits, saturated to int64.
std::int64_t mul_shift_round(std::int64_t a, std::int64_t b, int s);

/// 1/x for x > 0 by an eMSB seed and multiply-only Newton steps.
/// Returns r in Q30, r ∈ (2^29, 2^30], and sets `exp` so that 1/x ≈ r·2^(-30-exp).
/// Relative error below 2^-28 for all x in [1, 2^62].
std::int64_t reciprocal_q30(std::uint64_t x, int& exp);

/// 1/√x for x > 0 by an eMSB seed, a 12-entry integer table and multiply-only Newton
/// steps. Returns r in Q30, r ∈ (2^29, 2^30], and `exp` with 1/√x ≈ r·2^(-30-exp).
/// Relative error below 2^-27 for all x in [1, 2^62].
std::int64_t rsqrt_q30(std::uint64_t x, int& exp);

/// 2^(u/2^16) for u <= 0 (u in Q16), in Q30: shifts for the integer part, a quartic
/// integer polynomial for the fraction (relative error < 5e-6). u < -2^16·40 gives 0.
std::int64_t exp2_q30(std::int64_t u_q16);

}  // namespace rapmc::kern
