// The encoder architectures rapmc runs (docs/formats.md): the `kind` of a model file. Float-free,
// so the FP-less integer runtime can include it.
#pragma once

#include <string>

#include "rapmc/core/enum_names.h"

namespace rapmc {

enum class Architecture {
  VIT,   // pre-LN Vision Transformer: patch embedding, CLS token, LayerNorm + classifier head
  BERT,  // post-LN text encoder: token + position + segment embedding, pooler (tanh), classifier
};
/// The `kind` attribute of a model file.
inline constexpr EnumNames<Architecture, 2> ARCHITECTURE_NAMES{
    {{Architecture::VIT, "vit"}, {Architecture::BERT, "bert"}}};
std::string to_string(Architecture a);  // "vit" | "bert"

}  // namespace rapmc
