// A quantized pipeline (`flare` or `ptq-dqq`) on a given MVM backend, as one InferenceEngine:
// the one place that turns a pipeline name into its engine.
#pragma once

#include <optional>

#include "rapmc/eval/pipeline.h"
#include "rapmc/infer/engine.h"
#include "rapmc/infer/flare_inference.h"
#include "rapmc/infer/ptq_dqq_inference.h"

namespace rapmc {

class QuantizedPipeline final : public InferenceEngine {
 public:
  /// `fp32` is needed by ptq-dqq only. The models and the backend must outlive this object.
  /// ConfigError for the fp32 pipeline or ptq-dqq without an FP32 model.
  QuantizedPipeline(Pipeline pipeline, RequantMode mode, const IntModel& int_model, const VitModel* fp32,
                    const MvmBackend& backend);
  arma::vec logits(const std::uint8_t* pixels) const override;

 private:
  std::optional<FlareInference> flare_;
  std::optional<PtqDqqInference> dqq_;
};

}  // namespace rapmc
