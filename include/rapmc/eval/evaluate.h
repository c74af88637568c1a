// Runs one pipeline over an image set, in parallel over images (TBB).
#pragma once

#include <armadillo>
#include <cstddef>
#include <vector>

#include "rapmc/core/progress.h"
#include "rapmc/data/dataset.h"
#include "rapmc/eval/pipeline.h"
#include "rapmc/model/vit_model.h"

namespace rapmc {

struct EvalOptions {
  Pipeline pipeline = Pipeline::FP32;
  ProgressDisplay progress = ProgressDisplay::AUTO;
};

struct EvalResult {
  Pipeline pipeline = Pipeline::FP32;
  std::size_t n = 0;
  std::size_t correct = 0;
  double accuracy = 0;           // correct / n
  std::vector<int> predictions;  // top-1 class per image (lowest index wins a tie)
  arma::mat logits;              // [num_classes, n]
  double seconds = 0;            // wall time of the evaluation
};

/// Throws DataError if the images do not have the shape the model expects.
void check_compatible(const VitModel& model, const ImageSet& images);

/// Evaluates every image of `images`. The result does not depend on the thread count:
/// each image is computed independently and stored at its own index.
EvalResult evaluate(const VitModel& model, const ImageSet& images, const EvalOptions& options);

/// Index of the largest element (the first one on ties).
int argmax(const arma::vec& v);

}  // namespace rapmc
