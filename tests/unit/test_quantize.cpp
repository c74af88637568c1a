// Offline quantization: dyadic constants, per-channel weights, calibration, the integer model.
#include <doctest/doctest.h>

#include <cmath>

#include "rapmc/core/errors.h"
#include "rapmc/model/fp32_forward.h"
#include "rapmc/quant/calibration.h"
#include "rapmc/quant/dyadic.h"
#include "rapmc/quant/quantize.h"
#include "rapmc/quant/weight_quant.h"
#include "test_support.h"

using namespace rapmc;

namespace {
// Synthetic 8x8 images for the tiny model: a deterministic pattern per image.
SampleSet tiny_images(int n) {
  SampleSet s;
  s.name = "synthetic";
  s.rows = s.cols = 8;
  for (int i = 0; i < n; ++i) {
    for (int p = 0; p < 64; ++p)
      s.bytes.push_back(static_cast<std::uint8_t>((p * 37 + i * 101) % 256));
    s.labels.push_back(i % 3);
  }
  return s;
}
}  // namespace

TEST_CASE("dyadic constants: nearest 24-bit mantissa, exact products, error on bad input") {
  CHECK(to_dyadic(1.0) == Dyadic{1 << 23, -23});
  CHECK(to_dyadic(0.75) == Dyadic{3 << 22, -24});
  CHECK(to_dyadic(0.0) == Dyadic{});
  // A value that rounds up to the next power of two keeps a 24-bit mantissa.
  CHECK(to_dyadic(std::nextafter(2.0, 0.0)) == Dyadic{1 << 23, -22});
  for (double x : {1e-9, 0.1, 1.0 / 3.0, 7.25, 12345.678}) {
    CAPTURE(x);
    const Dyadic d = to_dyadic(x);
    CHECK(d.m >= (1 << 23));
    CHECK(d.m < (1 << 24));
    CHECK(std::abs(to_double(d) - x) <= x * std::ldexp(1.0, -24));
    CHECK(dyadic_top(d) == std::ilogb(x));
  }
  // Products of exactly representable values are exact; others within one rounding.
  CHECK(to_double(dyadic_mul(to_dyadic(0.75), to_dyadic(1.5))) == 1.125);
  const double a = 1.0 / 3.0, b = 0.1;
  CHECK(std::abs(to_double(dyadic_mul(to_dyadic(a), to_dyadic(b))) - a * b) <=
        3 * a * b * std::ldexp(1.0, -24));
  CHECK(dyadic_mul(Dyadic{}, to_dyadic(3.0)) == Dyadic{});
  CHECK_THROWS_AS(to_dyadic(-1.0), ConfigError);
  CHECK_THROWS_AS(to_dyadic(std::nan("")), ConfigError);
}

TEST_CASE("per-channel weight quantization: exact on a known matrix, range checked") {
  arma::mat w = {{0.5, -1.0, 0.25}, {0.0, 0.0, 0.0}, {3.0, 1.5, -0.75}};
  const QuantizedWeights q = quantize_per_channel(w, 8);
  CHECK(q.scale[0] == doctest::Approx(1.0 / 127));
  CHECK(q.scale[1] == 1.0);  // an all-zero row keeps scale 1
  CHECK(q.w ==
        std::vector<std::int8_t>{64, -127, 32, 0, 0, 0, 127, 64, -32});  // 63.5 and 31.75 round up
  const QuantizedWeights q4 = quantize_per_channel(w, 4);
  CHECK(q4.w[1] == -7);
  CHECK(q4.w[6] == 7);
  CHECK_THROWS_WITH_AS(quantize_per_channel(w, 9), test::has("weight_bits = 9 out of range 2..8"),
                       ConfigError);
  CHECK_THROWS_AS(quantize_per_channel(w, 1), ConfigError);
}

TEST_CASE(
    "calibration: minmax is the largest |x|, percentile 100 equals it, lower percentiles clip") {
  const EncoderModel model = test::tiny_model();
  const SampleSet images = tiny_images(6);
  const ActivationRanges mm = calibrate(model, images, {Calibrator::MINMAX, 100});
  // The oracle: max |x| of each point over the same forward passes.
  ActivationRanges oracle;
  const Fp32Inference fp32(model);
  for (std::size_t i = 0; i < images.size(); ++i) {
    fp32.forward(images.sample(i), [&](const std::string& p, const arma::mat& v) {
      oracle[p] = std::max(oracle[p], arma::abs(v).max());
    });
  }
  CHECK(mm.size() == 2 * 9 + 2);
  for (const auto& [p, r] : oracle) {
    const auto p_ = p;  // Clang 14 lambdas cannot capture a structured binding
    CAPTURE(p_);
    CHECK(mm.at(p) == r);
  }
  const ActivationRanges p100 = calibrate(model, images, {Calibrator::PERCENTILE, 100});
  const ActivationRanges p90 = calibrate(model, images, {Calibrator::PERCENTILE, 90});
  for (const auto& [p, r] : mm) {
    const auto p_ = p;  // Clang 14 lambdas cannot capture a structured binding
    CAPTURE(p_);
    CHECK(p100.at(p) == doctest::Approx(r).epsilon(1e-6));  // stored as float samples
    CHECK(p90.at(p) < r);
  }
  SampleSet empty = images;
  empty.bytes.clear();
  empty.labels.clear();
  CHECK_THROWS_WITH_AS(calibrate(model, empty, {}), test::has("is empty"), ConfigError);
  CHECK_THROWS_WITH_AS(calibrate(model, images, {Calibrator::PERCENTILE, 40}),
                       test::has("--percentile"), ConfigError);
  CHECK_THROWS_AS(parse_calibrator("entropy"), ConfigError);
}

TEST_CASE("quantization settings out of range are reported together") {
  QuantSettings s;
  s.weight_bits = 9;
  s.act_bits = 1;
  CHECK_THROWS_WITH_AS(s.validate(), test::has("weight_bits = 9 out of range 2..8; act_bits = 1"),
                       ConfigError);
  const EncoderModel model = test::tiny_model();
  CHECK_THROWS_AS(quantize_model(model, tiny_images(2), {}, s), ConfigError);
}

TEST_CASE("the integer model holds the quantized weights and the folded embedding") {
  const EncoderModel model = test::tiny_model();
  const IntModel q =
      quantize_model(model, tiny_images(4), {Calibrator::MINMAX, 100}, QuantSettings{});
  CHECK(q.tokens == 5);
  CHECK(q.head_dim == 4);
  CHECK(q.embed.bias.size() == 5u * 8u);
  // Row 0 of the embedding bias is the CLS token plus its position.
  for (int o = 0; o < 8; ++o)
    CHECK(std::ldexp(static_cast<double>(q.embed.bias_row(0)[o]), q.embed.bias_exp) ==
          doctest::Approx(model.cls(o) + model.pos(o, 0)).epsilon(1e-8));
  // Weights dequantize to within half a step of the FP32 weights.
  const IntLinear& fc1 = q.blocks[1].fc1;
  for (int o = 0; o < fc1.out; ++o)
    for (int i = 0; i < fc1.in; ++i) {
      const double w = model.blocks[1].fc1_weight(o, i);
      CHECK(std::abs(to_double(fc1.w_scale[o]) * fc1.w[o * fc1.in + i] - w) <=
            0.5 * to_double(fc1.w_scale[o]) * 1.0001);
    }
}
