// Estimators of a rare failure probability P(fail(z)), z standard normal in d dimensions
// (docs/design.md, "High-sigma estimation"): plain Monte Carlo; importance sampling from a
// mixture of normals centred on the failure modes' minimum-norm failure points; scaled-sigma
// sampling (Sun & Li), extrapolating failure rates measured with σ scaled up back to σ = 1.
// Sample i of every stage is a pure function of (seed, stage, i): any rare sample can be
// regenerated alone (sample_point), and the results do not depend on the threads.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace rapmc::tails {

/// One point of the variable space evaluated: whether it fails, the failure mode it belongs
/// to (an integer naming a disjoint failure region, e.g. the ADC decision that went wrong), and
/// its signed margin (negative inside the failure region; the searches follow it).
struct LimitOutcome {
  bool fail = false;
  int mode = 0;
  double margin = 0;
};
/// The event studied, a pure function of z (called from many threads at once).
using LimitState = std::function<LimitOutcome(std::span<const double>)>;

/// The stages whose samples are keyed apart.
enum class TailStage : std::uint64_t {
  PLAIN = 1,
  SEARCH = 2,
  IMPORTANCE = 3,
  SCALED = 4,
  READS = 5,  // the reads a failing column's rate averages over (conversion_model.h)
};

/// Sample `index` of stage `stage` (and its sub-stage: the scale's number) for `seed`: z ~ N(0, I)
/// (before any shift or scale). The mixture component of an importance sample is chosen from
/// the same stream's first word (importance_sampling).
std::vector<double> sample_point(std::uint64_t seed, TailStage stage, std::uint64_t sub,
                                 std::uint64_t index, int dim);

/// A mixture component: its failure mode, the failure boundary's distance β along its mean's
/// ray, and the mean.
struct DesignPoint {
  int mode = 0;
  double beta = 0;
  std::vector<double> z;
};
/// Failures counted at one scale of scaled-sigma sampling.
struct ScalePoint {
  double scale = 0;
  std::uint64_t samples = 0, failures = 0;
};

/// An estimate of P(fail) with its two-sided 95 % interval.
struct TailEstimate {
  std::string method;  // "plain", "importance", "scaled_sigma"
  double p = 0, low = 0, high = 0;
  double std_error = 0;        // of p (scaled sigma: of ln p, propagated from the fit)
  std::uint64_t samples = 0;   // evaluations of the limit state, searches included
  std::uint64_t failures = 0;  // failing samples among the estimating ones
  double ess = 0;              // effective number of failing samples, (Σ w·f)² / Σ (w·f)²
  /// Plain Monte Carlo samples that would give the same standard error: p(1 − p)/SE² (for
  /// scaled sigma, of the same relative interval).
  double plain_equivalent = 0;
  bool found = true;                // false: no failure was found (p = 0 is then no estimate)
  std::vector<DesignPoint> points;  // importance sampling
  std::vector<ScalePoint> scales;   // scaled sigma
  double fit_alpha = 0, fit_beta = 0, fit_gamma = 0;  // α, β and γ (SUN_LI) or g (Q_FUNCTION)
};

struct PlainOptions {
  std::uint64_t samples = 1'000'000;
};
struct ImportanceOptions {
  std::uint64_t samples = 100'000;                   // estimating samples
  std::uint64_t search_samples = 20'000;             // per search scale
  std::vector<double> search_scales{2, 3, 4, 6, 8};  // σ multipliers, tried in turn
  std::uint64_t search_failures = 200;  // stop the search at the first scale with this many
  int ce_rounds = 4;                    // cross-entropy rounds moving the components' means
  std::uint64_t ce_samples = 25'000;    // samples per round (not in the estimate)
  double defensive = 0.1;               // weight of the unshifted N(0, I) in the mixture
  double mode_window = 12.0;  // keep components with β² ≤ β_min² + 2·this (others weigh < e^−this)
};
/// The model scaled-sigma sampling fits to ln P(s): SUN_LI, α + β ln s − γ/s² (as published);
/// Q_FUNCTION, α + β ln s + ln Q(g/s) (the same asymptote, exact for a linear boundary).
enum class ScaledSigmaModel { Q_FUNCTION, SUN_LI };
struct ScaledSigmaOptions {
  ScaledSigmaModel model = ScaledSigmaModel::Q_FUNCTION;
  std::vector<double> scales{1.5, 1.75, 2.0, 2.5, 3.0};
  std::uint64_t samples_per_scale = 50'000;
  std::uint64_t min_failures = 10;  // a scale enters the fit with at least this many failures
};

TailEstimate plain_monte_carlo(const LimitState& f, int dim, const PlainOptions& o,
                               std::uint64_t seed);
/// Importance sampling from α₀·N(0, I) + (1 − α₀)/M·Σ N(μ_m, I), one component per failure mode,
/// each sample weighted by φ(z)/q(z) (the defensive part bounds every weight by 1/α₀). The
/// means: samples at each search scale in turn until failures appear; per mode the centroid of
/// its failures taken to the failure boundary along its ray (bisection; the mode's nearest
/// failure if that ray does not fail), then cross-entropy rounds that move each mean to the
/// weighted mean of its mode's failures. A design point's β is the boundary's distance along its
/// mean's ray (the minimum-norm failure point for a linear boundary).
TailEstimate importance_sampling(const LimitState& f, int dim, const ImportanceOptions& o,
                                 std::uint64_t seed);
/// Scaled-sigma sampling (Sun, Li et al., IEEE TCAD 2015): failure rates at σ·s for the given
/// scales, the model fitted by least squares weighted by each rate's binomial variance,
/// extrapolated to s = 1 with the fit's standard error (of ln P(1)).
TailEstimate scaled_sigma(const LimitState& f, int dim, const ScaledSigmaOptions& o,
                          std::uint64_t seed);
/// scaled_sigma()'s fit of failures counted at several scales (each > 1; a scale enters with at
/// least `min_failures` failures and not all failing), e.g. the chips of a campaign's
/// scaled-sigma points (rapmc report --scaled-sigma). found = false with fewer than three.
TailEstimate fit_scaled_sigma(const std::vector<ScalePoint>& scales, ScaledSigmaModel model,
                              std::uint64_t min_failures);

}  // namespace rapmc::tails
