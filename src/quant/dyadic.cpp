#include "rapmc/quant/dyadic.h"

#include <climits>
#include <cmath>

#include "rapmc/core/errors.h"
#include "rapmc/kernels/fixed_point.h"

namespace rapmc {

Dyadic to_dyadic(double x) {
  if (!(x >= 0) || !std::isfinite(x)) {
    throw ConfigError("cannot represent " + std::to_string(x) + " as a positive dyadic constant");
  }
  if (x == 0) return {};
  int e2 = 0;
  const double f = std::frexp(x, &e2);  // x = f·2^e2, f in [0.5, 1)
  auto m = static_cast<std::int64_t>(std::nearbyint(std::ldexp(f, DYADIC_BITS)));
  int e = e2 - DYADIC_BITS;
  if (m == (std::int64_t{1} << DYADIC_BITS)) {  // rounded up to the next power of two
    m >>= 1;
    ++e;
  }
  return {m, e};
}

double to_double(Dyadic d) { return std::ldexp(static_cast<double>(d.m), d.e); }

Dyadic dyadic_mul(Dyadic a, Dyadic b) {
  if (a.m == 0 || b.m == 0) return {};
  const std::int64_t p = a.m * b.m;  // < 2^48
  const int s = kern::msb_index(static_cast<std::uint64_t>(p)) + 1 - DYADIC_BITS;
  std::int64_t m = kern::shift_round(p, s);
  int e = a.e + b.e + s;
  if (m == (std::int64_t{1} << DYADIC_BITS)) {
    m >>= 1;
    ++e;
  }
  return {m, e};
}

int dyadic_top(Dyadic d) {
  return d.m == 0 ? INT_MIN : kern::msb_index(static_cast<std::uint64_t>(d.m)) + d.e;
}

}  // namespace rapmc
