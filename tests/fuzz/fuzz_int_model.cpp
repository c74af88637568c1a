// Fuzz target: the integer-model loader (quant/int_model.h) on the shipped integer ViT with the
// edits the input describes (h5_mutator.h); a model that loads must also run one flare inference.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "h5_mutator.h"
#include "rapmc/core/errors.h"
#include "rapmc/data/dataset.h"
#include "rapmc/infer/mvm_backend.h"
#include "rapmc/infer/pipeline_factory.h"
#include "rapmc/quant/int_model.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path =
      rapmc::fuzz::mutated_copy(RAPMC_SOURCE_DIR "/data/models/vit_fmnist_int8.h5", data, size);
  try {
    const rapmc::IntModel q = rapmc::load_int_model(path);
    const rapmc::ModelInput in = q.input(path);
    if (in.kind == rapmc::SampleKind::IMAGE) {
      const std::vector<std::uint8_t> image(
          static_cast<std::size_t>(in.channels * in.image_size * in.image_size), 128);
      const rapmc::DigitalMvm digital;
      for (const auto mode : {rapmc::RequantMode::EMSB, rapmc::RequantMode::DYADIC})
        (void)rapmc::make_pipeline(rapmc::Pipeline::FLARE, mode, &q, nullptr, digital)
            ->logits(image.data());
    }
  } catch (const rapmc::Error&) {
  }
  return 0;
}
