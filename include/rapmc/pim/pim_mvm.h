// The AMS-PiM matrix-vector engine (docs/design.md, "Chip model"): every int8 weight MVM computed
// the way one chip instance computes it. Per input vector: each row tile, each two's-complement
// bit-plane of the input; the dense schedule reads all driven rows at once, the sparse schedule
// reads the '1' rows in chunks of at most K and skips empty planes. Per read and bitline: the
// analog column value (cell conductances of the active rows, off-current handling), the ADC code,
// and the digital shift-add over planes, slices and row tiles. Counts reads, conversions, code
// errors against the ideal code, saturations and sensing margins per layer.
#pragma once

#include <oneapi/tbb/enumerable_thread_specific.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rapmc/core/keyed_rng.h"
#include "rapmc/infer/mvm_backend.h"
#include "rapmc/pim/adc.h"
#include "rapmc/pim/chip.h"
#include "rapmc/pim/counters.h"
#include "rapmc/pim/mapping.h"
#include "rapmc/pim/temporal_noise.h"

namespace rapmc::pim {

/// How the temporal noise is evaluated (temporal_noise.h): LAZY computes a conversion's noise
/// variables only where they can change its code; EVERYWHERE computes every one (the reference
/// the lazy evaluation must equal in every code; margins of the conversions the noise cannot
/// change then include their noise).
enum class NoiseDraws { LAZY, EVERYWHERE };
/// Whether the counters keep a histogram of every conversion's exact count (the count
/// distribution of a workload, for the tail estimators: LayerCounters::count_hist).
enum class CountHistogram { OFF, ON };
/// Whether the counters keep the workload's wear: reads per input row, writes per attention
/// array (LayerCounters::row_reads, writes; pim/wear.h).
enum class WearCounts { OFF, ON };

class PimMvm final : public MvmBackend {
 public:
  /// `chip` must outlive this object; act_bits is the input width (bit-planes per input).
  /// Every temporal-noise variable, telegraph-noise state and attention-array write is a pure
  /// function of its place (sample, layer, head, token, row tile, plane, read, bitline), so
  /// any number of threads may drive the engine at once with the same results; the only
  /// mutable state is per-thread scratch, and the counters merge exactly.
  PimMvm(const ChipInstance& chip, int act_bits, NoiseDraws draws = NoiseDraws::LAZY,
         CountHistogram counts = CountHistogram::OFF, WearCounts wear = WearCounts::OFF);
  void mvm(const IntLinear& layer, const std::int8_t* x, int rows, std::int32_t* acc,
           std::uint64_t sample = 0) const override;
  /// True if the hardware places the attention products on the chip.
  bool runs_attention() const override;
  /// q·kᵀ or P·V of one head: the operand is written into the chip's array for that block,
  /// product and head (each write a new programming event, keyed by the sample), then driven
  /// like a weight layer (unsigned inputs: all planes positive).
  void mvm_attention(const AttentionOperand& op, const std::uint8_t* x, InputKind kind, int rows,
                     std::int32_t* acc, std::uint64_t sample = 0) const override;
  /// Counters since construction or the last reset, merged over threads (order-free sums).
  Counters counters() const;
  /// Conversions on the noisy path so far, and the inner noise variables computed for them
  /// (each conversion owns 1 + adc_decisions() variables), summed over threads.
  std::uint64_t noisy_conversions() const;
  std::uint64_t noise_draws() const;
  void reset_counters();

 private:
  struct Scratch {
    std::optional<TemporalNoise> noise;  // the current read's noise (TemporalNoise::start)
    std::uint64_t conversions = 0;       // conversions on the noisy path
    std::vector<float> current, current2;
    std::vector<std::int64_t> col_acc;
    std::vector<std::int32_t> count, code, ideal, bin;
    std::vector<float> value, margin, closest, variance;
    std::vector<int> active;               // the active rows of each of up to 8 planes, R per plane
    std::vector<int> near_cols;            // the bitlines the noise can change, ...
    std::vector<std::uint64_t> near_vars;  // ... their first noise variable ...
    std::vector<double> near_z;            // ... and its value
    std::vector<std::uint8_t> near;        // flags per bitline: noise can change it; code wrong
    std::vector<std::uint64_t> read_mask;
    std::vector<LayerCounters> counters;
    // Margin histogram of the current run(), four interleaved copies (tally, flush_margins).
    std::array<std::array<std::uint32_t, MARGIN_BINS>, 4> margin_hist{};
    std::uint32_t hist_count = 0;
    // IR drop: the active rows' data, one tile's cells and currents.
    IrWork ir_work;
    std::vector<float> tile_g, tile_v, tile_current;
    std::vector<double> tile_exact;
  };
  // `call`: the key of this call's place (sample, slot, head), see call_key().
  void run(const MappedLayer& m, std::size_t slot, std::uint64_t call, const std::int8_t* w,
           const std::uint8_t* x, InputKind kind, int rows, std::int32_t* acc) const;
  // One analog read of `n` rows of row tile `rt`, in the stages a read has: the exact column
  // counts, then (nominal chip: a shortcut) the ideal codes, the analog values with noise, the
  // conversion, and the tally against the ideal code with the shift-add into s.col_acc.
  // `place`: the read's key (read_key()), for its temporal and telegraph noise.
  void read(const MappedLayer& m, int rt, const int* rows, int n, int plane_weight,
            std::uint64_t place, Scratch& s, LayerCounters& c) const;
  std::int64_t count_columns(const MappedLayer& m, int rt, const int* rows, int n,
                             Scratch& s) const;
  void convert_nominal(int cols, int plane_weight, Scratch& s, LayerCounters& c) const;
  void ideal_codes(int cols, Scratch& s) const;
  // Σ over the active rows of every column's cell current, in counts (reference columns
  // included): the conductances summed, or with IR drop the hardware's solver.
  void column_currents(const MappedLayer& m, int rt, const int* rows, int n, Scratch& s) const;
  void analog_values(const MappedLayer& m, int rt, const int* rows, int n, double leak_none,
                     std::uint64_t place, Scratch& s) const;
  // Every bitline's noise variance (s.variance), and the conversions the noise can change
  // converted again with it (temporal_noise.h).
  void bitline_variances(const MappedLayer& m, int rt, const int* rows, int n, Scratch& s) const;
  void add_temporal_noise(const MappedLayer& m, int rt, const int* rows, int n, std::uint64_t place,
                          Scratch& s) const;
  void add_rtn(const MappedLayer& m, int rt, const int* rows, int n, std::uint64_t place,
               Scratch& s) const;
  // Noise-free codes, signed margins and each bitline's distance to its nearest threshold.
  void convert(const MappedLayer& m, int rt, Scratch& s) const;
  void convert_flash(const MappedLayer& m, int rt, Scratch& s) const;
  void convert_sar(const MappedLayer& m, int rt, Scratch& s) const;
  std::span<const float> adc_params(const MappedLayer& m, int rt, int col) const;
  void tally(int cols, int plane_weight, Scratch& s, LayerCounters& c) const;
  static void flush_margins(Scratch& s, LayerCounters& c);
  const ChipInstance& chip_;
  int act_bits_;
  float comparator_sigma_ = 0.0f;             // σ of a comparator decision, LSB
  bool noisy_ = false;                        // temporal noise on bitlines or comparators
  bool everywhere_ = false;                   // NoiseDraws::EVERYWHERE
  bool count_hist_ = false;                   // CountHistogram::ON
  bool count_wear_ = false;                   // WearCounts::ON
  int variables_ = 1;                         // noise variables per conversion
  std::vector<std::int32_t> ideal_of_count_;  // the ideal code of each count
  std::vector<float> nominal_params_;         // the ADC's nominal parameters (noisy nominal chips)
  mutable tbb::enumerable_thread_specific<Scratch> scratch_;
};

}  // namespace rapmc::pim
