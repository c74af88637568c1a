// PVT variation sources (docs/design.md, "Variation sources"): what varies, by how much, for how
// long. Every source has a unit and a lifetime: global (once per trial), local frozen (per cell or
// comparator, fixed for a trial's chip), or temporal (per read). Defaults and their sources:
// docs/configuration.md.
#pragma once

#include <limits>
#include <memory>
#include <string>

#include "rapmc/io/toml_reader.h"
#include "rapmc/variation/device_table.h"

namespace rapmc {

enum class DriftLaw {
  LOG,     // aihwkit's PCM law in G/G_max per programmed level (pcm_aging.h)
  LINEAR,  // interpolated between the off and on states' drift_nu_{on,off}_* (before issue 27)
};

struct VariationConfig {
  // Global, once per trial: die-level process shifts (relative σ).
  double process_g_sigma_rel = 0.03;  // G_on and G_off (each its own draw)
  double process_adc_gain_sigma_rel = 0.03;
  double process_adc_offset_sigma_lsb = 0.03;  // assumed unit: LSB
  // Local, frozen per cell.
  double cell_sigma_on = 0.05;     // lognormal σ of ln G for on cells
  double cell_sigma_off = 0.10;    // ... for off cells (levels in between interpolate)
  double stuck_on_prob = 0.0;      // probability a cell is stuck at G_on
  double stuck_off_prob = 0.0;     // ... at G_off
  double alpha_on_per_k = -0.001;  // temperature coefficient of G_on, 1/K
  double alpha_off_per_k = 0.005;  // of G_off, 1/K
  double alpha_spread_rel = 0.2;   // relative σ of each cell's coefficient
  // Local, frozen per comparator and per bitline sense stage (Pelgrom): σ_offset = A_VT/√(W·L)
  // with W·L from the hardware (adc.comparator_wl_um2, sense.wl_um2); the sense stage's gain
  // σ = A_β/√(W·L).
  double avt_mv_um = 3.5;
  double sense_abeta_pct_um = 1.0;     // A_β of the sense stage's gain, %·µm (assumed)
  double offset_tempco_per_k = 0.002;  // relative growth of σ_offset per K above T0 (assumed)
  double dac_unit_sigma_rel = 0.002;   // SAR unit-capacitor mismatch (assumed)
  // What a process corner does to the CMOS, per 3σ of corner shift (SS = −1, FF = +1): σ of
  // offsets × (1 − x·c), comparator noise × (1 − x·c), sense gain × (1 + x·c) (assumed).
  double corner_offset_rel = 0.1;
  double corner_noise_rel = 0.1;
  double corner_sense_gain_rel = 0.05;
  // Supply and temperature.
  double vdd_nominal_v = 0.9;
  double vdd_sigma_rel = 0.03;
  bool ratiometric = true;  // ADC reference follows V_DD
  double t0_c = 27.0;       // reference temperature of G and offsets
  // Temporal, per read (device_sampler.h, ReadNoise).
  double read_noise_rel_ion = 0.01;  // σ floor of a column read, fraction of one on-cell current
  double bitline_excess_noise = 1.0;  // × the thermal + shot noise (4kT·G + 2q·I)·B of the bitline
  double cell_read_noise_rel = 0.01;  // σ of each active cell's current per read, relative
  double comparator_noise_mv = 1.0;  // σ of each comparator decision at T0, ∝ √(T/T0) in kelvin,
  double comparator_noise_ref_wl_um2 = 0.1;  // for this input-pair area; ∝ √(ref/(W·L))
  double rtn_cell_fraction = 0.0;   // share of cells with telegraph noise (frozen choice); assumed
  double rtn_amplitude_rel = 0.05;  // its peak-to-peak amplitude, relative to the cell's G; assumed
  // Spatially correlated, frozen per trial (docs/design.md, "Variation sources"): a die-level
  // linear gradient of G, (1 + g_x·x + g_y·y) over the floorplan (x, y ∈ [−½, ½] of the die),
  // g_x, g_y normal with this σ (relative change across the die), and a per-tile shift.
  double die_gradient_sigma_rel = 0.0;  // assumed (off)
  double tile_sigma_rel = 0.0;          // σ of each tile's relative G shift; assumed (off)
  // Conductance drift after programming (docs/design.md, "Drift"): G(t) = G(t0)·((t + t0)/t0)^−ν
  // with t the operating point's time since programming (its equivalent at t0_c, by the
  // Arrhenius factor of drift_activation_ev), ν = |μ + σ·n| per cell. μ and σ per programmed
  // level by drift_law (pcm_aging.h): the log law's coefficients are the PCM model of Joshi et
  // al. 2020 as aihwkit's PCMLikeNoiseModel implements it; the linear law's endpoints are that
  // model at G/G_max = 1 (on) and 0.01 (off).
  DriftLaw drift_law = DriftLaw::LOG;
  double drift_nu_mean_slope = -0.0155;  // μ per unit of ln(G/G_max)
  double drift_nu_mean_at_gmax = 0.0244;
  double drift_nu_mean_min = 0.049, drift_nu_mean_max = 0.1;
  double drift_nu_sigma_slope = -0.0125;  // σ per unit of ln(G/G_max)
  double drift_nu_sigma_at_gmax = -0.0059;
  double drift_nu_sigma_min = 0.008, drift_nu_sigma_max = 0.045;
  double drift_activation_ev = 0.0;  // eV, Arrhenius energy of drift's time scale; assumed (off)
  // 1/f read noise growing with the time since programming (docs/design.md, "1/f read noise"):
  // per read, σ/G = Q(x)·√ln((t + t_read)/(2·t_read)), Q(x) = min(q/max(x^e, 1e-3), q_max),
  // x = G/G_max of the programmed level. aihwkit's PCM values: q 0.0088, e 0.65, q_max 0.2,
  // t_read 250 ns; off (q = 0) by default.
  double flicker_q = 0.0;
  double flicker_exponent = 0.65;
  double flicker_q_max = 0.2;
  double flicker_t_read_s = 250e-9;
  double drift_nu_on_mean = 0.049;
  double drift_nu_on_sigma = 0.008;
  double drift_nu_off_mean = 0.096;
  double drift_nu_off_sigma = 0.045;
  double drift_t0_s = 20.0;  // s: programming verified at t0 (drift reference)
  // Read disturb and endurance over a chip's life (docs/design.md, "Read disturb and
  // endurance"; both off by default): each read of a row moves its cells toward the on state,
  // G_on − (G_on − G)·exp(−ε·N) after N reads since programming; an attention array's cells
  // fail stuck (half on, half off) after W writes with probability 1 − exp(−(W/W63)^β).
  // Retention loss: an amorphous (below on) cell crystallises to the on state by time t at T0
  // with probability 1 − exp(−t/τ), t its retention age (Arrhenius with retention_activation_ev).
  double retention_tau_s = 0.0;          // τ at t0_c, s; assumed (0: off)
  double retention_activation_ev = 2.5;  // eV; assumed (GST crystallisation: 2–3 eV commonly)
  double read_disturb_per_read = 0.0;    // ε per read; assumed (off)
  double endurance_cycles = 0.0;         // W63, writes; assumed (0: off)
  double endurance_weibull_shape = 2.0;  // β; assumed
  // Measured device statistics (docs/design.md, "Measured device tables"): a CSV of each
  // level's conductance distribution that replaces the lognormal programming error; "" = none.
  std::string device_table;
  std::shared_ptr<const DeviceTable> table;  // loaded by the campaign (the hardware's levels)

  /// All sources off (the nominal chip).
  static VariationConfig none();
  /// Takes the drift-exponent law of `from`: the law and every drift_nu_* coefficient.
  void copy_drift_law(const VariationConfig& from);
  /// log((t + t0)/t0) of a read `time_s` after programming: the drift exponent's multiplier.
  double drift_log_time(double time_s) const;
  /// The time at t0_c that drifts as much as `time_s` spent at temp_c (Arrhenius).
  double drift_age_s(double time_s, double temp_c) const;
  /// The same for retention loss (its own activation energy).
  double retention_age_s(double time_s, double temp_c) const;
  /// True if a read `time_s` after programming sees drift.
  bool drifts(double time_s) const;
  /// σ of the offset of a device pair of gate area `wl_um2` (µm²), volts, at temperature temp_c.
  double offset_sigma_v(double wl_um2, double temp_c) const;
};

/// Reads [variation] keys of a campaign ("variation.cell_sigma_on", ...); problems are
/// recorded in `r` (range: every σ and probability ≥ 0).
VariationConfig read_variation(TomlReader& r, const std::string& prefix);

/// A deterministic global setting: process corner × supply × temperature.
struct Corner {
  std::string name = "TT";
  double process_shift_sigmas = 0;  // SS: −3, TT: 0, FF: +3 (multiples of process_g_sigma_rel)
  double vdd_scale = 1.0;           // × vdd_nominal_v
  double temp_c = 27.0;
  double time_s = 0.0;  // s since programming (after t0): 0 = as programmed, no drift
};
/// "TT", "SS", "FF", optionally with "_LV"/"_HV" (V_DD −/+10 %); ConfigError for others.
Corner parse_corner(const std::string& name, double temp_c);

/// The globals of one trial, sampled on top of a corner.
struct OperatingPoint {
  double vdd_v = 0.9;
  double temp_c = 27.0;
  double g_on_shift = 0, g_off_shift = 0;  // relative
  double adc_gain_shift = 0;               // relative
  double adc_offset_lsb = 0;
  double cmos_corner = 0;  // the corner's CMOS shift: SS −1, TT 0, FF +1
  double time_s = 0;       // s since programming (after t0)
  /// s at variation.t0_c that drift as much as this chip's history has (< 0: time_s spent at
  /// temp_c; a mission profile sets it from its temperatures).
  double drift_age_s = -1;
  /// The last gain calibration (one-point reference, drift-compensation baseline, calibration
  /// reads through the wires): s from programming to it and that time's equivalent at t0_c
  /// (0: at programming), and its temperature (NaN: the hardware's calibration.temp_c).
  double cal_time_s = 0;
  double cal_drift_age_s = 0;
  double cal_temp_c = std::numeric_limits<double>::quiet_NaN();
  /// Inferences run since the weights were last programmed (read disturb) and since the chip
  /// was first programmed (wear of rewritten arrays); a mission profile sets them.
  /// s at t0_c that crystallise as much as this chip's history since programming (< 0:
  /// time_s at temp_c).
  double retention_age_s = -1;
  double retention_age(const VariationConfig& v) const {
    return retention_age_s >= 0 ? retention_age_s : v.retention_age_s(time_s, temp_c);
  }
  double inferences_since_programming = 0;
  double inferences_total = 0;
  /// The equivalent drift age: drift_age_s, or time_s at temp_c by `v`'s Arrhenius factor.
  double drift_age(const VariationConfig& v) const {
    return drift_age_s >= 0 ? drift_age_s : v.drift_age_s(time_s, temp_c);
  }
};

enum class TempMode { FIXED, UNIFORM };

/// Samples the operating point of trial `trial` (stream OPERATING_POINT and PROCESS_GLOBAL).
/// temp UNIFORM draws T uniformly in [temp_min_c, temp_max_c], FIXED uses the corner's.
OperatingPoint sample_operating_point(const VariationConfig& v, const Corner& corner,
                                      TempMode temp_mode, double temp_min_c, double temp_max_c,
                                      std::uint64_t seed, std::uint64_t trial);

/// The five die-level standard normal variates of a trial's operating point.
struct DieVariates {
  double n_vdd = 0, n_g_on = 0, n_g_off = 0, n_adc_gain = 0, n_adc_offset = 0;
};
/// The die-level variates of trial `trial` as sample_operating_point() draws them (streams
/// OPERATING_POINT and PROCESS_GLOBAL), and its temperature in `temp_c`.
DieVariates sample_die_variates(const Corner& corner, TempMode temp_mode, double temp_min_c,
                                double temp_max_c, std::uint64_t seed, std::uint64_t trial,
                                double& temp_c);
/// The operating point at temperature temp_c with die-level variates `d`: the rule
/// sample_operating_point() applies to its draws, and the tail estimators to theirs.
OperatingPoint operating_point(const VariationConfig& v, const Corner& corner, double temp_c,
                               const DieVariates& d);

}  // namespace rapmc
