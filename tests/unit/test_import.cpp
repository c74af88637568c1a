// Models converted from PyTorch by scripts/import_torch.py: rapmc's FP32 forward pass gives
// PyTorch's logits (fixtures made by tests/python/make_import_fixtures.py and
// experiments/train_bert/train.py; no PyTorch needed here), and the integer pipelines keep the
// shipped text model's accuracy.
#include <doctest/doctest.h>

#include <cmath>

#include "rapmc/core/progress.h"
#include "rapmc/data/dataset.h"
#include "rapmc/infer/evaluate.h"
#include "rapmc/infer/flare_engine.h"
#include "rapmc/infer/mvm_backend.h"
#include "rapmc/infer/ptq_dqq_inference.h"
#include "rapmc/io/hdf5.h"
#include "rapmc/model/fp32_forward.h"
#include "rapmc/quant/quantize.h"
#include "test_support.h"

using namespace rapmc;

namespace {

const std::string SRC = RAPMC_SOURCE_DIR;

// Largest |C++ - PyTorch| logit over the fixture's images.
double vit_parity(const std::string& file) {
  const EncoderModel model = load_model(file);
  const h5::File f = h5::File::open(file);
  std::vector<std::uint64_t> ps, ls;
  const std::vector<std::int64_t> pixels = f.read_int64_dataset("fixture/pixels", &ps);
  const std::vector<double> logits = f.read_double_dataset("fixture/logits", &ls);
  REQUIRE(ps.size() == 2);
  REQUIRE(ps[1] == static_cast<std::uint64_t>(model.config.channels * model.config.image_size *
                                              model.config.image_size));
  const Fp32Inference fp32(model);
  double worst = 0;
  for (std::uint64_t i = 0; i < ps[0]; ++i) {
    std::vector<std::uint8_t> img(ps[1]);
    for (std::uint64_t j = 0; j < ps[1]; ++j)
      img[j] = static_cast<std::uint8_t>(pixels[i * ps[1] + j]);
    const arma::vec l = fp32.forward(img.data());
    REQUIRE(l.n_elem == ls[1]);
    for (arma::uword c = 0; c < l.n_elem; ++c)
      worst = std::max(worst, std::fabs(l(c) - logits[i * ls[1] + c]));
  }
  return worst;
}

}  // namespace

TEST_CASE("a torchvision VisionTransformer imported: FP32 logits equal PyTorch's within 1e-4") {
  const double worst = vit_parity(SRC + "/data/fixtures/import_torchvision_vit.h5");
  MESSAGE("torchvision ViT: largest logit difference " << worst);
  CHECK(worst < 1e-4);
}

TEST_CASE("a timm/DeiT-style VisionTransformer imported: FP32 logits equal PyTorch's within 1e-4") {
  const double worst = vit_parity(SRC + "/data/fixtures/import_timm_vit.h5");
  MESSAGE("timm ViT: largest logit difference " << worst);
  CHECK(worst < 1e-4);
}

TEST_CASE("the shipped text model: tokens as Python made them, FP32 logits PyTorch's within 1e-4") {
  const EncoderModel model = load_model(SRC + "/data/models/bert_wordnet.h5");
  REQUIRE(model.config.arch == Architecture::BERT);
  const h5::File f = h5::File::open(SRC + "/data/fixtures/bert_wordnet_logits.h5");
  std::vector<std::uint64_t> ts, ls;
  const std::vector<std::int64_t> ids = f.read_int64_dataset("token_ids", &ts);
  const std::vector<double> logits = f.read_double_dataset("logits", &ls);
  const std::vector<std::int64_t> labels = f.read_int64_dataset("labels");
  const SampleSet test = load_dataset("wordnet:test", model.input(), "", ts[0]);
  REQUIRE(test.size() == ts[0]);
  const Fp32Inference fp32(model);
  double worst = 0;
  for (std::size_t i = 0; i < test.size(); ++i) {
    std::vector<int> expected;
    for (std::uint64_t j = 0; j < ts[1] && ids[i * ts[1] + j] >= 0; ++j)
      expected.push_back(static_cast<int>(ids[i * ts[1] + j]));
    CAPTURE(i);
    REQUIRE(token_ids(test.sample(i)) == expected);  // the C++ tokenizer is Python's
    CHECK(test.labels[i] == labels[i]);
    const arma::vec l = fp32.forward(test.sample(i));
    for (arma::uword c = 0; c < l.n_elem; ++c)
      worst = std::max(worst, std::fabs(l(c) - logits[i * ls[1] + c]));
  }
  MESSAGE("text model: largest logit difference " << worst << " over " << test.size()
                                                  << " glosses");
  CHECK(worst < 1e-4);
}

TEST_CASE(
    "the shipped text model: flare (emsb, dyadic) and ptq-dqq within 1.5 points of fp32 "
    "on all test glosses") {
  const EncoderModel model = load_model(SRC + "/data/models/bert_wordnet.h5");
  const SampleSet calib = load_dataset("wordnet:train", model.input(), "", 512);
  const IntModel q = quantize_model(model, calib, CalibrationOptions{}, QuantSettings{});
  const SampleSet test = load_dataset("wordnet:test", model.input());
  REQUIRE(test.size() == 11923);
  const EvalResult fp32 = test::check_integer_pipelines(model, q, test, 1.5);
  MESSAGE("text model fp32 accuracy " << fp32.accuracy << " (PyTorch " << model.torch_test_accuracy
                                      << ")");
  CHECK(std::abs(fp32.accuracy - model.torch_test_accuracy) < 1e-9);
}
