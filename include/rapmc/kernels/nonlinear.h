// Division-free integer nonlinear units of the FP-less pipeline (docs/design.md, "Integer
// pipelines"): VDR-softmax, GELU, tanh (BERT's pooler) and LayerNorm. Rounding is half up
// everywhere (shift_round).
#pragma once

#include <cstdint>
#include <span>

namespace rapmc::kern {

/// VDR-softmax of one row of integer scores a_j.
/// The base-2 exponent of each term is u_j = (a_j - max a)·mult·2^-shift in Q16 (the caller
/// folds the score scale and log2(e) into mult/shift); 2^u_j comes from shifts plus a
/// quartic polynomial (Q30); the row sum's eMSB seeds a Newton reciprocal; the outputs are
/// probabilities in Q`out_bits`, saturated to 2^out_bits - 1 (so p = 1 reads 1 - 2^-out_bits).
/// Error against the float softmax: at most 2^-out_bits (see tests).
void softmax_row(std::span<const std::int64_t> scores, std::int64_t mult, int shift, int out_bits,
                 std::span<std::int32_t> out);

/// GELU by the shift-based sigmoid form x·σ(1.5958·(x + 0.044715·x³)) with the division-free
/// reciprocal; x and the result in Q`frac` (0 <= frac <= 24). |x| >= 8 returns x or 0.
/// Absolute error against the exact (erf) GELU below 1e-3 + 2^-frac (see tests).
std::int64_t gelu(std::int64_t x, int frac);

/// tanh(x) = 2/(1 + e^(-2|x|)) - 1 with the sign of x: e^(-2|x|) from the shift-and-polynomial
/// 2^u, 1/(1 + t) from the division-free reciprocal; x and the result in Q`frac`
/// (0 <= frac <= 24). |x| >= 8 returns ±1. Absolute error below 2e-5 + 2^-frac: |x| is taken
/// to Q16 (error up to 2^-17) and 2^u has a relative error below 5e-6 (see tests).
std::int64_t tanh(std::int64_t x, int frac);

/// Integer LayerNorm of one token vector of D = x.size() mantissas (|x_i| < 2^31) whose
/// common value scale is 2^x_exp. d_i = D·x_i - Σx (exact, no 1/D needed), S = Σd_i² plus
/// ε·D³ (eps_d3_q32 = round(ε·D³·2^32), scaled here by 2^(-2·x_exp)); 1/√S from the eMSB seed
/// and Newton steps; out_i = γ_i·√D·d_i/√S + β_i with gamma_q = round(γ·√D·2^gamma_frac) and
/// beta_q, out in Q`out_frac`.
void layernorm(std::span<const std::int64_t> x, int x_exp, std::int64_t eps_d3_q32,
               std::span<const std::int64_t> gamma_q, int gamma_frac,
               std::span<const std::int64_t> beta_q, int out_frac, std::span<std::int64_t> out);

}  // namespace rapmc::kern
