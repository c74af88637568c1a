#include "rapmc/tails/rare_event.h"

#include <algorithm>
#include <armadillo>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <limits>
#include <map>

#include "rapmc/core/errors.h"
#include "rapmc/core/keyed_rng.h"
#include "rapmc/core/parallel_for.h"
#include "rapmc/mc/statistics.h"

namespace rapmc::tails {
namespace {

constexpr std::uint64_t BLOCK = 4096;  // samples per task; sums are kept per block, added in order

KeyedStream stage_stream(std::uint64_t seed, TailStage stage, std::uint64_t sub,
                         std::uint64_t index) {
  return KeyedStream(seed, RngDomain::TAILS, index,
                     mix_in(static_cast<std::uint64_t>(stage), sub, 0x7a11ULL));
}

void fill_normals(KeyedStream& stream, std::span<double> z) {
  boost::random::normal_distribution<double> n01(0.0, 1.0);
  for (double& x : z) x = n01(stream);
}

double norm2(std::span<const double> z) {
  double s = 0;
  for (double x : z) s += x * x;
  return s;
}

// f(begin, end, block) for each block of samples [0, n), in parallel; `block` numbers them.
template <class F>
void for_blocks(std::uint64_t n, F&& f) {
  const std::uint64_t blocks = (n + BLOCK - 1) / BLOCK;
  parallel_for(std::uint64_t{0}, blocks,
               [&](std::uint64_t b) { f(b * BLOCK, std::min(n, (b + 1) * BLOCK), b); });
}

// Failures among n samples of stage `stage`/`sub` at σ·scale and, if `per_mode`, per mode the
// first KEEP failing points in sample order.
constexpr std::size_t KEEP = 2000;
struct ModePoints {
  std::vector<std::vector<double>> points;
  void add(std::span<const double> z) {
    if (points.size() < KEEP) points.emplace_back(z.begin(), z.end());
  }
  void merge(const ModePoints& o) {
    for (const auto& z : o.points) add(z);
  }
};
struct ScaledRun {
  std::uint64_t failures = 0;
  std::map<int, ModePoints> modes;
};
ScaledRun run_scaled(const LimitState& f, int dim, std::uint64_t n, double scale,
                     std::uint64_t seed, TailStage stage, std::uint64_t sub, bool per_mode) {
  std::vector<ScaledRun> parts((n + BLOCK - 1) / BLOCK);
  for_blocks(n, [&](std::uint64_t begin, std::uint64_t end, std::uint64_t b) {
    std::vector<double> z(static_cast<std::size_t>(dim));
    ScaledRun& part = parts[b];
    for (std::uint64_t i = begin; i < end; ++i) {
      KeyedStream stream = stage_stream(seed, stage, sub, i);
      fill_normals(stream, z);
      for (double& x : z) x *= scale;
      const LimitOutcome out = f(z);
      if (!out.fail) continue;
      ++part.failures;
      if (per_mode) part.modes[out.mode].add(z);
    }
  });
  ScaledRun all;
  for (const ScaledRun& part : parts) {  // in block order: the sums do not depend on threads
    all.failures += part.failures;
    for (const auto& [mode, sums] : part.modes) all.modes[mode].merge(sums);
  }
  return all;
}

// The failing point of least norm on the ray through failing point z: bisection on t ∈ (0, 1]
// (the ray is assumed to fail from its first crossing on: documented).
std::vector<double> to_boundary(const LimitState& f, std::vector<double> z, std::uint64_t& evals) {
  double lo = 0.0, hi = 1.0;
  std::vector<double> at(z.size());
  for (int it = 0; it < 40; ++it) {
    const double mid = 0.5 * (lo + hi);
    for (std::size_t k = 0; k < z.size(); ++k) at[k] = mid * z[k];
    ++evals;
    (f(at).fail ? hi : lo) = mid;
  }
  for (double& x : z) x *= hi;
  return z;
}

// The importance density: α₀·N(0, I) + (1 − α₀)/M·Σ N(μ_m, I).
struct Mixture {
  double a0 = 0.1;
  std::vector<std::vector<double>> mu;
  std::vector<double> half_mu2;  // |μ_m|²/2, set by set_means
  void set_means(std::vector<std::vector<double>> means) {
    mu = std::move(means);
    half_mu2.clear();
    for (const auto& m : mu) half_mu2.push_back(0.5 * norm2(m));
  }
  // Sample i's point: the component from the stream's first word, then its normals.
  void draw(KeyedStream& stream, std::vector<double>& z) const {
    const double u = static_cast<double>(stream() >> 11) * 0x1.0p-53;
    fill_normals(stream, z);
    if (u < a0) return;
    const auto m =
        std::min(static_cast<std::size_t>((u - a0) / (1 - a0) * static_cast<double>(mu.size())),
                 mu.size() - 1);
    for (std::size_t k = 0; k < z.size(); ++k) z[k] += mu[m][k];
  }
  // φ(z)/q(z) = 1/(α₀ + (1 − α₀)/M·Σ exp(μ·z − |μ|²/2)), summed in log space; `resp` gets each
  // shifted component's share of q (its responsibility for z).
  double weight(std::span<const double> z, std::vector<double>& resp) const {
    resp.resize(mu.size());
    double top = 0;  // the unshifted component's log term
    for (std::size_t m = 0; m < mu.size(); ++m) {
      double dot = 0;
      for (std::size_t k = 0; k < z.size(); ++k) dot += mu[m][k] * z[k];
      resp[m] = dot - half_mu2[m];
      top = std::max(top, resp[m]);
    }
    double q = a0 * std::exp(-top);
    for (double& r : resp) {
      r = (1 - a0) / static_cast<double>(mu.size()) * std::exp(r - top);
      q += r;
    }
    for (double& r : resp) r /= q;
    return std::exp(-top) / q;
  }
};

// One round of n samples from the mixture: Σ w·f, Σ (w·f)², failures, and per shifted
// component Σ w·r and Σ w·r·z over the failures (r its responsibility): the cross-entropy
// update of its mean.
struct Round {
  double sum = 0, sum2 = 0;
  std::uint64_t failures = 0;
  std::vector<double> wr;
  std::vector<std::vector<double>> wrz;
};
Round run_mixture(const LimitState& f, int dim, const Mixture& mix, std::uint64_t n,
                  std::uint64_t seed, std::uint64_t sub) {
  const std::size_t M = mix.mu.size();
  auto empty = [&] {
    Round r;
    r.wr.assign(M, 0.0);
    r.wrz.assign(M, std::vector<double>(static_cast<std::size_t>(dim), 0.0));
    return r;
  };
  std::vector<Round> parts((n + BLOCK - 1) / BLOCK, empty());
  for_blocks(n, [&](std::uint64_t begin, std::uint64_t end, std::uint64_t b) {
    std::vector<double> z(static_cast<std::size_t>(dim)), resp;
    Round& part = parts[b];
    for (std::uint64_t i = begin; i < end; ++i) {
      KeyedStream stream = stage_stream(seed, TailStage::IMPORTANCE, sub, i);
      mix.draw(stream, z);
      if (!f(z).fail) continue;
      const double w = mix.weight(z, resp);
      part.sum += w;
      part.sum2 += w * w;
      ++part.failures;
      for (std::size_t m = 0; m < M; ++m) {
        part.wr[m] += w * resp[m];
        for (std::size_t k = 0; k < z.size(); ++k) part.wrz[m][k] += w * resp[m] * z[k];
      }
    }
  });
  Round all = empty();
  for (const Round& part : parts) {  // in block order
    all.sum += part.sum;
    all.sum2 += part.sum2;
    all.failures += part.failures;
    for (std::size_t m = 0; m < M; ++m) {
      all.wr[m] += part.wr[m];
      for (std::size_t k = 0; k < all.wrz[m].size(); ++k) all.wrz[m][k] += part.wrz[m][k];
    }
  }
  return all;
}

// The failing points' directions grouped by k-means on the unit sphere (at most 3 groups; a
// new group only for a direction more than acos(0.8) from the others; farthest-point start,
// so deterministic): each group's mean point and its member of least norm.
std::vector<std::pair<std::vector<double>, std::vector<double>>> direction_groups(
    const std::vector<std::vector<double>>& pts) {
  const std::size_t n = pts.size(), d = pts.front().size();
  std::vector<std::vector<double>> unit(pts);
  for (auto& u : unit) {
    const double r = std::sqrt(norm2(u));
    for (double& x : u) x /= r;
  }
  auto cosine = [&](const std::vector<double>& a, const std::vector<double>& b) {
    double s = 0;
    for (std::size_t k = 0; k < d; ++k) s += a[k] * b[k];
    return s;
  };
  std::vector<std::vector<double>> centres{unit[0]};
  while (centres.size() < 3) {
    std::size_t far = 0;
    double far_cos = 2.0;
    for (std::size_t i = 0; i < n; ++i) {
      double best = -2.0;
      for (const auto& c : centres) best = std::max(best, cosine(unit[i], c));
      if (best < far_cos) {
        far_cos = best;
        far = i;
      }
    }
    if (far_cos > 0.8) break;
    centres.push_back(unit[far]);
  }
  std::vector<std::size_t> group(n, 0);
  for (int it = 0; it < 20; ++it) {
    for (std::size_t i = 0; i < n; ++i) {
      double best = -2.0;
      for (std::size_t c = 0; c < centres.size(); ++c)
        if (const double cs = cosine(unit[i], centres[c]); cs > best) {
          best = cs;
          group[i] = c;
        }
    }
    for (std::size_t c = 0; c < centres.size(); ++c) {
      std::vector<double> sum(d, 0.0);
      for (std::size_t i = 0; i < n; ++i)
        if (group[i] == c)
          for (std::size_t k = 0; k < d; ++k) sum[k] += unit[i][k];
      const double r = std::sqrt(norm2(sum));
      if (r > 0)
        for (std::size_t k = 0; k < d; ++k) centres[c][k] = sum[k] / r;
    }
  }
  // Each group's sum and nearest member; groups whose mean points agree in direction (the
  // members' spread averages out of the means) are one region, merged.
  struct Group {
    std::vector<double> sum;
    std::size_t members = 0, nearest = 0;
  };
  std::vector<Group> groups;
  for (std::size_t c = 0; c < centres.size(); ++c) {
    Group g{std::vector<double>(d, 0.0)};
    for (std::size_t i = 0; i < n; ++i)
      if (group[i] == c) {
        if (g.members++ == 0 || norm2(pts[i]) < norm2(pts[g.nearest])) g.nearest = i;
        for (std::size_t k = 0; k < d; ++k) g.sum[k] += pts[i][k];
      }
    if (g.members == 0) continue;
    bool merged = false;
    for (Group& h : groups)
      if (cosine(g.sum, h.sum) > 0.8 * std::sqrt(norm2(g.sum) * norm2(h.sum))) {
        for (std::size_t k = 0; k < d; ++k) h.sum[k] += g.sum[k];
        if (norm2(pts[g.nearest]) < norm2(pts[h.nearest])) h.nearest = g.nearest;
        h.members += g.members;
        merged = true;
        break;
      }
    if (!merged) groups.push_back(std::move(g));
  }
  std::vector<std::pair<std::vector<double>, std::vector<double>>> out;
  for (Group& g : groups) {
    if (g.members < 3) continue;  // a region the search barely touched
    for (double& x : g.sum) x /= static_cast<double>(g.members);
    out.emplace_back(std::move(g.sum), pts[g.nearest]);
  }
  return out;
}

// The failure boundary along the ray through `through` (which need not fail: the ray is walked
// out to 4× first); empty if the ray does not fail that far.
std::vector<double> boundary_on_ray(const LimitState& f, std::vector<double> through,
                                    std::uint64_t& evals) {
  for (double t = 1.0; t <= 4.0; t *= 1.25) {
    std::vector<double> at(through);
    for (double& x : at) x *= t;
    ++evals;
    if (f(at).fail) return to_boundary(f, std::move(at), evals);
  }
  return {};
}

}  // namespace

std::vector<double> sample_point(std::uint64_t seed, TailStage stage, std::uint64_t sub,
                                 std::uint64_t index, int dim) {
  std::vector<double> z(static_cast<std::size_t>(dim));
  KeyedStream stream = stage_stream(seed, stage, sub, index);
  if (stage == TailStage::IMPORTANCE) stream();  // the component's word
  fill_normals(stream, z);
  return z;
}

TailEstimate plain_monte_carlo(const LimitState& f, int dim, const PlainOptions& o,
                               std::uint64_t seed) {
  if (o.samples == 0) throw ConfigError("high-sigma: plain Monte Carlo needs samples ≥ 1");
  const ScaledRun run = run_scaled(f, dim, o.samples, 1.0, seed, TailStage::PLAIN, 0, false);
  TailEstimate e;
  e.method = "plain";
  e.samples = o.samples;
  e.failures = run.failures;
  const Interval w = wilson95(run.failures, o.samples);
  e.p = w.p;
  e.low = w.low;
  e.high = w.high;
  e.std_error = std::sqrt(e.p * (1 - e.p) / static_cast<double>(o.samples));
  e.ess = static_cast<double>(run.failures);
  e.plain_equivalent = static_cast<double>(o.samples);
  e.found = run.failures > 0;
  return e;
}

TailEstimate importance_sampling(const LimitState& f, int dim, const ImportanceOptions& o,
                                 std::uint64_t seed) {
  if (o.samples == 0 || o.search_samples == 0)
    throw ConfigError("high-sigma: importance sampling needs samples and search_samples ≥ 1");
  if (!(o.defensive > 0 && o.defensive < 1))
    throw ConfigError("high-sigma: the defensive weight must lie in (0, 1)");
  TailEstimate e;
  e.method = "importance";
  // The search: the first scale with enough failures; per mode the centroid of its failures.
  ScaledRun found;
  for (std::size_t k = 0; k < o.search_scales.size(); ++k) {
    found =
        run_scaled(f, dim, o.search_samples, o.search_scales[k], seed, TailStage::SEARCH, k, true);
    e.samples += o.search_samples;
    if (found.failures >= o.search_failures) break;
  }
  std::uint64_t evals = 0;
  Mixture mix;
  mix.a0 = o.defensive;
  std::vector<std::vector<double>> means;  // the components' means
  std::vector<int> modes;                  // the failure mode each was found for
  for (const auto& [mode, found_points] : found.modes) {
    if (found_points.points.size() < 3) continue;
    // Each group's mean taken to the boundary (or its nearest failure, if that ray does not
    // fail); two groups whose boundary points' midpoint fails lie in one region: the nearer kept.
    std::vector<std::vector<double>> region;
    for (auto& [mean, nearest] : direction_groups(found_points.points)) {
      std::vector<double> mu = boundary_on_ray(f, mean, evals);
      if (mu.empty()) mu = to_boundary(f, nearest, evals);
      bool joined = false;
      for (std::vector<double>& r : region) {
        std::vector<double> mid(mu.size());
        for (std::size_t k = 0; k < mid.size(); ++k) mid[k] = 0.5 * (mu[k] + r[k]);
        ++evals;
        if (!f(mid).fail) continue;
        if (norm2(mu) < norm2(r)) r = mu;
        joined = true;
        break;
      }
      if (!joined) region.push_back(std::move(mu));
    }
    for (std::vector<double>& mu : region) {
      means.push_back(std::move(mu));
      modes.push_back(mode);
    }
  }
  // Cross-entropy rounds: each component's mean moves to the weighted mean of the failures it
  // is responsible for, the conditional mean given failure (Rubinstein & Kroese).
  for (int round = 1; round <= o.ce_rounds && !means.empty(); ++round) {
    mix.set_means(means);
    const Round r = run_mixture(f, dim, mix, o.ce_samples, seed, static_cast<std::uint64_t>(round));
    e.samples += o.ce_samples;
    for (std::size_t m = 0; m < means.size(); ++m)
      if (r.wr[m] > 0)
        for (std::size_t k = 0; k < means[m].size(); ++k) means[m][k] = r.wrz[m][k] / r.wr[m];
  }
  // The design points: each component's mean, its β the boundary's distance along its ray.
  double beta_min = std::numeric_limits<double>::infinity();
  for (std::size_t m = 0; m < modes.size(); ++m) {
    std::vector<double> b = boundary_on_ray(f, means[m], evals);
    const double beta = b.empty() ? std::sqrt(norm2(means[m])) : std::sqrt(norm2(b));
    beta_min = std::min(beta_min, beta);
    e.points.push_back({modes[m], beta, means[m]});
  }
  e.samples += evals;
  // Components far beyond the nearest mode weigh < e^−window there: dropped.
  std::erase_if(e.points, [&](const DesignPoint& p) {
    return p.beta * p.beta > beta_min * beta_min + 2 * o.mode_window;
  });
  means.clear();
  for (const DesignPoint& p : e.points) means.push_back(p.z);
  mix.set_means(std::move(means));
  if (mix.mu.empty()) {
    e.found = false;
    e.high = std::numeric_limits<double>::quiet_NaN();
    return e;
  }
  const Round r = run_mixture(f, dim, mix, o.samples, seed, 0);
  const auto n = static_cast<double>(o.samples);
  e.samples += o.samples;
  e.failures = r.failures;
  e.p = r.sum / n;
  const double var = std::max(0.0, (r.sum2 / n - e.p * e.p) / (n - 1));
  e.std_error = std::sqrt(var);
  e.low = std::max(0.0, e.p - Z95 * e.std_error);
  e.high = e.p + Z95 * e.std_error;
  e.ess = r.sum2 > 0 ? r.sum * r.sum / r.sum2 : 0.0;
  e.plain_equivalent = var > 0 ? e.p * (1 - e.p) / var : std::numeric_limits<double>::infinity();
  e.found = r.failures > 0;
  return e;
}

namespace {

// ln Q(x) and its derivative d ln Q / dx = −φ(x)/Q(x).
double log_q(double x) {
  return std::log(0.5 * std::erfc(x / std::sqrt(2.0)));
}
double dlog_q(double x) {
  return -std::exp(-0.5 * x * x - log_q(x)) / std::sqrt(2.0 * M_PI);
}

// The rates that enter a fit: ln s, ln p̂ and its weight 1/Var(ln p̂) (binomial).
struct Rates {
  std::vector<double> s, y, w;
};

struct Fit {
  double ln_p1 = 0, se = 0, a = 0, b = 0, c = 0;
};

// Weighted least squares of y on the columns of X: the parameters and their covariance.
std::pair<arma::vec, arma::mat> wls(const arma::mat& X, const Rates& r) {
  const arma::vec Y(r.y), W(r.w);
  const arma::mat XtW = X.t() * arma::diagmat(W);
  const arma::mat cov = arma::inv_sympd(XtW * X);
  return {cov * XtW * Y, cov};
}

// Sun & Li: ln P(s) = α + β ln s − γ/s², linear in (α, β, γ); ln P(1) = α − γ.
Fit fit_sun_li(const Rates& r) {
  arma::mat X(r.s.size(), 3);
  for (arma::uword i = 0; i < X.n_rows; ++i) {
    X(i, 0) = 1.0;
    X(i, 1) = std::log(r.s[i]);
    X(i, 2) = -1.0 / (r.s[i] * r.s[i]);
  }
  const auto [theta, cov] = wls(X, r);
  const arma::vec c{1.0, 0.0, -1.0};
  return {arma::dot(c, theta), std::sqrt(std::max(0.0, arma::as_scalar(c.t() * cov * c))), theta(0),
          theta(1), theta(2)};
}

// ln P(s) = α + β ln s + ln Q(g/s): Sun & Li's −γ/s² replaced by ln Q(g/s), whose asymptote it
// is (ln Q(x) = −x²/2 − ln x − ½ ln 2π + O(1/x²)), so that a linear boundary at distance g
// (α = β = 0) is fitted exactly at any scale. g by golden-section search on the weighted
// residual, (α, β) by least squares at each g; the covariance from the Jacobian at the optimum.
Fit fit_q(const Rates& r) {
  const arma::uword n = r.s.size();
  auto solve_at = [&](double g, double* sse) {
    arma::mat X(n, 2);
    Rates shifted = r;
    for (arma::uword i = 0; i < n; ++i) {
      X(i, 0) = 1.0;
      X(i, 1) = std::log(r.s[i]);
      shifted.y[i] = r.y[i] - log_q(g / r.s[i]);
    }
    const auto [theta, cov] = wls(X, shifted);
    if (sse) {
      *sse = 0;
      for (arma::uword i = 0; i < n; ++i) {
        const double e = shifted.y[i] - theta(0) - theta(1) * X(i, 1);
        *sse += r.w[i] * e * e;
      }
    }
    return theta;
  };
  double lo = 0.0, hi = 40.0;
  const double phi = (std::sqrt(5.0) - 1) / 2;
  double x1 = hi - phi * (hi - lo), x2 = lo + phi * (hi - lo), f1 = 0, f2 = 0;
  solve_at(x1, &f1);
  solve_at(x2, &f2);
  for (int it = 0; it < 200; ++it) {
    if (f1 < f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - phi * (hi - lo);
      solve_at(x1, &f1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + phi * (hi - lo);
      solve_at(x2, &f2);
    }
  }
  const double g = 0.5 * (lo + hi);
  const arma::vec theta = solve_at(g, nullptr);
  arma::mat J(n, 3);
  for (arma::uword i = 0; i < n; ++i) {
    J(i, 0) = 1.0;
    J(i, 1) = std::log(r.s[i]);
    J(i, 2) = dlog_q(g / r.s[i]) / r.s[i];
  }
  const arma::mat cov = arma::inv_sympd(J.t() * arma::diagmat(arma::vec(r.w)) * J);
  const arma::vec c{1.0, 0.0, dlog_q(g)};
  return {theta(0) + log_q(g), std::sqrt(std::max(0.0, arma::as_scalar(c.t() * cov * c))), theta(0),
          theta(1), g};
}

// A scaled-sigma scale must exceed 1 (ConfigError otherwise).
void check_scale(double s) {
  if (!(s > 1.0))
    throw ConfigError("high-sigma: scaled-sigma scale " + std::to_string(s) +
                      " must exceed 1 (σ is scaled up, then extrapolated back to 1)");
}

}  // namespace

TailEstimate fit_scaled_sigma(const std::vector<ScalePoint>& scales, ScaledSigmaModel model,
                              std::uint64_t min_failures) {
  TailEstimate e;
  e.method = model == ScaledSigmaModel::SUN_LI ? "scaled_sigma_sun_li" : "scaled_sigma";
  Rates r;
  for (const ScalePoint& k : scales) {
    check_scale(k.scale);
    e.samples += k.samples;
    e.scales.push_back(k);
    if (k.failures < min_failures || k.failures == k.samples || k.samples == 0) continue;
    const double n = static_cast<double>(k.samples);
    const double p = static_cast<double>(k.failures) / n;
    r.s.push_back(k.scale);
    r.y.push_back(std::log(p));
    r.w.push_back(n * p / (1 - p));  // 1 / Var(ln p̂)
    e.failures += k.failures;
  }
  if (r.s.size() < 3) {  // three parameters need three rates
    e.found = false;
    e.high = std::numeric_limits<double>::quiet_NaN();
    return e;
  }
  const Fit fit = model == ScaledSigmaModel::SUN_LI ? fit_sun_li(r) : fit_q(r);
  e.fit_alpha = fit.a;
  e.fit_beta = fit.b;
  e.fit_gamma = fit.c;
  e.p = std::exp(fit.ln_p1);
  e.std_error = fit.se;
  e.low = std::exp(fit.ln_p1 - Z95 * fit.se);
  e.high = std::exp(fit.ln_p1 + Z95 * fit.se);
  e.ess = static_cast<double>(e.failures);
  // A plain estimate with the same relative standard error needs (1 − p)/(p·se²) samples.
  e.plain_equivalent = fit.se > 0 ? (1 - e.p) / (e.p * fit.se * fit.se) : 0.0;
  return e;
}

TailEstimate scaled_sigma(const LimitState& f, int dim, const ScaledSigmaOptions& o,
                          std::uint64_t seed) {
  for (double s : o.scales) check_scale(s);  // before any sample is spent
  if (o.samples_per_scale == 0)
    throw ConfigError("high-sigma: scaled sigma needs samples_per_scale ≥ 1");
  std::vector<ScalePoint> points;
  for (std::size_t k = 0; k < o.scales.size(); ++k) {
    const ScaledRun run =
        run_scaled(f, dim, o.samples_per_scale, o.scales[k], seed, TailStage::SCALED, k, false);
    points.push_back({o.scales[k], o.samples_per_scale, run.failures});
  }
  return fit_scaled_sigma(points, o.model, o.min_failures);
}

}  // namespace rapmc::tails
