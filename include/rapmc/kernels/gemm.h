// Integer matrix products of the digital reference (the AMS-PiM engine replaces them).
#pragma once

#include <cstdint>

namespace rapmc::kern {

/// acc[t·out + o] = Σ_i w[o·in + i]·x[t·in + i] for int8 w [out×in] and int8 x [tokens×in],
/// both row-major. int32 accumulation is exact for in <= 131071 (|acc| <= 2^14·in < 2^31).
void gemm_s8(const std::int8_t* w, int out, int in, const std::int8_t* x, int tokens,
             std::int32_t* acc);

/// Σ_i a[i]·b[i] for unsigned 8-bit a (probabilities) and int8 b; exact for n <= 2^16.
std::int32_t dot_u8s8(const std::uint8_t* a, const std::int8_t* b, int n);

}  // namespace rapmc::kern
