// Fuzz target: the IDX reader (io/idx.h) on arbitrary bytes, plain or gzip (zlib decides).
#include <cstddef>
#include <cstdint>
#include <string>

#include "h5_mutator.h"
#include "rapmc/core/errors.h"
#include "rapmc/io/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = rapmc::fuzz::scratch_path("input.idx");
  rapmc::fuzz::write_file(path, std::string(reinterpret_cast<const char*>(data), size));
  try {
    (void)rapmc::idx::read(path);
  } catch (const rapmc::Error&) {
  }
  return 0;
}
