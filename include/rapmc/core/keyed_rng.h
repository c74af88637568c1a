// Keyed random streams (docs/design.md, "Monte Carlo engine"): every random number of a campaign
// comes from a stream that is a pure function of (master seed, domain, trial, instance), so results
// do not depend on threads, ranks, shards or resume points. The generator is counter-based:
// Random123's Philox4x32-10 (Salmon et al., SC'11), keyed by the master seed; block n of a
// stream encrypts the counter (n, id) where id hashes (domain, trial, instance) with SplitMix64
// finalisers. Any block can be computed alone (block()), and streams are independent of the
// order in which they are created or consumed. Use operator() with Boost.Random distributions.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace rapmc {

/// What a stream draws for. The numeric values are part of the results' RNG scheme: never
/// renumber them (results files record the scheme name, RNG_SCHEME).
enum class RngDomain : std::uint64_t {
  OPERATING_POINT = 1,   // per trial: sampled supply and temperature; instance 1: importance
  PROCESS_GLOBAL = 2,    // per trial: die-level shifts of G_on, G_off, ADC gain and offset
  CELL = 3,              // per array (instance = array key): programming error, stuck-at, tempco
  COMPARATOR = 4,        // per ADC array (instance = array key): comparator offsets, DAC mismatch
  READ_NOISE = 5,        // temporal: per read (seed = the trial's noise key, trial = the read's
                         // place key), the conversions' noise variables (temporal_noise.h)
  COMPARATOR_NOISE = 6,  // unused since v2 (comparator noise is among READ_NOISE's variables)
  SENSE = 7,             // per array (instance = array key): sense-stage gain and offset
  TRIM = 8,              // per ADC array (instance = array key): trim-DAC mismatch
  REPLICA = 9,           // per ADC array (instance = array key): replica-column cells
  RTN = 10,              // per array: which cells show telegraph noise (frozen); per read
                         // (seed = noise key, trial = place key, instance 1): their states
  DRIFT = 11,            // per array: each cell's drift exponent; per ADC: its reference cells'
  SPATIAL = 12,          // per trial (instance 0): the die gradient; per tile: its shift
  DATA_SUBSET = 13,      // per campaign (instance = class label): a stratified subset's order
  BENCH = 14,            // benchmark data of rapmc bench --layer (weights, inputs)
  TAILS = 15,            // high-sigma estimators (trial = sample index, instance = stage and
                         // sub-stage: tails/rare_event.h)
};

/// The scheme every results file records (/settings rng_scheme). v1 was a SplitMix64 hash of the
/// counter ("rapmc-keyed-splitmix64-v1"); v2 ("rapmc-philox4x32-10-v2") numbered the temporal
/// noise by conversion in call order; v3 keys it by each read's place (sample, layer, head,
/// token, row tile, plane, chunk). Files of older schemes stay readable, --resume refuses them.
inline constexpr const char* RNG_SCHEME = "rapmc-philox4x32-10-v3";

/// The SplitMix64 finaliser: a bijective 64-bit mixer.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// `key` with `field` mixed in (`salt` tells the fields of a chain apart): the one rule that
/// chains fields into a 64-bit identity — streams' ids, substreams, the engine's place keys.
constexpr std::uint64_t mix_in(std::uint64_t key, std::uint64_t field, std::uint64_t salt) {
  return mix64(key ^ mix64(field + salt));
}

/// Stable 64-bit hash of a name (FNV-1a then mixed): instance keys of named arrays.
std::uint64_t name_key(std::string_view name);

/// Philox4x32-10 of the 128-bit counter {c0, c1, c2, c3} under the 64-bit key {k0, k1}.
std::array<std::uint32_t, 4> philox4x32_10(const std::array<std::uint32_t, 4>& ctr,
                                           const std::array<std::uint32_t, 2>& key);

/// A UniformRandomBitGenerator of 64-bit words for one (seed, domain, trial, instance): words
/// 2n and 2n + 1 are the two halves of block n, (w0 | w1 << 32) then (w2 | w3 << 32).
class KeyedStream {
 public:
  using result_type = std::uint64_t;
  KeyedStream(std::uint64_t seed, RngDomain domain, std::uint64_t trial, std::uint64_t instance);
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~std::uint64_t{0}; }
  result_type operator()() {
    if (left_ == 0) {
      const auto b = block(next_++);
      buffer_[0] = b[0] | static_cast<std::uint64_t>(b[1]) << 32;
      buffer_[1] = b[2] | static_cast<std::uint64_t>(b[3]) << 32;
      left_ = 2;
    }
    return buffer_[2 - left_--];
  }
  /// Block n of this stream (random access; does not move the stream).
  std::array<std::uint32_t, 4> block(std::uint64_t n) const {
    return philox4x32_10(counter(n), key_);
  }
  /// Blocks n[0..count) at once (vectorised), as four word arrays: w_k[i] = block(n[i])[k].
  void blocks(const std::uint64_t* n, int count, std::uint32_t* w0, std::uint32_t* w1,
              std::uint32_t* w2, std::uint32_t* w3) const;
  /// An independent stream of the same seed whose identity also holds `sub` (random access to
  /// many short streams: e.g. one per noise variable).
  KeyedStream substream(std::uint64_t sub) const {
    KeyedStream s = *this;
    s.id_ = mix_in(id_, sub, 0x510e527fade682d1ULL);
    s.next_ = 0;
    s.left_ = 0;
    return s;
  }
  /// A 64-bit digest of the stream's identity (seed and id): derived streams' keys.
  std::uint64_t key() const { return mix64(id_ ^ mix64(key_[0] | std::uint64_t{key_[1]} << 32)); }

 private:
  // Block n's counter: n in the lower half, the stream's identity in the upper.
  std::array<std::uint32_t, 4> counter(std::uint64_t n) const {
    return {static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(n >> 32),
            static_cast<std::uint32_t>(id_), static_cast<std::uint32_t>(id_ >> 32)};
  }
  std::array<std::uint32_t, 2> key_;
  std::uint64_t id_;
  std::uint64_t next_ = 0;
  std::array<std::uint64_t, 2> buffer_{};
  int left_ = 0;
};

}  // namespace rapmc
