#include "rapmc/cli/report_command.h"

#include <cmath>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "rapmc/mc/campaign.h"
#include "rapmc/results/point_statistics.h"
#include "rapmc/results/results_reader.h"

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

}  // namespace

void print_report(const std::string& path, bool json) {
  const ResultsData d = read_results(path);
  const Campaign settings = settings_of(d);
  const double threshold = settings.yield_accuracy;
  nlohmann::ordered_json points = nlohmann::ordered_json::array();
  std::uint64_t all_trials = 0;
  for (const PointTable& t : d.points) {
    const PointStatistics r = point_statistics(t, settings.trigger, threshold);
    all_trials += r.trials;
    nlohmann::ordered_json stats = nlohmann::ordered_json::object();
    for (const auto& [name, s] : r.metrics) {
      stats[name] = {{"mean", number(s.mean)},         {"std", number(s.std)},
                     {"ci95_low", number(s.ci95_low)}, {"ci95_high", number(s.ci95_high)},
                     {"min", number(s.min)},           {"q05", number(s.q05)},
                     {"q50", number(s.q50)},           {"q95", number(s.q95)},
                     {"max", number(s.max)},           {"n", s.n}};
    }
    for (const auto& [name, p] : r.sqnr) {  // pooled: mean is Σ signal / Σ error in dB
      stats[name]["summary"] = "pooled";
      stats[name]["mean"] =
          p.db > 0 && std::isinf(p.db) ? nlohmann::ordered_json("inf") : number(p.db);
      stats[name]["error_free"] = p.error_free;
    }
    nlohmann::ordered_json y = {{"accuracy_threshold", threshold},
                                {"passing", r.yield.passing},
                                {"p", number(r.yield.wilson.p)},
                                {"wilson95_low", r.yield.wilson.low},
                                {"wilson95_high", r.yield.wilson.high}};
    const nlohmann::ordered_json reference = t.reference_accuracy
                                                 ? nlohmann::ordered_json(*t.reference_accuracy)
                                                 : nlohmann::ordered_json(nullptr);
    points.push_back({{"label", t.label},
                      {"trials", r.trials},
                      {"failed", r.failed},
                      {"reference_accuracy", reference},
                      {"statistics", stats},
                      {"yield", y}});
    if (!json) {
      std::cout << (t.label.empty() ? std::string("campaign") : "point " + t.label) << ": "
                << r.trials << " trials"
                << (r.failed ? " (" + std::to_string(r.failed) + " failed)" : std::string())
                << "\n";
      std::cout << "  metric                              mean          std      95 % CI\n";
      for (const auto& [name, s] : r.metrics) {
        const bool layer = name.rfind("layers/", 0) == 0;
        if (layer && name.find("mvm_sqnr_db") == std::string::npos &&
            name.find("code_error_rate") == std::string::npos &&
            name.find("margin_p01_lsb") == std::string::npos)
          continue;
        std::cout << "  " << std::left << std::setw(32) << name << std::right << std::setw(12)
                  << std::setprecision(5) << std::defaultfloat << s.mean << std::setw(13) << s.std
                  << "  [" << s.ci95_low << ", " << s.ci95_high << "]";
        for (const auto& [sname, p] : r.sqnr)
          if (sname == name)
            std::cout << (p.n == 0 ? std::string("  not on the chip (kept digital)")
                                   : "  pooled; " + std::to_string(p.error_free) + " of " +
                                         std::to_string(p.n) + " trials error-free");
        std::cout << "\n";
      }
      if (t.reference_accuracy)
        std::cout << "  accuracy on exact digital MVMs (reference): " << *t.reference_accuracy
                  << "\n";
      std::cout << "  yield P(accuracy >= " << threshold << ") = " << r.yield.wilson.p
                << "  Wilson 95 % [" << r.yield.wilson.low << ", " << r.yield.wilson.high
                << "]\n\n";
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
