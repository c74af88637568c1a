#include "rapmc/cli/tails_command.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "rapmc/cli/ranged_option.h"
#include "rapmc/core/errors.h"
#include "rapmc/core/parallelism.h"
#include "rapmc/core/timing.h"
#include "rapmc/mc/campaign.h"
#include "rapmc/mc/runner.h"
#include "rapmc/tails/conversion_model.h"
#include "rapmc/tails/count_distribution.h"
#include "rapmc/tails/rare_event.h"
#include "rapmc/tails/tails_file.h"

namespace rapmc {
namespace {

struct TailsArgs {
  std::string hardware;
  std::string campaign;
  std::size_t point = 0;
  std::vector<int> counts;  // empty: every count a read can give
  int rows = 0;
  std::vector<std::string> methods{"importance", "scaled_sigma"};
  std::uint64_t samples = 100'000;
  std::vector<double> scales;
  std::string scaled_model = "q_function";
  int min_codes = 1;
  std::uint64_t seed = 1;
  int threads = 0;
  bool json = false;
  bool average = false;      // also the rate over the campaign workload's counts
  double failing_limit = 0;  // --failing-column: P(a column's error rate over its reads > this)
  double failing_read = 0;  // --failing-read: P(a read's frozen state's noise-averaged rate > this)
  int reads = 64;           // reads a column's rate averages over
  std::string out;          // tails file (HDF5)
  bool force = false;
};

// The setup of the conversions studied: point `a.point` of campaign `c`, or (no campaign) a
// hardware file under the default variation at TT, 27 °C.
tails::ConversionSetup setup_of(const TailsArgs& a, const std::optional<Campaign>& c) {
  tails::ConversionSetup s;
  if (c) {
    if (a.point >= c->points.size())
      throw ConfigError("--point " + std::to_string(a.point) + ": " + a.campaign + " has " +
                        std::to_string(c->points.size()) + " sweep point(s)");
    const CampaignPoint& p = c->points[a.point];
    if (p.sampling.method == SamplingMethod::SCALED_SIGMA)
      throw ConfigError("--point " + std::to_string(a.point) + ": " + a.campaign +
                        " draws its chips with every σ × " +
                        std::to_string(p.sampling.sigma_scale) +
                        " (sampling.method = 'scaled_sigma'); the tail estimators need the "
                        "model's own σ (use --method scaled_sigma to scale them)");
    if (p.age)
      throw ConfigError("--point " + std::to_string(a.point) + ": " + a.campaign +
                        " is a lifetime campaign ([lifetime]); the tail model has one "
                        "operating point without a mission history");
    s.hw = p.hardware;
    s.variation = p.variation;
    s.corner = p.corner;
    s.temp_mode = p.temp_mode;
    s.temp_min_c = p.temp_min_c;
    s.temp_max_c = p.temp_max_c;
  } else {
    s.hw = load_hardware(a.hardware);
    s.corner = parse_corner("TT", 27.0);
  }
  s.rows = a.rows;
  return s;
}

tails::TailEstimate estimate(const std::string& method, const tails::LimitState& f, int dim,
                             const TailsArgs& a) {
  if (method == "plain") {
    tails::PlainOptions o;
    o.samples = a.samples;
    return tails::plain_monte_carlo(f, dim, o, a.seed);
  }
  if (method == "importance") {
    tails::ImportanceOptions o;
    o.samples = a.samples;
    return tails::importance_sampling(f, dim, o, a.seed);
  }
  tails::ScaledSigmaOptions o;
  o.samples_per_scale = a.samples;
  if (!a.scales.empty()) o.scales = a.scales;
  o.model = a.scaled_model == "sun_li" ? tails::ScaledSigmaModel::SUN_LI
                                       : tails::ScaledSigmaModel::Q_FUNCTION;
  return tails::scaled_sigma(f, dim, o, a.seed);
}

nlohmann::json to_json(const tails::TailEstimate& e, double seconds) {
  nlohmann::json j{{"method", e.method},         {"p", e.p},
                   {"ci95", {e.low, e.high}},    {"std_error", e.std_error},
                   {"samples", e.samples},       {"failures", e.failures},
                   {"effective_samples", e.ess}, {"plain_equivalent_samples", e.plain_equivalent},
                   {"found", e.found},           {"seconds", seconds}};
  for (const tails::DesignPoint& p : e.points)
    j["design_points"].push_back({{"mode", p.mode}, {"beta", p.beta}});
  for (const tails::ScalePoint& s : e.scales)
    j["scales"].push_back({{"scale", s.scale}, {"samples", s.samples}, {"failures", s.failures}});
  return j;
}

int run_tails(const TailsArgs& a) {
  // An existing file is never replaced without --force, and the check comes before the work.
  if (!a.out.empty() && !a.force && std::filesystem::exists(a.out))
    throw IoError(a.out + ": exists (give --force to replace it)");
  Parallelism parallelism(a.threads);
  std::optional<Campaign> campaign;
  if (!a.campaign.empty()) campaign = load_campaign(a.campaign);
  const tails::ConversionSetup base = setup_of(a, campaign);
  const tails::ConversionModel probe(base);  // rows resolved, setup checked
  const int levels = (1 << base.hw.cell_bits) - 1;
  std::vector<int> counts = a.counts;
  if (counts.empty())
    for (int c = 0; c <= probe.setup().rows * levels; ++c) counts.push_back(c);
  // The workload's count distribution (--average): every count it reads is estimated.
  std::vector<std::uint64_t> hist;
  if (a.average) {  // --average needs --campaign (checked with the options)
    const CampaignInputs in = load_campaign_inputs(*campaign);
    hist = parallelism.execute(
        [&] { return tails::count_histogram(*campaign, campaign->points[a.point], in); });
    counts.clear();
    for (std::size_t k = 0; k < hist.size(); ++k)
      if (hist[k] > 0) {
        if (static_cast<int>(k) > probe.setup().rows * levels)
          throw ConfigError(a.campaign + ": the workload reads count " + std::to_string(k) +
                            ", beyond a read of --rows " + std::to_string(probe.setup().rows));
        counts.push_back(static_cast<int>(k));
      }
  }
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> per_method;
  tails::TailsReport report;
  report.hardware = base.hw.name;
  report.source = a.campaign.empty() ? a.hardware : a.campaign;
  report.rows = probe.setup().rows;
  report.min_codes = a.min_codes;
  report.failing_limit = a.failing_limit > 0 ? a.failing_limit : a.failing_read;
  report.failing_reads = a.failing_limit > 0 ? a.reads : 0;
  report.seed = a.seed;
  report.variable_names = probe.variable_names();
  report.counts = counts;
  report.count_histogram = hist;
  nlohmann::json out{{"hardware", base.hw.name},
                     {"rows", probe.setup().rows},
                     {"variables", probe.dimension()},
                     {"min_codes", a.min_codes},
                     {"failing_column_limit", report.failing_limit},
                     {"failing_column_reads", report.failing_reads},
                     {"seed", a.seed},
                     {"threads", parallelism.threads()}};
  std::cout << "rapmc tails: " << base.hw.name << ", reads of " << probe.setup().rows << " rows, "
            << probe.dimension() << " variables per conversion (" << probe.frozen_dimension()
            << " frozen); "
            << (a.failing_limit > 0 ? "P(a column (ADC, sense stage) errs more often than " +
                                          std::to_string(a.failing_limit) + " over " +
                                          std::to_string(a.reads) + " of its reads)\n"
                : a.failing_read > 0 ? "P(a read's frozen state errs more often than " +
                                           std::to_string(a.failing_read) + " over its noise)\n"
                                     : "P(code off by >= " + std::to_string(a.min_codes) + ")\n")
            << "count  method          P           95 % interval             samples   ESS"
               "       plain-equivalent  s\n";
  for (int count : counts) {
    tails::ConversionSetup s = base;
    s.count = count;
    const tails::ConversionModel m(s);
    // --failing-column L: over a column's variables, a column fails when its error rate over
    // its reads exceeds L; --failing-read L: over a read's frozen variables, over its noise.
    const tails::LimitState f = a.failing_limit > 0
                                    ? tails::failing_column(m, a.failing_limit, a.reads, a.seed)
                                : a.failing_read > 0 ? tails::failing_state(m, a.failing_read)
                                                     : tails::conversion_failure(m, a.min_codes);
    const int dim = a.failing_limit > 0  ? m.instance_dimension()
                    : a.failing_read > 0 ? m.frozen_dimension()
                                         : m.dimension();
    nlohmann::json row{{"count", count}};
    for (const std::string& method : a.methods) {
      const auto start = std::chrono::steady_clock::now();
      const tails::TailEstimate e =
          parallelism.execute([&] { return estimate(method, f, dim, a); });
      const double seconds = seconds_since(start);
      row["estimates"].push_back(to_json(e, seconds));
      report.estimates[method].push_back(e);
      auto& [ps, ses] = per_method[method];
      ps.resize(static_cast<std::size_t>(count) + 1, 0.0);
      ses.resize(ps.size(), 0.0);
      ps[static_cast<std::size_t>(count)] = e.p;
      // scaled sigma states the error of ln p
      ses[static_cast<std::size_t>(count)] =
          method == "scaled_sigma" ? e.p * e.std_error : e.std_error;
      std::ostringstream line;
      line << std::setw(5) << count << "  " << std::left << std::setw(14) << e.method << std::right
           << std::scientific << std::setprecision(3);
      if (e.found)
        line << std::setw(11) << e.p << "  [" << e.low << ", " << e.high << "]";
      else
        line << "   none found                        ";
      line << std::setw(10) << e.samples << std::fixed << std::setprecision(0) << std::setw(9)
           << e.ess << std::scientific << std::setprecision(2) << std::setw(14)
           << e.plain_equivalent << std::fixed << std::setprecision(1) << std::setw(8) << seconds
           << (e.found && e.ess < 100 ? "  (ESS < 100: unreliable)" : "");
      std::cout << line.str() << "\n";
    }
    out["counts"].push_back(row);
  }
  if (a.average) {
    out["count_histogram"] = hist;
    std::uint64_t total = 0;
    for (std::uint64_t n : hist) total += n;
    std::cout << "over the workload's " << total << " conversions (ideal activations, "
              << a.campaign << "):\n";
    for (const auto& [method, rates] : per_method) {
      const auto [mean, se] = tails::weighted_rate(hist, rates.first, rates.second);
      out["average"][method] = {{"p", mean}, {"std_error", se}};
      report.average[method] = {mean, se};
      std::cout << "  " << std::left << std::setw(14) << method << std::right << std::scientific
                << std::setprecision(3) << mean << " ± " << 1.96 * se << " (95 %)\n";
    }
  }
  if (a.json) std::cout << out.dump() << "\n";
  if (!a.out.empty()) {
    tails::write_tails_file(a.out, report, a.force);
    std::cout << "tails file: " << a.out << "\n";
  }
  return 0;
}

}  // namespace

void add_tails_command(CLI::App& app, std::function<int()>& action) {
  auto args = std::make_shared<TailsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "tails",
      "Rare code errors of one conversion per count: importance and scaled-sigma sampling");
  auto* hw =
      cmd->add_option("--hardware", args->hardware, "Hardware file (default variation, TT, 27 °C)");
  auto* camp = cmd->add_option("--campaign", args->campaign,
                               "Campaign file: its hardware, variation, corner and temperature");
  hw->excludes(camp);
  add_ranged_option(cmd, "--point", args->point, "Sweep point of --campaign", 0, 1e6);
  cmd->add_option("--count", args->counts, "Counts to study (default: every count of a read)")
      ->check(CLI::Range(0, 1 << 20));
  add_ranged_option(cmd, "--rows", args->rows,
                    "Rows the read drives (0: K for sparse, half a tile for dense)", 0, 1 << 16);
  cmd->add_option("--method", args->methods, "Estimators: importance, scaled_sigma, plain")
      ->check(CLI::IsMember({"importance", "scaled_sigma", "plain"}))
      ->capture_default_str();
  add_ranged_option(cmd, "--samples", args->samples,
                    "Samples per estimate (scaled sigma: per scale)", 1, 1e12);
  cmd->add_option("--scales", args->scales, "Scaled-sigma scales, each > 1")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--scaled-model", args->scaled_model,
                  "Scaled-sigma model: q_function or sun_li (as published)")
      ->check(CLI::IsMember({"q_function", "sun_li"}))
      ->capture_default_str();
  add_ranged_option(cmd, "--failing-column", args->failing_limit,
                    "Instead: P(a column (its ADC instance and sense stage, on its die) errs more "
                    "often than this limit over its reads and their noise, e.g. 1e-6)",
                    0.0, 1.0);
  add_ranged_option(cmd, "--reads", args->reads,
                    "Reads of a column (their cells drawn) its --failing-column rate averages over",
                    1, 1e6);
  add_ranged_option(cmd, "--failing-read", args->failing_read,
                    "Instead: P(one read's frozen state (die, ADC, sense stage, the read's cells) "
                    "errs more often than this limit over its noise)",
                    0.0, 1.0);
  add_ranged_option(cmd, "--min-codes", args->min_codes,
                    "A failure is a code off by at least this many codes", 1, 4096);
  add_ranged_option(cmd, "--seed", args->seed, "Seed of the estimators' samples", 0, 9e18);
  add_ranged_option(cmd, "--threads", args->threads,
                    "Worker threads (0 = all cores); results do not depend on it", 0,
                    Parallelism::MAX_THREADS);
  cmd->add_flag("--json", args->json, "Also print the estimates as one JSON object");
  cmd->add_option("--out", args->out, "Also write the estimates to this tails file (HDF5)");
  cmd->add_flag("--force", args->force, "Replace an existing --out file");
  cmd->add_flag("--average", args->average,
                "With --campaign: every count its workload reads, and the rate averaged over them");
  cmd->callback([args, &action] {
    action = [args] {
      if (args->hardware.empty() && args->campaign.empty())
        throw ConfigError("rapmc tails: give --hardware FILE or --campaign FILE");
      for (const auto& [name, limit] : {std::pair{"--failing-column", args->failing_limit},
                                        std::pair{"--failing-read", args->failing_read}}) {
        if (limit > 0 && args->min_codes != 1)
          throw ConfigError(std::string("rapmc tails: ") + name +
                            " counts any wrong code (--min-codes 1)");
        if (limit >= 1)
          throw ConfigError(std::string("rapmc tails: ") + name + " " + std::to_string(limit) +
                            " must lie in (0, 1)");
      }
      if (args->failing_limit > 0 && args->failing_read > 0)
        throw ConfigError("rapmc tails: give --failing-column or --failing-read, not both");
      if (args->average && args->campaign.empty())
        throw ConfigError("rapmc tails: --average needs --campaign (its model and images)");
      return run_tails(*args);
    };
  });
}

}  // namespace rapmc
