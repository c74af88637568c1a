#include "rapmc/results/point_statistics.h"

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

}  // namespace

PointStatistics point_statistics(const PointTable& t, const TriggerConfig& trigger,
                                 double yield_accuracy) {
  PointStatistics s;
  s.trials = t.trial.size();
  for (std::size_t i = 0; i < t.trial.size(); ++i) s.failed += !ok(t, i);
  for (const TrialMetricInfo& m : trial_metrics()) {
    const std::string name(m.name);
    const std::vector<double> v = ok_values(t, t.columns.at(name));
    s.metrics.emplace_back(name, summarize(v));
    if (m.summary == MetricSummary::DISTRIBUTION_AND_YIELD) {
      // A failed trial is a chip that fails: it stays in the denominator.
      s.yield.accuracy_threshold = yield_accuracy;
      for (double a : v) s.yield.passing += a >= yield_accuracy;
      s.yield.n = t.trial.size();
      s.yield.wilson = wilson95(s.yield.passing, s.yield.n);
    }
  }
  for (const std::string& l : t.layers) {
    s.metrics.emplace_back("layers/" + l + "/mvm_sqnr_db",
                           summarize(ok_values(t, t.layer_sqnr_db.at(l))));
    s.metrics.emplace_back("layers/" + l + "/code_error_rate",
                           summarize(ok_values(t, t.layer_code_error_rate.at(l))));
  }
  s.dcode_hist = histogram_sum(t, t.dcode_hist, pim::DCODE_BINS);
  s.margin_hist = histogram_sum(t, t.margin_hist, pim::MARGIN_BINS);
  s.convergence = convergence(t, trigger);
  return s;
}

}  // namespace rapmc
