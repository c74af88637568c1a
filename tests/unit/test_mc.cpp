// Monte Carlo campaigns: statistics, campaign validation, and the reproducibility contract
// (threads, resume after SIGKILL, replay), through the library and the real executable.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "rapmc/core/errors.h"
#include "rapmc/core/sha256.h"
#include "rapmc/io/hdf5.h"
#include "rapmc/mc/campaign.h"
#include "rapmc/mc/runner.h"
#include "rapmc/mc/shard.h"
#include "rapmc/mc/statistics.h"
#include "rapmc/mc/trial.h"
#include "rapmc/results/campaign_run.h"
#include "rapmc/results/compare.h"
#include "rapmc/results/results_file.h"
#include "rapmc/results/results_reader.h"
#include "test_support.h"

using namespace rapmc;
using test::EXIT_CONFIG;

namespace {

// A small campaign: 8 images, blocks of 2 trials, every variation source at its default.
std::string small_campaign(const std::string& extra = "", int trials = 6) {
  return "[campaign]\nname = \"t\"\nseed = 7\ntrials = " + std::to_string(trials) +
         "\n[data]\nimages = 8\n[trigger]\ncheck_every = 2\n" + extra;
}

// Every column of every table, for bit-for-bit comparisons.
std::map<std::string, std::vector<double>> table(const std::string& path) {
  const ResultsData d = read_results(path);
  std::map<std::string, std::vector<double>> out;
  for (std::size_t p = 0; p < d.points.size(); ++p) {
    const PointTable& t = d.points[p];
    const std::string g = std::to_string(p) + ":";
    out[g + "trial"] = std::vector<double>(t.trial.begin(), t.trial.end());
    out[g + "status"] = std::vector<double>(t.status.begin(), t.status.end());
    for (const auto& [k, v] : t.columns) out[g + k] = v;
    for (const auto& [k, v] : t.layer_columns) out[g + k] = v;
    out[g + "prediction"] = std::vector<double>(t.predictions.begin(), t.predictions.end());
    out[g + "label"] = std::vector<double>(t.labels.begin(), t.labels.end());
    out[g + "ideal_prediction"] =
        std::vector<double>(t.ideal_predictions.begin(), t.ideal_predictions.end());
  }
  return out;
}

bool identical(const std::map<std::string, std::vector<double>>& a,
               const std::map<std::string, std::vector<double>>& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [k, v] : a) {
    const auto& w = b.at(k);
    if (v.size() != w.size()) return false;
    for (std::size_t i = 0; i < v.size(); ++i)
      if (std::memcmp(&v[i], &w[i], sizeof(double)) != 0) return false;
  }
  return true;
}

// The trial rows a live (SWMR) reader sees committed in the results file `path` of a
// one-point campaign being written: 0 before the file holds its table.
std::size_t committed_rows(const std::string& path) {
  if (!std::filesystem::exists(path)) return 0;
  try {
    const h5::File f = h5::File::open(path, h5::Access::READ_ONLY);
    return f.exists("trials/trial") ? f.dataset_shape("trials/trial").at(0) : 0;
  } catch (const IoError&) {  // the writer still creating the file: not yet HDF5
    return 0;
  }
}

RunOptions quiet_run(const std::string& out, int threads) {
  RunOptions o;
  o.out = out;
  o.threads = threads;
  o.progress = ProgressDisplay::OFF;
  return o;
}

}  // namespace

TEST_CASE("Welford merged in order equals a two-pass reference on ill-conditioned data") {
  // Values 1e9 + small: the naive Σx² − n·mean² formula loses every digit here.
  std::vector<double> x;
  for (int i = 0; i < 1000; ++i) x.push_back(1e9 + 0.001 * ((i * 7919) % 1000));
  double mean = 0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double ss = 0;
  for (double v : x) ss += (v - mean) * (v - mean);
  const double var = ss / static_cast<double>(x.size() - 1);
  Welford all;
  for (double v : x) all.add(v);
  Welford a, b;  // two halves merged (Chan)
  for (std::size_t i = 0; i < x.size(); ++i) (i < 600 ? a : b).add(x[i]);
  a.merge(b);
  // The data are ill-conditioned: the textbook one-pass formula is off by orders of magnitude.
  double sum = 0, sum_sq = 0;
  for (double v : x) sum += v, sum_sq += v * v;
  const double naive = (sum_sq - sum * sum / 1000.0) / 999.0;
  CHECK(std::abs(naive - var) > 100 * var);
  // Welford (one by one, or two halves merged by Chan's formula) keeps the variance to within
  // the rounding of the deviations themselves: ulp(1e9) = 1.2e-7 on deviations of ~0.3.
  for (const Welford& w : {all, a}) {
    CHECK(w.n == 1000);
    CHECK(w.mean == doctest::Approx(mean).epsilon(1e-15));
    CHECK(w.variance() == doctest::Approx(var).epsilon(2e-6));
  }
  // t-based half-width: n = 10, s = 1 → t(0.975, 9)·1/√10 = 2.262157·0.316228.
  Welford ten;
  for (int i = 0; i < 10; ++i) ten.add(i % 2 ? 1.0 + std::sqrt(0.9) : 1.0 - std::sqrt(0.9));
  CHECK(ten.stddev() == doctest::Approx(1.0));
  CHECK(ten.ci95_halfwidth() == doctest::Approx(2.2621571627 / std::sqrt(10.0)).epsilon(1e-9));
}

TEST_CASE("Wilson interval and quantiles against known values") {
  const Interval w = wilson95(8, 10);  // p = 0.8: [0.4902, 0.9433]
  CHECK(w.p == 0.8);
  CHECK(w.low == doctest::Approx(0.4902).epsilon(1e-3));
  CHECK(w.high == doctest::Approx(0.9433).epsilon(1e-3));
  const Interval zero = wilson95(0, 32);
  CHECK(zero.low == 0.0);
  CHECK(zero.high == doctest::Approx(0.1072).epsilon(1e-3));
  CHECK(quantile({1, 2, 3, 4, 5}, 0.5) == 3);
  CHECK(quantile({1, 2, 3, 4}, 0.5) == 2.5);
  CHECK(quantile({10, 0}, 0.25) == 2.5);
  const Summary s = summarize({1.0, std::numeric_limits<double>::infinity(), 3.0});
  CHECK(s.n == 2);
  CHECK(s.mean == 2.0);
}

TEST_CASE("SHA-256 known answers") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex(std::string(1000, 'a')) ==
        "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

TEST_CASE("bad campaign files: each problem names its key, all at once, before any trial [E21]") {
  struct Case {
    std::string text, message;
  };
  const Case cases[] = {
      {"[campaign\nseed = 1\n", "c.toml:1:"},
      {"[campaign]\nseeed = 1\n", "'campaign.seeed' is not a known key"},
      {"[campaign]\ntrials = \"many\"\n", "'campaign.trials' must be an integer"},
      {"[variation]\ncell_sigma_on = -0.05\n", "'variation.cell_sigma_on' = -0.05 is out of range"},
      {"[hardware.adc]\nenob = 0\n", "'adc.enob' = 0 is out of range 1..12"},
      {"[hardware.schedule]\nk = 5000\n", "'schedule.k' = 5000 is out of range 1..4096"},
      {"[operating_point]\ncorner = \"XY\"\n", "unknown corner 'XY'"},
      {"[operating_point]\ntime_s = -1.0\n", "'operating_point.time_s' = -1 is out of range"},
      {"[hardware.wires]\nsolver = \"spice\"\n", "'wires.solver' = 'spice' is not one of"},
      {"[trigger]\nmetric = \"speed\"\n", "'trigger.metric' = 'speed' is not a per-trial metric"},
      {"[hardware]\nfile = \"nope.toml\"\n", "'hardware.file' = 'nope.toml': cannot open"},
      {"[variation]\ncomparator_wl_um2 = 0.4\n",
       "'variation.comparator_wl_um2' moved to the hardware: adc.comparator_wl_um2"},
      {"[hardware.calibration]\nreference = \"magic\"\n",
       "'calibration.reference' = 'magic' is not one of none|replica|one_point"},
      {"[[sweep]]\nkey = \"campaign.seed\"\nvalues = [1, 2]\n", "cannot be swept"},
      {"[[sweep]]\nkey = \"variation.cell_sigma_on\"\nvalues = [0.1, -1.0]\n",
       "sweep point variation.cell_sigma_on=-1"},
      {"[[sweep]]\nkeys = [\"hardware.schedule.k\", \"hardware.adc.enob\"]\nvalues = [[3, 2], "
       "[7]]\n",
       "'sweep[0].values[1]' must be a list of 2 values, one per key"},
      {"[[sweep]]\nkeys = [\"hardware.schedule.k\", 3]\nvalues = [[3, 2]]\n",
       "'sweep[0].keys' must be a non-empty list of strings"},
      {"[[sweep]]\nkeys = [\"hardware.schedule.k\", \"campaign.seed\"]\nvalues = [[3, 2]]\n",
       "'campaign.seed' cannot be swept"},
      {"[sampling]\nmethod = \"importance\"\n", "needs a proposal other than the model"},
      {"[variation]\nvdd_sigma_rel = 0.0\nprocess_g_sigma_rel = 0.0\nprocess_adc_gain_sigma_rel = "
       "0.0\nprocess_adc_offset_sigma_lsb = 0.0\n[sampling]\nmethod = \"importance\"\nspread = "
       "2.0\n",
       "'sampling.method' = 'importance' needs a die variate with σ > 0"},
      {"[variation]\nprocess_adc_offset_sigma_lsb = 0.0\n[sampling]\nmethod = \"importance\"\n"
       "shift_adc_offset = 2.0\n",
       "'sampling.shift_adc_offset' shifts a die variate whose σ is zero"},
      {"[sampling]\nshift_adc_gain = -2.0\n",
       "'sampling.shift_adc_gain' applies to sampling.method = 'importance' only"},
      {"[sampling]\nmethod = \"importance\"\nspread = 0.5\n",
       "'sampling.spread' = 0.5 is out of range"},
      {"[sampling]\nmethod = \"scaled_sigma\"\nsigma_scale = 1.0\n", "must exceed 1"},
      {"[sampling]\nsigma_scale = 2.0\n", "'sampling.sigma_scale' applies to sampling.method"},
      {"[sampling]\nmethod = \"scaled_sigma\"\n[[sweep]]\nkey = \"sampling.sigma_scale\"\n"
       "values = [2.0, 0.5]\n",
       "sweep point sampling.sigma_scale=0.5"},
      {"[yield]\naccuracy_threshold = 1.0\n", "'yield.accuracy_threshold' must lie in (0, 1)"},
      {"[yield]\naccuracy_threshold = 0.0\n", "'yield.accuracy_threshold' must lie in (0, 1)"},
      {"[trigger]\nci_halfwidth = 0.01\n[sampling]\nmethod = \"importance\"\nspread = 2.0\n",
       "'trigger.ci_halfwidth' stops on an unweighted mean"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    CHECK_THROWS_WITH_AS(parse_campaign(c.text, "c.toml"), test::has(c.message), ConfigError);
  }
  // Two problems in one file are reported together.
  CHECK_THROWS_WITH_AS(
      parse_campaign("[campaign]\nbogus = 1\n[variation]\navt_mv_um = -1\n", "c.toml"),
      test::has("2 problems"), ConfigError);
  const Campaign ok = parse_campaign(small_campaign(), "c.toml");
  CHECK(ok.points.size() == 1);
  CHECK(ok.sha256 == sha256_hex(small_campaign()));
  const Campaign grid = parse_campaign(
      small_campaign("[[sweep]]\nkey = \"hardware.adc.enob\"\nvalues = [3, 4]\n"
                     "[[sweep]]\nkey = \"variation.avt_mv_um\"\nvalues = [0.0, 1.0, 2.0]\n"),
      "c.toml");
  REQUIRE(grid.points.size() == 6);
  CHECK(grid.points[1].label == "hardware.adc.enob=3, variation.avt_mv_um=1.0");
  CHECK(grid.points[5].hardware.enob == 4);
  CHECK(grid.points[5].variation.avt_mv_um == 2.0);
  // Keys swept together: one point per tuple, crossed with the other axes.
  const Campaign linked = parse_campaign(
      small_campaign("[[sweep]]\nkeys = [\"hardware.schedule.k\", \"hardware.adc.enob\"]\nvalues = "
                     "[[3, 2], [15, 4]]\n"
                     "[[sweep]]\nkey = \"variation.avt_mv_um\"\nvalues = [1.0, 2.0]\n"),
      "c.toml");
  REQUIRE(linked.points.size() == 4);
  CHECK(linked.points[1].label ==
        "hardware.schedule.k=3, hardware.adc.enob=2, variation.avt_mv_um=2.0");
  CHECK(linked.points[2].hardware.sparse_k == 15);
  CHECK(linked.points[2].hardware.enob == 4);
  CHECK(linked.points[2].variation.avt_mv_um == 1.0);
  // Labels give floats as their shortest round-trip text.
  const Campaign floats = parse_campaign(
      small_campaign(
          "[[sweep]]\nkey = \"hardware.adc.comparator_wl_um2\"\nvalues = [0.025, 1e-3]\n"),
      "c.toml");
  CHECK(floats.points[0].label == "hardware.adc.comparator_wl_um2=0.025");
  CHECK(floats.points[1].label == "hardware.adc.comparator_wl_um2=0.001");
}

TEST_CASE("a failing chip is a failed trial; any other exception in a trial is a fault") {
  // A chip that cannot work (ChipFailure: docs/formats.md, "Failing chips") is recorded with
  // status FAILED; anything else thrown inside a trial is INTERNAL_ERROR, which the campaign
  // never writes: it stops with exit 1 after the trials before it. Here the trial's engine is
  // handed an integer model it refuses (act_bits 9: a check the model loader makes first).
  const Campaign c = parse_campaign(small_campaign(), "c.toml");
  const CampaignInputs in = load_campaign_inputs(c);
  TrialSetup setup = make_trial_setup(c, c.points[0], in.int_model, in.fp32_or_null(), in.images);
  CHECK(run_trial(setup, 0).status == TrialStatus::OK);
  IntModel refused = in.int_model;
  refused.settings.act_bits = 9;
  setup.int_model = &refused;
  const TrialRecord r = run_trial(setup, 0);
  CHECK(r.status == TrialStatus::INTERNAL_ERROR);
  CHECK(r.error.find("act_bits = 9") != std::string::npos);
}

TEST_CASE("with every variation off, every trial reproduces the ideal integer pipeline") {
  test::TempDir dir;
  const std::string off =
      "[variation]\nprocess_g_sigma_rel = 0.0\nprocess_adc_gain_sigma_rel = "
      "0.0\nprocess_adc_offset_sigma_lsb = 0.0\n"
      "cell_sigma_on = 0.0\ncell_sigma_off = 0.0\nalpha_on_per_k = 0.0\nalpha_off_per_k = "
      "0.0\navt_mv_um = 0.0\n"
      "vdd_sigma_rel = 0.0\nread_noise_rel_ion = 0.0\ncomparator_noise_mv = 0.0\n"
      "bitline_excess_noise = 0.0\ncell_read_noise_rel = 0.0\nsense_abeta_pct_um = 0.0\n";
  const Campaign c = parse_campaign(small_campaign(off, 4), "off.toml");
  run_campaign(c, quiet_run(dir.file("off.h5"), 2));
  const ResultsData d = read_results(dir.file("off.h5"));
  const PointTable& t = d.points[0];
  REQUIRE(t.trial.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(t.status[i] == 0);
    CHECK(t.columns.at("flip_rate")[i] == 0.0);
    CHECK(t.columns.at("code_error_rate")[i] == 0.0);
    CHECK(std::isinf(t.columns.at("logit_sqnr_db")[i]));
    // The recorded reference is the pipeline on exact MVMs: here every trial's accuracy.
    REQUIRE(t.reference_accuracy.has_value());
    CHECK(*t.reference_accuracy == t.columns.at("accuracy")[i]);
    CHECK(t.columns.at("area_mm2")[i] > t.columns.at("area_adc_mm2")[i]);
    CHECK(t.columns.at("energy_j")[i] > t.columns.at("energy_adc_j")[i]);
  }
}

TEST_CASE("trials are identical for 1 and 2 threads and for a sweep point run alone") {
  test::TempDir dir;
  const Campaign c = parse_campaign(small_campaign(), "c.toml");
  run_campaign(c, quiet_run(dir.file("one.h5"), 1));
  run_campaign(c, quiet_run(dir.file("two.h5"), 2));
  const auto one = table(dir.file("one.h5"));
  CHECK(identical(one, table(dir.file("two.h5"))));
  // Default PVT makes a difference: the trials (chips) are not all alike. (On the calibrated
  // rap.toml every chip may classify these 8 images right; its code error rates still differ.)
  const auto& cer = one.at("0:code_error_rate");
  CHECK(*std::min_element(cer.begin(), cer.end()) < *std::max_element(cer.begin(), cer.end()));
  // Common random numbers: the point of a sweep equal to the base campaign has the same rows.
  const Campaign sweep = parse_campaign(
      small_campaign("[[sweep]]\nkey = \"variation.avt_mv_um\"\nvalues = [1.0, 3.5]\n"), "s.toml");
  run_campaign(sweep, quiet_run(dir.file("sweep.h5"), 2));
  const auto s = table(dir.file("sweep.h5"));
  CHECK(s.at("1:accuracy") == one.at("0:accuracy"));
  CHECK(s.at("1:code_error_rate") == one.at("0:code_error_rate"));
  CHECK(s.at("0:code_error_rate") != one.at("0:code_error_rate"));
}

TEST_CASE("one trial's images in parallel: its row is identical for 1, 2 and 4 threads") {
  // One trial, so that the threads can only share its images: temporal noise on every read
  // (loud, so that it decides codes) and the attention products written on the chip per image.
  test::TempDir dir;
  const std::string noisy =
      "[hardware]\nfile = \"data/hardware/rap.toml\"\nschedule.attention = \"pim\"\n"
      "[variation]\ncell_read_noise_rel = 0.08\ncomparator_noise_mv = 8.0\n";
  const Campaign c = parse_campaign(small_campaign(noisy, 1), "c.toml");
  run_campaign(c, quiet_run(dir.file("one.h5"), 1));
  const auto one = table(dir.file("one.h5"));
  for (int threads : {2, 4}) {
    // (number first: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string&&)
    const std::string out = dir.file(std::to_string(threads) + "threads.h5");
    run_campaign(c, quiet_run(out, threads));
    CHECK_MESSAGE(identical(one, table(out)), threads, " threads");
  }
  // The noise decided codes: without it the same chip converts with fewer errors.
  const std::string quiet_text =
      "[hardware]\nfile = \"data/hardware/rap.toml\"\nschedule.attention = \"pim\"\n"
      "[variation]\ncell_read_noise_rel = 0.0\ncomparator_noise_mv = 0.0\n";
  run_campaign(parse_campaign(small_campaign(quiet_text, 1), "q.toml"),
               quiet_run(dir.file("quiet.h5"), 2));
  const auto quiet = table(dir.file("quiet.h5"));
  CHECK(one.at("0:code_error_rate")[0] > quiet.at("0:code_error_rate")[0]);
}

TEST_CASE(
    "a run killed with SIGKILL and resumed equals one never interrupted; files are protected "
    "[E30][E31][E40]") {
  test::TempDir dir;
  // 30 trials in blocks of 2 (about 10 s on 2 cores): killed once 4 rows are committed, the
  // run is still far from its end.
  const std::string camp = dir.write("c.toml", small_campaign("", 30));
  const std::string full = dir.file("full.h5"), killed = dir.file("killed.h5");
  REQUIRE(test::run_rapmc("run " + camp + " --out " + full + " --threads 2 --quiet").exit_code ==
          0);
  // Kill mid-run, as soon as a live reader sees 4 committed rows (wherever the kill lands, the
  // resumed result must not depend on it).
  const std::size_t before_kill = 4;
  {
    test::BackgroundRapmc run("run " + camp + " --out " + killed + " --threads 2 --quiet");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    for (std::size_t rows = 0; rows < before_kill; rows = committed_rows(killed)) {
      REQUIRE_MESSAGE(run.running(), "the run ended (exit " << run.exit_code() << ") with " << rows
                                                            << " rows seen, before it was killed");
      REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline,
                      "fewer than " << before_kill << " rows committed after 120 s: " << rows);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    run.kill();
  }
  const auto partial = read_results(killed);  // what was written is readable
  MESSAGE("rows before resume: " << partial.points[0].trial.size());
  CHECK(partial.points[0].trial.size() >= before_kill);  // the committed rows survive SIGKILL
  CHECK(partial.points[0].trial.size() < 30);
  const auto resumed =
      test::run_rapmc("run " + camp + " --out " + killed + " --resume --threads 1 --quiet");
  CAPTURE(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK(identical(table(full), table(killed)));
  // An existing results file is never overwritten without --force, and stays intact.
  const auto again = test::run_rapmc("run " + camp + " --out " + full + " --quiet");
  CHECK(again.exit_code == static_cast<int>(ExitCode::IO));
  CHECK(again.output.find("file exists; not overwritten") != std::string::npos);
  CHECK(identical(table(full), table(killed)));
  // Resuming with a different campaign is refused.
  const std::string other = dir.write("o.toml", small_campaign("", 12));
  const auto wrong = test::run_rapmc("run " + other + " --out " + full + " --resume --quiet");
  CHECK(wrong.exit_code == static_cast<int>(ExitCode::CONFIG));
  CHECK(wrong.output.find("holds another campaign") != std::string::npos);
  // report --json: trials and statistics.<metric>.{mean,std,ci95_low,ci95_high}.
  const auto rep = test::run_rapmc("report " + full + " --json");
  CHECK(rep.exit_code == 0);
  for (const char* key : {"\"trials\": 30", "\"statistics\"", "\"accuracy\"", "\"ci95_low\"",
                          "\"ci95_high\"", "\"wilson95_low\""})
    CHECK(rep.output.find(key) != std::string::npos);
  const double reference = *read_results(full).points[0].reference_accuracy;
  CHECK(rep.output.find("\"reference_accuracy\": " + nlohmann::json(reference).dump()) !=
        std::string::npos);
  // replay reproduces a stored trial bit for bit.
  const auto rp = test::run_rapmc("replay " + full + " --trial 3");
  CAPTURE(rp.output);
  CHECK(rp.exit_code == 0);
  CHECK(rp.output.find("identical to the stored row, bit for bit") != std::string::npos);
  CHECK(rp.output.find("blocks/3/fc2") != std::string::npos);
  // A format 1.0 file (no ADC energy/area columns) still reports and replays; resume refuses it.
  {
    h5::File f = h5::File::open(full, h5::Access::READ_WRITE);
    for (const char* m : {"energy_adc_j", "area_mm2", "area_adc_mm2"})
      f.remove(std::string("trials/") + m);
    f.remove("reference");
    f.write_attribute("format_version", std::string("1.0"));
  }
  const ResultsData old = read_results(full);
  // The three 1.1 columns, and the margin histogram (unsigned before 1.2).
  CHECK(old.points[0].absent_columns.size() == 4);
  CHECK(std::isnan(old.points[0].columns.at("area_mm2")[0]));
  CHECK_FALSE(old.points[0].reference_accuracy.has_value());
  CHECK(test::run_rapmc("report " + full).exit_code == 0);
  const auto rp_old = test::run_rapmc("replay " + full + " --trial 3");
  CAPTURE(rp_old.output);
  CHECK(rp_old.output.find("identical to the stored row, bit for bit") != std::string::npos);
  const auto resumed_old = test::run_rapmc("run " + camp + " --out " + full + " --resume --quiet");
  CHECK(resumed_old.exit_code != 0);
  CHECK(resumed_old.output.find(
            "written in results format 1.0; --resume appends only to format 1.5") !=
        std::string::npos);
  // A file drawn with the previous RNG scheme still reports; resume and replay refuse it.
  h5::File::open(killed, h5::Access::READ_WRITE)
      .group("settings")
      .write_attribute("rng_scheme", std::string("rapmc-keyed-splitmix64-v1"));
  CHECK(test::run_rapmc("report " + killed).exit_code == 0);
  CHECK(read_results(killed).rng_scheme == "rapmc-keyed-splitmix64-v1");
  const std::string refused =
      "drawn with RNG scheme 'rapmc-keyed-splitmix64-v1' but this rapmc "
      "draws with 'rapmc-philox4x32-10-v3'";
  const auto resumed_v1 = test::run_rapmc("run " + camp + " --out " + killed + " --resume --quiet");
  CHECK(resumed_v1.exit_code == static_cast<int>(ExitCode::CONFIG));
  CHECK(resumed_v1.output.find(refused) != std::string::npos);
  CHECK(resumed_v1.output.find("--resume is refused") != std::string::npos);
  const auto replay_v1 = test::run_rapmc("replay " + killed + " --trial 3");
  CHECK(replay_v1.exit_code == static_cast<int>(ExitCode::CONFIG));
  CHECK(replay_v1.output.find(refused) != std::string::npos);
}

TEST_CASE("a convergence trigger stops at the same trial whatever the threads") {
  test::TempDir dir;
  const Campaign c =
      parse_campaign(small_campaign("ci_halfwidth = 0.4\nmin_trials = 4\n", 40), "c.toml");
  // [trigger] keys appended after check_every land in the [trigger] table.
  REQUIRE(c.trigger.ci_halfwidth == 0.4);
  run_campaign(c, quiet_run(dir.file("a.h5"), 1));
  run_campaign(c, quiet_run(dir.file("b.h5"), 2));
  const auto a = table(dir.file("a.h5"));
  const auto n = a.at("0:trial").size();
  MESSAGE("stopped after " << n << " trials");
  CHECK(n < 40);
  CHECK(n % 2 == 0);
  CHECK(identical(a, table(dir.file("b.h5"))));
}

TEST_CASE(
    "three shards merged equal one run; merge refuses missing, duplicate, foreign, incomplete and "
    "truncated shards [E32]") {
  test::TempDir dir;
  const std::string camp = dir.write("c.toml", small_campaign("", 7));
  const std::string single = dir.file("single.h5"), merged = dir.file("merged.h5");
  REQUIRE(test::run_rapmc("run " + camp + " --out " + single + " --quiet").exit_code == 0);
  const auto parts = test::run_shards(dir, camp, 3, "part", "--threads 1");
  test::merge_shards(parts, merged);
  CHECK(identical(table(single), table(merged)));
  const ResultsData a = read_results(single), b = read_results(merged);
  CHECK(a.points[0].dcode_hist == b.points[0].dcode_hist);
  CHECK(a.points[0].margin_hist == b.points[0].margin_hist);
  REQUIRE(a.points[0].reference_accuracy.has_value());
  CHECK(a.points[0].reference_accuracy == b.points[0].reference_accuracy);
  // Refusals, each naming the shard or file.
  const std::string &p0 = parts[0], &p1 = parts[1], &p2 = parts[2];
  const std::string other = dir.write("o.toml", small_campaign("", 7) + "# another campaign\n");
  const std::string foreign = dir.file("foreign_1.h5");
  REQUIRE(
      test::run_rapmc("run " + other + " --shard 1/3 --out " + foreign + " --quiet").exit_code ==
      0);
  const std::string partial = dir.file("partial_2.h5");
  REQUIRE(test::run_rapmc("run " + camp + " --shard 2/3 --trials 7 --out " + partial + " --quiet")
              .exit_code == 0);
  const std::string older = dir.file("older_1.h5");  // a shard written before format 1.5
  std::filesystem::copy_file(p1, older);
  h5::File::open(older, h5::Access::READ_WRITE)
      .write_attribute("format_version", std::string("1.4"));
  const std::string merge = "merge ", out = " --out " + dir.file("x.h5") + " --force --quiet";
  test::check_cases({
      {"E32", merge + p0 + " " + p2 + out, EXIT_CONFIG, "missing shard(s) 1/3"},
      {"E32", merge + p0 + " " + older + " " + p2 + out, EXIT_CONFIG,
       older + ": a shard of results format 1.4; merge joins only 1.5 shards"},
      {"E32", merge + p0 + " " + p1 + " " + p1 + " " + p2 + out, EXIT_CONFIG,
       "shard 1/3 given twice"},
      {"E32", merge + p0 + " " + foreign + " " + p2 + out, EXIT_CONFIG,
       foreign + ": comes from another campaign"},
      {"E32", merge + p0 + " " + p1 + " " + single + out, EXIT_CONFIG, single + ": not a shard"},
  });
  // A shard with rows missing (truncated as a killed run leaves it) is named as incomplete.
  {
    const h5::File f = h5::File::open(partial, h5::Access::READ_WRITE);
    f.resize_column("trials/trial", 1);
  }
  const auto inc = test::run_rapmc("merge " + p0 + " " + p1 + " " + partial + " --out " +
                                   dir.file("y.h5") + " --quiet");
  CHECK(inc.exit_code == static_cast<int>(ExitCode::CONFIG));
  CHECK(inc.output.find("incomplete shard 2/3") != std::string::npos);
  // A shard file cut short on disk (a copy interrupted) is an I/O error naming it.
  const std::string cut = dir.file("cut_1.h5");
  {
    std::ifstream in(p1, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(cut, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  }
  const auto truncated = test::run_rapmc("merge " + p0 + " " + cut + " " + p2 + " --out " +
                                         dir.file("t.h5") + " --quiet");
  CAPTURE(truncated.output);
  CHECK(truncated.exit_code == static_cast<int>(ExitCode::IO));
  CHECK(truncated.output.find(cut + ": ") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("t.h5")));
  // A shard drawn with another RNG scheme is refused by name.
  h5::File::open(p1, h5::Access::READ_WRITE)
      .group("settings")
      .write_attribute("rng_scheme", std::string("rapmc-keyed-splitmix64-v1"));
  const auto scheme = test::run_rapmc("merge " + p0 + " " + p1 + " " + p2 + " --out " +
                                      dir.file("z.h5") + " --quiet");
  CHECK(scheme.exit_code == static_cast<int>(ExitCode::CONFIG));
  CHECK(scheme.output.find(p1 + ": its trials were drawn with RNG scheme") != std::string::npos);
  CHECK_THROWS_WITH_AS(parse_shard("3/3", 7), test::has("--shard '3/3'"), ConfigError);
  CHECK_THROWS_WITH_AS(parse_shard("1-3", 7), test::has("expected i/N"), ConfigError);
  CHECK(parse_shard("2/3", 7).begin == 4);
  CHECK(parse_shard("2/3", 7).end == 7);
}

TEST_CASE("run and replay option errors name the option [E33][E34]") {
  test::TempDir dir;
  const std::string camp = dir.write("c.toml", small_campaign("", 2));
  const std::string out = dir.file("r.h5");
  const auto both = test::run_rapmc("run " + camp + " --out " + out + " --resume --force --quiet");
  CHECK(both.exit_code == static_cast<int>(ExitCode::CONFIG));
  CHECK(both.output.find("--resume and --force exclude each other") != std::string::npos);
  const auto shard = test::run_rapmc("run " + camp + " --out " + out + " --shard 2/2 --quiet");
  CHECK(shard.exit_code == static_cast<int>(ExitCode::CONFIG));
  CHECK(shard.output.find("--shard '2/2'") != std::string::npos);
  REQUIRE(test::run_rapmc("run " + camp + " --out " + out + " --quiet").exit_code == 0);
  const auto point = test::run_rapmc("replay " + out + " --trial 0 --point 3");
  CHECK(point.exit_code == static_cast<int>(ExitCode::CONFIG));
  CHECK(point.output.find("--point 3") != std::string::npos);
  const auto missing = test::run_rapmc("report " + dir.file("none.h5"));
  CHECK(missing.exit_code == static_cast<int>(ExitCode::IO));
  CHECK(missing.output.find("none.h5") != std::string::npos);
  const auto notres = test::run_rapmc("report " + test::shipped_model());
  CHECK(notres.exit_code == static_cast<int>(ExitCode::IO));
  CHECK(notres.output.find("not a rapmc results file") != std::string::npos);
}

TEST_CASE(
    "a run stopped by a file-size limit keeps its rows; resume equals an uninterrupted run "
    "[E41]") {
  test::TempDir dir;
  // Two sweep points of 8 trials: the limit falls after the first point's rows.
  const std::string camp = dir.write(
      "c.toml", small_campaign("[[sweep]]\nkey = \"hardware.adc.enob\"\nvalues = [3, 4]\n", 8));
  const std::string full = dir.file("full.h5"), limited = dir.file("limited.h5");
  REQUIRE(test::run_rapmc("run " + camp + " --out " + full + " --quiet --threads 2").exit_code ==
          0);
  // Three quarters of the finished file's size (bash's ulimit -f counts KiB).
  const auto limit_kib = std::filesystem::file_size(full) * 3 / 4 / 1024;
  const auto r = test::run_command("bash -c 'ulimit -f " + std::to_string(limit_kib) + "; " +
                                   std::string(RAPMC_BINARY) + " run " + camp + " --out " +
                                   limited + " --quiet --threads 2'");
  CAPTURE(r.output);
  CHECK(r.exit_code == static_cast<int>(ExitCode::IO));
  CHECK(r.output.find(limited + ": stopped before the file-size limit") != std::string::npos);
  // The rows written are readable and are the uninterrupted run's.
  const ResultsData part = read_results(limited), whole = read_results(full);
  const std::size_t rows = part.points[0].trial.size() + part.points[1].trial.size();
  MESSAGE("rows kept: " << rows << " of 16");
  CHECK(rows > 0);
  CHECK(rows < 16);
  for (std::size_t p = 0; p < 2; ++p)
    for (std::size_t i = 0; i < part.points[p].trial.size(); ++i)
      CHECK(std::memcmp(&part.points[p].columns.at("accuracy")[i],
                        &whole.points[p].columns.at("accuracy")[i], sizeof(double)) == 0);
  // A table a failed write left unreadable (here: a column of the first point gone) is rebuilt
  // by --resume, its trials run again with the same streams.
  h5::File::open(limited, h5::Access::READ_WRITE).remove("points/0/trials/flip_rate");
  const auto resumed =
      test::run_rapmc("run " + camp + " --out " + limited + " --resume --quiet --threads 1");
  CAPTURE(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK(resumed.output.find("the rows of point 0 were damaged") != std::string::npos);
  CHECK(identical(table(full), table(limited)));
}

TEST_CASE(
    "while a campaign writes, another process reads a consistent prefix of its trials; a second "
    "writer is refused [E35]") {
  test::TempDir dir;
  const int trials = 32;
  const std::string camp = dir.write("c.toml", small_campaign("", trials));
  const std::string full = dir.file("full.h5"), live = dir.file("live.h5");
  REQUIRE(test::run_rapmc("run " + camp + " --out " + full + " --quiet --threads 2").exit_code ==
          0);
  const auto want = table(full);
  // The second process: h5py with swmr=True, through the plot scripts' reader, prints the rows
  // it sees (trial indices, then every accuracy as an exact hexadecimal float).
  const std::string reader = dir.write("reader.py",
                                       "import sys\n"
                                       "sys.path.insert(0, 'plots')\n"
                                       "import rapmc_results as rr\n"
                                       "with rr.Results(sys.argv[1]) as r:\n"
                                       "    t = r.points[0].group['trials']\n"
                                       "    n = t['trial'].shape[0]\n"
                                       "    print(n, *[int(x) for x in t['trial'][:n]])\n"
                                       "    print(*[float(x).hex() for x in t['accuracy'][:n]])\n");
  test::BackgroundRapmc writer("run " + camp + " --out " + live +
                               " --quiet --no-progress --threads 2");
  std::set<std::size_t> seen;
  int reads = 0;
  while (writer.running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!std::filesystem::exists(live)) continue;
    const auto py = test::run_command("/usr/bin/python3 " + reader + " " + live);
    CAPTURE(py.output);
    std::istringstream in(py.output);
    std::size_t n = 0;
    if (!(in >> n)) {  // the file not yet created far enough to hold its tables
      CHECK(py.output.find("Traceback") == std::string::npos);
      continue;
    }
    ++reads;
    seen.insert(n);
    CHECK(n <= static_cast<std::size_t>(trials));
    bool prefix = true;
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t t = 0;
      in >> t;
      prefix = prefix && t == i;
    }
    for (std::size_t i = 0; i < n; ++i) {
      std::string hex;
      in >> hex;
      prefix = prefix && std::stod(hex) == want.at("0:accuracy")[i];
    }
    CHECK(prefix);  // rows 0..n-1, each the finished file's row
    // rapmc report reads the same file meanwhile, its rows a prefix too.
    const auto rep = test::run_rapmc("report " + live + " --json");
    CHECK(rep.exit_code == 0);
    if (reads == 1) {  // a second writer is refused, and the file goes on untouched
      const auto second = test::run_rapmc("run " + camp + " --out " + live + " --resume --quiet");
      CHECK(second.exit_code == static_cast<int>(ExitCode::IO));
      CHECK(second.output.find(live + ": another rapmc process is writing this file") !=
            std::string::npos);
    }
  }
  MESSAGE(reads << " reads while running; row counts seen:" << [&] {
    std::string s;
    for (auto n : seen) s.append(" ").append(std::to_string(n));
    return s;
  }());
  CHECK(writer.exit_code() == 0);
  CHECK(reads >= 3);
  CHECK(seen.size() >= 2);  // the file was read at two stages of the run, at least
  CHECK(identical(table(full), table(live)));
}

TEST_CASE(
    "chip yield by importance sampling over the die: agrees with plain Monte Carlo, weights are "
    "φ/q of the stored die, shards merge and replay bit for bit; scaled sigma fits; refusals "
    "[E26]") {
  test::TempDir dir;
  // A design whose yield is near 75 %: a wide die-level ADC gain spread (failing both ways) and
  // every one of 4 images right (threshold 0.8).
  const std::string design =
      "[campaign]\nname = \"y\"\nseed = 21\ntrials = 48\n[data]\nimages = 4\n"
      "[variation]\nprocess_adc_gain_sigma_rel = 0.08\n[yield]\naccuracy_threshold = 0.8\n";
  const std::string plain = dir.write("plain.toml", design);
  const std::string is = dir.write("is.toml", design +
                                                  "[sampling]\nmethod = \"importance\"\n"
                                                  "spread = 1.5\ndefensive = 0.2\n");
  const std::string plain_h5 = dir.file("plain.h5"), is_h5 = dir.file("is.h5");
  REQUIRE(
      test::run_rapmc("run " + plain + " --out " + plain_h5 + " --quiet --threads 2").exit_code ==
      0);
  REQUIRE(test::run_rapmc("run " + is + " --out " + is_h5 + " --quiet --threads 2").exit_code == 0);
  auto yield_of = [](const std::string& file) {
    const auto r = test::run_rapmc("report " + file + " --json");
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(r.output)["yield"];
  };
  const auto yp = yield_of(plain_h5), yi = yield_of(is_h5);
  MESSAGE("plain P(fail) " << yp["failure_p"] << " ± " << yp["failure_std_error"] << "; importance "
                           << yi["failure_p"] << " ± " << yi["failure_std_error"] << ", ESS "
                           << yi["ess"]);
  CHECK_FALSE(yp["weighted"].get<bool>());
  CHECK(yi["weighted"].get<bool>());
  const double se =
      std::hypot(yp["failure_std_error"].get<double>(), yi["failure_std_error"].get<double>());
  REQUIRE(se > 0);
  CHECK(std::abs(yp["failure_p"].get<double>() - yi["failure_p"].get<double>()) <= 4 * se);
  CHECK(yi["p"].get<double>() == doctest::Approx(1 - yi["failure_p"].get<double>()));
  // The mean accuracy under the model, weighted from the importance trials, against the plain
  // mean (its standard error s/√n).
  const auto ap = nlohmann::json::parse(test::run_rapmc("report " + plain_h5 + " --json").output);
  const auto ai = nlohmann::json::parse(test::run_rapmc("report " + is_h5 + " --json").output);
  const auto& wa = ai["statistics"]["accuracy"]["weighted"];
  const double se_plain = ap["statistics"]["accuracy"]["std"].get<double>() /
                          std::sqrt(ap["statistics"]["accuracy"]["n"].get<double>());
  MESSAGE("mean accuracy: plain " << ap["statistics"]["accuracy"]["mean"] << " ± " << se_plain
                                  << ", importance-weighted " << wa["mean"] << " ± "
                                  << wa["std_error"]);
  CHECK_FALSE(ap["statistics"]["accuracy"].contains("weighted"));
  CHECK(std::abs(wa["mean"].get<double>() - ap["statistics"]["accuracy"]["mean"].get<double>()) <=
        4 * std::hypot(se_plain, wa["std_error"].get<double>()));
  // Each stored weight is φ(z)/q(z) of the stored die (z from the ADC gain column: the only
  // acting variate the proposal widens besides supply and G shifts, all recomputed here).
  const PointTable t = read_results(is_h5).points[0];
  const Campaign c = parse_campaign(design, "design.toml");
  const VariationConfig& v = c.points[0].variation;
  std::size_t heavy = 0;
  for (std::size_t i = 0; i < t.trial.size(); ++i) {
    const double z[5] = {(t.columns.at("vdd_v")[i] / v.vdd_nominal_v - 1) / v.vdd_sigma_rel,
                         t.columns.at("g_on_shift")[i] / v.process_g_sigma_rel,
                         t.columns.at("g_off_shift")[i] / v.process_g_sigma_rel,
                         t.columns.at("adc_gain_shift")[i] / v.process_adc_gain_sigma_rel,
                         t.columns.at("adc_offset_lsb")[i] / v.process_adc_offset_sigma_lsb};
    double log_ratio = 0;  // ln(q_spread / φ) over the five acting variates
    for (double x : z) log_ratio += -0.5 * x * x / 2.25 - std::log(1.5) + 0.5 * x * x;
    const double w = 1.0 / (0.2 + 0.8 * std::exp(log_ratio));
    CHECK(t.columns.at("weight")[i] == doctest::Approx(w).epsilon(1e-9));
    if (t.columns.at("weight")[i] > t.columns.at("weight")[heavy]) heavy = i;
  }
  // Two shards of the first 8 trials, merged, equal those rows of the whole run (a trial is a
  // pure function of seed and index); the heaviest chip replays bit for bit.
  const std::string merged = dir.file("merged.h5");
  test::merge_shards(test::run_shards(dir, is, 2, "is", "--trials 8 --threads 1"), merged);
  auto whole = table(is_h5);
  for (auto& [k, col] : whole) {  // the first 8 rows; the per-image reference stays whole
    if (k.ends_with(":prediction"))
      col.resize(8 * t.images);
    else if (!k.ends_with(":label") && !k.ends_with(":ideal_prediction"))
      col.resize(8);
  }
  CHECK(identical(whole, table(merged)));
  const auto rp = test::run_rapmc("replay " + is_h5 + " --trial " + std::to_string(heavy));
  CAPTURE(rp.output);
  CHECK(rp.output.find("identical to the stored row, bit for bit") != std::string::npos);
  // Refusals: a scaled-sigma fit of a weighted file; a flip-rate target outside (0, 1).
  const auto weighted_fit = test::run_rapmc("report " + is_h5 + " --scaled-sigma");
  CHECK(weighted_fit.exit_code == static_cast<int>(ExitCode::CONFIG));
  CHECK(weighted_fit.output.find("a scaled-sigma fit cannot weight") != std::string::npos);
  const auto no_scaled = test::run_rapmc("report " + plain_h5 + " --scaled-sigma");
  CHECK(no_scaled.output.find("has no point with sampling.method = 'scaled_sigma'") !=
        std::string::npos);
  const auto flip = test::run_rapmc("report " + plain_h5 + " --flip-rate-max 1.5");
  CHECK(flip.exit_code == static_cast<int>(ExitCode::CONFIG));
  CHECK(flip.output.find("--flip-rate-max 1.5") != std::string::npos);
  const auto flip_ok = test::run_rapmc("report " + plain_h5 + " --flip-rate-max 0.3 --json");
  CHECK(flip_ok.exit_code == 0);
  CHECK(nlohmann::json::parse(flip_ok.output)["flip_yield"]["n"] == 48);
  // Scaled sigma: three scales, their failing chips counted and fitted back to σ × 1.
  const std::string scaled =
      dir.write("scaled.toml",
                "[campaign]\nname = \"s\"\nseed = 21\ntrials = 6\n[data]\nimages = 4\n"
                "[yield]\naccuracy_threshold = 0.8\n[sampling]\nmethod = \"scaled_sigma\"\n"
                "[[sweep]]\nkey = \"sampling.sigma_scale\"\nvalues = [1.5, 2.0, 3.0]\n");
  const std::string scaled_h5 = dir.file("scaled.h5");
  REQUIRE(
      test::run_rapmc("run " + scaled + " --out " + scaled_h5 + " --quiet --threads 2").exit_code ==
      0);
  const auto fit = test::run_rapmc("report " + scaled_h5 + " --scaled-sigma --json");
  CAPTURE(fit.output);
  REQUIRE(fit.exit_code == 0);
  const auto j = nlohmann::json::parse(fit.output);
  REQUIRE(j["scaled_sigma"].size() == 1);
  const auto& scales = j["scaled_sigma"][0]["scales"];
  REQUIRE(scales.size() == 3);
  const ResultsData sd = read_results(scaled_h5);
  for (std::size_t p = 0; p < 3; ++p) {
    CHECK(sd.points[p].columns.at("sigma_scale")[0] == scales[p]["sigma_scale"].get<double>());
    CHECK(scales[p]["failing"].get<std::uint64_t>() ==
          6 - j["points"][p]["yield"]["passing"].get<std::uint64_t>());
  }
}

TEST_CASE("McNemar's exact test against the binomial tail by hand") {
  CHECK(mcnemar(0, 0).p == 1.0);
  CHECK(mcnemar(3, 3).p == 1.0);
  CHECK(mcnemar(5, 0).p == doctest::Approx(2.0 / 32).epsilon(1e-12));  // 2·(1/2)^5
  // 2·(C(12,0) + C(12,1) + C(12,2))/2^12 = 2·79/4096
  CHECK(mcnemar(2, 10).p == doctest::Approx(158.0 / 4096).epsilon(1e-12));
  CHECK(mcnemar(10, 2).p == mcnemar(2, 10).p);
}

TEST_CASE("per-image predictions: they make each trial's accuracy, and compare pairs them") {
  test::TempDir dir;
  const std::string conv = "[hardware]\nfile = \"data/hardware/conventional.toml\"\n";
  const Campaign a = parse_campaign(small_campaign("", 6), "a.toml");
  const Campaign b = parse_campaign(small_campaign(conv, 6), "b.toml");
  run_campaign(a, quiet_run(dir.file("a.h5"), 2));
  run_campaign(b, quiet_run(dir.file("b.h5"), 2));
  const ResultsData da = read_results(dir.file("a.h5")), db = read_results(dir.file("b.h5"));
  const PointTable &ta = da.points[0], &tb = db.points[0];
  REQUIRE(ta.images == 8);
  REQUIRE(ta.predictions.size() == 6 * 8);
  REQUIRE(ta.labels.size() == 8);
  // The stored predictions are the ones the trial's accuracy and flip rate were counted from.
  double correct_a = 0, correct_b = 0;
  for (const auto* t : {&ta, &tb})
    for (std::size_t r = 0; r < 6; ++r) {
      double right = 0, flips = 0;
      for (std::size_t i = 0; i < 8; ++i) {
        right += t->prediction(r, i) == t->labels[i];
        flips += t->prediction(r, i) != t->ideal_predictions[i];
      }
      CHECK(right / 8 == t->columns.at("accuracy")[r]);
      CHECK(flips / 8 == t->columns.at("flip_rate")[r]);
      (t == &ta ? correct_a : correct_b) += right;
    }
  // Paired: the mean difference is that of the accuracy columns, and the discordant pairs
  // differ by the difference of the right answers.
  const Comparison c = compare_results(dir.file("a.h5"), dir.file("b.h5"), 3);
  REQUIRE(c.points.size() == 1);
  const PairedPoint& p = c.points[0];
  CHECK(p.paired == 6);
  CHECK(p.diff_mean == doctest::Approx((correct_a - correct_b) / 48).epsilon(1e-12));
  CHECK(static_cast<double>(p.pooled.a_only) - static_cast<double>(p.pooled.b_only) ==
        correct_a - correct_b);
  CHECK(p.pooled.p == mcnemar(p.pooled.a_only, p.pooled.b_only).p);
  CHECK(p.diff_ci95_low <= p.diff_mean);
  CHECK(p.diff_ci95_high >= p.diff_mean);
  CHECK(p.flips_b.size() <= 3);
  for (std::size_t k = 1; k < p.flips_b.size(); ++k)
    CHECK(p.flips_b[k - 1].flips >= p.flips_b[k].flips);
  // A file against itself: no difference, no discordant pair, the same images flipped.
  const Comparison self = compare_results(dir.file("b.h5"), dir.file("b.h5"));
  CHECK(self.points[0].diff_mean == 0.0);
  CHECK(self.points[0].pooled.a_only + self.points[0].pooled.b_only == 0);
  CHECK(self.points[0].pooled.p == 1.0);
  CHECK(self.points[0].flips_a.size() == self.points[0].flips_b.size());
  // The command prints the same numbers as JSON.
  const auto r =
      test::run_rapmc("compare " + dir.file("a.h5") + " " + dir.file("b.h5") + " --top 3 --json");
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.output);
  CHECK(j["points"][0]["paired_trials"] == 6);
  CHECK(j["points"][0]["mcnemar_pooled"]["a_only"] == p.pooled.a_only);
  CHECK(j["points"][0]["accuracy_diff"]["mean"].get<double>() == p.diff_mean);
}

TEST_CASE("compare refuses what it cannot pair, naming the file [E36]") {
  test::TempDir dir;
  run_campaign(parse_campaign(small_campaign("", 2), "a.toml"), quiet_run(dir.file("a.h5"), 2));
  auto changed = [](std::string text, const std::string& from, const std::string& to) {
    return text.replace(text.find(from), from.size(), to);
  };
  const std::string base = small_campaign("", 2);
  run_campaign(parse_campaign(changed(base, "seed = 7", "seed = 8"), "s.toml"),
               quiet_run(dir.file("s.h5"), 2));
  run_campaign(parse_campaign(changed(base, "images = 8", "images = 8\nfirst = 100"), "f.toml"),
               quiet_run(dir.file("f.h5"), 2));
  CHECK_THROWS_WITH_AS(compare_results(dir.file("a.h5"), dir.file("s.h5")),
                       test::has("with seed 7, " + dir.file("s.h5") + " with seed 8"), ConfigError);
  CHECK_THROWS_WITH_AS(compare_results(dir.file("a.h5"), dir.file("f.h5")),
                       test::has("(different data.dataset, data.first or data.select?)"),
                       ConfigError);
  {  // a file of an older format: no per-image predictions
    const h5::File f = h5::File::open(dir.file("s.h5"), h5::Access::READ_WRITE);
    f.remove("trials/prediction");
  }
  CHECK_THROWS_WITH_AS(compare_results(dir.file("s.h5"), dir.file("a.h5")),
                       test::has(dir.file("s.h5") + ": has no per-image predictions"), ConfigError);
  const auto r = test::run_rapmc("compare " + dir.file("a.h5") + " " + dir.file("missing.h5"));
  CHECK(r.exit_code == test::EXIT_IO);
  CHECK(r.output.find("missing.h5") != std::string::npos);
}

TEST_CASE("report opens with the answer, each number the JSON report's; --detail adds the tables") {
  test::TempDir dir;
  const std::string camp = dir.write("c.toml", small_campaign("", 8));
  const std::string out = dir.file("r.h5");
  REQUIRE(test::run_rapmc("run " + camp + " --out " + out + " --quiet").exit_code == 0);
  const auto text = test::run_rapmc("report " + out);
  REQUIRE(text.exit_code == 0);
  const auto j = nlohmann::json::parse(test::run_rapmc("report " + out + " --json").output);
  std::istringstream in(text.output);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  CAPTURE(text.output);
  REQUIRE(lines.size() >= 6);
  CHECK(lines[0] == "campaign: 8 chips");
  // Every number of a line, in order (printed with 4 significant digits).
  auto numbers = [](const std::string& line) {
    std::vector<double> v;
    const std::regex number(R"([-+]?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?)");
    for (auto it = std::sregex_iterator(line.begin(), line.end(), number);
         it != std::sregex_iterator(); ++it)
      v.push_back(std::stod(it->str()));
    return v;
  };
  auto near = [](double printed, double exact) {
    return std::abs(printed - exact) <= 5e-4 * std::max(std::abs(exact), 1e-12);
  };
  const auto& acc = j["statistics"]["accuracy"];
  const auto a = numbers(lines[1]);  // accuracy %, 95, CI low, high, exact %, difference
  REQUIRE(a.size() == 6);
  CHECK(near(a[0], 100 * acc["mean"].get<double>()));
  CHECK(near(a[2], 100 * acc["ci95_low"].get<double>()));
  CHECK(near(a[3], 100 * acc["ci95_high"].get<double>()));
  CHECK(near(a[4], 100 * j["reference_accuracy"].get<double>()));
  CHECK(near(a[5], 100 * (acc["mean"].get<double>() - j["reference_accuracy"].get<double>())));
  const auto& y = j["yield"];
  const auto yl = numbers(lines[2]);  // p %, threshold, 95, low %, high %, passing, n
  CHECK(lines[2].find("yield") != std::string::npos);
  CHECK(near(yl.front(), 100 * y["p"].get<double>()));
  CHECK(near(yl[yl.size() - 4], 100 * y["wilson95_low"].get<double>()));
  CHECK(near(yl[yl.size() - 3], 100 * y["wilson95_high"].get<double>()));
  CHECK(yl[yl.size() - 2] == y["passing"].get<double>());
  CHECK(yl.back() == 8);
  const auto c = numbers(lines[3]);  // rate, 95, low, high
  REQUIRE(c.size() == 4);
  CHECK(near(c[0], j["statistics"]["code_error_rate"]["mean"].get<double>()));
  const auto m = numbers(lines[4]);
  REQUIRE_FALSE(m.empty());
  CHECK(m[0] == 1);  // "1 % margin"
  CHECK(near(m[1], j["statistics"]["margin_p01_lsb"]["mean"].get<double>()));
  CHECK(lines[5].rfind("speed: ", 0) == 0);
  CHECK(text.output.find("95 % CI\n") == std::string::npos);  // no full table without --detail
  const auto detail = test::run_rapmc("report " + out + " --detail");
  CHECK(detail.output.rfind(lines[0] + "\n" + lines[1], 0) == 0);
  CHECK(
      detail.output.find("  metric                              mean          std      95 % CI") !=
      std::string::npos);
}
