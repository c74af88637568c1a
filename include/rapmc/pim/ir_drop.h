// IR drop in one crossbar tile (docs/design.md, "IR drop"): the wires between the cells, the
// access devices, the wordline drivers and the sense stages' inputs turn a read into a resistive
// network. Geometry (assumed, docs/configuration.md "wires"): each active row line is driven
// from one end (column 0's side) by a driver of output resistance R_drv, one row segment before
// the first cell; each bitline ends one bitline segment after the tile's last row in its sense
// stage, a virtual ground behind an input resistance R_sense. A cell is its conductance G in
// series with its access device (on resistance R_acc); rows not driven have their access
// devices off, so their cells carry no current (1T1R).
//
// All quantities are normalised: voltages to V_read, conductances to one count (ΔG, the step of
// one cell level), resistances to 1/ΔG (R·ΔG), currents to ΔG·V_read (counts). A read of n
// active rows is then: row-line nodes v[j][c], bitline nodes u[j][c] at the active rows, and
// the current of bitline c into its sense stage is Σ_j gs[j][c]·(v[j][c] − u[j][c]), with
// gs = G/(1 + G·R_acc) the series conductance of a cell and its access device.
#pragma once

#include <span>
#include <vector>

namespace rapmc::pim {

/// Wire and device resistances of a tile, normalised to 1/ΔG (R·ΔG), and the tile height.
struct TileWires {
  double row_segment = 0;      // row (word/source) line, per cell pitch
  double bitline_segment = 0;  // bitline, per cell pitch
  double access = 0;           // access device on resistance, in series with each cell
  double driver = 0;           // row driver output resistance
  double sense = 0;            // sense-stage input resistance (virtual-ground quality)
  int tile_rows = 128;         // rows of the tile: the sense stage sits below row tile_rows − 1
  /// True if any resistance is non-zero (otherwise every cell sees exactly V_read).
  bool any() const {
    return row_segment > 0 || bitline_segment > 0 || access > 0 || driver > 0 || sense > 0;
  }
  /// Series conductance of a cell of conductance g and its access device.
  double series(double g) const { return g / (1.0 + g * access); }
};

/// Result of an exact solve: iterations used and the last update's largest change.
struct IrSolveStats {
  int iterations = 0;
  double last_change = 0;
};

/// The reference solver: nodal analysis of the tile for one read, solved by alternating exact
/// line solves (every row line, then every bitline, each a tridiagonal system; block
/// Gauss-Seidel on the symmetric positive definite nodal matrix, which converges) until no node
/// moves by more than `tol` (relative to V_read). `rows` are the active rows' positions in the
/// tile (ascending, distinct), `g` their cells' conductances row-major [n × cols], `current`
/// receives each bitline's current into its sense stage [cols]. Throws std::runtime_error if
/// `max_iterations` sweeps do not converge.
IrSolveStats ir_solve_exact(const TileWires& w, std::span<const int> rows, std::span<const float> g,
                            int cols, std::span<double> current, double tol = 1e-13,
                            int max_iterations = 100000);

/// The fast solver's precomputation for one row: the current each cell of the row would carry
/// with every bitline node at ground (the row line's own drop only), written to `g_eff` [cols]
/// as an effective conductance gs·v. Depends only on the row's cells: done once per chip.
void ir_row_profile(const TileWires& w, std::span<const float> g_row, std::span<float> g_eff);

/// Scratch of one solve (reused across reads by the fast solver).
struct IrWork {
  std::vector<double> gs, v, u, line, link, chain, row_v;
};

/// The fast solver's per-read stage: starts from the precomputed row-line voltages
/// (g_eff/gs: each row line's drop with the bitlines at ground), solves every bitline exactly
/// given them, then runs `sweeps` further block Gauss-Seidel sweeps (row lines, then
/// bitlines) of the exact solver. `g` and `g_eff` are the active rows' conductances and
/// profiles row-major [n × cols]; `current` [cols] receives the bitline currents. Its error
/// against ir_solve_exact is measured in tests/unit/test_ir_drop.cpp and docs/design.md.
void ir_solve_fast(const TileWires& w, std::span<const int> rows, std::span<const float> g,
                   std::span<const float> g_eff, int cols, int sweeps, float* current,
                   IrWork& work);

}  // namespace rapmc::pim
