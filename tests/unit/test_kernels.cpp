// Integer kernels: exact tests of rounding and saturation at the extremes, and each
// nonlinear unit against a float oracle over its whole input range with a stated bound.
#include <doctest/doctest.h>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>
#include <vector>

#include "rapmc/kernels/fixed_point.h"
#include "rapmc/kernels/gemm.h"
#include "rapmc/kernels/nonlinear.h"
#include "rapmc/kernels/requant.h"

using namespace rapmc::kern;

namespace {
// GCC's and Clang's 128-bit integer (__extension__: no -Wpedantic warning for it).
__extension__ using Int128 = __int128;

// Exact oracle for round-half-up of x/2^s, in 128-bit integers.
std::int64_t ref_shift_round(std::int64_t x, int s) {
  const Int128 d = static_cast<Int128>(1) << s;
  Int128 v = static_cast<Int128>(x) + d / 2;
  Int128 q = v / d;
  if (v % d != 0 && v < 0) q -= 1;  // floor
  return static_cast<std::int64_t>(q);
}
}  // namespace

TEST_CASE("shift_round: round half up, exact at the int64 extremes") {
  for (int s = 1; s <= 63; ++s) {
    for (std::int64_t x : {INT64_MIN, INT64_MIN + 1, std::int64_t{-3}, std::int64_t{-2},
                           std::int64_t{-1}, std::int64_t{0}, std::int64_t{1}, std::int64_t{2},
                           std::int64_t{3}, INT64_MAX - 1, INT64_MAX}) {
      CAPTURE(s);
      CAPTURE(x);
      CHECK(shift_round(x, s) == ref_shift_round(x, s));
    }
  }
  for (std::int64_t x = -5000; x <= 5000; ++x)
    for (int s = 1; s <= 6; ++s) REQUIRE(shift_round(x, s) == ref_shift_round(x, s));
  CHECK(shift_round(-3, 1) == -1);  // -1.5 rounds up to -1
  CHECK(shift_round(3, 1) == 2);    // 1.5 rounds up to 2
  CHECK(shift_round(INT64_MIN, 64) == 0);
  CHECK(shift_round(INT64_MAX, 100) == 0);
  CHECK(shift_round(5, -2) == 20);
  CHECK(shift_round(INT64_MAX >> 3, -3) == (INT64_MAX >> 3) * 8);
  CHECK(shift_round((INT64_MAX >> 3) + 1, -3) == INT64_MAX);  // saturates
  CHECK(shift_round(INT64_MIN >> 3, -3) == INT64_MIN);
  CHECK(shift_round((INT64_MIN >> 3) - 1, -3) == INT64_MIN);
  CHECK(shift_round(-1, -70) == INT64_MIN);
}

TEST_CASE("saturate, msb_index and mul_shift_round at the extremes") {
  CHECK(saturate(127, 8) == 127);
  CHECK(saturate(128, 8) == 127);
  CHECK(saturate(-128, 8) == -128);
  CHECK(saturate(-129, 8) == -128);
  CHECK(saturate(INT64_MIN, 16) == -32768);
  CHECK(saturate(INT64_MAX, 16) == 32767);
  CHECK(msb_index(0) == -1);
  CHECK(msb_index(1) == 0);
  CHECK(msb_index(UINT64_MAX) == 63);
  CHECK(abs_u64(INT64_MIN) == (std::uint64_t{1} << 63));
  CHECK(mul_shift_round(INT64_MAX, INT64_MAX, 0) == INT64_MAX);
  CHECK(mul_shift_round(INT64_MIN, INT64_MAX, 0) == INT64_MIN);
  CHECK(mul_shift_round(INT64_MAX, 2, 1) == INT64_MAX);
  CHECK(mul_shift_round(-3, 1, 1) == -1);
  CHECK(mul_shift_round(std::int64_t{1} << 40, std::int64_t{1} << 40, 20) == std::int64_t{1} << 60);
  CHECK(mul_shift_round(3, 5, -2) == 60);
}

TEST_CASE("add_saturate: exact sums, clamped at both int64 ends, against 128-bit arithmetic") {
  const std::int64_t edge[] = {
      INT64_MIN,     INT64_MIN + 1, -(std::int64_t{1} << 62), -1, 0, 1, std::int64_t{1} << 62,
      INT64_MAX - 1, INT64_MAX};
  for (std::int64_t a : edge)
    for (std::int64_t b : edge) {
      const Int128 exact = static_cast<Int128>(a) + b;
      const Int128 want = exact > INT64_MAX ? INT64_MAX : (exact < INT64_MIN ? INT64_MIN : exact);
      CAPTURE(a);
      CAPTURE(b);
      CHECK(add_saturate(a, b) == static_cast<std::int64_t>(want));
    }
}

TEST_CASE("eMSB requantization: window, rounding and the one saturating case") {
  std::vector<std::int32_t> out(4);
  std::vector<std::int64_t> w = {255, -255, 2, 0};
  int s = requant_emsb(w, 8, out);
  CHECK(s == 1);                                             // 255 has its eMSB at bit 7
  CHECK(out == std::vector<std::int32_t>{127, -127, 1, 0});  // 127.5 → 128 saturates to 127
  w = {100, -3, 7, 0};
  s = requant_emsb(w, 8, out);
  CHECK(s == 0);  // already inside the window: untouched
  CHECK(out == std::vector<std::int32_t>{100, -3, 7, 0});
  w = {INT64_MIN, INT64_MAX, 1, -1};
  s = requant_emsb(w, 8, out);
  CHECK(s == 57);
  CHECK(out[0] == -64);
  CHECK(out[1] == 64);
  w = {0, 0, 0, 0};
  CHECK(requant_emsb(w, 8, out) == 0);
  // Random vectors: full use of the window and error at most half an LSB (or one LSB when
  // rounding reaches the saturating top code).
  boost::random::mt19937 gen(11);
  boost::random::uniform_int_distribution<std::int64_t> mag(0, 50);
  for (int it = 0; it < 2000; ++it) {
    const int bits = 4 + it % 13;
    const std::int64_t lim = std::int64_t{1} << mag(gen);
    boost::random::uniform_int_distribution<std::int64_t> val(-lim, lim);
    std::vector<std::int64_t> v(16);
    for (auto& x : v) x = val(gen);
    std::vector<std::int32_t> q(16);
    const int sh = requant_emsb(v, bits, q);
    std::uint64_t m = 0;
    for (auto x : v) m = std::max(m, abs_u64(x));
    for (std::size_t i = 0; i < v.size(); ++i) {
      const long double err =
          std::fabs(static_cast<long double>(q[i]) * std::ldexp(1.0L, sh) - v[i]);
      REQUIRE(err <= std::ldexp(1.0L, sh));
      REQUIRE(std::abs(q[i]) <= (1 << (bits - 1)));
    }
    if (m >= (std::uint64_t{1} << (bits - 2))) {
      std::int32_t qmax = 0;
      for (auto x : q) qmax = std::max(qmax, std::abs(x));
      REQUIRE(qmax >= (1 << (bits - 2)));
    }
  }
}

TEST_CASE("dyadic requantization rounds and saturates at both ends") {
  std::vector<std::int32_t> out(5);
  const std::vector<std::int64_t> w = {1000, -1000, INT64_MAX, INT64_MIN, 3};
  requant_dyadic(w, 3, 5, 8, out);                                 // ×3/32
  CHECK(out == std::vector<std::int32_t>{94, -94, 127, -128, 0});  // 93.75→94, -93.75→-94, 0.28→0
}

TEST_CASE("reciprocal and inverse square root: relative error bound over [1, 2^62]") {
  double worst_r = 0, worst_s = 0;
  auto check_one = [&](std::uint64_t x) {
    int e = 0;
    const std::int64_t r = reciprocal_q30(x, e);
    const long double rv = std::ldexp(static_cast<long double>(r), -30 - e);
    worst_r = std::max(worst_r, static_cast<double>(std::fabs(rv * x - 1)));
    const std::int64_t s = rsqrt_q30(x, e);
    const long double sv = std::ldexp(static_cast<long double>(s), -30 - e);
    worst_s = std::max(
        worst_s, static_cast<double>(std::fabs(sv * std::sqrt(static_cast<long double>(x)) - 1)));
  };
  for (std::uint64_t x = 1; x <= 200000; ++x) check_one(x);
  for (int b = 17; b <= 62; ++b)
    for (int k = 0; k < 4096; ++k)
      check_one((std::uint64_t{1} << b) + (static_cast<std::uint64_t>(k) << (b - 12)) + k);
  check_one(UINT64_MAX >> 2);
  MESSAGE("reciprocal worst relative error " << worst_r << ", rsqrt " << worst_s);
  CHECK(worst_r < std::ldexp(1.0, -28));
  CHECK(worst_s < std::ldexp(1.0, -27));
}

TEST_CASE("exp2 by shifts and a quartic: relative error < 5e-6 plus half an LSB") {
  double worst = 0;
  for (std::int64_t u = -(std::int64_t{41} << 16); u <= 0; u += 3) {
    const double ref = std::ldexp(std::exp2(static_cast<double>(u) / 65536.0), 30);
    const double got = static_cast<double>(exp2_q30(u));
    const double err = std::fabs(got - ref);
    REQUIRE(err <= 5e-6 * ref + 0.5 + (u < -(std::int64_t{40} << 16) ? ref : 0));
    if (ref > 1048576) worst = std::max(worst, err / ref);
  }
  CHECK(exp2_q30(0) == std::int64_t{1} << 30);
  CHECK(exp2_q30(1 << 20) == std::int64_t{1} << 30);  // positive inputs are clamped to 0
  MESSAGE("exp2 worst relative error " << worst);
}

TEST_CASE("VDR softmax within 2^-8 of the float softmax at 8-bit output, extremes included") {
  boost::random::mt19937 gen(5);
  boost::random::uniform_int_distribution<int> len(1, 64);
  boost::random::uniform_int_distribution<int> range_bits(0, 30);
  double worst = 0;
  for (int it = 0; it < 3000; ++it) {
    const int n = len(gen);
    const std::int64_t lim = std::int64_t{1} << range_bits(gen);
    boost::random::uniform_int_distribution<std::int64_t> val(-lim, lim);
    std::vector<std::int64_t> a(static_cast<std::size_t>(n));
    for (auto& x : a) x = val(gen);
    if (it % 10 == 0) a.assign(a.size(), 12345);  // all equal
    if (it % 10 == 1) a[0] = INT32_MAX;           // one dominant score
    if (it % 10 == 2) a.back() = -(std::int64_t{1} << 40);
    // u_j = (a_j - max)·mult·2^-shift in Q16, i.e. x_j = u_j/2^16·ln 2 in natural units.
    const std::int64_t mult = 1 + it % 1000;
    const int shift = 4 + it % 20;
    std::vector<std::int32_t> p(a.size());
    softmax_row(a, mult, shift, 8, p);
    const std::int64_t amax = *std::max_element(a.begin(), a.end());
    std::vector<long double> e(a.size());
    long double sum = 0;
    for (std::size_t j = 0; j < a.size(); ++j) {
      const long double u =
          static_cast<long double>(a[j] - amax) * mult / std::ldexp(1.0L, shift) / 65536.0L;
      e[j] = std::exp2(u);
      sum += e[j];
    }
    for (std::size_t j = 0; j < a.size(); ++j) {
      const double err = static_cast<double>(std::fabs(p[j] / 256.0L - e[j] / sum));
      worst = std::max(worst, err);
      REQUIRE(err <= 1.0 / 256 + 1e-9);
    }
  }
  MESSAGE("softmax worst absolute error " << worst);
}

TEST_CASE("integer GELU within 1e-3 + 2^-12 of the exact GELU over the whole Q12 range") {
  double worst = 0;
  for (std::int64_t x = -(std::int64_t{20} << 12); x <= (std::int64_t{20} << 12); ++x) {
    const double xv = static_cast<double>(x) / 4096.0;
    const double ref = 0.5 * xv * (1.0 + std::erf(xv / std::sqrt(2.0)));
    const double err = std::fabs(static_cast<double>(gelu(x, 12)) / 4096.0 - ref);
    worst = std::max(worst, err);
    REQUIRE(err <= 1e-3 + 1.0 / 4096);
  }
  MESSAGE("GELU worst absolute error " << worst);
  CHECK(gelu(INT64_MAX, 12) == INT64_MAX);
  CHECK(gelu(INT64_MIN, 12) == 0);
  CHECK(gelu(0, 12) == 0);
  CHECK(gelu(-(std::int64_t{1} << 40), 0) == 0);
}

TEST_CASE("integer tanh against std::tanh over [-10, 10] in Q12 and Q20; odd; saturates") {
  for (const int frac : {12, 20}) {
    const double one = std::ldexp(1.0, frac);
    double worst = 0;
    for (std::int64_t x = -10 * static_cast<std::int64_t>(one); x <= 10 * one;
         x += static_cast<std::int64_t>(one) / 512 + 1) {
      const double err = std::fabs(static_cast<double>(rapmc::kern::tanh(x, frac)) / one -
                                   std::tanh(static_cast<double>(x) / one));
      worst = std::max(worst, err);
      REQUIRE(err <= 2e-5 + 1.0 / one);
      REQUIRE(rapmc::kern::tanh(-x, frac) == -rapmc::kern::tanh(x, frac));
    }
    MESSAGE("tanh Q" << frac << " worst absolute error " << worst);
  }
  CHECK(rapmc::kern::tanh(0, 12) == 0);
  CHECK(rapmc::kern::tanh(INT64_MAX / 4, 12) == 4096);
  CHECK(rapmc::kern::tanh(-(std::int64_t{1} << 40), 0) == -1);
}

TEST_CASE("integer LayerNorm against the float LayerNorm; no overflow at the extremes") {
  boost::random::mt19937 gen(9);
  boost::random::uniform_real_distribution<double> g(-3.0, 3.0);
  boost::random::uniform_int_distribution<int> mag(1, 30);
  const int out_frac = 12, gamma_frac = 16;
  double worst = 0;
  for (int it = 0; it < 500; ++it) {
    const int d = it % 2 ? 64 : 48;
    const double eps = 1e-5;
    const int x_exp = -20 + it % 30;
    const std::int64_t lim = std::int64_t{1} << mag(gen);
    boost::random::uniform_int_distribution<std::int64_t> val(-lim, lim);
    std::vector<std::int64_t> x(static_cast<std::size_t>(d)), gq(x.size()), bq(x.size()),
        out(x.size());
    std::vector<double> gamma(x.size()), beta(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      x[i] = val(gen);
      gamma[i] = g(gen);
      beta[i] = g(gen);
      gq[i] =
          std::llround(gamma[i] * std::sqrt(static_cast<double>(d)) * std::ldexp(1.0, gamma_frac));
      bq[i] = std::llround(beta[i] * std::ldexp(1.0, out_frac));
    }
    const auto eps_q = std::llround(eps * d * d * d * std::ldexp(1.0, 32));
    layernorm(x, x_exp, eps_q, gq, gamma_frac, bq, out_frac, out);
    long double mu = 0, var = 0;
    for (auto v : x) mu += std::ldexp(static_cast<long double>(v), x_exp);
    mu /= d;
    for (auto v : x) var += std::pow(std::ldexp(static_cast<long double>(v), x_exp) - mu, 2);
    var /= d;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const long double ref = (std::ldexp(static_cast<long double>(x[i]), x_exp) - mu) /
                                  std::sqrt(var + eps) * gamma[i] +
                              beta[i];
      const double err = static_cast<double>(
          std::fabs(std::ldexp(static_cast<long double>(out[i]), -out_frac) - ref));
      worst = std::max(worst, err);
      // Stated bound: two output LSBs, plus 2^-18 relative of |γ|·√D from the 20-bit d window.
      REQUIRE(err <= 2.0 / 4096 + std::ldexp(1.0, -18) * 3.0 * std::sqrt(static_cast<double>(d)));
    }
  }
  MESSAGE("LayerNorm worst absolute error " << worst);
  // Worst case for the intermediates: D = 4096 mantissas alternating at ±(2^31 - 1).
  std::vector<std::int64_t> x(4096), gq(4096, std::int64_t{64} << 16), bq(4096, 0),
      out(4096);  // γ = 1
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = i % 2 ? INT32_MAX : -INT32_MAX;
  layernorm(x, 0, 0, gq, 16, bq, 12, out);
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(std::abs(out[i] - (i % 2 ? 4096 : -4096)) <= 1);
  // A constant vector normalises to β exactly.
  std::vector<std::int64_t> c(64, 777), gc(64, 1 << 16), bc(64, 99), oc(64);
  layernorm(c, 0, 1000, gc, 16, bc, 12, oc);
  CHECK(oc == bc);
}

TEST_CASE("int8 GEMM exact, including the worst-case accumulation") {
  const int in = 131071;
  std::vector<std::int8_t> w(static_cast<std::size_t>(in), -128),
      x(static_cast<std::size_t>(in), -128);
  std::int32_t acc = 0;
  gemm_s8(w.data(), 1, in, x.data(), 1, &acc);
  CHECK(acc == 16384 * in);
  const std::vector<std::int8_t> w2 = {1, -2, 3, 127, -128, 0};  // [2×3]
  const std::vector<std::int8_t> x2 = {5, 6, 7, -1, -1, -1};     // [2×3]
  std::vector<std::int32_t> a2(4);
  gemm_s8(w2.data(), 2, 3, x2.data(), 2, a2.data());
  CHECK(a2 == std::vector<std::int32_t>{14, -133, -2, 1});
  const std::vector<std::uint8_t> p = {255, 255, 0};
  const std::vector<std::int8_t> v = {-128, 127, 5};
  CHECK(dot_u8s8(p.data(), v.data(), 3) == -255);
}
