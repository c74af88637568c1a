#include "rapmc/cli/key_reference.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "rapmc/io/toml_reader.h"
#include "rapmc/mc/campaign.h"
#include "rapmc/pim/hardware.h"
#include "rapmc/variation/variation.h"

namespace rapmc {

namespace {

// The table (a data table, not a function: one row per key or group of keys).
const std::vector<KeyDoc> DOCS{
    {KeySection::HARDWARE, "name", "", "the design's name in reports", "", "", ""},
    {KeySection::HARDWARE, "array.tile_rows, array.tile_cols", "cells", "", "assumed", "", ""},
    {KeySection::HARDWARE, "array.cell_bits", "bits", "", "assumed", "", ""},
    {KeySection::HARDWARE, "array.mapping", "",
     "how a signed weight is stored in cells; `twos_complement` needs `cell_bits = 1`",
     "assumed (both are bit-slicing schemes, [design.md, \"Bit-sliced "
     "weights\"](design.md#bit-sliced-weights))",
     "", ""},
    {KeySection::HARDWARE, "array.g_on_siemens", "S", "the default is 20 kΩ", "assumed", "", ""},
    {KeySection::HARDWARE, "array.g_off_siemens", "S",
     "the default is 2 MΩ, on/off 100; must be below `g_on_siemens`", "assumed", "", ""},
    {KeySection::HARDWARE, "array.v_read", "V", "", "assumed", "", ""},
    {KeySection::HARDWARE, "array.t_read_s", "s", "", "assumed", "", ""},
    {KeySection::HARDWARE, "array.off_current", "",
     "how the off-state current of a read is removed",
     "assumed ([design.md, \"The read and the off-state "
     "current\"](design.md#the-read-and-the-off-state-current))",
     "", ""},
    {KeySection::HARDWARE, "adc.type", "", "the ADC's architecture; `flash` needs `enob` ≤ 8",
     "assumed (RAP's low-ENOB ADC: [FLARE])", "", ""},
    {KeySection::HARDWARE, "adc.enob", "bits", "",
     "assumed value; an ADC that resolves a K-row read exactly needs ⌈log2(K+1)⌉ bits [P-MVM]", "",
     ""},
    {KeySection::HARDWARE, "adc.lsb_counts", "counts per LSB", "", "assumed", "", ""},
    {KeySection::HARDWARE, "adc.full_scale_v", "V",
     "one LSB is `full_scale_v`/2^`enob` (50 mV at the defaults)", "assumed", "", ""},
    {KeySection::HARDWARE, "adc.cols_per_adc", "bitlines",
     "bitlines that share one ADC; at most `tile_cols`", "assumed", "", ""},
    {KeySection::HARDWARE, "schedule.mvm", "",
     "`dense`: every row of a tile per read (conventional); `sparse`: at most K '1' rows per "
     "read",
     "sparse: [P-MVM]", "", ""},
    {KeySection::HARDWARE, "schedule.k", "rows per read", "at most `tile_rows`",
     "assumed value; the at-most-K scheme: [P-MVM]", "", ""},
    {KeySection::HARDWARE, "schedule.attention", "", "`pim`: q·kᵀ and P·V run on the chip too",
     "assumed", "", ""},
    {KeySection::HARDWARE, "schedule.analog_layers", "",
     "non-empty; `\\|`-separated glob patterns over layer names (`embed`, "
     "`blocks/<i>/{qkv,proj,fc1,fc2,attn_qk,attn_pv}`, `pooler`, `head/fc`; `*` also matches "
     "`/`); the "
     "other layers are exact digital MVMs with no reads, errors or array area (their digital "
     "cost is not modelled); a pattern that matches no layer is an error",
     "assumed (per-layer attribution, designs with digital layers)", "", ""},
    {KeySection::HARDWARE, "adc.comparator_wl_um2", "µm²",
     "at the default σ_os = 11 mV (A_VT 3.5 mV·µm)",
     "assumed (a minimum-size comparator); the σ law: [Pelgrom]", "", ""},
    {KeySection::HARDWARE, "sense.wl_um2", "µm²", "at the default σ_os = 1.75 mV, σ_gain = 0.5 %",
     "assumed", "", ""},
    {KeySection::HARDWARE, "calibration.offset_trim", "",
     "`trim`: each comparator and each bitline's sense stage has a trim DAC",
     "assumed ([design.md, \"Calibration and trim\"](design.md#calibration-and-trim))", "", ""},
    {KeySection::HARDWARE, "calibration.trim_bits", "bits", "the default gives ±15 codes",
     "assumed", "", ""},
    {KeySection::HARDWARE, "calibration.trim_step_mv", "mV",
     "the default gives a range of ±30 mV ≈ ±2.7σ of a 0.1-µm² comparator", "assumed", "", ""},
    {KeySection::HARDWARE, "calibration.trim_dac_sigma_rel", "relative σ", "",
     "assumed (mismatch of each trim DAC's step)", "", ""},
    {KeySection::HARDWARE, "calibration.reference", "", "how each ADC's reference is calibrated",
     "assumed ([design.md, \"Calibration and trim\"](design.md#calibration-and-trim))", "", ""},
    {KeySection::HARDWARE, "calibration.replica_cells", "cells per ADC", "", "assumed", "", ""},
    {KeySection::HARDWARE, "calibration.gain_trim_step_rel", "relative", "0: an exact gain trim",
     "assumed", "", ""},
    {KeySection::HARDWARE, "calibration.temp_c", "°C", "",
     "assumed (calibrated at room temperature)", "", ""},
    {KeySection::HARDWARE, "calibration.vdd_scale", "× nominal V_DD", "", "assumed", "", ""},
    {KeySection::HARDWARE, "calibration.drift_compensation", "",
     "`global`: each ADC's reference follows the drift of its reference cells; "
     "not with `reference = \"replica\"`, which tracks drift by itself",
     "aihwkit's global drift compensation ([design.md, \"Drift\"](design.md#drift))", "", ""},
    {KeySection::HARDWARE, "calibration.drift_ref_cells", "on-state cells per ADC", "", "assumed",
     "", ""},
    {KeySection::HARDWARE, "calibration.column", "",
     "`tile_end`: after the reference column, farthest from a one-end driver; "
     "`mid_array`: the middle of the tile's columns",
     "assumed geometry ([design.md, \"Calibration through the "
     "wires\"](design.md#calibration-through-the-wires))",
     "", ""},
    {KeySection::HARDWARE, "calibration.through_wires", "0/1", "",
     "1: with IR drop, calibration reads are solved through the tile's wires and access devices; "
     "0: the earlier assumption, calibration without them",
     "", ""},
    {KeySection::HARDWARE, "wires.solver", "",
     "`none`: resistances ignored ([design.md, \"IR drop\"](design.md#ir-drop))",
     "assumed; `exact` is the reference", "", ""},
    {KeySection::HARDWARE, "wires.row_segment_ohm", "Ω per cell pitch", "0: off",
     "assumed; a few Ω per pitch for thin lower metal at 22–40 nm, the study's range 0–2 Ω", "",
     ""},
    {KeySection::HARDWARE, "wires.bitline_segment_ohm", "Ω per cell pitch", "0: off",
     "assumed, as the row line", "", ""},
    {KeySection::HARDWARE, "wires.access_ohm", "Ω", "0: off",
     "assumed (on resistance of a 1T1R access transistor, typically 1–5 kΩ)", "", ""},
    {KeySection::HARDWARE, "wires.driver_ohm", "Ω", "0: off",
     "assumed (row driver output resistance)", "", ""},
    {KeySection::HARDWARE, "wires.sense_input_ohm", "Ω", "0: off",
     "assumed (input resistance of the sense stage's virtual ground)", "", ""},
    {KeySection::HARDWARE, "wires.read_nonlinearity_per_v2", "1/V²",
     "0: linear; a cell at V carries G·V·(1 + β·V²)/(1 + β·V_read²); acts only with IR drop",
     "assumed", "", ""},
    {KeySection::HARDWARE, "wires.row_drivers", "",
     "`both_ends`: a second driver of `driver_ohm` one segment after the last column",
     "assumed geometry ([design.md, \"IR drop\"](design.md#ir-drop))", "", ""},
    {KeySection::HARDWARE, "wires.fast_sweeps", "sweeps", "",
     "error against `exact` measured in [design.md, \"IR drop\"](design.md#ir-drop)"},
    {KeySection::HARDWARE, "cost.e_comparator_j", "J per decision", "",
     "assumed (latch and clock; flash energy ∝ 2^enob − 1 comparators)", "", ""},
    {KeySection::HARDWARE, "cost.e_comparator_per_wl_j", "J per decision per µm²", "",
     "assumed: 2 gates × C_ox (≈ 10 fF/µm²) × V_DD² (0.81 V²)", "", ""},
    {KeySection::HARDWARE, "cost.a_comparator_per_wl", "µm² per µm² of gate", "",
     "assumed (two matched devices with dummies and spacing)", "", ""},
    {KeySection::HARDWARE, "cost.a_trim_bit_um2", "µm² per trim bit", "", "assumed", "", ""},
    {KeySection::HARDWARE, "cost.adc_fom_j_per_step", "J per conversion step", "",
     "assumed value; the form FOM·2^enob: [Walden]", "", ""},
    {KeySection::HARDWARE, "cost.a_comparator_um2", "µm²", "",
     "assumed (latch and clock; the input pair is `a_comparator_per_wl`·W·L)", "", ""},
    {KeySection::HARDWARE, "cost.a_sar_cap_unit_um2", "µm² per unit capacitor", "", "assumed", "",
     ""},
    {KeySection::HARDWARE, "cost.a_cell_um2", "µm² per cell", "", "assumed", "", ""},
    {KeySection::HARDWARE, "cost.e_digital_add_j", "J per shift-add", "", "assumed", "", ""},
    {KeySection::HARDWARE, "cost.a_digital_per_col_um2", "µm² per bitline", "", "assumed", "", ""},
    {KeySection::CAMPAIGN, "campaign.name", "", "", "—", "the file's stem", ""},
    {KeySection::CAMPAIGN, "campaign.seed", "", "master seed", "program setting", "", ""},
    {KeySection::CAMPAIGN, "campaign.trials", "trials", "trials per point (`--trials` overrides)",
     "program setting", "", ""},
    {KeySection::CAMPAIGN, "model.fp32", "path", "the FP32 model (needed by ptq-dqq)", "—", "", ""},
    {KeySection::CAMPAIGN, "model.int", "path", "the integer model", "—", "", ""},
    {KeySection::CAMPAIGN, "data.dataset", "",
     "one of the [dataset names](datasets.md) of the model's kind", "—",
     "the integer model's kind: `fashion-mnist:test` (ViT), `wordnet:test` (text model)", ""},
    {KeySection::CAMPAIGN, "data.dir", "path", "folder of the dataset's files", "—",
     "`$RAPMC_DATA_DIR`, else `/usr/share/datasets/fashion-mnist` (WordNet: "
     "`$RAPMC_WORDNET_DIR`, else `/usr/share/wordnet`)",
     ""},
    {KeySection::CAMPAIGN, "data.first, data.images", "images",
     "the evaluation subset, the same in every trial", "program setting", "", ""},
    {KeySection::CAMPAIGN, "data.select", "",
     "`first`: samples [first, first + images) of the split; `stratified`: `images` samples "
     "drawn by class in turn (class order), each class's in a seeded order (campaign seed, "
     "domain 13), kept in split order — class counts differ by at most one while a class has "
     "samples left (`data.first` must then be 0; `data/subset.h`)",
     "program setting", "", ""},
    {KeySection::CAMPAIGN, "pipeline.name", "", "", "—", "", ""},
    {KeySection::CAMPAIGN, "pipeline.requant", "", "requantization of `flare`", "—", "", ""},
    {KeySection::CAMPAIGN, "hardware.file", "path", "the hardware description", "—", "", ""},
    {KeySection::CAMPAIGN, "hardware.<section>.<key>", "", "overrides of the hardware file", "—",
     "", "any [hardware key](#hardware-keys)"},
    {KeySection::CAMPAIGN, "variation.*", "", "the physical variation model", "—",
     "the defaults below", "the [variation keys](#variation-keys)"},
    {KeySection::CAMPAIGN, "operating_point.corner", "",
     "`TT`, `SS` or `FF`, optionally with `_LV`/`_HV`; process at 0, −3σ, +3σ of "
     "`process_g_sigma_rel`; V_DD −/+10 %",
     "assumed (corner spread ±3σ, ±10 % V_DD)", "", ""},
    {KeySection::CAMPAIGN, "operating_point.temp_c", "°C", "temperature of the corner", "assumed",
     "", ""},
    {KeySection::CAMPAIGN, "operating_point.time_s", "s",
     "time since programming (after the verify read at `variation.drift_t0_s`); 0 = no drift "
     "([design.md, \"Drift\"](design.md#drift))",
     "program setting (1 day 86400, 1 year 3.15e7, 10 years 3.15e8)", "", ""},
    {KeySection::CAMPAIGN, "operating_point.temperature", "",
     "`uniform`: T drawn per trial in [`temp_min_c`, `temp_max_c`]", "—", "", ""},
    {KeySection::CAMPAIGN, "operating_point.temp_min_c, operating_point.temp_max_c", "°C",
     "max ≥ min; range of `uniform`", "assumed (−40..125 °C range)", "", ""},
    {KeySection::CAMPAIGN, "trigger.metric", "",
     "any [per-trial metric](formats.md#per-trial-metrics); metric of the convergence trigger", "—",
     "", ""},
    {KeySection::CAMPAIGN, "trigger.ci_halfwidth", "the metric's unit",
     "stop when the 95 % CI half-width of the metric's mean is below this", "program setting", "",
     ""},
    {KeySection::CAMPAIGN, "trigger.min_trials", "trials", "no stop before this", "program setting",
     "", ""},
    {KeySection::CAMPAIGN, "trigger.check_every", "trials",
     "block size: trials committed together, trigger checked between blocks (with the trigger "
     "off, `ci_halfwidth = 0`, and N MPI ranks, blocks hold max(check_every, 8·N) trials: fewer "
     "waits for a block's slowest trial)",
     "program setting", "", ""},
    {KeySection::CAMPAIGN, "yield.accuracy_threshold", "fraction",
     "strictly inside (0, 1); yield = P(accuracy ≥ threshold), with a Wilson 95 % interval "
     "(weighted: [Sampling "
     "keys](#sampling-keys))",
     "assumed (85 %)", "", ""},
    {KeySection::CAMPAIGN, "sampling.*", "", "how trials draw their die", "—", "plain",
     "the [sampling keys](#sampling-keys)"},
    {KeySection::CAMPAIGN, "lifetime.*", "",
     "a mission profile: every point evaluated at every age", "—", "none",
     "the [lifetime keys](#lifetime-keys)"},
    {KeySection::CAMPAIGN, "[[sweep]] key, values", "",
     "one grid axis; several `[[sweep]]` tables make a grid (the last varies fastest), each "
     "point its own Monte Carlo with the same trials",
     "—", "none",
     "any `hardware.*` (not `hardware.file`), `variation.*`, `operating_point.*` or `sampling.*` "
     "key"},
    {KeySection::CAMPAIGN, "[[sweep]] keys, values", "",
     "one axis that sets several keys together: `keys = [\"hardware.schedule.k\", "
     "\"hardware.adc.enob\"]`, `values = [[3, 2], [7, 3]]` (one value per key in each entry), "
     "e.g. matched K/ENOB pairs",
     "—", "none", "as above"},
    {KeySection::SAMPLING, "sampling.method", "",
     "`plain`: the variation model; `importance`: the die variates from a shifted/widened "
     "proposal, each trial weighted; `scaled_sigma`: every frozen σ × `sigma_scale`",
     "program setting", "", ""},
    {KeySection::SAMPLING,
     "sampling.shift_vdd, sampling.shift_g_on, sampling.shift_g_off, sampling.shift_adc_gain, "
     "sampling.shift_adc_offset",
     "σ",
     "`importance` only; a variate with σ = 0 cannot be shifted; the proposal's mean (`rapmc "
     "report` prints the failing chips' mean, a good choice)",
     "program setting", "", ""},
    {KeySection::SAMPLING, "sampling.spread", "σ",
     "`importance` only; the proposal's σ on every acting die variate", "program setting", "", ""},
    {KeySection::SAMPLING, "sampling.defensive", "fraction",
     "`importance` only; share of trials drawn from the model itself (bounds every weight by "
     "1/defensive)",
     "Hesterberg 1995", "", ""},
    {KeySection::SAMPLING, "sampling.sigma_scale", "",
     "must exceed 1; `scaled_sigma` only; factor on every frozen σ; sweep it over a few values "
     "and fit with `rapmc report "
     "--scaled-sigma`",
     "Sun & Li 2015 (scales 1.2–3 typical)", "", ""},
    {KeySection::LIFETIME, "lifetime.ages_s", "s since first programming",
     "the ages evaluated (one point each, `lifetime.age_s=<age>`)",
     "program setting (1 day 86400, 1 year 3.15e7, 10 years 3.15e8)", "(required)",
     "a non-empty, strictly increasing list, each 0..1e12"},
    {KeySection::LIFETIME, "lifetime.temperature_c", "°C per age",
     "the chip's temperature from the previous age up to this one, and at its read",
     "program setting (mission profile)", "`operating_point.temp_c` at every age",
     "one per age, −273..500"},
    {KeySection::LIFETIME, "lifetime.inference_rate_hz", "inferences per s",
     "the workload's rate (read and write counts over the life)", "program setting", "", ""},
    {KeySection::LIFETIME, "lifetime.recalibrate_every_s", "s",
     "at most the last age; the gain calibration is redone at every multiple, at that moment's "
     "temperature",
     "program setting", "", ""},
    {KeySection::LIFETIME, "lifetime.refresh_every_s", "s",
     "at most the last age; the weights are reprogrammed (and calibrated) at every multiple; "
     "drift restarts",
     "program setting", "", ""},
    {KeySection::LIFETIME, "lifetime.target_accuracy", "fraction",
     "a chip has failed once its accuracy is below this (time to failure)", "program setting",
     "`yield.accuracy_threshold`", ""},
    {KeySection::VARIATION, "variation.process_g_sigma_rel", "relative σ",
     "global (G_on and G_off drawn separately)", "assumed", "", ""},
    {KeySection::VARIATION, "variation.process_adc_gain_sigma_rel", "relative σ", "global",
     "assumed", "", ""},
    {KeySection::VARIATION, "variation.process_adc_offset_sigma_lsb", "LSB σ", "global",
     "assumed (value and unit)", "", ""},
    {KeySection::VARIATION, "variation.cell_sigma_on, variation.cell_sigma_off", "σ of ln G",
     "frozen per cell", "assumed (lognormal, mean-preserving; levels between interpolate)", "", ""},
    {KeySection::VARIATION, "variation.stuck_on_prob, variation.stuck_off_prob", "probability",
     "frozen per cell", "assumed", "", ""},
    {KeySection::VARIATION, "variation.alpha_on_per_k, variation.alpha_off_per_k", "1/K",
     "frozen per cell: G(T) = G(T0)(1 + α_i(T − T0))", "assumed (linear law and values)", "", ""},
    {KeySection::VARIATION, "variation.alpha_spread_rel", "relative σ of α_i", "frozen per cell",
     "assumed", "", ""},
    {KeySection::VARIATION, "variation.avt_mv_um", "mV·µm",
     "frozen per comparator and sense stage: σ = A_VT/√(W·L), W·L from the hardware "
     "(`adc.comparator_wl_um2`, `sense.wl_um2`; `variation.comparator_wl_um2` is an error that "
     "says so)",
     "assumed value (of the order published for 28–65 nm); the law: [Pelgrom]", "", ""},
    {KeySection::VARIATION, "variation.sense_abeta_pct_um", "%·µm",
     "frozen per sense stage: σ_gain = A_β/√(W·L)", "assumed value; the law: [Pelgrom]", "", ""},
    {KeySection::VARIATION,
     "variation.corner_offset_rel, variation.corner_noise_rel, "
     "variation.corner_sense_gain_rel",
     "relative per corner step",
     "SS (x = −1) / FF (x = +1): offset σ × (1 − x·c), comparator noise × (1 − x·c), sense gain "
     "× (1 + x·c)",
     "assumed", "", ""},
    {KeySection::VARIATION, "variation.offset_tempco_per_k", "1/K", "σ grows by (1 + c(T − T0))",
     "assumed", "", ""},
    {KeySection::VARIATION, "variation.dac_unit_sigma_rel", "relative σ",
     "frozen per SAR ADC (unit capacitor; bit k: σ/√2^k)", "assumed", "", ""},
    {KeySection::VARIATION, "variation.vdd_nominal_v", "V", "", "assumed", "", ""},
    {KeySection::VARIATION, "variation.vdd_sigma_rel", "relative σ", "global", "assumed", "", ""},
    {KeySection::VARIATION, "variation.ratiometric", "0/1", "",
     "assumed: 1 = ADC reference follows V_DD (signal and LSB scale together); 0 = fixed "
     "reference, the signal scales by V_DD/V_nom",
     "", ""},
    {KeySection::VARIATION, "variation.t0_c", "°C", "", "reference temperature of G and offsets",
     "", ""},
    {KeySection::VARIATION, "variation.read_noise_rel_ion", "fraction of one on-cell current",
     "temporal, per conversion: the constant floor", "assumed", "", ""},
    {KeySection::VARIATION, "variation.bitline_excess_noise", "×",
     "temporal, per conversion: (4kT·G + 2q·I)·B of the active cells, B = 1/(2·t_read)",
     "the laws: Johnson–Nyquist and Schottky; F = 1 assumed", "", ""},
    {KeySection::VARIATION, "variation.cell_read_noise_rel", "fraction of a cell's current",
     "temporal, per conversion: Σ (r·G_i)² over active cells",
     "assumed; same order as the read-noise σ of IBM aihwkit's PCM statistical model near G_max "
     "(about 1–3 % of G)",
     "", ""},
    {KeySection::VARIATION, "variation.comparator_noise_mv", "mV at T0, ∝ √T (kelvin)",
     "temporal, per comparator decision, for a comparator of W·L = `comparator_noise_ref_wl_um2`",
     "assumed", "", ""},
    {KeySection::VARIATION, "variation.rtn_cell_fraction", "probability",
     "frozen per cell: which cells show random telegraph noise", "assumed", "", ""},
    {KeySection::VARIATION, "variation.rtn_amplitude_rel", "fraction of the cell's G, peak to peak",
     "temporal: ±a/2 per read, a fresh state every read",
     "assumed (of the order of RTN amplitudes reported for small RRAM cells)", "", ""},
    {KeySection::VARIATION, "variation.die_gradient_sigma_rel", "relative σ across the die",
     "global: G × (1 + g_x·x + g_y·y) over the floorplan", "assumed", "", ""},
    {KeySection::VARIATION, "variation.tile_sigma_rel", "relative σ",
     "frozen per tile: G × (1 + σn)", "assumed", "", ""},
    {KeySection::VARIATION, "variation.drift_law", "",
     "per programmed level: `log` (μ, σ from the coefficients below in x = G/G_max of the "
     "level's target) or `linear` (interpolated between the `drift_nu_{on,off}_*` states)",
     "[Joshi] as aihwkit `PCMLikeNoiseModel` implements it ([design.md, "
     "\"Drift\"](design.md#drift))",
     "", ""},
    {KeySection::VARIATION, "variation.drift_nu_mean_slope, variation.drift_nu_mean_at_gmax",
     "ν per ln x, ν",
     "frozen per cell: G(t) = G(t0)·((t_e + t0)/t0)^−\\|μ + σn\\|, μ = clamp(slope·ln x + "
     "at_gmax, min, max)",
     "[Joshi] (aihwkit `PCMLikeNoiseModel`)", "", ""},
    {KeySection::VARIATION, "variation.drift_nu_mean_min, variation.drift_nu_mean_max", "ν",
     "μ's clamp (min ≤ max)", "[Joshi] (aihwkit)", "", ""},
    {KeySection::VARIATION, "variation.drift_nu_sigma_slope, variation.drift_nu_sigma_at_gmax",
     "ν per ln x, ν", "σ = clamp(slope·ln x + at_gmax, min, max)", "[Joshi] (aihwkit)", "", ""},
    {KeySection::VARIATION, "variation.drift_nu_sigma_min, variation.drift_nu_sigma_max", "ν",
     "σ's clamp (min ≤ max)", "[Joshi] (aihwkit)", "", ""},
    {KeySection::VARIATION, "variation.drift_nu_on_mean, variation.drift_nu_on_sigma",
     "drift exponent ν", "`drift_law = \"linear\"` only: the on state",
     "[Joshi] (aihwkit `PCMLikeNoiseModel` at G/G_max = 1)", "", ""},
    {KeySection::VARIATION, "variation.drift_nu_off_mean, variation.drift_nu_off_sigma",
     "drift exponent ν",
     "`drift_law = \"linear\"` only: the off state (levels between interpolate)",
     "[Joshi] (aihwkit `PCMLikeNoiseModel` at G/G_max = 0.01)", "", ""},
    {KeySection::VARIATION, "variation.drift_activation_ev", "eV",
     "Arrhenius energy of drift's time scale: t_e = t·exp(E_a/k_B·(1/T0 − 1/T)), T0 = `t0_c`",
     "assumed (no measured energy for the aihwkit exponents; the lifetime study gives the "
     "sensitivity)",
     "", ""},
    {KeySection::VARIATION, "variation.flicker_q", "relative",
     "temporal, per read and active cell: 1/f noise σ/G = Q(x)·√ln((t + t_read)/(2·t_read)), "
     "Q(x) = min(q/max(x^e, 10⁻³), q_max)",
     "aihwkit's PCM read noise (q = 0.0088) when on ([design.md, \"1/f read "
     "noise\"](design.md#1f-read-noise))",
     "", ""},
    {KeySection::VARIATION, "variation.flicker_exponent, variation.flicker_q_max", "—, relative",
     "e and q_max above", "aihwkit `PCMLikeNoiseModel`", "", ""},
    {KeySection::VARIATION, "variation.flicker_t_read_s", "s", "t_read above",
     "aihwkit `PCMLikeNoiseModel`", "", ""},
    {KeySection::VARIATION, "variation.retention_tau_s", "s at `t0_c`",
     "per cell, frozen at an age: a below-on cell has crystallised (reads on) with probability 1 "
     "− exp(−t_r/τ), t_r its retention age",
     "assumed ([design.md, \"Drift\"](design.md#drift))", "", ""},
    {KeySection::VARIATION, "variation.retention_activation_ev", "eV",
     "Arrhenius energy of retention loss: t_r = t·exp(E_a/k_B·(1/T0 − 1/T))",
     "assumed (GST crystallisation energies of 2–3 eV are commonly reported)", "", ""},
    {KeySection::VARIATION, "variation.read_disturb_per_read", "per read",
     "per cell, frozen at an age: G_on − (G_on − G)·exp(−ε·N), N its row's reads since "
     "programming (the workload's count × inferences)",
     "assumed law and value ([design.md, \"Read disturb and "
     "endurance\"](design.md#read-disturb-and-endurance))",
     "", ""},
    {KeySection::VARIATION, "variation.endurance_cycles", "writes",
     "W63 of the Weibull life of a rewritten (attention) array's cells: stuck with probability 1 "
     "− exp(−(W/W63)^β), half on, half off",
     "assumed (PCM endurance quoted at 10⁶–10⁹ cycles)", "", ""},
    {KeySection::VARIATION, "variation.endurance_weibull_shape", "—", "β above", "assumed", "", ""},
    {KeySection::VARIATION, "variation.device_table", "path",
     "per cell, frozen: the programmed conductance drawn from a measured table per level, "
     "Q_l(Φ(n)), in place of the lognormal error",
     "the user's measurements; shipped: `data/devices/pcm_aihwkit_1bit.csv` ([Joshi] via "
     "aihwkit, `data/devices/README.md`)",
     "", ""},
    {KeySection::VARIATION, "variation.drift_t0_s", "s",
     "time of the programming's verify read, the drift's reference", "aihwkit's t0", "", ""},
    {KeySection::VARIATION, "variation.comparator_noise_ref_wl_um2", "µm²",
     "the noise σ scales as √(ref/(W·L)) with the comparator's `adc.comparator_wl_um2` (kT/C: "
     "capacitances grow with the devices)",
     "assumed scaling", "", ""},
};

}  // namespace

const std::vector<KeyDoc>& key_docs() {
  return DOCS;
}

namespace {

std::vector<std::string> split_keys(std::string_view keys) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t comma = keys.find(", ");; comma = keys.find(", ", start)) {
    out.emplace_back(keys.substr(start, comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 2;
  }
  return out;
}

// A key the readers ask for, and the table it belongs in.
struct ReadKey {
  KeyRecord record;
  KeySection section;
};

KeySection section_of(const std::string& key) {
  if (key.rfind("variation.", 0) == 0) return KeySection::VARIATION;
  if (key.rfind("sampling.", 0) == 0) return KeySection::SAMPLING;
  if (key.rfind("lifetime.", 0) == 0) return KeySection::LIFETIME;
  return KeySection::CAMPAIGN;
}

// Every key the readers ask for: a hardware file's, [variation]'s and a campaign's own
// sections', each read from an empty file.
std::map<std::string, ReadKey> reader_keys() {
  std::map<std::string, ReadKey> out;
  TomlReader hw = TomlReader::from_string("", "defaults");
  hw.keep_records();
  (void)read_hardware(hw);
  for (const KeyRecord& k : hw.records()) out.emplace(k.key, ReadKey{k, KeySection::HARDWARE});
  TomlReader var = TomlReader::from_string("", "defaults");
  var.keep_records();
  (void)read_variation(var, "variation.");
  for (const KeyRecord& k : var.records()) out.emplace(k.key, ReadKey{k, section_of(k.key)});
  for (const KeyRecord& k : campaign_key_records())
    out.emplace(k.key, ReadKey{k, section_of(k.key)});
  return out;
}

std::string code(const std::string& s) {
  return "`" + s + "`";
}

// A value as the docs show it: numbers plain, names in backticks.
std::string shown(const KeyRecord& k) {
  const bool text = k.kind == KeyRecord::Kind::STRING || k.kind == KeyRecord::Kind::CHOICE;
  return text ? code(k.fallback) : k.fallback;
}

std::string shown_range(const KeyRecord& k) {
  std::string out = k.range;
  for (const std::string& c : k.choices) out += (out.empty() ? "" : ", ") + code(c);
  return out;
}

// "a, b" of the distinct values in order.
std::string joined(const std::vector<std::string>& values) {
  std::vector<std::string> distinct;
  for (const auto& v : values)
    if (std::find(distinct.begin(), distinct.end(), v) == distinct.end()) distinct.push_back(v);
  std::string out;
  for (const auto& v : distinct) out += (out.empty() ? "" : ", ") + v;
  return out;
}

// The table's head; the fifth column says what the rows' notes are.
std::string header(KeySection s) {
  const std::string notes = s == KeySection::HARDWARE    ? "notes"
                            : s == KeySection::VARIATION ? "lifetime and law"
                                                         : "meaning";
  return "| key | unit | default | range | " + notes +
         " | source |\n| --- | --- | --- | --- | --- | --- |\n";
}

}  // namespace

std::string key_table_markdown(KeySection section) {
  const std::map<std::string, ReadKey> read_keys = reader_keys();
  std::set<std::string> listed;
  std::ostringstream out;
  out << header(section);
  for (const KeyDoc& d : key_docs()) {
    const std::vector<std::string> keys = split_keys(d.keys);
    const bool read = std::all_of(keys.begin(), keys.end(),
                                  [&](const std::string& k) { return read_keys.count(k) != 0; });
    for (const auto& k : keys) {
      listed.insert(k);
      if (read && read_keys.at(k).section != d.section)
        throw std::logic_error("key reference: '" + k + "' is listed in the wrong table");
    }
    if (!read && d.range_text.empty())
      throw std::logic_error("key reference: no reader asks for '" + std::string(d.keys) +
                             "' (a row of keys read another way needs its range in words)");
    if (d.section != section) continue;
    std::vector<std::string> defaults, ranges;
    std::string names;
    for (const auto& k : keys) {
      const bool prefixed = section == KeySection::VARIATION && k.rfind("variation.", 0) == 0;
      names += (names.empty() ? "" : ", ") + code(prefixed ? k.substr(10) : k);
      if (!read) continue;
      defaults.push_back(shown(read_keys.at(k).record));
      ranges.push_back(shown_range(read_keys.at(k).record));
    }
    const std::string def =
        d.computed_default.empty() ? joined(defaults) : std::string(d.computed_default);
    const std::string range = read ? joined(ranges) : std::string(d.range_text);
    out << "| " << names << " | " << d.unit << " | " << def << " | " << range << " | " << d.meaning
        << " | " << d.source << " |\n";
  }
  for (const auto& [key, k] : read_keys)
    if (!listed.count(key))
      throw std::logic_error("key reference: the readers ask for '" + key +
                             "', which no row of src/cli/key_reference.cpp lists");
  return out.str();
}

}  // namespace rapmc
