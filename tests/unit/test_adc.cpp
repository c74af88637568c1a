// The ADC decision rule written once: the engine's vectorised bitline kernels (adc_kernels.h)
// give adc_convert's noise-free code, signed margin and closest distance bit for bit, at every
// resolution the hardware file allows and every kind of input.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <sstream>
#include <vector>

#include "rapmc/pim/adc.h"
#include "rapmc/pim/adc_kernels.h"
#include "rapmc/pim/hardware.h"

using namespace rapmc;
using namespace rapmc::pim;

namespace {

// Deterministic uniform values in [−1, 1) (a 64-bit LCG; test data only).
class Lcg {
 public:
  explicit Lcg(std::uint64_t seed) : state_(seed) {}
  float next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<float>(static_cast<double>(state_ >> 40) / (1 << 23) - 1.0);
  }

 private:
  std::uint64_t state_;
};

// Three instances of one ADC: nominal (thresholds `shift` below k − 1/2), mildly mismatched,
// and strongly mismatched (flash thresholds crossing their neighbours, SAR bit weights out of
// order).
std::vector<std::vector<float>> instances(AdcType type, int enob, double shift) {
  const auto P = static_cast<std::size_t>(adc_param_count(type, enob));
  std::vector<std::vector<float>> out(3, std::vector<float>(P));
  Lcg rng(static_cast<std::uint64_t>(enob) * 1000 + (type == AdcType::SAR ? 1 : 0));
  for (int i = 0; i < 3; ++i) {
    std::vector<float>& p = out[static_cast<std::size_t>(i)];
    nominal_adc_params(type, enob, shift, p);
    if (i == 0) continue;
    const float spread = i == 1 ? 0.3f : 1.2f;  // LSB of threshold (flash) or offset (sar)
    const float eps = i == 1 ? 0.03f : 0.2f;    // relative mismatch of a sar bit weight
    if (type == AdcType::FLASH) {
      for (float& t : p) t += spread * rng.next();
    } else {
      p[0] += spread * rng.next();
      for (std::size_t k = 1; k < P; ++k) p[k] *= 1.0f + eps * rng.next();
    }
  }
  return out;
}

// The input values (LSB) at which a decision of instance p sits: flash, its thresholds; sar,
// u with u + offset = trial − 1/2 for every DAC level a trial can compare against (the bits of
// a code summed as the converter sums them, highest first), rounded as float arithmetic gives.
std::vector<float> own_thresholds(AdcType type, int enob, std::span<const float> p) {
  if (type == AdcType::FLASH) return {p.begin(), p.end()};
  std::vector<float> out;
  for (int c = 1; c < (1 << enob); ++c) {
    float level = 0.0f;
    for (int k = enob - 1; k >= 0; --k)
      if ((c >> k) & 1) level += p[static_cast<std::size_t>(1 + k)];
    out.push_back((level - 0.5f) - p[0]);
  }
  return out;
}

struct Column {
  int instance;
  float u;
  std::int32_t ideal;
};

// Every input of one case: each threshold of the instance and of the ideal converter exactly
// and one float step either side, each code level and its neighbouring counts, zeros, a
// denormal, negative values and values beyond full scale; each against its ideal code, the
// codes either side, 0 and the top code.
std::vector<Column> columns(AdcType type, int enob, int lsb, double shift,
                            const std::vector<std::vector<float>>& inst) {
  const int top = (1 << enob) - 1;
  const auto fshift = static_cast<float>(shift);
  std::vector<Column> cols;
  for (int i = 0; i < static_cast<int>(inst.size()); ++i) {
    std::vector<float> u;
    auto around = [&](float x) {
      u.push_back(x);
      u.push_back(std::nextafter(x, -INFINITY));
      u.push_back(std::nextafter(x, INFINITY));
    };
    for (float t : own_thresholds(type, enob, inst[static_cast<std::size_t>(i)])) around(t);
    for (int k = 0; k <= top + 1; ++k) {
      around(static_cast<float>(k) - 0.5f - fshift);
      const double count = static_cast<double>(k) * lsb;
      for (double dc : {0.0, -1.0, 1.0}) u.push_back(static_cast<float>((count + dc) / lsb));
    }
    for (float x : {0.0f, -0.0f, std::numeric_limits<float>::denorm_min(), -0.5f, -1.0f, -100.0f,
                    static_cast<float>(top) + 0.5f, static_cast<float>(top) + 1.0f,
                    static_cast<float>(2 * top + 7), 1e6f, -1e6f})
      u.push_back(x);
    for (float x : u) {
      // The ideal ADC's code of x (its thresholds at k − 1/2 − shift).
      const double c = std::floor(static_cast<double>(x) + shift + 0.5);
      const int code = static_cast<int>(std::clamp(c, 0.0, static_cast<double>(top)));
      for (int ideal : {code, code - 1, code + 1, 0, top})
        cols.push_back({i, x, std::clamp(ideal, 0, top)});
    }
  }
  return cols;
}

// What one (type, enob, lsb) case covered and where the first difference was.
struct Outcome {
  std::size_t columns = 0, differences = 0, wrong_codes = 0, on_threshold = 0;
  std::string first;
};

Outcome compare(AdcType type, int enob, int lsb) {
  HardwareConfig h;
  h.lsb_counts = lsb;
  const double shift = h.threshold_shift_lsb();
  const auto inst = instances(type, enob, shift);
  const std::vector<Column> c = columns(type, enob, lsb, shift, inst);
  const int n = static_cast<int>(c.size());
  const auto P = static_cast<std::size_t>(adc_param_count(type, enob));
  // The kernels' layout: parameter k of bitline col at [k·cols + col].
  std::vector<float> params(P * c.size()), u(c.size()), margin(c.size()), closest(c.size());
  std::vector<std::int32_t> ideal(c.size()), code(c.size());
  for (std::size_t col = 0; col < c.size(); ++col) {
    for (std::size_t k = 0; k < P; ++k)
      params[k * c.size() + col] = inst[static_cast<std::size_t>(c[col].instance)][k];
    u[col] = c[col].u;
    ideal[col] = c[col].ideal;
  }
  if (type == AdcType::FLASH)
    flash_bitlines(enob, n, params.data(), u.data(), ideal.data(), code.data(), margin.data(),
                   closest.data());
  else
    sar_bitlines(enob, n, params.data(), u.data(), ideal.data(), code.data(), margin.data(),
                 closest.data());
  Outcome o;
  o.columns = c.size();
  for (std::size_t col = 0; col < c.size(); ++col) {
    float m = 0.0f, near = 0.0f;
    const int want = adc_convert(type, enob, inst[static_cast<std::size_t>(c[col].instance)],
                                 c[col].u, c[col].ideal, m, {}, &near);
    o.wrong_codes += want != c[col].ideal;
    o.on_threshold += near == 0.0f;
    const bool same =
        code[col] == want &&
        std::bit_cast<std::uint32_t>(margin[col]) == std::bit_cast<std::uint32_t>(m) &&
        std::bit_cast<std::uint32_t>(closest[col]) == std::bit_cast<std::uint32_t>(near);
    if (!same && o.differences++ == 0) {
      std::ostringstream s;
      s.precision(9);
      s << "instance " << c[col].instance << ", u = " << c[col].u << ", ideal " << c[col].ideal
        << ": kernel code " << code[col] << " margin " << margin[col] << " closest " << closest[col]
        << "; adc_convert code " << want << " margin " << m << " closest " << near;
      o.first = s.str();
    }
  }
  return o;
}

}  // namespace

TEST_CASE(
    "flash and sar bitline kernels equal adc_convert bit for bit at every resolution and "
    "lsb_counts") {
  // Flash: enob 1..8 (the unrolled kernels for 1, 3, 7, 15 comparators and the general one);
  // sar: enob 1..12 (vectorised up to 8 bits, per bitline beyond). lsb_counts 1 to 4096 moves
  // the thresholds half a count (even counts) and the inputs onto the count grid.
  for (AdcType type : {AdcType::FLASH, AdcType::SAR}) {
    const int max_enob = type == AdcType::FLASH ? 8 : 12;
    for (int enob = 1; enob <= max_enob; ++enob) {
      for (int lsb : {1, 2, 3, 7, 64, 4096}) {
        CAPTURE(to_string(type));
        CAPTURE(enob);
        CAPTURE(lsb);
        const Outcome o = compare(type, enob, lsb);
        CHECK_MESSAGE(o.differences == 0, o.differences << " of " << o.columns
                                                        << " bitlines differ, first: " << o.first);
        // The inputs reach what the comparison must cover: wrong codes (negative margins on the
        // ideal path, paths that part) and inputs exactly on a threshold (zero distances).
        CHECK(o.wrong_codes > 0);
        CHECK(o.on_threshold > 0);
      }
    }
  }
}
