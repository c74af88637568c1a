// The float reference forward pass of the ViT (pipeline `fp32`).
#pragma once

#include <armadillo>
#include <cstdint>
#include <functional>
#include <string>

#include "rapmc/model/encoder_model.h"

namespace rapmc {

/// Normalised patch matrix of one image: [C*p*p, patches], column n = patch n (row-major
/// patch order), each flattened in (channel, row, column) order; x = (pixel/255 - mean)/std.
arma::mat image_patches(const EncoderConfig& config, const std::uint8_t* pixels);

/// LayerNorm over each column of `x` (biased variance, as PyTorch).
arma::mat layer_norm(const arma::mat& x, const arma::vec& weight, const arma::vec& bias,
                     double eps);

/// Embeddings [D, n] of a token record: word + position + segment 0 (before the LayerNorm).
/// DataError naming the model for an empty or too long sequence or an id outside the vocabulary.
arma::mat token_embeddings(const EncoderModel& model, const std::uint8_t* record);

/// Exact GELU, 0.5·x·(1 + erf(x/√2)), element-wise.
arma::mat gelu(const arma::mat& x);

/// Row-wise softmax with the row maximum subtracted first.
arma::mat softmax_rows(const arma::mat& x);

/// Called with each named intermediate tensor ([rows, tokens]) during a forward pass; used by
/// PTQ calibration. Points: "embed" (the residual stream after the embedding),
/// "blocks/<i>/{qkv_in,q,k,v,proj_in,resid1,fc1_in,fc2_in,resid2}" (resid1/2: the residual
/// sums, before a post-LN block's LayerNorm), BERT's "pooler_in", and "head_in".
using Fp32Observer = std::function<void(const std::string& point, const arma::mat& values)>;

/// FP32 weights evaluated in double precision: the float reference that the
/// quantized pipelines are measured against. Stateless and thread-safe.
class Fp32Inference {
 public:
  explicit Fp32Inference(const EncoderModel& model) : model_(model) {}
  /// Logits [num_classes] of one sample: an image of raw pixels in (channel, row, column)
  /// order (ViT) or a token record (BERT, data/dataset.h).
  arma::vec forward(const std::uint8_t* sample, const Fp32Observer& observer = nullptr) const;

 private:
  const EncoderModel& model_;
};

}  // namespace rapmc
