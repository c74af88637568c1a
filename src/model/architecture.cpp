#include "rapmc/model/architecture.h"

namespace rapmc {

std::string to_string(Architecture a) {
  return std::string(name_of(ARCHITECTURE_NAMES, a));
}

}  // namespace rapmc
