#include "rapmc/results/results_reader.h"

#include <algorithm>
#include <limits>

#include "rapmc/mc/trial_metrics.h"
#include "rapmc/pim/counters.h"

namespace rapmc {
namespace {

constexpr const char* LAYERS_GROUP = "trials/layers";  // per-layer columns of a point's table

// Columns added in format 1.1: read as NaN from a 1.0 file.
bool added_in_1_1(TrialMetric m) {
  return m == TrialMetric::ENERGY_ADC_J || m == TrialMetric::AREA_MM2 ||
         m == TrialMetric::AREA_ADC_MM2;
}

std::vector<double> first_rows(std::vector<double> v, std::size_t n) {
  v.resize(std::min(v.size(), n));
  return v;
}

}  // namespace

std::string layer_column(const std::string& layer, const std::string& what) {
  return std::string(LAYERS_GROUP) + "/" + layer + "/" + what;
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
  t.margin_hist = f.read_int64_dataset(g + "trials/margin_hist");
  t.dcode_hist.resize(std::min(t.dcode_hist.size(), n * pim::DCODE_BINS));
  t.margin_hist.resize(std::min(t.margin_hist.size(), n * pim::MARGIN_BINS));
  for (const TrialMetricInfo& m : trial_metrics()) {
    const std::string name(m.name);
    if (minor == 0 && added_in_1_1(m.id) && !f.exists(g + "trials/" + name)) {
      t.columns[name].assign(n, std::numeric_limits<double>::quiet_NaN());
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
      t.layer_sqnr_db[name] =
          first_rows(f.read_double_dataset(g + layer_column(name, "mvm_sqnr_db")), n);
      t.layer_code_error_rate[name] =
          first_rows(f.read_double_dataset(g + layer_column(name, "code_error_rate")), n);
      continue;
    }
    for (const std::string& child : f.children(at)) stack.push_back(at + "/" + child);
  }
  std::sort(t.layers.begin(), t.layers.end());
  return t;
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
