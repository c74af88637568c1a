#include "rapmc/kernels/fixed_point.h"

namespace rapmc::kern {

std::int64_t shift_round(std::int64_t x, int s) {
  if (s == 0) return x;
  if (s > 0) {
    if (s >= 64) return 0;  // |x| < 2^63 <= 2^(s-1): rounds to 0 (half up at -2^63 too)
    if (s == 63) return (x >> 62 & 1) + (x >> 63);
    // floor(x/2^s) plus the first dropped bit: round half up, never overflows.
    return (x >> s) + ((x >> (s - 1)) & 1);
  }
  const int l = -s;
  if (x == 0) return 0;
  if (l >= 63) return x > 0 ? INT64_MAX : INT64_MIN;
  const std::int64_t lim = INT64_MAX >> l;
  if (x > lim) return INT64_MAX;
  if (x < -lim - 1) return INT64_MIN;
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(x) << l);
}

int msb_index(std::uint64_t x) {
  return x == 0 ? -1 : 63 - __builtin_clzll(x);
}

std::uint64_t abs_u64(std::int64_t x) {
  return x < 0 ? ~static_cast<std::uint64_t>(x) + 1 : static_cast<std::uint64_t>(x);
}

std::int64_t saturate(std::int64_t x, int bits) {
  const std::int64_t hi = (std::int64_t{1} << (bits - 1)) - 1;
  const std::int64_t lo = -hi - 1;
  return x > hi ? hi : (x < lo ? lo : x);
}

std::int64_t add_saturate(std::int64_t a, std::int64_t b) {
  std::int64_t s = 0;
  if (!__builtin_add_overflow(a, b, &s)) return s;
  return b > 0 ? INT64_MAX : INT64_MIN;  // overflow only when both have b's sign
}

// GCC's and Clang's 128-bit integer (__extension__: no -Wpedantic warning for it).
__extension__ using Int128 = __int128;

std::int64_t mul_shift_round(std::int64_t a, std::int64_t b, int s) {
  Int128 p = static_cast<Int128>(a) * b;
  if (s > 0) {
    if (s >= 127) return 0;
    p = (p >> s) + ((p >> (s - 1)) & 1);
  } else if (s < 0) {
    const Int128 lim = (static_cast<Int128>(1) << (126 + s));
    if (p >= lim) return INT64_MAX;
    if (p < -lim) return INT64_MIN;
    p = p * (static_cast<Int128>(1) << -s);
  }
  if (p > INT64_MAX) return INT64_MAX;
  if (p < INT64_MIN) return INT64_MIN;
  return static_cast<std::int64_t>(p);
}

namespace {

// x normalised to [1, 2) in Q30, with x = xn·2^(n-30), n = msb_index(x).
std::int64_t normalise_q30(std::uint64_t x, int n) {
  return n >= 30 ? static_cast<std::int64_t>(x >> (n - 30))
                 : static_cast<std::int64_t>(x << (30 - n));
}

constexpr std::int64_t ONE_Q30 = std::int64_t{1} << 30;

}  // namespace

std::int64_t reciprocal_q30(std::uint64_t x, int& exp) {
  const int n = msb_index(x);
  exp = n;
  const std::int64_t d = normalise_q30(x, n) >> 1;  // x = d·2^(n+1), d ∈ [0.5, 1) in Q30
  // Seed 48/17 - 32/17·d (max relative error 1/17), then y ← y·(2 - d·y): the error
  // squares each step, 1/17 → 2^-8.2 → 2^-16.3 → 2^-32. y ≈ 1/d ∈ (1, 2] in Q30.
  std::int64_t y = 3031741621LL - ((2021161080LL * d) >> 30);
  for (int i = 0; i < 3; ++i) {
    const std::int64_t e = 2 * ONE_Q30 - ((d * y) >> 30);
    y = (y * e) >> 30;
  }
  y >>= 1;  // 1/x = (y/2)·2^(-n)
  return y > ONE_Q30 ? ONE_Q30 : y;
}

std::int64_t rsqrt_q30(std::uint64_t x, int& exp) {
  const int n = msb_index(x);
  const int k = n >> 1;  // x = x4·2^(2k), x4 ∈ [1, 4)
  exp = k;
  const std::int64_t x4 = 2 * k >= 30 ? static_cast<std::int64_t>(x >> (2 * k - 30))
                                      : static_cast<std::int64_t>(x << (30 - 2 * k));
  // Seed: 1/√(midpoint) of the quarter-unit interval holding x4 (index floor(4·x4)).
  static constexpr std::int64_t SEED[16] = {
      0,         0,         0,         0,         1012333500, 915690104, 842312387, 784150157,
      736580814, 696735698, 662727842, 633258380, 607400100,  584471019, 563956835, 545461392};
  std::int64_t y = SEED[x4 >> 28];
  // y ← y·(3 - x4·y²)/2; from a 6 % seed four steps reach the Q30 resolution.
  for (int i = 0; i < 4; ++i) {
    const std::int64_t y2 = (y * y) >> 30;
    const std::int64_t t = (x4 * y2) >> 30;  // ≈ 1 in Q30
    y = (y * (3 * ONE_Q30 - t)) >> 31;
  }
  return y > ONE_Q30 ? ONE_Q30 : y;
}

std::int64_t exp2_q30(std::int64_t u_q16) {
  if (u_q16 > 0) u_q16 = 0;
  if (u_q16 < -(std::int64_t{40} << 16)) return 0;
  const std::int64_t n = u_q16 >> 16;                // floor: integer part, <= 0
  const std::int64_t f = (u_q16 - (n << 16)) << 14;  // fraction in Q30, [0, 1)
  // 2^f ≈ 1 + f·(c1 + f·(c2 + f·(c3 + f·c4))), coefficients fitted offline (Q30).
  std::int64_t p = 14581696;
  p = 55783260 + ((p * f) >> 30);
  p = 259249255 + ((p * f) >> 30);
  p = 744123098 + ((p * f) >> 30);
  p = ONE_Q30 + ((p * f) >> 30);
  return shift_round(p, static_cast<int>(-n));
}

}  // namespace rapmc::kern
