// The integer pipelines end to end: golden integer logits, thread invariance, accuracy on the
// whole test set against fp32, and the integer model that `rapmc quantize` makes.
#include <doctest/doctest.h>

#include <cstdlib>
#include <map>

#include "rapmc/core/parallelism.h"
#include "rapmc/infer/evaluate.h"
#include "rapmc/infer/flare_engine.h"
#include "rapmc/infer/ptq_dqq_inference.h"
#include "rapmc/io/hdf5.h"
#include "rapmc/quant/quantize.h"
#include "test_support.h"

using namespace rapmc;

namespace {
const std::string INT_MODEL = "data/models/vit_fmnist_int8.h5";
const std::string GOLDEN = "data/fixtures/flare_logits64.h5";
constexpr int GOLDEN_IMAGES = 64;

EvalOptions quiet() {
  EvalOptions o;
  o.progress = ProgressDisplay::OFF;
  return o;
}
}  // namespace

// Regenerate after an intended change of the integer pipeline with
//   RAPMC_WRITE_GOLDEN=1 build/tests/test_flare -tc='*golden*'
// (data/fixtures/README.md); the diff of the fixture then shows what changed.
TEST_CASE("flare integer logits equal the golden fixture bit for bit (emsb and dyadic)") {
  const IntModel q = load_int_model(test::source_path(INT_MODEL));
  const SampleSet images = load_dataset("fashion-mnist:test", "", GOLDEN_IMAGES);
  const DigitalMvm digital;
  std::map<std::string, std::vector<std::int64_t>> computed;
  for (RequantMode mode : {RequantMode::EMSB, RequantMode::DYADIC}) {
    const FlareInference flare(q, mode, digital);
    auto& m = computed[to_string(mode) + "/m"];
    auto& e = computed[to_string(mode) + "/exp"];
    for (int i = 0; i < GOLDEN_IMAGES; ++i) {
      const IntLogits l = flare.forward(images.sample(i));
      m.insert(m.end(), l.m.begin(), l.m.end());
      e.push_back(l.exp);
    }
  }
  if (std::getenv("RAPMC_WRITE_GOLDEN") != nullptr) {
    const h5::File out = h5::File::create(test::source_path(GOLDEN), h5::Overwrite::YES);
    for (const auto& [name, v] : computed) {
      const bool is_m = name.ends_with("/m");
      out.write_dataset(name, v,
                        is_m ? std::vector<std::uint64_t>{GOLDEN_IMAGES,
                                                          static_cast<std::uint64_t>(q.num_classes)}
                             : std::vector<std::uint64_t>{GOLDEN_IMAGES});
    }
    MESSAGE("wrote " << GOLDEN);
  }
  const h5::File golden = h5::File::open(test::source_path(GOLDEN));
  for (const auto& [name, v] : computed) {
    const auto name_ = name;  // Clang 14 lambdas cannot capture a structured binding
    CAPTURE(name_);
    CHECK(golden.read_int64_dataset(name) == v);
  }
}

TEST_CASE("flare logits are identical on 1 and 2 threads and run to run") {
  const IntModel q = load_int_model(test::source_path(INT_MODEL));
  const SampleSet images = load_dataset("fashion-mnist:test", "", 300);
  const DigitalMvm digital;
  for (RequantMode mode : {RequantMode::EMSB, RequantMode::DYADIC}) {
    CAPTURE(to_string(mode));
    const FlareInference flare(q, mode, digital);
    const FlareEngine engine(flare);
    EvalResult one, two, again;
    {
      const Parallelism p(1);
      one = evaluate(engine, q.num_classes, images, quiet());
    }
    {
      const Parallelism p(2);
      two = evaluate(engine, q.num_classes, images, quiet());
      again = evaluate(engine, q.num_classes, images, quiet());
    }
    CHECK(arma::approx_equal(one.logits, two.logits, "absdiff", 0.0));
    CHECK(arma::approx_equal(two.logits, again.logits, "absdiff", 0.0));
  }
}

TEST_CASE("the shipped integer model is exactly what quantize makes from the shipped FP32 model") {
  const EncoderModel model = load_model(test::shipped_model());
  const SampleSet calib = load_dataset("fashion-mnist:train", "", 512);
  const IntModel made = quantize_model(model, calib, CalibrationOptions{}, QuantSettings{});
  const IntModel shipped = load_int_model(test::source_path(INT_MODEL));
  const SampleSet images = load_dataset("fashion-mnist:test", "", 16);
  const DigitalMvm digital;
  const FlareInference a(made, RequantMode::EMSB, digital), b(shipped, RequantMode::EMSB, digital);
  for (std::size_t i = 0; i < images.size(); ++i)
    CHECK(a.forward(images.sample(i)) == b.forward(images.sample(i)));
  CHECK(made.blocks[3].fc2.w == shipped.blocks[3].fc2.w);
  CHECK(made.blocks[3].fc2_in.scale == shipped.blocks[3].fc2_in.scale);
}

TEST_CASE("on all 10,000 test images flare (emsb, dyadic) and ptq-dqq are within 1 point of fp32") {
  const EncoderModel model = load_model(test::shipped_model());
  const IntModel q = load_int_model(test::source_path(INT_MODEL));
  const SampleSet images = load_dataset("fashion-mnist:test");
  REQUIRE(images.size() == 10000);
  test::check_integer_pipelines(model, q, images, 1.0);
}

TEST_CASE("extreme images: no overflow anywhere, logits stay close to fp32") {
  const EncoderModel model = load_model(test::shipped_model());
  const IntModel q = load_int_model(test::source_path(INT_MODEL));
  SampleSet extreme;
  extreme.name = "extreme";
  extreme.rows = extreme.cols = 28;
  for (int kind = 0; kind < 4; ++kind) {
    for (int p = 0; p < 28 * 28; ++p) {
      const int r = p / 28, c = p % 28;
      const std::uint8_t v = kind == 0   ? 0
                             : kind == 1 ? 255
                             : kind == 2 ? ((r + c) % 2) * 255
                                         : (r < 14) * 255;
      extreme.bytes.push_back(v);
    }
    extreme.labels.push_back(0);
  }
  const EvalResult fp32 = evaluate(model, extreme, quiet());
  const DigitalMvm digital;
  for (RequantMode mode : {RequantMode::EMSB, RequantMode::DYADIC}) {
    CAPTURE(to_string(mode));
    const FlareInference flare(q, mode, digital);
    const EvalResult r = evaluate(FlareEngine(flare), q.num_classes, extreme, quiet());
    MESSAGE(to_string(mode) << " SQNR on extreme images " << sqnr_db(r, fp32) << " dB");
    CHECK(r.logits.is_finite());
    CHECK(sqnr_db(r, fp32) > 10.0);  // an overflow or a wrapped intermediate gives noise >= signal
  }
}
