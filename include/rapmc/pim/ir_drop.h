// IR drop in one crossbar tile (docs/design.md, "IR drop"): the wires between the cells, the
// access devices, the wordline drivers and the sense stages' inputs turn a read into a resistive
// network. Geometry (assumed, docs/configuration.md "wires"): each active row line is driven
// from one end (column 0's side) by a driver of output resistance R_drv, one row segment before
// the first cell (with drivers at both ends, also from the far side, one row segment after the
// last column: the mitigation `wires.row_drivers = "both_ends"`); each bitline ends one bitline
// segment after the tile's last row in its sense stage, a virtual ground behind an input resistance
// R_sense. A cell is its conductance G in series with its access device (on resistance R_acc); rows
// not driven have their access devices off, so their cells carry no current (1T1R).
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
  bool both_ends = false;      // row lines driven from both ends (a second driver R_drv)
  /// Read nonlinearity b = β·V_read²: a cell (with its access device) at x·V_read carries
  /// gs·x·(1 + b·x²)/(1 + b), one count still being an on-cell's current at V_read.
  double nonlinear = 0;
  /// True if any resistance is non-zero (otherwise every cell sees exactly V_read).
  bool any() const {
    return row_segment > 0 || bitline_segment > 0 || access > 0 || driver > 0 || sense > 0;
  }
  /// Secant conductance of a cell of series conductance gs at x·V_read (1 at x = 1).
  double secant(double gs, double x) const {
    return nonlinear > 0 ? gs * (1.0 + nonlinear * x * x) / (1.0 + nonlinear) : gs;
  }
  /// Series conductance of a cell of conductance g and its access device.
  double series(double g) const { return access > 0 ? g / (1.0 + g * access) : g; }
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
/// receives each bitline's current into its sense stage [cols]. With a read nonlinearity each
/// sweep first sets every cell's secant conductance at its present voltage (a Picard
/// iteration). Throws ChipFailure (core/errors.h) if `max_iterations` sweeps do not converge:
/// the chip cannot be read at this operating point.
IrSolveStats ir_solve_exact(const TileWires& w, std::span<const int> rows, std::span<const float> g,
                            int cols, std::span<double> current, double tol = 1e-13,
                            int max_iterations = 100000);

/// The fast solver's precomputation for one row: its row-line node voltages (normalised) with
/// every bitline node at ground — the row line's own drop — written to `v_row` [cols]. Depends
/// only on the row's cells: done once per chip.
void ir_row_profile(const TileWires& w, std::span<const float> g_row, std::span<float> v_row);

/// Scratch of one solve (reused across reads by the fast solver).
struct IrWork {
  std::vector<double> gs, gs0, v, u, link, fac, x, b;
};

/// The fast solver's per-read stage: starts from the precomputed row-line voltages (each row
/// line's drop with the bitlines at ground), solves every bitline exactly given them, then
/// runs `sweeps` further block Gauss-Seidel sweeps (row lines, then bitlines) of the exact
/// solver. `g` and `v_row` are the active rows' conductances and profiles row-major
/// [n × cols]; `current` [cols] receives the bitline currents. Its error
/// against ir_solve_exact is measured in tests/unit/test_ir_drop.cpp and docs/design.md.
void ir_solve_fast(const TileWires& w, std::span<const int> rows, std::span<const float> g,
                   std::span<const float> v_row, int cols, int sweeps, float* current,
                   IrWork& work);

/// What a calibration read through the wires measures (docs/design.md, "Calibration through
/// the wires"): a calibration column of `cells` on-state cells of conductance `g_cal`, spread
/// evenly over the tile's rows (row ⌊(i + ½)·tile_rows/cells⌋), read with those rows driven, so
/// that the tile's own cells on them load the row lines. The column stands before tile column
/// `position` (0..cols; cols = after the last, the reference column included); `tile` holds
/// the tile's cells [tile_rows × cols] row-major. Returns the column's current through the
/// wires and access devices (exact solve) over cells·g_cal, its current without them.
double ir_calibration_gain(const TileWires& w, std::span<const float> tile, int cols, int position,
                           int cells, float g_cal);

}  // namespace rapmc::pim
