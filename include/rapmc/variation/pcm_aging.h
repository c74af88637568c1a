// How a programmed phase-change cell changes with time (docs/design.md, "Drift" and "1/f read
// noise"): its drift exponent per programmed level, the Arrhenius factor by which temperature
// speeds drift up, and the 1/f read noise that grows with the time since programming. The laws
// and coefficients follow the PCM model of [Joshi] as IBM aihwkit implements it
// (PCMLikeNoiseModel); the coefficients are VariationConfig keys (docs/configuration.md).
#pragma once

namespace rapmc {

struct VariationConfig;

/// Mean and σ of the drift exponent ν of a cell programmed to g_rel = G/G_max.
struct DriftExponent {
  double mean = 0, sigma = 0;
};
/// `variation.drift_law = "log"`: μ = clamp(a_μ·ln x + b_μ, μ_min, μ_max), σ likewise, with
/// x = max(g_rel, 1e-7) (aihwkit's floor); `"linear"`: interpolated between the off state
/// (g_rel = G_off/G_on) and the on state by the level's fraction `level_fraction` (0 off .. 1 on).
DriftExponent drift_exponent(const VariationConfig& v, double g_rel, double level_fraction);

/// exp(E_a/k_B·(1/T_ref − 1/T)), temperatures in °C: how much faster a process of activation
/// energy E_a (eV) runs at temp_c than at ref_c (1 at E_a = 0).
double arrhenius_factor(double activation_ev, double ref_c, double temp_c);

/// σ of one read of a cell at g_rel = G/G_max, relative to its conductance, from 1/f noise
/// `time_s` after programming (after the verify read at t0): Q(x)·√ln((t + t_read)/(2·t_read)),
/// t = time_s + t0, Q(x) = min(q/max(x^e, 1e-3), q_max) — aihwkit's read noise. 0 when
/// variation.flicker_q is 0.
double flicker_sigma_rel(const VariationConfig& v, double g_rel, double time_s);

}  // namespace rapmc
