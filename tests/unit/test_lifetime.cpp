// A chip over its life (docs/design.md, "Lifetime campaigns"): the mission profile's keys and
// refusals, its ages against closed forms (Arrhenius-weighted time, refresh and recalibration
// schedules), a small lifetime campaign's common random numbers across ages, and its time to
// failure recomputed from the trial tables.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "rapmc/core/errors.h"
#include "rapmc/io/hdf5.h"
#include "rapmc/mc/campaign.h"
#include "rapmc/mc/mission.h"
#include "rapmc/mc/runner.h"
#include "rapmc/mc/trial.h"
#include "rapmc/pim/chip.h"
#include "rapmc/pim/pim_mvm.h"
#include "rapmc/pim/wear.h"
#include "rapmc/results/campaign_run.h"
#include "rapmc/results/lifetime_statistics.h"
#include "rapmc/results/results_reader.h"
#include "rapmc/variation/pvt_sampler.h"
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
      {"[variation]\ndevice_table = \"nope.csv\"\n", "'variation.device_table' = 'nope.csv': "},
      {"[variation]\ndrift_nu_mean_min = 0.2\n",
       "'variation.drift_nu_mean_min' exceeds drift_nu_mean_max"},
      {"[variation]\ndrift_nu_sigma_min = 0.05\n",
       "'variation.drift_nu_sigma_min' exceeds drift_nu_sigma_max"},
      {"[variation]\ndevice_table = \"data/devices/pcm_aihwkit_1bit.csv\"\n[hardware.array]\n"
       "cell_bits = 2\nmapping = \"differential\"\n",
       "pcm_aihwkit_1bit.csv: level 2 is missing"},
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

TEST_CASE("wear counts: the engine's row reads are the inputs' set bits, row by row, exactly") {
  const IntModel q = test::random_layers(3, 200, 24);  // two row tiles
  const int rows = 5;
  const std::vector<std::int8_t> x = test::random_inputs(5, rows * q.embed.in);
  for (MvmSchedule schedule : {MvmSchedule::SPARSE, MvmSchedule::DENSE}) {
    HardwareConfig h;
    h.schedule = schedule;
    h.enob = schedule == MvmSchedule::DENSE ? 8 : 3;
    const pim::ChipInstance chip(q, h);
    const pim::PimMvm engine(chip, q.settings.act_bits, pim::NoiseDraws::LAZY,
                             pim::CountHistogram::OFF, pim::WearCounts::ON);
    std::vector<std::int32_t> acc(static_cast<std::size_t>(rows) * q.embed.out);
    engine.mvm(q.embed, x.data(), rows, acc.data());
    const pim::Counters counted = engine.counters();
    const std::vector<std::uint64_t>& got = counted.at("embed").row_reads;
    REQUIRE(got.size() == static_cast<std::size_t>(q.embed.in));
    // A row is driven by every bit-plane in which its input bit is 1 (two's complement,
    // act_bits planes), in one read each.
    const unsigned mask = (1u << q.settings.act_bits) - 1;
    bool all = true;
    for (int i = 0; i < q.embed.in; ++i) {
      std::uint64_t want = 0;
      for (int t = 0; t < rows; ++t)
        want += static_cast<std::uint64_t>(
            std::popcount(static_cast<unsigned>(static_cast<std::uint8_t>(
                              x[static_cast<std::size_t>(t) * q.embed.in + i])) &
                          mask));
      all = all && got[static_cast<std::size_t>(i)] == want;
    }
    CAPTURE(to_string(schedule));
    CHECK(all);
  }
}

TEST_CASE("wear of a lifetime campaign: one write per attention cell per image, counted") {
  // The shipped ViT with attention on the chip: each image writes every head's q·kᵀ and P·V
  // array once.
  const std::string life =
      "[hardware]\nschedule.attention = \"pim\"\n[lifetime]\nages_s = [0.0, 1000.0]\n"
      "inference_rate_hz = 10.0\n[variation]\nread_disturb_per_read = 1e-9\n"
      "endurance_cycles = 1e6\n";
  const Campaign c = parse_campaign(campaign(life), "life.toml");
  const CampaignInputs in = load_campaign_inputs(c);
  const TrialSetup s =
      make_trial_setup(c, c.points[1], in.int_model, in.fp32 ? &*in.fp32 : nullptr, in.images);
  REQUIRE(!s.wear.cell_writes.empty());
  for (const auto& entry : s.wear.cell_writes) {  // (Clang 14: no structured binding in CAPTURE)
    CAPTURE(entry.first);
    CHECK(entry.second == 1.0);
  }
  REQUIRE(s.wear.row_reads.count("blocks/0/fc1"));
  CHECK(s.wear.row_reads.at("blocks/0/fc1").size() ==
        static_cast<std::size_t>(in.int_model.blocks[0].fc1.in));
  CHECK(s.wear.row_reads.count("blocks/0/attn_qk") == 0);
}

TEST_CASE("read disturb and endurance against their closed forms") {
  VariationConfig v = VariationConfig::none();
  v.read_disturb_per_read = 1e-6;
  v.endurance_cycles = 1e5;
  v.endurance_weibull_shape = 2.0;
  HardwareConfig h;
  const double g_off = h.g_off_siemens / (h.g_on_siemens - h.g_off_siemens);
  pim::WearProfile wear;
  const int R = h.tile_rows, cols = 40;
  wear.row_reads["blocks/0/fc1"].assign(static_cast<std::size_t>(R) + 10, 0.0);
  for (int r = 0; r < R + 10; ++r)
    wear.row_reads["blocks/0/fc1"][static_cast<std::size_t>(r)] = 0.5 * r;  // reads per inference
  wear.cell_writes["blocks/0/attn_qk"] = 1.0;
  OperatingPoint op;
  op.inferences_since_programming = 2e4;
  op.inferences_total = 5e4;
  const PvtSampler s(v, op, h, 3, 0, &wear);
  SUBCASE("read disturb: G_on − (G_on − G)·exp(−ε·N), N the row's reads since programming") {
    std::vector<float> g(static_cast<std::size_t>(R) * cols);
    for (std::size_t i = 0; i < g.size(); ++i) g[i] = static_cast<float>(g_off + (i % 2));
    s.cells("blocks/0/fc1", 1, R, cols, g);  // row tile 1: the layer's rows R..R+9 are read
    const double on = g_off + 1.0;
    for (int r : {0, 5, 9, 10, 100}) {
      const double reads = r < 10 ? 2e4 * 0.5 * (R + r) : 0.0;
      const double want = on - (on - g_off) * std::exp(-1e-6 * reads);
      CAPTURE(r);
      CHECK(g[static_cast<std::size_t>(r) * cols] == doctest::Approx(want).epsilon(1e-6));
    }
  }
  SUBCASE("endurance: the stuck share is 1 − exp(−(W/W63)^β), W the array's writes") {
    const int rows = 128, n_cols = 512;
    std::vector<float> g(static_cast<std::size_t>(rows) * n_cols);
    for (std::size_t i = 0; i < g.size(); ++i) g[i] = static_cast<float>(g_off + (i % 2));
    const std::vector<float> nominal = g;
    s.cells("blocks/0/attn_qk/2/write/7", 0, rows, n_cols, g);
    std::size_t flipped = 0;
    for (std::size_t i = 0; i < g.size(); ++i) flipped += std::abs(g[i] - nominal[i]) > 0.5f;
    // Half the stuck cells land on their own state: the flips are half the stuck ones.
    const double p = -std::expm1(-std::pow(5e4 / 1e5, 2.0));
    const double n = static_cast<double>(g.size());
    const double expect = 0.5 * p;
    CAPTURE(flipped);
    CHECK(std::abs(static_cast<double>(flipped) / n - expect) <=
          5.0 * std::sqrt(expect * (1 - expect) / n));
    // A weight layer is not rewritten: no wear.
    std::vector<float> w = nominal;
    PvtSampler(v, op, h, 3, 0, &wear).cells("blocks/0/qkv", 0, rows, n_cols, w);
    CHECK(w == nominal);
  }
}

TEST_CASE("retention loss: amorphous cells crystallise with 1 − exp(−t_e/τ), t_e by Arrhenius") {
  VariationConfig v = VariationConfig::none();
  v.retention_tau_s = 1e6;
  v.retention_activation_ev = 1.0;
  HardwareConfig h;
  const double g_off = h.g_off_siemens / (h.g_on_siemens - h.g_off_siemens);
  const int rows = 128, cols = 512;
  for (double temp : {27.0, 45.0}) {
    OperatingPoint op;
    op.time_s = 1e5;
    op.temp_c = temp;
    std::vector<float> g(static_cast<std::size_t>(rows) * cols);
    for (std::size_t i = 0; i < g.size(); ++i) g[i] = static_cast<float>(g_off + (i % 2));
    const std::vector<float> nominal = g;
    PvtSampler(v, op, h, 8, 0).cells("blocks/1/fc2", 0, rows, cols, g);
    std::size_t off = 0, crystallised = 0, on_changed = 0;
    for (std::size_t i = 0; i < g.size(); ++i) {
      if (i % 2) {
        on_changed += g[i] != nominal[i];
      } else {
        ++off;
        crystallised += g[i] > 0.5f;
      }
    }
    const double p = -std::expm1(-1e5 * af(1.0, 27.0, temp) / 1e6);
    const double n = static_cast<double>(off);
    CAPTURE(temp);
    CAPTURE(crystallised);
    CHECK(on_changed == 0);
    CHECK(std::abs(static_cast<double>(crystallised) / n - p) <= 5.0 * std::sqrt(p * (1 - p) / n));
  }
}

TEST_CASE("a lifetime campaign in two shards merges to the whole run's /lifetime") {
  test::TempDir dir;
  const std::string text = campaign(
      "[lifetime]\nages_s = [0.0, 100.0]\ntarget_accuracy = 0.9\n[variation]\n"
      "drift_nu_mean_min = 0.0\ndrift_nu_mean_max = 0.0\ndrift_nu_sigma_min = 0.0\n"
      "drift_nu_sigma_max = 0.0\n",
      6);
  const std::string camp = dir.write("life.toml", text);
  const std::string whole = dir.file("whole.h5"), merged = dir.file("merged.h5");
  REQUIRE(test::run_rapmc("run " + camp + " --out " + whole + " --quiet").exit_code == 0);
  test::merge_shards(test::run_shards(dir, camp, 2, "part"), merged);
  const h5::File a = h5::File::open(whole), b = h5::File::open(merged);
  for (const char* name : {"lifetime/0/ttf_s", "lifetime/0/yield_ci95_low", "lifetime/0/ages_s"})
    CHECK(a.read_double_dataset(name) == b.read_double_dataset(name));
  CHECK(a.read_int64_dataset("lifetime/0/alive") == b.read_int64_dataset("lifetime/0/alive"));
  CHECK(a.read_int64_dataset("lifetime/0/trial").size() == 6);
}
