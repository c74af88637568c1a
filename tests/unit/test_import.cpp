// Models converted from PyTorch by scripts/import_torch.py: rapmc's FP32 forward pass gives
// PyTorch's logits (fixtures made by tests/python/make_import_fixtures.py and
// experiments/train_bert/train.py; no PyTorch needed here).
#include <doctest/doctest.h>

#include <cmath>

#include "rapmc/data/dataset.h"
#include "rapmc/data/wordnet.h"
#include "rapmc/io/hdf5.h"
#include "rapmc/model/fp32_forward.h"
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
