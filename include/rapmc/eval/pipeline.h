// Names of the inference pipelines (DESIGN.md §1).
#pragma once

#include <string>
#include <string_view>

namespace rapmc {

enum class Pipeline {
  FP32,  // float reference
};

/// Parses a pipeline name; ConfigError listing the valid names otherwise.
Pipeline parse_pipeline(std::string_view name);
std::string to_string(Pipeline p);
/// "fp32" (the names accepted by parse_pipeline, '|'-separated, for help texts).
std::string pipeline_names();

}  // namespace rapmc
