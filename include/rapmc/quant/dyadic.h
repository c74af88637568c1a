// Positive real constants as integer pairs (m, e): value = m·2^e. The integer model stores
// every scale this way; the runtime combines them by multiply and shift only.
#pragma once

#include <climits>
#include <cstdint>

#include "rapmc/kernels/fixed_point.h"

namespace rapmc {

/// value = m·2^e with 2^(DYADIC_BITS-1) <= m < 2^DYADIC_BITS, or m = 0 for the value 0.
struct Dyadic {
  std::int64_t m = 0;
  int e = 0;
  friend bool operator==(const Dyadic&, const Dyadic&) = default;
};
inline constexpr int DYADIC_BITS = 24;

/// Nearest dyadic to x >= 0 (offline only: the one place a float enters). ConfigError for
/// negative, NaN or infinite x.
Dyadic to_dyadic(double x);
/// m·2^e as a double (for reports and the float ptq-dqq pipeline).
double to_double(Dyadic d);
/// a·b, rounded half up to DYADIC_BITS bits of mantissa. Integer only (inline, so the
/// FP-less runtime library can use it).
inline Dyadic dyadic_mul(Dyadic a, Dyadic b) {
  if (a.m == 0 || b.m == 0) return {};
  const std::int64_t p = a.m * b.m;  // < 2^48
  const int s = kern::msb_index(static_cast<std::uint64_t>(p)) + 1 - DYADIC_BITS;
  std::int64_t m = kern::shift_round(p, s);
  int e = a.e + b.e + s;
  if (m == (std::int64_t{1} << DYADIC_BITS)) {  // rounded up to the next power of two
    m >>= 1;
    ++e;
  }
  return {m, e};
}

/// floor(log2(value)), the exponent of the most significant bit; INT_MIN for 0.
inline int dyadic_top(Dyadic d) {
  return d.m == 0 ? INT_MIN : kern::msb_index(static_cast<std::uint64_t>(d.m)) + d.e;
}

}  // namespace rapmc
