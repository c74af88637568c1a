// Analytic cost model (docs/design.md, "Cost model"): energy, area and ADC cycles of the
// AMS-PiM part of an inference, from the engine's activity counters and the hardware's cost
// parameters. The ADC part grows as 2^enob: comparator count for flash, Walden FOM for SAR.
#pragma once

#include <cstddef>

#include "rapmc/pim/chip.h"
#include "rapmc/pim/counters.h"
#include "rapmc/pim/hardware.h"

namespace rapmc::pim {

struct CostReport {
  // Per inference (counters divided by the number of inferences).
  double reads = 0, conversions = 0, adc_cycles = 0;
  double energy_array_j = 0, energy_adc_j = 0, energy_digital_j = 0, energy_j = 0;
  // Of the whole chip (every weight layer mapped once).
  std::size_t tiles = 0;
  double area_array_mm2 = 0, area_adc_mm2 = 0, area_digital_mm2 = 0, area_mm2 = 0;
};

/// Energy of one comparator decision: e_comparator + e_comparator_per_wl·W·L (the input pair's
/// gate capacitance is charged every decision).
double comparator_decision_energy_j(const HardwareConfig& hw);
/// Area of one comparator: a_comparator + a_comparator_per_wl·W·L + trim bits·a_trim_bit.
double comparator_area_um2(const HardwareConfig& hw);
/// Energy of one ADC conversion: flash (2^enob − 1) comparator decisions; sar fom·2^enob plus
/// the W·L part of its enob decisions; ideal as flash.
double adc_energy_j(const HardwareConfig& hw);
/// Area of one ADC instance: flash (2^enob − 1) comparators; sar one comparator +
/// 2^enob·a_cap_unit; plus a replica / calibration column of replica_cells cells when the reference
/// is calibrated.
double adc_area_um2(const HardwareConfig& hw);

/// Array energy V²·t_read·Σ G of every active cell (G_off·cell_ops + ΔG_level·on_counts),
/// ADC energy per conversion, one digital shift-add per conversion; ADC cycles: each read
/// converts cols_per_adc bitlines per ADC in series, 1 cycle each (flash) or enob (sar).
/// Area: tiles × (cells incl. one reference column, ADCs, shift-add logic per bitline and, when
/// offsets are trimmed, each bitline's sense-stage trim DAC).
CostReport estimate_cost(const HardwareConfig& hw, const ChipInstance& chip,
                         const LayerCounters& total, std::size_t inferences);

}  // namespace rapmc::pim
