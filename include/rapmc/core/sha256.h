// SHA-256 (FIPS 180-4) of a byte string, as 64 lowercase hex digits: the fingerprint of a
// campaign's settings in its results file (resume and merge compare it).
#pragma once

#include <string>
#include <string_view>

namespace rapmc {

std::string sha256_hex(std::string_view data);

}  // namespace rapmc
