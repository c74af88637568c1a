// The integer model: everything the quantized pipelines need, as integer tensors and integer
// constants only (docs/formats.md, "Integer model file"). Built offline by quantize_model(); the
// runtime constants of either requantization mode are derived from it with integer
// arithmetic (flare_plan.h), so one file serves `flare` (emsb and dyadic) and `ptq-dqq`.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rapmc/core/enum_names.h"
#include "rapmc/model/architecture.h"
#include "rapmc/quant/dyadic.h"

namespace rapmc {

class WordTokenizer;  // data/tokenizer.h (kept out of the FP-less runtime's headers)
struct ModelInput;    // data/dataset.h

/// How wide accumulators become narrow activations (docs/design.md, "Integer pipelines").
enum class RequantMode {
  EMSB,    // RAP: per-token effective-MSB window + rounding shift, exponent carried
  DYADIC,  // I-ViT/I-BERT: static calibrated scale ≈ m·2^e, multiply and rounding shift
};
inline constexpr EnumNames<RequantMode, 2> REQUANT_MODE_NAMES{
    {{RequantMode::EMSB, "emsb"}, {RequantMode::DYADIC, "dyadic"}}};
RequantMode parse_requant_mode(const std::string& name);  // "emsb" | "dyadic"
std::string to_string(RequantMode m);

/// Bit widths and fixed-point formats of the integer pipeline. Defaults are assumed
/// (docs/design.md, "Integer pipelines": int8 weights and activations); validate() checks the
/// ranges.
struct QuantSettings {
  int weight_bits =
      8;  // signed weight bits, 2..8 (docs/design.md, "Integer pipelines": "configurable 4-8")
  int act_bits = 8;        // signed MVM-input activation bits, 2..8
  int residual_bits = 16;  // signed residual-stream mantissa bits, 8..24 (assumed)
  int prob_bits = 8;       // unsigned softmax-probability bits, 4..8 (assumed)
  int nonlin_frac = 12;    // fractional bits of LayerNorm/GELU outputs (Q12), 8..20 (assumed)
  int mult_bits = 16;      // bits of the runtime per-channel multipliers, 8..24 (assumed)
  /// ConfigError naming every setting out of range.
  void validate() const;
};

/// One weight MVM: y[o] = w_scale[o]·Σ_i w[o,i]·x[i] + bias[o].
struct IntLinear {
  std::string name;  // "blocks/0/qkv", ...; the MVM engine keys per-layer state by it
  int out = 0;
  int in = 0;
  std::vector<std::int8_t> w;      // [out×in] row-major, symmetric, ±(2^(weight_bits-1) - 1)
  std::vector<Dyadic> w_scale;     // [out] per output channel
  std::vector<std::int64_t> bias;  // [rows×out]: value = bias·2^bias_exp (rows = 1 but for
  int bias_exp = 0;                //  the embedding, which has one row per token)

  /// Bias row of token t: the single shared row, or row t of a per-token bias.
  const std::int64_t* bias_row(int t) const {
    return bias.data() +
           (bias.size() == static_cast<std::size_t>(out) ? 0 : static_cast<std::size_t>(t) * out);
  }
};

/// LayerNorm constants for kern::layernorm (γ folded with √D, β and ε in fixed point).
struct IntLayerNorm {
  std::vector<std::int64_t> gamma;  // round(γ·√D·2^gamma_frac)
  int gamma_frac = 0;
  std::vector<std::int64_t> beta;  // round(β·2^nonlin_frac)
  std::int64_t eps_d3_q32 = 0;     // round(ε·D³·2^32)
};

/// Static (calibrated) quantization of one activation point: int8 = round(x / scale).
/// Used by the dyadic mode and by ptq-dqq; the eMSB mode needs none of it.
struct ActScale {
  Dyadic scale;      // real value of one LSB
  Dyadic inv_scale;  // 1/scale
};

struct IntBlock {
  IntLayerNorm ln1, ln2;
  IntLinear qkv, proj, fc1, fc2;
  // Calibrated int8 scales of the MVM inputs and of q, k, v.
  ActScale qkv_in, q, k, v, proj_in, fc1_in, fc2_in;
  // Dyadic mode: power-of-two exponent of the residual stream after each residual add.
  int resid1_exp = 0, resid2_exp = 0;
};

struct IntModel {
  // Architecture (as in the FP32 model file).
  Architecture arch = Architecture::VIT;
  int dim = 0, depth = 0, heads = 0, mlp_dim = 0, num_classes = 0;
  int image_size = 0, patch_size = 0, channels = 0;  // ViT
  int max_tokens = 0, vocab_size = 0;                // BERT
  QuantSettings settings;
  std::string source_model;  // provenance: the FP32 file
  std::string calibration;   // provenance: calibration set, size and method

  /// Patch embedding on (pixel - 128) as int8 at scale 1; the input normalisation is folded
  /// into the weights and the per-token bias [tokens×D], which also holds the position
  /// embedding. Row 0 is the CLS token (cls + pos[0]), which has no MVM.
  IntLinear embed;
  int embed_resid_exp = 0;  // dyadic: exponent of the residual stream after the embedding
  std::vector<IntBlock> blocks;
  IntLayerNorm head_ln;
  ActScale head_in;
  IntLinear head;
  Dyadic softmax_c;  // log2(e)/√head_dim: score units to base-2 exponent units

  // BERT (post-LN blocks: ln1 after the attention's residual add, ln2 after the MLP's). The
  // embedding is a table lookup, not an MVM: value of token i at position t =
  // (word[i] + pos[t])·2^embed_table_exp (segment 0 folded into pos), then embed_ln. The head
  // is pooler (MVM on the CLS row, integer tanh) then `head`; head_ln is unused.
  std::vector<std::int64_t> word_table;  // [vocab_size × D]
  std::vector<std::int64_t> pos_table;   // [max_tokens × D]
  int embed_table_exp = 0;
  IntLayerNorm embed_ln;
  ActScale pooler_in;
  IntLinear pooler;
  std::vector<std::string> vocab;  // the tokenizer's vocabulary and special ids
  int pad_id = 0, unk_id = 1, cls_id = 2, sep_id = 3;
  std::shared_ptr<const WordTokenizer> tokenizer;  // built from vocab by load/quantize
  /// Every weight MVM in inference order: embed (ViT), each block's qkv, proj, fc1, fc2,
  /// pooler (BERT), head. The chip maps and names its layers by this list.
  std::vector<const IntLinear*> weight_layers() const;
  /// What the model reads (images or token sequences; refers to `tokenizer`).
  ModelInput input(const std::string& source) const;

  // Geometry derived from the architecture by derive_geometry(), so that the division-free
  // runtime never divides: tokens (patches + CLS; BERT: max_tokens), dim/heads, patches per
  // image side, C·p·p.
  int tokens = 0, head_dim = 0, patches_per_side = 0, patch_elements = 0;
  /// Fills the derived geometry from the architecture fields.
  void derive_geometry();
};

/// Writes the integer model (HDF5, filetype "rapmc-int-model"); never overwrites a file.
void save_int_model(const IntModel& model, const std::string& path);
/// Reads and validates an integer model; IoError/ModelError naming the file and dataset.
IntModel load_int_model(const std::string& path);
/// True if `path` is an HDF5 file whose filetype is "rapmc-int-model".
bool is_int_model_file(const std::string& path);

}  // namespace rapmc
