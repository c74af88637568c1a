// The hardware description of an AMS-PiM accelerator (docs/design.md, "Chip model"): array, cells,
// analog read chain, ADC, MVM schedule and cost parameters. Read from TOML (docs/configuration.md,
// "Hardware description"); every field has a unit, a default and a source or "assumed".
#pragma once

#include <string>
#include <vector>

namespace rapmc {

enum class WeightMapping {
  TWOS_COMPLEMENT,  // one 1-bit cell per weight bit, the MSB column weighted -2^(bits-1)
  DIFFERENTIAL,     // |w| sliced into cell_bits digits on a + column set and a - column set
};
enum class OffCurrent {
  REFERENCE_COLUMN,  // each tile has a column of G_off cells; its current is subtracted
  DIGITAL_OFFSET,    // the nominal n_active·V·G_off is subtracted before the ADC
  NONE,              // off-state leakage of active rows reaches the ADC
};
enum class AdcType { IDEAL, FLASH, SAR };
enum class MvmSchedule {
  DENSE,   // all rows of a tile driven at once, one read per input bit-plane
  SPARSE,  // the '1' rows of each bit-plane in chunks of at most K rows, one read each
};
enum class AttentionPlacement { DIGITAL, PIM };
enum class OffsetTrim {
  NONE,  // comparator and sense-stage offsets as drawn
  TRIM,  // each comparator and each bitline's sense stage trimmed by a trim DAC at calibration
};
enum class ReferenceCal {
  NONE,       // the ADC reference is fixed (full_scale_v, or V_DD when ratiometric)
  REPLICA,    // reference from a replica column of on-state cells, read at operating conditions
  ONE_POINT,  // one-point gain calibration per ADC on a calibration column at cal conditions
};

enum class DriftCompensation {
  NONE,    // what drifts stays (unless a replica reference tracks it)
  GLOBAL,  // each ADC's reference scaled by the drift measured on its own reference cells
};
enum class RowDrivers {
  ONE_END,    // each row line driven from column 0's side (docs/design.md, "IR drop")
  BOTH_ENDS,  // and from the far side as well (a second driver after the last column)
};
enum class CalibrationColumn {
  TILE_END,   // each ADC's replica / calibration column after the tile's last column
  MID_ARRAY,  // in the middle of the tile's columns
};
enum class IrSolver {
  NONE,   // wires and devices ideal: every active cell sees V_read (the resistances are ignored)
  FAST,   // row-line drop precomputed per row, bitline drop to first order per read
  EXACT,  // nodal analysis of the tile for every read (the reference; slow)
};

struct HardwareConfig {
  std::string name = "custom";
  std::string source;  // file it was read from
  // Array.
  int tile_rows =
      128;  // cells per bitline (wordlines per tile); assumed default (docs/configuration.md)
  int tile_cols = 128;  // bitlines per tile; assumed default (docs/configuration.md)
  int cell_bits = 1;    // bits per cell; assumed default (docs/configuration.md)
  WeightMapping mapping = WeightMapping::TWOS_COMPLEMENT;
  double g_on_siemens = 50e-6;            // on-state conductance (20 kΩ); assumed
  double g_off_siemens = 0.5e-6;          // off-state conductance (2 MΩ, on/off 100); assumed
  double v_read = 0.2;                    // V, read voltage on an active wordline; assumed
  double read_nonlinearity_per_v2 = 0.0;  // β of I = G·V·(1 + β·V²), 1/V² (acts with IR drop)
  double t_read_s = 10e-9;                // s, duration of one analog read; assumed
  OffCurrent off_current = OffCurrent::REFERENCE_COLUMN;
  // ADC (shared by cols_per_adc bitlines, each instance with its own frozen offsets).
  AdcType adc = AdcType::FLASH;
  int enob = 3;        // bits; RAP default (assumed, docs/configuration.md)
  int lsb_counts = 1;  // cell counts per ADC LSB (1: every count resolved, then clipping)
  double adc_full_scale_v = 0.4;  // V, input span of 2^enob LSBs (sense gain set to match); assumed
  int cols_per_adc = 8;           // assumed default (docs/configuration.md)
  double comparator_wl_um2 = 0.1;  // µm², input-pair gate area of each comparator; assumed
  // Sense stage of each bitline (integrator / sense amplifier before the ADC).
  double sense_wl_um2 = 4.0;  // µm², input-pair gate area (Pelgrom-sized mismatch); assumed
  // Calibration and trim (docs/design.md, "Calibration and trim").
  OffsetTrim offset_trim = OffsetTrim::NONE;
  int trim_bits = 5;          // bits of each trim DAC (signed code ±(2^(bits−1) − 1)); assumed
  double trim_step_mv = 2.0;  // mV per trim code; assumed
  double trim_dac_sigma_rel = 0.02;  // relative σ of each trim DAC's step (mismatch); assumed
  ReferenceCal reference = ReferenceCal::NONE;
  int replica_cells = 16;             // on-state cells of a replica / calibration column; assumed
  double gain_trim_step_rel = 0.005;  // relative step of the one-point gain correction; assumed
  double cal_temp_c = 27.0;           // °C at which trims and the one-point gain are calibrated
  double cal_vdd_scale = 1.0;         // × nominal V_DD at calibration; assumed
  DriftCompensation drift_compensation = DriftCompensation::NONE;
  int drift_ref_cells = 128;  // on-state reference cells per ADC measured for it; assumed
  // Where the replica / calibration and drift-reference columns stand, and whether their reads
  // go through the tile's wires and access devices (docs/design.md, "Calibration through the
  // wires"); both matter only with IR drop.
  CalibrationColumn calibration_column = CalibrationColumn::TILE_END;
  bool calibration_through_wires = true;
  // Wires and devices around the cells (docs/design.md, "IR drop"); all 0 = no IR drop.
  IrSolver ir_solver = IrSolver::FAST;
  double r_row_segment_ohm = 0.0;      // Ω per cell pitch of a row line; assumed (off)
  double r_bitline_segment_ohm = 0.0;  // Ω per cell pitch of a bitline; assumed (off)
  double r_access_ohm = 0.0;           // Ω, access device on resistance per cell; assumed (off)
  double r_driver_ohm = 0.0;           // Ω, row driver output resistance; assumed (off)
  double r_sense_ohm = 0.0;            // Ω, sense-stage input resistance; assumed (off)
  RowDrivers row_drivers = RowDrivers::ONE_END;
  int ir_fast_sweeps = 2;  // block Gauss-Seidel sweeps after the fast solver's start (ir_drop.h)
  // Schedule.
  MvmSchedule schedule = MvmSchedule::SPARSE;
  int sparse_k = 7;  // RAP default (assumed, docs/configuration.md)
  AttentionPlacement attention = AttentionPlacement::DIGITAL;
  // Layers whose MVMs run on the analog array: '|'-separated glob patterns over layer names
  // ("embed", "blocks/<i>/{qkv,proj,fc1,fc2,attn_qk,attn_pv}", "pooler", "head/fc"); the others are
  // exact digital MVMs (no reads, no errors, no array area). "*" = all; used for per-layer
  // attribution studies and for designs that keep a layer digital.
  std::string analog_layers = "*";
  // Cost model (docs/design.md, "Cost model").
  double e_comparator_j = 20e-15;         // J per comparator decision, latch and clock; assumed
  double e_comparator_per_wl_j = 16e-15;  // J per decision per µm² of input gate area; assumed
  double adc_fom_j_per_step = 10e-15;     // J per conversion step, Walden FOM (SAR); assumed
  double a_comparator_um2 = 15.0;         // µm² per comparator, latch and clock; assumed
  double a_comparator_per_wl = 8.0;       // µm² of layout per µm² of input gate area; assumed
  double a_trim_bit_um2 = 3.0;            // µm² per bit of a trim DAC; assumed
  double a_sar_cap_unit_um2 = 2.0;  // µm² per unit capacitor of the SAR DAC (2^enob units); assumed
  double a_cell_um2 = 0.05;         // µm² per cell (≈ 40F² at 28 nm); assumed
  double e_digital_add_j = 30e-15;      // J per shift-add of one ADC code; assumed
  double a_digital_per_col_um2 = 20.0;  // µm² of shift-add logic per bitline; assumed

  /// Largest count one read can produce: rows per read × (2^cell_bits − 1).
  int max_count_per_read() const;
  /// ADC bits that resolve every count of one read: ceil(log2(max_count + 1)).
  int bits_to_resolve() const;
  /// Columns one weight occupies.
  int slices(int weight_bits) const;
  /// ADC LSB in volts: full scale / 2^enob.
  double v_lsb() const;
  /// How far below k − 1/2 LSB the decision thresholds sit, in LSB: 1/(2·lsb_counts) when
  /// lsb_counts is even (k − 1/2 LSB is then a reachable count; the threshold moves half a
  /// count down, so that count codes as k, the ideal round-half-up), else 0 (already between
  /// counts). Every ADC model and the ideal code use it; nominal margins are then half a count.
  double threshold_shift_lsb() const;
  /// True if reads see IR drop: a solver is selected and some resistance is non-zero.
  bool ir_drop() const;
  /// True if `layer` (a counter name such as "blocks/0/qkv") matches analog_layers.
  bool is_analog(const std::string& layer) const;
  /// The '|'-separated patterns of analog_layers.
  std::vector<std::string> analog_layer_patterns() const;
};

/// True if the glob `pattern` (one entry of analog_layers; '*' also matches '/') matches `layer`.
bool layer_matches(const std::string& pattern, const std::string& layer);

/// Reads and validates a hardware TOML file; one ConfigError naming the file and every bad,
/// out-of-range or unknown key. IoError if the file cannot be read.
HardwareConfig load_hardware(const std::string& path);
/// The same from TOML text (`source` names it in messages).
HardwareConfig parse_hardware(const std::string& text, const std::string& source);

class TomlReader;
/// Reads a hardware description from a parsed TOML reader (then checks unknown keys).
HardwareConfig read_hardware(TomlReader& r);

std::string to_string(WeightMapping m);
std::string to_string(OffCurrent o);
std::string to_string(AdcType a);
std::string to_string(MvmSchedule s);
std::string to_string(OffsetTrim t);
std::string to_string(ReferenceCal r);
std::string to_string(IrSolver s);
std::string to_string(DriftCompensation d);
std::string to_string(RowDrivers d);
std::string to_string(CalibrationColumn c);

}  // namespace rapmc
