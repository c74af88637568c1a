#include "rapmc/core/keyed_rng.h"

#include <Random123/philox.h>

namespace rapmc {

std::uint64_t name_key(std::string_view name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return mix64(h);
}

std::array<std::uint32_t, 4> philox4x32_10(const std::array<std::uint32_t, 4>& ctr,
                                           const std::array<std::uint32_t, 2>& key) {
  const r123::Philox4x32::ctr_type c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
  const r123::Philox4x32::key_type k = {{key[0], key[1]}};
  const r123::Philox4x32::ctr_type r = r123::Philox4x32()(c, k);
  return {r[0], r[1], r[2], r[3]};
}

void KeyedStream::blocks(const std::uint64_t* __restrict n, int count, std::uint32_t* __restrict w0,
                         std::uint32_t* __restrict w1, std::uint32_t* __restrict w2,
                         std::uint32_t* __restrict w3) const {
  // Written as independent lanes (structure of arrays) so that the rounds vectorise.
  const r123::Philox4x32::key_type k = {{key_[0], key_[1]}};
  for (int i = 0; i < count; ++i) {
    const auto ctr = counter(n[i]);
    const r123::Philox4x32::ctr_type c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
    const r123::Philox4x32::ctr_type r = r123::Philox4x32()(c, k);
    w0[i] = r[0];
    w1[i] = r[1];
    w2[i] = r[2];
    w3[i] = r[3];
  }
}

KeyedStream::KeyedStream(std::uint64_t seed, RngDomain domain, std::uint64_t trial,
                         std::uint64_t instance)
    : key_{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)} {
  // The stream's identity in the counter's upper half: each field changes every bit of it.
  std::uint64_t id = mix64(static_cast<std::uint64_t>(domain) * 0xbb67ae8584caa73bULL);
  id = mix_in(id, trial, 0x3c6ef372fe94f82bULL);
  id = mix_in(id, instance, 0xa54ff53a5f1d36f1ULL);
  id_ = id;
}

}  // namespace rapmc
