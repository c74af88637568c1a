#include "rapmc/pim/adc_kernels.h"

#include <algorithm>
#include <array>
#include <span>
#include <string>
#include <type_traits>

#include "rapmc/core/errors.h"
#include "rapmc/pim/adc.h"

namespace rapmc::pim {
namespace {

using namespace adc_rule;

// f(std::integral_constant<int, N>{}) for the N among the arguments that equals n (so that a
// kernel can unroll for it); false if none does.
template <int... N, typename F>
bool with_constant(int n, F f) {
  return ((n == N ? (f(std::integral_constant<int, N>{}), true) : false) || ...);
}

// The flash comparators t[k·cols + col] over every bitline u. With P (> 0) known at compile
// time the comparators unroll and the bitlines vectorise; P = 0: `count` comparators, one pass
// over the bitlines each. adc_convert's operations, in its order, per bitline.
template <int P>
void flash_comparators(int cols, const float* __restrict t, const float* __restrict u,
                       const std::int32_t* __restrict ideal, std::int32_t* __restrict code,
                       float* __restrict margin, float* __restrict closest, int count = P) {
  if constexpr (P > 0) {
    for (int col = 0; col < cols; ++col) {
      const float v = u[col];
      const int id = ideal[col];
      int c = 0;
      float mg = 1e30f, near = 1e30f;
#pragma GCC unroll 16
      for (int k = 0; k < P; ++k) {
        const float x = flash_distance(v, t[static_cast<std::size_t>(k) * cols + col]);
        const float ax = threshold_distance(x);
        near = ax < near ? ax : near;
        c += fires(x);
        const float signed_x = decision_margin(k < id, x);
        mg = signed_x < mg ? signed_x : mg;
      }
      code[col] = c;
      margin[col] = mg;
      closest[col] = near;
    }
  } else {
    std::fill(code, code + cols, 0);
    std::fill(margin, margin + cols, 1e30f);
    std::fill(closest, closest + cols, 1e30f);
    for (int k = 0; k < count; ++k) {
      const float* tk = t + static_cast<std::size_t>(k) * cols;
      for (int col = 0; col < cols; ++col) {
        const float x = flash_distance(u[col], tk[col]);
        const float ax = threshold_distance(x);
        closest[col] = ax < closest[col] ? ax : closest[col];
        code[col] += fires(x);
        const float signed_x = decision_margin(k < ideal[col], x);
        margin[col] = signed_x < margin[col] ? signed_x : margin[col];
      }
    }
  }
}

// The SAR conversion of every bitline u, with B bits known at compile time so that the
// bitlines vectorise: adc_convert's operations, in its order, per bitline.
template <int B>
void sar_decisions(int cols, const float* __restrict p, const float* __restrict u,
                   const std::int32_t* __restrict ideal, std::int32_t* __restrict code,
                   float* __restrict margin, float* __restrict closest) {
  for (int col = 0; col < cols; ++col) {
    const float v = sar_input(u[col], p[col]);
    const int id = ideal[col];
    float acc = 0.0f, ideal_acc = 0.0f, mg = 1e30f, near = 1e30f;
    int c = 0;
#pragma GCC unroll 16
    for (int k = B - 1; k >= 0; --k) {
      const float w = p[static_cast<std::size_t>(1 + k) * cols + col];
      // The decision the converter takes (on its own path) ...
      const float trial = sar_trial(acc, w);
      const float d = sar_distance(v, trial);
      const float ad = threshold_distance(d);
      near = ad < near ? ad : near;
      const bool take = fires(d);
      acc = take ? trial : acc;
      c |= take ? 1 << k : 0;
      // ... and its margin on the ideal code's path (the same decision while the paths agree).
      const bool want = (id >> k) & 1;
      const float ideal_trial = sar_trial(ideal_acc, w);
      const float xi = ideal_trial == trial ? d : sar_distance(v, ideal_trial);
      const float signed_x = decision_margin(want, xi);
      mg = signed_x < mg ? signed_x : mg;
      ideal_acc = want ? ideal_trial : ideal_acc;
    }
    code[col] = c;
    margin[col] = mg;
    closest[col] = near;
  }
}

}  // namespace

void flash_bitlines(int enob, int cols, const float* t, const float* u, const std::int32_t* ideal,
                    std::int32_t* code, float* margin, float* closest) {
  const int P = adc_param_count(AdcType::FLASH, enob);
  const auto run = [&](auto p) {
    flash_comparators<decltype(p)::value>(cols, t, u, ideal, code, margin, closest, P);
  };
  if (!with_constant<1, 3, 7, 15>(P, run)) run(std::integral_constant<int, 0>{});
}

void sar_bitlines(int enob, int cols, const float* p, const float* u, const std::int32_t* ideal,
                  std::int32_t* code, float* margin, float* closest) {
  const auto run = [&](auto b) {
    sar_decisions<decltype(b)::value>(cols, p, u, ideal, code, margin, closest);
  };
  if (with_constant<1, 2, 3, 4, 5, 6, 7, 8>(enob, run)) return;
  // Beyond 8 bits each bitline through adc_convert, its parameters gathered from the columns.
  constexpr int MAX_ENOB = 12;
  if (enob < 1 || enob > MAX_ENOB)
    throw ModelError("sar_bitlines: enob = " + std::to_string(enob) + " outside 1..12");
  const int P = adc_param_count(AdcType::SAR, enob);
  std::array<float, 1 + MAX_ENOB> params{};
  for (int col = 0; col < cols; ++col) {
    for (int k = 0; k < P; ++k) params[k] = p[static_cast<std::size_t>(k) * cols + col];
    code[col] = adc_convert(AdcType::SAR, enob,
                            std::span<const float>(params.data(), static_cast<std::size_t>(P)),
                            u[col], ideal[col], margin[col], {}, &closest[col]);
  }
}

}  // namespace rapmc::pim
