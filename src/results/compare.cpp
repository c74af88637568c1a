#include "rapmc/results/compare.h"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <map>

#include "rapmc/core/errors.h"
#include "rapmc/mc/statistics.h"
#include "rapmc/mc/trial.h"
#include "rapmc/results/results_reader.h"

namespace rapmc {
namespace {

// ConfigError naming the file unless its points hold per-image predictions.
void require_predictions(const ResultsData& d) {
  for (const PointTable& t : d.points)
    if (t.images == 0 || t.labels.size() != t.images || t.ideal_predictions.size() != t.images)
      throw ConfigError(d.path + ": has no per-image predictions (results format 1." +
                        std::to_string(d.format_minor) +
                        "; they are stored since 1.5): run the campaign again to compare it");
}

// Point p of both files must evaluate the same images: same count, same labels.
void require_same_images(const ResultsData& a, const ResultsData& b, std::size_t p) {
  const PointTable &x = a.points[p], &y = b.points[p];
  const std::string where =
      "point " + std::to_string(p) + (x.label.empty() ? "" : " (" + x.label + ")");
  if (x.images != y.images)
    throw ConfigError(where + ": " + a.path + " evaluates " + std::to_string(x.images) +
                      " images, " + b.path + " " + std::to_string(y.images) +
                      "; compare pairs the same images");
  for (std::size_t i = 0; i < x.images; ++i)
    if (x.labels[i] != y.labels[i])
      throw ConfigError(where + ": image " + std::to_string(i) + " has label " +
                        std::to_string(x.labels[i]) + " in " + a.path + " but " +
                        std::to_string(y.labels[i]) + " in " + b.path +
                        " (different data.dataset, data.first or data.select?)");
}

// Row of each trial that ran (status ok), by trial index.
std::map<std::int64_t, std::size_t> ok_rows(const PointTable& t) {
  std::map<std::int64_t, std::size_t> rows;
  for (std::size_t r = 0; r < t.trial.size(); ++r)
    if (t.status[r] == static_cast<std::int64_t>(TrialStatus::OK)) rows.emplace(t.trial[r], r);
  return rows;
}

// The `top` images of `t` whose paired predictions differ from the exact one most often.
std::vector<ImageFlips> most_flipped(const PointTable& t, const std::vector<std::size_t>& rows,
                                     std::size_t top) {
  std::vector<ImageFlips> all(t.images);
  for (std::size_t i = 0; i < t.images; ++i) {
    all[i] = {i, t.labels[i], t.ideal_predictions[i], 0};
    for (std::size_t r : rows) all[i].flips += t.prediction(r, i) != t.ideal_predictions[i];
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const ImageFlips& x, const ImageFlips& y) { return x.flips > y.flips; });
  std::erase_if(all, [](const ImageFlips& f) { return f.flips == 0; });
  if (all.size() > top) all.resize(top);
  return all;
}

PairedPoint compare_point(const PointTable& x, const PointTable& y, std::size_t top) {
  PairedPoint out;
  out.label = x.label;
  out.images = x.images;
  const auto rows_x = ok_rows(x), rows_y = ok_rows(y);
  std::vector<std::size_t> px, py;
  for (const auto& [trial, r] : rows_x)
    if (const auto it = rows_y.find(trial); it != rows_y.end()) {
      out.trials.push_back(static_cast<std::uint64_t>(trial));
      px.push_back(r);
      py.push_back(it->second);
    }
  out.paired = out.trials.size();
  out.unpaired = std::max(x.trial.size(), y.trial.size()) - out.paired;
  std::vector<double> acc_x, acc_y, diff;
  for (std::size_t k = 0; k < out.paired; ++k) {
    std::uint64_t right_x = 0, right_y = 0, a_only = 0, b_only = 0;
    for (std::size_t i = 0; i < x.images; ++i) {
      const bool rx = x.prediction(px[k], i) == x.labels[i];
      const bool ry = y.prediction(py[k], i) == y.labels[i];
      right_x += rx;
      right_y += ry;
      a_only += rx && !ry;
      b_only += ry && !rx;
    }
    const auto n = static_cast<double>(x.images);
    acc_x.push_back(static_cast<double>(right_x) / n);
    acc_y.push_back(static_cast<double>(right_y) / n);
    diff.push_back(acc_x.back() - acc_y.back());
    out.per_trial.push_back(mcnemar(a_only, b_only));
    out.pooled.a_only += a_only;
    out.pooled.b_only += b_only;
    if (out.per_trial.back().p < 0.05)
      (a_only > b_only ? out.trials_a_better : out.trials_b_better)++;
  }
  out.pooled = mcnemar(out.pooled.a_only, out.pooled.b_only);
  const Summary d = summarize(diff);
  out.accuracy_a = summarize(acc_x).mean;
  out.accuracy_b = summarize(acc_y).mean;
  out.diff_mean = d.mean;
  out.diff_std = d.std;
  out.diff_ci95_low = d.ci95_low;
  out.diff_ci95_high = d.ci95_high;
  out.flips_a = most_flipped(x, px, top);
  out.flips_b = most_flipped(y, py, top);
  return out;
}

}  // namespace

McNemar mcnemar(std::uint64_t a_only, std::uint64_t b_only) {
  McNemar m{a_only, b_only, 1.0};
  const std::uint64_t n = a_only + b_only;
  if (n == 0) return m;
  const boost::math::binomial half(static_cast<double>(n), 0.5);
  const double tail = boost::math::cdf(half, static_cast<double>(std::min(a_only, b_only)));
  m.p = std::min(1.0, 2.0 * tail);
  return m;
}

Comparison compare_results(const std::string& path_a, const std::string& path_b, std::size_t top) {
  const ResultsData a = read_results(path_a), b = read_results(path_b);
  require_predictions(a);
  require_predictions(b);
  if (a.seed != b.seed)
    throw ConfigError(path_a + " was run with seed " + std::to_string(a.seed) + ", " + path_b +
                      " with seed " + std::to_string(b.seed) +
                      ": compare pairs trials drawn from the same seed");
  require_rng_scheme(path_b, b.rng_scheme, "comparing it");
  require_rng_scheme(path_a, a.rng_scheme, "comparing it");
  if (a.points.size() != b.points.size())
    throw ConfigError(path_a + " has " + std::to_string(a.points.size()) + " campaign points, " +
                      path_b + " " + std::to_string(b.points.size()) +
                      ": compare pairs point i of one with point i of the other");
  Comparison c{path_a, path_b, a.seed, {}};
  for (std::size_t p = 0; p < a.points.size(); ++p) {
    require_same_images(a, b, p);
    c.points.push_back(compare_point(a.points[p], b.points[p], top));
  }
  return c;
}

}  // namespace rapmc
