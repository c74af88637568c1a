// The chip instance of one Monte Carlo trial: frozen per-cell conductances, per-bitline sense
// stages and per-ADC parameters drawn from keyed streams (docs/design.md "Variation sources",
// "Calibration and trim", "Monte Carlo engine"), on top of the trial's operating point.
#pragma once

#include <cstdint>
#include <functional>

#include "rapmc/core/keyed_rng.h"
#include "rapmc/pim/device_sampler.h"
#include "rapmc/pim/hardware.h"
#include "rapmc/pim/wear.h"
#include "rapmc/variation/variation.h"

namespace rapmc {

class PvtSampler final : public pim::DeviceSampler {
 public:
  /// `wear` (may be null): the workload's reads and writes per inference, for read disturb
  /// and endurance at the operating point's inference counts; it must outlive the sampler.
  PvtSampler(const VariationConfig& v, const OperatingPoint& op, const HardwareConfig& hw,
             std::uint64_t seed, std::uint64_t trial, const pim::WearProfile* wear = nullptr);
  bool varies_cells() const override { return varies_cells_; }
  /// Per cell, always three draws in row-major order (programming error, temperature
  /// coefficient, stuck-at), so that changing one source leaves the others' draws unchanged:
  /// G = G_nom·exp(σ·n − σ²/2)·(1 + α·(T − T0))·(1 + process shift)·(supply factor), σ, α
  /// and the shift interpolated between the off and on states by the cell level;
  /// the supply factor is V_DD/V_DD,nom unless the ADC reference is ratiometric. A read
  /// after time t drifts each cell by ((t + t0)/t0)^−ν, ν = |μ + σ·n| from its own stream
  /// (DRIFT), one draw per cell.
  void cells(const std::string& layer, int row_tile, int rows, int cols,
             std::span<float> g_norm) const override;
  bool varies_tiles() const override {
    return v_.die_gradient_sigma_rel > 0 || v_.tile_sigma_rel > 0;
  }
  /// (1 + g_x·x + g_y·y)·(1 + σ_tile·n): the trial's die gradient (two draws of stream
  /// SPATIAL, instance 0) and the tile's own shift (one draw of its SPATIAL stream).
  double tile_gain(const std::string& layer, int row_tile, int col_tile, double x,
                   double y) const override;
  /// tile_gain()'s rule from the tile's own variate.
  double tile_factor(double x, double y, double n_tile) const;
  bool has_rtn() const override { return v_.rtn_cell_fraction > 0 && v_.rtn_amplitude_rel > 0; }
  /// Each cell independently with probability rtn_cell_fraction (gaps between chosen cells
  /// drawn as geometric, one uniform per chosen cell), amplitude rtn_amplitude_rel·G.
  void rtn_cells(const std::string& layer, int row_tile, int rows, int cols,
                 std::span<const float> g_norm, std::vector<pim::RtnCell>& out) const override;
  bool varies_sense() const override { return varies_sense_; }
  /// Per bitline two draws (gain, offset): gain 1 + A_β/√(W·L)·n, offset A_VT/√(W·L)·n (at the
  /// operating temperature, trimmed at calibration when offsets are trimmed), in LSB.
  void sense(const std::string& layer, int row_tile, std::span<float> gain,
             std::span<float> offset_lsb) const override;
  bool varies_adcs() const override { return varies_adcs_; }
  /// Flash: each threshold (k − ½ − shift)·scale + offset, sar: offset the same way and DAC
  /// bit k weight 2^k·scale·(1 + σ_unit/√(2^k)·n). The scale is the reference's: (1 + gain
  /// shift)/(corner sense gain) uncalibrated, tracking a replica column, or set by a one-point
  /// calibration (docs/design.md, "Calibration and trim"); offsets are the die-level offset plus
  /// σ_os·n, σ_os = A_VT/√(W·L)·(1 + tempco·(T − T0)), trimmed at calibration or not.
  void adc(const std::string& layer, int row_tile, int adc_index, std::span<float> params,
           const pim::WireAttenuation& wires) const override;
  /// cells() at the calibration temperature and supply, before drift (a sampler of the same
  /// chip at that operating point: the same draws).
  void calibration_cells(const std::string& layer, int row_tile, int rows, int cols,
                         std::span<float> g_norm) const override;

  /// Bitline and comparator noise at the operating point (device_sampler.h, ReadNoise).
  pim::ReadNoise read_noise() const override { return noise_; }
  std::uint64_t noise_key() const override;

  /// The next standard normal variate of one source: a keyed stream on a chip, a coordinate of
  /// the variable vector in the tail estimators (tails/conversion_model.h). The formulas below
  /// take their variates through it, so that both evaluate one rule.
  using Normals = std::function<double()>;

  /// The residual offset, volts at the operating point, of a device whose offset is
  /// `fixed_v` + n·σ(T) (σ at the operating and calibration temperatures given): untrimmed, or
  /// after a trim DAC set at calibration (code = round(−offset/step), clamped to the DAC's
  /// range; step with its mismatch σ_dac·n_dac).
  static double residual_offset_v(const HardwareConfig& hw, double fixed_v, double n,
                                  double sigma_op_v, double sigma_cal_v, double n_dac);
  /// A cell's conductance (normalised to one count) at cell level `level` (0 = off ..
  /// 2^cell_bits − 1) from its programming-error and tempco variates; its drift variate is taken
  /// from `drift` only when the operating point drifts.
  double cell_value(double level, double n_prog, double n_alpha, const Normals& drift) const;
  /// Mean on-state conductance of a replica column, relative to nominal, at temperature temp_c
  /// and supply factor `supply` (two variates per cell from `cells`). With `drift`, each
  /// replica cell also drifts by its own exponent from it, by log((t + t0)/t0) = `log_t`.
  double replica_ratio(const Normals& cells, double temp_c, double supply,
                       const Normals* drift = nullptr, double log_t = 0) const;
  /// The threshold scale of one ADC (its replica / calibration column from `replica`, the drift
  /// of its reference or replica cells from `drift`, what those columns' reads lose in the
  /// wires from `wires`).
  double reference_scale(const Normals& replica, const Normals& drift,
                         const pim::WireAttenuation& wires = {}) const;
  /// Mean drift factor ((t + t0)/t0)^−ν of `cells` on-state cells (one variate each), now
  /// over the same at the last calibration (a reference measured then and now).
  double on_cell_drift(const Normals& drift, int cells) const;
  /// The parameters of one ADC instance (adc()'s rule) from its sources: the comparator
  /// offsets and DAC units, their trim DACs, its replica cells and its reference cells' drift.
  void adc_params(const Normals& comparator, const Normals& trim, const Normals& replica,
                  const Normals& drift, std::span<float> params,
                  const pim::WireAttenuation& wires = {}) const;
  /// The gain and offset (LSB) of one sense stage (sense()'s rule) from its variates.
  void sense_stage(double n_gain, double n_offset, double n_dac, float& gain,
                   float& offset_lsb) const;
  /// The trial's read noise and the hardware (for the tail estimators).
  const HardwareConfig& hardware() const { return hw_; }
  double g_off_norm() const { return g_off_norm_; }

  /// Stream instance keys (exposed for tests).
  static std::uint64_t cell_instance(const std::string& layer, int row_tile);
  static std::uint64_t adc_instance(const std::string& layer, int row_tile, int adc_index);

 private:
  VariationConfig v_;
  OperatingPoint op_;
  HardwareConfig hw_;
  std::uint64_t seed_, trial_;
  double g_off_norm_, levels_;
  double dg_siemens_;  // S per count
  /// σ of ln G of a cell at level fraction f (0 off .. 1 on), interpolated.
  double cell_sigma(double f) const {
    return v_.cell_sigma_off + f * (v_.cell_sigma_on - v_.cell_sigma_off);
  }
  double v_lsb_;                          // V per LSB at the operating point
  double cmp_sigma_v_, cmp_sigma_cal_v_;  // comparator offset σ at op / cal temperature
  double sense_sigma_v_, sense_sigma_cal_v_;
  double sense_gain_sigma_;
  double supply_factor_, cal_supply_factor_;
  pim::ReadNoise noise_;
  bool varies_cells_, varies_adcs_, varies_sense_;
  bool drift_ = false;
  const pim::WearProfile* wear_ = nullptr;
  // The wear of one array (read disturb per row, stuck probability from its writes).
  double wear_stuck_probability(const std::string& layer) const;
  double gradient_x_ = 0, gradient_y_ = 0;  // the die gradient of this trial
  double drift_log_t_ = 0;                  // log((t + t0)/t0)
  double cal_log_t_ = 0;                    // the same at the last gain calibration
  double gain_cal_temp_c_ = 27;             // temperature of the last gain calibration
};

}  // namespace rapmc
