#include "rapmc/pim/pim_mvm.h"

#include <algorithm>
#include <array>
#include <bit>
#include <climits>
#include <cmath>

#include "rapmc/pim/adc.h"

namespace rapmc::pim {
namespace {

// Σ over the active rows of every column of row tile `rt` (reference columns included) of the
// conductances, or of their squares; four rows per pass, a fixed order (results do not depend
// on threads or scheduling).
void sum_active_rows(const MappedLayer& m, int R, int rt, const int* rows, int n, bool square,
                     float* out) {
  std::fill(out, out + m.stride, 0.0f);
  auto row = [&](int j) {
    return m.g.data() + (static_cast<std::size_t>(rt) * R + rows[j]) * m.stride;
  };
  int j = 0;
  if (!square) {
    for (; j + 4 <= n; j += 4) {
      const float *g0 = row(j), *g1 = row(j + 1), *g2 = row(j + 2), *g3 = row(j + 3);
      for (int col = 0; col < m.stride; ++col)
        out[col] += (g0[col] + g1[col]) + (g2[col] + g3[col]);
    }
  }
  for (; j < n; ++j) {
    const float* g = row(j);
    if (square) {
      for (int col = 0; col < m.stride; ++col) out[col] += g[col] * g[col];
    } else {
      for (int col = 0; col < m.stride; ++col) out[col] += g[col];
    }
  }
}

}  // namespace

PimMvm::PimMvm(const ChipInstance& chip, int act_bits)
    : chip_(chip),
      act_bits_(act_bits),
      noise_(chip.noise_key(), RngDomain::READ_NOISE, 0, 0),
      comparator_stream_(chip.noise_key(), RngDomain::COMPARATOR_NOISE, 0, 0),
      rtn_stream_(chip.noise_key(), RngDomain::RTN, 0, 1),
      comparator_noise_(static_cast<float>(chip.comparator_noise_lsb()), comparator_stream_) {
  const HardwareConfig& hw = chip.hardware();
  nominal_params_.resize(static_cast<std::size_t>(adc_param_count(hw.adc, hw.enob)));
  nominal_adc_params(hw.adc, hw.enob, hw.threshold_shift_lsb(), nominal_params_);
}

Counters PimMvm::counters() const {
  Counters out;
  const auto& names = chip_.counter_names();
  for (const Scratch& s : scratch_)
    for (std::size_t i = 0; i < s.counters.size(); ++i) out[names[i]].merge(s.counters[i]);
  return out;
}

void PimMvm::reset_counters() {
  for (Scratch& s : scratch_) std::fill(s.counters.begin(), s.counters.end(), LayerCounters{});
}

bool PimMvm::runs_attention() const {
  return chip_.hardware().attention == AttentionPlacement::PIM;
}

void PimMvm::mvm(const IntLinear& layer, const std::int8_t* x, int rows, std::int32_t* acc) const {
  const std::size_t li = chip_.index(layer.name);
  if (!chip_.layers()[li].analog) {
    DigitalMvm().mvm(layer, x, rows, acc);
    return;
  }
  run(chip_.layers()[li], li, layer.w.data(), reinterpret_cast<const std::uint8_t*>(x),
      InputKind::SIGNED_INT8, rows, acc);
}

void PimMvm::mvm_attention(const AttentionOperand& op, const std::uint8_t* x, InputKind kind,
                           int rows, std::int32_t* acc) const {
  const int product = op.product == AttentionOperand::Product::QK ? 0 : 1;
  const std::size_t slot = chip_.attention_slot(op.block, product);
  if (!runs_attention() || !chip_.analog_slot(slot)) {
    MvmBackend::mvm_attention(op, x, kind, rows, acc);
    return;
  }
  // Each write of an operand is a new programming event: its cells are keyed by the array
  // (block, product, head) and the write's number, the n-th write in a trial being image n.
  const std::string array = chip_.counter_names()[slot] + "/" + std::to_string(op.head);
  std::uint64_t write = 0;
  {
    const std::lock_guard<std::mutex> lock(writes_mutex_);
    write = writes_[array]++;
  }
  const MappedLayer m =
      chip_.map_weights(array + "/write/" + std::to_string(write), op.w, op.out, op.in);
  run(m, slot, op.w, x, kind, rows, acc);
}

void PimMvm::run(const MappedLayer& m, std::size_t slot, const std::int8_t* w,
                 const std::uint8_t* x, InputKind kind, int rows, std::int32_t* acc) const {
  const HardwareConfig& hw = chip_.hardware();
  const SliceLayout& layout = chip_.layout();
  const int R = hw.tile_rows, S = layout.slices();
  Scratch& s = scratch_.local();
  if (s.counters.size() != chip_.counter_names().size())
    s.counters.resize(chip_.counter_names().size());
  s.current.resize(static_cast<std::size_t>(m.stride));
  s.col_acc.resize(static_cast<std::size_t>(m.cols));
  s.count.resize(static_cast<std::size_t>(m.cols));
  s.value.resize(static_cast<std::size_t>(m.cols));
  s.code.resize(static_cast<std::size_t>(m.cols));
  s.margin.resize(static_cast<std::size_t>(m.cols));
  s.closest.resize(static_cast<std::size_t>(m.cols));
  s.threshold.resize(static_cast<std::size_t>(m.cols));
  s.ideal.resize(static_cast<std::size_t>(m.cols));
  s.bin.resize(static_cast<std::size_t>(m.cols));
  s.active.resize(static_cast<std::size_t>(R));
  s.read_mask.resize(static_cast<std::size_t>(m.words));
  LayerCounters& c = s.counters[slot];
  const bool dense = hw.schedule == MvmSchedule::DENSE;
  // Signed inputs: act_bits two's-complement planes, the MSB negative. Unsigned: 8 planes, all
  // positive.
  const int planes = kind == InputKind::SIGNED_INT8 ? act_bits_ : 8;

  for (int t = 0; t < rows; ++t) {
    std::fill(s.col_acc.begin(), s.col_acc.end(), 0);
    const std::uint8_t* xt = x + static_cast<std::ptrdiff_t>(t) * m.in;
    for (int rt = 0; rt < m.row_tiles; ++rt) {
      const int r0 = rt * R, nr = std::min(R, m.in - r0);
      for (int p = 0; p < planes; ++p) {
        int n = 0;
        for (int i = 0; i < nr; ++i)
          if (plane_bit(xt[r0 + i], p)) s.active[n++] = i;
        if (!dense && n == 0) continue;  // an all-zero plane costs nothing in the sparse schedule
        const int k = dense ? std::max(n, 1) : hw.sparse_k;
        const int pw = kind == InputKind::SIGNED_INT8 ? plane_weight(p, act_bits_) : (1 << p);
        for (int a = 0; a == 0 || a < n; a += k)
          read(m, rt, s.active.data() + a, std::min(k, n - a), pw, s, c);
      }
    }
    for (int o = 0; o < m.out; ++o) {
      std::int64_t v = 0;
      for (int sl = 0; sl < S; ++sl)
        v += layout.weight[sl] * s.col_acc[static_cast<std::size_t>(o) * S + sl];
      const auto got = static_cast<std::int32_t>(std::clamp<std::int64_t>(v, INT32_MIN, INT32_MAX));
      acc[static_cast<std::ptrdiff_t>(t) * m.out + o] = got;
      // The exact product, for the layer's MVM SQNR.
      const std::int8_t* wo = w + static_cast<std::ptrdiff_t>(o) * m.in;
      std::int64_t exact = 0;
      if (kind == InputKind::SIGNED_INT8) {
        for (int i = 0; i < m.in; ++i) exact += wo[i] * static_cast<std::int8_t>(xt[i]);
      } else {
        for (int i = 0; i < m.in; ++i) exact += wo[i] * static_cast<std::int32_t>(xt[i]);
      }
      const auto e = static_cast<double>(exact), d = static_cast<double>(got - exact);
      c.signal_sq += e * e;
      c.error_sq += d * d;
    }
  }
}

void PimMvm::read(const MappedLayer& m, int rt, const int* rows, int n, int pw, Scratch& s,
                  LayerCounters& c) const {
  const HardwareConfig& hw = chip_.hardware();
  c.reads += static_cast<std::uint64_t>(m.col_tiles);
  c.conversions += static_cast<std::uint64_t>(m.cols);
  c.cell_ops += static_cast<std::uint64_t>(n) * m.cols;
  c.on_counts += static_cast<std::uint64_t>(count_columns(m, rt, rows, n, s));
  const double leak_none = hw.off_current == OffCurrent::NONE ? n * chip_.g_off_norm() : 0.0;
  if (chip_.ideal_cells() && chip_.nominal_adcs() && chip_.nominal_sense() &&
      !chip_.has_read_noise() && leak_none == 0.0 && hw.lsb_counts == 1) {
    convert_nominal(m.cols, pw, s, c);
    return;
  }
  ideal_codes(m.cols, s);
  analog_values(m, rt, rows, n, leak_none, s);
  convert(m, rt, s);
  tally(m.cols, pw, s, c);
}

std::int64_t PimMvm::count_columns(const MappedLayer& m, int rt, const int* rows, int n,
                                   Scratch& s) const {
  // The exact count of every bitline: popcounts of the read's row mask and the cell bits.
  const int L = chip_.hardware().cell_bits, W = m.words, cols = m.cols;
  std::fill(s.read_mask.begin(), s.read_mask.end(), 0);
  for (int j = 0; j < n; ++j) s.read_mask[rows[j] / 64] |= std::uint64_t{1} << (rows[j] % 64);
  std::int32_t* cnt = s.count.data();
  std::fill(cnt, cnt + cols, 0);
  const std::uint64_t* base = m.masks.data() + static_cast<std::size_t>(rt) * L * W * cols;
  for (int q = 0; q < L; ++q)
    for (int w = 0; w < W; ++w) {
      const std::uint64_t rm = s.read_mask[w];
      if (rm == 0) continue;
      const std::uint64_t* mw = base + static_cast<std::size_t>(q * W + w) * cols;
      for (int col = 0; col < cols; ++col)
        cnt[col] += static_cast<std::int32_t>(std::popcount(rm & mw[col])) << q;
    }
  std::int64_t on = 0;
  for (int col = 0; col < cols; ++col) on += cnt[col];
  return on;
}

void PimMvm::convert_nominal(int cols, int pw, Scratch& s, LayerCounters& c) const {
  // A nominal chip whose ADC resolves single counts: code = ideal code = min(count, top),
  // signed margin 1/2 LSB, or count − top + 1/2 for a count beyond the range.
  const int top = (1 << chip_.hardware().enob) - 1;
  const std::int32_t* cnt = s.count.data();
  std::int64_t* acc = s.col_acc.data();
  std::uint64_t sat = 0;
  for (int col = 0; col < cols; ++col) {
    sat += cnt[col] > top;
    acc[col] += static_cast<std::int64_t>(pw) * std::min(cnt[col], top);
  }
  if (sat) {
    for (int col = 0; col < cols; ++col)
      if (cnt[col] > top) c.margin_hist[margin_bin(cnt[col] - top + 0.5)]++;
  }
  c.saturations += sat;
  c.dcode_hist[0] += static_cast<std::uint64_t>(cols);
  c.margin_hist[margin_bin(0.5)] += static_cast<std::uint64_t>(cols) - sat;
  c.margin_min_lsb = std::min(c.margin_min_lsb, 0.5);
}

void PimMvm::ideal_codes(int cols, Scratch& s) const {
  // The ideal code of every bitline: the ideal ADC on the exact count, thresholds between
  // reachable counts (HardwareConfig::threshold_shift_lsb), i.e. round-half-up of count / L.
  const int lsb = chip_.hardware().lsb_counts, top = (1 << chip_.hardware().enob) - 1;
  const std::int32_t* cnt = s.count.data();
  std::int32_t* ideal = s.ideal.data();
  for (int col = 0; col < cols; ++col) ideal[col] = std::min((2 * cnt[col] + lsb) / (2 * lsb), top);
}

void PimMvm::analog_values(const MappedLayer& m, int rt, const int* rows, int n, double leak_none,
                           Scratch& s) const {
  // The analog value of every bitline, in ADC LSB units.
  const HardwareConfig& hw = chip_.hardware();
  const int C = hw.tile_cols, cols = m.cols;
  const std::int32_t* cnt = s.count.data();
  float* u = s.value.data();
  const float inv_lsb = 1.0f / static_cast<float>(hw.lsb_counts);
  if (chip_.ideal_cells()) {
    const auto leak = static_cast<float>(leak_none);
    for (int col = 0; col < cols; ++col) u[col] = (static_cast<float>(cnt[col]) + leak) * inv_lsb;
  } else {
    column_currents(m, rt, rows, n, s);
    if (!m.rtn.empty()) add_rtn(m, rt, rows, n, s);
    const float* cur = s.current.data();
    if (hw.off_current == OffCurrent::REFERENCE_COLUMN) {
      for (int ct = 0; ct < m.col_tiles; ++ct) {
        const float ref = cur[cols + ct];
        const int end = std::min(cols, (ct + 1) * C);
        for (int col = ct * C; col < end; ++col) u[col] = (cur[col] - ref) * inv_lsb;
      }
    } else {
      const float off = hw.off_current == OffCurrent::DIGITAL_OFFSET
                            ? static_cast<float>(n * chip_.g_off_norm())
                            : 0.0f;
      for (int col = 0; col < cols; ++col) u[col] = (cur[col] - off) * inv_lsb;
    }
  }
  if (!m.sense_gain.empty()) {  // each bitline's sense stage
    const float* gain = m.sense_gain.data() + static_cast<std::size_t>(rt) * cols;
    const float* offset = m.sense_offset.data() + static_cast<std::size_t>(rt) * cols;
    for (int col = 0; col < cols; ++col) u[col] = u[col] * gain[col] + offset[col];
  }
  if (chip_.read_noise().bitline()) add_bitline_noise(m, rt, rows, n, s);
}

void PimMvm::column_currents(const MappedLayer& m, int rt, const int* rows, int n,
                             Scratch& s) const {
  const HardwareConfig& hw = chip_.hardware();
  const int R = hw.tile_rows;
  if (!chip_.ir_drop()) {
    sum_active_rows(m, R, rt, rows, n, false, s.current.data());
    return;
  }
  // Each column tile is one network: its data bitlines, then its reference column.
  const std::span<const int> active(rows, static_cast<std::size_t>(n));
  const bool fast = hw.ir_solver == IrSolver::FAST;
  for (int ct = 0; ct < m.col_tiles; ++ct) {
    const int nc = m.tile_width(ct);
    const std::size_t cells = static_cast<std::size_t>(n) * nc;
    auto gather = [&](const std::vector<float>& from, std::vector<float>& to) {
      to.resize(cells);
      for (int j = 0; j < n; ++j)
        m.gather_tile(from.data() + (static_cast<std::size_t>(rt) * R + rows[j]) * m.stride, ct,
                      to.data() + static_cast<std::size_t>(j) * nc);
    };
    gather(m.g, s.tile_g);
    if (fast) {
      gather(m.v_row, s.tile_v);
      s.tile_current.resize(static_cast<std::size_t>(nc));
      ir_solve_fast(chip_.wires(), active, s.tile_g, s.tile_v, nc, hw.ir_fast_sweeps,
                    s.tile_current.data(), s.ir_work);
      m.scatter_tile(s.tile_current.data(), ct, s.current.data());
    } else {
      s.tile_exact.resize(static_cast<std::size_t>(nc));
      ir_solve_exact(chip_.wires(), active, s.tile_g, nc, s.tile_exact);
      m.scatter_tile(s.tile_exact.data(), ct, s.current.data());
    }
  }
}

void PimMvm::add_rtn(const MappedLayer& m, int rt, const int* rows, int n, Scratch& s) const {
  // Each telegraph-noise cell of an active row: ±a/2, one bit of its stream per cell, rows in
  // read order, cells in column order.
  float* cur = s.current.data();
  const std::size_t base = static_cast<std::size_t>(rt) * chip_.hardware().tile_rows;
  std::uint64_t bits = 0;
  int left = 0;
  for (int j = 0; j < n; ++j) {
    const std::size_t r = base + static_cast<std::size_t>(rows[j]);
    for (std::uint32_t i = m.rtn_start[r]; i < m.rtn_start[r + 1]; ++i) {
      if (left == 0) {
        bits = rtn_stream_();
        left = 64;
      }
      const RtnCell& c = m.rtn[i];
      cur[c.col] += (bits & 1) ? 0.5f * c.amplitude : -0.5f * c.amplitude;
      bits >>= 1;
      --left;
    }
  }
}

void PimMvm::add_bitline_noise(const MappedLayer& m, int rt, const int* rows, int n,
                               Scratch& s) const {
  // One input-referred draw per conversion, in call order, σ from the conductance the bitline
  // (and its reference column) drives (device_sampler.h, ReadNoise).
  const HardwareConfig& hw = chip_.hardware();
  const ReadNoise& rn = chip_.read_noise();
  const int C = hw.tile_cols, cols = m.cols;
  float* u = s.value.data();
  const double floor2 = rn.floor_lsb * rn.floor_lsb;
  if (!rn.conductance_dependent()) {
    const auto sigma = static_cast<float>(rn.floor_lsb);
    for (int col = 0; col < cols; ++col) u[col] += sigma * n01_(noise_);
    return;
  }
  const float* cur = s.current.data();  // Σ G of the active cells (conductance-dependent noise
                                        // keeps every cell's conductance, chip.cpp)
  const float* cur2 = nullptr;
  if (rn.cell_rel > 0) {
    s.current2.resize(static_cast<std::size_t>(m.stride));
    sum_active_rows(m, hw.tile_rows, rt, rows, n, true, s.current2.data());
    cur2 = s.current2.data();
  }
  const bool ref = hw.off_current == OffCurrent::REFERENCE_COLUMN;
  const double inv_l2 = 1.0 / (static_cast<double>(hw.lsb_counts) * hw.lsb_counts);
  const double rel2 = rn.cell_rel * rn.cell_rel;
  for (int col = 0; col < cols; ++col) {
    const int rc = cols + col / C;  // the bitline's reference column
    double g1 = cur[col] + (ref ? cur[rc] : 0.0f);
    double g2 = cur2 ? cur2[col] + (ref ? cur2[rc] : 0.0f) : 0.0;
    const double var = floor2 + (rn.per_g_counts2 * g1 + rel2 * g2) * inv_l2;
    u[col] += static_cast<float>(std::sqrt(var)) * n01_(noise_);
  }
}

void PimMvm::convert(const MappedLayer& m, int rt, Scratch& s) const {
  // The code and the signed sensing margin of every bitline (adc.h).
  const HardwareConfig& hw = chip_.hardware();
  const int cols = m.cols, top = (1 << hw.enob) - 1;
  const float* u = s.value.data();
  const std::int32_t* ideal = s.ideal.data();
  std::int32_t* code = s.code.data();
  float* margin = s.margin.data();
  const bool noisy_comparators = hw.adc != AdcType::IDEAL && comparator_noise_.active();
  if (hw.adc == AdcType::IDEAL || (m.col_params.empty() && !noisy_comparators)) {
    // The ideal ADC (and a nominal, noise-free one) with its thresholds `shift` below k − 1/2:
    // it codes u + shift against k − 1/2.
    const auto ftop = static_cast<float>(top);
    const auto shift = static_cast<float>(hw.threshold_shift_lsb());
    for (int col = 0; col < cols; ++col) {
      const float v = u[col] + shift;
      float x = v + 0.5f;
      x = x < 0.0f ? 0.0f : x;
      x = x > ftop ? ftop : x;
      code[col] = static_cast<std::int32_t>(x);  // truncation = floor for x >= 0
      const auto k = static_cast<float>(ideal[col]);
      const float below = k < 1.0f ? 1e30f : v - (k - 0.5f);   // no threshold below code 0
      const float above = k >= ftop ? 1e30f : (k + 0.5f) - v;  // nor above the top code
      margin[col] = below < above ? below : above;
    }
  } else if (hw.adc == AdcType::FLASH) {
    convert_flash(m, rt, noisy_comparators, s);
  } else {
    for (int col = 0; col < cols; ++col) convert_one(m, rt, col, s);
  }
}

void PimMvm::convert_one(const MappedLayer& m, int rt, int col, Scratch& s) const {
  // One bitline through its ADC instance's parameters (nominal ones on a nominal chip), with
  // the comparators' noise.
  const HardwareConfig& hw = chip_.hardware();
  const int P = adc_param_count(hw.adc, hw.enob);
  const float* p =
      m.adc_params.empty()
          ? nominal_params_.data()
          : m.adc_params.data() +
                (static_cast<std::size_t>(rt) * m.adcs_per_row_tile + m.adc_of_col[col]) * P;
  s.code[col] = adc_convert(hw.adc, hw.enob, {p, static_cast<std::size_t>(P)}, s.value[col],
                            s.ideal[col], s.margin[col], comparator_noise_);
}

void PimMvm::convert_flash(const MappedLayer& m, int rt, bool noisy, Scratch& s) const {
  // Every comparator over every bitline (vectorised). With comparator noise, the few bitlines
  // that come within REACH·σ of a threshold are converted again, one by one, with their noise
  // (adc_convert draws nothing for the others: the same result, in the same stream order).
  const HardwareConfig& hw = chip_.hardware();
  const int cols = m.cols, P = adc_param_count(hw.adc, hw.enob);
  const float* u = s.value.data();
  const std::int32_t* ideal = s.ideal.data();
  std::int32_t* code = s.code.data();
  float* margin = s.margin.data();
  float* closest = s.closest.data();
  std::fill(code, code + cols, 0);
  std::fill(margin, margin + cols, 1e30f);
  std::fill(closest, closest + cols, 1e30f);
  for (int k = 0; k < P; ++k) {
    const float* t = nullptr;
    if (m.col_params.empty()) {
      std::fill(s.threshold.begin(), s.threshold.begin() + cols, nominal_params_[k]);
      t = s.threshold.data();
    } else {
      t = m.col_params.data() + (static_cast<std::size_t>(rt) * P + k) * cols;
    }
    for (int col = 0; col < cols; ++col) {
      const float x = u[col] - t[col];
      code[col] += x > 0.0f;
      const float signed_x = k < ideal[col] ? x : -x;
      margin[col] = signed_x < margin[col] ? signed_x : margin[col];
      const float ax = x < 0.0f ? -x : x;
      closest[col] = ax < closest[col] ? ax : closest[col];
    }
  }
  if (!noisy) return;
  const float reach = ComparatorNoise::REACH * static_cast<float>(chip_.comparator_noise_lsb());
  for (int col = 0; col < cols; ++col)
    if (closest[col] <= reach) convert_one(m, rt, col, s);
}

void PimMvm::tally(int cols, int pw, Scratch& s, LayerCounters& c) const {
  // Statistics against the ideal code, and the digital shift-add. Written as flat loops over
  // bitlines so that they vectorise.
  const int lsb = chip_.hardware().lsb_counts, top = (1 << chip_.hardware().enob) - 1;
  const std::int32_t* cnt = s.count.data();
  const std::int32_t* code = s.code.data();
  const std::int32_t* ideal = s.ideal.data();
  const float* margin = s.margin.data();
  std::int64_t* acc = s.col_acc.data();
  std::int32_t* bin = s.bin.data();
  const auto bins_per_lsb = static_cast<float>(1.0 / MARGIN_BIN_LSB);
  const auto low = static_cast<float>(MARGIN_LOW_LSB);
  const auto last = static_cast<float>(MARGIN_BINS - 1);
  const std::int64_t weight = static_cast<std::int64_t>(pw) * lsb;
  // Smallest count beyond the range: the ideal code is top from (top + 1/2)·L on.
  const std::int32_t first_sat = lsb == 1 ? top + 1 : (2 * lsb * (top + 1) - lsb + 1) / 2;
  std::int32_t errors = 0, sat = 0;
  float mmin = 1e30f;
  for (int col = 0; col < cols; ++col) {
    errors += code[col] != ideal[col];
    sat += cnt[col] >= first_sat;
    mmin = margin[col] < mmin ? margin[col] : mmin;
    float b = (margin[col] - low) * bins_per_lsb;
    b = b < 0.0f ? 0.0f : b;
    b = b > last ? last : b;
    bin[col] = static_cast<std::int32_t>(b);
    acc[col] += weight * code[col];
  }
  // The margin histogram in four interleaved copies, so that repeated bins do not serialise.
  std::array<std::array<std::uint32_t, MARGIN_BINS>, 4> h{};
  int col = 0;
  for (; col + 4 <= cols; col += 4) {
    h[0][bin[col]]++;
    h[1][bin[col + 1]]++;
    h[2][bin[col + 2]]++;
    h[3][bin[col + 3]]++;
  }
  for (; col < cols; ++col) h[0][bin[col]]++;
  for (int b = 0; b < MARGIN_BINS; ++b) c.margin_hist[b] += h[0][b] + h[1][b] + h[2][b] + h[3][b];
  if (errors) {
    for (int k = 0; k < cols; ++k)
      if (code[k] != ideal[k])
        c.dcode_hist[std::min(std::abs(code[k] - ideal[k]), DCODE_BINS - 1)]++;
  }
  c.dcode_hist[0] += static_cast<std::uint64_t>(cols - errors);
  c.code_errors += static_cast<std::uint64_t>(errors);
  c.saturations += static_cast<std::uint64_t>(sat);
  c.margin_min_lsb = std::min(c.margin_min_lsb, static_cast<double>(mmin));
}

}  // namespace rapmc::pim
