// The AMS-PiM engine: mapping and recombination, chunking, ADC boundaries, the hardware file,
// the cost model, and exactness of the simulated MVMs against the digital integer pipeline.
#include <doctest/doctest.h>

#include <functional>
#include <random>

#include "rapmc/core/errors.h"
#include "rapmc/core/parallelism.h"
#include "rapmc/infer/evaluate.h"
#include "rapmc/infer/flare_engine.h"
#include "rapmc/infer/ptq_dqq_inference.h"
#include "rapmc/pim/adc.h"
#include "rapmc/pim/chip.h"
#include "rapmc/pim/cost.h"
#include "rapmc/pim/hardware.h"
#include "rapmc/pim/mapping.h"
#include "rapmc/pim/pim_mvm.h"
#include "test_support.h"

using namespace rapmc;
using namespace rapmc::pim;

namespace {

// Forces the analog (float) path of the engine while keeping nominal devices, so exactness
// there is tested too.
class AnalogNominal final : public DeviceSampler {
 public:
  bool varies_cells() const override { return true; }
  bool varies_adcs() const override { return true; }
  bool varies_sense() const override { return true; }
};

HardwareConfig hw_with(MvmSchedule schedule, WeightMapping mapping, int cell_bits, int enob,
                       AdcType adc, int rows = 128, int k = 7) {
  HardwareConfig h;
  h.schedule = schedule;
  h.mapping = mapping;
  h.cell_bits = cell_bits;
  h.enob = enob;
  h.adc = adc;
  h.tile_rows = rows;
  h.sparse_k = k;
  return h;
}

}  // namespace

TEST_CASE("weight mapping: every weight recombines exactly from its slices") {
  for (auto [mapping, cell_bits] : {std::pair{WeightMapping::TWOS_COMPLEMENT, 1},
                                    {WeightMapping::DIFFERENTIAL, 1},
                                    {WeightMapping::DIFFERENTIAL, 2},
                                    {WeightMapping::DIFFERENTIAL, 3},
                                    {WeightMapping::DIFFERENTIAL, 4}}) {
    for (int bits = 2; bits <= 8; ++bits) {
      const SliceLayout l = slice_layout(mapping, bits, cell_bits);
      const int lo =
          mapping == WeightMapping::TWOS_COMPLEMENT ? -(1 << (bits - 1)) : -((1 << (bits - 1)) - 1);
      for (int w = lo; w <= (1 << (bits - 1)) - 1; ++w) {
        int v = 0;
        for (int s = 0; s < l.slices(); ++s) {
          const int d = weight_digit(l, w, s);
          REQUIRE(d >= 0);
          REQUIRE(d < (1 << cell_bits));
          v += l.weight[s] * d;
        }
        CAPTURE(bits);
        const auto cell_bits_ = cell_bits;  // Clang 14 lambdas cannot capture a structured binding
        CAPTURE(cell_bits_);
        REQUIRE(v == w);
      }
    }
  }
  CHECK(slice_layout(WeightMapping::TWOS_COMPLEMENT, 8, 1).weight.back() == -128);
  CHECK(slice_layout(WeightMapping::DIFFERENTIAL, 8, 2).slices() == 8);
}

TEST_CASE("input bit-planes: every int8 value is the signed sum of its planes") {
  for (int x = -128; x <= 127; ++x) {
    int v = 0;
    for (int p = 0; p < 8; ++p) v += plane_weight(p, 8) * plane_bit(x, p);
    REQUIRE(v == x);
  }
  for (int x = -8; x <= 7; ++x) {  // 4-bit activations
    int v = 0;
    for (int p = 0; p < 4; ++p) v += plane_weight(p, 4) * plane_bit(x, p);
    REQUIRE(v == x);
  }
}

TEST_CASE("ADC models: codes and signed margins at every threshold, nominal flash = sar = ideal") {
  for (int enob = 1; enob <= 8; ++enob) {
    const int top = (1 << enob) - 1;
    std::vector<float> flash(static_cast<std::size_t>(adc_param_count(AdcType::FLASH, enob)));
    std::vector<float> sar(static_cast<std::size_t>(adc_param_count(AdcType::SAR, enob)));
    nominal_adc_params(AdcType::FLASH, enob, 0.0, flash);
    nominal_adc_params(AdcType::SAR, enob, 0.0, sar);
    for (int k = 0; k <= top + 2; ++k) {
      for (float du : {-0.49f, -0.01f, 0.0f, 0.01f, 0.49f}) {
        const float u = static_cast<float>(k) + du;
        const int expect = std::clamp(k, 0, top) - (k == 0 && du < 0 ? 0 : 0);
        float mf = 0, ms = 0, mi = 0;
        CAPTURE(enob);
        CAPTURE(u);
        CHECK(adc_convert(AdcType::FLASH, enob, flash, u, expect, mf) == expect);
        CHECK(adc_convert(AdcType::SAR, enob, sar, u, expect, ms) == expect);
        CHECK(adc_convert(AdcType::IDEAL, enob, {}, u, expect, mi) == expect);
        if (k >= 1 && k < top) {  // inside the interval of the right code: 0.5 - |du|
          CHECK(mf == doctest::Approx(0.5 - std::abs(du)).epsilon(1e-5));
          CHECK(ms == doctest::Approx(0.5 - std::abs(du)).epsilon(1e-5));
          CHECK(mi == doctest::Approx(0.5 - std::abs(du)).epsilon(1e-5));
        }
        // Against a wrong ideal code the margin is negative: the value sits outside its interval.
        if (k >= 1 && k <= top && std::abs(du) < 0.4f) {
          CHECK(adc_convert(AdcType::FLASH, enob, flash, u, k - 1, mf) == expect);
          CHECK(mf < 0.0f);
          CHECK(adc_convert(AdcType::SAR, enob, sar, u, k - 1, ms) == expect);
          CHECK(ms < 0.0f);
        }
      }
    }
    // Just either side of each threshold k - 1/2.
    for (int k = 1; k <= top; ++k) {
      float m = 0;
      CHECK(adc_convert(AdcType::FLASH, enob, flash, k - 0.5f + 1e-3f, k, m) == k);
      CHECK(adc_convert(AdcType::FLASH, enob, flash, k - 0.5f - 1e-3f, k - 1, m) == k - 1);
      CHECK(adc_convert(AdcType::SAR, enob, sar, k - 0.5f + 1e-3f, k, m) == k);
      CHECK(adc_convert(AdcType::SAR, enob, sar, k - 0.5f - 1e-3f, k - 1, m) == k - 1);
    }
  }
  // A comparator offset shifts exactly its own threshold. The old margin (distance to the nearest
  // threshold met) called the wrong code 2 below 2.8 a 0.1-LSB margin; the signed margin against
  // the ideal code 3 is −0.1.
  std::vector<float> flash(7);
  nominal_adc_params(AdcType::FLASH, 3, 0.0, flash);
  flash[2] += 0.3f;  // threshold of code 3 moves from 2.5 to 2.8
  float m = 0;
  CHECK(adc_convert(AdcType::FLASH, 3, flash, 2.7f, 3, m) == 2);
  // The top code has no threshold above it: a count beyond full scale keeps the distance to the
  // threshold below as its margin (the ideal ADC's rule, as flash's and SAR's).
  for (int enob : {1, 3, 8}) {
    const int top = (1 << enob) - 1;
    CAPTURE(enob);
    for (float over : {0.2f, 2.0f, 40.0f}) {
      float mi = 0;
      CHECK(adc_convert(AdcType::IDEAL, enob, {}, static_cast<float>(top) + over, top, mi) == top);
      CHECK(mi == doctest::Approx(over + 0.5));
    }
  }
  CHECK(m == doctest::Approx(-0.1).epsilon(1e-4));
  CHECK(adc_convert(AdcType::FLASH, 3, flash, 2.9f, 3, m) == 3);
  CHECK(m == doctest::Approx(0.1).epsilon(1e-4));
  // Crossed thresholds (a bubble): comparator 3 fires, comparator 2 does not, the ones-count is
  // right by luck; the signed margin shows the wrong decision.
  flash[1] = 2.95f;  // threshold of code 2 above that of code 3 (2.8)
  CHECK(adc_convert(AdcType::FLASH, 3, flash, 2.9f, 2, m) == 2);
  CHECK(m < 0.0f);
  // SAR comparator offset: shifts every decision; a wrong code has a negative margin on the
  // ideal code's path (here the last decision, 2.55 against 2.5 for the ideal code 2).
  std::vector<float> sar(4);
  nominal_adc_params(AdcType::SAR, 3, 0.0, sar);
  sar[0] = 0.2f;  // input referred +0.2 LSB
  CHECK(adc_convert(AdcType::SAR, 3, sar, 2.35f, 2, m) == 3);
  CHECK(m == doctest::Approx(-0.05).epsilon(1e-4));
  CHECK(adc_convert(AdcType::SAR, 3, sar, 2.25f, 2, m) == 2);
  CHECK(m == doctest::Approx(0.05).epsilon(1e-4));
}

TEST_CASE("hardware files: shipped files load; bad keys and values are named together [E22]") {
  const HardwareConfig rap = load_hardware(test::source_path("data/hardware/rap.toml"));
  CHECK(rap.schedule == MvmSchedule::SPARSE);
  CHECK(rap.sparse_k == 7);
  CHECK(rap.enob == 3);
  CHECK(rap.bits_to_resolve() == 3);
  CHECK(rap.offset_trim == OffsetTrim::TRIM);
  CHECK(rap.reference == ReferenceCal::REPLICA);
  const HardwareConfig conv = load_hardware(test::source_path("data/hardware/conventional.toml"));
  CHECK(conv.schedule == MvmSchedule::DENSE);
  CHECK(conv.bits_to_resolve() == 8);  // a count of 128 clips to 127
  CHECK(conv.enob == 7);
  CHECK(conv.offset_trim == OffsetTrim::TRIM);
  // The designs before calibration was modelled stay loadable as named files.
  for (const char* f :
       {"data/hardware/rap_untrimmed.toml", "data/hardware/conventional_8bit_untrimmed.toml"}) {
    const HardwareConfig h = load_hardware(test::source_path(f));
    CHECK(h.offset_trim == OffsetTrim::NONE);
    CHECK(h.reference == ReferenceCal::NONE);
  }
  CHECK_THROWS_WITH_AS(
      parse_hardware("[calibration]\nreference = 'magic'\ntrim_bits = 1\n", "h.toml"),
      test::has("'calibration.reference' = 'magic' is not one of none|replica|one_point"),
      ConfigError);

  CHECK_THROWS_WITH_AS(
      parse_hardware("[adc]\nenob = 0\ncolor = 'red'\n[array]\ntile_rows = 'x'\n", "h.toml"),
      test::has("h.toml: 3 problems:\n  'array.tile_rows' must be an integer\n  'adc.enob' = 0 is "
                "out of range 1..12\n  'adc.color' is not a known key"),
      ConfigError);
  CHECK_THROWS_WITH_AS(parse_hardware("[schedule]\nk = 200\n", "h.toml"),
                       test::has("'schedule.k' = 200 exceeds array.tile_rows"), ConfigError);
  CHECK_THROWS_WITH_AS(parse_hardware("[schedule]\nk = 0\n", "h.toml"),
                       test::has("'schedule.k' = 0 is out of range"), ConfigError);
  CHECK_THROWS_WITH_AS(parse_hardware("[adc]\ntype = 'pipelined'\n", "h.toml"),
                       test::has("'adc.type' = 'pipelined' is not one of ideal|flash|sar"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(parse_hardware("[array]\ncell_bits = 2\n", "h.toml"),
                       test::has("'array.mapping' = 'twos_complement' needs array.cell_bits = 1"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(parse_hardware("[array]\ng_off_siemens = 1e-3\n", "h.toml"),
                       test::has("must be below array.g_on_siemens"), ConfigError);
  CHECK_THROWS_WITH_AS(parse_hardware("[array\n", "h.toml"), test::has("h.toml:1:"), ConfigError);
  CHECK_THROWS_WITH_AS(load_hardware("/nonexistent/hw.toml"),
                       test::has("/nonexistent/hw.toml: cannot open"), IoError);
}

TEST_CASE("cost model against hand-computed cases") {
  HardwareConfig h =
      hw_with(MvmSchedule::SPARSE, WeightMapping::TWOS_COMPLEMENT, 1, 3, AdcType::FLASH);
  // A comparator: 20 fJ + 16 fJ/µm²·0.1 µm² per decision; 15 µm² + 8·0.1 µm² of area.
  const double e_cmp = 20e-15 + 16e-15 * 0.1, a_cmp = 15.0 + 8 * 0.1;
  CHECK(comparator_decision_energy_j(h) == doctest::Approx(e_cmp));
  CHECK(adc_energy_j(h) == doctest::Approx(7 * e_cmp));
  CHECK(adc_area_um2(h) == doctest::Approx(7 * a_cmp));
  h.adc = AdcType::SAR;
  h.enob = 8;
  CHECK(adc_energy_j(h) == doctest::Approx(256 * 10e-15 + 8 * 16e-15 * 0.1));
  CHECK(adc_area_um2(h) == doctest::Approx(a_cmp + 256 * 2.0));
  // Margin costs: a 4× larger comparator, 5 trim bits per comparator, a 16-cell replica column.
  h.comparator_wl_um2 = 0.4;
  h.offset_trim = OffsetTrim::TRIM;
  h.reference = ReferenceCal::REPLICA;
  CHECK(adc_energy_j(h) == doctest::Approx(256 * 10e-15 + 8 * 16e-15 * 0.4));
  CHECK(adc_area_um2(h) == doctest::Approx(16 * 0.05 + 15.0 + 8 * 0.4 + 5 * 3.0 + 256 * 2.0));
  h.comparator_wl_um2 = 0.1;
  h.offset_trim = OffsetTrim::NONE;
  h.reference = ReferenceCal::NONE;
  // One layer 100 inputs × 20 outputs, 8 slices: 160 bitlines → 1 row tile × 2 column tiles.
  const IntModel m = test::random_layers(1, 100, 20);
  h.adc = AdcType::FLASH;
  h.enob = 3;
  const ChipInstance chip(m, h);
  LayerCounters t;
  t.reads = 1000;
  t.conversions = 40000;
  t.cell_ops = 100000;
  t.on_counts = 30000;
  const CostReport r = estimate_cost(h, chip, t, 10);
  CHECK(r.tiles == 4);  // embed and head/fc, 2 tiles each
  CHECK(r.reads == 100);
  CHECK(r.conversions == 4000);
  CHECK(r.adc_cycles == 100 * 8);
  const double e_array = 0.2 * 0.2 * 10e-9 * (10000 * 0.5e-6 + 3000 * 49.5e-6);
  CHECK(r.energy_array_j == doctest::Approx(e_array));
  CHECK(r.energy_adc_j == doctest::Approx(4000 * 7 * e_cmp));
  CHECK(r.energy_digital_j == doctest::Approx(4000 * 30e-15));
  CHECK(r.area_array_mm2 == doctest::Approx(4 * 128 * 129 * 0.05e-6));
  CHECK(r.area_adc_mm2 == doctest::Approx(4 * 16 * 7 * a_cmp * 1e-6));
  CHECK(r.area_digital_mm2 == doctest::Approx(4 * 128 * 20.0e-6));
}

namespace {
// The embed layer's MVM on the nominal chip and on a chip sampled through `analog` (no
// variation): the products equal `want` with no code error or saturation and the smallest
// decision margin `margin_lsb`; `more` checks each chip's counters further.
template <class Input, class Want>
void on_nominal_chips(
    const IntModel& m, const HardwareConfig& h, const DeviceSampler& analog, const Input& x,
    int tokens, const Want& want, double margin_lsb,
    const std::function<void(const ChipInstance&, const LayerCounters&)>& more = {}) {
  for (const DeviceSampler* sampler : {static_cast<const DeviceSampler*>(nullptr), &analog}) {
    const ChipInstance chip = sampler ? ChipInstance(m, h, *sampler) : ChipInstance(m, h);
    const PimMvm pim(chip, 8);
    std::vector<std::int32_t> got(want.size());
    pim.mvm(m.embed, x.data(), tokens, got.data());
    CHECK(std::equal(got.begin(), got.end(), want.begin(), want.end()));
    const LayerCounters c = pim.counters().at("embed");
    CHECK(c.code_errors == 0);
    CHECK(c.saturations == 0);
    CHECK(c.margin_min_lsb == doctest::Approx(margin_lsb).epsilon(1e-4));
    if (more) more(chip, c);
  }
}
}  // namespace

TEST_CASE("simulated MVMs are exact with ideal devices, for every schedule, mapping and path") {
  const int in = 300, out = 24, tokens = 6;  // 3 row tiles of 128, the last one partial
  const IntModel m = test::random_layers(7, in, out);
  const auto x = test::random_inputs(11, in * tokens);
  std::vector<std::int32_t> want(static_cast<std::size_t>(tokens) * out);
  DigitalMvm().mvm(m.embed, x.data(), tokens, want.data());
  const AnalogNominal analog;
  struct Config {
    MvmSchedule schedule;
    WeightMapping mapping;
    int cell_bits, enob, k;
    AdcType adc;
  };
  for (const Config& cfg :
       {Config{MvmSchedule::SPARSE, WeightMapping::TWOS_COMPLEMENT, 1, 3, 7, AdcType::FLASH},
        Config{MvmSchedule::SPARSE, WeightMapping::DIFFERENTIAL, 2, 4, 5, AdcType::FLASH},
        Config{MvmSchedule::DENSE, WeightMapping::TWOS_COMPLEMENT, 1, 8, 7, AdcType::SAR},
        Config{MvmSchedule::DENSE, WeightMapping::DIFFERENTIAL, 3, 10, 7, AdcType::SAR},
        Config{MvmSchedule::SPARSE, WeightMapping::DIFFERENTIAL, 1, 2, 3, AdcType::IDEAL}}) {
    HardwareConfig h =
        hw_with(cfg.schedule, cfg.mapping, cfg.cell_bits, cfg.enob, cfg.adc, 128, cfg.k);
    CAPTURE(to_string(cfg.schedule));
    CAPTURE(to_string(cfg.mapping));
    CAPTURE(cfg.cell_bits);
    REQUIRE(h.bits_to_resolve() <= h.enob);
    for (OffCurrent off : {OffCurrent::REFERENCE_COLUMN, OffCurrent::DIGITAL_OFFSET}) {
      h.off_current = off;
      on_nominal_chips(
          m, h, analog, x, tokens, want, 0.5,
          [&](const ChipInstance& chip, const LayerCounters& c) {
            // Reads: dense one per plane and row tile; sparse ceil(ones/K) per plane.
            std::uint64_t reads = 0, cell_ops = 0;
            for (int t = 0; t < tokens; ++t)
              for (int rt = 0; rt < 3; ++rt)
                for (int p = 0; p < 8; ++p) {
                  int ones = 0;
                  for (int i = rt * 128; i < std::min(in, rt * 128 + 128); ++i)
                    ones += plane_bit(x[t * in + i], p);
                  reads += cfg.schedule == MvmSchedule::DENSE ? 1 : (ones + cfg.k - 1) / cfg.k;
                  cell_ops += static_cast<std::uint64_t>(ones);
                }
            const int cols = out * chip.layout().slices();
            const int col_tiles = (cols + 127) / 128;
            CHECK(c.reads == reads * col_tiles);
            CHECK(c.conversions == reads * cols);
            CHECK(c.cell_ops == cell_ops * cols);
          });
    }
  }
}

TEST_CASE(
    "lsb_counts > 1: thresholds sit half a count from every reachable level, codes are ideal") {
  // An ADC LSB of L counts: the ideal code is round(count / L) (halves up), the decision
  // thresholds lie between reachable counts, so a nominal chip makes no code error and keeps a
  // margin of half a count, 1/(2L) LSB, for every ADC type, cell width and mapping.
  const int in = 200, out = 12, tokens = 3;
  const IntModel m = test::random_layers(5, in, out);
  const auto x = test::random_inputs(9, in * tokens);
  const AnalogNominal analog;
  for (int lsb = 1; lsb <= 4; ++lsb)
    for (AdcType adc : {AdcType::IDEAL, AdcType::FLASH, AdcType::SAR})
      for (const auto& [mapping, cell_bits] : {std::pair{WeightMapping::TWOS_COMPLEMENT, 1},
                                               std::pair{WeightMapping::DIFFERENTIAL, 2}}) {
        HardwareConfig h = hw_with(MvmSchedule::SPARSE, mapping, cell_bits, 5, adc, 128, 7);
        h.lsb_counts = lsb;
        CAPTURE(lsb);
        CAPTURE(to_string(adc));
        const auto cell_bits_ = cell_bits;  // Clang 14 lambdas cannot capture a structured binding
        CAPTURE(cell_bits_);
        const ChipInstance nominal(m, h);
        const SliceLayout& l = nominal.layout();
        const int top = (1 << h.enob) - 1;
        // The oracle: every read's exact count, coded ideally, shifted and added.
        std::vector<std::int64_t> want(static_cast<std::size_t>(tokens) * out, 0);
        for (int t = 0; t < tokens; ++t)
          for (int o = 0; o < out; ++o)
            for (int s = 0; s < l.slices(); ++s)
              for (int rt = 0; rt * 128 < in; ++rt)
                for (int p = 0; p < 8; ++p) {
                  int seen = 0, count = 0;
                  auto flush = [&] {
                    const int code = std::min((2 * count + lsb) / (2 * lsb), top);
                    want[static_cast<std::size_t>(t) * out + o] +=
                        static_cast<std::int64_t>(l.weight[s]) * plane_weight(p, 8) * lsb * code;
                    count = 0;
                  };
                  for (int i = rt * 128; i < std::min(in, rt * 128 + 128); ++i) {
                    if (!plane_bit(x[t * in + i], p)) continue;
                    count += weight_digit(l, m.embed.w[o * in + i], s);
                    if (++seen % 7 == 0) flush();  // K = 7 rows per read
                  }
                  if (seen % 7) flush();
                }
        on_nominal_chips(m, h, analog, x, tokens, want, 0.5 / lsb);
      }
}

TEST_CASE("too few ADC bits: saturations are counted and the sum clips exactly as the ADC does") {
  const int in = 128, out = 4, tokens = 3;
  const IntModel m = test::random_layers(3, in, out);
  const auto x = test::random_inputs(5, in * tokens);
  HardwareConfig h =
      hw_with(MvmSchedule::DENSE, WeightMapping::TWOS_COMPLEMENT, 1, 5, AdcType::FLASH);
  const ChipInstance chip(m, h);
  const PimMvm pim(chip, 8);
  std::vector<std::int32_t> got(static_cast<std::size_t>(tokens) * out);
  pim.mvm(m.embed, x.data(), tokens, got.data());
  // Brute force: per token, plane and bitline, the count clipped at 31.
  const SliceLayout l = chip.layout();
  std::uint64_t sat = 0;
  for (int t = 0; t < tokens; ++t)
    for (int o = 0; o < out; ++o) {
      std::int64_t v = 0;
      for (int s = 0; s < l.slices(); ++s)
        for (int p = 0; p < 8; ++p) {
          int count = 0;
          for (int i = 0; i < in; ++i)
            count += plane_bit(x[t * in + i], p) * weight_digit(l, m.embed.w[o * in + i], s);
          sat += count > 31;
          v += static_cast<std::int64_t>(l.weight[s]) * plane_weight(p, 8) * std::min(count, 31);
        }
      CHECK(got[t * out + o] == v);
    }
  const LayerCounters c = pim.counters().at("embed");
  CHECK(sat > 0);
  CHECK(c.saturations == sat);
  CHECK(c.code_errors == 0);  // clipping is the ideal ADC's behaviour, not a code error
}

TEST_CASE(
    "schedule.analog_layers: only matching layers run on the array, the others are exact digital "
    "MVMs") {
  HardwareConfig h;
  CHECK(h.is_analog("blocks/3/fc2"));  // default "*": every layer
  h.analog_layers = "blocks/*/fc2|head/fc";
  CHECK(h.is_analog("blocks/0/fc2"));
  CHECK(h.is_analog("blocks/12/fc2"));
  CHECK(h.is_analog("head/fc"));
  CHECK_FALSE(h.is_analog("blocks/0/fc1"));
  CHECK_FALSE(h.is_analog("embed"));
  h.analog_layers = "blocks/1/*";
  CHECK(h.is_analog("blocks/1/attn_qk"));
  CHECK_FALSE(h.is_analog("blocks/10/qkv"));

  // Too few ADC bits make every analog layer wrong; a digital layer stays exact and uncounted.
  const int in = 128, out = 4, tokens = 3;
  const IntModel m = test::random_layers(3, in, out);
  const auto x = test::random_inputs(5, in * tokens);
  std::vector<std::int32_t> want(static_cast<std::size_t>(tokens) * out);
  DigitalMvm().mvm(m.embed, x.data(), tokens, want.data());
  HardwareConfig d =
      hw_with(MvmSchedule::DENSE, WeightMapping::TWOS_COMPLEMENT, 1, 5, AdcType::FLASH);
  d.analog_layers = "head/*";
  const ChipInstance chip(m, d);
  CHECK_FALSE(chip.layers()[chip.index("embed")].analog);
  const PimMvm pim(chip, 8);
  std::vector<std::int32_t> embed(want.size()), head(want.size());
  pim.mvm(m.embed, x.data(), tokens, embed.data());
  pim.mvm(m.head, x.data(), tokens, head.data());  // head = embed's weights under another name
  CHECK(embed == want);
  CHECK(head != want);
  const Counters c = pim.counters();
  CHECK(c.at("embed").reads == 0);
  CHECK(c.at("head/fc").saturations > 0);
  LayerCounters none;
  CHECK(estimate_cost(d, chip, none, 1).tiles == 1);  // only head/fc occupies the array

  // A pattern that matches no layer is an error naming the key, not a silently digital chip.
  HardwareConfig typo = d;
  typo.analog_layers = "head/*|blocks/*/fc3";
  CHECK_THROWS_WITH_AS(
      ChipInstance(m, typo),
      test::has("'schedule.analog_layers' pattern 'blocks/*/fc3' matches no layer"), ConfigError);
  CHECK_THROWS_WITH_AS(parse_hardware("[schedule]\nanalog_layers = \"\"\n", "hw.toml"),
                       test::has("'schedule.analog_layers'"), ConfigError);
}

TEST_CASE(
    "on all 10,000 test images the PiM pipeline is bit-exact to the integer pipeline (both "
    "schedules, both mappings)") {
  const IntModel q = load_int_model(test::source_path("data/models/vit_fmnist_int8.h5"));
  const SampleSet all = load_dataset("fashion-mnist:test");
  const SampleSet some = load_dataset("fashion-mnist:test", "", 300);
  const DigitalMvm digital;
  const FlareInference ideal(q, RequantMode::EMSB, digital);
  EvalOptions quiet;
  quiet.progress = ProgressDisplay::OFF;
  const EvalResult want = evaluate(FlareEngine(ideal), q.num_classes, all, quiet);
  const AnalogNominal analog;
  for (const auto& [schedule, mapping, cell_bits, enob] :
       {std::tuple{MvmSchedule::SPARSE, WeightMapping::TWOS_COMPLEMENT, 1, 3},
        std::tuple{MvmSchedule::SPARSE, WeightMapping::DIFFERENTIAL, 2, 5},
        std::tuple{MvmSchedule::DENSE, WeightMapping::TWOS_COMPLEMENT, 1, 8},
        std::tuple{MvmSchedule::DENSE, WeightMapping::DIFFERENTIAL, 1, 8}}) {
    const auto schedule_ = schedule;  // Clang 14 lambdas cannot capture a structured binding
    CAPTURE(to_string(schedule_));
    const auto mapping_ = mapping;  // Clang 14 lambdas cannot capture a structured binding
    CAPTURE(to_string(mapping_));
    const HardwareConfig h = hw_with(schedule, mapping, cell_bits, enob, AdcType::FLASH);
    REQUIRE(h.bits_to_resolve() <= h.enob);
    {
      const ChipInstance chip(q, h);
      const PimMvm pim(chip, q.settings.act_bits);
      const FlareInference flare(q, RequantMode::EMSB, pim);
      const EvalResult got = evaluate(FlareEngine(flare), q.num_classes, all, quiet);
      CHECK(arma::approx_equal(got.logits, want.logits, "absdiff", 0.0));
      const LayerCounters t = total(pim.counters());
      CHECK(t.code_errors == 0);
      CHECK(t.saturations == 0);
    }
    {  // The analog (float) path with nominal devices, on the first 300 images.
      const ChipInstance chip(q, h, analog);
      const PimMvm pim(chip, q.settings.act_bits);
      const FlareInference flare(q, RequantMode::EMSB, pim);
      const EvalResult got = evaluate(FlareEngine(flare), q.num_classes, some, quiet);
      CHECK(arma::approx_equal(got.logits, want.logits.cols(0, 299), "absdiff", 0.0));
    }
  }
}

TEST_CASE("PiM counters and logits do not depend on the thread count") {
  const IntModel q = load_int_model(test::source_path("data/models/vit_fmnist_int8.h5"));
  const SampleSet images = load_dataset("fashion-mnist:test", "", 64);
  HardwareConfig h = hw_with(MvmSchedule::SPARSE, WeightMapping::TWOS_COMPLEMENT, 1, 2,
                             AdcType::FLASH);  // saturating
  const ChipInstance chip(q, h);
  EvalOptions quiet;
  quiet.progress = ProgressDisplay::OFF;
  std::vector<EvalResult> results;
  std::vector<LayerCounters> totals;
  for (int threads : {1, 2}) {
    const Parallelism p(threads);
    const PimMvm pim(chip, q.settings.act_bits);
    const FlareInference flare(q, RequantMode::EMSB, pim);
    results.push_back(evaluate(FlareEngine(flare), q.num_classes, images, quiet));
    totals.push_back(total(pim.counters()));
  }
  CHECK(arma::approx_equal(results[0].logits, results[1].logits, "absdiff", 0.0));
  CHECK(totals[0].saturations == totals[1].saturations);
  CHECK(totals[0].saturations > 0);
  CHECK(totals[0].reads == totals[1].reads);
  CHECK(totals[0].on_counts == totals[1].on_counts);
  CHECK(totals[0].margin_hist == totals[1].margin_hist);
}

TEST_CASE("attention operands on the chip: signed and unsigned inputs exact with ideal devices") {
  const IntModel m = test::random_layers(2, 16, 4);
  std::mt19937 gen(9);
  std::uniform_int_distribution<int> wdist(-128, 127), xdist(0, 255);
  const int out = 17, in = 16, rows = 17;
  std::vector<std::int8_t> w(static_cast<std::size_t>(out) * in);
  std::vector<std::uint8_t> x(static_cast<std::size_t>(rows) * in);
  for (auto& e : w) e = static_cast<std::int8_t>(wdist(gen));
  for (auto& e : x) e = static_cast<std::uint8_t>(xdist(gen));
  IntModel one_block = m;
  one_block.blocks.resize(1);
  const AnalogNominal analog;
  for (MvmSchedule schedule : {MvmSchedule::SPARSE, MvmSchedule::DENSE}) {
    HardwareConfig h = hw_with(schedule, WeightMapping::TWOS_COMPLEMENT, 1,
                               schedule == MvmSchedule::DENSE ? 8 : 3, AdcType::FLASH);
    h.attention = AttentionPlacement::PIM;
    for (const DeviceSampler* sampler :
         {&nominal_devices(), static_cast<const DeviceSampler*>(&analog)}) {
      const ChipInstance chip(one_block, h, *sampler);
      const PimMvm pim(chip, 8);
      REQUIRE(pim.runs_attention());
      for (InputKind kind : {InputKind::SIGNED_INT8, InputKind::UNSIGNED_8}) {
        const AttentionOperand op{
            0,
            kind == InputKind::SIGNED_INT8 ? AttentionOperand::Product::QK : AttentionOperand::Product::PV,
            1,
            out,
            in,
            w.data()};
        std::vector<std::int32_t> want(static_cast<std::size_t>(rows) * out), got(want.size());
        DigitalMvm().mvm_attention(op, x.data(), kind, rows, want.data());
        pim.mvm_attention(op, x.data(), kind, rows, got.data());
        CHECK(got == want);
      }
      const Counters c = pim.counters();
      CHECK(c.at("blocks/0/attn_qk").conversions > 0);
      CHECK(c.at("blocks/0/attn_pv").conversions > 0);
      CHECK(c.at("blocks/0/attn_pv").code_errors == 0);
    }
  }
  // The digital reference really is the product: one hand-checked entry.
  std::int32_t a = 0;
  for (int i = 0; i < in; ++i) a += w[i] * static_cast<std::int32_t>(x[i]);
  std::vector<std::int32_t> acc(static_cast<std::size_t>(rows) * out);
  DigitalMvm().mvm_attention({0, AttentionOperand::Product::PV, 0, out, in, w.data()}, x.data(),
                             InputKind::UNSIGNED_8, rows, acc.data());
  CHECK(acc[0] == a);
}

TEST_CASE(
    "the whole pipeline with attention on the chip is bit-exact with ideal devices (flare and "
    "ptq-dqq)") {
  const EncoderModel model = load_model(test::shipped_model());
  const IntModel q = load_int_model(test::source_path("data/models/vit_fmnist_int8.h5"));
  const SampleSet images = load_dataset("fashion-mnist:test", "", 200);
  EvalOptions quiet;
  quiet.progress = ProgressDisplay::OFF;
  const DigitalMvm digital;
  HardwareConfig h = load_hardware(test::source_path("data/hardware/rap.toml"));
  h.attention = AttentionPlacement::PIM;
  const ChipInstance chip(q, h);
  const PimMvm pim(chip, q.settings.act_bits);
  const FlareInference ideal(q, RequantMode::EMSB, digital), on_chip(q, RequantMode::EMSB, pim);
  CHECK(arma::approx_equal(evaluate(FlareEngine(on_chip), q.num_classes, images, quiet).logits,
                           evaluate(FlareEngine(ideal), q.num_classes, images, quiet).logits,
                           "absdiff", 0.0));
  const PtqDqqInference dqq_ideal(model, q, digital), dqq_chip(model, q, pim);
  CHECK(arma::approx_equal(evaluate(dqq_chip, q.num_classes, images, quiet).logits,
                           evaluate(dqq_ideal, q.num_classes, images, quiet).logits, "absdiff",
                           0.0));
  const Counters c = pim.counters();
  for (int b = 0; b < q.depth; ++b) {
    CHECK(c.at("blocks/" + std::to_string(b) + "/attn_qk").reads > 0);
    CHECK(c.at("blocks/" + std::to_string(b) + "/attn_pv").reads > 0);
  }
  CHECK(total(c).code_errors == 0);
}
