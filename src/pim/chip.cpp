#include "rapmc/pim/chip.h"

#include <algorithm>

#include "rapmc/core/errors.h"
#include "rapmc/core/parallel_for.h"
#include "rapmc/pim/adc.h"

namespace rapmc::pim {
namespace {

// The parameters of each bitline's ADC instance copied per bitline, m.col_params[rt][k][col]
// from m.adc_params[rt][adc][k] (P per instance), so that the conversion of a read's bitlines
// vectorises (adc_kernels.h).
void spread_adc_params(MappedLayer& m, int P) {
  m.col_params.resize(static_cast<std::size_t>(m.row_tiles) * P * m.cols);
  for (int rt = 0; rt < m.row_tiles; ++rt)
    for (int k = 0; k < P; ++k)
      for (int col = 0; col < m.cols; ++col)
        m.col_params[(static_cast<std::size_t>(rt) * P + k) * m.cols + col] =
            m.adc_params[(static_cast<std::size_t>(rt) * m.adcs_per_row_tile + m.adc_of_col[col]) *
                             P +
                         k];
}

}  // namespace

const DeviceSampler& nominal_devices() {
  static const DeviceSampler nominal;
  return nominal;
}

ChipInstance::ChipInstance(const IntModel& model, const HardwareConfig& hw,
                           const DeviceSampler& sampler)
    : hw_(hw),
      sampler_(&sampler),
      layout_(slice_layout(hw.mapping, model.settings.weight_bits, hw.cell_bits)) {
  read_noise_ = sampler.read_noise();
  ir_drop_ = hw.ir_drop();
  // Noise that follows the conductance, and IR drop, need every cell's conductance, nominal
  // or not.
  ideal_cells_ = !sampler.varies_cells() && !sampler.varies_tiles() &&
                 !read_noise_.conductance_dependent() && !sampler.has_rtn() && !ir_drop_;
  nominal_adcs_ = !sampler.varies_adcs();
  nominal_sense_ = !sampler.varies_sense();
  const double levels = (1 << hw.cell_bits) - 1;
  const double dg = (hw.g_on_siemens - hw.g_off_siemens) / levels;  // S per count
  g_off_norm_ = hw.g_off_siemens / dg;
  wires_ = {.row_segment = hw.r_row_segment_ohm * dg,
            .bitline_segment = hw.r_bitline_segment_ohm * dg,
            .access = hw.r_access_ohm * dg,
            .driver = hw.r_driver_ohm * dg,
            .sense = hw.r_sense_ohm * dg,
            .tile_rows = hw.tile_rows,
            .both_ends = hw.row_drivers == RowDrivers::BOTH_ENDS,
            .nonlinear = hw.read_nonlinearity_per_v2 * hw.v_read * hw.v_read};
  // Slots first: a bad analog_layers pattern fails before any mapping; the weight layers are
  // the first slots, in the order below.
  counter_names_ = counter_names_for(model, hw);
  for (const std::string& n : counter_names_) analog_slots_.push_back(hw.is_analog(n));
  const std::vector<const IntLinear*> all = model.weight_layers();
  // The floorplan holds every weight layer, analog or not, so that a tile's place does not
  // depend on schedule.analog_layers.
  int tiles = 0;
  for (const IntLinear* l : all) {
    const int row_tiles = (l->in + hw.tile_rows - 1) / hw.tile_rows;
    const int col_tiles = (l->out * layout_.slices() + hw.tile_cols - 1) / hw.tile_cols;
    floorplan_[l->name] = {tiles, col_tiles};
    tiles += row_tiles * col_tiles;
  }
  while (grid_width_ * grid_width_ < tiles) ++grid_width_;
  // The layers mapped in parallel: each is a pure function of its name (keyed streams), so the
  // chip does not depend on the order or the threads.
  for (std::size_t i = 0; i < all.size(); ++i) index_[all[i]->name] = i;
  layers_.resize(all.size());
  parallel_for(std::size_t{0}, all.size(), [&](std::size_t i) {
    const IntLinear* l = all[i];
    if (analog_slots_[i]) {
      layers_[i] = map_weights(l->name, l->w.data(), l->out, l->in);
    } else {  // digital: its cells are never sampled (streams are keyed by name, the others
              // unchanged)
      layers_[i].name = l->name;
      layers_[i].analog = false;
    }
  });
}

std::pair<double, double> ChipInstance::tile_position(const std::string& layer, int row_tile,
                                                      int col_tile) const {
  const auto it = floorplan_.find(layer);
  if (it == floorplan_.end()) return {0.0, 0.0};
  const int index = it->second.first + row_tile * it->second.second + col_tile;
  const double w = grid_width_;
  return {(index % grid_width_ + 0.5) / w - 0.5, (index / grid_width_ + 0.5) / w - 0.5};
}

void ChipInstance::map_rtn(MappedLayer& m, const std::string& name) const {
  const int R = hw_.tile_rows;
  m.rtn_start.assign(static_cast<std::size_t>(m.row_tiles) * R + 1, 0);
  for (int rt = 0; rt < m.row_tiles; ++rt) {
    std::vector<RtnCell> cells;
    const std::span<const float> slab(m.g.data() + static_cast<std::size_t>(rt) * R * m.stride,
                                      static_cast<std::size_t>(R) * m.stride);
    sampler_->rtn_cells(name, rt, R, m.stride, slab, cells);
    for (const RtnCell& c : cells) {
      m.rtn.push_back(c);
      m.rtn_start[static_cast<std::size_t>(rt) * R + c.row + 1]++;
    }
  }
  for (std::size_t i = 1; i < m.rtn_start.size(); ++i) m.rtn_start[i] += m.rtn_start[i - 1];
}

void ChipInstance::map_row_profiles(MappedLayer& m) const {
  const int R = hw_.tile_rows;
  m.v_row.assign(m.g.size(), 0.0f);
  std::vector<float> row, v;
  for (int rt = 0; rt < m.row_tiles; ++rt)
    for (int r = 0; r < R; ++r) {
      const std::size_t at = (static_cast<std::size_t>(rt) * R + r) * m.stride;
      for (int ct = 0; ct < m.col_tiles; ++ct) {
        row.resize(static_cast<std::size_t>(m.tile_width(ct)));
        v.resize(row.size());
        m.gather_tile(m.g.data() + at, ct, row.data());
        ir_row_profile(wires_, row, v);
        m.scatter_tile(v.data(), ct, m.v_row.data() + at);
      }
    }
}

int ChipInstance::programmed_level(const MappedLayer& m, const std::int8_t* w, int i,
                                   int col) const {
  if (i >= m.in || col >= m.cols) return 0;  // reference columns, rows beyond the layer: G_off
  const int S = layout_.slices();
  return weight_digit(layout_, w[static_cast<std::size_t>(col / S) * m.in + i], col % S);
}

void ChipInstance::sample_slab(const MappedLayer& m, const std::int8_t* w, int rt,
                               bool at_calibration, float* slab) const {
  const int R = hw_.tile_rows, C = hw_.tile_cols;
  for (int r = 0; r < R; ++r)
    for (int col = 0; col < m.stride; ++col)
      slab[static_cast<std::size_t>(r) * m.stride + col] =
          static_cast<float>(g_off_norm_ + programmed_level(m, w, rt * R + r, col));
  const std::span<float> all(slab, static_cast<std::size_t>(R) * m.stride);
  if (at_calibration)
    sampler_->calibration_cells(m.name, rt, R, m.stride, all);
  else
    sampler_->cells(m.name, rt, R, m.stride, all);
  if (sampler_->varies_tiles()) {  // each column tile with its reference column
    for (int ct = 0; ct < m.col_tiles; ++ct) {
      const auto [x, y] = tile_position(m.name, rt, ct);
      const auto f = static_cast<float>(sampler_->tile_gain(m.name, rt, ct, x, y));
      const int c0 = ct * C, c1 = std::min(m.cols, c0 + C);
      for (int r = 0; r < R; ++r) {
        float* row = slab + static_cast<std::size_t>(r) * m.stride;
        for (int c = c0; c < c1; ++c) row[c] *= f;
        row[m.cols + ct] *= f;
      }
    }
  }
}

void ChipInstance::map_noise_amplitudes(MappedLayer& m, const std::int8_t* w) const {
  const int R = hw_.tile_rows;
  const std::vector<double>& rel = read_noise_.cell_rel_by_level;
  m.noise_amp.assign(m.g.size(), 0.0f);
  for (int rt = 0; rt < m.row_tiles; ++rt)
    for (int r = 0; r < R; ++r) {
      const std::size_t at = (static_cast<std::size_t>(rt) * R + r) * m.stride;
      for (int col = 0; col < m.stride; ++col) {
        const auto level = static_cast<std::size_t>(programmed_level(m, w, rt * R + r, col));
        m.noise_amp[at + col] = static_cast<float>(rel[level] * m.g[at + col]);
      }
    }
}

std::vector<WireAttenuation> ChipInstance::calibration_wires(const MappedLayer& m,
                                                             const std::int8_t* w) const {
  const bool one_point = hw_.reference == ReferenceCal::ONE_POINT;
  const bool compensated = hw_.drift_compensation == DriftCompensation::GLOBAL;
  if (!ir_drop_ || !hw_.calibration_through_wires ||
      (hw_.reference == ReferenceCal::NONE && !compensated))
    return {};
  const int R = hw_.tile_rows;
  const auto cal_cell = static_cast<float>(g_off_norm_ + ((1 << hw_.cell_bits) - 1));
  const int cells = compensated && !one_point ? hw_.drift_ref_cells : hw_.replica_cells;
  std::vector<WireAttenuation> out(static_cast<std::size_t>(m.row_tiles) * m.col_tiles);
  std::vector<float> cal_slab(static_cast<std::size_t>(R) * m.stride), tile;
  // Each tile's calibration read: the tile gathered column tile by column tile, the
  // calibration column placed in it (docs/design.md, "Calibration through the wires").
  auto gain = [&](const float* slab, int ct) {
    const int width = m.tile_width(ct);
    tile.resize(static_cast<std::size_t>(R) * width);
    for (int r = 0; r < R; ++r)
      m.gather_tile(slab + static_cast<std::size_t>(r) * m.stride, ct,
                    tile.data() + static_cast<std::size_t>(r) * width);
    const int at = hw_.calibration_column == CalibrationColumn::MID_ARRAY ? width / 2 : width;
    return ir_calibration_gain(wires_, tile, width, at, cells, cal_cell);
  };
  const bool need_cal = one_point || compensated;  // else a replica: read now only
  for (int rt = 0; rt < m.row_tiles; ++rt) {
    const float* now = m.g.data() + static_cast<std::size_t>(rt) * R * m.stride;
    if (need_cal) sample_slab(m, w, rt, true, cal_slab.data());
    for (int ct = 0; ct < m.col_tiles; ++ct) {
      WireAttenuation& a = out[static_cast<std::size_t>(rt) * m.col_tiles + ct];
      a.now = gain(now, ct);
      a.at_cal = need_cal ? gain(cal_slab.data(), ct) : a.now;
    }
  }
  return out;
}

std::vector<std::string> ChipInstance::counter_names_for(const IntModel& model,
                                                         const HardwareConfig& hw) {
  std::vector<std::string> names;
  for (const IntLinear* l : model.weight_layers()) names.push_back(l->name);
  if (hw.attention == AttentionPlacement::PIM) {
    for (std::size_t b = 0; b < model.blocks.size(); ++b) {
      names.push_back("blocks/" + std::to_string(b) + "/attn_qk");
      names.push_back("blocks/" + std::to_string(b) + "/attn_pv");
    }
  }
  // A pattern of analog_layers that matches no layer is a typo, not a design: it would keep
  // layers digital silently.
  for (const std::string& pattern : hw.analog_layer_patterns()) {
    if (std::none_of(names.begin(), names.end(),
                     [&](const std::string& n) { return layer_matches(pattern, n); })) {
      throw ConfigError(
          hw.source + ": 'schedule.analog_layers' pattern '" + pattern +
          "' matches no layer of the model (layers: embed (ViT), blocks/<i>/{qkv,proj,fc1,fc2}, "
          "pooler (BERT), head/fc" +
          (hw.attention == AttentionPlacement::PIM ? ", blocks/<i>/{attn_qk,attn_pv}" : "") + ")");
    }
  }
  return names;
}

MappedLayer ChipInstance::map_weights(const std::string& name, const std::int8_t* w, int out,
                                      int in) const {
  MappedLayer m = layer_shape(name, out, in);
  map_masks(m, w);
  if (!ideal_cells_) map_cells(m, w);
  if (!nominal_sense_) map_sense(m);
  map_adcs(m, w);
  return m;
}

MappedLayer ChipInstance::layer_shape(const std::string& name, int out, int in) const {
  const int R = hw_.tile_rows, C = hw_.tile_cols;
  MappedLayer m;
  m.name = name;
  m.in = in;
  m.out = out;
  m.cols = out * layout_.slices();
  m.row_tiles = (in + R - 1) / R;
  m.col_tiles = (m.cols + C - 1) / C;
  m.tile_cols = C;
  m.words = (R + 63) / 64;
  m.stride = m.cols + m.col_tiles;
  return m;
}

void ChipInstance::map_masks(MappedLayer& m, const std::int8_t* w) const {
  const int R = hw_.tile_rows, L = hw_.cell_bits, S = layout_.slices();
  m.masks.assign(static_cast<std::size_t>(m.row_tiles) * m.cols * L * m.words, 0);
  for (int i = 0; i < m.in; ++i) {
    const int rt = i / R, r = i % R;
    for (int o = 0; o < m.out; ++o) {
      const int wv = w[static_cast<std::size_t>(o) * m.in + i];
      for (int s = 0; s < S; ++s) {
        const int digit = weight_digit(layout_, wv, s);
        const int col = o * S + s;
        for (int q = 0; q < L; ++q)
          if ((digit >> q) & 1)
            m.masks[((static_cast<std::size_t>(rt) * L + q) * m.words + r / 64) * m.cols + col] |=
                std::uint64_t{1} << (r % 64);
      }
    }
  }
}

void ChipInstance::map_cells(MappedLayer& m, const std::int8_t* w) const {
  const int R = hw_.tile_rows;
  m.g.assign(static_cast<std::size_t>(m.row_tiles) * R * m.stride, 0.0f);
  for (int rt = 0; rt < m.row_tiles; ++rt)
    sample_slab(m, w, rt, false, m.g.data() + static_cast<std::size_t>(rt) * R * m.stride);
  if (sampler_->has_rtn()) map_rtn(m, m.name);
  if (!read_noise_.cell_rel_by_level.empty()) map_noise_amplitudes(m, w);
  if (ir_drop_ && hw_.ir_solver == IrSolver::FAST) map_row_profiles(m);
}

void ChipInstance::map_sense(MappedLayer& m) const {
  m.sense_gain.assign(static_cast<std::size_t>(m.row_tiles) * m.cols, 1.0f);  // nominal
  m.sense_offset.assign(m.sense_gain.size(), 0.0f);
  for (int rt = 0; rt < m.row_tiles; ++rt) {
    const std::size_t at = static_cast<std::size_t>(rt) * m.cols;
    const auto n = static_cast<std::size_t>(m.cols);
    sampler_->sense(m.name, rt, {m.sense_gain.data() + at, n}, {m.sense_offset.data() + at, n});
  }
}

void ChipInstance::map_adcs(MappedLayer& m, const std::int8_t* w) const {
  const int C = hw_.tile_cols;
  const int adcs_per_col_tile = (C + hw_.cols_per_adc - 1) / hw_.cols_per_adc;
  m.adcs_per_row_tile = m.col_tiles * adcs_per_col_tile;
  for (int col = 0; col < m.cols; ++col)
    m.adc_of_col.push_back((col / C) * adcs_per_col_tile + (col % C) / hw_.cols_per_adc);
  const int P = adc_param_count(hw_.adc, hw_.enob);
  if (nominal_adcs_ || P == 0) return;
  const std::vector<WireAttenuation> wires = calibration_wires(m, w);
  m.adc_params.resize(static_cast<std::size_t>(m.row_tiles) * m.adcs_per_row_tile * P);
  for (int rt = 0; rt < m.row_tiles; ++rt)
    for (int a = 0; a < m.adcs_per_row_tile; ++a) {
      const std::span<float> p(
          m.adc_params.data() + (static_cast<std::size_t>(rt) * m.adcs_per_row_tile + a) * P,
          static_cast<std::size_t>(P));
      nominal_adc_params(hw_.adc, hw_.enob, hw_.threshold_shift_lsb(), p);
      const int ct = a / adcs_per_col_tile;
      sampler_->adc(m.name, rt, a, p,
                    wires.empty() ? WireAttenuation{}
                                  : wires[static_cast<std::size_t>(rt) * m.col_tiles + ct]);
    }
  spread_adc_params(m, P);
}

}  // namespace rapmc::pim
