#include "rapmc/cli/compare_command.h"

#include <cmath>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "rapmc/results/compare.h"

namespace rapmc {
namespace {

struct CompareArgs {
  std::string a, b;
  std::size_t top = 10;
  bool json = false;
};

nlohmann::ordered_json mcnemar_json(const McNemar& m) {
  return {{"a_only", m.a_only}, {"b_only", m.b_only}, {"p", m.p}};
}

nlohmann::ordered_json flips_json(const std::vector<ImageFlips>& flips) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const ImageFlips& f : flips)
    out.push_back({{"image", f.image}, {"label", f.label}, {"exact", f.exact}, {"flips", f.flips}});
  return out;
}

void print_flips(const char* design, const std::vector<ImageFlips>& flips, std::uint64_t trials) {
  std::cout << "  most often flipped on " << design << ":";
  if (flips.empty()) std::cout << " none";
  for (const ImageFlips& f : flips)
    std::cout << " image " << f.image << " (label " << f.label << ", exact " << f.exact << ") "
              << f.flips << "/" << trials << ";";
  std::cout << "\n";
}

void print_comparison(const Comparison& c) {
  std::cout << "A = " << c.path_a << "\nB = " << c.path_b << "\nseed " << c.seed
            << ": trial t of both is the same die draw on the same images\n";
  for (const PairedPoint& p : c.points) {
    std::cout << "\npoint" << (p.label.empty() ? "" : " " + p.label) << ": " << p.paired
              << " paired trials x " << p.images << " images (" << p.unpaired
              << " trials left out: in one file only, or failed)\n"
              << "  accuracy A " << p.accuracy_a << ", B " << p.accuracy_b << "; A - B "
              << p.diff_mean << "  95 % [" << p.diff_ci95_low << ", " << p.diff_ci95_high
              << "] (paired t over trials)\n"
              << "  McNemar, pooled over trials: " << p.pooled.a_only
              << " evaluations right on A only, " << p.pooled.b_only
              << " on B only, exact p = " << p.pooled.p << "\n"
              << "  McNemar per trial (p < 0.05): A better in " << p.trials_a_better
              << ", B better in " << p.trials_b_better << " of " << p.paired << " trials\n";
    print_flips("A", p.flips_a, p.paired);
    print_flips("B", p.flips_b, p.paired);
  }
}

}  // namespace

nlohmann::ordered_json comparison_json(const Comparison& c) {
  nlohmann::ordered_json j{{"a", c.path_a}, {"b", c.path_b}, {"seed", c.seed}};
  nlohmann::ordered_json points = nlohmann::ordered_json::array();
  for (const PairedPoint& p : c.points) {
    nlohmann::ordered_json per_trial = nlohmann::ordered_json::array();
    for (std::size_t k = 0; k < p.trials.size(); ++k) {
      nlohmann::ordered_json t = mcnemar_json(p.per_trial[k]);
      t["trial"] = p.trials[k];
      per_trial.push_back(t);
    }
    auto finite = [](double x) {
      return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json(nullptr);
    };
    points.push_back({{"label", p.label},
                      {"images", p.images},
                      {"paired_trials", p.paired},
                      {"unpaired_trials", p.unpaired},
                      {"accuracy_a", p.accuracy_a},
                      {"accuracy_b", p.accuracy_b},
                      {"accuracy_diff",
                       {{"mean", p.diff_mean},
                        {"std", p.diff_std},
                        {"ci95_low", finite(p.diff_ci95_low)},
                        {"ci95_high", finite(p.diff_ci95_high)}}},
                      {"mcnemar_pooled", mcnemar_json(p.pooled)},
                      {"trials_a_better", p.trials_a_better},
                      {"trials_b_better", p.trials_b_better},
                      {"mcnemar_per_trial", per_trial},
                      {"most_flipped_a", flips_json(p.flips_a)},
                      {"most_flipped_b", flips_json(p.flips_b)}});
  }
  j["points"] = points;
  return j;
}

void add_compare_command(CLI::App& app, std::function<int()>& action) {
  auto a = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "Paired per-image comparison of two campaigns run with the same seed and images");
  cmd->add_option("a", a->a, "Results file A (HDF5, format 1.5 or later)")->required();
  cmd->add_option("b", a->b, "Results file B")->required();
  cmd->add_option("--top", a->top, "Most often flipped images listed per design")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{0}, std::size_t{1'000'000}));
  cmd->add_flag("--json", a->json, "Print JSON");
  cmd->callback([a, &action] {
    action = [a] {
      const Comparison c = compare_results(a->a, a->b, a->top);
      if (a->json)
        std::cout << comparison_json(c).dump(2) << "\n";
      else
        print_comparison(c);
      return 0;
    };
  });
}

}  // namespace rapmc
