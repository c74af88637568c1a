#include "rapmc/infer/pipeline.h"

#include <array>
#include <utility>

#include "rapmc/core/errors.h"

namespace rapmc {
namespace {
constexpr std::array<std::pair<Pipeline, std::string_view>, 3> NAMES{{
    {Pipeline::FP32, "fp32"},
    {Pipeline::PTQ_DQQ, "ptq-dqq"},
    {Pipeline::FLARE, "flare"},
}};
}  // namespace

Pipeline parse_pipeline(std::string_view name) {
  for (const auto& [p, n] : NAMES)
    if (n == name) return p;
  throw ConfigError("--pipeline: unknown pipeline '" + std::string(name) + "' (expected one of " +
                    pipeline_names() + ")");
}

std::string to_string(Pipeline p) {
  for (const auto& [q, n] : NAMES)
    if (q == p) return std::string(n);
  return "?";
}

std::string pipeline_names() {
  std::string out;
  for (const auto& [p, n] : NAMES) out += (out.empty() ? "" : "|") + std::string(n);
  return out;
}

}  // namespace rapmc
