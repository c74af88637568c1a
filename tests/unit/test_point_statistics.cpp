// Statistics of a campaign point from its table (results/point_statistics.h).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "rapmc/mc/layer_metrics.h"
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

TEST_CASE("SQNR: pooled over trials, error-free trials counted, never dropped") {
  // Three trials: two with errors, one error-free (own SQNR +inf, which a mean over finite
  // values silently dropped). Pooled: 10·log10(Σ s / Σ e).
  const double inf = std::numeric_limits<double>::infinity();
  PointTable t = table_of({0.9, 0.9, 0.9});
  t.columns["logit_signal_power"] = {100.0, 100.0, 100.0};
  t.columns["logit_error_power"] = {1.0, 0.0, 3.0};
  t.columns["logit_sqnr_db"] = {20.0, inf, 10.0 * std::log10(100.0 / 3.0)};
  const PointStatistics s = point_statistics(t, TriggerConfig{}, 0.85);
  const auto it = std::find_if(s.sqnr.begin(), s.sqnr.end(),
                               [](const auto& m) { return m.first == "logit_sqnr_db"; });
  REQUIRE(it != s.sqnr.end());
  const PooledSqnr& p = it->second;
  CHECK(p.n == 3);
  CHECK(p.error_free == 1);
  CHECK(p.db == doctest::Approx(10.0 * std::log10(300.0 / 4.0)));
  // The jackknife by hand: leave-one-out pooled values.
  const double l0 = 10 * std::log10(200.0 / 3.0), l1 = 10 * std::log10(200.0 / 4.0),
               l2 = 10 * std::log10(200.0 / 1.0);
  const double mean = (l0 + l1 + l2) / 3;
  const double se = std::sqrt(
      2.0 / 3.0 *
      ((l0 - mean) * (l0 - mean) + (l1 - mean) * (l1 - mean) + (l2 - mean) * (l2 - mean)));
  CHECK(p.jackknife_se == doctest::Approx(se));
  CHECK(p.ci95_low == doctest::Approx(p.db - 1.96 * se));
  // The metric entry carries the pooled value, n of every successful trial.
  const auto m = std::find_if(s.metrics.begin(), s.metrics.end(),
                              [](const auto& e) { return e.first == "logit_sqnr_db"; });
  REQUIRE(m != s.metrics.end());
  CHECK(m->second.mean == p.db);
  CHECK(m->second.n == 3);
  // Without any error the pooled SQNR is +inf and every trial is error-free.
  t.columns["logit_error_power"] = {0.0, 0.0, 0.0};
  const PointStatistics clean = point_statistics(t, TriggerConfig{}, 0.85);
  const auto c = std::find_if(clean.sqnr.begin(), clean.sqnr.end(),
                              [](const auto& e) { return e.first == "logit_sqnr_db"; });
  CHECK(std::isinf(c->second.db));
  CHECK(c->second.error_free == 3);
}

TEST_CASE("a layer kept digital is not on the chip: its SQNR is NaN, not error-free") {
  pim::LayerCounters digital;  // no conversions: the layer never ran on the array
  CHECK(std::isnan(digital.mvm_sqnr_db()));
  for (double v : layer_metric_values(digital)) CHECK(std::isnan(v));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const PooledSqnr p = pool_sqnr({nan, nan, nan}, {nan, nan, nan});
  CHECK(p.n == 0);
  CHECK(std::isnan(p.db));
  // An analog layer without any error stays +inf.
  pim::LayerCounters exact;
  exact.conversions = 10;
  exact.signal_sq.add_square(5);
  CHECK(exact.mvm_sqnr_db() == std::numeric_limits<double>::infinity());
}
