#include "rapmc/cli/bench_layer.h"

#include <armadillo>
#include <boost/random/uniform_int_distribution.hpp>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rapmc/core/keyed_rng.h"
#include "rapmc/core/parallel_for.h"
#include "rapmc/core/parallelism.h"
#include "rapmc/core/timing.h"
#include "rapmc/pim/chip.h"
#include "rapmc/pim/hardware.h"
#include "rapmc/pim/pim_mvm.h"
#include "rapmc/variation/pvt_sampler.h"

namespace rapmc {
namespace {

// The clock /proc/cpuinfo reports (MHz of the first core), for cycles per conversion; 0 if
// unknown.
double cpu_hz() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("cpu MHz", 0) == 0) return std::stod(line.substr(line.find(':') + 1)) * 1e6;
  return 0;
}

// Benchmark data (not a Monte Carlo draw): int8 values uniform over [-128, 127].
std::vector<std::int8_t> bench_bytes(std::size_t n, std::uint64_t which) {
  KeyedStream s(20261202, RngDomain::BENCH, 0, which);
  boost::random::uniform_int_distribution<int> u(-128, 127);
  std::vector<std::int8_t> v(n);
  for (auto& x : v) x = static_cast<std::int8_t>(u(s));
  return v;
}

}  // namespace

int run_layer_bench(const LayerBenchArgs& a) {
  Parallelism parallelism(a.threads);
  const int R = a.rows, C = a.cols;
  const auto B = static_cast<int>(a.batch);
  IntModel q;
  q.settings = QuantSettings{};
  q.embed.name = "embed";
  q.embed.in = R;
  q.embed.out = C;
  q.embed.w = bench_bytes(static_cast<std::size_t>(R) * C, 0);
  q.head = q.embed;
  q.head.name = "head/fc";
  const std::vector<std::int8_t> x = bench_bytes(static_cast<std::size_t>(B) * R, 1);

  // The same layer as one float32 BLAS product [C × R]·[R × B] (one thread).
  arma::fmat w(static_cast<arma::uword>(C), static_cast<arma::uword>(R));
  arma::fmat xf(static_cast<arma::uword>(R), static_cast<arma::uword>(B));
  for (int o = 0; o < C; ++o)
    for (int i = 0; i < R; ++i) w(o, i) = q.embed.w[static_cast<std::size_t>(o) * R + i];
  for (int t = 0; t < B; ++t)
    for (int i = 0; i < R; ++i) xf(i, t) = x[static_cast<std::size_t>(t) * R + i];
  arma::fmat y = w * xf;
  const double t_sgemm = best_of_seconds(20, [&] { y = w * xf; });
  const double macs = static_cast<double>(R) * C * B, hz = cpu_hz();

  // Blocks of 50 inputs, each its own "sample" (noise key), in parallel over the threads.
  constexpr int BLOCK = 50;
  const int blocks = (B + BLOCK - 1) / BLOCK;
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  std::cout << std::fixed << "rapmc bench --layer " << R << "x" << C << " --batch " << B << ": "
            << parallelism.threads() << " thread(s); sgemm " << std::setprecision(3)
            << 1e3 * t_sgemm << " ms (" << macs / t_sgemm / 1e9 << " G MAC/s)\n"
            << "schedule  devices                  time (ms)   G MAC/s   ns/conv   cycles/conv"
               "   x sgemm\n";
  VariationConfig cells = VariationConfig::none();
  cells.cell_sigma_on = cells.cell_sigma_off = 0.05;
  VariationConfig noisy = cells;
  noisy.cell_read_noise_rel = 0.01;
  struct Case {
    const char* label;
    const VariationConfig* variation;  // null: nominal devices
  };
  const Case cases[] = {
      {"nominal", nullptr}, {"cells 5 % lognormal", &cells}, {"cells + 1 % read noise", &noisy}};
  for (const char* file : {"conventional", "rap"}) {
    HardwareConfig hw = load_hardware(a.hardware_dir + "/" + file + ".toml");
    hw.tile_rows = hw.tile_cols = 128;
    hw.cell_bits = 1;
    for (const Case& c : cases) {
      const PvtSampler sampler(c.variation ? *c.variation : cells, OperatingPoint{}, hw, 7, 0);
      const pim::ChipInstance chip =
          c.variation ? pim::ChipInstance(q, hw, sampler) : pim::ChipInstance(q, hw);
      const pim::PimMvm engine(chip, q.settings.act_bits);
      std::vector<std::int32_t> acc(static_cast<std::size_t>(B) * C);
      auto run = [&] {
        parallelism.execute([&] {
          parallel_for(0, blocks, [&](int k) {
            const int t0 = k * BLOCK, n = std::min(BLOCK, B - t0);
            engine.mvm(q.embed, x.data() + static_cast<std::size_t>(t0) * R, n,
                       acc.data() + static_cast<std::size_t>(t0) * C,
                       static_cast<std::uint64_t>(k));
          });
        });
      };
      run();  // warm-up (and the counters of one pass)
      const pim::LayerCounters once = pim::total(engine.counters());
      const double t = best_of_seconds(3, run);
      const auto conversions = static_cast<double>(once.conversions);
      const double ns = 1e9 * t / conversions;
      std::cout << std::left << std::setw(10) << to_string(hw.schedule) << std::setw(23) << c.label
                << std::right << std::setprecision(2) << std::setw(11) << 1e3 * t << std::setw(10)
                << macs / t / 1e9 << std::setw(10) << ns << std::setw(14) << ns * hz / 1e9
                << std::setw(10) << std::setprecision(1) << t / t_sgemm << "\n";
      rows.push_back({{"hardware", hw.name},
                      {"schedule", to_string(hw.schedule)},
                      {"devices", c.label},
                      {"seconds", t},
                      {"useful_macs_per_s", macs / t},
                      {"conversions", once.conversions},
                      {"ns_per_conversion", ns},
                      {"cycles_per_conversion", ns * hz / 1e9},
                      {"ratio_to_sgemm", t / t_sgemm}});
    }
  }
  if (a.json) {
    nlohmann::ordered_json j;
    j["layer"] = {{"rows", R}, {"cols", C}, {"batch", B}};
    j["threads"] = parallelism.threads();
    j["cpu_hz"] = hz;
    j["sgemm_seconds"] = t_sgemm;
    j["sgemm_macs_per_s"] = macs / t_sgemm;
    j["engine"] = rows;
    std::cout << j.dump(2) << "\n";
  }
  return 0;
}

}  // namespace rapmc
