#include "rapmc/pim/counters.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rapmc::pim {

namespace {
__extension__ using Uint128 = unsigned __int128;
Uint128 join(std::uint64_t lo, std::uint64_t hi) {
  return (static_cast<Uint128>(hi) << 64) | lo;
}
}  // namespace

void ExactSquares::add(std::uint64_t lo, std::uint64_t hi) {
  const Uint128 sum = join(lo_, hi_) + join(lo, hi);
  lo_ = static_cast<std::uint64_t>(sum);
  hi_ = static_cast<std::uint64_t>(sum >> 64);
}

void ExactSquares::add_square(std::int64_t v) {
  const Uint128 a = v < 0 ? Uint128{0} - static_cast<Uint128>(v) : static_cast<Uint128>(v);
  const Uint128 square = a * a;
  add(static_cast<std::uint64_t>(square), static_cast<std::uint64_t>(square >> 64));
}

void ExactSquares::merge(const ExactSquares& o) {
  add(o.lo_, o.hi_);
}

double ExactSquares::value() const {
  return static_cast<double>(join(lo_, hi_));
}

void LayerCounters::merge(const LayerCounters& o) {
  if (count_hist.size() < o.count_hist.size()) count_hist.resize(o.count_hist.size(), 0);
  for (std::size_t c = 0; c < o.count_hist.size(); ++c) count_hist[c] += o.count_hist[c];
  if (row_reads.size() < o.row_reads.size()) row_reads.resize(o.row_reads.size(), 0);
  for (std::size_t r = 0; r < o.row_reads.size(); ++r) row_reads[r] += o.row_reads[r];
  writes += o.writes;
  write_heads = std::max(write_heads, o.write_heads);
  reads += o.reads;
  conversions += o.conversions;
  cell_ops += o.cell_ops;
  on_counts += o.on_counts;
  code_errors += o.code_errors;
  saturations += o.saturations;
  for (int i = 0; i < DCODE_BINS; ++i) dcode_hist[i] += o.dcode_hist[i];
  for (int i = 0; i < MARGIN_BINS; ++i) margin_hist[i] += o.margin_hist[i];
  margin_min_lsb = std::min(margin_min_lsb, o.margin_min_lsb);
  signal_sq.merge(o.signal_sq);
  error_sq.merge(o.error_sq);
}

double LayerCounters::mvm_sqnr_db() const {
  if (conversions == 0) return std::numeric_limits<double>::quiet_NaN();  // not on the chip
  const double error = error_sq.value();
  if (error == 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signal_sq.value() / error);
}

namespace {
double per_conversion(std::uint64_t events, std::uint64_t conversions) {
  return conversions ? static_cast<double>(events) / static_cast<double>(conversions)
                     : std::numeric_limits<double>::quiet_NaN();
}
}  // namespace

double LayerCounters::code_error_rate() const {
  return per_conversion(code_errors, conversions);
}

double LayerCounters::dcode_ge2_rate() const {
  std::uint64_t ge2 = 0;
  for (int b = 2; b < DCODE_BINS; ++b) ge2 += dcode_hist[b];
  return per_conversion(ge2, conversions);
}

double LayerCounters::saturation_rate() const {
  return per_conversion(saturations, conversions);
}

double LayerCounters::margin_quantile_lsb(double q) const {
  std::uint64_t n = 0;
  for (auto h : margin_hist) n += h;
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  const auto target = static_cast<std::uint64_t>(q * static_cast<double>(n));
  std::uint64_t seen = 0;
  for (int i = 0; i < MARGIN_BINS; ++i) {
    seen += margin_hist[i];
    if (seen > target) return MARGIN_LOW_LSB + (i + 1) * MARGIN_BIN_LSB;
  }
  return MARGIN_LOW_LSB + MARGIN_BINS * MARGIN_BIN_LSB;
}

LayerCounters total(const Counters& c) {
  LayerCounters t;
  for (const auto& [name, l] : c) t.merge(l);
  return t;
}

}  // namespace rapmc::pim
