#include "rapmc/core/keyed_rng.h"

namespace rapmc {

std::uint64_t name_key(std::string_view name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return mix64(h);
}

KeyedStream::KeyedStream(std::uint64_t seed, RngDomain domain, std::uint64_t trial,
                         std::uint64_t instance) {
  // A chain of mixes: each field changes every bit of the key.
  std::uint64_t k = mix64(seed ^ 0x6a09e667f3bcc908ULL);
  k = mix64(k ^ static_cast<std::uint64_t>(domain) * 0xbb67ae8584caa73bULL);
  k = mix64(k ^ mix64(trial + 0x3c6ef372fe94f82bULL));
  k = mix64(k ^ mix64(instance + 0xa54ff53a5f1d36f1ULL));
  key_ = k;
}

}  // namespace rapmc
