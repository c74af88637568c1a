// Keyed streams and the PVT samplers: known answers, moments within k·σ/√N, Pelgrom scaling,
// frozen draws, and the closed-form code error rate of comparator offsets.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <memory>
#include <numeric>
#include <random>
#include <set>
#include <sstream>

#include "rapmc/core/errors.h"
#include "rapmc/core/keyed_rng.h"
#include "rapmc/io/hdf5.h"
#include "rapmc/mc/statistics.h"
#include "rapmc/pim/adc.h"
#include "rapmc/pim/chip.h"
#include "rapmc/quant/int_model.h"
#include "rapmc/variation/device_table.h"
#include "rapmc/variation/die_sampling.h"
#include "rapmc/variation/pcm_aging.h"
#include "rapmc/variation/pvt_sampler.h"
#include "test_support.h"

using namespace rapmc;

namespace {
constexpr double K_SIGMA = 5.0;  // bounds are K_SIGMA standard errors: a false failure is ~1e-6

// The relative off-state conductance of `h`: G_off in units of one count (G_on − G_off).
double relative_g_off(const HardwareConfig& h) {
  return h.g_off_siemens / (h.g_on_siemens - h.g_off_siemens);
}

// `n` nominal cells in counts, off and on in turn (even index off, odd on).
std::vector<float> off_on_cells(const HardwareConfig& h, std::size_t n) {
  std::vector<float> g(n);
  for (std::size_t i = 0; i < n; ++i) g[i] = static_cast<float>(relative_g_off(h) + (i % 2));
  return g;
}

struct Moments {
  double mean = 0, sd = 0;
  std::size_t n = 0;
};
Moments moments(const std::vector<double>& x) {
  Moments m;
  m.n = x.size();
  m.mean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(m.n);
  double ss = 0;
  for (double v : x) ss += (v - m.mean) * (v - m.mean);
  m.sd = std::sqrt(ss / static_cast<double>(m.n - 1));
  return m;
}
// |sample mean − µ| <= K·σ/√N and |sample sd − σ| <= K·σ/√(2N) (normal data).
void check_normal(const std::vector<double>& x, double mu, double sigma) {
  const Moments m = moments(x);
  const double n = static_cast<double>(m.n);
  CHECK(std::abs(m.mean - mu) <= K_SIGMA * sigma / std::sqrt(n));
  CHECK(std::abs(m.sd - sigma) <= K_SIGMA * sigma / std::sqrt(2 * n));
}

HardwareConfig flash3() {
  HardwareConfig h;
  h.adc = AdcType::FLASH;
  h.enob = 3;
  return h;
}
}  // namespace

TEST_CASE("keyed streams: Philox4x32-10 known answers; the stream layout locks the scheme") {
  // Random123's published known-answer vectors (kat_vectors: counter, key -> output).
  using W = std::array<std::uint32_t, 4>;
  CHECK(philox4x32_10({0, 0, 0, 0}, {0, 0}) == W{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
  CHECK(philox4x32_10({~0u, ~0u, ~0u, ~0u}, {~0u, ~0u}) ==
        W{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
  CHECK(philox4x32_10({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}) ==
        W{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
  // Words 2n and 2n + 1 of a stream are the halves of block n; block() is random access.
  KeyedStream s(20261125, RngDomain::CELL, 3, 42);
  for (std::uint64_t n = 0; n < 3; ++n) {
    const W b = s.block(n);
    CHECK(s() == (b[0] | static_cast<std::uint64_t>(b[1]) << 32));
    CHECK(s() == (b[2] | static_cast<std::uint64_t>(b[3]) << 32));
  }
  // blocks() (the vectorised lanes) gives each block's four words where block() does.
  const std::uint64_t ns[] = {0, 1, 7, 1ull << 40, 12345, 3, 3, ~0ull >> 1, 99};
  std::uint32_t w[4][9];
  s.blocks(ns, 9, w[0], w[1], w[2], w[3]);
  for (int i = 0; i < 9; ++i) CHECK(W{w[0][i], w[1][i], w[2][i], w[3][i]} == s.block(ns[i]));
  // The block is Philox of (n, stream id) under the seed: the seed is the key.
  const W b0 = KeyedStream(20261125, RngDomain::CELL, 3, 42).block(7);
  CHECK(b0 != KeyedStream(20261126, RngDomain::CELL, 3, 42).block(7));
  // Known answers of the Philox streams (unchanged since rapmc-philox4x32-10-v2; v3 changed only
  // how the temporal noise is keyed): a change of them is a new scheme.
  KeyedStream k(20261125, RngDomain::CELL, 3, 42);
  CHECK(k() == 0x834941345ebde6dbULL);
  CHECK(k() == 0x72f321a1788145fbULL);
  CHECK(std::string(RNG_SCHEME) == "rapmc-philox4x32-10-v3");
  CHECK(name_key("blocks/0/qkv") == 0xa2357c430ace14a4ULL);
  const auto first = [](std::uint64_t seed, RngDomain d, std::uint64_t t, std::uint64_t i) {
    return KeyedStream(seed, d, t, i)();
  };
  const std::uint64_t base = first(1, RngDomain::CELL, 0, 0);
  CHECK(first(2, RngDomain::CELL, 0, 0) != base);
  CHECK(first(1, RngDomain::COMPARATOR, 0, 0) != base);
  CHECK(first(1, RngDomain::CELL, 1, 0) != base);
  CHECK(first(1, RngDomain::CELL, 0, 1) != base);
  CHECK(first(1, RngDomain::CELL, 0, 0) == base);  // a pure function of the key
  // Substreams: independent of each other and of their parent.
  const KeyedStream parent(1, RngDomain::READ_NOISE, 0, 0);
  CHECK(parent.substream(0).block(0) != parent.block(0));
  CHECK(parent.substream(0).block(0) != parent.substream(1).block(0));
  CHECK(parent.substream(5).block(0) == parent.substream(5).block(0));
}

TEST_CASE("keyed streams: uniform bits and Boost normals have the right moments") {
  KeyedStream s(7, RngDomain::READ_NOISE, 0, 0);
  const int n = 200000;
  std::vector<double> u(n), z(n);
  for (int i = 0; i < n; ++i) u[i] = static_cast<double>(s() >> 11) * 0x1.0p-53;
  check_normal(u, 0.5, std::sqrt(1.0 / 12.0));  // mean and sd of U(0,1) (CLT for the mean)
  boost::random::normal_distribution<double> n01;
  for (int i = 0; i < n; ++i) z[i] = n01(s);
  check_normal(z, 0.0, 1.0);
  // Lag-1 correlation of the uniforms within K·(1/√N).
  double c = 0;
  for (int i = 1; i < n; ++i) c += (u[i] - 0.5) * (u[i - 1] - 0.5);
  CHECK(std::abs(c / (n - 1) * 12.0) <= K_SIGMA / std::sqrt(static_cast<double>(n)));
}

TEST_CASE(
    "cell programming error: lognormal with the state's σ, mean-preserving; frozen per trial") {
  VariationConfig v = VariationConfig::none();
  v.cell_sigma_on = 0.05;
  v.cell_sigma_off = 0.10;
  const HardwareConfig h = flash3();
  const int rows = 128, cols = 200;
  std::vector<float> g = off_on_cells(h, static_cast<std::size_t>(rows) * cols);
  const std::vector<float> nominal = g;
  const PvtSampler s(v, OperatingPoint{}, h, 99, 5);
  CHECK(s.varies_cells());
  s.cells("blocks/1/fc1", 0, rows, cols, g);
  std::vector<double> ln_on, ln_off;
  for (std::size_t i = 0; i < g.size(); ++i)
    (i % 2 ? ln_on : ln_off).push_back(std::log(g[i] / nominal[i]));
  check_normal(ln_on, -0.5 * 0.05 * 0.05, 0.05);
  check_normal(ln_off, -0.5 * 0.10 * 0.10, 0.10);
  // Frozen: the same array of the same trial gets the same draws; another trial or array not.
  std::vector<float> again = nominal, other_trial = nominal, other_tile = nominal;
  s.cells("blocks/1/fc1", 0, rows, cols, again);
  CHECK(again == g);
  PvtSampler(v, OperatingPoint{}, h, 99, 6).cells("blocks/1/fc1", 0, rows, cols, other_trial);
  CHECK(other_trial != g);
  s.cells("blocks/1/fc1", 1, rows, cols, other_tile);
  CHECK(other_tile != g);
}

TEST_CASE(
    "temperature coefficient: mean G(T) = G(T0)(1 + α(T − T0)), per-cell spread as configured") {
  VariationConfig v = VariationConfig::none();
  v.alpha_on_per_k = -0.001;
  v.alpha_off_per_k = 0.005;
  v.alpha_spread_rel = 0.2;
  OperatingPoint op;
  op.temp_c = 127;  // ΔT = 100 K
  const HardwareConfig h = flash3();
  const double g_off = relative_g_off(h);
  std::vector<float> g(40000, static_cast<float>(g_off + 1));  // all on
  PvtSampler(v, op, h, 3, 0).cells("x", 0, 200, 200, g);
  std::vector<double> rel;
  for (float x : g) rel.push_back(x / (g_off + 1) - 1.0);
  // 1 + α(1 + 0.2 n)ΔT: mean αΔT = −0.1, sd 0.2·|α|·ΔT = 0.02 (float rounding far below).
  check_normal(rel, -0.1, 0.02);
}

TEST_CASE(
    "comparator offsets: Pelgrom σ = A_VT/√(WL) in LSB, 1/√area scaling, frozen per comparator") {
  VariationConfig v = VariationConfig::none();
  v.avt_mv_um = 3.5;
  v.offset_tempco_per_k = 0;
  HardwareConfig h = flash3();  // LSB = 0.4 V / 8 = 50 mV
  auto offsets = [&](double wl, std::uint64_t trial) {
    h.comparator_wl_um2 = wl;
    const PvtSampler s(v, OperatingPoint{}, h, 11, trial);
    std::vector<double> o;
    std::vector<float> p(7);
    for (int a = 0; a < 3000; ++a) {
      pim::nominal_adc_params(AdcType::FLASH, 3, 0.0, p);
      s.adc("blocks/0/qkv", 0, a, p, {});
      for (int k = 0; k < 7; ++k) o.push_back(p[k] - (k + 0.5));
    }
    return o;
  };
  const double sigma_01 = 3.5e-3 / std::sqrt(0.1) / 0.05;  // 0.2214 LSB
  check_normal(offsets(0.1, 0), 0.0, sigma_01);
  check_normal(offsets(0.4, 0), 0.0, sigma_01 / 2);  // 4× the area, half the σ
  CHECK(offsets(0.1, 0) == offsets(0.1, 0));
  CHECK(offsets(0.1, 0) != offsets(0.1, 1));
}

TEST_CASE("flash code error rate from comparator offsets alone matches its closed form") {
  // An exact count c (1..6) is converted wrongly when threshold c − ½ + o₁ rises above c or
  // threshold c + ½ + o₂ falls below c: P = Φ(−½/σ) + Φ(−½/σ) − (their overlap, negligible here).
  VariationConfig v = VariationConfig::none();
  v.avt_mv_um = 3.5;
  v.offset_tempco_per_k = 0;
  HardwareConfig h = flash3();
  h.comparator_wl_um2 = 0.02;  // σ = 0.495 LSB: errors are frequent enough to count
  const double sigma = 3.5e-3 / std::sqrt(0.02) / 0.05;
  const double phi = 0.5 * std::erfc(0.5 / sigma / std::sqrt(2.0));
  const PvtSampler s(v, OperatingPoint{}, h, 5, 0);
  std::vector<float> p(7);
  std::uint64_t errors = 0, n = 0;
  for (int a = 0; a < 20000; ++a) {
    pim::nominal_adc_params(AdcType::FLASH, 3, 0.0, p);
    s.adc("layer", 0, a, p, {});
    for (int c = 1; c <= 6; ++c) {
      float m = 0;
      errors += pim::adc_convert(AdcType::FLASH, 3, p, static_cast<float>(c), c, m) != c;
      ++n;
    }
  }
  // Exact expectation: for thresholds t_k = k − ½ + o_k (independent normal offsets), the code
  // of an exact count c is the number of t_k below c; P(code = c) by dynamic programming over k.
  auto p_correct = [&](int c) {
    std::vector<double> dist(8, 0.0);
    dist[0] = 1.0;
    for (int k = 1; k <= 7; ++k) {
      const double below = 0.5 * std::erfc(-((c - (k - 0.5)) / sigma) / std::sqrt(2.0));
      std::vector<double> next(8, 0.0);
      for (int j = 0; j < 7; ++j) {
        next[j] += dist[j] * (1 - below);
        next[j + 1] += dist[j] * below;
      }
      dist = next;
    }
    return dist[c];
  };
  double expected = 0;
  for (int c = 1; c <= 6; ++c) expected += (1 - p_correct(c)) / 6.0;
  const double rate = static_cast<double>(errors) / static_cast<double>(n);
  MESSAGE("code error rate " << rate << ", closed form " << expected
                             << " (two-threshold approximation " << 2 * phi << ")");
  // The six counts of one ADC share its thresholds, so errors are correlated within an ADC:
  // the standard error uses the 20,000 ADCs as the independent units (at most √6 larger).
  const double se = std::sqrt(expected * (1 - expected) / static_cast<double>(n)) * std::sqrt(6.0);
  CHECK(std::abs(rate - expected) <= K_SIGMA * se);
}

TEST_CASE("operating point: supply and process draws have the configured σ; corners shift them") {
  VariationConfig v;
  std::vector<double> vdd, gon;
  for (std::uint64_t t = 0; t < 20000; ++t) {
    const OperatingPoint op =
        sample_operating_point(v, parse_corner("TT", 27), TempMode::FIXED, 0, 0, 1, t);
    vdd.push_back(op.vdd_v);
    gon.push_back(op.g_on_shift);
    CHECK(op.temp_c == 27);
  }
  check_normal(vdd, 0.9, 0.9 * 0.03);
  check_normal(gon, 0.0, 0.03);
  const OperatingPoint ss =
      sample_operating_point(v, parse_corner("SS_LV", 125), TempMode::FIXED, 0, 0, 1, 0);
  const OperatingPoint tt =
      sample_operating_point(v, parse_corner("TT", 125), TempMode::FIXED, 0, 0, 1, 0);
  CHECK(ss.g_on_shift == doctest::Approx(tt.g_on_shift - 0.09));
  CHECK(ss.vdd_v == doctest::Approx(tt.vdd_v * 0.9));
  CHECK_THROWS_WITH_AS(parse_corner("XX", 27), test::has("unknown corner 'XX'"), ConfigError);
  const OperatingPoint u =
      sample_operating_point(v, parse_corner("TT", 27), TempMode::UNIFORM, -40, 125, 1, 3);
  CHECK(u.temp_c >= -40);
  CHECK(u.temp_c <= 125);
}

namespace {
// Mean and variance of |X|, X ~ N(µ, σ²) (the folded normal of the drift exponents).
std::pair<double, double> folded_normal(double mu, double sigma) {
  const double z = mu / sigma;
  const double mean = sigma * std::sqrt(2.0 / M_PI) * std::exp(-0.5 * z * z) +
                      mu * (1.0 - 2.0 * 0.5 * std::erfc(z / std::sqrt(2.0)));
  return {mean, mu * mu + sigma * sigma - mean * mean};
}
}  // namespace

TEST_CASE(
    "drift: mean log-conductance after t is −E[ν]·log((t + t0)/t0) per state; none at t = 0") {
  VariationConfig v = VariationConfig::none();
  v.drift_law = DriftLaw::LINEAR;  // the interpolated law's endpoints (the log law below)
  v.drift_nu_on_mean = 0.049;
  v.drift_nu_on_sigma = 0.008;
  v.drift_nu_off_mean = 0.096;
  v.drift_nu_off_sigma = 0.045;
  v.drift_t0_s = 20;
  const HardwareConfig h = flash3();
  const int rows = 128, cols = 200;
  const std::vector<float> nominal = off_on_cells(h, static_cast<std::size_t>(rows) * cols);
  OperatingPoint op;
  {  // t = 0: as programmed, nothing drawn, nothing varies
    std::vector<float> g = nominal;
    const PvtSampler s(v, op, h, 4, 0);
    CHECK(!s.varies_cells());
    s.cells("blocks/0/qkv", 0, rows, cols, g);
    CHECK(g == nominal);
  }
  for (double t : {3600.0, 3.15e7, 3.15e8}) {  // an hour, a year, ten years
    CAPTURE(t);
    op.time_s = t;
    std::vector<float> g = nominal;
    PvtSampler(v, op, h, 4, 0).cells("blocks/0/qkv", 0, rows, cols, g);
    const double L = std::log1p(t / 20.0);
    std::vector<double> ln_on, ln_off;
    for (std::size_t i = 0; i < g.size(); ++i)
      (i % 2 ? ln_on : ln_off).push_back(std::log(g[i] / nominal[i]));
    for (const auto& [x, mu, sigma] :
         {std::tuple{&ln_on, 0.049, 0.008}, std::tuple{&ln_off, 0.096, 0.045}}) {
      const auto [m, var] = folded_normal(mu, sigma);
      const Moments got = moments(*x);
      const double sd = std::sqrt(var) * L;  // σ of one cell's log ratio
      CHECK(std::abs(got.mean - (-m * L)) <= K_SIGMA * sd / std::sqrt(static_cast<double>(got.n)));
    }
  }
}

TEST_CASE(
    "drift per programmed level (aihwkit's log law in G/G_max), at 27 and 85 °C with an "
    "Arrhenius factor: mean log-conductance equals −E|ν|·log((t·AF + t0)/t0)") {
  // 2-bit cells (levels 0..3 of a differential mapping), the default log law; the reference
  // values below are aihwkit's formulas written out here, not rapmc's functions.
  VariationConfig v = VariationConfig::none();
  const VariationConfig law;  // the shipped coefficients
  v.copy_drift_law(law);
  v.drift_activation_ev = 0.6;  // a test value
  HardwareConfig h = flash3();
  h.cell_bits = 2;
  h.mapping = WeightMapping::DIFFERENTIAL;
  const double dg = (h.g_on_siemens - h.g_off_siemens) / 3.0;
  const double g_off = h.g_off_siemens / dg;
  const int rows = 128, cols = 256;
  std::vector<float> nominal(static_cast<std::size_t>(rows) * cols);
  for (std::size_t i = 0; i < nominal.size(); ++i) nominal[i] = static_cast<float>(g_off + i % 4);
  const double t = 3.15e7;  // a year
  for (double temp : {27.0, 85.0}) {
    OperatingPoint op;
    op.time_s = t;
    op.temp_c = temp;
    std::vector<float> g = nominal;
    PvtSampler(v, op, h, 5, 0).cells("blocks/1/fc1", 0, rows, cols, g);
    // Arrhenius: exp(Ea/k·(1/300.15 − 1/(T + 273.15))) with k = 8.617333e-5 eV/K.
    const double af = std::exp(0.6 / 8.617333262e-5 * (1.0 / 300.15 - 1.0 / (temp + 273.15)));
    const double L = std::log1p(t * af / 20.0);
    CAPTURE(temp);
    if (temp == 85.0) CHECK(af > 40.0);  // 85 °C ages a year's drift by over 40 years' worth
    for (int level = 0; level < 4; ++level) {
      const double x = (g_off + level) / (g_off + 3.0);  // G/G_max of the level's target
      const double mu = std::clamp(-0.0155 * std::log(x) + 0.0244, 0.049, 0.1);
      const double sigma = std::clamp(-0.0125 * std::log(x) - 0.0059, 0.008, 0.045);
      std::vector<double> ln_ratio;
      for (std::size_t i = static_cast<std::size_t>(level); i < g.size(); i += 4)
        ln_ratio.push_back(std::log(g[i] / nominal[i]));
      const auto [m, var] = folded_normal(mu, sigma);
      const Moments got = moments(ln_ratio);
      CAPTURE(level);
      CAPTURE(got.mean);
      CHECK(std::abs(got.mean - (-m * L)) <=
            K_SIGMA * std::sqrt(var) * L / std::sqrt(static_cast<double>(got.n)));
    }
  }
  // The two middle levels of a 2-bit cell: (0.049, 0.008) at both under this law, not the
  // linear law's interpolation; the off state follows g_off_siemens.
  const DriftExponent mid = drift_exponent(law, (g_off + 1.0) / (g_off + 3.0), 1.0 / 3.0);
  CHECK(mid.mean == doctest::Approx(0.049));
  CHECK(mid.sigma == doctest::Approx(0.008));
}

TEST_CASE("1/f read noise: σ per level grows as √ln((t + t_read)/(2·t_read)), aihwkit's form") {
  VariationConfig v = VariationConfig::none();
  v.flicker_q = 0.0088;
  const HardwareConfig h = flash3();
  const double g_off = relative_g_off(h);
  for (double t : {0.0, 3600.0, 3.15e7, 3.15e8}) {
    OperatingPoint op;
    op.time_s = t;
    const pim::ReadNoise rn = PvtSampler(v, op, h, 1, 0).read_noise();
    REQUIRE(rn.cell_rel_by_level.size() == 2);
    const double grow = std::sqrt(std::log((t + 20.0 + 250e-9) / (2.0 * 250e-9)));
    const double x_off = g_off / (g_off + 1.0);
    CAPTURE(t);
    CHECK(rn.cell_rel_by_level[1] == doctest::Approx(0.0088 * grow).epsilon(1e-12));
    CHECK(rn.cell_rel_by_level[0] ==
          doctest::Approx(std::min(0.0088 / std::pow(x_off, 0.65), 0.2) * grow).epsilon(1e-12));
  }
}

TEST_CASE(
    "drift compensation: each ADC's reference follows the drift of its reference cells; the "
    "mean column gain returns to 1 within σ/√N_ref") {
  VariationConfig v = VariationConfig::none();
  v.drift_law = DriftLaw::LINEAR;
  v.drift_nu_on_mean = 0.049;
  v.drift_nu_on_sigma = 0.008;
  HardwareConfig h = flash3();
  h.reference = ReferenceCal::ONE_POINT;
  h.gain_trim_step_rel = 0;  // exact one-point gain: the scale is the compensation alone
  h.replica_cells = 4096;
  v.cell_sigma_on = 0;
  OperatingPoint op;
  op.time_s = 3.15e7;  // one year
  const double L = std::log1p(op.time_s / 20.0);
  // Population drift factor of an on cell, E[e^{−νL}] = e^{−µL + σ²L²/2} (ν > 0 but for
  // a 6σ tail), and the σ of one cell's factor.
  const double mu = 0.049, sigma = 0.008;
  const double pop = std::exp(-mu * L + 0.5 * sigma * sigma * L * L);
  const double sd_one = pop * std::sqrt(std::exp(sigma * sigma * L * L) - 1.0);
  std::vector<float> p(7);
  for (DriftCompensation comp : {DriftCompensation::NONE, DriftCompensation::GLOBAL}) {
    h.drift_compensation = comp;
    h.drift_ref_cells = 128;
    const PvtSampler s(v, op, h, 8, 1);
    std::vector<double> gain;  // a column's effective gain: its cells' drift / the reference's
    for (int a = 0; a < 400; ++a) {
      pim::nominal_adc_params(h.adc, h.enob, 0.0, p);
      s.adc("blocks/2/fc2", 0, a, p, {});
      gain.push_back(pop / (p[0] / 0.5));  // threshold k = 0 at ½·scale
    }
    const Moments m = moments(gain);
    CAPTURE(to_string(comp));
    if (comp == DriftCompensation::NONE) {
      CHECK(m.mean == doctest::Approx(pop).epsilon(1e-9));  // the drift stays
      CHECK(m.sd == doctest::Approx(0.0));
    } else {
      // Each reference measures the mean of 128 cells: gain − 1 has σ ≈ (sd_one/pop)/√128.
      const double sigma_gain = sd_one / pop / std::sqrt(128.0);
      CHECK(std::abs(m.mean - 1.0) <= K_SIGMA * sigma_gain / std::sqrt(400.0));
      CHECK(std::abs(m.sd - sigma_gain) <= K_SIGMA * sigma_gain / std::sqrt(2.0 * 400));
    }
  }
  // A replica reference drifts with the array and compensates by itself; both together are a
  // configuration error naming the key.
  CHECK_THROWS_WITH_AS(
      parse_hardware("[calibration]\nreference = 'replica'\ndrift_compensation = 'global'\n",
                     "d.toml"),
      test::has("calibration.drift_compensation"), ConfigError);
}

TEST_CASE(
    "spatial variation: die gradient and per-tile shift have their σ; the chip applies them "
    "to every cell of a tile, its reference column included") {
  HardwareConfig h = flash3();
  VariationConfig v = VariationConfig::none();
  SUBCASE("gradient: at (½, ½) the factor − 1 is normal with σ_g·√(½)") {
    v.die_gradient_sigma_rel = 0.02;
    std::vector<double> rel;
    for (std::uint64_t t = 0; t < 4000; ++t)
      rel.push_back(PvtSampler(v, OperatingPoint{}, h, 17, t).tile_gain("embed", 0, 0, 0.5, 0.5) -
                    1.0);
    check_normal(rel, 0.0, 0.02 * std::sqrt(0.5));
    const PvtSampler s(v, OperatingPoint{}, h, 17, 3);
    CHECK(s.tile_gain("embed", 0, 0, 0.0, 0.0) == 1.0);  // the centre does not move
  }
  SUBCASE("tile shift: one trial, 4000 tiles, σ_tile; frozen") {
    v.tile_sigma_rel = 0.03;
    const PvtSampler s(v, OperatingPoint{}, h, 17, 0);
    std::vector<double> rel;
    for (int ct = 0; ct < 4000; ++ct)
      rel.push_back(s.tile_gain("blocks/0/fc1", 1, ct, 0.3, -0.2) - 1);
    check_normal(rel, 0.0, 0.03);
    CHECK(s.tile_gain("blocks/0/fc1", 1, 5, 0.3, -0.2) == rel[5] + 1);
  }
  SUBCASE("the chip: each tile's cells are nominal × its factor at its floorplan position") {
    v.die_gradient_sigma_rel = 0.05;
    v.tile_sigma_rel = 0.02;
    IntModel m;
    m.settings = QuantSettings{};
    m.embed.name = "embed";
    m.embed.in = 200;  // two row tiles
    m.embed.out = 20;  // 160 bitlines: two column tiles
    for (int i = 0; i < m.embed.in * m.embed.out; ++i)
      m.embed.w.push_back(static_cast<std::int8_t>((i * 37) % 255 - 127));
    m.head = m.embed;
    m.head.name = "head/fc";
    const PvtSampler s(v, OperatingPoint{}, h, 5, 2);
    const pim::ChipInstance varied(m, h, s);
    const pim::ChipInstance nominal(m, h, pim::nominal_devices());
    const pim::MappedLayer& got = varied.layers()[0];
    // The nominal conductances, rebuilt with a sampler that varies nothing but keeps them.
    struct Keep final : pim::DeviceSampler {
      bool varies_cells() const override { return true; }
    } keep;
    const pim::ChipInstance kept(m, h, keep);
    const pim::MappedLayer& want = kept.layers()[0];
    std::set<std::pair<double, double>> places;
    for (int rt = 0; rt < got.row_tiles; ++rt)
      for (int ct = 0; ct < got.col_tiles; ++ct) {
        const auto [x, y] = varied.tile_position("embed", rt, ct);
        CHECK(std::abs(x) <= 0.5);
        CHECK(std::abs(y) <= 0.5);
        places.insert({x, y});
        const auto f = static_cast<float>(s.tile_gain("embed", rt, ct, x, y));
        CHECK(f != 1.0f);
        const int c0 = ct * h.tile_cols, c1 = std::min(got.cols, c0 + h.tile_cols);
        for (int r = 0; r < h.tile_rows; ++r) {
          const std::size_t at = (static_cast<std::size_t>(rt) * h.tile_rows + r) * got.stride;
          for (int c = c0; c < c1; ++c) CHECK(got.g[at + c] == want.g[at + c] * f);
          CHECK(got.g[at + got.cols + ct] == want.g[at + got.cols + ct] * f);
        }
      }
    CHECK(places.size() == 4);  // distinct places for the four tiles
    CHECK(nominal.ideal_cells());
    CHECK(!varied.ideal_cells());
  }
}

TEST_CASE(
    "die sampling: a plain draw is sample_operating_point's; scaled sigma scales the variates") {
  VariationConfig v;
  const Corner c = parse_corner("SS", 60);
  SamplingConfig plain;
  SamplingConfig scaled;
  scaled.method = SamplingMethod::SCALED_SIGMA;
  scaled.sigma_scale = 2.5;
  for (std::uint64_t t = 0; t < 200; ++t) {
    const OperatingPoint op = sample_operating_point(v, c, TempMode::UNIFORM, -40, 125, 9, t);
    const DieDraw d = sample_die(v, c, TempMode::UNIFORM, -40, 125, plain, 9, t);
    CHECK(d.weight == 1.0);
    CHECK(d.op.vdd_v == op.vdd_v);
    CHECK(d.op.temp_c == op.temp_c);
    CHECK(d.op.g_on_shift == op.g_on_shift);
    CHECK(d.op.g_off_shift == op.g_off_shift);
    CHECK(d.op.adc_gain_shift == op.adc_gain_shift);
    CHECK(d.op.adc_offset_lsb == op.adc_offset_lsb);
    // operating_point()'s inverse recovers the variates (the SS corner's shift taken off).
    const auto z = as_array(die_variates_of(v, c, op));
    const auto drawn = as_array(d.variates);
    for (std::size_t i = 0; i < DIE_VARIATES; ++i) CHECK(z[i] == doctest::Approx(drawn[i]));
    const DieDraw s = sample_die(v, c, TempMode::UNIFORM, -40, 125, scaled, 9, t);
    const auto zs = as_array(s.variates);
    for (std::size_t i = 0; i < DIE_VARIATES; ++i) CHECK(zs[i] == 2.5 * drawn[i]);
    CHECK(s.op.temp_c == op.temp_c);  // temperature is not a σ
    CHECK(s.weight == 1.0);
  }
  // The within-die σ are scaled, temporal noise and the die's own σ are not (sample_die does).
  VariationConfig w;
  HardwareConfig hw;
  scale_sigmas(w, hw, 2.0);
  CHECK(w.cell_sigma_on == 2 * v.cell_sigma_on);
  CHECK(w.avt_mv_um == 2 * v.avt_mv_um);
  CHECK(w.drift_nu_off_sigma == 2 * v.drift_nu_off_sigma);
  CHECK(hw.trim_dac_sigma_rel == 2 * HardwareConfig{}.trim_dac_sigma_rel);
  CHECK(w.read_noise_rel_ion == v.read_noise_rel_ion);
  CHECK(w.comparator_noise_mv == v.comparator_noise_mv);
  CHECK(w.process_g_sigma_rel == v.process_g_sigma_rel);
  CHECK(w.vdd_sigma_rel == v.vdd_sigma_rel);
}

TEST_CASE("die sampling: importance weights are φ/q, average 1, and estimate a 3σ tail's Q(3)") {
  VariationConfig v;
  v.process_adc_offset_sigma_lsb = 0;  // a variate that does not act is neither moved nor weighed
  const Corner c = parse_corner("TT", 27);
  SamplingConfig s;
  s.method = SamplingMethod::IMPORTANCE;
  s.shift = {0, 0, 0, -3.0, 0};
  s.spread = 1.2;
  s.defensive = 0.1;
  const auto sigmas = die_sigmas(v);
  REQUIRE(sigmas[4] == 0);  // the ADC offset does not act: only the first four variates weigh
  // The weight against the mixture density written out independently.
  const double pi2 = 2 * M_PI;
  for (std::uint64_t t = 0; t < 50; ++t) {
    const DieDraw d = sample_die(v, c, TempMode::FIXED, 0, 0, s, 5, t);
    const auto z = as_array(d.variates);
    double phi = 1, q_shift = 1;
    for (std::size_t i = 0; i < 4; ++i) {
      phi *= std::exp(-0.5 * z[i] * z[i]) / std::sqrt(pi2);
      const double u = (z[i] - s.shift[i]) / s.spread;
      q_shift *= std::exp(-0.5 * u * u) / std::sqrt(pi2) / s.spread;
    }
    CHECK(d.weight == doctest::Approx(phi / (0.1 * phi + 0.9 * q_shift)).epsilon(1e-12));
    CHECK(d.variates.n_adc_offset ==
          sample_die(v, c, TempMode::FIXED, 0, 0, {}, 5, t).variates.n_adc_offset);
  }
  // E_q[w] = 1 and E_q[w·1(z < −3)] = Q(3), within K_SIGMA standard errors of the means.
  const std::uint64_t n = 40000;
  std::vector<double> w(n);
  std::vector<bool> tail(n);
  Welford mean_w;
  for (std::uint64_t t = 0; t < n; ++t) {
    const DieDraw d = sample_die(v, c, TempMode::FIXED, 0, 0, s, 7, t);
    w[t] = d.weight;
    tail[t] = d.variates.n_adc_gain < -3.0;
    mean_w.add(d.weight);
  }
  CHECK(std::abs(mean_w.mean - 1.0) <= K_SIGMA * mean_w.stddev() / std::sqrt(double(n)));
  const WeightedProportion p = weighted_proportion(w, tail);
  const double q3 = 0.5 * std::erfc(3.0 / std::sqrt(2.0));
  MESSAGE("P(z < -3) = " << p.p << " ± " << p.std_error << " (Q(3) = " << q3 << "), variance "
                         << "reduction " << p.variance_reduction << "×, ESS " << p.ess);
  CHECK(std::abs(p.p - q3) <= K_SIGMA * p.std_error);
  CHECK(p.std_error < 0.03 * q3);    // a 3σ tail to a few per cent from 40,000 draws
  CHECK(p.variance_reduction > 50);  // where plain sampling sees ~54 events
  CHECK(p.ess < static_cast<double>(n));
  // All weights 1: the plain proportion.
  const WeightedProportion plain = weighted_proportion({1, 1, 1, 1}, {true, false, false, true});
  CHECK(plain.p == 0.5);
  CHECK(plain.ess == 4);
  CHECK(plain.events == 2);
}

namespace {

// Two-sample Kolmogorov–Smirnov statistic: the largest gap between two empirical CDFs.
double ks_statistic(std::vector<double> a, std::vector<double> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::size_t i = 0, j = 0;
  double d = 0;
  while (i < a.size() && j < b.size()) {
    const double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] <= x) ++i;
    while (j < b.size() && b[j] <= x) ++j;
    d = std::max(d, std::abs(static_cast<double>(i) / static_cast<double>(a.size()) -
                             static_cast<double>(j) / static_cast<double>(b.size())));
  }
  return d;
}

}  // namespace

TEST_CASE("measured device table: cells follow the table (two-sample KS test at α = 0.001)") {
  test::TempDir dir;
  // A measured-looking table of samples: a bimodal on state and a heavy-tailed off state.
  std::mt19937 gen(20261202);  // test fixture only
  std::normal_distribution<double> n01;
  std::string csv = "level,g_siemens\n";
  std::vector<std::vector<double>> table(2);
  for (int i = 0; i < 1500; ++i) {
    const double on = (i % 3 ? 48e-6 : 55e-6) * std::exp(0.04 * n01(gen));
    const double off = 0.5e-6 * std::exp(0.6 * n01(gen));
    table[1].push_back(on);
    table[0].push_back(off);
    std::ostringstream row;
    row << std::setprecision(17) << "1," << on << "\n0," << off << "\n";
    csv += row.str();
  }
  VariationConfig v = VariationConfig::none();
  v.device_table = dir.write("device.csv", csv);
  v.table = std::make_shared<const DeviceTable>(DeviceTable::load(v.device_table, 2));
  const HardwareConfig h = flash3();
  const double dg = h.g_on_siemens - h.g_off_siemens;
  const int rows = 64, cols = 128;
  std::vector<float> g = off_on_cells(h, static_cast<std::size_t>(rows) * cols);
  const PvtSampler s(v, OperatingPoint{}, h, 9, 0);
  CHECK(s.varies_cells());
  s.cells("blocks/0/fc1", 0, rows, cols, g);
  std::vector<std::vector<double>> got(2);
  for (std::size_t i = 0; i < g.size(); ++i) got[i % 2].push_back(g[i] * dg);
  for (int level : {0, 1}) {
    const std::vector<double>& want = table[static_cast<std::size_t>(level)];
    const double n = static_cast<double>(got[static_cast<std::size_t>(level)].size());
    const double m = static_cast<double>(want.size());
    const double critical = std::sqrt(-std::log(0.001 / 2) / 2) * std::sqrt((n + m) / (n * m));
    const double d = ks_statistic(got[static_cast<std::size_t>(level)], want);
    CAPTURE(level);
    CAPTURE(d);
    CHECK(d < critical);
    // And it can fail: the lognormal cells of the default model are another distribution.
    if (level == 1) {
      VariationConfig lognormal = VariationConfig::none();
      lognormal.cell_sigma_on = lognormal.cell_sigma_off = 0.05;
      std::vector<float> g2 = off_on_cells(h, g.size());
      PvtSampler(lognormal, OperatingPoint{}, h, 9, 0).cells("blocks/0/fc1", 0, rows, cols, g2);
      std::vector<double> on;
      for (std::size_t i = 1; i < g2.size(); i += 2) on.push_back(g2[i] * dg);
      CHECK(ks_statistic(on, want) > critical);
    }
  }
  // The shipped PCM table (quantile form) loads, and its on-state mean is the programmed target.
  const DeviceTable pcm = DeviceTable::load("data/devices/pcm_aihwkit_1bit.csv", 2);
  CHECK(pcm.mean(1) == doctest::Approx(50e-6).epsilon(0.01));
  CHECK(pcm.quantile(1, 0.5) == doctest::Approx(50e-6).epsilon(1e-6));
}

TEST_CASE("measured device table: a bad table is refused, naming the file, row and rule") {
  test::TempDir dir;
  const struct {
    const char* text;
    const char* message;
  } cases[] = {
      {"level,p,g_siemens\n0,0.5,1e-6\n0,0.4,2e-6\n1,0.5,5e-5\n",
       "t.csv:3: level 0: p is not increasing (quantiles must be monotone)"},
      {"level,p,g_siemens\n0,0.4,2e-6\n0,0.5,1e-6\n1,0.5,5e-5\n",
       "t.csv:3: level 0: g_siemens decreases as p grows (quantiles must be monotone)"},
      {"level,g_siemens\n0,1e-6\n", "t.csv: level 1 is missing"},
      {"level,g_siemens\n0,1e-6\n2,5e-5\n", "t.csv:3: level 2 is not one of 0..1"},
      {"level,conductance\n0,1e-6\n", "t.csv:1: the header must be"},
      {"level,g_siemens\n0,abc\n1,5e-5\n", "t.csv:2: 'abc' is not a number"},
      {"level,p,g_siemens\n0,1.5,1e-6\n1,0.5,5e-5\n", "t.csv:2: p = 1.5 is not in (0, 1)"},
  };
  for (const auto& c : cases) {
    const std::string path = dir.write("t.csv", c.text);
    CAPTURE(c.text);
    CHECK_THROWS_WITH_AS(DeviceTable::load(path, 2), test::has(c.message), ConfigError);
  }
  CHECK_THROWS_AS(DeviceTable::load(dir.file("absent.csv"), 2), IoError);
}

TEST_CASE("measured device table in HDF5: the same columns as datasets give the same table") {
  test::TempDir dir;
  const DeviceTable csv = DeviceTable::load("data/devices/pcm_aihwkit_1bit.csv", 2);
  std::vector<double> level, p, g;
  for (int l = 0; l < 2; ++l)
    for (std::size_t i = 0; i < csv.values(l).size(); ++i) {
      level.push_back(l);
      p.push_back(csv.probabilities(l)[i]);
      g.push_back(csv.values(l)[i]);
    }
  {
    const h5::File f = h5::File::create(dir.file("t.h5"));
    f.write_dataset("level", level, {level.size()});
    f.write_dataset("p", p, {p.size()});
    f.write_dataset("g_siemens", g, {g.size()});
  }
  const DeviceTable h5t = DeviceTable::load(dir.file("t.h5"), 2);
  for (double u : {0.0003, 0.01, 0.37, 0.5, 0.93, 0.9999})
    for (int l : {0, 1}) CHECK(h5t.quantile(l, u) == csv.quantile(l, u));
  {
    const h5::File f = h5::File::create(dir.file("bad.h5"));
    f.write_dataset("level", level, {level.size()});
  }
  CHECK_THROWS_WITH_AS(DeviceTable::load(dir.file("bad.h5"), 2),
                       test::has("bad.h5: no dataset '/g_siemens'"), ConfigError);
  CHECK_THROWS_AS(DeviceTable::load(dir.write("junk.h5", "not hdf5"), 2), IoError);
}
