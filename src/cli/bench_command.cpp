#include "rapmc/cli/bench_command.h"

#include <armadillo>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "rapmc/cli/bench_layer.h"
#include "rapmc/cli/ranged_option.h"
#include "rapmc/core/parallelism.h"
#include "rapmc/core/timing.h"
#include "rapmc/data/dataset.h"
#include "rapmc/infer/evaluate.h"
#include "rapmc/infer/pipeline_factory.h"
#include "rapmc/pim/chip.h"
#include "rapmc/pim/hardware.h"
#include "rapmc/pim/pim_mvm.h"
#include "rapmc/quant/int_model.h"
#include "rapmc/variation/pvt_sampler.h"

namespace rapmc {
namespace {

struct BenchArgs {
  std::string int_model = "data/models/vit_fmnist_int8.h5";
  std::string hardware_dir = "data/hardware";
  std::string data_dir;
  std::size_t images = 48;
  int threads = 1;
  bool json = false;
  std::string layer;  // "RxC": the layer benchmark (bench_layer.h) instead
  std::size_t batch = 500;
};

// Single-precision matrix multiply-accumulates per second of this machine's BLAS (one thread,
// as Parallelism configures it), best of several repetitions.
double sgemm_macs_per_second() {
  const arma::uword n = 512;
  arma::arma_rng::set_seed(1);  // benchmark data only, not a Monte Carlo draw
  const arma::fmat a(n, n, arma::fill::randu), b(n, n, arma::fill::randu);
  arma::fmat c = a * b;  // warm-up
  const auto four_products = [&] {
    for (int k = 0; k < 4; ++k) c = a * b;
  };
  const double best = best_of_seconds(5, four_products) / 4;
  return static_cast<double>(n) * n * n / best;
}

// One engine configuration the bench times: the variation sampled (none: a nominal chip), the
// operating point, the IR-drop solver and how the temporal noise is drawn.
struct Case {
  std::string label;
  bool vary;
  IrSolver ir;
  VariationConfig variation;
  OperatingPoint op;
  pim::NoiseDraws draws = pim::NoiseDraws::LAZY;
};

// The configurations, in the order they print. Lognormal programming error of σ 5 % on every
// cell (nothing else varies): the engine's analog path; then, one at a time on top of it, drift
// a year after programming, spatial variation (die gradient and tile shifts), and IR drop (1 Ω
// per row and bitline segment, 1 kΩ access device, 100 Ω driver, 20 Ω sense input) with each
// solver. The exact solver runs on one image (it is the reference, not a campaign path). Then
// the default variation of a campaign (every source, bitline and comparator noise included)
// with the temporal noise evaluated lazily (the engine's way) and everywhere (the reference).
std::vector<Case> engine_cases() {
  VariationConfig cells_only = VariationConfig::none();
  cells_only.cell_sigma_on = cells_only.cell_sigma_off = 0.05;
  VariationConfig drift = cells_only, spatial = cells_only;
  const VariationConfig defaults;
  drift.copy_drift_law(defaults);
  spatial.die_gradient_sigma_rel = 0.02;
  spatial.tile_sigma_rel = 0.01;
  OperatingPoint year;
  year.time_s = 3.15e7;
  return {{"none (popcount)", false, IrSolver::NONE, cells_only, {}},
          {"cells (lognormal)", true, IrSolver::NONE, cells_only, {}},
          {"cells + drift 1 y", true, IrSolver::NONE, drift, year},
          {"cells + spatial", true, IrSolver::NONE, spatial, {}},
          {"cells + IR fast", true, IrSolver::FAST, cells_only, {}},
          {"cells + IR exact", true, IrSolver::EXACT, cells_only, {}},
          {"default variation", true, IrSolver::NONE, defaults, {}},
          {"default, noise everywhere",
           true,
           IrSolver::NONE,
           defaults,
           {},
           pim::NoiseDraws::EVERYWHERE}};
}

// Hardware file `file`.toml of `dir`, with the bench's wire resistances when case `c` solves
// IR drop.
HardwareConfig case_hardware(const std::string& dir, const std::string& file, const Case& c) {
  HardwareConfig hw = load_hardware(dir + "/" + file + ".toml");
  if (c.ir != IrSolver::NONE) {
    hw.ir_solver = c.ir;
    hw.r_row_segment_ohm = hw.r_bitline_segment_ohm = 1.0;
    hw.r_access_ohm = 1000.0;
    hw.r_driver_ohm = 100.0;
    hw.r_sense_ohm = 20.0;
  }
  return hw;
}

// The integer pipeline on the digital engine over `images`, in seconds: the reference pass.
double digital_pass_seconds(const IntModel& q, const SampleSet& images, const EvalOptions& quiet) {
  const DigitalMvm digital;
  const auto ideal = make_pipeline(Pipeline::FLARE, RequantMode::EMSB, &q, nullptr, digital);
  const auto t0 = std::chrono::steady_clock::now();
  evaluate(*ideal, q.num_classes, images, quiet);
  return seconds_since(t0);
}

// What one case measured: a whole trial's two parts (the chip built, the images through it)
// and the engine's counters.
struct Measurement {
  double chip_s = 0, eval_s = 0;
  pim::LayerCounters total;
  std::uint64_t noisy_conversions = 0, noise_draws = 0;
};

// Case `c` on `hw` over `set`. Seed and trial fixed: the bench measures speed, not statistics.
Measurement measure_case(const IntModel& q, const HardwareConfig& hw, const Case& c,
                         const SampleSet& set, const EvalOptions& quiet) {
  Measurement m;
  const PvtSampler varied(c.variation, c.op, hw, 12345, 0);
  auto t0 = std::chrono::steady_clock::now();
  const pim::ChipInstance chip =
      c.vary ? pim::ChipInstance(q, hw, varied) : pim::ChipInstance(q, hw);
  m.chip_s = seconds_since(t0);  // sampling (and IR profiles), once per trial
  const pim::PimMvm engine(chip, q.settings.act_bits, c.draws);
  const auto flare = make_pipeline(Pipeline::FLARE, RequantMode::EMSB, &q, nullptr, engine);
  t0 = std::chrono::steady_clock::now();
  evaluate(*flare, q.num_classes, set, quiet);
  m.eval_s = seconds_since(t0);
  m.total = pim::total(engine.counters());
  m.noisy_conversions = engine.noisy_conversions();
  m.noise_draws = engine.noise_draws();
  return m;
}

// The bench's first lines: the machine's sgemm and the digital pass, then the table's header.
void print_header(std::size_t images, int threads, double sgemm, double t_digital) {
  std::cout
      << std::fixed << std::setprecision(3) << "rapmc bench: " << images << " images, " << threads
      << " thread(s)\nsgemm (BLAS, fp32, n=512): " << sgemm / 1e9
      << " G multiply-accumulates/s\ndigital integer flare pass: " << 1e3 * t_digital / images
      << " ms/image\n\n"
      << "schedule  effects                cell ops/s   ratio to sgemm   ms/image   x digital pass"
         "   chip (s)   trial x digital\n";
}

// One case's row of the table (printed) and of the JSON report (returned). The last column is
// a whole trial (chip sampling and the images) against the digital pass over the same images.
nlohmann::ordered_json report_case(const HardwareConfig& hw, const Case& c, const Measurement& m,
                                   std::size_t images, double sgemm, double digital_per_image) {
  const double t = m.eval_s, t_chip = m.chip_s;
  const double rate = static_cast<double>(m.total.cell_ops) / t;
  const double per_image = t / static_cast<double>(images);
  const double ratio = per_image / digital_per_image;
  const double trial_ratio = (t + t_chip) / (digital_per_image * static_cast<double>(images));
  std::cout << std::left << std::setw(10) << to_string(hw.schedule) << std::setw(23) << c.label
            << std::right << std::setw(10) << std::setprecision(3) << rate / 1e9 << " G"
            << std::setw(15) << rate / sgemm << std::setw(13) << 1e3 * per_image << std::setw(15)
            << std::setprecision(1) << ratio << std::setw(12) << std::setprecision(2) << t_chip
            << std::setw(18) << std::setprecision(1) << trial_ratio << "\n"
            << std::setprecision(3);
  return {{"hardware", hw.name},
          {"schedule", to_string(hw.schedule)},
          {"effects", c.label},
          {"cell_variation", c.vary},
          {"ir_solver", to_string(c.ir)},
          {"images", images},
          {"cell_ops_per_s", rate},
          {"ratio_to_sgemm", rate / sgemm},
          {"conversions_per_s", static_cast<double>(m.total.conversions) / t},
          {"s_per_image", per_image},
          {"chip_build_s", t_chip},
          {"ratio_to_digital_pass", ratio},
          {"noise_draws", c.draws == pim::NoiseDraws::LAZY ? "lazy" : "everywhere"},
          {"noisy_conversions", m.noisy_conversions},
          {"noise_variables_computed", m.noise_draws},
          {"trial_ratio_to_digital_pass", trial_ratio}};
}

int run_bench(const BenchArgs& a) {
  const Parallelism parallelism(a.threads);
  const IntModel q = load_int_model(a.int_model);
  const SampleSet images = load_dataset("fashion-mnist:test", a.data_dir, a.images);
  EvalOptions quiet;
  quiet.progress = ProgressDisplay::OFF;
  const double sgemm = sgemm_macs_per_second();
  const double t_digital = digital_pass_seconds(q, images, quiet);
  const double digital_per_image = t_digital / static_cast<double>(images.size());

  nlohmann::ordered_json j;
  j["threads"] = parallelism.threads();
  j["images"] = images.size();
  j["sgemm_macs_per_s"] = sgemm;
  j["digital_integer_s_per_image"] = digital_per_image;
  print_header(images.size(), parallelism.threads(), sgemm, t_digital);
  const std::vector<Case> cases = engine_cases();
  const SampleSet one = load_dataset("fashion-mnist:test", a.data_dir, 1);
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const std::string file : {"conventional", "rap"}) {
    for (const Case& c : cases) {
      const HardwareConfig hw = case_hardware(a.hardware_dir, file, c);
      const SampleSet& set = c.ir == IrSolver::EXACT ? one : images;
      const Measurement m = measure_case(q, hw, c, set, quiet);
      rows.push_back(report_case(hw, c, m, set.size(), sgemm, digital_per_image));
    }
  }
  j["engine"] = rows;
  if (a.json) std::cout << j.dump(2) << "\n";
  return 0;
}

}  // namespace

void add_bench_command(CLI::App& app, std::function<int()>& action) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd =
      app.add_subcommand("bench", "Benchmark the AMS-PiM engine against this machine's sgemm");
  cmd->add_option("--int-model", args->int_model, "Integer model file")->capture_default_str();
  cmd->add_option("--hardware-dir", args->hardware_dir,
                  "Folder with conventional.toml and rap.toml")
      ->capture_default_str();
  cmd->add_option("--data-dir", args->data_dir, "Folder of the Fashion-MNIST IDX files");
  add_ranged_option(cmd, "--images", args->images, "Test images per measurement", 1, 10000);
  add_ranged_option(cmd, "--threads", args->threads, "Worker threads (sgemm and engine alike)", 0,
                    Parallelism::MAX_THREADS);
  cmd->add_flag("--json", args->json, "Also print the figures as one JSON object");
  cmd->add_option("--layer", args->layer,
                  "Benchmark one random int8 layer of R inputs and C outputs instead (RxC)")
      ->check(CLI::Validator(
          [](const std::string& s) {
            int r = 0, c = 0;
            char sep = 0, extra = 0;
            if (std::sscanf(s.c_str(), "%d%c%d%c", &r, &sep, &c, &extra) != 3 || sep != 'x' ||
                r < 1 || c < 1 || r > 65536 || c > 65536)
              return std::string("expected RxC with 1 <= R, C <= 65536, e.g. 256x256");
            return std::string();
          },
          "RxC", "layer shape"));
  add_ranged_option(cmd, "--batch", args->batch, "Input vectors of the layer benchmark", 1,
                    1000000);
  cmd->callback([args, &action] {
    action = [args] {
      if (args->layer.empty()) return run_bench(*args);
      LayerBenchArgs l;
      std::sscanf(args->layer.c_str(), "%dx%d", &l.rows, &l.cols);
      l.batch = args->batch;
      l.threads = args->threads;
      l.json = args->json;
      l.hardware_dir = args->hardware_dir;
      return run_layer_bench(l);
    };
  });
}

}  // namespace rapmc
