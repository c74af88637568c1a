// The FP32 encoder transformer as stored in a rapmc model file (docs/formats.md, "FP32 model
// file"): a Vision Transformer (pre-LN, patch embedding, CLS head) or a BERT-style text encoder
// (post-LN, token + position + segment embedding, pooler, classifier).
#pragma once

#include <armadillo>
#include <cstdint>
#include <string>
#include <vector>

#include "rapmc/data/dataset.h"
#include "rapmc/data/tokenizer.h"
#include "rapmc/model/architecture.h"

namespace rapmc {

/// Architecture hyper-parameters (root attributes of the model file).
struct EncoderConfig {
  Architecture arch = Architecture::VIT;
  std::int64_t dim = 0;      // embedding width D
  std::int64_t depth = 0;    // number of encoder blocks
  std::int64_t heads = 0;    // attention heads; D % heads == 0
  std::int64_t mlp_dim = 0;  // hidden width of the MLP
  std::int64_t num_classes = 0;
  double ln_eps = 0;  // LayerNorm epsilon
  // ViT
  std::int64_t image_size = 0;  // square images, pixels per side
  std::int64_t patch_size = 0;  // square patches; image_size % patch_size == 0
  std::int64_t channels = 0;
  std::vector<double> mean;  // per-channel input normalisation: x = (pixel/255 - mean)/std
  std::vector<double> std;
  // BERT
  std::int64_t max_tokens = 0;  // position embeddings: the longest sequence
  std::int64_t vocab_size = 0;
  std::int64_t type_vocab_size = 0;  // segment embeddings (inputs use segment 0)

  std::int64_t head_dim() const { return dim / heads; }
  std::int64_t num_patches() const { return (image_size / patch_size) * (image_size / patch_size); }
  /// Tokens of a full input: CLS + patches (ViT), max_tokens (BERT; a sequence may be shorter).
  std::int64_t tokens() const { return arch == Architecture::VIT ? num_patches() + 1 : max_tokens; }
  std::int64_t patch_elements() const { return channels * patch_size * patch_size; }
};

/// One encoder block. Matrices are [out, in] as in PyTorch; vectors are columns. ViT blocks are
/// pre-LN (ln1 before attention, ln2 before the MLP); BERT blocks post-LN (ln1 after the
/// attention's residual add, ln2 after the MLP's).
struct EncoderBlock {
  arma::vec ln1_weight, ln1_bias;
  arma::mat qkv_weight;  // [3D, D]: rows q (all heads), then k, then v; head h at rows h*hd..
  arma::vec qkv_bias;
  arma::mat proj_weight;  // [D, D]
  arma::vec proj_bias;
  arma::vec ln2_weight, ln2_bias;
  arma::mat fc1_weight;  // [mlp, D]
  arma::vec fc1_bias;
  arma::mat fc2_weight;  // [D, mlp]
  arma::vec fc2_bias;
};

/// Weights in double precision holding the FP32 values of the file exactly.
struct EncoderModel {
  EncoderConfig config;
  std::string source;  // file it was loaded from
  arma::mat pos;       // [D, tokens]: column t is the position embedding of token t
  std::vector<EncoderBlock> blocks;
  arma::mat head_weight;  // [classes, D]
  arma::vec head_bias;
  // ViT
  arma::mat patch_weight;  // [D, C*p*p], patch flattened (channel, row, column)
  arma::vec patch_bias;
  arma::vec cls;  // [D]
  arma::vec head_ln_weight, head_ln_bias;
  // BERT
  arma::mat word;     // [D, vocab]: column i is token i's embedding
  arma::mat segment;  // [D, type_vocab]
  arma::vec embed_ln_weight, embed_ln_bias;
  arma::mat pooler_weight;  // [D, D], then tanh
  arma::vec pooler_bias;
  WordTokenizer tokenizer;

  double torch_test_accuracy = -1;  // accuracy PyTorch recorded at export, -1 if absent
  /// What the model reads (its tokenizer refers into this object).
  ModelInput input() const;
};

/// Loads and validates a model file: `filetype`, major `format_version`, `kind`, every
/// attribute's type and range, and every dataset's presence, type and shape. Throws IoError
/// (unreadable file) or ModelError (wrong content), naming the file and the attribute or dataset.
EncoderModel load_model(const std::string& path);

/// Writes a model in the same format (used by tests to build good and bad files).
void save_model(const EncoderModel& model, const std::string& path);

}  // namespace rapmc
