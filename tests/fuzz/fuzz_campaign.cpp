// Fuzz target: a campaign file's text through parsing and validation (mc/campaign.h). Any
// outcome but a valid campaign or a rapmc::Error (ConfigError, IoError, ...) is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "rapmc/core/errors.h"
#include "rapmc/mc/campaign.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)rapmc::parse_campaign(std::string(reinterpret_cast<const char*>(data), size),
                                "fuzz-campaign.toml");
  } catch (const rapmc::Error&) {
  }
  return 0;
}
