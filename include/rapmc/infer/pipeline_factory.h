// The one factory of inference pipelines: `fp32`, `ptq-dqq` and `flare` (emsb or dyadic), each
// as an InferenceEngine whose weight MVMs run on the given backend (exact digital MVMs, or an
// AMS-PiM chip). Every command and every trial builds its pipeline here.
#pragma once

#include <memory>

#include "rapmc/infer/engine.h"
#include "rapmc/infer/mvm_backend.h"
#include "rapmc/infer/pipeline.h"
#include "rapmc/model/encoder_model.h"
#include "rapmc/quant/int_model.h"

namespace rapmc {

/// `int_model` is needed by the quantized pipelines, `fp32` by fp32 and ptq-dqq; `backend` runs
/// the quantized pipelines' MVMs (fp32 has none). Everything must outlive the engine.
/// ConfigError naming the pipeline and the model it lacks.
std::unique_ptr<InferenceEngine> make_pipeline(Pipeline pipeline, RequantMode mode,
                                               const IntModel* int_model, const EncoderModel* fp32,
                                               const MvmBackend& backend);

}  // namespace rapmc
