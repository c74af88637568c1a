#include "rapmc/pim/cost.h"

#include <cmath>

namespace rapmc::pim {

double comparator_decision_energy_j(const HardwareConfig& hw) {
  return hw.e_comparator_j + hw.e_comparator_per_wl_j * hw.comparator_wl_um2;
}

double comparator_area_um2(const HardwareConfig& hw) {
  const int trim = hw.offset_trim == OffsetTrim::TRIM ? hw.trim_bits : 0;
  return hw.a_comparator_um2 + hw.a_comparator_per_wl * hw.comparator_wl_um2 +
         trim * hw.a_trim_bit_um2;
}

double adc_energy_j(const HardwareConfig& hw) {
  const double levels = std::ldexp(1.0, hw.enob);
  if (hw.adc == AdcType::SAR)
    return hw.adc_fom_j_per_step * levels +
           hw.enob * hw.e_comparator_per_wl_j * hw.comparator_wl_um2;
  return (levels - 1) * comparator_decision_energy_j(hw);
}

double adc_area_um2(const HardwareConfig& hw) {
  const double levels = std::ldexp(1.0, hw.enob);
  // A replica or calibration column of on-state cells per ADC.
  const double replica =
      hw.reference == ReferenceCal::NONE ? 0.0 : hw.replica_cells * hw.a_cell_um2;
  return replica + (hw.adc == AdcType::SAR
                        ? comparator_area_um2(hw) + levels * hw.a_sar_cap_unit_um2
                        : (levels - 1) * comparator_area_um2(hw));
}

CostReport estimate_cost(const HardwareConfig& hw, const ChipInstance& chip, const LayerCounters& t,
                         std::size_t inferences) {
  CostReport r;
  const double n = inferences ? static_cast<double>(inferences) : 1.0;
  r.reads = static_cast<double>(t.reads) / n;
  r.conversions = static_cast<double>(t.conversions) / n;
  r.adc_cycles = r.reads * hw.cols_per_adc * (hw.adc == AdcType::SAR ? hw.enob : 1);
  const double dg_level = (hw.g_on_siemens - hw.g_off_siemens) / ((1 << hw.cell_bits) - 1);
  const double sum_g = (static_cast<double>(t.cell_ops) * hw.g_off_siemens +
                        static_cast<double>(t.on_counts) * dg_level) /
                       n;
  r.energy_array_j = hw.v_read * hw.v_read * hw.t_read_s * sum_g;
  r.energy_adc_j = r.conversions * adc_energy_j(hw);
  r.energy_digital_j = r.conversions * hw.e_digital_add_j;
  r.energy_j = r.energy_array_j + r.energy_adc_j + r.energy_digital_j;
  for (const MappedLayer& m : chip.layers())
    if (m.analog) r.tiles += static_cast<std::size_t>(m.row_tiles) * m.col_tiles;
  const double tiles = static_cast<double>(r.tiles);
  const double adcs_per_tile = std::ceil(static_cast<double>(hw.tile_cols) / hw.cols_per_adc);
  r.area_array_mm2 = tiles * hw.tile_rows * (hw.tile_cols + 1) * hw.a_cell_um2 * 1e-6;
  r.area_adc_mm2 = tiles * adcs_per_tile * adc_area_um2(hw) * 1e-6;
  // Shift-add logic per bitline, and its sense stage's trim DAC when offsets are trimmed.
  const int col_trim = hw.offset_trim == OffsetTrim::TRIM ? hw.trim_bits : 0;
  r.area_digital_mm2 =
      tiles * hw.tile_cols * (hw.a_digital_per_col_um2 + col_trim * hw.a_trim_bit_um2) * 1e-6;
  r.area_mm2 = r.area_array_mm2 + r.area_adc_mm2 + r.area_digital_mm2;
  return r;
}

}  // namespace rapmc::pim
