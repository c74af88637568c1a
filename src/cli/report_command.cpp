#include "rapmc/cli/report_command.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "rapmc/core/errors.h"
#include "rapmc/mc/campaign.h"
#include "rapmc/mc/statistics.h"
#include "rapmc/mc/trial.h"
#include "rapmc/mc/trial_metrics.h"
#include "rapmc/results/lifetime_statistics.h"
#include "rapmc/results/point_statistics.h"
#include "rapmc/results/results_reader.h"
#include "rapmc/tails/rare_event.h"
#include "rapmc/variation/die_sampling.h"

namespace rapmc {
namespace {

nlohmann::ordered_json number(double x) {
  return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json(nullptr);
}

// The yield threshold and trigger the campaign was run with; when its settings no longer parse
// here (e.g. a moved hardware file), the defaults.
Campaign settings_of(const ResultsData& d) {
  try {
    return parse_campaign(d.campaign_toml, d.path + ":/settings");
  } catch (const std::exception&) {
    return Campaign{};
  }
}

nlohmann::ordered_json yield_json(const YieldStatistics& y) {
  nlohmann::ordered_json j = {{"passing", y.passing},
                              {"n", y.n},
                              {"weighted", y.weighted},
                              {"p", number(y.estimate.p)},
                              {"ci95_low", number(y.estimate.low)},
                              {"ci95_high", number(y.estimate.high)},
                              {"wilson95_low", y.wilson.low},
                              {"wilson95_high", y.wilson.high},
                              {"failure_p", number(y.failure.p)},
                              {"failure_std_error", number(y.failure.std_error)},
                              {"ess", number(y.failure.ess)},
                              {"plain_equivalent_trials", number(y.failure.plain_equivalent)},
                              {"variance_reduction", number(y.failure.variance_reduction)}};
  return j;
}

void print_yield(const std::string& what, const YieldStatistics& y) {
  std::cout << "  yield P(" << what << ") = " << y.estimate.p;
  if (!y.weighted) {
    std::cout << "  Wilson 95 % [" << y.wilson.low << ", " << y.wilson.high << "]  (" << y.passing
              << "/" << y.n << ")\n";
    return;
  }
  std::cout << "  95 % [" << y.estimate.low << ", " << y.estimate.high << "]  importance-weighted: "
            << "P(fail) = " << y.failure.p << " ± " << y.failure.std_error << " (se), "
            << y.n - y.passing << " failing of " << y.n << " drawn, ESS " << y.failure.ess
            << ", variance reduction " << y.failure.variance_reduction << "× ("
            << y.failure.plain_equivalent << " plain trials)\n";
}

// The failing chips of a point: the likelihood-weighted mean of their die variates (σ), the
// mean shift of the next importance-sampling run (one cross-entropy step; docs/design.md), and
// the heaviest one (the likeliest under the model) to replay.
struct FailingChips {
  std::array<double, DIE_VARIATES> mean{};
  std::uint64_t heaviest_trial = 0;
  double heaviest_weight = 0;
};
std::optional<FailingChips> failing_chips(const PointTable& t, const CampaignPoint& p,
                                          const std::vector<bool>& fail) {
  FailingChips f;
  std::array<double, DIE_VARIATES>& mean = f.mean;
  double sum = 0;
  const auto& w = t.columns.at("weight");
  const auto& vdd = t.columns.at("vdd_v");
  const auto& g_on = t.columns.at("g_on_shift");
  const auto& g_off = t.columns.at("g_off_shift");
  const auto& adc_gain = t.columns.at("adc_gain_shift");
  const auto& adc_offset = t.columns.at("adc_offset_lsb");
  for (std::size_t i = 0; i < t.trial.size(); ++i) {
    if (!fail[i]) continue;
    OperatingPoint op;
    op.vdd_v = vdd[i];
    op.g_on_shift = g_on[i];
    op.g_off_shift = g_off[i];
    op.adc_gain_shift = adc_gain[i];
    op.adc_offset_lsb = adc_offset[i];
    if (!std::isfinite(op.vdd_v)) continue;  // no die stored (a failed trial before 1.4)
    const auto z = as_array(die_variates_of(p.variation, p.corner, op));
    const double s = p.sampling.method == SamplingMethod::SCALED_SIGMA ? p.sampling.sigma_scale : 1;
    for (std::size_t k = 0; k < DIE_VARIATES; ++k) mean[k] += w[i] * z[k] / s;
    sum += w[i];
    if (w[i] > f.heaviest_weight) {
      f.heaviest_weight = w[i];
      f.heaviest_trial = static_cast<std::uint64_t>(t.trial[i]);
    }
  }
  if (sum == 0) return std::nullopt;
  for (double& m : mean) m /= sum;
  return f;
}

// Each per-trial metric's mean under the variation model, from importance-weighted successful
// trials (not the weights or σ scale themselves, and not the pooled SQNR).
std::vector<std::pair<std::string, WeightedMean>> weighted_means(const PointTable& t) {
  std::vector<std::pair<std::string, WeightedMean>> out;
  const auto& w = t.columns.at("weight");
  for (const TrialMetricInfo& m : trial_metrics()) {
    if (m.summary == MetricSummary::POOLED_SQNR || m.id == TrialMetric::WEIGHT ||
        m.id == TrialMetric::SIGMA_SCALE)
      continue;
    const auto& x = t.columns.at(std::string(m.name));
    std::vector<double> xs, ws;
    for (std::size_t i = 0; i < t.trial.size(); ++i)
      if (t.status[i] == static_cast<std::int64_t>(TrialStatus::OK)) {
        xs.push_back(x[i]);
        ws.push_back(w[i]);
      }
    out.emplace_back(std::string(m.name), weighted_mean(xs, ws));
  }
  return out;
}

// The campaign's scaled-sigma points grouped by their other sweep values, each group's failure
// counts fitted back to σ × 1 (tails::fit_scaled_sigma).
nlohmann::ordered_json scaled_sigma_fits(const ResultsData& d, const Campaign& c,
                                         const std::vector<YieldStatistics>& yields, bool print) {
  if (c.points.size() != d.points.size())
    throw ConfigError("--scaled-sigma: " + d.path +
                      ": the campaign in /settings no longer parses here, so its points' "
                      "sampling is unknown");
  std::vector<std::pair<std::string, std::vector<tails::ScalePoint>>> groups;
  for (std::size_t k = 0; k < c.points.size(); ++k) {
    const CampaignPoint& p = c.points[k];
    if (yields[k].weighted)
      throw ConfigError("--scaled-sigma: " + d.path + ": point '" + d.points[k].label +
                        "' is importance-weighted; a scaled-sigma fit cannot weight");
    if (p.sampling.method != SamplingMethod::SCALED_SIGMA) continue;
    std::string group;
    for (const auto& [key, value] : p.overrides)
      if (key != "sampling.sigma_scale") group += (group.empty() ? "" : ", ") + key + "=" + value;
    auto it =
        std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == group; });
    if (it == groups.end()) it = groups.insert(groups.end(), {group, {}});
    it->second.push_back({p.sampling.sigma_scale, yields[k].n, yields[k].n - yields[k].passing});
  }
  if (groups.empty())
    throw ConfigError("--scaled-sigma: " + d.path +
                      " has no point with sampling.method = 'scaled_sigma'");
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& [group, scales] : groups) {
    const tails::TailEstimate e =
        tails::fit_scaled_sigma(scales, tails::ScaledSigmaModel::Q_FUNCTION, 3);
    nlohmann::ordered_json counts = nlohmann::ordered_json::array();
    for (const auto& sp : scales)
      counts.push_back(
          {{"sigma_scale", sp.scale}, {"trials", sp.samples}, {"failing", sp.failures}});
    out.push_back({{"group", group},
                   {"found", e.found},
                   {"failure_p", number(e.p)},
                   {"failure_ci95_low", number(e.low)},
                   {"failure_ci95_high", number(e.high)},
                   {"ln_failure_std_error", number(e.std_error)},
                   {"plain_equivalent_trials", number(e.plain_equivalent)},
                   {"trials", e.samples},
                   {"yield", number(1 - e.p)},
                   {"yield_ci95_low", number(1 - e.high)},
                   {"yield_ci95_high", number(1 - e.low)},
                   {"scales", counts}});
    if (!print) continue;
    std::cout << "scaled sigma" << (group.empty() ? std::string() : " (" + group + ")") << ":";
    for (const auto& sp : scales)
      std::cout << "  s=" << sp.scale << ": " << sp.failures << "/" << sp.samples << " failing";
    std::cout << "\n";
    if (e.found)
      std::cout << "  extrapolated to s = 1: P(fail) = " << e.p << "  95 % [" << e.low << ", "
                << e.high << "], yield " << 1 - e.p << "  95 % [" << 1 - e.high << ", " << 1 - e.low
                << "] from " << e.samples << " chips (plain Monte Carlo needs "
                << e.plain_equivalent << " for the same relative error)\n";
    else
      std::cout << "  no estimate: fewer than three scales with 3..n−1 failing chips\n";
  }
  return out;
}

// An age for the text report: seconds, and days or years where they read better.
std::string age_text(double s) {
  std::ostringstream o;
  if (std::isinf(s)) return "beyond the mission";
  o << std::setprecision(3) << s << " s";
  if (s >= 3.15576e7)
    o << " (" << s / 3.15576e7 << " y)";
  else if (s >= 86400)
    o << " (" << s / 86400 << " d)";
  return o.str();
}

nlohmann::ordered_json age_json(double s) {
  return std::isinf(s) ? nlohmann::ordered_json("beyond") : nlohmann::ordered_json(s);
}

// The time-to-failure statistics of a lifetime campaign (results/lifetime_statistics.h).
nlohmann::ordered_json lifetime_report(const ResultsData& d, const Campaign& c, bool print) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const LifetimeGroup& g : lifetime_statistics(c, d)) {
    nlohmann::ordered_json ages = nlohmann::ordered_json::array();
    for (std::size_t a = 0; a < g.ages_s.size(); ++a)
      ages.push_back({{"age_s", g.ages_s[a]},
                      {"alive", g.alive[a]},
                      {"yield", g.trials.empty() ? 0.0
                                                 : static_cast<double>(g.alive[a]) /
                                                       static_cast<double>(g.trials.size())},
                      {"yield_ci95_low", g.yield95[a].low},
                      {"yield_ci95_high", g.yield95[a].high}});
    auto quantile = [](const AgeQuantile& q) {
      return nlohmann::ordered_json{{"p", q.p},
                                    {"age_s", age_json(q.age_s)},
                                    {"ci95_low_s", age_json(q.low_s)},
                                    {"ci95_high_s", age_json(q.high_s)}};
    };
    nlohmann::ordered_json ttf = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < g.trials.size(); ++i)
      ttf.push_back({{"trial", g.trials[i]}, {"ttf_s", age_json(g.ttf_s[i])}});
    out.push_back({{"group", g.label},
                   {"target_accuracy", c.mission.target_accuracy},
                   {"chips", g.trials.size()},
                   {"ttf_median", quantile(g.median)},
                   {"ttf_p10", quantile(g.p10)},
                   {"ages", ages},
                   {"trials", ttf}});
    if (!print) continue;
    std::cout << "lifetime" << (g.label.empty() ? std::string() : " (" + g.label + ")") << ": "
              << g.trials.size() << " chips, failed once accuracy < " << c.mission.target_accuracy
              << "\n";
    for (const auto* q : {&g.p10, &g.median})
      std::cout << "  time to failure, " << (q->p == 0.5 ? "median" : "10th percentile") << ": "
                << age_text(q->age_s) << "  95 % [" << age_text(q->low_s) << ", "
                << age_text(q->high_s) << "]\n";
    for (std::size_t a = 0; a < g.ages_s.size(); ++a)
      std::cout << "  lifetime yield at " << age_text(g.ages_s[a]) << ": " << g.alive[a] << "/"
                << g.trials.size() << "  95 % [" << g.yield95[a].low << ", " << g.yield95[a].high
                << "]\n";
    std::cout << "\n";
  }
  return out;
}

// One point's statistics and what the report adds to them.
struct PointReport {
  std::size_t index = 0;
  const PointTable* table = nullptr;
  PointStatistics stats;
  std::vector<std::pair<std::string, WeightedMean>> weighted;  // importance-weighted points
  std::optional<YieldStatistics> flip;                         // --flip-rate-max
  std::optional<FailingChips> failing;
};

struct Report {
  ResultsData data;
  Campaign settings;
  std::vector<PointReport> points;
  std::uint64_t trials = 0;
};

Report build_report(const std::string& path, const ReportOptions& o) {
  if (o.flip_rate_max != -1 && !(o.flip_rate_max > 0 && o.flip_rate_max < 1))
    throw ConfigError("--flip-rate-max " + std::to_string(o.flip_rate_max) + " must lie in (0, 1)");
  Report r{read_results(path), {}, {}, 0};
  r.settings = settings_of(r.data);
  for (std::size_t k = 0; k < r.data.points.size(); ++k) {
    PointReport p;
    p.index = k;
    p.table = &r.data.points[k];
    const PointTable& t = *p.table;
    p.stats = point_statistics(t, r.settings.trigger, r.settings.yield_accuracy);
    r.trials += p.stats.trials;
    if (p.stats.yield.weighted) p.weighted = weighted_means(t);
    if (o.flip_rate_max > 0) {
      const auto& fr = t.columns.at("flip_rate");
      std::vector<bool> pass(fr.size());
      for (std::size_t i = 0; i < pass.size(); ++i) pass[i] = fr[i] <= o.flip_rate_max;
      p.flip = yield_statistics(t, pass);
    }
    if (r.settings.points.size() == r.data.points.size())
      p.failing = failing_chips(t, r.settings.points[k], p.stats.yield.fail);
    r.points.push_back(std::move(p));
  }
  return r;
}

nlohmann::ordered_json point_json(const PointReport& p, double threshold, const ReportOptions& o) {
  nlohmann::ordered_json stats = nlohmann::ordered_json::object();
  for (const auto& [name, s] : p.stats.metrics) {
    stats[name] = {{"mean", number(s.mean)},         {"std", number(s.std)},
                   {"ci95_low", number(s.ci95_low)}, {"ci95_high", number(s.ci95_high)},
                   {"min", number(s.min)},           {"q05", number(s.q05)},
                   {"q50", number(s.q50)},           {"q95", number(s.q95)},
                   {"max", number(s.max)},           {"n", s.n}};
  }
  // Importance-weighted trials: each per-trial metric's mean under the model, too.
  for (const auto& [name, m] : p.weighted)
    stats[name]["weighted"] = {{"mean", number(m.mean)},
                               {"std_error", number(m.std_error)},
                               {"ci95_low", number(m.low)},
                               {"ci95_high", number(m.high)}};
  for (const auto& [name, q] : p.stats.sqnr) {  // pooled: mean is Σ signal / Σ error in dB
    stats[name]["summary"] = "pooled";
    stats[name]["mean"] =
        q.db > 0 && std::isinf(q.db) ? nlohmann::ordered_json("inf") : number(q.db);
    stats[name]["error_free"] = q.error_free;
  }
  nlohmann::ordered_json y = {{"accuracy_threshold", threshold}};
  y.update(yield_json(p.stats.yield));
  if (p.failing) {
    nlohmann::ordered_json m;
    for (std::size_t i = 0; i < DIE_VARIATES; ++i)
      m[std::string(DIE_VARIATE_NAMES[i])] = p.failing->mean[i];
    y["failing_die_mean"] = m;
    y["heaviest_failing_trial"] = p.failing->heaviest_trial;
  }
  const PointTable& t = *p.table;
  const nlohmann::ordered_json reference = t.reference_accuracy
                                               ? nlohmann::ordered_json(*t.reference_accuracy)
                                               : nlohmann::ordered_json(nullptr);
  nlohmann::ordered_json j = {{"label", t.label},         {"trials", p.stats.trials},
                              {"failed", p.stats.failed}, {"reference_accuracy", reference},
                              {"statistics", stats},      {"yield", y}};
  if (p.flip) {
    nlohmann::ordered_json fy = {{"flip_rate_max", o.flip_rate_max}};
    fy.update(yield_json(*p.flip));
    j["flip_yield"] = fy;
  }
  return j;
}

const Summary* metric(const PointStatistics& s, const std::string& name) {
  for (const auto& [n, m] : s.metrics)
    if (n == name) return &m;
  return nullptr;
}

// The answer first: per point, accuracy against exact arithmetic, yield with its interval, the
// code error rate and the 1 % sensing margin; then the campaign's speed.
void print_answer(const Report& r) {
  std::cout << std::setprecision(4) << std::defaultfloat;
  for (const PointReport& p : r.points) {
    const PointTable& t = *p.table;
    const Summary* acc = metric(p.stats, "accuracy");
    const Summary* cer = metric(p.stats, "code_error_rate");
    const Summary* margin = metric(p.stats, "margin_p01_lsb");
    std::cout << (t.label.empty() ? std::string("campaign") : "point " + t.label) << ": "
              << p.stats.trials << " chips"
              << (p.stats.failed ? " (" + std::to_string(p.stats.failed) + " failed)" : "")
              << "\n  accuracy        " << 100 * acc->mean << " %  95 % CI [" << 100 * acc->ci95_low
              << ", " << 100 * acc->ci95_high << "]";
    if (t.reference_accuracy)
      std::cout << " against " << 100 * *t.reference_accuracy << " % on exact arithmetic ("
                << 100 * (acc->mean - *t.reference_accuracy) << " points)";
    const YieldStatistics& y = p.stats.yield;
    const double low = y.weighted ? y.estimate.low : y.wilson.low;
    const double high = y.weighted ? y.estimate.high : y.wilson.high;
    std::cout << "\n  yield           " << 100 * y.estimate.p
              << " % of chips reach accuracy >= " << r.settings.yield_accuracy << "  95 % ["
              << 100 * low << ", " << 100 * high << "]"
              << (y.weighted ? " (importance-weighted)"
                             : " (" + std::to_string(y.passing) + "/" + std::to_string(y.n) + ")")
              << "\n  code errors     " << cer->mean << " of ADC conversions  95 % CI ["
              << cer->ci95_low << ", " << cer->ci95_high << "]"
              << "\n  1 % margin      " << margin->mean
              << " LSB  (1 % of conversions lie closer to a threshold; < 0: on its wrong "
                 "side; mean over chips)\n";
  }
  if (r.data.seconds > 0)
    std::cout << "speed: " << std::setprecision(0) << std::fixed
              << 3600.0 * static_cast<double>(r.trials) / r.data.seconds << " trials/hour ("
              << r.trials << " trials in " << std::setprecision(1) << r.data.seconds
              << " s, as written)\n";
  std::cout << std::setprecision(6) << std::defaultfloat;
}

// Every metric of a point, its yield lines and, for importance sampling, the failing chips.
void print_point_detail(const Report& r, const PointReport& p, const ReportOptions& o) {
  const PointTable& t = *p.table;
  std::cout << (t.label.empty() ? std::string("campaign") : "point " + t.label) << ": "
            << p.stats.trials << " trials"
            << (p.stats.failed ? " (" + std::to_string(p.stats.failed) + " failed)" : std::string())
            << "\n";
  std::cout << "  metric                              mean          std      95 % CI\n";
  for (const auto& [name, s] : p.stats.metrics) {
    const bool layer = name.rfind("layers/", 0) == 0;
    if (layer && name.find("mvm_sqnr_db") == std::string::npos &&
        name.find("code_error_rate") == std::string::npos &&
        name.find("margin_p01_lsb") == std::string::npos)
      continue;
    std::cout << "  " << std::left << std::setw(32) << name << std::right << std::setw(12)
              << std::setprecision(5) << std::defaultfloat << s.mean << std::setw(13) << s.std
              << "  [" << s.ci95_low << ", " << s.ci95_high << "]";
    for (const auto& [sname, q] : p.stats.sqnr)
      if (sname == name)
        std::cout << (q.n == 0 ? std::string("  not on the chip (kept digital)")
                               : "  pooled; " + std::to_string(q.error_free) + " of " +
                                     std::to_string(q.n) + " trials error-free");
    std::cout << "\n";
  }
  if (t.reference_accuracy)
    std::cout << "  accuracy on exact digital MVMs (reference): " << *t.reference_accuracy << "\n";
  std::ostringstream what;
  what << "accuracy >= " << r.settings.yield_accuracy;
  print_yield(what.str(), p.stats.yield);
  if (p.flip) {
    std::ostringstream f;
    f << "flip rate <= " << o.flip_rate_max;
    print_yield(f.str(), *p.flip);
  }
  if (p.stats.yield.weighted)
    std::cout << "  (the metrics above are over the drawn chips; weighted to the model:)\n";
  for (const auto& [name, m] : p.weighted)
    if (name == "accuracy" || name == "flip_rate" || name == "code_error_rate" ||
        name == "dcode_ge2_rate")
      std::cout << "  " << std::left << std::setw(32) << name << std::right << std::setw(12)
                << m.mean << "  ± " << m.std_error << " (se)  [" << m.low << ", " << m.high
                << "]\n";
  if (p.failing) {
    std::cout << "  failing chips' mean die variates (σ; sampling.shift_*):";
    for (std::size_t i = 0; i < DIE_VARIATES; ++i)
      std::cout << " " << DIE_VARIATE_NAMES[i] << " " << std::setprecision(3) << p.failing->mean[i];
    std::cout << std::setprecision(6) << "\n  heaviest failing chip: trial "
              << p.failing->heaviest_trial << " (rapmc replay " << r.data.path << " --trial "
              << p.failing->heaviest_trial
              << (t.label.empty() ? "" : " --point " + std::to_string(p.index)) << ")\n";
  }
  std::cout << "\n";
}

std::vector<YieldStatistics> yields_of(const Report& r) {
  std::vector<YieldStatistics> out;
  for (const PointReport& p : r.points) out.push_back(p.stats.yield);
  return out;
}

}  // namespace

nlohmann::ordered_json report_json(const std::string& path, const ReportOptions& o) {
  const Report r = build_report(path, o);
  nlohmann::ordered_json points = nlohmann::ordered_json::array();
  for (const PointReport& p : r.points)
    points.push_back(point_json(p, r.settings.yield_accuracy, o));
  nlohmann::ordered_json j;
  j["file"] = path;
  j["campaign_sha256"] = r.data.campaign_sha256;
  j["seed"] = r.data.seed;
  j["trials"] = r.trials;
  if (r.points.size() == 1 && r.points[0].table->label.empty()) {
    for (const char* key : {"failed", "reference_accuracy", "statistics", "yield", "flip_yield"})
      if (points[0].contains(key)) j[key] = points[0][key];
  } else {
    j["points"] = points;
  }
  if (o.scaled_sigma)
    j["scaled_sigma"] = scaled_sigma_fits(r.data, r.settings, yields_of(r), false);
  if (r.settings.mission.enabled()) j["lifetime"] = lifetime_report(r.data, r.settings, false);
  return j;
}

void print_report(const std::string& path, const ReportOptions& o) {
  if (o.json) {
    std::cout << report_json(path, o).dump(2) << "\n";
    return;
  }
  const Report r = build_report(path, o);
  print_answer(r);
  std::cout << "\n";
  if (o.detail) {
    for (const PointReport& p : r.points) print_point_detail(r, p, o);
  } else {
    std::cout << "every metric, per point: rapmc report " << path << " --detail\n\n";
  }
  if (o.scaled_sigma) (void)scaled_sigma_fits(r.data, r.settings, yields_of(r), true);
  if (r.settings.mission.enabled()) (void)lifetime_report(r.data, r.settings, true);
}

void add_report_command(CLI::App& app, std::function<int()>& action) {
  auto path = std::make_shared<std::string>();
  auto o = std::make_shared<ReportOptions>();
  CLI::App* cmd = app.add_subcommand("report", "Summarise a results file (statistics, CIs, yield)");
  cmd->add_option("file", *path, "Results file (HDF5)")->required();
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->add_option("--flip-rate-max", o->flip_rate_max,
                  "Also the yield P(flip rate <= X), X in (0, 1)");
  cmd->add_flag("--detail", o->detail, "Every metric of every point after the answer");
  cmd->add_flag("--scaled-sigma", o->scaled_sigma,
                "Fit the failing chips of the scaled-sigma points back to sigma x 1");
  cmd->callback([path, o, &action] {
    action = [path, o] {
      print_report(*path, *o);
      return 0;
    };
  });
}

}  // namespace rapmc
