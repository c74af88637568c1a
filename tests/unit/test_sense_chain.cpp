// The sense chain against closed forms (docs/design.md, "Read noise", "Calibration and trim"):
// read noise per conversion and per comparator decision, frozen comparator offsets, bitline noise
// that grows with the conductance driven, trim residuals, reference calibration, and attention
// writes as separate programming events. Statistical checks use fixed seeds and K·σ/√N bounds.
#include <doctest/doctest.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include <cmath>
#include <mutex>
#include <set>
#include <vector>

#include "rapmc/core/errors.h"
#include "rapmc/core/parallel_for.h"
#include "rapmc/pim/adc.h"
#include "rapmc/pim/chip.h"
#include "rapmc/pim/pim_mvm.h"
#include "rapmc/pim/temporal_noise.h"
#include "rapmc/variation/pvt_sampler.h"

using namespace rapmc;
using namespace rapmc::pim;

namespace {

constexpr double K_SIGMA = 5.0;  // bounds at 5σ: a false alarm about once in 1.7 million runs

double q_function(double x) {
  return 0.5 * std::erfc(x / std::sqrt(2.0));
}

// |measured − p| within K_SIGMA binomial standard errors of N draws.
void check_rate(std::uint64_t events, std::uint64_t n, double p) {
  const double rate = static_cast<double>(events) / static_cast<double>(n);
  CAPTURE(rate);
  CAPTURE(p);
  CAPTURE(n);
  CHECK(std::abs(rate - p) <= K_SIGMA * std::sqrt(p * (1 - p) / static_cast<double>(n)));
}

// A sampler with nominal devices and the given read noise only.
class NoiseOnly final : public DeviceSampler {
 public:
  explicit NoiseOnly(ReadNoise n) : noise_(n) {}
  ReadNoise read_noise() const override { return noise_; }
  std::uint64_t noise_key() const override { return 0x5eed; }

 private:
  ReadNoise noise_;
};

// One layer of `in` inputs and `out` outputs whose weights are all −1: in two's complement every
// cell is on, so every bitline counts exactly the rows driven.
IntModel all_on_layer(int in, int out) {
  IntModel m;
  m.settings = QuantSettings{};
  m.embed.name = "embed";
  m.embed.in = in;
  m.embed.out = out;
  m.embed.w.assign(static_cast<std::size_t>(in) * out, std::int8_t{-1});
  m.head = m.embed;
  m.head.name = "head/fc";
  return m;
}

// The embed layer's counters after `tokens` rows of input `x` (per input element).
LayerCounters run_embed(const IntModel& m, const HardwareConfig& h, const DeviceSampler& s,
                        const std::vector<std::int8_t>& x_row, int tokens) {
  const ChipInstance chip(m, h, s);
  const PimMvm pim(chip, 8);
  std::vector<std::int8_t> x;
  for (int t = 0; t < tokens; ++t) x.insert(x.end(), x_row.begin(), x_row.end());
  std::vector<std::int32_t> acc(static_cast<std::size_t>(tokens) * m.embed.out);
  pim.mvm(m.embed, x.data(), tokens, acc.data());
  return pim.counters().at("embed");
}

HardwareConfig sparse_hw(AdcType adc, int enob) {
  HardwareConfig h;
  h.adc = adc;
  h.enob = enob;
  h.schedule = MvmSchedule::SPARSE;
  h.sparse_k = 7;
  return h;
}

}  // namespace

TEST_CASE("a quantizer with Gaussian input noise σ errs with probability 2Q(1/(2σ))") {
  // Every input −1 drives every plane: reads of 7 rows (the last of a tile 2), so every count
  // (7 or 2) is an interior level of a 4-bit ADC and both neighbours' thresholds are ½ away.
  CHECK(2 * q_function(1 / (2 * 0.2)) == doctest::Approx(1.24e-2).epsilon(0.005));
  CHECK(2 * q_function(1 / (2 * 0.25)) == doctest::Approx(4.55e-2).epsilon(0.005));
  const IntModel m = all_on_layer(128, 16);
  const std::vector<std::int8_t> x(128, std::int8_t{-1});
  for (double sigma : {0.2, 0.25}) {
    for (AdcType adc : {AdcType::IDEAL, AdcType::FLASH, AdcType::SAR}) {
      CAPTURE(sigma);
      CAPTURE(to_string(adc));
      ReadNoise rn;
      rn.floor_lsb = sigma;
      const LayerCounters c = run_embed(m, sparse_hw(adc, 4), NoiseOnly(rn), x, 60);
      check_rate(c.code_errors, c.conversions, 2 * q_function(1 / (2 * sigma)));
      CHECK(c.saturations == 0);
    }
  }
}

TEST_CASE("flash: each comparator draws its own noise; an interior count errs w.p. 2Q(1 − Q)") {
  // Comparator noise σ_c on each decision: count c is wrong if comparator c fails to fire or
  // comparator c + 1 fires, independently (the others are ≥ 1.5 LSB away): 2Q − 2Q², Q = Q(½/σ).
  // One shared draw per conversion would give 2Q(½/σ) too, but never a second-neighbour pattern;
  // the distinction shows in the margin: with independent draws both thresholds move.
  const IntModel m = all_on_layer(128, 16);
  const std::vector<std::int8_t> x(128, std::int8_t{-1});
  for (double sigma : {0.2, 0.3}) {
    ReadNoise rn;
    rn.comparator_lsb = sigma;
    const LayerCounters c = run_embed(m, sparse_hw(AdcType::FLASH, 4), NoiseOnly(rn), x, 60);
    const double q = q_function(0.5 / sigma);
    check_rate(c.code_errors, c.conversions, 2 * q * (1 - q));
  }
  // The ideal ADC has no comparators: comparator noise does not reach it.
  ReadNoise rn;
  rn.comparator_lsb = 0.3;
  CHECK(run_embed(m, sparse_hw(AdcType::IDEAL, 4), NoiseOnly(rn), x, 10).code_errors == 0);
}

TEST_CASE("bitline noise variance grows linearly with the active conductance, per level with 1/f") {
  // Dense reads; n rows carry input 1 (plane 0 only), so each bitline counts n on-cells and its
  // reference column n off-cells: thermal/shot σ² = a·n·(1 + 2·g_off), cell fluctuation
  // σ² = r²·n·((1 + g_off)² + g_off²), in LSB². Errors (plane 0 only): 2Q(½/σ).
  HardwareConfig h;
  h.adc = AdcType::IDEAL;
  h.enob = 8;
  h.schedule = MvmSchedule::DENSE;
  const double g_off = h.g_off_siemens / (h.g_on_siemens - h.g_off_siemens);
  const IntModel m = all_on_layer(128, 16);
  const int tokens = 400;
  for (int n : {4, 16, 64}) {
    std::vector<std::int8_t> x(128, std::int8_t{0});
    for (int i = 0; i < n; ++i) x[static_cast<std::size_t>(i)] = 1;
    ReadNoise thermal;
    thermal.per_g_counts2 = 0.0055;
    ReadNoise cell;
    cell.cell_rel = 0.07;
    // σ per programmed level (1/f noise): the off cells' own σ (here 3, so that the reference
    // column's n off cells weigh) and the on cells': σ² = n·((r_on(1 + g_off))² + (r_off·g_off)²).
    ReadNoise level;
    level.cell_rel_by_level = {3.0, 0.05};
    for (const ReadNoise& rn : {thermal, cell, level}) {
      CAPTURE(n);
      const double by_level = rn.cell_rel_by_level.empty()
                                  ? 0.0
                                  : n * (std::pow(rn.cell_rel_by_level[1] * (1 + g_off), 2) +
                                         std::pow(rn.cell_rel_by_level[0] * g_off, 2));
      const double var =
          rn.per_g_counts2 * n * (1 + 2 * g_off) +
          rn.cell_rel * rn.cell_rel * n * ((1 + g_off) * (1 + g_off) + g_off * g_off) + by_level;
      const LayerCounters c = run_embed(m, h, NoiseOnly(rn), x, tokens);
      const std::uint64_t plane0 = static_cast<std::uint64_t>(tokens) * m.embed.out * 8;
      check_rate(c.code_errors, plane0, 2 * q_function(0.5 / std::sqrt(var)));
    }
  }
}

TEST_CASE("temporal noise variables: i.i.d. N(0, 1), tails at rate 2Q(REACH), random access") {
  // Every variable computed in order: the inner ones are the normal truncated to ±REACH, the
  // tail ones beyond it, together N(0, 1); the tail count is binomial with p = 2Q(REACH).
  TemporalNoise all(0x5eed);
  const std::uint64_t n = 2000000;
  std::vector<double> z(n);
  std::uint64_t tails = 0, misplaced = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    const bool tail = all.is_tail(i);
    z[i] = all.z(i);
    tails += tail;
    misplaced += (std::abs(z[i]) > TemporalNoise::REACH) != tail;
    all.skip_to(i + 1);
  }
  CHECK(misplaced == 0);
  check_rate(tails, n, 2 * q_function(TemporalNoise::REACH));
  double sum = 0, sum2 = 0;
  for (double v : z) {
    sum += v;
    sum2 += v * v;
  }
  const double mean = sum / n, var = sum2 / n - mean * mean;
  CHECK(std::abs(mean) <= K_SIGMA / std::sqrt(static_cast<double>(n)));
  CHECK(std::abs(var - 1) <= K_SIGMA * std::sqrt(2.0 / n));
  // Random access: every 13th variable alone is the same value as in the full walk.
  TemporalNoise sparse(0x5eed);
  std::uint64_t differ = 0;
  for (std::uint64_t i = 5; i < n; i += 13) {
    differ += sparse.z(i) != z[i];
    sparse.skip_to(i + 1);
  }
  CHECK(differ == 0);
  CHECK(sparse.inner_draws() < n / 12);
}

TEST_CASE("lazy temporal noise gives the codes of drawing every variable, at a fraction of draws") {
  // A varied chip (cells, comparators, sense stages) with bitline and comparator noise large
  // enough that many conversions come within reach of a threshold: the lazy evaluation must
  // give the same products and the same code errors as computing every noise variable.
  IntModel m = all_on_layer(128, 16);
  std::uint64_t state = 12345;
  for (auto& w : m.embed.w) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    w = static_cast<std::int8_t>(static_cast<int>(state >> 56) - 128);
  }
  std::vector<std::int8_t> x;
  for (int t = 0; t < 20 * 128; ++t) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    x.push_back(static_cast<std::int8_t>(static_cast<int>(state >> 56) - 128));
  }
  VariationConfig v;  // the defaults, with louder noise
  v.read_noise_rel_ion = 0.05;
  v.comparator_noise_mv = 3.0;
  for (AdcType adc : {AdcType::FLASH, AdcType::SAR, AdcType::IDEAL}) {
    CAPTURE(to_string(adc));
    HardwareConfig h = sparse_hw(adc, 3);
    const PvtSampler sampler(v, OperatingPoint{}, h, 77, 3);
    const ChipInstance chip(m, h, sampler);
    std::vector<std::int32_t> lazy_acc(20 * 16), every_acc(20 * 16);
    const PimMvm lazy(chip, 8, NoiseDraws::LAZY), every(chip, 8, NoiseDraws::EVERYWHERE);
    lazy.mvm(m.embed, x.data(), 20, lazy_acc.data());
    every.mvm(m.embed, x.data(), 20, every_acc.data());
    CHECK(lazy_acc == every_acc);
    const LayerCounters a = lazy.counters().at("embed"), b = every.counters().at("embed");
    CHECK(a.code_errors > 0);
    CHECK(a.code_errors == b.code_errors);
    CHECK(a.dcode_hist == b.dcode_hist);
    CHECK(a.saturations == b.saturations);
    // Every variable drawn by the reference (bitline, and each decision of a converter with
    // comparators), a small share by the lazy evaluation.
    const std::uint64_t per = 1 + (adc == AdcType::IDEAL ? 0 : adc_decisions(adc, 3));
    CHECK(every.noisy_conversions() == lazy.noisy_conversions());
    CHECK(every.noise_draws() > (per - 1) * every.noisy_conversions() * 95 / 100);
    CHECK(lazy.noise_draws() < every.noise_draws() / 2);
  }
}

TEST_CASE("one noisy engine driven by 4 threads gives each sample the products of one thread") {
  // Every noise variable is keyed by its place (sample, layer, token, read, bitline): samples
  // run in any order, on any thread, with the same products and exactly merged counters. Loud
  // bitline, comparator and telegraph noise on a varied chip; weight layer and an attention
  // product on the chip. (The check that the engine holds no shared mutable state under
  // ThreadSanitizer: scripts/check-threads.sh.)
  IntModel m = all_on_layer(128, 16);
  m.blocks.resize(1);
  std::uint64_t state = 99;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::int8_t>(static_cast<int>(state >> 56) - 128);
  };
  for (auto& w : m.embed.w) w = next();
  constexpr int SAMPLES = 24, TOKENS = 3;
  std::vector<std::int8_t> x(static_cast<std::size_t>(SAMPLES) * TOKENS * 128);
  for (auto& v : x) v = next();
  VariationConfig v;
  v.read_noise_rel_ion = 0.05;
  v.comparator_noise_mv = 3.0;
  v.rtn_cell_fraction = 0.05;
  HardwareConfig h = sparse_hw(AdcType::FLASH, 3);
  h.attention = AttentionPlacement::PIM;
  const PvtSampler sampler(v, OperatingPoint{}, h, 41, 2);
  const ChipInstance chip(m, h, sampler);
  const AttentionOperand op{0, AttentionOperand::Product::QK, 0, 16, 128, m.embed.w.data()};
  using Products = std::vector<std::vector<std::int32_t>>;
  auto run = [&](const PimMvm& pim, std::size_t s, Products& out) {
    const std::int8_t* xs = x.data() + s * TOKENS * 128;
    out[s].resize(2 * TOKENS * 16);
    pim.mvm(m.embed, xs, TOKENS, out[s].data(), s);
    pim.mvm_attention(op, reinterpret_cast<const std::uint8_t*>(xs), InputKind::SIGNED_INT8, TOKENS,
                      out[s].data() + TOKENS * 16, s);
  };
  const PimMvm one(chip, 8), many(chip, 8);
  Products a(SAMPLES), b(SAMPLES);
  for (std::size_t s = SAMPLES; s-- > 0;) run(one, s, a);  // one thread, in reverse order
  const tbb::global_control four(tbb::global_control::max_allowed_parallelism, 4);
  tbb::task_arena(4).execute([&] {
    parallel_for(std::size_t{0}, std::size_t{SAMPLES}, [&](std::size_t s) { run(many, s, b); });
  });
  CHECK(a == b);
  CHECK(one.noisy_conversions() == many.noisy_conversions());
  CHECK(one.noise_draws() == many.noise_draws());
  for (const std::string name : {"embed", "blocks/0/attn_qk"}) {
    CAPTURE(name);
    const LayerCounters c = one.counters().at(name), d = many.counters().at(name);
    CHECK(c.conversions > 0);
    CHECK(c.code_errors > 0);
    CHECK(c.code_errors == d.code_errors);
    CHECK(c.dcode_hist == d.dcode_hist);
    CHECK(c.margin_hist == d.margin_hist);
    CHECK(c.margin_min_lsb == d.margin_min_lsb);
    CHECK(c.signal_sq.value() == d.signal_sq.value());
    CHECK(c.error_sq.value() == d.error_sq.value());
  }
  // The engine's plane lists hold 8 planes: a wider input is refused, naming the width.
  CHECK_THROWS_WITH_AS(PimMvm(chip, 9), "PimMvm: act_bits = 9 outside 2..8", ModelError);
  // A sample's products are its own: the same inputs under another sample's key differ.
  Products c(SAMPLES);
  const PimMvm other(chip, 8);
  std::vector<std::int32_t> moved(2 * TOKENS * 16);
  other.mvm(m.embed, x.data(), TOKENS, moved.data(), 1);
  CHECK(!std::equal(moved.begin(), moved.begin() + TOKENS * 16, a[0].begin()));
}

TEST_CASE("frozen comparator offsets: wrong codes, crossed thresholds, a whole 4-bit flash") {
  // σ_os = A_VT/√(WL)/V_lsb; V_lsb = 0.4 V/16 = 25 mV for a 4-bit flash.
  VariationConfig v = VariationConfig::none();
  v.avt_mv_um = 3.5;
  v.offset_tempco_per_k = 0;
  HardwareConfig h = sparse_hw(AdcType::FLASH, 4);
  auto sample = [&](double sigma_lsb, int adcs) {
    h.comparator_wl_um2 = std::pow(3.5e-3 / (sigma_lsb * h.v_lsb()), 2);
    const PvtSampler s(v, OperatingPoint{}, h, 21, 0);
    std::vector<std::vector<float>> out;
    for (int a = 0; a < adcs; ++a) {
      std::vector<float> p(15);
      nominal_adc_params(AdcType::FLASH, 4, 0.0, p);
      s.adc("layer", 0, a, p, {});
      out.push_back(p);
    }
    return out;
  };
  {  // An interior count c is wrong if o_c > ½ or o_{c+1} < −½: 2Q − Q², Q = Q(½/σ_os) (≈ 2Q).
    const double sigma = 0.2;
    std::uint64_t wrong = 0, n = 0;
    for (const auto& p : sample(sigma, 20000))
      for (int c = 1; c <= 14; ++c) {
        float margin = 0;
        wrong += adc_convert(AdcType::FLASH, 4, p, static_cast<float>(c), c, margin) != c;
        ++n;
      }
    const double q = q_function(0.5 / sigma);
    check_rate(wrong, n, 2 * q - q * q);
  }
  {  // Adjacent thresholds cross (t_{k+1} < t_k) with probability Q(1/(√2·σ_os)).
    const double sigma = 0.3;
    std::uint64_t crossed = 0, n = 0;
    for (const auto& p : sample(sigma, 20000))
      for (int k = 0; k + 1 < 15; ++k) {
        crossed += p[static_cast<std::size_t>(k) + 1] < p[static_cast<std::size_t>(k)];
        ++n;
      }
    check_rate(crossed, n, q_function(1 / (std::sqrt(2.0) * sigma)));
  }
  {  // All 15 thresholds within ±½ LSB of nominal: (1 − 2Q(½/σ_os))^15.
    const double sigma = 0.2;
    std::uint64_t good = 0, n = 0;
    for (const auto& p : sample(sigma, 20000)) {
      bool all = true;
      for (int k = 0; k < 15; ++k)
        all = all && std::abs(p[static_cast<std::size_t>(k)] - (k + 0.5)) < 0.5;
      good += all;
      ++n;
    }
    check_rate(good, n, std::pow(1 - 2 * q_function(0.5 / sigma), 15));
  }
}

TEST_CASE("offset trim: residual uniform within ±½ step at calibration, drift away from it shows") {
  VariationConfig v = VariationConfig::none();
  v.avt_mv_um = 3.5;                                // σ_os = 11 mV at W·L = 0.1 µm²
  HardwareConfig h = sparse_hw(AdcType::FLASH, 3);  // V_lsb = 50 mV
  h.offset_trim = OffsetTrim::TRIM;
  h.trim_bits = 6;  // ±31 steps of 2 mV: ±62 mV, 5.6σ, never clamps here
  h.trim_step_mv = 2.0;
  h.trim_dac_sigma_rel = 0.0;
  const double step_lsb = 2e-3 / h.v_lsb();
  auto residuals = [&](double temp_c) {
    OperatingPoint op;
    op.temp_c = temp_c;
    const PvtSampler s(v, op, h, 33, 0);
    std::vector<double> r;
    std::vector<float> p(7);
    for (int a = 0; a < 6000; ++a) {
      nominal_adc_params(AdcType::FLASH, 3, 0.0, p);
      s.adc("layer", 0, a, p, {});
      for (int k = 0; k < 7; ++k) r.push_back(p[static_cast<std::size_t>(k)] - (k + 0.5));
    }
    return r;
  };
  const std::vector<double> at_cal = residuals(h.cal_temp_c);
  double sum = 0, sum2 = 0, max_abs = 0;
  for (double r : at_cal) {
    sum += r;
    sum2 += r * r;
    max_abs = std::max(max_abs, std::abs(r));
  }
  const auto n = static_cast<double>(at_cal.size());
  CHECK(max_abs <= 0.5 * step_lsb * (1 + 1e-5));
  const double var_u = step_lsb * step_lsb / 12;  // uniform on ±½ step
  CHECK(std::abs(sum / n) <= K_SIGMA * std::sqrt(var_u / n));
  const double var_of_r2 = std::pow(step_lsb, 4) * (1.0 / 80 - 1.0 / 144);
  CHECK(std::abs(sum2 / n - var_u) <= K_SIGMA * std::sqrt(var_of_r2 / n));
  // 100 K hotter than calibration: σ_os grows by tempco·ΔT = 0.2, which the trim does not
  // follow: residual variance (0.2·σ_os)² + step²/12.
  const std::vector<double> hot = residuals(h.cal_temp_c + 100);
  double hot2 = 0;
  for (double r : hot) hot2 += r * r;
  const double sigma_os = 3.5e-3 / std::sqrt(0.1) / h.v_lsb();
  const double var_hot = std::pow(0.2 * sigma_os, 2) + var_u;
  CHECK(std::abs(hot2 / n - var_hot) <= K_SIGMA * var_hot * std::sqrt(2.0 / n));
  // Untrimmed, the residual is the offset itself.
  h.offset_trim = OffsetTrim::NONE;
  double raw2 = 0;
  for (double r : residuals(h.cal_temp_c)) raw2 += r * r;
  CHECK(std::abs(raw2 / n - sigma_os * sigma_os) <=
        K_SIGMA * sigma_os * sigma_os * std::sqrt(2.0 / n));
}

TEST_CASE("reference calibration: replica tracks G_on at the operating point, one-point at cal") {
  // Die-level G_on +10 %, the chip 100 K above calibration with α_on = −0.001/K (G_on −10 %).
  VariationConfig v = VariationConfig::none();
  v.alpha_on_per_k = -0.001;
  OperatingPoint op;
  op.g_on_shift = 0.1;
  op.temp_c = v.t0_c + 100;
  HardwareConfig h = sparse_hw(AdcType::FLASH, 3);
  h.cal_temp_c = v.t0_c;
  auto scale = [&](ReferenceCal ref, std::uint64_t adc) {
    h.reference = ref;
    const PvtSampler s(v, op, h, 5, 0);
    std::vector<float> p(7);
    nominal_adc_params(AdcType::FLASH, 3, 0.0, p);
    s.adc("layer", 0, static_cast<int>(adc), p, {});
    return p[0] / 0.5;  // the first threshold, nominally ½ LSB
  };
  CHECK(scale(ReferenceCal::NONE, 0) == doctest::Approx(1.0));
  CHECK(scale(ReferenceCal::REPLICA, 0) == doctest::Approx(1.1 * 0.9).epsilon(1e-6));
  // One-point: calibrated at T0 (G_on × 1.1), in steps of 0.5 %: within half a step.
  CHECK(std::abs(scale(ReferenceCal::ONE_POINT, 0) - 1.1) <= 0.5 * h.gain_trim_step_rel + 1e-6);
  // A replica column of N cells with lognormal spread σ_on: its ratio's spread over ADCs is
  // (1 + shift)·(1 − 0.1)·√(e^{σ²} − 1)/√N.
  v.cell_sigma_on = 0.1;
  h.replica_cells = 16;
  std::vector<double> r;
  for (std::uint64_t a = 0; a < 20000; ++a) r.push_back(scale(ReferenceCal::REPLICA, a));
  double mean = 0, m2 = 0;
  for (double x : r) mean += x;
  mean /= static_cast<double>(r.size());
  for (double x : r) m2 += (x - mean) * (x - mean);
  const double sd = std::sqrt(m2 / static_cast<double>(r.size() - 1));
  const double want_sd = 0.99 * std::sqrt(std::exp(0.01) - 1) / 4;
  const auto n = static_cast<double>(r.size());
  CHECK(std::abs(mean - 0.99) <= K_SIGMA * want_sd / std::sqrt(n));
  CHECK(std::abs(sd - want_sd) <= K_SIGMA * want_sd / std::sqrt(2 * n));
}

namespace {
// Records the array names whose cells are sampled.
class RecordingSampler final : public DeviceSampler {
 public:
  bool varies_cells() const override { return true; }
  void cells(const std::string& layer, int, int, int, std::span<float>) const override {
    const std::lock_guard<std::mutex> lock(mutex_);
    names.insert(layer);
  }
  mutable std::set<std::string> names;

 private:
  mutable std::mutex mutex_;
};
}  // namespace

TEST_CASE("attention arrays: every write is a new programming event, keyed by its sample") {
  IntModel m = all_on_layer(16, 4);
  m.blocks.resize(1);
  HardwareConfig h = sparse_hw(AdcType::FLASH, 3);
  h.attention = AttentionPlacement::PIM;
  const RecordingSampler rec;
  const ChipInstance chip(m, h, rec);
  std::vector<std::int8_t> w(16 * 4, std::int8_t{3});
  std::vector<std::uint8_t> x(16, std::uint8_t{1});
  std::vector<std::int32_t> acc(4);
  const AttentionOperand op{0, AttentionOperand::Product::QK, 1, 4, 16, w.data()};
  for (int trial = 0; trial < 3; ++trial) {
    const PimMvm pim(chip, 8);  // a trial's engine: the writes of samples 5 and 1, in that order
    pim.mvm_attention(op, x.data(), InputKind::SIGNED_INT8, 1, acc.data(), 5);
    pim.mvm_attention(op, x.data(), InputKind::SIGNED_INT8, 1, acc.data(), 1);
  }
  CHECK(rec.names.count("blocks/0/attn_qk/1/write/5") == 1);
  CHECK(rec.names.count("blocks/0/attn_qk/1/write/1") == 1);
  CHECK(rec.names.count("blocks/0/attn_qk/1/write/0") == 0);  // the sample, not the call order
  // Distinct names are distinct programming events: their cells' streams differ.
  VariationConfig v = VariationConfig::none();
  v.cell_sigma_on = 0.1;
  const PvtSampler s(v, OperatingPoint{}, h, 1, 0);
  std::vector<float> a(64, 1.01f), b(64, 1.01f);
  s.cells("blocks/0/attn_qk/1/write/0", 0, 8, 8, a);
  s.cells("blocks/0/attn_qk/1/write/1", 0, 8, 8, b);
  CHECK(a != b);
}

TEST_CASE("telegraph noise: a binomial number of cells up or down; cells chosen at the fraction") {
  // Every cell telegraphs with amplitude a = 0.6/G_on (±0.3 counts for an on-cell). Dense reads
  // of 4 on-cells (plane 0): deviation 0.3·(2B − 4), B ~ Binomial(4, ½): wrong unless B = 2,
  // P = 1 − 6/16 (the off-cells' ±0.003 cannot cross ½).
  HardwareConfig h;
  h.adc = AdcType::IDEAL;
  h.enob = 8;
  h.schedule = MvmSchedule::DENSE;
  const double g_on = 1 + h.g_off_siemens / (h.g_on_siemens - h.g_off_siemens);
  VariationConfig v = VariationConfig::none();
  v.rtn_cell_fraction = 1.0;
  v.rtn_amplitude_rel = 0.6 / g_on;
  const IntModel m = all_on_layer(128, 16);
  std::vector<std::int8_t> x(128, std::int8_t{0});
  for (int i = 0; i < 4; ++i) x[static_cast<std::size_t>(i)] = 1;
  const int tokens = 200;
  const LayerCounters c = run_embed(m, h, PvtSampler(v, OperatingPoint{}, h, 8, 0), x, tokens);
  check_rate(c.code_errors, static_cast<std::uint64_t>(tokens) * m.embed.out * 8, 1 - 6.0 / 16);
  // The frozen choice: a fraction p of the cells, binomially.
  v.rtn_cell_fraction = 0.03;
  const PvtSampler s(v, OperatingPoint{}, h, 8, 0);
  std::vector<float> g(200 * 129, static_cast<float>(g_on));
  std::uint64_t chosen = 0, n = 0;
  for (int rt = 0; rt < 40; ++rt) {
    std::vector<RtnCell> cells;
    s.rtn_cells("layer", rt, 200, 129, g, cells);
    chosen += cells.size();
    n += g.size();
    for (const RtnCell& cell : cells) CHECK(cell.amplitude == doctest::Approx(0.6).epsilon(1e-5));
  }
  check_rate(chosen, n, 0.03);
}
