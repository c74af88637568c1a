#include "rapmc/pim/hardware.h"

#include <fnmatch.h>

#include <algorithm>
#include <cmath>

#include "rapmc/core/enum_names.h"
#include "rapmc/io/toml_reader.h"

namespace rapmc {
namespace {
HardwareConfig read(TomlReader& r);
}  // namespace

HardwareConfig read_hardware(TomlReader& r) {
  return read(r);
}

namespace {
constexpr EnumNames<WeightMapping, 2> MAPPINGS{{{WeightMapping::TWOS_COMPLEMENT, "twos_complement"},
                                                {WeightMapping::DIFFERENTIAL, "differential"}}};
constexpr EnumNames<OffCurrent, 3> OFF_CURRENTS{{{OffCurrent::REFERENCE_COLUMN, "reference_column"},
                                                 {OffCurrent::DIGITAL_OFFSET, "digital_offset"},
                                                 {OffCurrent::NONE, "none"}}};
constexpr EnumNames<AdcType, 3> ADCS{
    {{AdcType::IDEAL, "ideal"}, {AdcType::FLASH, "flash"}, {AdcType::SAR, "sar"}}};
constexpr EnumNames<MvmSchedule, 2> SCHEDULES{
    {{MvmSchedule::DENSE, "dense"}, {MvmSchedule::SPARSE, "sparse"}}};
constexpr EnumNames<AttentionPlacement, 2> PLACEMENTS{
    {{AttentionPlacement::DIGITAL, "digital"}, {AttentionPlacement::PIM, "pim"}}};
constexpr EnumNames<OffsetTrim, 2> TRIMS{{{OffsetTrim::NONE, "none"}, {OffsetTrim::TRIM, "trim"}}};
constexpr EnumNames<ReferenceCal, 3> REFERENCES{{{ReferenceCal::NONE, "none"},
                                                 {ReferenceCal::REPLICA, "replica"},
                                                 {ReferenceCal::ONE_POINT, "one_point"}}};
constexpr EnumNames<IrSolver, 3> IR_SOLVERS{
    {{IrSolver::NONE, "none"}, {IrSolver::FAST, "fast"}, {IrSolver::EXACT, "exact"}}};
constexpr EnumNames<DriftCompensation, 2> DRIFT_COMPENSATIONS{
    {{DriftCompensation::NONE, "none"}, {DriftCompensation::GLOBAL, "global"}}};
constexpr EnumNames<RowDrivers, 2> ROW_DRIVERS{
    {{RowDrivers::ONE_END, "one_end"}, {RowDrivers::BOTH_ENDS, "both_ends"}}};
constexpr EnumNames<CalibrationColumn, 2> CALIBRATION_COLUMNS{
    {{CalibrationColumn::TILE_END, "tile_end"}, {CalibrationColumn::MID_ARRAY, "mid_array"}}};

void read_wires(TomlReader& r, HardwareConfig& h) {
  h.ir_solver = read_choice(r, "wires.solver", h.ir_solver, IR_SOLVERS);
  h.r_row_segment_ohm = r.get_double("wires.row_segment_ohm", h.r_row_segment_ohm, 0.0, 1e3);
  h.r_bitline_segment_ohm =
      r.get_double("wires.bitline_segment_ohm", h.r_bitline_segment_ohm, 0.0, 1e3);
  h.r_access_ohm = r.get_double("wires.access_ohm", h.r_access_ohm, 0.0, 1e6);
  h.r_driver_ohm = r.get_double("wires.driver_ohm", h.r_driver_ohm, 0.0, 1e6);
  h.r_sense_ohm = r.get_double("wires.sense_input_ohm", h.r_sense_ohm, 0.0, 1e6);
  h.read_nonlinearity_per_v2 =
      r.get_double("wires.read_nonlinearity_per_v2", h.read_nonlinearity_per_v2, 0.0, 100.0);
  h.row_drivers = read_choice(r, "wires.row_drivers", h.row_drivers, ROW_DRIVERS);
  h.ir_fast_sweeps = static_cast<int>(r.get_int("wires.fast_sweeps", h.ir_fast_sweeps, 0, 100));
}

void read_calibration(TomlReader& r, HardwareConfig& h) {
  h.comparator_wl_um2 = r.get_double("adc.comparator_wl_um2", h.comparator_wl_um2, 1e-4, 1e4);
  h.sense_wl_um2 = r.get_double("sense.wl_um2", h.sense_wl_um2, 1e-4, 1e4);
  h.offset_trim = read_choice(r, "calibration.offset_trim", h.offset_trim, TRIMS);
  h.trim_bits = static_cast<int>(r.get_int("calibration.trim_bits", h.trim_bits, 2, 12));
  h.trim_step_mv = r.get_double("calibration.trim_step_mv", h.trim_step_mv, 1e-3, 1e3);
  h.trim_dac_sigma_rel =
      r.get_double("calibration.trim_dac_sigma_rel", h.trim_dac_sigma_rel, 0.0, 1.0);
  h.reference = read_choice(r, "calibration.reference", h.reference, REFERENCES);
  h.replica_cells =
      static_cast<int>(r.get_int("calibration.replica_cells", h.replica_cells, 1, 4096));
  h.gain_trim_step_rel =
      r.get_double("calibration.gain_trim_step_rel", h.gain_trim_step_rel, 0.0, 0.5);
  h.cal_temp_c = r.get_double("calibration.temp_c", h.cal_temp_c, -273.0, 300.0);
  h.cal_vdd_scale = r.get_double("calibration.vdd_scale", h.cal_vdd_scale, 0.5, 1.5);
  h.drift_compensation =
      read_choice(r, "calibration.drift_compensation", h.drift_compensation, DRIFT_COMPENSATIONS);
  h.drift_ref_cells =
      static_cast<int>(r.get_int("calibration.drift_ref_cells", h.drift_ref_cells, 1, 65536));
  h.calibration_column =
      read_choice(r, "calibration.column", h.calibration_column, CALIBRATION_COLUMNS);
  h.calibration_through_wires =
      r.get_int("calibration.through_wires", h.calibration_through_wires ? 1 : 0, 0, 1) == 1;
}

HardwareConfig read(TomlReader& r) {
  HardwareConfig h;
  h.source = r.source();
  h.name = r.get_string("name", h.name);
  h.tile_rows = static_cast<int>(r.get_int("array.tile_rows", h.tile_rows, 1, 4096));
  h.tile_cols = static_cast<int>(r.get_int("array.tile_cols", h.tile_cols, 1, 4096));
  h.cell_bits = static_cast<int>(r.get_int("array.cell_bits", h.cell_bits, 1, 4));
  h.mapping = read_choice(r, "array.mapping", h.mapping, MAPPINGS);
  h.g_on_siemens = r.get_double("array.g_on_siemens", h.g_on_siemens, 1e-9, 1.0);
  h.g_off_siemens = r.get_double("array.g_off_siemens", h.g_off_siemens, 0.0, 1.0);
  h.v_read = r.get_double("array.v_read", h.v_read, 1e-3, 5.0);
  h.t_read_s = r.get_double("array.t_read_s", h.t_read_s, 1e-12, 1e-3);
  h.off_current = read_choice(r, "array.off_current", h.off_current, OFF_CURRENTS);
  h.adc = read_choice(r, "adc.type", h.adc, ADCS);
  h.enob = static_cast<int>(r.get_int("adc.enob", h.enob, 1, 12));
  h.lsb_counts = static_cast<int>(r.get_int("adc.lsb_counts", h.lsb_counts, 1, 4096));
  h.adc_full_scale_v = r.get_double("adc.full_scale_v", h.adc_full_scale_v, 1e-3, 5.0);
  h.cols_per_adc = static_cast<int>(r.get_int("adc.cols_per_adc", h.cols_per_adc, 1, 4096));
  h.schedule = read_choice(r, "schedule.mvm", h.schedule, SCHEDULES);
  read_calibration(r, h);
  read_wires(r, h);
  h.sparse_k = static_cast<int>(r.get_int("schedule.k", h.sparse_k, 1, 4096));
  h.attention = read_choice(r, "schedule.attention", h.attention, PLACEMENTS);
  h.analog_layers = r.get_string("schedule.analog_layers", h.analog_layers);
  if (h.analog_layers.empty())
    r.problem("schedule.analog_layers", "is empty (use \"*\" for every layer)");
  h.e_comparator_j = r.get_double("cost.e_comparator_j", h.e_comparator_j, 0.0, 1e-6);
  h.e_comparator_per_wl_j =
      r.get_double("cost.e_comparator_per_wl_j", h.e_comparator_per_wl_j, 0.0, 1e-6);
  h.a_comparator_per_wl = r.get_double("cost.a_comparator_per_wl", h.a_comparator_per_wl, 0.0, 1e6);
  h.a_trim_bit_um2 = r.get_double("cost.a_trim_bit_um2", h.a_trim_bit_um2, 0.0, 1e6);
  h.adc_fom_j_per_step = r.get_double("cost.adc_fom_j_per_step", h.adc_fom_j_per_step, 0.0, 1e-6);
  h.a_comparator_um2 = r.get_double("cost.a_comparator_um2", h.a_comparator_um2, 0.0, 1e9);
  h.a_sar_cap_unit_um2 = r.get_double("cost.a_sar_cap_unit_um2", h.a_sar_cap_unit_um2, 0.0, 1e9);
  h.a_cell_um2 = r.get_double("cost.a_cell_um2", h.a_cell_um2, 0.0, 1e9);
  h.e_digital_add_j = r.get_double("cost.e_digital_add_j", h.e_digital_add_j, 0.0, 1e-6);
  h.a_digital_per_col_um2 =
      r.get_double("cost.a_digital_per_col_um2", h.a_digital_per_col_um2, 0.0, 1e9);

  // Cross-field rules.
  if (h.g_off_siemens >= h.g_on_siemens)
    r.problem("array.g_off_siemens", "must be below array.g_on_siemens");
  if (h.mapping == WeightMapping::TWOS_COMPLEMENT && h.cell_bits != 1) {
    r.problem(
        "array.mapping",
        "= 'twos_complement' needs array.cell_bits = 1 (use 'differential' for multi-bit cells)");
  }
  if (h.schedule == MvmSchedule::SPARSE && h.sparse_k > h.tile_rows) {
    r.problem("schedule.k", "= " + std::to_string(h.sparse_k) + " exceeds array.tile_rows");
  }
  if (h.adc == AdcType::FLASH && h.enob > 8)
    r.problem("adc.enob", "> 8 is not supported for a flash ADC (2^enob - 1 comparators)");
  if (h.cols_per_adc > h.tile_cols) r.problem("adc.cols_per_adc", "exceeds array.tile_cols");
  if (h.drift_compensation == DriftCompensation::GLOBAL && h.reference == ReferenceCal::REPLICA) {
    r.problem("calibration.drift_compensation",
              "= 'global' with calibration.reference = 'replica': the replica column drifts with "
              "the array and already tracks it (use one of them)");
  }
  r.finish();
  return h;
}
}  // namespace

int HardwareConfig::max_count_per_read() const {
  const int rows = schedule == MvmSchedule::DENSE ? tile_rows : sparse_k;
  return rows * ((1 << cell_bits) - 1);
}

int HardwareConfig::bits_to_resolve() const {
  int b = 0;
  while ((1 << b) < max_count_per_read() + 1) ++b;
  return b;
}

int HardwareConfig::slices(int weight_bits) const {
  if (mapping == WeightMapping::TWOS_COMPLEMENT) return weight_bits;
  const int digits = (weight_bits - 1 + cell_bits - 1) / cell_bits;
  return 2 * digits;
}

double HardwareConfig::v_lsb() const {
  return adc_full_scale_v / std::ldexp(1.0, enob);
}

double HardwareConfig::threshold_shift_lsb() const {
  return lsb_counts % 2 == 0 ? 0.5 / lsb_counts : 0.0;
}

std::vector<std::string> HardwareConfig::analog_layer_patterns() const {
  std::vector<std::string> out;
  std::size_t begin = 0;
  while (begin <= analog_layers.size()) {
    const std::size_t end = std::min(analog_layers.find('|', begin), analog_layers.size());
    out.push_back(analog_layers.substr(begin, end - begin));
    begin = end + 1;
  }
  return out;
}

bool layer_matches(const std::string& pattern, const std::string& layer) {
  // POSIX glob without FNM_PATHNAME: '*' also matches '/' ("blocks/*" is every layer of every
  // block).
  return fnmatch(pattern.c_str(), layer.c_str(), 0) == 0;
}

bool HardwareConfig::ir_drop() const {
  return ir_solver != IrSolver::NONE && (r_row_segment_ohm > 0 || r_bitline_segment_ohm > 0 ||
                                         r_access_ohm > 0 || r_driver_ohm > 0 || r_sense_ohm > 0);
}

bool HardwareConfig::is_analog(const std::string& layer) const {
  const auto patterns = analog_layer_patterns();
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return layer_matches(p, layer); });
}

HardwareConfig parse_hardware(const std::string& text, const std::string& source) {
  TomlReader r = TomlReader::from_string(text, source);
  return read(r);
}

HardwareConfig load_hardware(const std::string& path) {
  TomlReader r = TomlReader::from_file(path);
  return read(r);
}

std::string to_string(WeightMapping m) {
  return std::string(name_of(MAPPINGS, m));
}
std::string to_string(OffCurrent o) {
  return std::string(name_of(OFF_CURRENTS, o));
}
std::string to_string(AdcType a) {
  return std::string(name_of(ADCS, a));
}
std::string to_string(MvmSchedule s) {
  return std::string(name_of(SCHEDULES, s));
}
std::string to_string(OffsetTrim t) {
  return std::string(name_of(TRIMS, t));
}
std::string to_string(ReferenceCal r) {
  return std::string(name_of(REFERENCES, r));
}
std::string to_string(DriftCompensation d) {
  return std::string(name_of(DRIFT_COMPENSATIONS, d));
}
std::string to_string(RowDrivers d) {
  return std::string(name_of(ROW_DRIVERS, d));
}
std::string to_string(CalibrationColumn c) {
  return std::string(name_of(CALIBRATION_COLUMNS, c));
}
std::string to_string(IrSolver s) {
  return std::string(name_of(IR_SOLVERS, s));
}

}  // namespace rapmc
