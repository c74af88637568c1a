#include "rapmc/infer/pipeline.h"

#include "rapmc/core/errors.h"

namespace rapmc {

Pipeline parse_pipeline(std::string_view name) {
  if (const auto p = find_value(PIPELINE_NAMES, name)) return *p;
  throw ConfigError("--pipeline: unknown pipeline '" + std::string(name) + "' (expected one of " +
                    pipeline_names() + ")");
}

std::string to_string(Pipeline p) {
  return std::string(name_of(PIPELINE_NAMES, p));
}

std::string pipeline_names() {
  return joined_names(PIPELINE_NAMES);
}

}  // namespace rapmc
