// IR drop (docs/design.md, "IR drop"): the exact solver against an independent dense nodal
// solve and two closed forms, the fast solver's error against the exact one on shipped-size
// tiles, and the engine unchanged bit for bit when every resistance is zero.
#include <algorithm>
#include <armadillo>
#include <cmath>
#include <random>
#include <vector>

#include <doctest/doctest.h>

#include "rapmc/core/errors.h"
#include "rapmc/core/parallelism.h"
#include "rapmc/infer/mvm_backend.h"
#include "rapmc/pim/chip.h"
#include "rapmc/pim/ir_drop.h"
#include "rapmc/pim/pim_mvm.h"
#include "rapmc/variation/pvt_sampler.h"
#include "test_support.h"

using namespace rapmc;
using namespace rapmc::pim;

namespace {

// The whole tile as one nodal system, built node by node with nothing shared with the solver:
// the driver output node of each active row (and of its far driver), its row-line nodes, the
// midpoint between each cell and its access device, a bitline node at every row position (active or
// not) and one below the last row; the sense stage's input resistance to ground. Dense solve
// (Armadillo). Returns each bitline's current into its sense stage.
std::vector<double> dense_reference(const TileWires& w, const std::vector<int>& rows,
                                    const std::vector<float>& g, int cols) {
  const int n = static_cast<int>(rows.size()), R = w.tile_rows;
  const int drv = 0, line = n, mid = line + n * cols, far = mid + n * cols, bit = far + n;
  const int N = bit + (R + 1) * cols;
  arma::mat A(N, N, arma::fill::zeros);
  arma::vec b(N, arma::fill::zeros);
  auto link = [&](int i, int j, double y) {
    A(i, i) += y;
    A(j, j) += y;
    A(i, j) -= y;
    A(j, i) -= y;
  };
  auto to_source = [&](int i, double y) {  // to V_read = 1
    A(i, i) += y;
    b(i) += y;
  };
  auto bitnode = [&](int r, int c) { return bit + r * cols + c; };
  for (int j = 0; j < n; ++j) {
    to_source(drv + j, 1.0 / w.driver);
    link(drv + j, line + j * cols, 1.0 / w.row_segment);
    if (w.both_ends) {  // the far driver: its own output node, one segment after the last cell
      to_source(far + j, 1.0 / w.driver);
      link(far + j, line + j * cols + cols - 1, 1.0 / w.row_segment);
    }
    for (int c = 0; c + 1 < cols; ++c)
      link(line + j * cols + c, line + j * cols + c + 1, 1.0 / w.row_segment);
    for (int c = 0; c < cols; ++c) {
      link(line + j * cols + c, mid + j * cols + c, g[static_cast<std::size_t>(j) * cols + c]);
      link(mid + j * cols + c, bitnode(rows[j], c), 1.0 / w.access);
    }
  }
  for (int c = 0; c < cols; ++c) {
    for (int r = 0; r < R; ++r) link(bitnode(r, c), bitnode(r + 1, c), 1.0 / w.bitline_segment);
    A(bitnode(R, c), bitnode(R, c)) += 1.0 / w.sense;
  }
  const arma::vec x = arma::solve(A, b);
  std::vector<double> out(static_cast<std::size_t>(cols));
  for (int c = 0; c < cols; ++c) out[c] = x(bitnode(R, c)) / w.sense;
  return out;
}

// A tile of cols bitlines (the last one a G_off reference column), nominal conductances
// g_off + bit with half the bits set, times a lognormal programming error of σ sigma_rel.
std::vector<float> random_tile(std::mt19937& gen, int rows, int cols, double sigma_rel) {
  const double g_off = 0.5 / 49.5;  // the shipped 50 µS / 0.5 µS cells, in counts
  std::bernoulli_distribution bit(0.5);
  std::normal_distribution<double> n01;
  std::vector<float> g(static_cast<std::size_t>(rows) * cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const double nominal = g_off + (c + 1 < cols && bit(gen) ? 1.0 : 0.0);
      g[static_cast<std::size_t>(r) * cols + c] =
          static_cast<float>(nominal * std::exp(sigma_rel * n01(gen)));
    }
  return g;
}

std::vector<int> random_rows(std::mt19937& gen, int tile_rows, int n) {
  std::vector<int> all(static_cast<std::size_t>(tile_rows));
  for (int r = 0; r < tile_rows; ++r) all[r] = r;
  std::shuffle(all.begin(), all.end(), gen);
  all.resize(static_cast<std::size_t>(n));
  std::sort(all.begin(), all.end());
  return all;
}

// The active rows' cells of a full tile g [tile_rows × cols], row-major [n × cols].
std::vector<float> active_cells(const std::vector<float>& g, const std::vector<int>& rows,
                                int cols) {
  std::vector<float> out;
  for (int r : rows)
    out.insert(out.end(), g.begin() + static_cast<std::ptrdiff_t>(r) * cols,
               g.begin() + static_cast<std::ptrdiff_t>(r + 1) * cols);
  return out;
}

// The fast solver on a full tile: the row profiles of the active rows, then the per-read stage.
std::vector<float> fast_currents(const TileWires& w, const std::vector<float>& g,
                                 const std::vector<int>& rows, int cols, int sweeps) {
  const auto n = rows.size();
  const auto cells = active_cells(g, rows, cols);
  std::vector<float> eff(n * cols), current(static_cast<std::size_t>(cols));
  for (std::size_t j = 0; j < n; ++j)
    ir_row_profile(w, {cells.data() + j * cols, static_cast<std::size_t>(cols)},
                   {eff.data() + j * cols, static_cast<std::size_t>(cols)});
  IrWork work;
  ir_solve_fast(w, rows, cells, eff, cols, sweeps, current.data(), work);
  return current;
}

// The shipped tiles' resistances at the top of the study's range, normalised by ΔG = 49.5 µS:
// 2 Ω per row and bitline segment, a 2 kΩ access device, 200 Ω drivers, a 50 Ω sense input.
TileWires study_wires() {
  const double dg = 49.5e-6;
  return {.row_segment = 2.0 * dg,
          .bitline_segment = 2.0 * dg,
          .access = 2000.0 * dg,
          .driver = 200.0 * dg,
          .sense = 50.0 * dg,
          .tile_rows = 128};
}

}  // namespace

TEST_CASE("IR drop, exact solver: a solve that does not converge is a failing chip") {
  // One sweep cannot reach 1e-13 on a tile with wires: the chip cannot be read (ChipFailure,
  // which a campaign records as a failed trial and goes on).
  const TileWires w = study_wires();
  const std::vector<int> rows{0, 5, 9};
  const std::vector<float> g(rows.size() * 4, 1.0f);
  std::vector<double> got(4);
  CHECK_THROWS_WITH_AS(ir_solve_exact(w, rows, g, 4, got, 1e-13, 1),
                       doctest::Contains("did not converge"), ChipFailure);
}

TEST_CASE("IR drop, exact solver: agrees with an independent dense nodal solve to 1e-9") {
  std::mt19937 gen(20261130);  // test fixture only
  std::uniform_real_distribution<double> res(0.002, 0.2), cell(0.01, 1.5);
  for (int trial = 0; trial < 25; ++trial) {
    const int R = 4 + trial % 9, cols = 2 + trial % 7;
    const TileWires w{.row_segment = res(gen),
                      .bitline_segment = res(gen),
                      .access = res(gen),
                      .driver = res(gen),
                      .sense = res(gen),
                      .tile_rows = R,
                      .both_ends = trial % 2 == 1};
    const auto rows = random_rows(gen, R, 1 + trial % R);
    std::vector<float> g(rows.size() * cols);
    for (float& x : g) x = static_cast<float>(cell(gen));
    std::vector<double> got(static_cast<std::size_t>(cols));
    const IrSolveStats st = ir_solve_exact(w, rows, g, cols, got);
    const std::vector<double> want = dense_reference(w, rows, g, cols);
    CAPTURE(trial);
    CAPTURE(st.iterations);
    for (int c = 0; c < cols; ++c) CHECK(std::abs(got[c] - want[c]) <= 1e-9 * std::abs(want[c]));
  }
}

TEST_CASE("IR drop: closed forms of a uniform row line and of one cell on a bitline") {
  SUBCASE("one active row, uniform cells, row-line resistance only: a discrete ladder") {
    // Nodes k = 1..C one segment ρ apart from the driver, each with G to ground; the open end
    // mirrors: V_k = cosh((C + 1/2 − k)θ)/cosh((C + 1/2)θ), cosh θ = 1 + ρG/2.
    for (const auto& [C, rho, G] : {std::tuple{129, 49.5e-6, 1.0101}, std::tuple{129, 2e-3, 1.0},
                                    std::tuple{16, 0.05, 0.3}}) {
      const TileWires w{.row_segment = rho, .tile_rows = 128};
      const std::vector<int> rows{37};
      const std::vector<float> g(static_cast<std::size_t>(C), static_cast<float>(G));
      const double Gf = static_cast<float>(G);
      const double theta = std::acosh(1.0 + rho * Gf / 2.0);
      double want = 0;
      for (int k = 1; k <= C; ++k)
        want += Gf * std::cosh((C + 0.5 - k) * theta) / std::cosh((C + 0.5) * theta);
      std::vector<double> got(static_cast<std::size_t>(C));
      ir_solve_exact(w, rows, g, C, got);
      double total = 0;
      for (double x : got) total += x;
      const auto C_ = C;  // Clang 14 lambdas cannot capture a structured binding
      CAPTURE(C_);
      const auto rho_ = rho;  // Clang 14 lambdas cannot capture a structured binding
      CAPTURE(rho_);
      CHECK(std::abs(total - want) <= 1e-12 * want);
      // The fast solver is exact here (no bitline drop): its row profile is the same line.
      const std::vector<float> fast = fast_currents(w, g, {0}, C, 0);
      double fast_total = 0;
      for (float x : fast) fast_total += x;
      CHECK(std::abs(fast_total - want) <= 1e-5 * want);  // float storage of the profile
    }
  }
  SUBCASE("one active row driven from both ends: a ladder closed at both ends") {
    // Sources at k = 0 and k = C + 1, nodes k = 1..C: V_k = cosh((k − m)θ)/cosh(mθ),
    // m = (C + 1)/2, cosh θ = 1 + ρG/2 (the driver's resistance 0).
    for (const auto& [C, rho, G] : {std::tuple{129, 49.5e-6, 1.0101}, std::tuple{16, 0.05, 0.3}}) {
      const TileWires w{.row_segment = rho, .tile_rows = 128, .both_ends = true};
      const std::vector<int> rows{3};
      const std::vector<float> g(static_cast<std::size_t>(C), static_cast<float>(G));
      const double Gf = static_cast<float>(G), m = (C + 1) / 2.0;
      const double theta = std::acosh(1.0 + rho * Gf / 2.0);
      std::vector<double> got(static_cast<std::size_t>(C));
      ir_solve_exact(w, rows, g, C, got);
      const auto C_ = C;  // Clang 14 lambdas cannot capture a structured binding
      CAPTURE(C_);
      for (int k = 1; k <= C; ++k)
        CHECK(std::abs(got[k - 1] - Gf * std::cosh((k - m) * theta) / std::cosh(m * theta)) <=
              1e-12 * Gf);
    }
  }
  SUBCASE("one active cell, bitline and sense resistance only: a series circuit") {
    const double rb = 0.01, rs = 0.02, ra = 0.05, G = 0.8;
    for (int pos : {0, 63, 127}) {
      const TileWires w{.bitline_segment = rb, .access = ra, .sense = rs, .tile_rows = 128};
      const std::vector<int> rows{pos};
      const std::vector<float> g{static_cast<float>(G)};
      std::vector<double> got(1);
      ir_solve_exact(w, rows, g, 1, got);
      const double Gf = static_cast<float>(G);
      const double want = 1.0 / (1.0 / Gf + ra + rs + rb * (128 - pos));
      CAPTURE(pos);
      CHECK(std::abs(got[0] - want) <= 1e-12 * want);
    }
  }
}

TEST_CASE("IR drop with a read nonlinearity: one cell behind a resistance, by bisection") {
  // I = g·x·(1 + b·x²)/(1 + b) at x = 1 − ρ·I (normalised): x solves x − 1 + ρ·I(x) = 0,
  // increasing in x; bisection to 1e-15.
  for (const auto& [b, rho, G] :
       {std::tuple{0.5, 0.05, 1.0}, std::tuple{2.0, 0.2, 0.7}, std::tuple{0.1, 0.01, 1.2}}) {
    const double Gf = static_cast<float>(G);
    const auto b_ = b;  // Clang 14 lambdas cannot capture a structured binding
    auto current = [&](double x) { return Gf * x * (1 + b_ * x * x) / (1 + b_); };
    double lo = 0, hi = 1;
    for (int i = 0; i < 200; ++i) {
      const double mid = 0.5 * (lo + hi);
      (mid - 1 + rho * current(mid) > 0 ? hi : lo) = mid;
    }
    const double want = current(0.5 * (lo + hi));
    const TileWires w{.sense = rho, .tile_rows = 16, .nonlinear = b};
    const std::vector<int> rows{9};
    const std::vector<float> g{static_cast<float>(G)};
    std::vector<double> got(1);
    ir_solve_exact(w, rows, g, 1, got);
    CAPTURE(b_);
    CHECK(std::abs(got[0] - want) <= 1e-11 * want);
    // The fast solver: a row of one cell has no row-line drop; its bitline solve and sweeps
    // converge to the same point.
    const std::vector<float> fast = fast_currents(w, g, {0}, 1, 50);
    CHECK(std::abs(fast[0] - want) <= 1e-6 * want);  // float result
  }
}

TEST_CASE("IR drop, fast solver: error against the exact solve on shipped tiles, bounded") {
  // 128 × (128 + 1 reference) tiles at the top of the study's resistances; sparse reads of
  // K = 7 rows and dense reads of half the rows; nominal cells and 5 % lognormal programming
  // error. The fast solver starts from each row line's own drop with the bitlines at ground
  // and solves the bitlines exactly given it: what it leaves out is the row lines' response to
  // the bitline voltages, of order δ_row·δ_bit of a cell's current (δ_row the largest relative
  // row-line drop of the active cells, δ_bit the largest bitline node voltage relative to
  // V_read), and each further sweep multiplies the error by about δ_row·δ_bit again (block
  // Gauss-Seidel's contraction). Checked against 2·(δ_row·δ_bit)^(s+1)·Σgs per bitline; the
  // distribution is printed for docs/design.md.
  std::mt19937 gen(7);  // test fixture only
  const TileWires w = study_wires();
  const int R = 128, cols = 129;
  for (const auto& [label, n, sigma] :
       {std::tuple{"sparse K = 7, nominal", 7, 0.0}, std::tuple{"sparse K = 7, 5 % cells", 7, 0.05},
        std::tuple{"dense 64 rows, nominal", 64, 0.0},
        std::tuple{"dense 64 rows, 5 % cells", 64, 0.05}}) {
    for (int sweeps : {0, 1, 2}) {
      std::vector<double> rel_err, abs_err;
      for (int trial = 0; trial < 10; ++trial) {
        const auto g = random_tile(gen, R, cols, sigma);
        const auto rows = random_rows(gen, R, n);
        const auto cells = active_cells(g, rows, cols);
        std::vector<double> exact(static_cast<std::size_t>(cols));
        ir_solve_exact(w, rows, cells, cols, exact);
        const auto fast = fast_currents(w, g, rows, cols, sweeps);
        double delta_row = 0, delta_bit = 0;
        std::vector<float> eff(static_cast<std::size_t>(cols));
        std::vector<double> sum_gs(static_cast<std::size_t>(cols), 0.0);
        for (int r : rows) {
          const std::span<const float> row(g.data() + static_cast<std::size_t>(r) * cols,
                                           static_cast<std::size_t>(cols));
          ir_row_profile(w, row, eff);
          for (int c = 0; c < cols; ++c) {
            const double gs = w.series(row[c]);
            delta_row = std::max(delta_row, 1.0 - eff[c]);
            sum_gs[c] += gs;
          }
        }
        for (int c = 0; c < cols; ++c)
          delta_bit = std::max(delta_bit, sum_gs[c] * (w.sense + w.bitline_segment * R));
        const double contraction = delta_row * delta_bit;
        for (int c = 0; c < cols; ++c) {
          const double err = fast[c] - exact[c];
          const double bound = 2.0 * std::pow(contraction, sweeps + 1) * sum_gs[c];
          const auto label_ = label;  // Clang 14 lambdas cannot capture a structured binding
          CAPTURE(std::string(label_));
          CAPTURE(sweeps);
          CAPTURE(c);
          CHECK(std::abs(err) <= bound + 1e-5 * sum_gs[c]);  // + float storage
          abs_err.push_back(std::abs(err));
          if (exact[c] > 0.5) rel_err.push_back(std::abs(err) / exact[c]);
        }
      }
      std::sort(abs_err.begin(), abs_err.end());
      std::sort(rel_err.begin(), rel_err.end());
      auto q = [](const std::vector<double>& v, double p) {
        return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
      };
      MESSAGE(std::string(label) << ", " << sweeps << " sweeps: |fast − exact| in counts: median "
                                 << q(abs_err, 0.5) << ", 99 % " << q(abs_err, 0.99) << ", max "
                                 << abs_err.back() << "; relative: median " << q(rel_err, 0.5)
                                 << ", 99 % " << q(rel_err, 0.99) << ", max " << rel_err.back());
    }
  }
}

namespace {

// Forces the analog (float) path with nominal devices (as test_pim's AnalogNominal).
class AnalogNominal final : public DeviceSampler {
 public:
  bool varies_cells() const override { return true; }
};

struct EngineRun {
  std::vector<std::int32_t> acc;
  LayerCounters total;
};

EngineRun run_engine(const IntModel& q, const HardwareConfig& h, const std::vector<std::int8_t>& x,
                     int rows, const DeviceSampler* sampler = nullptr) {
  const AnalogNominal analog;
  const ChipInstance chip(q, h, sampler ? *sampler : analog);
  const PimMvm pim(chip, q.settings.act_bits);
  EngineRun r;
  r.acc.resize(static_cast<std::size_t>(rows) * q.embed.out);
  pim.mvm(q.embed, x.data(), rows, r.acc.data());
  r.total = total(pim.counters());
  return r;
}

}  // namespace

TEST_CASE(
    "IR drop in the engine: zero resistance is the ideal-wire engine bit for bit; the "
    "fast and exact solvers agree on codes") {
  const IntModel q = test::random_layers(3, 200, 24);  // two row tiles, one column tile + reference
  const int rows = 6;
  const std::vector<std::int8_t> x = test::random_inputs(11, rows * q.embed.in);
  for (MvmSchedule schedule : {MvmSchedule::SPARSE, MvmSchedule::DENSE}) {
    CAPTURE(to_string(schedule));
    HardwareConfig h;
    h.schedule = schedule;
    h.adc = AdcType::FLASH;
    h.enob = schedule == MvmSchedule::DENSE ? 8 : 3;
    h.ir_solver = IrSolver::NONE;
    const EngineRun ideal = run_engine(q, h, x, rows);
    for (IrSolver solver : {IrSolver::FAST, IrSolver::EXACT}) {
      h.ir_solver = solver;
      const EngineRun zero = run_engine(q, h, x, rows);
      CHECK(!h.ir_drop());
      CHECK(zero.acc == ideal.acc);
      CHECK(zero.total.margin_hist == ideal.total.margin_hist);
    }
    // With wires, both solvers lower the currents alike: their codes agree on nearly every
    // conversion (the fast solver's error is far below the half-LSB decision distance except
    // where a value sits within it of a threshold).
    h.r_row_segment_ohm = 1.0;
    h.r_bitline_segment_ohm = 1.0;
    h.r_access_ohm = 1000.0;
    h.ir_solver = IrSolver::FAST;
    const EngineRun fast = run_engine(q, h, x, rows);
    h.ir_solver = IrSolver::EXACT;
    const EngineRun exact = run_engine(q, h, x, rows);
    CHECK(exact.total.code_errors > 0);  // the drop moves codes
    CHECK(fast.total.conversions == exact.total.conversions);
    const double diff = std::abs(static_cast<double>(fast.total.code_errors) -
                                 static_cast<double>(exact.total.code_errors));
    CHECK(diff <= 0.02 * static_cast<double>(exact.total.conversions));
  }
}

TEST_CASE(
    "Calibration through the wires in the engine: a one-point gain calibrated through the access "
    "devices reads every count right; calibrated without them, the 9 % loss flips codes") {
  // Nominal devices (no variation, no noise), K = 7 sparse reads of a 3-bit flash ADC, the
  // shipped 50 µS cells behind 2 kΩ access devices: each on cell loses 1/11 of its current,
  // a 7-count read reads 6.36 counts.
  const IntModel q = test::random_layers(5, 200, 24);
  const int rows = 6;
  const std::vector<std::int8_t> x = test::random_inputs(13, rows * q.embed.in);
  HardwareConfig h;
  h.adc = AdcType::FLASH;
  h.enob = 3;
  h.r_access_ohm = 2000.0;
  h.reference = ReferenceCal::ONE_POINT;
  h.gain_trim_step_rel = 0.0;
  const VariationConfig none = VariationConfig::none();
  const PvtSampler sampler(none, OperatingPoint{}, h, 3, 0);
  h.calibration_through_wires = true;
  const EngineRun through = run_engine(q, h, x, rows, &sampler);
  h.calibration_through_wires = false;
  const EngineRun ideal_cal = run_engine(q, h, x, rows, &sampler);
  CHECK(through.total.conversions > 0);
  CHECK(through.total.code_errors == 0);
  CHECK(ideal_cal.total.code_errors > 0);
  // Without wires the same chip reads exactly as well.
  h.r_access_ohm = 0.0;
  CHECK(run_engine(q, h, x, rows, &sampler).total.code_errors == 0);
}

TEST_CASE("IR drop keys: a bad solver and out-of-range resistances are named together [E22]") {
  const std::string text = R"(
[wires]
solver = "spice"
row_segment_ohm = -1.0
fast_sweeps = 1000
)";
  try {
    parse_hardware(text, "wires.toml");
    FAIL("no error");
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    CHECK(msg.find("wires.toml") != std::string::npos);
    CHECK(msg.find("wires.solver") != std::string::npos);
    CHECK(msg.find("exact") != std::string::npos);  // the choices are listed
    CHECK(msg.find("wires.row_segment_ohm") != std::string::npos);
    CHECK(msg.find("wires.fast_sweeps") != std::string::npos);
  }
  HardwareConfig h = parse_hardware("[wires]\nrow_segment_ohm = 1.5\n", "ok.toml");
  CHECK(h.ir_drop());
  CHECK(h.ir_solver == IrSolver::FAST);
  h.ir_solver = IrSolver::NONE;
  CHECK(!h.ir_drop());
}

TEST_CASE("Calibration through the wires: what the calibration column measures") {
  SUBCASE("access devices only: every on cell loses G·R_acc/(1 + G·R_acc), the closed form") {
    // The shipped 50 µS cells behind a 2 kΩ access device: 1/(1 + 0.1) = 0.909 of the current.
    const double dg = 49.5e-6;
    const TileWires w{.access = 2000.0 * dg, .tile_rows = 128};
    std::mt19937 gen(7);  // test fixture only
    const std::vector<float> tile = random_tile(gen, 128, 17, 0.05);
    const auto g_on = static_cast<float>(1.0 + 0.5 / 49.5);
    for (int position : {0, 8, 17}) {
      const double got = ir_calibration_gain(w, tile, 17, position, 16, g_on);
      CHECK(std::abs(got - 1.0 / (1.0 + g_on * w.access)) <= 1e-12);
    }
  }
  SUBCASE(
      "row lines, drivers and access devices: a data column at the calibration column's "
      "place reads with mean calibrated gain 1, within 3σ/√N") {
    // N tiles of random cells (5 % lognormal programming error); in each, a probe column of
    // on cells stands where the calibration column stood and is read with K = 7 random rows,
    // as RAP reads. Its gain (current through the wires over its current without them) divided
    // by the calibration column's is the calibrated gain of a data column there: its mean is 1,
    // the rows' drops at that place averaging out (the calibration samples 16 of the rows).
    TileWires w = study_wires();
    w.bitline_segment = 0;  // the bitline's drop depends on the read's current (not calibrated)
    w.sense = 0;
    std::mt19937 gen(20261202);  // test fixture only
    std::normal_distribution<double> n01;
    const auto g_on = static_cast<float>(1.0 + 0.5 / 49.5);
    for (bool both : {false, true}) {
      w.both_ends = both;
      for (int position : {64, 129}) {
        const int N = 150, cols = 129;  // 128 data columns and the reference column
        std::vector<double> calibrated;
        double raw = 0;
        for (int t = 0; t < N; ++t) {
          const std::vector<float> tile = random_tile(gen, 128, cols, 0.05);
          const double cal = ir_calibration_gain(w, tile, cols, position, 16, g_on);
          const auto rows = random_rows(gen, 128, 7);
          std::vector<float> g;
          std::vector<float> probe;
          for (int r : rows) {
            const float* row = tile.data() + static_cast<std::size_t>(r) * cols;
            g.insert(g.end(), row, row + position);
            probe.push_back(static_cast<float>(g_on * std::exp(0.05 * n01(gen) - 0.05 * 0.05 / 2)));
            g.push_back(probe.back());
            g.insert(g.end(), row + position, row + cols);
          }
          std::vector<double> current(static_cast<std::size_t>(cols + 1));
          ir_solve_exact(w, rows, g, cols + 1, current);
          double ideal = 0;
          for (float x : probe) ideal += x;
          calibrated.push_back(current[static_cast<std::size_t>(position)] / ideal / cal);
          raw += current[static_cast<std::size_t>(position)] / ideal / N;
        }
        double mean = 0, var = 0;
        for (double x : calibrated) mean += x / N;
        for (double x : calibrated) var += (x - mean) * (x - mean) / (N - 1);
        const double se = std::sqrt(var / N);
        CAPTURE(both);
        CAPTURE(position);
        CAPTURE(mean);
        CAPTURE(se);
        CHECK(se > 0);
        CHECK(std::abs(mean - 1.0) <= 3.0 * se);
        // Without calibration through the wires the same column reads low by the whole drop
        // (about 9 % of it the access device's), far outside that bound.
        CAPTURE(raw);
        CHECK(raw < 1.0 - 0.05);
      }
    }
  }
}
