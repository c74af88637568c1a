#include "rapmc/pim/cost.h"

#include <cmath>

namespace rapmc::pim {

double adc_energy_j(const HardwareConfig& hw) {
  const double levels = std::ldexp(1.0, hw.enob);
  return hw.adc == AdcType::SAR ? hw.adc_fom_j_per_step * levels : (levels - 1) * hw.e_comparator_j;
}

double adc_area_um2(const HardwareConfig& hw) {
  const double levels = std::ldexp(1.0, hw.enob);
  return hw.adc == AdcType::SAR ? hw.a_comparator_um2 + levels * hw.a_sar_cap_unit_um2
                                : (levels - 1) * hw.a_comparator_um2;
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
  r.area_digital_mm2 = tiles * hw.tile_cols * hw.a_digital_per_col_um2 * 1e-6;
  r.area_mm2 = r.area_array_mm2 + r.area_adc_mm2 + r.area_digital_mm2;
  return r;
}

}  // namespace rapmc::pim
