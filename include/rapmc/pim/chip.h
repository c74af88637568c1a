// One chip instance (docs/design.md, "Chip model"): every weight layer of an integer model mapped
// onto crossbar tiles of a hardware description, with the instance's frozen cell conductances and
// ADC parameters (from a DeviceSampler; nominal by default).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rapmc/pim/device_sampler.h"
#include "rapmc/pim/hardware.h"
#include "rapmc/pim/ir_drop.h"
#include "rapmc/pim/mapping.h"
#include "rapmc/quant/int_model.h"

namespace rapmc::pim {

/// One weight layer on tiles. Rows are the layer's inputs in blocks of tile_rows ("row
/// tiles"); the columns of a row tile are the slices of every output, column o·slices + s,
/// spread over tile_cols-wide physical tiles ("column tiles"), each with one reference column.
struct MappedLayer {
  std::string name;
  bool analog = true;  // false: hardware.analog_layers keeps it digital (nothing mapped or sampled)
  int in = 0, out = 0;
  int cols = 0;  // data bitlines: out × slices
  int row_tiles = 0, col_tiles = 0;
  int tile_cols = 0;  // bitlines per physical tile (the hardware's)
  int words = 0;      // 64-bit words per bitline mask: ceil(tile_rows / 64)
  int stride = 0;     // floats per slab row: cols + col_tiles reference columns
  /// masks[((rt·cell_bits + q)·words + w)·cols + col]: bit i of word w set if bit q of the cell
  /// level at row 64w + i of that bitline is 1 (exact counts by popcount; bitlines contiguous so
  /// that the count loop vectorises).
  std::vector<std::uint64_t> masks;
  /// g[(rt·tile_rows + i)·stride + col]: conductance normalised to one count; empty when the
  /// instance has ideal cells.
  std::vector<float> g;
  /// With a level-dependent cell noise (ReadNoise::cell_rel_by_level): each cell's σ per read,
  /// in counts, laid out as g; empty otherwise.
  std::vector<float> noise_amp;
  /// With the fast IR-drop solver: the row-line voltage at each cell (relative to V_read) with
  /// the bitlines at ground (ir_row_profile), laid out as g; empty otherwise.
  std::vector<float> v_row;
  int adcs_per_row_tile = 0;
  std::vector<int> adc_of_col;    // ADC instance of each data column within its row tile
  std::vector<float> adc_params;  // [rt][adc][adc_param_count]; empty when ADCs are nominal
  std::vector<float> col_params;  // the same per bitline: [rt][param][cols] (vectorised conversion)
  /// Sense stage of each data bitline, [rt][cols]: gain and offset (LSB); empty when nominal.
  std::vector<float> sense_gain, sense_offset;
  /// Cells with telegraph noise, by row: those of row r of row tile rt are
  /// rtn[rtn_start[rt·tile_rows + r] .. rtn_start[rt·tile_rows + r + 1]); empty without.
  std::vector<RtnCell> rtn;
  std::vector<std::uint32_t> rtn_start;

  /// Column tile `ct` as one physical row: its data bitlines in order, then its reference
  /// column (at the far end from the driver). Its width in columns:
  int tile_width(int ct) const { return std::min(cols, (ct + 1) * tile_cols) - ct * tile_cols + 1; }
  /// Copies that row of one slab row (`slab_row`: stride values) into `out` [tile_width(ct)].
  template <typename T, typename U>
  void gather_tile(const T* slab_row, int ct, U* out) const {
    const int c0 = ct * tile_cols, w = tile_width(ct);
    std::copy(slab_row + c0, slab_row + c0 + w - 1, out);
    out[w - 1] = static_cast<U>(slab_row[cols + ct]);
  }
  /// The reverse: `in` [tile_width(ct)] into its places in `slab_row`.
  template <typename T, typename U>
  void scatter_tile(const T* in, int ct, U* slab_row) const {
    const int c0 = ct * tile_cols, w = tile_width(ct);
    std::copy(in, in + w - 1, slab_row + c0);
    slab_row[cols + ct] = static_cast<U>(in[w - 1]);
  }
};

class ChipInstance {
 public:
  /// Maps every weight layer of `model`; `sampler` must outlive this object (the attention
  /// arrays are sampled as they are written).
  ChipInstance(const IntModel& model, const HardwareConfig& hw,
               const DeviceSampler& sampler = nominal_devices());
  const HardwareConfig& hardware() const { return hw_; }
  const SliceLayout& layout() const { return layout_; }
  const std::vector<MappedLayer>& layers() const { return layers_; }
  /// Index of the mapped layer of that name; std::out_of_range if the model has none.
  std::size_t index(const std::string& name) const { return index_.at(name); }
  bool ideal_cells() const { return ideal_cells_; }
  bool nominal_adcs() const { return nominal_adcs_; }
  bool nominal_sense() const { return nominal_sense_; }
  /// True if reads see IR drop (hardware wires); then every cell's conductance is kept.
  bool ir_drop() const { return ir_drop_; }
  /// The tile's resistances normalised to 1/ΔG (ir_drop.h).
  const TileWires& wires() const { return wires_; }
  /// Temporal noise of the read chain (device_sampler.h) and its streams' key.
  const ReadNoise& read_noise() const { return read_noise_; }
  bool has_read_noise() const { return read_noise_.bitline() || read_noise_.comparator_lsb > 0; }
  double comparator_noise_lsb() const {
    return hw_.adc == AdcType::IDEAL ? 0.0 : read_noise_.comparator_lsb;
  }
  std::uint64_t noise_key() const { return sampler_->noise_key(); }
  /// Nominal G_off normalised to one count: G_off / ((G_on − G_off)/(2^cell_bits − 1)).
  double g_off_norm() const { return g_off_norm_; }
  /// Maps weights [out × in] onto tiles as array `name` of this chip (its cells and ADCs
  /// sampled as the chip's sampler decides); used for the static weight layers at
  /// construction and for the attention operands written at run time.
  MappedLayer map_weights(const std::string& name, const std::int8_t* w, int out, int in) const;
  /// Names of the counter slots: the weight layers, then (attention on PiM) per block
  /// "blocks/<i>/attn_qk" and "blocks/<i>/attn_pv".
  const std::vector<std::string>& counter_names() const { return counter_names_; }
  /// The counter slot names a chip of `hw` has for `model` (without building it).
  static std::vector<std::string> counter_names_for(const IntModel& model,
                                                    const HardwareConfig& hw);
  /// Die position (x, y) ∈ [−½, ½]² of a tile: every weight layer's tiles (row tile, then
  /// column tile, layers in data-path order) fill a square grid row by row; arrays outside
  /// the floorplan (attention writes) sit at the centre.
  std::pair<double, double> tile_position(const std::string& layer, int row_tile,
                                          int col_tile) const;
  /// Counter slot of an attention product of block `block` (0 = q·kᵀ, 1 = P·V).
  std::size_t attention_slot(int block, int product) const {
    return layers_.size() + 2 * block + product;
  }
  /// True if counter slot `slot` runs on the analog array (hardware.analog_layers).
  bool analog_slot(std::size_t slot) const { return analog_slots_[slot]; }

 private:
  // map_weights' stages, in its order. The tile geometry of layer `name` [out × in] (nothing
  // mapped yet).
  MappedLayer layer_shape(const std::string& name, int out, int in) const;
  // The bitline masks of `m` (weights `w`): each bit of each cell level, for exact counts.
  void map_masks(MappedLayer& m, const std::int8_t* w) const;
  // Chips without ideal cells: the sampled conductances of `m` and what follows from them
  // (telegraph cells, noise amplitudes, the fast IR-drop solver's row profiles).
  void map_cells(MappedLayer& m, const std::int8_t* w) const;
  // Chips with varied sense stages: each data bitline's sampled gain and offset.
  void map_sense(MappedLayer& m) const;
  // The ADC instance of each bitline; on chips with varied ADCs also every instance's sampled
  // parameters (through the calibration wires where they apply), and the same per bitline.
  void map_adcs(MappedLayer& m, const std::int8_t* w) const;
  // The telegraph-noise cells of every row tile of `m` (rtn_cells() per slab, in row order).
  void map_rtn(MappedLayer& m, const std::string& name) const;
  // The fast IR-drop solver's row profiles of every row of every tile of `m`.
  void map_row_profiles(MappedLayer& m) const;
  // The programmed level (0 = off) of slab column `col` at input row `i` of `m` (weights `w`).
  int programmed_level(const MappedLayer& m, const std::int8_t* w, int i, int col) const;
  // Row tile `rt` of `m` (weights `w` [out × in]) as one slab [tile_rows × stride]: nominal
  // levels, then the sampler's cells (at the read, or at calibration) and tile gains.
  void sample_slab(const MappedLayer& m, const std::int8_t* w, int rt, bool at_calibration,
                   float* slab) const;
  // Each cell's noise amplitude σ(level)·G of `m` (weights `w`) into m.noise_amp.
  void map_noise_amplitudes(MappedLayer& m, const std::int8_t* w) const;
  // What each tile's calibration column measures through the wires, [rt·col_tiles + ct]
  // (docs/design.md, "Calibration through the wires"); all 1 when it does not apply.
  std::vector<WireAttenuation> calibration_wires(const MappedLayer& m, const std::int8_t* w) const;
  HardwareConfig hw_;
  const DeviceSampler* sampler_;
  std::vector<std::string> counter_names_;
  std::vector<bool> analog_slots_;  // per counter slot
  SliceLayout layout_;
  bool ideal_cells_ = true;
  bool nominal_adcs_ = true;
  bool nominal_sense_ = true;
  bool ir_drop_ = false;
  TileWires wires_;
  ReadNoise read_noise_;
  double g_off_norm_ = 0;
  std::vector<MappedLayer> layers_;
  std::unordered_map<std::string, std::size_t> index_;
  // Floorplan: each weight layer's first tile index and column tiles; the grid's width.
  std::unordered_map<std::string, std::pair<int, int>> floorplan_;
  int grid_width_ = 1;
};

}  // namespace rapmc::pim
