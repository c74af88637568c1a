#include "rapmc/results/results_reader.h"

#include <algorithm>
#include <limits>

#include "rapmc/core/errors.h"
#include "rapmc/core/keyed_rng.h"
#include "rapmc/mc/layer_metrics.h"
#include "rapmc/mc/trial_metrics.h"
#include "rapmc/pim/counters.h"

namespace rapmc {
namespace {

constexpr const char* LAYERS_GROUP = "trials/layers";  // per-layer columns of a point's table

// The minor format version that added a column, and its value in an older file: NaN, or 1 for
// the sampling columns (trials before 1.4 were drawn plainly at σ × 1).
int added_in(TrialMetric m) {
  using enum TrialMetric;
  if (m == ENERGY_ADC_J || m == AREA_MM2 || m == AREA_ADC_MM2) return 1;
  if (m == LOGIT_SIGNAL_POWER || m == LOGIT_ERROR_POWER) return 2;
  if (m == WEIGHT || m == SIGMA_SCALE) return 4;
  return 0;
}
double absent_value(TrialMetric m) {
  return m == TrialMetric::WEIGHT || m == TrialMetric::SIGMA_SCALE
             ? 1.0
             : std::numeric_limits<double>::quiet_NaN();
}
int added_in(LayerMetric m) {
  return m == LayerMetric::MVM_SQNR_DB || m == LayerMetric::CODE_ERROR_RATE ? 0 : 2;
}

std::vector<double> first_rows(std::vector<double> v, std::size_t n) {
  v.resize(std::min(v.size(), n));
  return v;
}

}  // namespace

std::string layer_column(const std::string& layer, const std::string& what) {
  return std::string(LAYERS_GROUP) + "/" + layer + "/" + what;
}

const std::vector<double>& PointTable::layer_values(const std::string& layer,
                                                    std::string_view metric) const {
  return layer_columns.at(layer_column(layer, std::string(metric)));
}

std::vector<std::string> point_groups(bool sweep, std::size_t points) {
  if (!sweep) return {""};
  std::vector<std::string> g;
  for (std::size_t i = 0; i < points; ++i) g.push_back("points/" + std::to_string(i) + "/");
  return g;
}

PointTable read_point_table(const h5::Node& f, const std::string& g, int minor) {
  PointTable t;
  if (!g.empty()) t.label = f.group(g.substr(0, g.size() - 1)).read_string_attribute("label");
  t.trial = f.read_int64_dataset(g + "trials/trial");
  const std::size_t n = t.trial.size();
  t.status = f.read_int64_dataset(g + "trials/status");
  t.status.resize(std::min(t.status.size(), n));
  if (f.exists(g + "reference"))
    t.reference_accuracy = f.group(g + "reference").read_double_attribute("accuracy");
  t.dcode_hist = f.read_int64_dataset(g + "trials/dcode_hist");
  t.dcode_hist.resize(std::min(t.dcode_hist.size(), n * pim::DCODE_BINS));
  if (minor >= 2) {
    t.margin_hist = f.read_int64_dataset(g + "trials/margin_hist");
    t.margin_hist.resize(std::min(t.margin_hist.size(), n * pim::MARGIN_BINS));
  } else {  // an unsigned margin of another binning: not comparable, left out
    t.margin_hist.assign(n * pim::MARGIN_BINS, 0);
    t.absent_columns.push_back("margin_hist");
  }
  if (f.exists(g + "trials/prediction")) {  // format 1.5
    std::vector<std::uint64_t> shape;
    t.predictions = f.read_int64_dataset(g + "trials/prediction", &shape);
    t.images = static_cast<std::size_t>(shape.at(1));
    t.predictions.resize(std::min(t.predictions.size(), n * t.images));
  }
  if (f.exists(g + "reference/label")) {
    t.labels = f.read_int64_dataset(g + "reference/label");
    t.ideal_predictions = f.read_int64_dataset(g + "reference/prediction");
  }
  for (const TrialMetricInfo& m : trial_metrics()) {
    const std::string name(m.name);
    if (minor < added_in(m.id) && !f.exists(g + "trials/" + name)) {
      t.columns[name].assign(n, absent_value(m.id));
      t.absent_columns.push_back(name);
      continue;
    }
    t.columns[name] = first_rows(f.read_double_dataset(g + "trials/" + name), n);
  }
  // Layer columns (layer_column) of every layer the chip had; names hold '/', so the walk
  // stops at a group that holds an mvm_sqnr_db column.
  const std::string root = g + LAYERS_GROUP;
  std::vector<std::string> stack{root};
  while (!stack.empty()) {
    const std::string at = stack.back();
    stack.pop_back();
    if (!f.exists(at)) continue;
    if (f.exists(at + "/mvm_sqnr_db")) {
      const std::string name = at.substr(root.size() + 1);
      t.layers.push_back(name);
      for (const LayerMetricInfo& m : layer_metrics()) {
        const std::string col = layer_column(name, std::string(m.name));
        if (minor < added_in(m.id) && !f.exists(g + col)) {
          t.layer_columns[col].assign(n, std::numeric_limits<double>::quiet_NaN());
          t.absent_columns.push_back(col);
          continue;
        }
        t.layer_columns[col] = first_rows(f.read_double_dataset(g + col), n);
      }
      continue;
    }
    for (const std::string& child : f.children(at)) stack.push_back(at + "/" + child);
  }
  std::sort(t.layers.begin(), t.layers.end());
  return t;
}

void require_rng_scheme(const std::string& path, const std::string& scheme,
                        const std::string& what) {
  if (scheme == RNG_SCHEME) return;
  throw ConfigError(path + ": its trials were drawn with RNG scheme '" + scheme +
                    "' but this rapmc draws with '" + RNG_SCHEME + "', so " + what +
                    " is refused (the file stays readable: report and the plots use it; run "
                    "the campaign again with --force for results of this scheme)");
}

ResultsData read_results(const std::string& path) {
  const h5::File f = h5::File::open(path);
  ResultsData d;
  d.path = path;
  d.format_minor = check_format_header(f, path, RESULTS_FORMAT);
  const h5::Node s = f.group("settings");
  d.campaign_toml = s.read_string_attribute("campaign_toml");
  d.campaign_sha256 = s.read_string_attribute("campaign_sha256");
  d.seed = static_cast<std::uint64_t>(s.read_int_attribute("master_seed"));
  d.rng_scheme = s.read_string_attribute("rng_scheme");
  const auto n_points = static_cast<std::size_t>(s.read_int_attribute("points"));
  if (s.has_attribute("shard_index")) {
    d.shard = ShardSpec{static_cast<std::uint64_t>(s.read_int_attribute("shard_index")),
                        static_cast<std::uint64_t>(s.read_int_attribute("shard_count")),
                        static_cast<std::uint64_t>(s.read_int_attribute("shard_trial_begin")),
                        static_cast<std::uint64_t>(s.read_int_attribute("shard_trial_end"))};
  }
  if (f.exists("runtime")) d.seconds = f.group("runtime").read_double_attribute("seconds");
  for (const std::string& g : point_groups(f.exists("points"), n_points))
    d.points.push_back(read_point_table(f, g, d.format_minor));
  return d;
}

}  // namespace rapmc
