// Positive real constants as integer pairs (m, e): value = m·2^e. The integer model stores
// every scale this way; the runtime combines them by multiply and shift only.
#pragma once

#include <cstdint>

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
/// a·b, rounded half up to DYADIC_BITS bits of mantissa. Integer only.
Dyadic dyadic_mul(Dyadic a, Dyadic b);
/// Exponent of the most significant bit of the value: floor(log2(value)); INT32_MIN for 0.
int dyadic_top(Dyadic d);

}  // namespace rapmc
