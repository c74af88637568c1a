#include "rapmc/quant/dyadic.h"

#include <cmath>

#include "rapmc/core/errors.h"

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

double to_double(Dyadic d) {
  return std::ldexp(static_cast<double>(d.m), d.e);
}

}  // namespace rapmc
