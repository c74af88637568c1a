#include "rapmc/eval/quantized_pipeline.h"

#include "rapmc/core/errors.h"
#include "rapmc/infer/flare_engine.h"

namespace rapmc {

QuantizedPipeline::QuantizedPipeline(Pipeline pipeline, RequantMode mode, const IntModel& int_model,
                                     const VitModel* fp32, const MvmBackend& backend) {
  if (pipeline == Pipeline::FLARE) {
    flare_.emplace(int_model, mode, backend);
  } else if (pipeline == Pipeline::PTQ_DQQ && fp32) {
    dqq_.emplace(*fp32, int_model, backend);
  } else {
    throw ConfigError("pipeline " + to_string(pipeline) + " is not a quantized pipeline with its models (ptq-dqq needs the FP32 model)");
  }
}

arma::vec QuantizedPipeline::logits(const std::uint8_t* pixels) const {
  return flare_ ? to_vec(flare_->forward(pixels)) : dqq_->logits(pixels);
}

}  // namespace rapmc
