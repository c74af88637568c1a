#include <doctest/doctest.h>

#include <cmath>

#include "rapmc/core/errors.h"
#include "rapmc/core/parallelism.h"
#include "rapmc/data/dataset.h"
#include "rapmc/infer/evaluate.h"
#include "rapmc/io/hdf5.h"
#include "rapmc/model/fp32_forward.h"
#include "test_support.h"

using namespace rapmc;

TEST_CASE("layer_norm, gelu and softmax against closed forms") {
  const arma::mat x = {{1.0, -3.0}, {2.0, 0.0}, {6.0, 3.0}};
  const arma::mat y = layer_norm(x, arma::ones(3), arma::zeros(3), 0.0);
  for (arma::uword c = 0; c < 2; ++c) {
    CHECK(arma::mean(y.col(c)) == doctest::Approx(0.0).epsilon(1e-12));
    CHECK(arma::mean(arma::square(y.col(c))) == doctest::Approx(1.0).epsilon(1e-12));
  }
  const arma::mat g = gelu(arma::mat{{0.0, 1.0, -1.0, 10.0}});
  CHECK(g(0, 0) == 0.0);
  CHECK(g(0, 1) == doctest::Approx(0.8413447460685429).epsilon(1e-15));
  CHECK(g(0, 2) == doctest::Approx(-0.15865525393145707).epsilon(1e-15));
  CHECK(g(0, 3) == doctest::Approx(10.0).epsilon(1e-15));
  const arma::mat p = softmax_rows(arma::mat{{1000.0, 1000.0, -1000.0}, {0.0, std::log(3.0), 0.0}});
  CHECK(p(0, 0) == doctest::Approx(0.5));
  CHECK(p(0, 2) == 0.0);
  CHECK(p(1, 1) == doctest::Approx(0.6));
}

TEST_CASE("patches are taken row-major and flattened (channel, row, column)") {
  EncoderConfig c;
  c.image_size = 4, c.patch_size = 2, c.channels = 1, c.mean = {0.0}, c.std = {1.0 / 255.0};
  std::vector<std::uint8_t> px(16);
  for (int i = 0; i < 16; ++i) px[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
  const arma::mat p = image_patches(c, px.data());  // value = pixel index, as std = 1/255
  REQUIRE(p.n_rows == 4);
  REQUIRE(p.n_cols == 4);
  CHECK(p(0, 0) == doctest::Approx(0));
  CHECK(p(1, 0) == doctest::Approx(1));
  CHECK(p(2, 0) == doctest::Approx(4));
  CHECK(p(0, 1) == doctest::Approx(2));  // second patch: top-right
  CHECK(p(0, 2) == doctest::Approx(8));  // third patch: bottom-left
  CHECK(p(3, 3) == doctest::Approx(15));
}

TEST_CASE("C++ fp32 logits match the PyTorch fixture within 1e-4 on 256 test images") {
  const EncoderModel model = load_model(test::shipped_model());
  const h5::File fix = h5::File::open(test::shipped_fixture());
  std::vector<std::uint64_t> shape;
  const std::vector<float> torch_logits = fix.read_float_dataset("logits", &shape);
  REQUIRE(shape == std::vector<std::uint64_t>{256, 10});
  const SampleSet images = load_dataset("fashion-mnist:test", "", 256);
  const Fp32Inference fp32(model);
  double worst = 0;
  for (std::size_t i = 0; i < 256; ++i) {
    const arma::vec l = fp32.forward(images.sample(i));
    for (std::size_t k = 0; k < 10; ++k)
      worst = std::max(worst, std::abs(l(k) - torch_logits[i * 10 + k]));
  }
  MESSAGE("largest |C++ - PyTorch| logit difference: " << worst);
  CHECK(worst < 1e-4);
}

TEST_CASE(
    "accuracy on the 10,000 test images equals PyTorch's within 0.05 points; threads do not "
    "matter") {
  const EncoderModel model = load_model(test::shipped_model());
  const SampleSet images = load_dataset("fashion-mnist:test");
  EvalOptions opt;
  opt.progress = ProgressDisplay::OFF;
  EvalResult two;
  {
    const Parallelism p(2);
    two = evaluate(model, images, opt);
  }
  REQUIRE(two.n == 10000);
  MESSAGE("C++ fp32 accuracy " << two.accuracy << ", PyTorch " << model.torch_test_accuracy);
  CHECK(std::abs(two.accuracy - model.torch_test_accuracy) <= 0.0005 + 1e-12);

  const SampleSet head = load_dataset("fashion-mnist:test", "", 500);
  EvalResult one;
  {
    const Parallelism p(1);
    one = evaluate(model, head, opt);
  }
  CHECK(arma::approx_equal(one.logits, two.logits.cols(0, 499), "absdiff", 0.0));
}

TEST_CASE("images of the wrong shape are refused [E15]") {
  const EncoderModel model = test::tiny_model();
  SampleSet wrong;
  wrong.name = "synthetic";
  wrong.rows = wrong.cols = 28;
  wrong.bytes.assign(28 * 28, 0);
  wrong.labels = {0};
  CHECK_THROWS_WITH_AS(check_input_shape(wrong, model.input()), test::has("expects 1x8x8"),
                       DataError);
}
