#include "rapmc/infer/pipeline_factory.h"

#include "rapmc/core/errors.h"
#include "rapmc/infer/flare_engine.h"
#include "rapmc/infer/fp32_engine.h"
#include "rapmc/infer/ptq_dqq_inference.h"

namespace rapmc {

std::unique_ptr<InferenceEngine> make_pipeline(Pipeline pipeline, RequantMode mode,
                                               const IntModel* int_model, const EncoderModel* fp32,
                                               const MvmBackend& backend) {
  const bool needs_int = pipeline != Pipeline::FP32, needs_fp32 = pipeline != Pipeline::FLARE;
  if ((needs_int && !int_model) || (needs_fp32 && !fp32)) {
    throw ConfigError("pipeline " + to_string(pipeline) + " needs " +
                      (needs_int && !int_model ? std::string("an integer model")
                                               : std::string("the FP32 model")));
  }
  switch (pipeline) {
    case Pipeline::FP32:
      return std::make_unique<Fp32Engine>(*fp32);
    case Pipeline::PTQ_DQQ:
      return std::make_unique<PtqDqqInference>(*fp32, *int_model, backend);
    case Pipeline::FLARE:
      break;
  }
  return std::make_unique<FlareEngine>(*int_model, mode, backend);
}

}  // namespace rapmc
