#include "rapmc/pim/ir_drop.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace rapmc::pim {
namespace {

// Solves a chain of n nodes: node k has its own conductance to fixed potentials folded into
// diag[k] and rhs[k], and links of conductance link[k] to node k + 1 (a symmetric tridiagonal
// system, diagonally dominant: Thomas algorithm without pivoting). `c` is scratch of size n.
void solve_chain(int n, const double* link, const double* diag, const double* rhs, double* x,
                 double* c) {
  double b = diag[0];
  x[0] = rhs[0] / b;
  for (int k = 1; k < n; ++k) {
    c[k - 1] = -link[k - 1] / b;
    b = diag[k] + link[k - 1] * c[k - 1];
    x[k] = (rhs[k] + link[k - 1] * x[k - 1]) / b;
  }
  for (int k = n - 2; k >= 0; --k) x[k] -= c[k] * x[k + 1];
}

// One row line given its bitline nodes u: its node voltages v (all normalised). `work` holds
// 4·cols doubles.
void solve_row(const TileWires& w, const double* gs, const double* u, int cols, double* v,
               double* work) {
  if (w.row_segment == 0) {  // the line is one node: only the driver drops a voltage
    if (w.driver == 0) {
      std::fill(v, v + cols, 1.0);
      return;
    }
    double num = 1.0 / w.driver, den = 1.0 / w.driver;
    for (int c = 0; c < cols; ++c) {
      num += gs[c] * u[c];
      den += gs[c];
    }
    std::fill(v, v + cols, num / den);
    return;
  }
  double *link = work, *diag = work + cols, *rhs = work + 2 * cols, *scratch = work + 3 * cols;
  const double y = 1.0 / w.row_segment, y0 = 1.0 / (w.driver + w.row_segment);
  for (int c = 0; c < cols; ++c) {
    link[c] = y;
    diag[c] = gs[c] + (c > 0 ? y : y0) + (c + 1 < cols ? y : 0.0);
    rhs[c] = gs[c] * u[c] + (c == 0 ? y0 : 0.0);
  }
  solve_chain(cols, link, diag, rhs, v, scratch);
}

// The nodes of one read: the active rows' series conductances gs, row-line nodes v and bitline
// nodes u, each [n × cols]; block Gauss-Seidel half-sweeps over them.
class Network {
 public:
  Network(const TileWires& w, std::span<const int> rows, int cols, IrWork& work)
      : w_(w), n_(static_cast<int>(rows.size())), cols_(cols), k_(work) {
    const auto N = static_cast<std::size_t>(n_) * cols;
    k_.gs.resize(N);
    k_.v.resize(N);
    k_.u.resize(N);
    k_.line.resize(4 * static_cast<std::size_t>(std::max(cols, n_)));
    k_.link.resize(static_cast<std::size_t>(std::max(n_ - 1, 1)));
    k_.chain.resize(4 * static_cast<std::size_t>(n_));
    // Bitline links between consecutive active rows; the last one's to the virtual ground.
    for (int j = 0; j + 1 < n_; ++j)
      k_.link[j] = 1.0 / (w.bitline_segment * (rows[j + 1] - rows[j]));
    r_end_ = w.sense + w.bitline_segment * (w.tile_rows - rows[n_ - 1]);
  }
  double* gs() { return k_.gs.data(); }
  double* v() { return k_.v.data(); }
  double* u() { return k_.u.data(); }
  // Every row line given u; returns the largest change of a node.
  double solve_rows() {
    double change = 0;
    k_.row_v.resize(static_cast<std::size_t>(cols_));
    for (int j = 0; j < n_; ++j) {
      const std::size_t at = static_cast<std::size_t>(j) * cols_;
      solve_row(w_, k_.gs.data() + at, k_.u.data() + at, cols_, k_.row_v.data(), k_.line.data());
      for (int c = 0; c < cols_; ++c) {
        change = std::max(change, std::abs(k_.row_v[c] - k_.v[at + c]));
        k_.v[at + c] = k_.row_v[c];
      }
    }
    return change;
  }
  // Every bitline given v; returns the largest change of a node.
  double solve_bitlines() {
    if (w_.bitline_segment == 0 && w_.sense == 0) return 0.0;  // every u stays at ground
    double change = 0;
    const std::size_t n = static_cast<std::size_t>(n_);
    double *diag = k_.chain.data(), *rhs = diag + n, *x = rhs + n, *scratch = x + n;
    const double* gs = k_.gs.data();
    const double* v = k_.v.data();
    double* u = k_.u.data();
    for (int c = 0; c < cols_; ++c) {
      if (w_.bitline_segment == 0) {  // one node behind R_sense
        double num = 0, den = 1.0 / w_.sense;
        for (int j = 0; j < n_; ++j) {
          num += gs[j * cols_ + c] * v[j * cols_ + c];
          den += gs[j * cols_ + c];
        }
        std::fill(x, x + n, num / den);
      } else {
        for (int j = 0; j < n_; ++j) {
          const double g = gs[static_cast<std::size_t>(j) * cols_ + c];
          diag[j] = g + (j > 0 ? k_.link[j - 1] : 0.0) + (j + 1 < n_ ? k_.link[j] : 1.0 / r_end_);
          rhs[j] = g * v[static_cast<std::size_t>(j) * cols_ + c];
        }
        solve_chain(n_, k_.link.data(), diag, rhs, x, scratch);
      }
      for (int j = 0; j < n_; ++j) {
        double& uj = u[static_cast<std::size_t>(j) * cols_ + c];
        change = std::max(change, std::abs(x[j] - uj));
        uj = x[j];
      }
    }
    return change;
  }
  // Each bitline's current into its sense stage.
  template <typename T>
  void currents(T* current) const {
    for (int c = 0; c < cols_; ++c) current[c] = 0;
    for (int j = 0; j < n_; ++j)
      for (int c = 0; c < cols_; ++c) {
        const std::size_t i = static_cast<std::size_t>(j) * cols_ + c;
        current[c] += static_cast<T>(k_.gs[i] * (k_.v[i] - k_.u[i]));
      }
  }

 private:
  const TileWires& w_;
  int n_, cols_;
  IrWork& k_;
  double r_end_ = 0;
};

}  // namespace

IrSolveStats ir_solve_exact(const TileWires& w, std::span<const int> rows, std::span<const float> g,
                            int cols, std::span<double> current, double tol, int max_iterations) {
  std::fill(current.begin(), current.begin() + cols, 0.0);
  if (rows.empty()) return {};
  IrWork work;
  Network net(w, rows, cols, work);
  const std::size_t N = rows.size() * static_cast<std::size_t>(cols);
  for (std::size_t i = 0; i < N; ++i) {
    net.gs()[i] = w.series(g[i]);
    net.v()[i] = 1.0;
    net.u()[i] = 0.0;
  }
  IrSolveStats stats;
  for (stats.iterations = 1; stats.iterations <= max_iterations; ++stats.iterations) {
    const double change = std::max(net.solve_rows(), net.solve_bitlines());
    stats.last_change = change;
    if (change <= tol) break;
  }
  if (stats.iterations > max_iterations)
    throw std::runtime_error("IR-drop exact solve did not converge in " +
                             std::to_string(max_iterations) + " sweeps (last change " +
                             std::to_string(stats.last_change) + " of V_read)");
  net.currents(current.data());
  return stats;
}

void ir_row_profile(const TileWires& w, std::span<const float> g_row, std::span<float> g_eff) {
  const int cols = static_cast<int>(g_row.size());
  std::vector<double> gs(g_row.size()), u(g_row.size(), 0.0), v(g_row.size()),
      work(4 * g_row.size());
  for (int c = 0; c < cols; ++c) gs[c] = w.series(g_row[c]);
  solve_row(w, gs.data(), u.data(), cols, v.data(), work.data());
  for (int c = 0; c < cols; ++c) g_eff[c] = static_cast<float>(gs[c] * v[c]);
}

void ir_solve_fast(const TileWires& w, std::span<const int> rows, std::span<const float> g,
                   std::span<const float> g_eff, int cols, int sweeps, float* current,
                   IrWork& work) {
  if (rows.empty()) {
    std::fill(current, current + cols, 0.0f);
    return;
  }
  Network net(w, rows, cols, work);
  const std::size_t N = rows.size() * static_cast<std::size_t>(cols);
  for (std::size_t i = 0; i < N; ++i) {
    const double gs = w.series(g[i]);
    net.gs()[i] = gs;
    net.v()[i] = gs > 0 ? g_eff[i] / gs : 1.0;  // the precomputed row-line voltages
    net.u()[i] = 0.0;
  }
  net.solve_bitlines();
  for (int s = 0; s < sweeps; ++s) {
    net.solve_rows();
    net.solve_bitlines();
  }
  net.currents(current);
}

}  // namespace rapmc::pim
