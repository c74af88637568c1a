// Fuzz target: a hardware file's text through parsing and validation (pim/hardware.h).
#include <cstddef>
#include <cstdint>
#include <string>

#include "rapmc/core/errors.h"
#include "rapmc/pim/hardware.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)rapmc::parse_hardware(std::string(reinterpret_cast<const char*>(data), size),
                                "fuzz-hardware.toml");
  } catch (const rapmc::Error&) {
  }
  return 0;
}
