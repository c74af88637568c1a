// Runs one pipeline over an image set, in parallel over images (TBB), and compares pipelines.
#pragma once

#include <armadillo>
#include <cstddef>
#include <string>
#include <vector>

#include "rapmc/core/progress.h"
#include "rapmc/data/dataset.h"
#include "rapmc/infer/engine.h"
#include "rapmc/model/encoder_model.h"

namespace rapmc {

struct EvalOptions {
  std::string label = "eval";  // progress-line label
  ProgressDisplay progress = ProgressDisplay::AUTO;
};

struct EvalResult {
  std::size_t n = 0;
  std::size_t correct = 0;
  double accuracy = 0;           // correct / n
  std::vector<int> predictions;  // top-1 class per image (lowest index wins a tie)
  arma::mat logits;              // [num_classes, n]
  double seconds = 0;            // wall time of the evaluation
};

/// Evaluates every image of `images` with `engine`. The result does not depend on the thread
/// count: each image is computed independently and stored at its own index.
EvalResult evaluate(const InferenceEngine& engine, int num_classes, const SampleSet& images,
                    const EvalOptions& options);
/// The FP32 reference pipeline.
EvalResult evaluate(const EncoderModel& model, const SampleSet& images, const EvalOptions& options);

/// Index of the largest element (the first one on ties).
int argmax(const arma::vec& v);

/// Share of images whose top-1 prediction is the same in both results.
double agreement(const EvalResult& a, const EvalResult& reference);
/// Signal-to-quantization-noise ratio of the logits against the reference, in dB:
/// 10·log10(Σ ref² / Σ (test − ref)²) over all images and classes (+inf for no noise).
double sqnr_db(const EvalResult& test, const EvalResult& reference);

}  // namespace rapmc
