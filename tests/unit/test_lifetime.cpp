// A chip over its life (docs/design.md, "Lifetime campaigns"): the mission profile's keys and
// refusals, its ages against closed forms (Arrhenius-weighted time, refresh and recalibration
// schedules), a small lifetime campaign's common random numbers across ages, and its time to
// failure recomputed from the trial tables.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "rapmc/core/errors.h"
#include "rapmc/mc/campaign.h"
#include "rapmc/mc/mission.h"
#include "rapmc/mc/runner.h"
#include "rapmc/results/campaign_run.h"
#include "rapmc/results/lifetime_statistics.h"
#include "rapmc/results/results_reader.h"
#include "rapmc/variation/variation.h"
#include "test_support.h"

using namespace rapmc;

namespace {

std::string campaign(const std::string& extra, int trials = 4) {
  return "[campaign]\nname = \"life\"\nseed = 11\ntrials = " + std::to_string(trials) +
         "\n[data]\nimages = 8\n[trigger]\ncheck_every = 2\n" + extra;
}

RunOptions quiet_run(const std::string& out) {
  RunOptions o;
  o.out = out;
  o.threads = 2;
  o.progress = ProgressDisplay::OFF;
  return o;
}

// exp(Ea/k·(1/T0 − 1/T)), written out here (k in eV/K, temperatures in kelvin).
double af(double ea, double t0_c, double t_c) {
  return std::exp(ea / 8.617333262e-5 * (1.0 / (t0_c + 273.15) - 1.0 / (t_c + 273.15)));
}

}  // namespace

TEST_CASE("mission profile: bad keys are named, all at once, before any trial [E21]") {
  struct Case {
    std::string text, message;
  };
  const Case cases[] = {
      {"[lifetime]\nages_s = [0.0, 100.0, 50.0]\n",
       "'lifetime.ages_s' must be strictly increasing (entry 2 is not after entry 1)"},
      {"[lifetime]\nages_s = [-1.0, 100.0]\n", "'lifetime.ages_s' [0] = -1"},
      {"[lifetime]\nages_s = []\n", "'lifetime.ages_s' must be a non-empty list"},
      {"[lifetime]\nages_s = [\"a\"]\n", "'lifetime.ages_s' must be a list of numbers"},
      {"[lifetime]\nages_s = [0.0, 100.0]\ntemperature_c = [27.0]\n",
       "'lifetime.temperature_c' must give one temperature per age (2)"},
      {"[lifetime]\nages_s = [0.0, 100.0]\nrecalibrate_every_s = 1000.0\n",
       "'lifetime.recalibrate_every_s' is longer than the mission"},
      {"[lifetime]\nages_s = [0.0, 100.0]\nrefresh_every_s = 200.0\n",
       "'lifetime.refresh_every_s' is longer than the mission"},
      {"[lifetime]\nages_s = [0.0, 100.0]\ntarget_accuracy = 1.5\n",
       "'lifetime.target_accuracy' = 1.5 is out of range"},
      {"[lifetime]\nages_s = [0.0, 100.0]\n[operating_point]\ntime_s = 5.0\n",
       "'operating_point.time_s' is set by lifetime.ages_s"},
      {"[lifetime]\nages_s = [0.0, 100.0]\n[operating_point]\ntemperature = \"uniform\"\n",
       "'operating_point.temperature' must be 'fixed' with [lifetime]"},
      {"[lifetime]\nages_s = [0.0, 100.0]\nbogus = 1\n", "'lifetime.bogus' is not a known key"},
      {"[variation]\ndrift_activation_ev = -0.3\n",
       "'variation.drift_activation_ev' = -0.3 is out of range"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    CHECK_THROWS_WITH_AS(parse_campaign(campaign(c.text), "life.toml"), test::has(c.message),
                         ConfigError);
  }
}

TEST_CASE("mission ages: Arrhenius-weighted drift age, refresh and recalibration, closed forms") {
  VariationConfig v;
  v.drift_activation_ev = 0.6;
  MissionProfile m;
  m.ages_s = {0.0, 100.0, 1000.0};
  m.temperature_c = {27.0, 27.0, 85.0};
  m.refresh_every_s = 400.0;
  m.recalibrate_every_s = 300.0;
  m.inference_rate_hz = 2.0;
  const std::vector<MissionAge> a = mission_ages(m, v);
  REQUIRE(a.size() == 3);
  const double hot = af(0.6, 27.0, 85.0);
  // Age 100: never refreshed or recalibrated; 100 s at 27 °C.
  CHECK(a[1].since_programming_s == 100.0);
  CHECK(a[1].drift_age_s == doctest::Approx(100.0).epsilon(1e-12));
  CHECK(!a[1].recalibrated);
  CHECK(a[1].inferences == 200.0);
  // Age 1000: programmed again at 800 (the segment (100, 1000] is at 85 °C), recalibrated at
  // 900: 200 s and 100 s at 85 °C since programming.
  CHECK(a[2].since_programming_s == 200.0);
  CHECK(a[2].drift_age_s == doctest::Approx(200.0 * hot).epsilon(1e-12));
  CHECK(a[2].recalibrated);
  CHECK(a[2].cal_since_programming_s == 100.0);
  CHECK(a[2].cal_drift_age_s == doctest::Approx(100.0 * hot).epsilon(1e-12));
  CHECK(a[2].cal_temp_c == 85.0);
  // Without refresh: 100 s at 27 °C plus 900 s at 85 °C.
  m.refresh_every_s = 0;
  m.recalibrate_every_s = 0;
  const std::vector<MissionAge> b = mission_ages(m, v);
  CHECK(b[2].drift_age_s == doctest::Approx(100.0 + 900.0 * hot).epsilon(1e-12));
  CHECK(b[2].cal_drift_age_s == 0.0);
}

TEST_CASE("time-to-failure quantiles: order statistics and binomial bounds written out") {
  std::vector<double> ttf;
  for (int i = 1; i <= 20; ++i) ttf.push_back(i * 10.0);
  const AgeQuantile q = ttf_quantile(ttf, 0.5);
  CHECK(q.age_s == 100.0);  // order statistic 10 of 20
  // The 95 % bounds: l the largest j with P(Bin(20, ½) < j) ≤ 0.025, u the smallest j with
  // P(Bin(20, ½) < j) ≥ 0.975, the interval [X_(l), X_(u)] (here X_(6), X_(15)).
  std::vector<double> cdf(21);
  double c = 0;
  for (int k = 0; k <= 20; ++k) {
    c += std::tgamma(21.0) / (std::tgamma(k + 1.0) * std::tgamma(21.0 - k)) * std::pow(0.5, 20);
    cdf[k] = c;
  }
  int l = 0, u = 20;
  while (l + 1 <= 20 && cdf[l] <= 0.025) ++l;  // P(B < l + 1) = cdf[l]
  while (u > 1 && cdf[u - 2] >= 0.975) --u;    // P(B < u − 1) = cdf[u − 2]
  CHECK(l == 6);
  CHECK(u == 15);
  CHECK(q.low_s == ttf[l - 1]);
  CHECK(q.high_s == ttf[u - 1]);
  // Most chips never fail: the median lies beyond the mission.
  std::vector<double> few(10, std::numeric_limits<double>::infinity());
  few[0] = 5.0;
  CHECK(std::isinf(ttf_quantile(few, 0.5).age_s));
  CHECK(ttf_quantile(few, 0.1).age_s == 5.0);
}

TEST_CASE("a lifetime campaign: the same chips at every age; time to failure from the tables") {
  test::TempDir dir;
  const std::string life =
      "[lifetime]\nages_s = [0.0, 86400.0, 3.15e7]\ntemperature_c = [27.0, 27.0, 85.0]\n"
      "target_accuracy = 0.9\n[variation]\ndrift_activation_ev = 0.4\n";
  const Campaign c = parse_campaign(campaign(life), "life.toml");
  REQUIRE(c.points.size() == 3);
  CHECK(c.points[2].label == "lifetime.age_s=3.15e+07");
  run_campaign(c, quiet_run(dir.file("life.h5")));
  // The age-0 point is the campaign without [lifetime], row for row.
  const Campaign plain =
      parse_campaign(campaign("[variation]\ndrift_activation_ev = 0.4\n"), "plain.toml");
  run_campaign(plain, quiet_run(dir.file("plain.h5")));
  const ResultsData d = read_results(dir.file("life.h5"));
  const ResultsData p = read_results(dir.file("plain.h5"));
  REQUIRE(d.points.size() == 3);
  CHECK(d.points[0].columns.at("accuracy") == p.points[0].columns.at("accuracy"));
  CHECK(d.points[0].columns.at("code_error_rate") == p.points[0].columns.at("code_error_rate"));
  // Common random numbers: every age draws the same die; drift moves the codes.
  for (const char* die : {"vdd_v", "g_on_shift", "adc_gain_shift"}) {
    CAPTURE(die);
    CHECK(d.points[1].columns.at(die) == d.points[0].columns.at(die));
    CHECK(d.points[2].columns.at(die) == d.points[0].columns.at(die));
  }
  CHECK(d.points[2].columns.at("code_error_rate") != d.points[0].columns.at("code_error_rate"));
  // Time to failure recomputed here from the accuracy columns.
  const std::vector<LifetimeGroup> groups = lifetime_statistics(c, d);
  REQUIRE(groups.size() == 1);
  const LifetimeGroup& g = groups[0];
  REQUIRE(g.trials.size() == 4);
  const double ages[] = {0.0, 86400.0, 3.15e7};
  for (std::size_t i = 0; i < 4; ++i) {
    double want = std::numeric_limits<double>::infinity();
    for (int a = 2; a >= 0; --a)
      if (!(d.points[static_cast<std::size_t>(a)].columns.at("accuracy")[i] >= 0.9)) want = ages[a];
    CAPTURE(i);
    CHECK(g.ttf_s[i] == want);
  }
  for (std::size_t a = 1; a < 3; ++a) CHECK(g.alive[a] <= g.alive[a - 1]);
}
