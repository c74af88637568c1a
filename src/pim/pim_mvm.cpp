#include "rapmc/pim/pim_mvm.h"

#include <algorithm>
#include <bit>
#include <climits>

#include "rapmc/pim/adc.h"

namespace rapmc::pim {

PimMvm::PimMvm(const ChipInstance& chip, int act_bits) : chip_(chip), act_bits_(act_bits) {}

Counters PimMvm::counters() const {
  Counters out;
  const auto& layers = chip_.layers();
  for (const Scratch& s : scratch_)
    for (std::size_t i = 0; i < s.counters.size(); ++i) out[layers[i].name].merge(s.counters[i]);
  return out;
}

void PimMvm::reset_counters() {
  for (Scratch& s : scratch_) std::fill(s.counters.begin(), s.counters.end(), LayerCounters{});
}

void PimMvm::mvm(const IntLinear& layer, const std::int8_t* x, int rows, std::int32_t* acc) const {
  const std::size_t li = chip_.index(layer.name);
  const MappedLayer& m = chip_.layers()[li];
  const HardwareConfig& hw = chip_.hardware();
  const SliceLayout& layout = chip_.layout();
  const int R = hw.tile_rows, S = layout.slices();
  Scratch& s = scratch_.local();
  if (s.counters.size() != chip_.layers().size()) s.counters.resize(chip_.layers().size());
  s.current.resize(static_cast<std::size_t>(m.stride));
  s.col_acc.resize(static_cast<std::size_t>(m.cols));
  s.active.resize(static_cast<std::size_t>(R));
  s.read_mask.resize(static_cast<std::size_t>(m.words));
  LayerCounters& c = s.counters[li];
  const bool dense = hw.schedule == MvmSchedule::DENSE;

  for (int t = 0; t < rows; ++t) {
    std::fill(s.col_acc.begin(), s.col_acc.end(), 0);
    const std::int8_t* xt = x + static_cast<std::ptrdiff_t>(t) * m.in;
    for (int rt = 0; rt < m.row_tiles; ++rt) {
      const int r0 = rt * R, nr = std::min(R, m.in - r0);
      for (int p = 0; p < act_bits_; ++p) {
        int n = 0;
        for (int i = 0; i < nr; ++i)
          if (plane_bit(xt[r0 + i], p)) s.active[n++] = i;
        if (!dense && n == 0) continue;  // an all-zero plane costs nothing in the sparse schedule
        const int k = dense ? std::max(n, 1) : hw.sparse_k;
        for (int a = 0; a == 0 || a < n; a += k) read(m, rt, s.active.data() + a, std::min(k, n - a), plane_weight(p, act_bits_), s, c);
      }
    }
    for (int o = 0; o < m.out; ++o) {
      std::int64_t v = 0;
      for (int sl = 0; sl < S; ++sl) v += layout.weight[sl] * s.col_acc[static_cast<std::size_t>(o) * S + sl];
      acc[static_cast<std::ptrdiff_t>(t) * m.out + o] = static_cast<std::int32_t>(std::clamp<std::int64_t>(v, INT32_MIN, INT32_MAX));
    }
  }
}

void PimMvm::read(const MappedLayer& m, int rt, const int* rows, int n, int pw, Scratch& s, LayerCounters& c) const {
  const HardwareConfig& hw = chip_.hardware();
  const int R = hw.tile_rows, C = hw.tile_cols, L = hw.cell_bits, W = m.words;
  const int lsb = hw.lsb_counts, top = (1 << hw.enob) - 1;
  c.reads += static_cast<std::uint64_t>(m.col_tiles);
  c.conversions += static_cast<std::uint64_t>(m.cols);
  c.cell_ops += static_cast<std::uint64_t>(n) * m.cols;

  std::fill(s.read_mask.begin(), s.read_mask.end(), 0);
  for (int j = 0; j < n; ++j) s.read_mask[rows[j] / 64] |= std::uint64_t{1} << (rows[j] % 64);
  const std::uint64_t* masks = m.masks.data() + static_cast<std::size_t>(rt) * m.cols * L * W;
  auto ideal_count = [&](int col) {
    const std::uint64_t* cm = masks + static_cast<std::size_t>(col) * L * W;
    int count = 0;
    for (int q = 0; q < L; ++q)
      for (int w = 0; w < W; ++w) count += std::popcount(s.read_mask[w] & cm[q * W + w]) << q;
    return count;
  };
  auto record = [&](int code, int ideal_code, int count, double margin) {
    c.on_counts += static_cast<std::uint64_t>(count);
    const int d = code > ideal_code ? code - ideal_code : ideal_code - code;
    c.code_errors += d != 0;
    c.dcode_hist[std::min(d, DCODE_BINS - 1)]++;
    c.margin_hist[std::min(static_cast<int>(margin / MARGIN_BIN_LSB), MARGIN_BINS - 1)]++;
    c.margin_min_lsb = std::min(c.margin_min_lsb, margin);
  };
  const double leak_none = hw.off_current == OffCurrent::NONE ? n * chip_.g_off_norm() : 0.0;

  if (chip_.ideal_cells() && chip_.nominal_adcs()) {
    // Nominal chip: exact counts by popcount; the ADC is ideal.
    for (int col = 0; col < m.cols; ++col) {
      const int count = ideal_count(col);
      double margin = 0, ideal_margin = 0;
      const int code = ideal_convert(hw.enob, (count + leak_none) / lsb, margin);
      const int ideal_code = ideal_convert(hw.enob, static_cast<double>(count) / lsb, ideal_margin);
      c.saturations += 2 * count + lsb >= 2 * lsb * (top + 1);
      record(code, ideal_code, count, margin);
      s.col_acc[col] += static_cast<std::int64_t>(pw) * code * lsb;
    }
    return;
  }
  // Analog column values: Σ of the active rows' conductances (normalised to counts).
  float* cur = s.current.data();
  if (!chip_.ideal_cells()) {
    std::fill(s.current.begin(), s.current.end(), 0.0f);
    for (int j = 0; j < n; ++j) {
      const float* g = m.g.data() + (static_cast<std::size_t>(rt) * R + rows[j]) * m.stride;
      for (int col = 0; col < m.stride; ++col) cur[col] += g[col];
    }
  }
  const int P = adc_param_count(hw.adc, hw.enob);
  const float g_off = static_cast<float>(chip_.g_off_norm());
  for (int col = 0; col < m.cols; ++col) {
    const int count = ideal_count(col);
    float value;
    if (chip_.ideal_cells()) {
      value = static_cast<float>(count + leak_none);
    } else {
      float offset = 0;
      if (hw.off_current == OffCurrent::REFERENCE_COLUMN) offset = cur[m.cols + col / C];
      else if (hw.off_current == OffCurrent::DIGITAL_OFFSET) offset = static_cast<float>(n) * g_off;
      value = cur[col] - offset;
    }
    const float u = value / static_cast<float>(lsb);
    float margin = 0;
    std::span<const float> params;
    if (!m.adc_params.empty()) {
      params = {m.adc_params.data() + (static_cast<std::size_t>(rt) * m.adcs_per_row_tile + m.adc_of_col[col]) * P,
                static_cast<std::size_t>(P)};
    }
    int code;
    if (params.empty()) {
      double md = 0;
      code = ideal_convert(hw.enob, u, md);
      margin = static_cast<float>(md);
    } else {
      code = adc_convert(hw.adc, hw.enob, params, u, margin);
    }
    double ideal_margin = 0;
    const int ideal_code = ideal_convert(hw.enob, static_cast<double>(count) / lsb, ideal_margin);
    c.saturations += 2 * count + lsb >= 2 * lsb * (top + 1);
    record(code, ideal_code, count, margin);
    s.col_acc[col] += static_cast<std::int64_t>(pw) * code * lsb;
  }
}

}  // namespace rapmc::pim
