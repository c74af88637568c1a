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

struct Interval {
  double p = 0, low = 0, high = 0;
};
/// Wilson score interval (95 %) of a binomial proportion successes/n.
Interval wilson95(std::uint64_t successes, std::uint64_t n);

}  // namespace rapmc
