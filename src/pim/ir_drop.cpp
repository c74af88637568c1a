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
    k_.gs0.resize(N);
    k_.v.resize(N);
    k_.u.resize(N);
    k_.line.resize(4 * static_cast<std::size_t>(std::max(cols, n_)));
    k_.link.resize(static_cast<std::size_t>(std::max(n_ - 1, 1)));
    // Bitline links between consecutive active rows; the last one's to the virtual ground.
    for (int j = 0; j + 1 < n_; ++j)
      k_.link[j] = 1.0 / (w.bitline_segment * (rows[j + 1] - rows[j]));
    r_end_ = w.sense + w.bitline_segment * (w.tile_rows - rows[n_ - 1]);
  }
  // The cells' series conductances (at V_read); the solve's conductances start equal to them.
  void set_cells(std::span<const float> g) {
    for (std::size_t i = 0; i < k_.gs0.size(); ++i) k_.gs[i] = k_.gs0[i] = w_.series(g[i]);
  }
  // With a read nonlinearity: every cell's secant conductance at its present voltage.
  void update_secant() {
    if (w_.nonlinear == 0) return;
    for (std::size_t i = 0; i < k_.gs0.size(); ++i)
      k_.gs[i] = w_.secant(k_.gs0[i], k_.v[i] - k_.u[i]);
  }
  double* v() { return k_.v.data(); }
  double* u() { return k_.u.data(); }
  // Every row line given u; returns the largest change of a node. The lines are eliminated in
  // lockstep (column outer, row inner) so that their dependency chains overlap; each line's
  // arithmetic is solve_chain's with 1/b kept instead of b.
  double solve_rows() {
    double change = 0;
    const std::size_t N = static_cast<std::size_t>(n_) * cols_;
    if (w_.row_segment == 0) {
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
    k_.fac.resize(N);
    k_.x.resize(N);
    k_.b.resize(static_cast<std::size_t>(n_));
    const double y = 1.0 / w_.row_segment, y0 = 1.0 / (w_.driver + w_.row_segment);
    const double* gs = k_.gs.data();
    const double* u = k_.u.data();
    double *fac = k_.fac.data(), *x = k_.x.data(), *b = k_.b.data();
    const int C = cols_;
    for (int j = 0; j < n_; ++j) {  // b holds 1/b per line: one division per node
      const std::size_t i = static_cast<std::size_t>(j) * C;
      b[j] = 1.0 / (gs[i] + y0 + (C > 1 ? y : 0.0));
      x[i] = (gs[i] * u[i] + y0) * b[j];
    }
    for (int k = 1; k < C; ++k) {
      const double right = k + 1 < C ? y : 0.0;
      for (int j = 0; j < n_; ++j) {
        const std::size_t i = static_cast<std::size_t>(j) * C + k;
        const double f = -y * b[j];
        fac[i - 1] = f;
        b[j] = 1.0 / (gs[i] + y + right + y * f);
        x[i] = (gs[i] * u[i] + y * x[i - 1]) * b[j];
      }
    }
    for (int k = C - 2; k >= 0; --k)
      for (int j = 0; j < n_; ++j) {
        const std::size_t i = static_cast<std::size_t>(j) * C + k;
        x[i] -= fac[i] * x[i + 1];
      }
    double* v = k_.v.data();
    for (std::size_t i = 0; i < N; ++i) {
      change = std::max(change, std::abs(x[i] - v[i]));
      v[i] = x[i];
    }
    return change;
  }
  // Every bitline given v; returns the largest change of a node. Bitlines are eliminated in
  // lockstep (row outer, column inner: independent, so the inner loop vectorises); each
  // bitline's arithmetic is solve_chain's with 1/b kept instead of b.
  double solve_bitlines() {
    if (w_.bitline_segment == 0 && w_.sense == 0) return 0.0;  // every u stays at ground
    double change = 0;
    const std::size_t N = static_cast<std::size_t>(n_) * cols_;
    const double* gs = k_.gs.data();
    const double* v = k_.v.data();
    double* u = k_.u.data();
    const int C = cols_;
    k_.x.resize(N);
    double* x = k_.x.data();
    if (w_.bitline_segment == 0) {  // each bitline one node behind R_sense
      for (int c = 0; c < C; ++c) {
        double num = 0, den = 1.0 / w_.sense;
        for (int j = 0; j < n_; ++j) {
          num += gs[j * C + c] * v[j * C + c];
          den += gs[j * C + c];
        }
        for (int j = 0; j < n_; ++j) x[j * C + c] = num / den;
      }
    } else {
      k_.fac.resize(N);
      k_.b.resize(static_cast<std::size_t>(C));
      // 1/b kept per bitline: one division per node.
      double* __restrict fac = k_.fac.data();
      double* __restrict binv = k_.b.data();
      double* __restrict xr = x;
      const double* __restrict g = gs;
      const double* __restrict vr = v;
      const double* link = k_.link.data();
      const double ground = 1.0 / r_end_;
      {
        const double down = n_ > 1 ? link[0] : ground;
        for (int c = 0; c < C; ++c) {
          binv[c] = 1.0 / (g[c] + down);
          xr[c] = g[c] * vr[c] * binv[c];
        }
      }
      for (int j = 1; j < n_; ++j) {
        const double up = link[j - 1], down = j + 1 < n_ ? link[j] : ground;
        const std::size_t at = static_cast<std::size_t>(j) * C;
        for (int c = 0; c < C; ++c) {
          const double f = -up * binv[c];
          fac[at - C + c] = f;
          binv[c] = 1.0 / (g[at + c] + up + down + up * f);
          xr[at + c] = (g[at + c] * vr[at + c] + up * xr[at - C + c]) * binv[c];
        }
      }
      for (int j = n_ - 2; j >= 0; --j) {
        const std::size_t at = static_cast<std::size_t>(j) * C;
        for (int c = 0; c < C; ++c) xr[at + c] -= fac[at + c] * xr[at + C + c];
      }
    }
    for (std::size_t i = 0; i < N; ++i) {
      change = std::max(change, std::abs(x[i] - u[i]));
      u[i] = x[i];
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
  net.set_cells(g);
  for (std::size_t i = 0; i < N; ++i) {
    net.v()[i] = 1.0;
    net.u()[i] = 0.0;
  }
  IrSolveStats stats;
  for (stats.iterations = 1; stats.iterations <= max_iterations; ++stats.iterations) {
    net.update_secant();
    const double change = std::max(net.solve_rows(), net.solve_bitlines());
    stats.last_change = change;
    if (change <= tol) break;
  }
  if (stats.iterations > max_iterations)
    throw std::runtime_error("IR-drop exact solve did not converge in " +
                             std::to_string(max_iterations) + " sweeps (last change " +
                             std::to_string(stats.last_change) + " of V_read)");
  net.update_secant();
  net.currents(current.data());
  return stats;
}

void ir_row_profile(const TileWires& w, std::span<const float> g_row, std::span<float> v_row) {
  const int cols = static_cast<int>(g_row.size());
  std::vector<double> gs0(g_row.size()), gs(g_row.size()), u(g_row.size(), 0.0),
      v(g_row.size(), 1.0), next(g_row.size()), work(4 * g_row.size());
  for (int c = 0; c < cols; ++c) gs[c] = gs0[c] = w.series(g_row[c]);
  // Picard iterations on the secant conductances (one solve without a nonlinearity).
  for (int it = 0; it < 1000; ++it) {
    for (int c = 0; c < cols; ++c) gs[c] = w.secant(gs0[c], v[c]);
    solve_row(w, gs.data(), u.data(), cols, next.data(), work.data());
    double change = 0;
    for (int c = 0; c < cols; ++c) change = std::max(change, std::abs(next[c] - v[c]));
    v.swap(next);
    if (w.nonlinear == 0 || change <= 1e-13) break;
  }
  for (int c = 0; c < cols; ++c) v_row[c] = static_cast<float>(v[c]);
}

void ir_solve_fast(const TileWires& w, std::span<const int> rows, std::span<const float> g,
                   std::span<const float> v_row, int cols, int sweeps, float* current,
                   IrWork& work) {
  if (rows.empty()) {
    std::fill(current, current + cols, 0.0f);
    return;
  }
  Network net(w, rows, cols, work);
  const std::size_t N = rows.size() * static_cast<std::size_t>(cols);
  net.set_cells(g);
  for (std::size_t i = 0; i < N; ++i) {
    net.v()[i] = v_row[i];  // the precomputed row-line voltages
    net.u()[i] = 0.0;
  }
  net.update_secant();
  net.solve_bitlines();
  for (int s = 0; s < sweeps; ++s) {
    net.update_secant();
    net.solve_rows();
    net.solve_bitlines();
  }
  net.update_secant();
  net.currents(current);
}

}  // namespace rapmc::pim
