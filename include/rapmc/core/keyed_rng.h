// Keyed random streams (docs/design.md, "Monte Carlo engine"): every random number of a campaign
// comes from a stream that is a pure function of (master seed, domain, trial, instance), so results
// do not depend on threads, ranks, shards or resume points. The generator is counter-based: output
// n of a stream is a keyed hash of n (SplitMix64 finalisers), so streams are independent of the
// order in which they are created or consumed. Use it with Boost.Random distributions only.
#pragma once

#include <cstdint>
#include <string_view>

namespace rapmc {

/// What a stream draws for. The numeric values are part of the results' RNG scheme: never
/// renumber them (results files record the scheme name, "rapmc-keyed-splitmix64-v1").
enum class RngDomain : std::uint64_t {
  OPERATING_POINT = 1,   // per trial: sampled supply and temperature
  PROCESS_GLOBAL = 2,    // per trial: die-level shifts of G_on, G_off, ADC gain and offset
  CELL = 3,              // per array (instance = array key): programming error, stuck-at, tempco
  COMPARATOR = 4,        // per ADC array (instance = array key): comparator offsets, DAC mismatch
  READ_NOISE = 5,        // temporal: per trial, bitline noise consumed read by read
  COMPARATOR_NOISE = 6,  // temporal: per trial, comparator decisions consumed in order
  SENSE = 7,             // per array (instance = array key): sense-stage gain and offset
  TRIM = 8,              // per ADC array (instance = array key): trim-DAC mismatch
  REPLICA = 9,           // per ADC array (instance = array key): replica-column cells
  RTN = 10,              // per array: which cells show telegraph noise (frozen)
  DRIFT = 11,            // per array: each cell's drift exponent; per ADC: its reference cells'
  SPATIAL = 12,          // per trial (instance 0): the die gradient; per tile: its shift
};

inline constexpr const char* RNG_SCHEME = "rapmc-keyed-splitmix64-v1";

/// The SplitMix64 finaliser: a bijective 64-bit mixer.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Stable 64-bit hash of a name (FNV-1a then mixed): instance keys of named arrays.
std::uint64_t name_key(std::string_view name);

/// A UniformRandomBitGenerator of 64-bit words for one (seed, domain, trial, instance).
class KeyedStream {
 public:
  using result_type = std::uint64_t;
  KeyedStream(std::uint64_t seed, RngDomain domain, std::uint64_t trial, std::uint64_t instance);
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~std::uint64_t{0}; }
  result_type operator()() { return mix64(key_ ^ mix64(counter_++ + 0x9e3779b97f4a7c15ULL)); }
  std::uint64_t key() const { return key_; }

 private:
  std::uint64_t key_;
  std::uint64_t counter_ = 0;
};

}  // namespace rapmc
