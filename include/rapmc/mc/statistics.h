// Campaign statistics (docs/design.md, "Monte Carlo engine"): Welford accumulators merged in trial
// order (Chan et al.), Student-t 95 % confidence intervals, quantiles, and yield with a Wilson
// interval.
#pragma once

#include <cstdint>
#include <vector>

namespace rapmc {

/// Running count, mean and sum of squared deviations.
struct Welford {
  std::uint64_t n = 0;
  double mean = 0;
  double m2 = 0;
  void add(double x);
  /// Chan's pairwise update: this ⊕ other, as if other's values followed this one's.
  void merge(const Welford& other);
  double variance() const;  // sample variance (n − 1), 0 for n < 2
  double stddev() const;
  /// Half-width of the two-sided 95 % confidence interval of the mean: t(0.975, n−1)·s/√n
  /// (+inf for n < 2).
  double ci95_halfwidth() const;
};

struct Summary {
  std::uint64_t n = 0;  // finite values summarised
  double mean = 0, std = 0, ci95_low = 0, ci95_high = 0, min = 0, max = 0, q05 = 0, q50 = 0,
         q95 = 0;
};

/// Summary of per-trial values given in trial order (non-finite values are skipped).
Summary summarize(const std::vector<double>& values);

/// The q-quantile (0..1) by linear interpolation between order statistics (Hyndman–Fan type 7).
double quantile(std::vector<double> values, double q);

/// The two-sided 95 % quantile of the standard normal, Φ⁻¹(0.975).
inline constexpr double Z95 = 1.959963984540054;

struct Interval {
  double p = 0, low = 0, high = 0;
};
/// Wilson score interval (95 %) of a binomial proportion successes/n.
Interval wilson95(std::uint64_t successes, std::uint64_t n);

/// P(event) from n trials drawn from a proposal, trial i weighing w_i (its likelihood ratio):
/// p = Σ w·x / n, its standard error from the variance of w·x (denominator n: plain trials give
/// exactly √(p(1 − p)/n), a variance reduction of 1), a normal 95 % interval
/// clamped to [0, 1], Kish's effective sample size (Σ w)²/Σ w², and plain Monte Carlo's
/// trials for the same standard error, p(1 − p)/se², as a multiple of n (the variance-reduction
/// factor). With every w = 1 this is the plain proportion.
struct WeightedProportion {
  double p = 0, std_error = 0, low = 0, high = 0;
  double ess = 0;
  std::uint64_t events = 0, n = 0;  // trials with the event, trials
  double plain_equivalent = 0;      // plain trials for the same standard error
  double variance_reduction = 0;    // plain_equivalent / n
};
WeightedProportion weighted_proportion(const std::vector<double>& weights,
                                       const std::vector<bool>& event);

/// The mean of a metric under the model from importance-weighted trials: the self-normalised
/// m = Σ w·x / Σ w over the finite values, its delta-method standard error
/// √(Σ w²(x − m)²)/Σ w, and a normal 95 % interval. With every w = 1: the plain mean, with
/// the standard error √(Σ (x − m)²)/n.
struct WeightedMean {
  double mean = 0, std_error = 0, low = 0, high = 0;
  std::uint64_t n = 0;
};
WeightedMean weighted_mean(const std::vector<double>& values, const std::vector<double>& weights);

}  // namespace rapmc
