// Statistics of a campaign point from its table (results/point_statistics.h).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "rapmc/mc/trial_metrics.h"
#include "rapmc/pim/counters.h"
#include "rapmc/results/point_statistics.h"

using namespace rapmc;

namespace {

// A table of `accuracy` values; NaN rows are failed trials (status 1), as a run records them.
PointTable table_of(const std::vector<double>& accuracy) {
  PointTable t;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t i = 0; i < accuracy.size(); ++i) {
    t.trial.push_back(static_cast<std::int64_t>(i));
    t.status.push_back(std::isnan(accuracy[i]) ? 1 : 0);
  }
  for (const TrialMetricInfo& m : trial_metrics()) {
    std::vector<double>& column = t.columns[std::string(m.name)];
    column.assign(accuracy.size(), 0.25);
    for (std::size_t i = 0; i < accuracy.size(); ++i)
      if (t.status[i] != 0) column[i] = nan;  // a failed trial records NaN everywhere
  }
  t.columns["accuracy"] = accuracy;
  t.dcode_hist.assign(accuracy.size() * pim::DCODE_BINS, 1);
  t.margin_hist.assign(accuracy.size() * pim::MARGIN_BINS, 1);
  return t;
}

}  // namespace

TEST_CASE("yield: a failed trial is a failing chip, it stays in the denominator") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const PointStatistics s =
      point_statistics(table_of({0.9, nan, 0.5, 0.95}), TriggerConfig{}, 0.85);
  CHECK(s.trials == 4);
  CHECK(s.failed == 1);
  CHECK(s.yield.passing == 2);
  CHECK(s.yield.n == 4);
  const Interval w = wilson95(2, 4);
  CHECK(s.yield.wilson.p == w.p);
  CHECK(s.yield.wilson.low == w.low);
  CHECK(s.yield.wilson.high == w.high);
  // The metric summaries leave the failed trial out; the histograms sum successful trials only.
  const auto acc = std::find_if(s.metrics.begin(), s.metrics.end(),
                                [](const auto& m) { return m.first == "accuracy"; });
  REQUIRE(acc != s.metrics.end());
  CHECK(acc->second.n == 3);
  CHECK(acc->second.mean == doctest::Approx((0.9 + 0.5 + 0.95) / 3));
  CHECK(s.dcode_hist[0] == 3);
  CHECK(s.margin_hist[0] == 3);
}

TEST_CASE("convergence history: the trigger metric after every block, failed trials skipped") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  TriggerConfig trigger;
  trigger.check_every = 2;
  const PointStatistics s = point_statistics(table_of({0.5, 0.7, nan, 0.9, 0.1}), trigger, 0.85);
  REQUIRE(s.convergence.trials == std::vector<double>{2, 4, 5});
  CHECK(s.convergence.mean[0] == doctest::Approx(0.6));
  CHECK(s.convergence.mean[1] == doctest::Approx(0.7));
  CHECK(s.convergence.mean[2] == doctest::Approx(0.55));
}
