#include "rapmc/results/lifetime_statistics.h"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <cmath>
#include <map>
#include <set>

#include "rapmc/core/errors.h"
#include "rapmc/mc/campaign.h"
#include "rapmc/results/results_reader.h"

namespace rapmc {

AgeQuantile ttf_quantile(std::vector<double> ttf, double p) {
  AgeQuantile q;
  q.p = p;
  const std::size_t n = ttf.size();
  if (n == 0) return q;
  std::sort(ttf.begin(), ttf.end());
  // Order statistic j (1-based) of n; beyond n: +inf (not failed within the mission).
  auto order = [&](double j) {
    const auto k = static_cast<std::size_t>(std::max(1.0, j));
    return k <= n ? ttf[k - 1] : std::numeric_limits<double>::infinity();
  };
  q.age_s = order(std::ceil(static_cast<double>(n) * p));
  // P(X_(l) ≤ ξ_p ≤ X_(u)) ≥ P(l ≤ B < u) with B ~ Binomial(n, p) the chips failed before ξ_p:
  // l the largest order with P(B < l) ≤ 2.5 %, u the smallest with P(B < u) ≥ 97.5 %.
  const boost::math::binomial_distribution<double> b(static_cast<double>(n), p);
  std::size_t l = 0, u = 1;
  while (l + 1 <= n && boost::math::cdf(b, static_cast<double>(l)) <= 0.025) ++l;
  while (u <= n && boost::math::cdf(b, static_cast<double>(u - 1)) < 0.975) ++u;
  q.low_s = l < 1 ? 0.0 : order(static_cast<double>(l));
  q.high_s = order(static_cast<double>(u));
  return q;
}

std::vector<LifetimeGroup> lifetime_statistics(const Campaign& c, const ResultsData& d) {
  return lifetime_statistics(c, d.points, d.path);
}

std::vector<LifetimeGroup> lifetime_statistics(const Campaign& c,
                                               const std::vector<PointTable>& points,
                                               const std::string& source) {
  if (!c.mission.enabled())
    throw ConfigError(source +
                      ": its campaign has no [lifetime] section (not a lifetime campaign)");
  if (c.points.size() != points.size())
    throw ConfigError(source + ": the campaign in /settings gives " +
                      std::to_string(c.points.size()) + " points, the file holds " +
                      std::to_string(points.size()));
  std::vector<LifetimeGroup> groups;
  std::map<std::string, std::size_t> index;
  for (std::size_t k = 0; k < c.points.size(); ++k) {
    const CampaignPoint& p = c.points[k];
    std::string label;
    for (const auto& [key, value] : p.overrides)
      if (key != "lifetime.age_s") label += (label.empty() ? "" : ", ") + key + "=" + value;
    auto [it, fresh] = index.try_emplace(label, groups.size());
    if (fresh) {
      groups.emplace_back();
      groups.back().label = label;
    }
    LifetimeGroup& g = groups[it->second];
    g.ages_s.push_back(p.age->age_s);
    g.points.push_back(k);
  }
  const double target = c.mission.target_accuracy;
  for (LifetimeGroup& g : groups) {
    // The trials present at every age, and each one's accuracy per age.
    std::map<std::int64_t, std::vector<double>> acc;
    for (std::size_t a = 0; a < g.points.size(); ++a) {
      const PointTable& t = points[g.points[a]];
      const std::vector<double>& col = t.columns.at("accuracy");
      for (std::size_t i = 0; i < t.trial.size(); ++i) {
        std::vector<double>& row = acc[t.trial[i]];
        row.resize(g.points.size(), std::numeric_limits<double>::quiet_NaN());
        row[a] = col[i];
      }
    }
    std::set<std::int64_t> present;
    for (std::size_t a = 0; a < g.points.size(); ++a) {
      std::set<std::int64_t> here(points[g.points[a]].trial.begin(),
                                  points[g.points[a]].trial.end());
      if (a == 0) {
        present = here;
      } else {
        std::set<std::int64_t> both;
        std::set_intersection(present.begin(), present.end(), here.begin(), here.end(),
                              std::inserter(both, both.begin()));
        present = both;
      }
    }
    g.alive.assign(g.ages_s.size(), 0);
    for (std::int64_t trial : present) {
      g.trials.push_back(trial);
      double ttf = std::numeric_limits<double>::infinity();
      const std::vector<double>& row = acc[trial];
      for (std::size_t a = 0; a < row.size(); ++a)
        if (!(row[a] >= target)) {  // NaN (an unreadable chip) fails
          ttf = g.ages_s[a];
          break;
        }
      g.ttf_s.push_back(ttf);
      for (std::size_t a = 0; a < g.ages_s.size(); ++a) g.alive[a] += ttf > g.ages_s[a];
    }
    for (std::uint64_t alive : g.alive) g.yield95.push_back(wilson95(alive, g.trials.size()));
    g.median = ttf_quantile(g.ttf_s, 0.5);
    g.p10 = ttf_quantile(g.ttf_s, 0.1);
  }
  return groups;
}

}  // namespace rapmc
