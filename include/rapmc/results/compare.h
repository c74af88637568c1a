// Paired comparison of two campaigns run with the same seed on the same images (docs/commands.md,
// "compare"): trial t of both files is the same draw of the die variates and the same images, so
// each image's prediction on each chip is paired. Per campaign point: the accuracy difference
// with a paired Student-t interval over trials, McNemar's exact test on the discordant image
// evaluations (per trial and pooled over trials), and the images each design flips most often.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rapmc {

/// An image that a design's chips predict differently from its exact-MVM pipeline.
struct ImageFlips {
  std::size_t image = 0;  // index in the evaluation subset
  std::int64_t label = 0, exact = 0;
  std::uint64_t flips = 0;  // paired trials whose prediction differs from `exact`
};

/// McNemar's test on discordant pairs: `a_only` evaluations right on A and wrong on B,
/// `b_only` the reverse; p the exact two-sided binomial p-value (1 without discordant pairs).
struct McNemar {
  std::uint64_t a_only = 0, b_only = 0;
  double p = 1;
};
McNemar mcnemar(std::uint64_t a_only, std::uint64_t b_only);

struct PairedPoint {
  std::string label;                      // the sweep point ("" without sweep)
  std::size_t images = 0;                 // per trial
  std::uint64_t paired = 0;               // trials that ran (status ok) in both files
  std::uint64_t unpaired = 0;             // trials in one file only, or failed in either: left out
  double accuracy_a = 0, accuracy_b = 0;  // means over the paired trials
  double diff_mean = 0, diff_std = 0;     // per-trial accuracy A − B
  double diff_ci95_low = 0, diff_ci95_high = 0;  // paired Student-t interval of the mean
  std::vector<std::uint64_t> trials;             // the paired trial indices
  std::vector<McNemar> per_trial;                // McNemar's test of each paired trial
  McNemar pooled;  // discordant evaluations pooled over the paired trials
  std::uint64_t trials_a_better = 0, trials_b_better = 0;  // per-trial tests with p < 0.05
  std::vector<ImageFlips> flips_a, flips_b;                // most often flipped images, most first
};

struct Comparison {
  std::string path_a, path_b;
  std::uint64_t seed = 0;
  std::vector<PairedPoint> points;
};

/// Compares results files `a` and `b` point by point, listing the `top` most flipped images of
/// each. ConfigError naming the file unless both hold per-image predictions (format 1.5), come
/// from the same master seed, have the same number of points, and each point the same images
/// (labels); IoError for a missing or corrupt file.
Comparison compare_results(const std::string& a, const std::string& b, std::size_t top = 10);

}  // namespace rapmc
