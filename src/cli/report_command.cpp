#include "rapmc/cli/report_command.h"

#include <cmath>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "rapmc/io/results_file.h"
#include "rapmc/mc/campaign.h"
#include "rapmc/mc/statistics.h"

namespace rapmc {
namespace {

nlohmann::ordered_json number(double x) {
  return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json(nullptr);
}

struct PointReport {
  std::uint64_t trials = 0, failed = 0;
  std::vector<std::pair<std::string, Summary>> stats;
  Interval yield;
  std::uint64_t passing = 0;
};

PointReport analyse(const PointTable& t, double yield_threshold) {
  PointReport r;
  r.trials = t.trial.size();
  auto ok = [&](const std::vector<double>& v) {
    std::vector<double> out;
    for (std::size_t i = 0; i < t.trial.size() && i < v.size(); ++i)
      if (t.status[i] == 0) out.push_back(v[i]);
    return out;
  };
  for (std::int64_t s : t.status) r.failed += s != 0;
  for (const auto& m : trial_metric_names()) r.stats.emplace_back(m, summarize(ok(t.columns.at(m))));
  for (const auto& l : t.layers) {
    r.stats.emplace_back("layers/" + l + "/mvm_sqnr_db", summarize(ok(t.layer_sqnr_db.at(l))));
    r.stats.emplace_back("layers/" + l + "/code_error_rate", summarize(ok(t.layer_code_error_rate.at(l))));
  }
  const auto acc = ok(t.columns.at("accuracy"));
  for (double a : acc) r.passing += a >= yield_threshold;
  r.yield = wilson95(r.passing, acc.size());
  return r;
}

double yield_threshold_of(const ResultsData& d) {
  try {
    return parse_campaign(d.campaign_toml, d.path + ":/settings").yield_accuracy;
  } catch (const std::exception&) {
    return 0.85;  // the settings no longer parse here (e.g. a moved hardware file): the default
  }
}

}  // namespace

void print_report(const std::string& path, bool json) {
  const ResultsData d = read_results(path);
  const double threshold = yield_threshold_of(d);
  nlohmann::ordered_json points = nlohmann::ordered_json::array();
  std::uint64_t all_trials = 0;
  for (const PointTable& t : d.points) {
    const PointReport r = analyse(t, threshold);
    all_trials += r.trials;
    nlohmann::ordered_json stats = nlohmann::ordered_json::object();
    for (const auto& [name, s] : r.stats) {
      stats[name] = {{"mean", number(s.mean)}, {"std", number(s.std)},   {"ci95_low", number(s.ci95_low)},
                     {"ci95_high", number(s.ci95_high)}, {"min", number(s.min)}, {"q05", number(s.q05)},
                     {"q50", number(s.q50)}, {"q95", number(s.q95)}, {"max", number(s.max)}, {"n", s.n}};
    }
    nlohmann::ordered_json y = {{"accuracy_threshold", threshold}, {"passing", r.passing}, {"p", number(r.yield.p)},
                                {"wilson95_low", r.yield.low}, {"wilson95_high", r.yield.high}};
    const nlohmann::ordered_json reference =
        t.reference_accuracy ? nlohmann::ordered_json(*t.reference_accuracy) : nlohmann::ordered_json(nullptr);
    points.push_back({{"label", t.label}, {"trials", r.trials}, {"failed", r.failed}, {"reference_accuracy", reference},
                      {"statistics", stats}, {"yield", y}});
    if (!json) {
      std::cout << (t.label.empty() ? std::string("campaign") : "point " + t.label) << ": " << r.trials << " trials"
                << (r.failed ? " (" + std::to_string(r.failed) + " failed)" : std::string()) << "\n";
      std::cout << "  metric                              mean          std      95 % CI\n";
      for (const auto& [name, s] : r.stats) {
        if (name.rfind("layers/", 0) == 0 && name.find("mvm_sqnr_db") == std::string::npos) continue;
        std::cout << "  " << std::left << std::setw(32) << name << std::right << std::setw(12) << std::setprecision(5)
                  << std::defaultfloat << s.mean << std::setw(13) << s.std << "  [" << s.ci95_low << ", " << s.ci95_high
                  << "]\n";
      }
      if (t.reference_accuracy) std::cout << "  accuracy on exact digital MVMs (reference): " << *t.reference_accuracy << "\n";
      std::cout << "  yield P(accuracy >= " << threshold << ") = " << r.yield.p << "  Wilson 95 % [" << r.yield.low
                << ", " << r.yield.high << "]\n\n";
    }
  }
  if (json) {
    nlohmann::ordered_json j;
    j["file"] = path;
    j["campaign_sha256"] = d.campaign_sha256;
    j["seed"] = d.seed;
    j["trials"] = all_trials;
    if (d.points.size() == 1 && d.points[0].label.empty()) {
      j["failed"] = points[0]["failed"];
      j["reference_accuracy"] = points[0]["reference_accuracy"];
      j["statistics"] = points[0]["statistics"];
      j["yield"] = points[0]["yield"];
    } else {
      j["points"] = points;
    }
    std::cout << j.dump(2) << "\n";
  }
}

void add_report_command(CLI::App& app, std::function<int()>& action) {
  auto path = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("report", "Summarise a results file (statistics, CIs, yield)");
  cmd->add_option("file", *path, "Results file (HDF5)")->required();
  cmd->add_flag("--json", *json, "Print one JSON object");
  cmd->callback([path, json, &action] {
    action = [path, json] {
      print_report(*path, *json);
      return 0;
    };
  });
}

}  // namespace rapmc
