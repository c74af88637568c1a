#include "rapmc/pim/ir_drop.h"

#include "rapmc/core/errors.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace rapmc::pim {
namespace {

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
  // Every row line given u; returns the largest change of a node. Each line is a tridiagonal
  // system (Thomas algorithm, 1/b kept: one division per node), the lines eliminated in
  // lockstep (column outer, row inner) so that their dependency chains overlap. A line without
  // segment resistance is one node behind the driver.
  double solve_rows() {
    const std::size_t N = static_cast<std::size_t>(n_) * cols_;
    const double* gs = k_.gs.data();
    const double* u = k_.u.data();
    const int C = cols_;
    k_.x.resize(N);
    double* x = k_.x.data();
    if (w_.row_segment == 0) {
      for (int j = 0; j < n_; ++j) {
        const std::size_t at = static_cast<std::size_t>(j) * C;
        double line = 1.0;
        if (w_.driver > 0) {
          const double drivers = (w_.both_ends ? 2.0 : 1.0) / w_.driver;
          double num = drivers, den = drivers;
          for (int c = 0; c < C; ++c) {
            num += gs[at + c] * u[at + c];
            den += gs[at + c];
          }
          line = num / den;
        }
        std::fill(x + at, x + at + C, line);
      }
      return take(x, k_.v.data(), N);
    }
    k_.fac.resize(N);
    k_.b.assign(static_cast<std::size_t>(n_), 0.0);  // (assign: resize made GCC 12 warn falsely)
    const double y = 1.0 / w_.row_segment, y0 = 1.0 / (w_.driver + w_.row_segment);
    // The far end: open, or a second driver behind one segment (to V_read).
    const double y_far = w_.both_ends ? y0 : 0.0;
    double *fac = k_.fac.data(), *b = k_.b.data();
    for (int j = 0; j < n_; ++j) {  // b holds 1/b per line: one division per node
      const std::size_t i = static_cast<std::size_t>(j) * C;
      const double right = C > 1 ? y : y_far, source = C > 1 ? y0 : y0 + y_far;
      b[j] = 1.0 / (gs[i] + y0 + right);
      x[i] = (gs[i] * u[i] + source) * b[j];
    }
    for (int k = 1; k < C; ++k) {
      const double right = k + 1 < C ? y : y_far, source = k + 1 < C ? 0.0 : y_far;
      for (int j = 0; j < n_; ++j) {
        const std::size_t i = static_cast<std::size_t>(j) * C + k;
        const double f = -y * b[j];
        fac[i - 1] = f;
        b[j] = 1.0 / (gs[i] + y + right + y * f);
        x[i] = (gs[i] * u[i] + source + y * x[i - 1]) * b[j];
      }
    }
    for (int k = C - 2; k >= 0; --k)
      for (int j = 0; j < n_; ++j) {
        const std::size_t i = static_cast<std::size_t>(j) * C + k;
        x[i] -= fac[i] * x[i + 1];
      }
    return take(x, k_.v.data(), N);
  }
  // Every bitline given v; returns the largest change of a node. Bitlines are eliminated in
  // lockstep (row outer, column inner: independent, so the inner loop vectorises), each by the
  // Thomas algorithm with 1/b kept.
  double solve_bitlines() {
    if (w_.bitline_segment == 0 && w_.sense == 0) return 0.0;  // every u stays at ground
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
    return take(x, u, N);
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
  // Copies the new node voltages `x` into `to` [N]; returns the largest change.
  static double take(const double* x, double* to, std::size_t N) {
    double change = 0;
    for (std::size_t i = 0; i < N; ++i) {
      change = std::max(change, std::abs(x[i] - to[i]));
      to[i] = x[i];
    }
    return change;
  }
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
    throw ChipFailure("IR-drop exact solve did not converge in " + std::to_string(max_iterations) +
                      " sweeps (last change " + std::to_string(stats.last_change) + " of V_read)");
  net.update_secant();
  net.currents(current.data());
  return stats;
}

void ir_row_profile(const TileWires& w, std::span<const float> g_row, std::span<float> v_row) {
  // The network of one driven row whose bitline nodes stay at ground: its row solve alone,
  // iterated on the secant conductances (Picard; one solve without a nonlinearity).
  const int cols = static_cast<int>(g_row.size());
  const int row[] = {0};
  IrWork work;
  Network net(w, row, cols, work);
  net.set_cells(g_row);
  std::fill(net.v(), net.v() + cols, 1.0);
  std::fill(net.u(), net.u() + cols, 0.0);
  for (int it = 0; it < 1000; ++it) {
    net.update_secant();
    if (net.solve_rows() <= 1e-13 || w.nonlinear == 0) break;
  }
  for (int c = 0; c < cols; ++c) v_row[c] = static_cast<float>(net.v()[c]);
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

double ir_calibration_gain(const TileWires& w, std::span<const float> tile, int cols, int position,
                           int cells, float g_cal) {
  const int R = w.tile_rows, n = std::min(cells, R), width = cols + 1;
  std::vector<int> rows;
  for (int i = 0; i < n; ++i) {
    const int r = static_cast<int>((i + 0.5) * R / n);
    if (rows.empty() || rows.back() != r) rows.push_back(r);
  }
  std::vector<float> g(rows.size() * static_cast<std::size_t>(width));
  for (std::size_t j = 0; j < rows.size(); ++j) {
    const float* row = tile.data() + static_cast<std::size_t>(rows[j]) * cols;
    float* out = g.data() + j * width;
    std::copy(row, row + position, out);
    out[position] = g_cal;
    std::copy(row + position, row + cols, out + position + 1);
  }
  std::vector<double> current(static_cast<std::size_t>(width));
  ir_solve_exact(w, rows, g, width, current);
  return current[static_cast<std::size_t>(position)] / (static_cast<double>(rows.size()) * g_cal);
}

}  // namespace rapmc::pim
