// Time to failure of a lifetime campaign (docs/design.md, "Lifetime campaigns"): its points
// grouped by their other sweep values, each group's ages in order; a trial (one sampled chip,
// the same at every age) fails at the first age whose accuracy is below the mission's target
// (a chip that could not be read, NaN, counts as below). From the trials present at every age:
// the lifetime yield at each age (chips not yet failed, Wilson 95 %) and the median and 10th
// percentile of the time to failure with distribution-free 95 % intervals (order statistics).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "rapmc/mc/statistics.h"

namespace rapmc {

struct Campaign;
struct ResultsData;
struct PointTable;

/// A quantile of the time to failure: the age of order statistic ⌈n·p⌉ and the ages of the
/// order statistics that bracket it with 95 % confidence (binomial); +inf beyond the mission
/// (that many chips had not failed by its last age).
struct AgeQuantile {
  double p = 0;
  double age_s = std::numeric_limits<double>::infinity();
  double low_s = std::numeric_limits<double>::infinity();
  double high_s = std::numeric_limits<double>::infinity();
};

struct LifetimeGroup {
  std::string label;                 // the points' other sweep values ("" if none)
  std::vector<double> ages_s;        // the mission's ages
  std::vector<std::size_t> points;   // the point of each age
  std::vector<std::int64_t> trials;  // trials present at every age
  std::vector<double> ttf_s;         // per trial: first failing age (+inf: none)
  std::vector<std::uint64_t> alive;  // per age: chips not failed at it or before
  std::vector<Interval> yield95;     // per age: Wilson 95 % of alive / n
  AgeQuantile median, p10;
};

/// The lifetime groups of results `d` written by lifetime campaign `c` (its points in `d`'s
/// order); ConfigError naming the file if `c` has no [lifetime] or its points differ from the
/// file's.
std::vector<LifetimeGroup> lifetime_statistics(const Campaign& c, const ResultsData& d);
/// The same from the point tables (`source` names them in messages).
std::vector<LifetimeGroup> lifetime_statistics(const Campaign& c,
                                               const std::vector<PointTable>& points,
                                               const std::string& source);

/// The p-quantile of times `ttf` (+inf for chips that never failed), with its interval.
AgeQuantile ttf_quantile(std::vector<double> ttf, double p);

}  // namespace rapmc
