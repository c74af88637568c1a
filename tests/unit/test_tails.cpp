// The high-sigma estimators (docs/design.md, "High-sigma estimation") against closed forms at
// 10⁻⁹, against plain Monte Carlo where it reaches, and the conversion model against the chip
// engine it stands for. Statistical checks use fixed seeds and bounds of K_SIGMA standard errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>
#include <numeric>
#include <vector>

#include "rapmc/core/errors.h"
#include "rapmc/mc/statistics.h"
#include "rapmc/pim/adc.h"
#include "rapmc/pim/chip.h"
#include "rapmc/pim/pim_mvm.h"
#include "rapmc/quant/int_model.h"
#include "rapmc/tails/conversion_model.h"
#include "rapmc/tails/count_distribution.h"
#include "rapmc/tails/rare_event.h"
#include "rapmc/variation/pvt_sampler.h"
#include "test_support.h"

using namespace rapmc;
using namespace rapmc::tails;

namespace {

constexpr double K_SIGMA = 5.0;  // a false alarm about once in 1.7 million runs

double q_function(double x) {
  return 0.5 * std::erfc(x / std::sqrt(2.0));
}

// Q⁻¹(p) by bisection (an independent inverse: no library quantile).
double q_inverse(double p) {
  double lo = 0, hi = 40;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (q_function(mid) > p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

// A half-space at distance beta along a fixed direction of d dimensions: P = Q(β).
LimitState half_space(int d, double beta) {
  std::vector<double> a(static_cast<std::size_t>(d));
  for (int k = 0; k < d; ++k) a[static_cast<std::size_t>(k)] = 1.0 + 0.1 * k;
  const double norm = std::sqrt(std::inner_product(a.begin(), a.end(), a.begin(), 0.0));
  for (double& x : a) x /= norm;
  return [a, beta](std::span<const double> z) {
    const double t = std::inner_product(a.begin(), a.end(), z.begin(), 0.0);
    return LimitOutcome{t >= beta, 0, beta - t};
  };
}

// Two disjoint regions |z₀| ≥ β (modes 0 and 1): P = 2Q(β).
LimitState two_sided(double beta) {
  return [beta](std::span<const double> z) {
    return LimitOutcome{std::abs(z[0]) >= beta, z[0] > 0 ? 0 : 1, beta - std::abs(z[0])};
  };
}

LimitState conversions(const ConversionModel& m) {
  return conversion_failure(m);
}

// A conversion setup with every variation source off.
ConversionSetup quiet_setup(AdcType adc, int count) {
  ConversionSetup s;
  s.hw.adc = adc;
  s.hw.enob = 3;
  s.hw.schedule = MvmSchedule::SPARSE;
  s.hw.sparse_k = 7;
  s.hw.offset_trim = OffsetTrim::NONE;
  s.hw.reference = ReferenceCal::NONE;
  s.variation = VariationConfig::none();
  s.count = count;
  s.rows = 7;
  return s;
}

// Count 3 of a 7-row read on the untrimmed RAP design, every source on: rates within plain reach.
ConversionSetup untrimmed_rap_count3() {
  ConversionSetup s;
  s.hw = load_hardware("data/hardware/rap_untrimmed.toml");
  s.count = 3;
  s.rows = 7;
  return s;
}

void check_relative(double got, double want, double rel) {
  CAPTURE(got);
  CAPTURE(want);
  CHECK(std::abs(got - want) <= rel * want);
}

}  // namespace

TEST_CASE("importance sampling reaches a half-space at 1e-9 and 1e-12 within 10 %") {
  for (double p : {1e-9, 1e-12}) {
    const double beta = q_inverse(p);
    const TailEstimate e = importance_sampling(half_space(20, beta), 20, {}, 11);
    CAPTURE(p);
    CHECK(e.found);
    check_relative(e.p, p, 0.10);
    CHECK(std::abs(e.p - p) <= K_SIGMA * e.std_error);
    REQUIRE(e.points.size() == 1);
    CHECK(e.points[0].beta == doctest::Approx(beta).epsilon(0.01));  // the design point
    CHECK(e.ess > 1000);
  }
}

TEST_CASE("importance sampling finds both of two disjoint failure regions") {
  const double beta = q_inverse(0.5e-9);
  const TailEstimate e = importance_sampling(two_sided(beta), 8, {}, 12);
  CHECK(e.points.size() == 2);
  check_relative(e.p, 2 * q_function(beta), 0.10);
}

TEST_CASE("over many seeds, neither estimator is biased beyond its stated error") {
  // Twenty independent runs at 10⁻⁹: the mean lies within K_SIGMA standard errors of the truth,
  // and the runs scatter as much as each one states (the ratio's 99.9 % range for 20 runs of a
  // normal spread is about [0.55, 1.5]; for scaled sigma in ln P).
  const double p = 1e-9, beta = q_inverse(p);
  constexpr int RUNS = 20;
  std::vector<double> is_p, is_se, ss_ln, ss_se;
  for (int run = 0; run < RUNS; ++run) {
    ImportanceOptions io;
    io.samples = 20'000;
    const TailEstimate a = importance_sampling(half_space(20, beta), 20, io, 200 + run);
    is_p.push_back(a.p);
    is_se.push_back(a.std_error);
    ScaledSigmaOptions so;
    so.samples_per_scale = 200'000;
    const TailEstimate b = scaled_sigma(half_space(20, beta), 20, so, 300 + run);
    ss_ln.push_back(std::log(b.p / p));
    ss_se.push_back(b.std_error);
  }
  auto mean = [](const std::vector<double>& v) {
    return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  };
  auto rms_about = [](const std::vector<double>& v, double c) {
    double s = 0;
    for (double x : v) s += (x - c) * (x - c);
    return std::sqrt(s / static_cast<double>(v.size()));
  };
  const double is_stated = mean(is_se), ss_stated = mean(ss_se);
  CAPTURE(mean(is_p));
  CAPTURE(is_stated);
  CHECK(std::abs(mean(is_p) - p) <= K_SIGMA * is_stated / std::sqrt(RUNS));
  CHECK(rms_about(is_p, p) / is_stated == doctest::Approx(1.0).epsilon(0.5));
  CAPTURE(mean(ss_ln));
  CAPTURE(ss_stated);
  CHECK(std::abs(mean(ss_ln)) <= K_SIGMA * ss_stated / std::sqrt(RUNS));
  CHECK(rms_about(ss_ln, 0.0) / ss_stated == doctest::Approx(1.0).epsilon(0.5));
}

TEST_CASE("scaled sigma: a scale of at most 1 is refused by name") {
  ScaledSigmaOptions o;
  o.scales = {1.0, 2.0, 3.0};
  CHECK_THROWS_WITH_AS(scaled_sigma(half_space(2, 3.0), 2, o, 1), test::has("must exceed 1"),
                       ConfigError);
}

TEST_CASE("conversion model: Gaussian bitline noise on a level errs w.p. 2Q(1/(2σ)) at 1e-9") {
  // Ideal devices, a 3-bit flash, only the read's noise floor σ (LSB): count 3 of 7 rows sits
  // between two thresholds ½ LSB away; count 0 has one threshold above it.
  const double sigma = 0.5 / q_inverse(0.5e-9);
  for (int count : {3, 0}) {
    ConversionSetup s = quiet_setup(AdcType::FLASH, count);
    s.variation.read_noise_rel_ion =
        sigma / (s.hw.g_off_siemens / (s.hw.g_on_siemens - s.hw.g_off_siemens) + 1.0);
    const ConversionModel m(s);
    CHECK(m.dimension() == 6);  // five die-level variables (off) and the bitline's
    const double want = (count == 0 ? 1 : 2) * q_function(0.5 / sigma);
    const TailEstimate e = importance_sampling(conversions(m), m.dimension(), {}, 21);
    CAPTURE(count);
    check_relative(e.p, want, 0.10);
  }
}

TEST_CASE("conversion model: comparator offsets alone give between Q and 2Q at 1e-9") {
  // Untrimmed comparators with offset σ (LSB), nothing else: an interior count is wrong if the
  // comparator below misses or the one above fires, 2Q(1 − Q) (Q = Q(½/σ)); count 0 has only
  // the one above, Q. The others are 1½ LSB away or more (Q(1.5/σ) ≈ 10⁻⁷⁰).
  const double sigma = 0.5 / q_inverse(0.5e-9);
  for (int count : {3, 0}) {
    ConversionSetup s = quiet_setup(AdcType::FLASH, count);
    // σ_os = A_VT/√(W·L) at T0, in LSB of full_scale / 2^enob.
    const double v_lsb = s.hw.v_lsb();
    s.variation.avt_mv_um = 3.5;
    s.hw.comparator_wl_um2 = std::pow(s.variation.avt_mv_um * 1e-3 / (sigma * v_lsb), 2);
    s.hw.sense_wl_um2 = 1e4;  // the sense stage's offset ~10⁻³ LSB: negligible here
    const ConversionModel m(s);
    const double q = q_function(0.5 / sigma);
    const double want = count == 0 ? q : 2 * q * (1 - q);
    const TailEstimate e = importance_sampling(conversions(m), m.dimension(), {}, 22);
    CAPTURE(count);
    CAPTURE(m.dimension());
    check_relative(e.p, want, 0.10);
  }
}

namespace {

// One layer of 126 inputs and `out` outputs whose weight is −1 (every cell of every slice on)
// on the rows r with r mod 7 < count and 0 elsewhere: with every input −1, each sparse read of 7
// consecutive rows counts `count` on every bitline.
IntModel counting_layer(int count, int out) {
  IntModel m;
  m.settings = QuantSettings{};
  m.embed.name = "embed";
  m.embed.in = 126;
  m.embed.out = out;
  m.embed.w.assign(static_cast<std::size_t>(126) * out, std::int8_t{0});
  for (int o = 0; o < out; ++o)
    for (int r = 0; r < 126; ++r)
      if (r % 7 < count) m.embed.w[static_cast<std::size_t>(o) * 126 + r] = -1;
  m.head = m.embed;
  m.head.name = "head/fc";
  return m;
}

}  // namespace

TEST_CASE("the conversion model errs as often as the chip engine does, count by count") {
  // The RAP designs under the default variation, read noise included, one chip per
  // trial (operating point, cells, sense stages, ADCs, replica-free reference): the engine's
  // code error rate of conversions of count c, averaged over chips, against the conversion
  // model's plain Monte Carlo rate. Chips differ more than conversions do, so the engine's
  // standard error is taken over the per-chip rates.
  const Corner corner = parse_corner("TT", 27.0);
  constexpr int TRIALS = 300;
  // The last case turns the cells' spread and the ADC gain shift off: which parts of the chip
  // vary then hangs on the die's shifts, and the model must still use the same variables.
  const VariationConfig defaults;
  VariationConfig still_cells = defaults;
  still_cells.cell_sigma_on = still_cells.cell_sigma_off = 0;
  still_cells.process_adc_gain_sigma_rel = 0;
  struct Case {
    std::string file;
    int count;
    const VariationConfig* v;
  };
  // The shipped RAP design's count 0 is never wrong in either at this size.
  const std::vector<Case> cases{{"data/hardware/rap_untrimmed.toml", 0, &defaults},
                                {"data/hardware/rap_untrimmed.toml", 3, &defaults},
                                {"data/hardware/rap_untrimmed.toml", 7, &defaults},
                                {"data/hardware/rap.toml", 3, &defaults},
                                {"data/hardware/rap.toml", 7, &defaults},
                                {"data/hardware/rap_untrimmed.toml", 3, &still_cells}};
  for (const Case& c : cases) {
    const std::string& file = c.file;  // (not structured bindings: CAPTURE's lambdas use them)
    const int count = c.count;
    const VariationConfig& v = *c.v;
    const HardwareConfig hw = load_hardware(file);
    CAPTURE(file);
    CAPTURE(v.cell_sigma_on);
    const IntModel model = counting_layer(count, 64);
    const std::vector<std::int8_t> x(126, std::int8_t{-1});
    std::vector<double> rates;
    for (int t = 0; t < TRIALS; ++t) {
      const OperatingPoint op = sample_operating_point(v, corner, TempMode::FIXED, 0, 0, 77, t);
      const PvtSampler sampler(v, op, hw, 77, t);
      const pim::ChipInstance chip(model, hw, sampler);
      const pim::PimMvm engine(chip, 8);
      std::vector<std::int32_t> acc(64);
      engine.mvm(model.embed, x.data(), 1, acc.data());
      const pim::LayerCounters c = engine.counters().at("embed");
      REQUIRE(c.conversions == 8u * 18u * 512u);
      rates.push_back(static_cast<double>(c.code_errors) / static_cast<double>(c.conversions));
    }
    const double mean = std::accumulate(rates.begin(), rates.end(), 0.0) / TRIALS;
    double ss = 0;
    for (double r : rates) ss += (r - mean) * (r - mean);
    const double se_engine = std::sqrt(ss / (TRIALS - 1) / TRIALS);
    ConversionSetup s;
    s.hw = hw;
    s.variation = v;
    s.corner = corner;
    s.count = count;
    s.rows = 7;
    const ConversionModel m(s);
    PlainOptions po;
    po.samples = 400'000;
    const TailEstimate e = plain_monte_carlo(conversions(m), m.dimension(), po, 31);
    CAPTURE(count);
    CAPTURE(mean);
    CAPTURE(se_engine);
    CAPTURE(e.p);
    CAPTURE(e.std_error);
    CHECK(mean > 2e-4);  // the comparison has power: both see errors
    CHECK(std::abs(mean - e.p) <= K_SIGMA * std::hypot(se_engine, e.std_error));
  }
}

TEST_CASE(
    "on the shipped RAP design, both estimators agree with plain Monte Carlo where it reaches") {
  // Counts 3 and 2 of a 7-row read under the default variation: about 4·10⁻⁴ and 1.5·10⁻⁵ per
  // conversion, within plain Monte Carlo's reach. Every source of the chip is a variable here;
  // at count 2 the failures fall in several regions of different mechanisms (importance
  // sampling needs its direction groups and cross-entropy rounds to cover them).
  for (const auto& c :
       std::vector<std::pair<int, std::uint64_t>>{{3, 1'000'000}, {2, 10'000'000}}) {
    const int count = c.first;
    const std::uint64_t plain_samples = c.second;
    ConversionSetup s;
    s.hw = load_hardware("data/hardware/rap.toml");
    s.count = count;
    s.rows = 7;
    const ConversionModel m(s);
    CAPTURE(count);
    PlainOptions po;
    po.samples = plain_samples;
    const TailEstimate plain = plain_monte_carlo(conversions(m), m.dimension(), po, 41);
    const TailEstimate is = importance_sampling(conversions(m), m.dimension(), {}, 42);
    // Scaled sigma with scales near 1: farther out other mechanisms take over (at s = 1.5..3
    // the extrapolation reads 30 % low at count 3; docs/design.md, "High-sigma estimation").
    ScaledSigmaOptions so;
    so.scales = {1.2, 1.35, 1.5, 1.75, 2.0};
    so.samples_per_scale = 200'000;
    const TailEstimate ss = scaled_sigma(conversions(m), m.dimension(), so, 43);
    CAPTURE(plain.p);
    CAPTURE(is.p);
    CAPTURE(is.std_error);
    CAPTURE(ss.p);
    CAPTURE(ss.std_error);
    CHECK(plain.failures > 100);
    CHECK(is.ess > 1000);
    CHECK(std::abs(is.p - plain.p) <= K_SIGMA * std::hypot(is.std_error, plain.std_error));
    CHECK(std::abs(std::log(ss.p / plain.p)) <=
          K_SIGMA * std::hypot(ss.std_error, plain.std_error / plain.p));
  }
}

TEST_CASE("[E26] the tail model refuses what it does not model, naming the key") {
  ConversionSetup s = quiet_setup(AdcType::FLASH, 3);
  s.variation.stuck_on_prob = 1e-4;
  CHECK_THROWS_WITH_AS(ConversionModel{s}, test::has("variation.stuck_on_prob"), ConfigError);
  s = quiet_setup(AdcType::FLASH, 3);
  s.variation.rtn_cell_fraction = 0.01;
  s.variation.rtn_amplitude_rel = 0.05;
  CHECK_THROWS_WITH_AS(ConversionModel{s}, test::has("variation.rtn_cell_fraction"), ConfigError);
  s = quiet_setup(AdcType::FLASH, 3);
  s.variation.die_gradient_sigma_rel = 0.02;
  CHECK_THROWS_WITH_AS(ConversionModel{s}, test::has("variation.die_gradient_sigma_rel"),
                       ConfigError);
  s = quiet_setup(AdcType::FLASH, 3);
  s.hw.ir_solver = IrSolver::FAST;
  s.hw.r_row_segment_ohm = 1.0;
  CHECK_THROWS_WITH_AS(ConversionModel{s}, test::has("IR drop"), ConfigError);
  s = quiet_setup(AdcType::FLASH, 8);
  CHECK_THROWS_WITH_AS(ConversionModel{s}, test::has("count = 8"), ConfigError);
  s = quiet_setup(AdcType::FLASH, 3);
  s.rows = 8;
  CHECK_THROWS_WITH_AS(ConversionModel{s}, test::has("rows = 8"), ConfigError);
}

TEST_CASE("the workload average weighs each count's rate by its conversions") {
  // Two counts, 3:1, rates 1e-3 and 1e-6 with standard errors 1e-4 and 1e-7.
  const std::pair<double, double> w = weighted_rate({3, 1}, {1e-3, 1e-6}, {1e-4, 1e-7});
  CHECK(w.first == doctest::Approx(0.75e-3 + 0.25e-6));
  CHECK(w.second == doctest::Approx(std::hypot(0.75e-4, 0.25e-7)));
}

TEST_CASE("the engine's count histogram counts every conversion at its exact count") {
  // counting_layer(c): with every input −1, every conversion of every read counts c.
  const HardwareConfig hw = load_hardware("data/hardware/rap.toml");
  const IntModel model = counting_layer(4, 8);
  const pim::ChipInstance chip(model, hw);
  const pim::PimMvm engine(chip, 8, pim::NoiseDraws::LAZY, pim::CountHistogram::ON);
  const std::vector<std::int8_t> x(126, std::int8_t{-1});
  std::vector<std::int32_t> acc(8);
  engine.mvm(model.embed, x.data(), 1, acc.data());
  const pim::LayerCounters c = engine.counters().at("embed");
  REQUIRE(c.count_hist.size() > 4);
  CHECK(c.count_hist[4] == c.conversions);
  CHECK(std::accumulate(c.count_hist.begin(), c.count_hist.end(), std::uint64_t{0}) ==
        c.conversions);
}

TEST_CASE("a frozen state's noise-averaged error rate equals its conversions' over the noise") {
  // Frozen states of the untrimmed RAP design (every source on) whose rate is within plain
  // reach: the formula Σ_d Q(m_d/σ) against plain Monte Carlo over the temporal variables of
  // that state, through the conversion itself.
  const ConversionModel m(untrimmed_rap_count3());
  const int frozen = m.frozen_dimension();
  REQUIRE(frozen < m.dimension());
  CHECK(m.variable_names()[static_cast<std::size_t>(frozen)] == "noise/bitline/0");
  int tested = 0;
  for (std::uint64_t i = 0; i < 4000 && tested < 3; ++i) {
    const std::vector<double> z = sample_point(51, TailStage::PLAIN, 0, i, m.dimension());
    const std::span<const double> state(z.data(), static_cast<std::size_t>(frozen));
    const double rate = m.noise_error_rate(state);
    if (rate < 2e-3 || rate > 0.2) continue;  // a state whose rate plain sampling resolves
    ++tested;
    constexpr int N = 200'000;
    int wrong = 0;
    std::vector<double> point(z);
    for (int k = 0; k < N; ++k) {
      const std::vector<double> noise =
          sample_point(52 + i, TailStage::PLAIN, 0, k, m.dimension() - frozen);
      std::copy(noise.begin(), noise.end(), point.begin() + frozen);
      wrong += m.evaluate(point).wrong();
    }
    CAPTURE(i);
    CAPTURE(rate);
    CAPTURE(wrong);
    CHECK(std::abs(wrong - N * rate) <= K_SIGMA * std::sqrt(N * rate * (1 - rate)));
  }
  CHECK(tested == 3);
}

TEST_CASE("failing states: comparator offsets against comparator noise, closed form at 1e-9") {
  // Untrimmed comparators with offset σ_os, each decision with noise σ_c, nothing else. Count 0
  // fails when comparator 0's threshold sits within σ_c·Q⁻¹(L) of the value:
  // P = Q((½ − σ_c·Q⁻¹(L))/σ_os); an interior count has two such comparators, 2P.
  const double limit = 1e-6, sigma_c = 0.02;
  const double reach = 0.5 - sigma_c * q_inverse(limit);
  const double sigma_os = reach / q_inverse(0.5e-9);
  for (int count : {0, 3}) {
    ConversionSetup s = quiet_setup(AdcType::FLASH, count);
    s.variation.avt_mv_um = 3.5;
    s.hw.comparator_wl_um2 = std::pow(3.5e-3 / (sigma_os * s.hw.v_lsb()), 2);
    s.hw.sense_wl_um2 = 1e4;
    s.variation.comparator_noise_mv = sigma_c * s.hw.v_lsb() * 1e3;
    s.variation.comparator_noise_ref_wl_um2 = s.hw.comparator_wl_um2;
    const ConversionModel m(s);
    const LimitState failing = failing_state(m, limit);
    const TailEstimate e = importance_sampling(failing, m.frozen_dimension(), {}, 61);
    CAPTURE(count);
    check_relative(e.p, (count == 0 ? 1 : 2) * q_function(reach / sigma_os), 0.10);
    // No cell varies here, so a column's reads are alike: a failing column is a failing state.
    CHECK(m.instance_dimension() == m.frozen_dimension());
    const TailEstimate c =
        importance_sampling(failing_column(m, limit, 64, 5), m.instance_dimension(), {}, 61);
    check_relative(c.p, (count == 0 ? 1 : 2) * q_function(reach / sigma_os), 0.10);
  }
}

TEST_CASE("failing columns: rates over reads average to the conversion rate; IS equals plain") {
  // The untrimmed RAP design, every source on, count 3: a column's cells change from read to
  // read. (1) Over columns, the mean of their rates is the conversion error rate (total
  // expectation): plain Monte Carlo of conversions against 3,000 columns × 32 reads. (2) The
  // probability of a failing column at a limit plain sampling resolves: importance sampling
  // against plain Monte Carlo over the columns' variables.
  const ConversionModel m(untrimmed_rap_count3());
  const int column = m.instance_dimension();
  REQUIRE(column < m.frozen_dimension());
  CHECK(m.variable_names()[static_cast<std::size_t>(column)].rfind("cell/", 0) == 0);
  const int reads = 32;
  Welford rates;
  for (std::uint64_t i = 0; i < 3000; ++i)
    rates.add(m.instance_error_rate(sample_point(71, TailStage::PLAIN, 0, i, column), reads, 72));
  const TailEstimate conv = plain_monte_carlo(conversion_failure(m), m.dimension(), {200'000}, 73);
  const double se = std::hypot(rates.stddev() / std::sqrt(3000.0), conv.std_error);
  CAPTURE(rates.mean);
  CAPTURE(conv.p);
  CHECK(std::abs(rates.mean - conv.p) <= K_SIGMA * se);
  // A limit near the columns' median rate's tail: P(failing) of a few per cent.
  const double limit = rates.mean * 3;
  const LimitState f = failing_column(m, limit, reads, 72);
  const TailEstimate plain = plain_monte_carlo(f, column, {20'000}, 74);
  ImportanceOptions o;
  o.samples = 5'000;
  o.search_samples = 2'000;
  o.ce_samples = 2'000;
  const TailEstimate is = importance_sampling(f, column, o, 75);
  MESSAGE("column rate mean " << rates.mean << ", conversion rate " << conv.p
                              << "; P(failing column at " << limit << ") plain " << plain.p << " ± "
                              << plain.std_error << ", importance " << is.p << " ± "
                              << is.std_error);
  REQUIRE(plain.failures > 20);
  CHECK(std::abs(is.p - plain.p) <= K_SIGMA * std::hypot(is.std_error, plain.std_error));
}

TEST_CASE("adc_decision_margins: their smallest is adc_convert's noise-free margin") {
  // Random instances of each converter, inputs across the range: one rule for the decisions.
  boost::random::mt19937 gen(7);  // test fixture only
  boost::random::uniform_real_distribution<float> jitter(-0.3f, 0.3f), input(-1.0f, 9.0f);
  for (AdcType type : {AdcType::FLASH, AdcType::SAR}) {
    const int enob = 3;
    std::vector<float> p(static_cast<std::size_t>(pim::adc_param_count(type, enob)));
    std::vector<float> margins(static_cast<std::size_t>(pim::adc_decisions(type, enob)));
    for (int trial = 0; trial < 2000; ++trial) {
      pim::nominal_adc_params(type, enob, 0.0, p);
      for (float& x : p) x += type == AdcType::FLASH ? jitter(gen) : 0.1f * jitter(gen);
      const float u = input(gen);
      const int ideal = std::clamp(static_cast<int>(std::floor(u + 0.5f)), 0, 7);
      float margin = 0;
      pim::adc_convert(type, enob, p, u, ideal, margin);
      pim::adc_decision_margins(type, enob, p, u, ideal, margins);
      CHECK(*std::min_element(margins.begin(), margins.end()) == margin);
    }
  }
}
