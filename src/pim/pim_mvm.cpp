#include "rapmc/pim/pim_mvm.h"

#include <algorithm>
#include <array>
#include <bit>
#include <climits>
#include <cmath>
#include <cstring>

#include "rapmc/core/errors.h"
#include "rapmc/pim/adc.h"
#include "rapmc/pim/adc_kernels.h"

namespace rapmc::pim {
namespace {

// Σ over the active rows of every column of row tile `rt` (reference columns included) of the
// values laid out as m.g at `base` (the conductances, or the cells' noise amplitudes)
// (into `sum`, unless null) and of their squares (into `sum_sq`, unless null), in
// one pass over the rows; four rows at a time, a fixed order (results do not depend on threads
// or scheduling).
void sum_active_rows(const MappedLayer& m, const float* base, int R, int rt, const int* rows, int n,
                     float* sum, float* sum_sq) {
  const int cols = m.stride;
  if (sum) std::fill(sum, sum + cols, 0.0f);
  if (sum_sq) std::fill(sum_sq, sum_sq + cols, 0.0f);
  auto row = [&](int j) { return base + (static_cast<std::size_t>(rt) * R + rows[j]) * m.stride; };
  int j = 0;
  for (; j + 4 <= n; j += 4) {
    const float *g0 = row(j), *g1 = row(j + 1), *g2 = row(j + 2), *g3 = row(j + 3);
    if (sum && sum_sq) {
      for (int col = 0; col < cols; ++col) {
        sum[col] += (g0[col] + g1[col]) + (g2[col] + g3[col]);
        sum_sq[col] +=
            (g0[col] * g0[col] + g1[col] * g1[col]) + (g2[col] * g2[col] + g3[col] * g3[col]);
      }
    } else if (sum) {
      for (int col = 0; col < cols; ++col) sum[col] += (g0[col] + g1[col]) + (g2[col] + g3[col]);
    } else {
      for (int col = 0; col < cols; ++col)
        sum_sq[col] +=
            (g0[col] * g0[col] + g1[col] * g1[col]) + (g2[col] * g2[col] + g3[col] * g3[col]);
    }
  }
  // The last n mod 4 rows added one after another in one pass (the rounding of adding them
  // row by row; one load and store of the sums instead of one per row).
  const int rest = n - j;
  if (rest == 0) return;
  const float* g0 = row(j);
  const float* g1 = rest > 1 ? row(j + 1) : g0;
  const float* g2 = rest > 2 ? row(j + 2) : g0;
  auto add_rest = [&](float* out, auto term) {
    if (rest == 1) {
      for (int col = 0; col < cols; ++col) out[col] += term(g0[col]);
    } else if (rest == 2) {
      for (int col = 0; col < cols; ++col) out[col] = (out[col] + term(g0[col])) + term(g1[col]);
    } else {
      for (int col = 0; col < cols; ++col)
        out[col] = ((out[col] + term(g0[col])) + term(g1[col])) + term(g2[col]);
    }
  };
  if (sum) add_rest(sum, [](float g) { return g; });
  if (sum_sq) add_rest(sum_sq, [](float g) { return g * g; });
}

// f(i) for every i < n with flags[i] != 0, in increasing order: eight flags per 64-bit word,
// so that the usual all-zero stretches cost one test per word.
template <typename F>
void for_each_flagged(const std::uint8_t* flags, int n, F f) {
  static_assert(std::endian::native == std::endian::little, "byte k of a word is flag i + k");
  constexpr std::uint64_t LOW7 = 0x7f7f7f7f7f7f7f7fULL, HIGH = 0x8080808080808080ULL;
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, flags + i, 8);
    if (word == 0) continue;
    // The top bit of every non-zero byte (no carry crosses bytes), then those bytes in order.
    std::uint64_t nonzero = (((word & LOW7) + LOW7) | word) & HIGH;
    for (; nonzero; nonzero &= nonzero - 1) f(i + std::countr_zero(nonzero) / 8);
  }
  for (; i < n; ++i)
    if (flags[i]) f(i);
}

// The key of one MVM call's place: the sample, the counter slot (weight layer or attention
// product) and the head (0 for a weight layer).
std::uint64_t call_key(std::uint64_t sample, std::size_t slot, int head) {
  const std::uint64_t k =
      mix_in(mix64(sample + 0x9e3779b97f4a7c15ULL), slot, 0x6a09e667f3bcc908ULL);
  return mix_in(k, static_cast<std::uint64_t>(head), 0xbb67ae8584caa73bULL);
}

// The key of one read of a call: its token, row tile, input plane and chunk (the a-th group of
// at most K active rows; 0 in the dense schedule). Each field changes every bit.
std::uint64_t read_key(std::uint64_t call, int token, int rt, int plane, int chunk) {
  std::uint64_t k = mix_in(call, static_cast<std::uint64_t>(token), 0x3c6ef372fe94f82bULL);
  k = mix_in(k, static_cast<std::uint64_t>(rt), 0xa54ff53a5f1d36f1ULL);
  k = mix_in(k, static_cast<std::uint64_t>(plane), 0x510e527fade682d1ULL);
  return mix_in(k, static_cast<std::uint64_t>(chunk), 0x9b05688c2b3e6c1fULL);
}

}  // namespace

PimMvm::PimMvm(const ChipInstance& chip, int act_bits, NoiseDraws draws, CountHistogram counts,
               WearCounts wear)
    : chip_(chip),
      act_bits_(act_bits),
      count_hist_(counts == CountHistogram::ON),
      count_wear_(wear == WearCounts::ON) {
  if (act_bits < 2 || act_bits > 8)  // up to 8 bit-planes per input (run()'s plane lists)
    throw ModelError("PimMvm: act_bits = " + std::to_string(act_bits) + " outside 2..8");
  const HardwareConfig& hw = chip.hardware();
  comparator_sigma_ =
      hw.adc == AdcType::IDEAL ? 0.0f : static_cast<float>(chip.comparator_noise_lsb());
  noisy_ = chip.read_noise().bitline() || comparator_sigma_ > 0.0f;
  everywhere_ = draws == NoiseDraws::EVERYWHERE;
  variables_ = 1 + adc_decisions(hw.adc, hw.enob);
  // The ideal code of every count a bitline can reach: min(round-half-up(count / L), top).
  const int lsb = hw.lsb_counts, top = (1 << hw.enob) - 1;
  ideal_of_count_.resize(static_cast<std::size_t>(hw.tile_rows * ((1 << hw.cell_bits) - 1) + 1));
  for (std::size_t c = 0; c < ideal_of_count_.size(); ++c)
    ideal_of_count_[c] = std::min((2 * static_cast<int>(c) + lsb) / (2 * lsb), top);
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

std::uint64_t PimMvm::noisy_conversions() const {
  std::uint64_t n = 0;
  for (const Scratch& s : scratch_) n += s.conversions;
  return n;
}

std::uint64_t PimMvm::noise_draws() const {
  std::uint64_t n = 0;
  for (const Scratch& s : scratch_) n += s.noise ? s.noise->inner_draws() : 0;
  return n;
}

void PimMvm::reset_counters() {
  for (Scratch& s : scratch_) std::fill(s.counters.begin(), s.counters.end(), LayerCounters{});
}

bool PimMvm::runs_attention() const {
  return chip_.hardware().attention == AttentionPlacement::PIM;
}

void PimMvm::mvm(const IntLinear& layer, const std::int8_t* x, int rows, std::int32_t* acc,
                 std::uint64_t sample) const {
  const std::size_t li = chip_.index(layer.name);
  if (!chip_.layers()[li].analog) {
    DigitalMvm().mvm(layer, x, rows, acc);
    return;
  }
  run(chip_.layers()[li], li, call_key(sample, li, 0), layer.w.data(),
      reinterpret_cast<const std::uint8_t*>(x), InputKind::SIGNED_INT8, rows, acc);
}

void PimMvm::mvm_attention(const AttentionOperand& op, const std::uint8_t* x, InputKind kind,
                           int rows, std::int32_t* acc, std::uint64_t sample) const {
  const int product = op.product == AttentionOperand::Product::QK ? 0 : 1;
  const std::size_t slot = chip_.attention_slot(op.block, product);
  if (!runs_attention() || !chip_.analog_slot(slot)) {
    MvmBackend::mvm_attention(op, x, kind, rows, acc);
    return;
  }
  // Each write of an operand is a new programming event: its cells are keyed by the array
  // (block, product, head) and the sample it holds the operand of.
  const std::string array = chip_.counter_names()[slot] + "/" + std::to_string(op.head);
  const MappedLayer m =
      chip_.map_weights(array + "/write/" + std::to_string(sample), op.w, op.out, op.in);
  if (count_wear_) {
    Scratch& s = scratch_.local();
    if (s.counters.size() != chip_.counter_names().size())
      s.counters.resize(chip_.counter_names().size());
    LayerCounters& c = s.counters[slot];
    c.writes++;
    c.write_heads = std::max(c.write_heads, static_cast<std::uint64_t>(op.head) + 1);
  }
  run(m, slot, call_key(sample, slot, op.head), op.w, x, kind, rows, acc);
}

void PimMvm::run(const MappedLayer& m, std::size_t slot, std::uint64_t call, const std::int8_t* w,
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
  s.ideal.resize(static_cast<std::size_t>(m.cols));
  s.bin.resize(static_cast<std::size_t>(m.cols));
  s.near.resize(static_cast<std::size_t>(m.cols));
  s.active.resize(static_cast<std::size_t>(R) * 8);
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
      // Every plane's active rows (increasing) in one pass over the inputs: plane p's at
      // s.active[p·R ...], count[p] of them.
      std::array<int, 8> count{};
      const unsigned mask = (1u << planes) - 1;
      for (int i = 0; i < nr; ++i)
        for (unsigned bits = xt[r0 + i] & mask; bits; bits &= bits - 1) {
          const int p = std::countr_zero(bits);
          s.active[static_cast<std::size_t>(p) * R + count[p]++] = i;
        }
      for (int p = 0; p < planes; ++p) {
        const int n = count[p];
        if (!dense && n == 0) continue;  // an all-zero plane costs nothing in the sparse schedule
        const int* active = s.active.data() + static_cast<std::ptrdiff_t>(p) * R;
        const int k = dense ? std::max(n, 1) : hw.sparse_k;
        const int pw = kind == InputKind::SIGNED_INT8 ? plane_weight(p, act_bits_) : (1 << p);
        for (int a = 0; a == 0 || a < n; a += k)
          read(m, rt, active + a, std::min(k, n - a), pw, read_key(call, t, rt, p, a / k), s, c);
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
      c.signal_sq.add_square(exact);
      c.error_sq.add_square(got - exact);
    }
  }
  flush_margins(s, c);
}

void PimMvm::read(const MappedLayer& m, int rt, const int* rows, int n, int pw, std::uint64_t place,
                  Scratch& s, LayerCounters& c) const {
  const HardwareConfig& hw = chip_.hardware();
  c.reads += static_cast<std::uint64_t>(m.col_tiles);
  c.conversions += static_cast<std::uint64_t>(m.cols);
  c.cell_ops += static_cast<std::uint64_t>(n) * m.cols;
  c.on_counts += static_cast<std::uint64_t>(count_columns(m, rt, rows, n, s));
  if (count_wear_) {  // every row this read drives
    const int R = hw.tile_rows;
    if (c.row_reads.size() < static_cast<std::size_t>(m.in))
      c.row_reads.resize(static_cast<std::size_t>(m.in), 0);
    for (int j = 0; j < n; ++j) c.row_reads[static_cast<std::size_t>(rt) * R + rows[j]]++;
  }
  if (count_hist_) {
    if (c.count_hist.size() != ideal_of_count_.size()) c.count_hist.resize(ideal_of_count_.size());
    for (int col = 0; col < m.cols; ++col) c.count_hist[static_cast<std::size_t>(s.count[col])]++;
  }
  const double leak_none = hw.off_current == OffCurrent::NONE ? n * chip_.g_off_norm() : 0.0;
  if (chip_.ideal_cells() && chip_.nominal_adcs() && chip_.nominal_sense() &&
      !chip_.has_read_noise() && leak_none == 0.0 && hw.lsb_counts == 1) {
    convert_nominal(m.cols, pw, s, c);
    return;
  }
  ideal_codes(m.cols, s);
  analog_values(m, rt, rows, n, leak_none, place, s);
  convert(m, rt, s);
  if (noisy_) add_temporal_noise(m, rt, rows, n, place, s);
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
  const std::int32_t* cnt = s.count.data();
  std::int32_t* ideal = s.ideal.data();
  if (chip_.hardware().lsb_counts == 1) {  // one count per LSB: min(count, top), vectorised
    const std::int32_t top = (1 << chip_.hardware().enob) - 1;
    for (int col = 0; col < cols; ++col) ideal[col] = cnt[col] < top ? cnt[col] : top;
    return;
  }
  const std::int32_t* code_of = ideal_of_count_.data();  // a table gather otherwise
  for (int col = 0; col < cols; ++col) ideal[col] = code_of[cnt[col]];
}

void PimMvm::analog_values(const MappedLayer& m, int rt, const int* rows, int n, double leak_none,
                           std::uint64_t place, Scratch& s) const {
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
    if (!m.rtn.empty()) add_rtn(m, rt, rows, n, place, s);
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
}

void PimMvm::column_currents(const MappedLayer& m, int rt, const int* rows, int n,
                             Scratch& s) const {
  const HardwareConfig& hw = chip_.hardware();
  const int R = hw.tile_rows;
  if (!chip_.ir_drop()) {  // with the squares the bitline noise needs, in the same pass
    const bool squares = noisy_ && chip_.read_noise().cells();
    if (squares) s.current2.resize(static_cast<std::size_t>(m.stride));
    if (squares && !m.noise_amp.empty()) {  // the squares of the noise amplitudes
      sum_active_rows(m, m.g.data(), R, rt, rows, n, s.current.data(), nullptr);
      sum_active_rows(m, m.noise_amp.data(), R, rt, rows, n, nullptr, s.current2.data());
    } else {
      sum_active_rows(m, m.g.data(), R, rt, rows, n, s.current.data(),
                      squares ? s.current2.data() : nullptr);
    }
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

void PimMvm::add_rtn(const MappedLayer& m, int rt, const int* rows, int n, std::uint64_t place,
                     Scratch& s) const {
  // Each telegraph-noise cell of an active row: ±a/2, one bit of the read's stream per cell,
  // rows in read order, cells in column order.
  KeyedStream rtn_stream(chip_.noise_key(), RngDomain::RTN, place, 1);
  float* cur = s.current.data();
  const std::size_t base = static_cast<std::size_t>(rt) * chip_.hardware().tile_rows;
  std::uint64_t bits = 0;
  int left = 0;
  for (int j = 0; j < n; ++j) {
    const std::size_t r = base + static_cast<std::size_t>(rows[j]);
    for (std::uint32_t i = m.rtn_start[r]; i < m.rtn_start[r + 1]; ++i) {
      if (left == 0) {
        bits = rtn_stream();
        left = 64;
      }
      const RtnCell& c = m.rtn[i];
      cur[c.col] += (bits & 1) ? 0.5f * c.amplitude : -0.5f * c.amplitude;
      bits >>= 1;
      --left;
    }
  }
}

void PimMvm::bitline_variances(const MappedLayer& m, int rt, const int* rows, int n,
                               Scratch& s) const {
  // The variance of every bitline's input-referred noise, LSB², from the conductance the
  // bitline (and its reference column) drives (device_sampler.h, ReadNoise).
  const HardwareConfig& hw = chip_.hardware();
  const ReadNoise& rn = chip_.read_noise();
  const int C = hw.tile_cols, cols = m.cols;
  float* var = s.variance.data();
  const auto floor2 = static_cast<float>(rn.floor_lsb * rn.floor_lsb);
  if (!rn.conductance_dependent()) {
    std::fill(var, var + cols, floor2);
    return;
  }
  const float* cur = s.current.data();  // Σ G of the active cells (conductance-dependent noise
                                        // keeps every cell's conductance, chip.cpp)
  s.current2.resize(static_cast<std::size_t>(m.stride));
  const bool amplitudes = !m.noise_amp.empty();
  if (!rn.cells())
    std::fill(s.current2.begin(), s.current2.end(), 0.0f);
  else if (chip_.ir_drop())  // column_currents() summed them otherwise
    sum_active_rows(m, amplitudes ? m.noise_amp.data() : m.g.data(), hw.tile_rows, rt, rows, n,
                    nullptr, s.current2.data());
  const float* cur2 = s.current2.data();
  const bool ref = hw.off_current == OffCurrent::REFERENCE_COLUMN;
  const double inv_l2 = 1.0 / (static_cast<double>(hw.lsb_counts) * hw.lsb_counts);
  const auto per_g = static_cast<float>(rn.per_g_counts2 * inv_l2);
  const auto per_g2 = static_cast<float>((amplitudes ? 1.0 : rn.cell_rel * rn.cell_rel) * inv_l2);
  for (int ct = 0; ct < m.col_tiles; ++ct) {
    const float g_ref = ref ? cur[cols + ct] : 0.0f, g2_ref = ref ? cur2[cols + ct] : 0.0f;
    const int end = std::min(cols, (ct + 1) * C);
    for (int col = ct * C; col < end; ++col)
      var[col] = floor2 + per_g * (cur[col] + g_ref) + per_g2 * (cur2[col] + g2_ref);
  }
}

void PimMvm::add_temporal_noise(const MappedLayer& m, int rt, const int* rows, int n,
                                std::uint64_t place, Scratch& s) const {
  // The conversions whose noise can change their code (temporal_noise.h) are converted again
  // with their bitline's noise and their comparators'; the others keep the noise-free code
  // and margin convert() gave them. Quiet: closest > REACH·(σ_b + σ_c), tested on σ_b².
  const HardwareConfig& hw = chip_.hardware();
  const bool bitline = chip_.read_noise().bitline();
  const int cols = m.cols;
  const auto V = static_cast<std::uint64_t>(variables_);
  const std::uint64_t end = static_cast<std::uint64_t>(cols) * V;  // the read's variables
  if (!s.noise) s.noise.emplace(chip_.noise_key());
  TemporalNoise& noise = *s.noise;
  noise.start(place, end);
  s.conversions += static_cast<std::uint64_t>(cols);
  s.variance.resize(static_cast<std::size_t>(cols));
  if (bitline)
    bitline_variances(m, rt, rows, n, s);
  else
    std::fill(s.variance.begin(), s.variance.end(), 0.0f);
  // Which conversions the noise can change (a flat, vectorised pass), then those with a tail
  // variable.
  const auto inv_reach = static_cast<float>(1.0 / TemporalNoise::REACH);
  const float* var = s.variance.data();
  const float* closest = s.closest.data();
  std::uint8_t* near = s.near.data();
  const float sc = comparator_sigma_;
  const bool every = everywhere_;
  for (int col = 0; col < cols; ++col) {
    const float room = closest[col] * inv_reach - sc;  // what σ_b may reach
    near[col] = static_cast<std::uint8_t>(every | (room <= 0.0f) | (room * room <= var[col]));
  }
  for (std::uint64_t i = noise.next_tail(); i < end; i = noise.next_tail_after(i)) near[i / V] = 1;
  // The near bitlines' own noise variables together (their Philox blocks vectorise), then each
  // near conversion again with its noise.
  s.near_cols.resize(static_cast<std::size_t>(cols));
  s.near_vars.resize(static_cast<std::size_t>(cols));
  int count = 0;
  int* near_cols = s.near_cols.data();
  std::uint64_t* near_vars = s.near_vars.data();
  for_each_flagged(near, cols, [&](int col) {
    near_cols[count] = col;
    near_vars[count++] = static_cast<std::uint64_t>(col) * V;
  });
  s.near_z.resize(static_cast<std::size_t>(count));
  if (bitline) noise.z_batch(near_vars, count, s.near_z.data());
  for (int k = 0; k < count; ++k) {
    const int col = near_cols[k];
    const std::uint64_t i0 = near_vars[k];
    const float sigma = std::sqrt(var[col]);
    const float u = s.value[col] + (sigma > 0.0f ? sigma * static_cast<float>(s.near_z[k]) : 0.0f);
    if (hw.adc == AdcType::IDEAL) {
      double margin = 0;
      s.code[col] = ideal_convert(hw.enob, static_cast<double>(u) + hw.threshold_shift_lsb(),
                                  s.ideal[col], margin);
      s.margin[col] = static_cast<float>(margin);
    } else {
      s.code[col] =
          adc_convert(hw.adc, hw.enob, adc_params(m, rt, col), u, s.ideal[col], s.margin[col],
                      DecisionNoise(sc, noise, i0, every, noise.walked_tail_in(i0, i0 + V)));
    }
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
  float* closest = s.closest.data();
  if (hw.adc == AdcType::IDEAL || m.col_params.empty()) {
    // The ideal ADC (and a nominal one) with its thresholds `shift` below k − 1/2: it codes
    // u + shift against k − 1/2.
    const auto ftop = static_cast<float>(top);
    const auto shift = static_cast<float>(hw.threshold_shift_lsb());
    for (int col = 0; col < cols; ++col) {
      const float v = u[col] + shift;
      float x = v + 0.5f;
      x = x < 0.0f ? 0.0f : x;
      x = x > ftop ? ftop : x;
      const auto c = static_cast<float>(static_cast<std::int32_t>(x));  // floor for x >= 0
      code[col] = static_cast<std::int32_t>(c);
      const auto k = static_cast<float>(ideal[col]);
      const float below = k < 1.0f ? 1e30f : v - (k - 0.5f);   // no threshold below code 0
      const float above = k >= ftop ? 1e30f : (k + 0.5f) - v;  // nor above the top code
      margin[col] = below < above ? below : above;
      // The thresholds on either side of v (of its own code), for the noise's reach.
      const float lo = c < 1.0f ? 1e30f : v - (c - 0.5f);
      const float hi = c >= ftop ? 1e30f : (c + 0.5f) - v;
      closest[col] = lo < hi ? lo : hi;
    }
  } else if (hw.adc == AdcType::FLASH) {
    convert_flash(m, rt, s);
  } else {
    convert_sar(m, rt, s);
  }
}

std::span<const float> PimMvm::adc_params(const MappedLayer& m, int rt, int col) const {
  // The parameters of a bitline's ADC instance (nominal ones on a nominal chip).
  const HardwareConfig& hw = chip_.hardware();
  const auto P = static_cast<std::size_t>(adc_param_count(hw.adc, hw.enob));
  if (m.adc_params.empty()) return {nominal_params_.data(), P};
  return {m.adc_params.data() +
              (static_cast<std::size_t>(rt) * m.adcs_per_row_tile + m.adc_of_col[col]) * P,
          P};
}

void PimMvm::convert_flash(const MappedLayer& m, int rt, Scratch& s) const {
  // Every comparator of every bitline's instance (convert() sends only varied ADCs here),
  // noise-free.
  const HardwareConfig& hw = chip_.hardware();
  const int P = adc_param_count(hw.adc, hw.enob);
  flash_bitlines(hw.enob, m.cols, m.col_params.data() + static_cast<std::size_t>(rt) * P * m.cols,
                 s.value.data(), s.ideal.data(), s.code.data(), s.margin.data(), s.closest.data());
}

void PimMvm::flush_margins(Scratch& s, LayerCounters& c) {
  auto& h = s.margin_hist;
  for (int b = 0; b < MARGIN_BINS; ++b) c.margin_hist[b] += h[0][b] + h[1][b] + h[2][b] + h[3][b];
  for (auto& copy : h) copy.fill(0);
  s.hist_count = 0;
}

void PimMvm::convert_sar(const MappedLayer& m, int rt, Scratch& s) const {
  // Every SAR instance's decisions over every bitline (convert() sends only varied ADCs here),
  // noise-free.
  const HardwareConfig& hw = chip_.hardware();
  const int P = adc_param_count(hw.adc, hw.enob);
  sar_bitlines(hw.enob, m.cols, m.col_params.data() + static_cast<std::size_t>(rt) * P * m.cols,
               s.value.data(), s.ideal.data(), s.code.data(), s.margin.data(), s.closest.data());
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
  std::uint8_t* wrong = s.near.data();  // reused: the conversions whose code is wrong
  for (int col = 0; col < cols; ++col) {
    wrong[col] = code[col] != ideal[col];
    errors += wrong[col];
    sat += cnt[col] >= first_sat;
    acc[col] += weight * code[col];
  }
  // The smallest margin through an order-preserving integer key of the float (an integer
  // minimum vectorises), and every margin's bin.
  std::int32_t key_min = INT32_MAX;
  for (int col = 0; col < cols; ++col) {
    const auto bits = std::bit_cast<std::int32_t>(margin[col]);
    const std::int32_t key = bits ^ ((bits >> 31) & INT32_MAX);
    key_min = key < key_min ? key : key_min;
    float b = (margin[col] - low) * bins_per_lsb;
    b = b < 0.0f ? 0.0f : b;
    b = b > last ? last : b;
    bin[col] = static_cast<std::int32_t>(b);
  }
  const float mmin = std::bit_cast<float>(key_min ^ ((key_min >> 31) & INT32_MAX));
  // The margin histogram in four interleaved copies, so that repeated bins do not serialise;
  // kept over the reads of one run() and added to the layer's counters at its end.
  auto& h = s.margin_hist;
  int col = 0;
  for (; col + 4 <= cols; col += 4) {
    h[0][bin[col]]++;
    h[1][bin[col + 1]]++;
    h[2][bin[col + 2]]++;
    h[3][bin[col + 3]]++;
  }
  for (; col < cols; ++col) h[0][bin[col]]++;
  s.hist_count += static_cast<std::uint32_t>(cols);
  if (s.hist_count > (1u << 30)) flush_margins(s, c);
  if (errors) {
    for_each_flagged(wrong, cols, [&](int k) {
      c.dcode_hist[std::min(std::abs(code[k] - ideal[k]), DCODE_BINS - 1)]++;
    });
  }
  c.dcode_hist[0] += static_cast<std::uint64_t>(cols - errors);
  c.code_errors += static_cast<std::uint64_t>(errors);
  c.saturations += static_cast<std::uint64_t>(sat);
  c.margin_min_lsb = std::min(c.margin_min_lsb, static_cast<double>(mmin));
}

}  // namespace rapmc::pim
