// The temporal noise of one analog read's conversions (docs/design.md, "Read noise"): every
// conversion owns 1 + D standard normal variables (its bitline's noise, then one per comparator
// decision, D = adc_decisions()), numbered by bitline within the read. Each variable is a pure
// function of the trial's noise key, the read's place (start(): sample, layer, token, row tile,
// plane, chunk — never how many reads ran before) and its number, i.i.d. N(0, 1), but is
// computed only when it can matter:
// a variable is either a tail one (|z| > REACH: its positions are a Bernoulli process with
// p = erfc(REACH/√2) ≈ 6.3·10⁻⁵ per variable, walked with geometric gaps, their values from the
// normal's tail) or an inner one (|z| ≤ REACH: the normal truncated to ±REACH, from block i
// of the Philox noise stream, continued by its own substream if the normal needs more words). A
// conversion with no tail variable whose analog value lies farther than REACH·(σ_bitline +
// σ_comparator) from every threshold cannot change its code, so its inner variables are never
// computed: the codes equal those of drawing every variable.
#pragma once

#include <cstdint>
#include <vector>

#include "rapmc/core/keyed_rng.h"

namespace rapmc::pim {

class TemporalNoise {
 public:
  static constexpr double REACH = 4.0;
  /// The noise of the read at place 0 with unbounded variables (start() moves it).
  explicit TemporalNoise(std::uint64_t noise_key);
  /// Restarts at the read `place` (a 64-bit key of its position), whose variables are
  /// 0 .. variables − 1: its own inner stream and tail walk.
  void start(std::uint64_t place, std::uint64_t variables);
  /// Variable i.
  double z(std::uint64_t i);
  /// Variables idx[0..count) (increasing, at or after the last skip_to()) into z: the same
  /// values as z(), the Philox blocks of the inner ones computed together.
  void z_batch(const std::uint64_t* idx, int count, double* z);
  /// The first tail variable at or after the last skip_to(), and the first one after i.
  std::uint64_t next_tail() const { return tails_.front().index; }
  std::uint64_t next_tail_after(std::uint64_t i);
  /// True if variable i (at or after the last skip_to()) is a tail one.
  bool is_tail(std::uint64_t i);
  /// True if a tail variable lies in [first, end), both at or after the last skip_to(), once
  /// next_tail_after(end - 1) has walked the tail that far.
  bool walked_tail_in(std::uint64_t first, std::uint64_t end) const {
    for (const Tail& t : tails_)
      if (t.index >= first && t.index < end) return true;
    return false;
  }
  /// Variables below `end` are used or never will be: forget their tail ones.
  void skip_to(std::uint64_t end);
  /// Inner variables computed so far (the work the lazy evaluation did).
  std::uint64_t inner_draws() const { return inner_draws_; }

 private:
  struct Tail {
    std::uint64_t index;
    double z;
  };
  void push_tail();  // the next tail variable of the walk
  // The walked tail variable with index i, if any (nullptr: an inner one, or not walked yet).
  const Tail* find_tail(std::uint64_t i) const {
    for (const Tail& t : tails_)
      if (t.index == i) return &t;
    return nullptr;
  }
  std::uint64_t key_;        // the trial's noise key
  std::uint64_t limit_ = 0;  // the read's variables (tail values beyond are never computed)
  KeyedStream inner_;        // block i (then substream i): inner variable i
  KeyedStream tail_;         // gaps between tail variables and their values, in order
  double log_keep_;          // ln(1 − 2Φ(−REACH))
  double tail_p_;            // Φ(−REACH)
  std::vector<Tail> tails_;  // the walk's tail variables not yet skipped, increasing
  std::uint64_t inner_draws_ = 0;
  std::vector<std::uint32_t> words_;  // z_batch's blocks, four arrays
  double inner(std::uint64_t i, std::uint64_t w0, std::uint64_t w1);
};

/// The noise of one conversion's comparator decisions: decision d (flash: comparator d, sar:
/// the d-th decision taken) uses variable first + 1 + d. A decision farther than REACH·σ from
/// its threshold draws only if its variable is a tail one; default-constructed: noise-free.
class DecisionNoise {
 public:
  DecisionNoise() = default;
  /// `every`: draw every decision's variable (NoiseDraws::EVERYWHERE); `tails`: the
  /// conversion may hold a tail variable (false skips the test).
  DecisionNoise(float sigma_lsb, TemporalNoise& noise, std::uint64_t first, bool every = false,
                bool tails = true)
      : sigma_(sigma_lsb), noise_(&noise), first_(first), every_(every), tails_(tails) {}
  /// Decision d's noise is sigma_lsb·z[d], given (the tail estimators, tails/conversion_model.h).
  DecisionNoise(float sigma_lsb, const double* z) : sigma_(sigma_lsb), given_(z) {}
  /// The noise of decision d whose input sits `distance` LSB from its threshold.
  float draw(int d, float distance) const;

 private:
  float sigma_ = 0.0f;
  TemporalNoise* noise_ = nullptr;
  const double* given_ = nullptr;
  std::uint64_t first_ = 0;
  bool every_ = false;
  bool tails_ = true;
};

}  // namespace rapmc::pim
