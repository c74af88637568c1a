#include "rapmc/mc/statistics.h"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>

namespace rapmc {

void Welford::add(double x) {
  Welford one;
  one.n = 1;
  one.mean = x;
  merge(one);
}

void Welford::merge(const Welford& o) {
  if (o.n == 0) return;
  if (n == 0) {
    *this = o;
    return;
  }
  const double na = static_cast<double>(n), nb = static_cast<double>(o.n), nn = na + nb;
  const double delta = o.mean - mean;
  mean += delta * nb / nn;
  m2 += o.m2 + delta * delta * na * nb / nn;
  n += o.n;
}

double Welford::variance() const {
  return n < 2 ? 0.0 : m2 / static_cast<double>(n - 1);
}
double Welford::stddev() const {
  return std::sqrt(variance());
}

double Welford::ci95_halfwidth() const {
  if (n < 2) return std::numeric_limits<double>::infinity();
  const boost::math::students_t t(static_cast<double>(n - 1));
  return boost::math::quantile(t, 0.975) * stddev() / std::sqrt(static_cast<double>(n));
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const double h = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

Summary summarize(const std::vector<double>& values) {
  Welford w;
  std::vector<double> finite;
  for (double x : values)
    if (std::isfinite(x)) {
      w.add(x);
      finite.push_back(x);
    }
  Summary s;
  s.n = w.n;
  if (w.n == 0) {
    s.mean = s.std = s.ci95_low = s.ci95_high = s.min = s.max = s.q05 = s.q50 = s.q95 =
        std::numeric_limits<double>::quiet_NaN();
    return s;
  }
  s.mean = w.mean;
  s.std = w.stddev();
  const double h = w.ci95_halfwidth();
  s.ci95_low = w.n < 2 ? s.mean : s.mean - h;
  s.ci95_high = w.n < 2 ? s.mean : s.mean + h;
  s.min = *std::min_element(finite.begin(), finite.end());
  s.max = *std::max_element(finite.begin(), finite.end());
  s.q05 = quantile(finite, 0.05);
  s.q50 = quantile(finite, 0.50);
  s.q95 = quantile(finite, 0.95);
  return s;
}

Interval wilson95(std::uint64_t k, std::uint64_t n) {
  Interval r;
  if (n == 0) return {std::numeric_limits<double>::quiet_NaN(), 0.0, 1.0};
  const double z = Z95, nn = static_cast<double>(n);
  r.p = static_cast<double>(k) / nn;
  const double denom = 1 + z * z / nn;
  const double centre = (r.p + z * z / (2 * nn)) / denom;
  const double half = z / denom * std::sqrt(r.p * (1 - r.p) / nn + z * z / (4 * nn * nn));
  r.low = std::max(0.0, centre - half);
  r.high = std::min(1.0, centre + half);
  return r;
}

WeightedProportion weighted_proportion(const std::vector<double>& w, const std::vector<bool>& x) {
  WeightedProportion r;
  r.n = w.size();
  Welford wx;
  double sum = 0, sum2 = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    wx.add(x[i] ? w[i] : 0.0);
    r.events += x[i];
    sum += w[i];
    sum2 += w[i] * w[i];
  }
  if (r.n == 0) return r;
  const double n = static_cast<double>(r.n);
  r.p = wx.mean;
  // Var(w·x) with denominator n (so that plain trials give exactly p(1 − p)/n).
  r.std_error = std::sqrt(wx.m2 / n / n);
  r.low = std::max(0.0, r.p - Z95 * r.std_error);
  r.high = std::min(1.0, r.p + Z95 * r.std_error);
  r.ess = sum2 > 0 ? sum * sum / sum2 : 0.0;
  const double var = r.std_error * r.std_error;
  r.plain_equivalent = var > 0 ? r.p * (1 - r.p) / var : std::numeric_limits<double>::infinity();
  r.variance_reduction = r.plain_equivalent / n;
  return r;
}

WeightedMean weighted_mean(const std::vector<double>& x, const std::vector<double>& w) {
  WeightedMean r;
  double sw = 0, swx = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (std::isfinite(x[i])) {
      sw += w[i];
      swx += w[i] * x[i];
      ++r.n;
    }
  if (r.n == 0 || sw <= 0) {
    r.mean = r.std_error = r.low = r.high = std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  r.mean = swx / sw;
  double s2 = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (std::isfinite(x[i])) s2 += w[i] * w[i] * (x[i] - r.mean) * (x[i] - r.mean);
  r.std_error = std::sqrt(s2) / sw;
  r.low = r.mean - Z95 * r.std_error;
  r.high = r.mean + Z95 * r.std_error;
  return r;
}

}  // namespace rapmc
