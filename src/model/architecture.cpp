#include "rapmc/model/architecture.h"

namespace rapmc {

std::string to_string(Architecture a) {
  return a == Architecture::VIT ? "vit" : "bert";
}

}  // namespace rapmc
