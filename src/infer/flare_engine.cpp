#include "rapmc/infer/flare_engine.h"

#include <cmath>

namespace rapmc {

arma::vec to_vec(const IntLogits& l) {
  arma::vec out(l.m.size());
  for (std::size_t c = 0; c < l.m.size(); ++c)
    out(c) = std::ldexp(static_cast<double>(l.m[c]), l.exp);
  return out;
}

}  // namespace rapmc
