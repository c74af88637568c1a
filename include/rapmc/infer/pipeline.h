// Names of the inference pipelines (docs/design.md, "Integer pipelines").
#pragma once

#include <string>
#include <string_view>

#include "rapmc/core/enum_names.h"

namespace rapmc {

enum class Pipeline {
  FP32,     // float reference
  PTQ_DQQ,  // conventional PTQ: int8 MVMs, dequantize, float nonlinear units, quantize again
  FLARE,    // RAP: FP-less, division-free integer pipeline
};

/// The pipelines' names (parse_pipeline, to_string, the campaign key pipeline.name).
inline constexpr EnumNames<Pipeline, 3> PIPELINE_NAMES{{
    {Pipeline::FP32, "fp32"},
    {Pipeline::PTQ_DQQ, "ptq-dqq"},
    {Pipeline::FLARE, "flare"},
}};

/// Parses a pipeline name; ConfigError listing the valid names otherwise.
Pipeline parse_pipeline(std::string_view name);
std::string to_string(Pipeline p);
/// "fp32|ptq-dqq|flare" (the names accepted by parse_pipeline, '|'-separated, for help texts).
std::string pipeline_names();

}  // namespace rapmc
