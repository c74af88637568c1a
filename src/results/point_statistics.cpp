#include "rapmc/results/point_statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "rapmc/mc/layer_metrics.h"
#include "rapmc/mc/trial.h"
#include "rapmc/mc/trial_metrics.h"
#include "rapmc/mc/trigger.h"
#include "rapmc/pim/counters.h"

namespace rapmc {
namespace {

bool ok(const PointTable& t, std::size_t i) {
  return t.status[i] == static_cast<std::int64_t>(TrialStatus::OK);
}

// The values of successful trials, in trial order.
std::vector<double> ok_values(const PointTable& t, const std::vector<double>& column) {
  std::vector<double> out;
  for (std::size_t i = 0; i < t.trial.size() && i < column.size(); ++i)
    if (ok(t, i)) out.push_back(column[i]);
  return out;
}

std::vector<std::int64_t> histogram_sum(const PointTable& t, const std::vector<std::int64_t>& rows,
                                        int width) {
  std::vector<std::int64_t> sum(static_cast<std::size_t>(width), 0);
  for (std::size_t i = 0; i < t.trial.size(); ++i)
    if (ok(t, i))
      for (int b = 0; b < width; ++b)
        sum[static_cast<std::size_t>(b)] += rows[i * static_cast<std::size_t>(width) + b];
  return sum;
}

ConvergenceHistory convergence(const PointTable& t, const TriggerConfig& trigger) {
  ConvergenceHistory h;
  h.metric = trigger.metric;
  const std::vector<double>& metric = t.columns.at(trigger.metric);
  TriggerTracker tracker(trigger);
  for (std::size_t i = 0; i < t.trial.size(); ++i) {
    tracker.add(static_cast<TrialStatus>(t.status[i]), metric[i]);
    if (tracker.block_end(i + 1) || i + 1 == t.trial.size()) {
      h.trials.push_back(static_cast<double>(i + 1));
      h.mean.push_back(tracker.estimate().mean);
      h.ci95_halfwidth.push_back(tracker.estimate().ci95_halfwidth());
    }
  }
  return h;
}

// The summary of an SQNR column: pooled value and jackknife CI, order statistics of the finite
// per-trial values.
Summary sqnr_summary(const PooledSqnr& p, const std::vector<double>& per_trial) {
  Summary s = summarize(per_trial);
  s.n = p.n;
  s.mean = p.db;
  s.std = p.jackknife_se;
  s.ci95_low = p.ci95_low;
  s.ci95_high = p.ci95_high;
  return s;
}

}  // namespace

PooledSqnr pool_sqnr(const std::vector<double>& signal, const std::vector<double>& error) {
  PooledSqnr p;
  double s = 0, e = 0;
  for (std::size_t i = 0; i < signal.size(); ++i) {
    if (!std::isfinite(signal[i]) || !std::isfinite(error[i])) continue;  // a layer not run
    s += signal[i];
    e += error[i];
    ++p.n;
    p.error_free += error[i] == 0;
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // No trial ran the layer on the chip (kept digital): NaN, not "error-free".
  p.db = p.n == 0 ? nan
         : e > 0  ? 10.0 * std::log10(s / e)
                  : std::numeric_limits<double>::infinity();
  p.ci95_low = p.ci95_high = p.jackknife_se = nan;
  if (e == 0 || p.n < 2) return p;
  // Leave-one-out estimates; a trial holding every error leaves +inf: the CI is unbounded.
  Welford loo;
  bool bounded = true;
  for (std::size_t i = 0; i < signal.size(); ++i) {
    if (!std::isfinite(signal[i]) || !std::isfinite(error[i])) continue;
    const double ei = e - error[i];
    if (ei <= 0) {
      bounded = false;
      break;
    }
    loo.add(10.0 * std::log10((s - signal[i]) / ei));
  }
  const auto n = static_cast<double>(p.n);
  if (!bounded) {
    p.jackknife_se = std::numeric_limits<double>::infinity();
    p.ci95_low = -p.jackknife_se;
    p.ci95_high = p.jackknife_se;
    return p;
  }
  p.jackknife_se = std::sqrt((n - 1.0) / n * loo.m2);
  p.ci95_low = p.db - 1.96 * p.jackknife_se;
  p.ci95_high = p.db + 1.96 * p.jackknife_se;
  return p;
}

YieldStatistics yield_statistics(const PointTable& t, const std::vector<bool>& pass) {
  // A failed trial is a chip that fails: it stays in the denominator, with its weight.
  YieldStatistics y;
  y.n = t.trial.size();
  y.fail.resize(y.n);
  for (std::size_t i = 0; i < y.n; ++i) {
    y.fail[i] = !(ok(t, i) && pass[i]);
    y.passing += !y.fail[i];
  }
  const std::vector<double>& w = t.columns.at("weight");
  y.weighted = std::any_of(w.begin(), w.end(), [](double x) { return x != 1.0; });
  y.wilson = wilson95(y.passing, y.n);
  y.failure = weighted_proportion(w, y.fail);
  y.estimate =
      y.weighted ? Interval{1 - y.failure.p, 1 - y.failure.high, 1 - y.failure.low} : y.wilson;
  return y;
}

PointStatistics point_statistics(const PointTable& t, const TriggerConfig& trigger,
                                 double yield_accuracy) {
  PointStatistics s;
  s.trials = t.trial.size();
  for (std::size_t i = 0; i < t.trial.size(); ++i) s.failed += !ok(t, i);
  auto add_sqnr = [&](const std::string& name, const std::vector<double>& db,
                      const std::vector<double>& signal, const std::vector<double>& error) {
    const PooledSqnr p = pool_sqnr(ok_values(t, signal), ok_values(t, error));
    s.metrics.emplace_back(name, sqnr_summary(p, ok_values(t, db)));
    s.sqnr.emplace_back(name, p);
  };
  for (const TrialMetricInfo& m : trial_metrics()) {
    const std::string name(m.name);
    const std::vector<double> v = ok_values(t, t.columns.at(name));
    if (m.summary == MetricSummary::POOLED_SQNR) {
      add_sqnr(name, t.columns.at(name), t.columns.at("logit_signal_power"),
               t.columns.at("logit_error_power"));
      continue;
    }
    s.metrics.emplace_back(name, summarize(v));
    if (m.summary == MetricSummary::DISTRIBUTION_AND_YIELD) {
      const std::vector<double>& a = t.columns.at(name);
      std::vector<bool> pass(t.trial.size());
      for (std::size_t i = 0; i < pass.size(); ++i) pass[i] = a[i] >= yield_accuracy;
      s.yield = yield_statistics(t, pass);
      s.yield.accuracy_threshold = yield_accuracy;
    }
  }
  for (const std::string& l : t.layers) {
    for (const LayerMetricInfo& m : layer_metrics()) {
      const std::string name = "layers/" + l + "/" + std::string(m.name);
      if (m.id == LayerMetric::MVM_SQNR_DB) {
        add_sqnr(name, t.layer_values(l, m.name), t.layer_values(l, "signal_power"),
                 t.layer_values(l, "error_power"));
      } else {
        s.metrics.emplace_back(name, summarize(ok_values(t, t.layer_values(l, m.name))));
      }
    }
  }
  s.dcode_hist = histogram_sum(t, t.dcode_hist, pim::DCODE_BINS);
  s.margin_hist = histogram_sum(t, t.margin_hist, pim::MARGIN_BINS);
  s.convergence = convergence(t, trigger);
  return s;
}

}  // namespace rapmc
