// The chip instance of one Monte Carlo trial: frozen per-cell conductances and per-ADC
// parameters drawn from keyed streams (docs/design.md "Variation sources", "Monte Carlo engine"),
// on top of the trial's operating point.
#pragma once

#include <cstdint>

#include "rapmc/pim/device_sampler.h"
#include "rapmc/pim/hardware.h"
#include "rapmc/variation/variation.h"

namespace rapmc {

class PvtSampler final : public pim::DeviceSampler {
 public:
  PvtSampler(const VariationConfig& v, const OperatingPoint& op, const HardwareConfig& hw,
             std::uint64_t seed, std::uint64_t trial);
  bool varies_cells() const override { return varies_cells_; }
  /// Per cell, always three draws in row-major order (programming error, temperature
  /// coefficient, stuck-at), so that changing one source leaves the others' draws unchanged:
  /// G = G_nom·exp(σ·n − σ²/2)·(1 + α·(T − T0))·(1 + process shift)·(supply factor), σ, α
  /// and the shift interpolated between the off and on states by the cell level;
  /// the supply factor is V_DD/V_DD,nom unless the ADC reference is ratiometric.
  void cells(const std::string& layer, int row_tile, int rows, int cols,
             std::span<float> g_norm) const override;
  bool varies_adcs() const override { return varies_adcs_; }
  /// Flash: each threshold (k − ½)·(1 + gain shift) + offset shift + σ_os·n, in LSB, with
  /// σ_os = A_VT/√(WL)·(1 + tempco·(T − T0)) / V_lsb. SAR: comparator offset the same way,
  /// DAC bit k weight 2^k·(1 + gain shift)·(1 + σ_unit/√(2^k)·n).
  void adc(const std::string& layer, int row_tile, int adc_index,
           std::span<float> params) const override;

  /// Column read noise (read_noise_rel_ion of one on-cell current) and comparator thermal
  /// noise (comparator_noise_mv·√(T/T0), kelvin), combined in quadrature, in LSB.
  double noise_sigma_lsb() const override { return noise_sigma_lsb_; }
  std::uint64_t noise_key() const override;

  /// Stream instance keys (exposed for tests).
  static std::uint64_t cell_instance(const std::string& layer, int row_tile);
  static std::uint64_t adc_instance(const std::string& layer, int row_tile, int adc_index);

 private:
  VariationConfig v_;
  OperatingPoint op_;
  HardwareConfig hw_;
  std::uint64_t seed_, trial_;
  double g_off_norm_, levels_;
  double offset_sigma_lsb_;
  double noise_sigma_lsb_;
  double supply_factor_;
  bool varies_cells_, varies_adcs_;
};

}  // namespace rapmc
