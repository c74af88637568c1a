#include "rapmc/pim/temporal_noise.h"

#include <array>
#include <boost/math/distributions/normal.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <optional>

namespace rapmc::pim {
namespace {

// The words inner variable i draws from: the two halves of block i of the inner stream, then
// (for the rare normal that needs more) its own substream i.
class VariableWords {
 public:
  using result_type = std::uint64_t;
  VariableWords(const KeyedStream& inner, std::uint64_t i, std::uint64_t w0, std::uint64_t w1)
      : inner_(inner), i_(i), words_{w0, w1} {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~std::uint64_t{0}; }
  result_type operator()() {
    if (used_ < 2) return words_[used_++];
    if (!more_) more_.emplace(inner_.substream(i_));
    return (*more_)();
  }

 private:
  const KeyedStream& inner_;
  std::uint64_t i_;
  std::array<std::uint64_t, 2> words_;
  int used_ = 0;
  std::optional<KeyedStream> more_;
};

}  // namespace

TemporalNoise::TemporalNoise(std::uint64_t noise_key)
    : key_(noise_key),
      inner_(noise_key, RngDomain::READ_NOISE, 0, 0),
      tail_(noise_key, RngDomain::READ_NOISE, 0, 1) {
  tail_p_ = 0.5 * std::erfc(REACH / std::sqrt(2.0));
  log_keep_ = std::log1p(-2.0 * tail_p_);
  start(0, UINT64_MAX);
}

void TemporalNoise::start(std::uint64_t place, std::uint64_t variables) {
  // The place takes the stream's trial field (the noise key already holds the trial).
  inner_ = KeyedStream(key_, RngDomain::READ_NOISE, place, 0);
  tail_ = KeyedStream(key_, RngDomain::READ_NOISE, place, 1);
  limit_ = variables;
  tails_.clear();
  push_tail();
}

void TemporalNoise::push_tail() {
  // The gap to the next tail variable is geometric: ⌊ln U / ln(1 − p)⌋ inner variables.
  boost::random::uniform_01<double> u01;
  const double gap = std::floor(std::log(1.0 - u01(tail_)) / log_keep_);
  std::uint64_t at = 0;
  if (!tails_.empty())
    at = tails_.back().index == UINT64_MAX ? UINT64_MAX : tails_.back().index + 1;
  const std::uint64_t step = gap >= 1.8e19 ? UINT64_MAX : static_cast<std::uint64_t>(gap);
  at = step > UINT64_MAX - at ? UINT64_MAX : at + step;
  // Its value: a sign, and |z| from the normal's tail beyond REACH by its inverse CDF (its
  // words are drawn in any case; the quantile only for a variable the read has).
  const double v = u01(tail_);
  const double q = tail_p_ * (1.0 - u01(tail_));  // in (0, Φ(−REACH)]
  const double mag = at < limit_ ? -boost::math::quantile(boost::math::normal(), q) : REACH;
  tails_.push_back({at, v < 0.5 ? -mag : mag});
}

std::uint64_t TemporalNoise::next_tail_after(std::uint64_t i) {
  while (tails_.back().index <= i && tails_.back().index != UINT64_MAX) push_tail();
  for (const Tail& t : tails_)
    if (t.index > i) return t.index;
  return UINT64_MAX;
}

bool TemporalNoise::is_tail(std::uint64_t i) {
  while (tails_.back().index < i) push_tail();
  return find_tail(i) != nullptr;
}

void TemporalNoise::skip_to(std::uint64_t end) {
  if (end > 0) next_tail_after(end - 1);
  std::size_t k = 0;
  while (k < tails_.size() && tails_[k].index < end) ++k;
  tails_.erase(tails_.begin(), tails_.begin() + static_cast<std::ptrdiff_t>(k));
}

double TemporalNoise::inner(std::uint64_t i, std::uint64_t w0, std::uint64_t w1) {
  // An inner variable: a standard normal from its own words (block i, then substream i),
  // redrawn beyond ±REACH (the normal truncated to the inner interval).
  ++inner_draws_;
  VariableWords s(inner_, i, w0, w1);
  boost::random::normal_distribution<double> n01(0.0, 1.0);
  for (;;) {
    const double z = n01(s);
    if (std::abs(z) <= REACH) return z;
  }
}

double TemporalNoise::z(std::uint64_t i) {
  if (const Tail* t = find_tail(i)) return t->z;
  const auto b = inner_.block(i);
  return inner(i, b[0] | static_cast<std::uint64_t>(b[1]) << 32,
               b[2] | static_cast<std::uint64_t>(b[3]) << 32);
}

void TemporalNoise::z_batch(const std::uint64_t* idx, int count, double* z) {
  words_.resize(4 * static_cast<std::size_t>(count));
  const auto n = static_cast<std::size_t>(count);
  std::uint32_t *w0 = words_.data(), *w1 = w0 + n, *w2 = w1 + n, *w3 = w2 + n;
  inner_.blocks(idx, count, w0, w1, w2, w3);
  for (std::size_t k = 0; k < n; ++k) {
    const Tail* t = find_tail(idx[k]);
    z[k] = t ? t->z
             : inner(idx[k], w0[k] | static_cast<std::uint64_t>(w1[k]) << 32,
                     w2[k] | static_cast<std::uint64_t>(w3[k]) << 32);
  }
}

float DecisionNoise::draw(int d, float distance) const {
  if (sigma_ <= 0.0f) return 0.0f;
  if (given_) return sigma_ * static_cast<float>(given_[d]);
  const std::uint64_t i = first_ + 1 + static_cast<std::uint64_t>(d);
  if (!every_ && std::abs(distance) > static_cast<float>(TemporalNoise::REACH) * sigma_ &&
      !(tails_ && noise_->is_tail(i)))
    return 0.0f;
  return sigma_ * static_cast<float>(noise_->z(i));
}

}  // namespace rapmc::pim
