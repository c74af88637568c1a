// The hook through which a chip instance gets its device deviations. The default is the
// nominal chip (ideal devices); the variation models (PVT issue) implement the same calls.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace rapmc::pim {

/// Temporal noise of the read chain (docs/design.md, "Read noise"). The bitline's variance per
/// conversion, in LSB², is floor² + (per_g·ΣG + cell_rel²·ΣG²)/lsb_counts², the sums over the
/// active cells of the bitline and of its reference column, conductances in counts (one count =
/// the conductance step of one cell level): thermal and shot noise grow with the conductance
/// driven, a fluctuation of each cell's current with its square. Each comparator decision adds
/// its own σ.
struct ReadNoise {
  double floor_lsb = 0;       // σ of the sense stage, independent of the cells, LSB
  double per_g_counts2 = 0;   // variance per count of active conductance (thermal + shot), counts²
  double cell_rel = 0;        // σ of one active cell's current, relative to it
  double comparator_lsb = 0;  // σ of one comparator decision, LSB
  /// When a cell's relative σ depends on its programmed level (1/f noise, docs/design.md "1/f
  /// read noise"): that σ per level (0 = off .. 2^cell_bits − 1), in place of cell_rel; the
  /// chip then keeps every cell's noise amplitude σ·G (MappedLayer::noise_amp) and ΣG² above
  /// becomes Σ(σ·G)². Empty otherwise.
  std::vector<double> cell_rel_by_level;
  /// True if a bitline carries noise.
  bool bitline() const { return floor_lsb > 0 || per_g_counts2 > 0 || cells(); }
  /// True if the bitline noise depends on the cells' conductances.
  bool conductance_dependent() const { return per_g_counts2 > 0 || cells(); }
  /// True if the cells' own current fluctuates.
  bool cells() const { return cell_rel > 0 || !cell_rel_by_level.empty(); }
};

/// A cell with random telegraph noise: its current sits a/2 above or below its value, a fresh
/// state at every read (reads far apart against the trap's time constants: assumed).
struct RtnCell {
  int row = 0;          // row within the row tile
  int col = 0;          // slab column (reference columns included)
  float amplitude = 0;  // a, peak to peak, in counts
};

/// What the calibration column of one tile measures through its wires and access devices
/// (ir_calibration_gain()): its current relative to the same cells' without them, with the
/// tile's cells as they are at this read and as they were at calibration. 1 without IR drop,
/// or when calibration is taken as ideal (hardware calibration.through_wires = 0).
struct WireAttenuation {
  double now = 1.0;
  double at_cal = 1.0;
};

class DeviceSampler {
 public:
  virtual ~DeviceSampler() = default;
  /// True if cells() changes conductances (otherwise the engine counts with popcounts).
  virtual bool varies_cells() const { return false; }
  /// Conductances of one row-tile slab of `layer`, normalised to one count (ΔG per cell
  /// level), row-major [rows × cols], nominal on entry; modified in place. `cols` includes the
  /// reference columns (the last columns of the slab). Frozen for the chip's lifetime.
  virtual void cells(const std::string& /*layer*/, int /*row_tile*/, int /*rows*/, int /*cols*/,
                     std::span<float> /*g_norm*/) const {}
  /// True if tile_gain() is not 1 everywhere.
  virtual bool varies_tiles() const { return false; }
  /// Spatially correlated factor on every conductance of tile (`layer`, `row_tile`,
  /// `col_tile`) at die position (x, y), each in [−½, ½] of the die (ChipInstance's
  /// floorplan; (0, 0) for arrays outside it). Frozen for the chip's lifetime.
  virtual double tile_gain(const std::string& /*layer*/, int /*row_tile*/, int /*col_tile*/,
                           double /*x*/, double /*y*/) const {
    return 1.0;
  }
  /// The same slab's conductances as they were when the chip was calibrated (calibration
  /// temperature and supply, before any drift), for the calibration reads through the wires.
  virtual void calibration_cells(const std::string& layer, int row_tile, int rows, int cols,
                                 std::span<float> g_norm) const {
    cells(layer, row_tile, rows, cols, g_norm);
  }
  /// True if rtn_cells() selects cells with telegraph noise.
  virtual bool has_rtn() const { return false; }
  /// The cells of one row-tile slab of `layer` that show telegraph noise (frozen), in row
  /// order, from the slab's conductances `g_norm` (row-major [rows × cols], as cells() left them).
  virtual void rtn_cells(const std::string& /*layer*/, int /*row_tile*/, int /*rows*/, int /*cols*/,
                         std::span<const float> /*g_norm*/, std::vector<RtnCell>& /*out*/) const {}
  /// True if sense() gives the bitlines' sense stages a gain or an offset.
  virtual bool varies_sense() const { return false; }
  /// Gain (1 nominal) and offset (LSB, 0 nominal) of the sense stage of every data bitline of
  /// one row tile of `layer`. Frozen for the chip's lifetime.
  virtual void sense(const std::string& /*layer*/, int /*row_tile*/, std::span<float> /*gain*/,
                     std::span<float> /*offset_lsb*/) const {}
  /// True if adc() changes the ADC parameters.
  virtual bool varies_adcs() const { return false; }
  /// Parameters of one ADC instance (adc.h, LSB units), nominal on entry; modified in place.
  /// `wires`: what its tile's calibration column measures through the wires.
  virtual void adc(const std::string& /*layer*/, int /*row_tile*/, int /*adc_index*/,
                   std::span<float> /*params*/, const WireAttenuation& /*wires*/) const {}
  /// Temporal noise of the read chain; none by default.
  virtual ReadNoise read_noise() const { return {}; }
  /// Key of the temporal-noise streams of this chip (the noise variables of every conversion,
  /// numbered in call order: temporal_noise.h).
  virtual std::uint64_t noise_key() const { return 0; }
};

/// The nominal sampler (ideal devices), alive for the whole program.
const DeviceSampler& nominal_devices();

}  // namespace rapmc::pim
