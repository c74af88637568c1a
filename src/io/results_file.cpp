#include "rapmc/io/results_file.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <limits>

#include "rapmc/core/errors.h"
#include "rapmc/core/version.h"
#include "rapmc/mc/keyed_rng.h"
#include "rapmc/mc/runner.h"
#include "rapmc/mc/statistics.h"
#include "rapmc/pim/counters.h"

namespace rapmc {
namespace {

constexpr const char* FILETYPE = "rapmc-results";

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::vector<std::string> point_groups(const Campaign& c) {
  std::vector<std::string> g;
  if (!c.has_sweep()) return {""};
  for (std::size_t i = 0; i < c.points.size(); ++i) g.push_back("points/" + std::to_string(i) + "/");
  return g;
}

std::string layer_column(const std::string& layer, const char* what) { return "trials/layers/" + layer + "/" + what; }

// Checks the filetype and the major version; returns the minor version.
int check_filetype(const h5::File& f, const std::string& path) {
  const std::string ft = f.has_attribute("filetype") ? f.read_string_attribute("filetype") : "";
  if (ft != FILETYPE) {
    throw IoError(path + ": not a rapmc results file (root attribute 'filetype' is '" + ft + "', expected '" +
                  FILETYPE + "')");
  }
  const std::string v = f.read_string_attribute("format_version");
  if (v.substr(0, v.find('.')) != std::to_string(RESULTS_FORMAT_MAJOR)) {
    throw IoError(path + ": results format_version '" + v + "' not supported (this build reads " +
                  std::to_string(RESULTS_FORMAT_MAJOR) + ".x)");
  }
  return std::atoi(v.substr(v.find('.') + 1).c_str());
}

// Every column of a point's table (relative to its group).
std::vector<std::string> all_columns(const std::vector<std::string>& layers) {
  std::vector<std::string> cols{"trials/trial", "trials/status"};
  for (const auto& m : trial_metric_names()) cols.push_back("trials/" + m);
  for (const auto& l : layers) {
    cols.push_back(layer_column(l, "mvm_sqnr_db"));
    cols.push_back(layer_column(l, "code_error_rate"));
  }
  return cols;
}

}  // namespace

ResultsWriter::ResultsWriter(h5::File file, std::vector<std::string> groups, std::vector<std::vector<std::string>> layers)
    : file_(std::move(file)), groups_(std::move(groups)), layers_(std::move(layers)) {}

ResultsWriter ResultsWriter::create(const std::string& path, const Campaign& c,
                                    const std::vector<std::vector<std::string>>& layers, const RunInfo& info, bool force,
                                    const std::optional<ShardSpec>& shard) {
  if (std::filesystem::exists(path) && !force) {
    throw IoError(path + ": file exists; not overwritten (use --force to replace it, or --resume to continue it)");
  }
  h5::File f = h5::File::create(path, force ? h5::Overwrite::YES : h5::Overwrite::NO);
  const VersionInfo v = version_info();
  f.write_attribute("filetype", std::string(FILETYPE));
  f.write_attribute("format_version", std::to_string(RESULTS_FORMAT_MAJOR) + "." + std::to_string(RESULTS_FORMAT_MINOR));
  f.write_attribute("program_version", v.version);
  f.write_attribute("git_commit", v.git_commit);
  f.write_attribute("build", v.compiler + ", " + v.build_type);
  f.write_attribute("dependencies", "Boost " + v.boost + ", oneTBB " + v.tbb + ", HDF5 " + v.hdf5 + ", Armadillo " + v.armadillo);
  f.write_attribute("command_line", info.command_line);
  f.write_attribute("ranks", std::int64_t{info.ranks});
  f.write_attribute("threads", std::int64_t{info.threads});
  f.write_attribute("date", utc_now());
  const h5::Node s = f.require_group("settings");
  s.write_attribute("campaign_toml", c.text);
  s.write_attribute("campaign_sha256", c.sha256);
  s.write_attribute("campaign_source", c.source);
  s.write_attribute("master_seed", static_cast<std::int64_t>(c.seed));
  s.write_attribute("rng_scheme", std::string(RNG_SCHEME));
  s.write_attribute("points", static_cast<std::int64_t>(c.points.size()));
  if (shard) {
    s.write_attribute("shard_index", static_cast<std::int64_t>(shard->index));
    s.write_attribute("shard_count", static_cast<std::int64_t>(shard->count));
    s.write_attribute("shard_trial_begin", static_cast<std::int64_t>(shard->begin));
    s.write_attribute("shard_trial_end", static_cast<std::int64_t>(shard->end));
  }
  const auto groups = point_groups(c);
  for (std::size_t p = 0; p < groups.size(); ++p) {
    if (!groups[p].empty()) {
      const h5::Node g = f.require_group(groups[p].substr(0, groups[p].size() - 1));
      g.write_attribute("label", c.points[p].label);
    }
    for (const auto& col : all_columns(layers[p])) {
      const bool integer = col == "trials/trial" || col == "trials/status";
      f.create_column(groups[p] + col, integer);
    }
    f.create_rows(groups[p] + "trials/dcode_hist", pim::DCODE_BINS);
    f.create_rows(groups[p] + "trials/margin_hist", pim::MARGIN_BINS);
  }
  f.flush();
  return ResultsWriter(std::move(f), groups, layers);
}

ResultsWriter ResultsWriter::resume(const std::string& path, const Campaign& c,
                                    const std::vector<std::vector<std::string>>& layers,
                                    const std::optional<ShardSpec>& shard) {
  h5::File f = h5::File::open(path, h5::Access::READ_WRITE);
  const int minor = check_filetype(f, path);
  const h5::Node settings = f.group("settings");
  const bool file_sharded = settings.has_attribute("shard_index");
  const std::string want = shard ? std::to_string(shard->index) + "/" + std::to_string(shard->count) : "none";
  const std::string have = file_sharded ? std::to_string(settings.read_int_attribute("shard_index")) + "/" +
                                              std::to_string(settings.read_int_attribute("shard_count"))
                                        : "none";
  if (want != have) throw ConfigError(path + ": was written as shard " + have + ", cannot resume it as shard " + want);
  if (minor != RESULTS_FORMAT_MINOR) {
    throw IoError(path + ": written in results format " + f.read_string_attribute("format_version") +
                  "; --resume appends only to format " +
                  std::to_string(RESULTS_FORMAT_MAJOR) + "." + std::to_string(RESULTS_FORMAT_MINOR) +
                  " files (run the campaign again with --force)");
  }
  const std::string sha = settings.read_string_attribute("campaign_sha256");
  if (sha != c.sha256) {
    throw ConfigError(path + ": holds another campaign (settings SHA-256 " + sha.substr(0, 12) + "..., " + c.source +
                      " has " + c.sha256.substr(0, 12) + "...); --resume continues only the same campaign");
  }
  const auto groups = point_groups(c);
  // Cut every column to the shortest: rows of a block that was being written are dropped.
  for (std::size_t p = 0; p < groups.size(); ++p) {
    std::uint64_t n = UINT64_MAX;
    auto cols = all_columns(layers[p]);
    cols.push_back("trials/dcode_hist");
    cols.push_back("trials/margin_hist");
    for (const auto& col : cols) n = std::min(n, f.dataset_shape(groups[p] + col)[0]);
    for (const auto& col : cols) f.resize_column(groups[p] + col, n);
  }
  f.flush();
  return ResultsWriter(std::move(f), groups, layers);
}

std::uint64_t ResultsWriter::rows(std::size_t point) const {
  return file_.dataset_shape(groups_[point] + "trials/trial")[0];
}

void ResultsWriter::append(std::size_t point, const std::vector<TrialRecord>& records) {
  if (records.empty()) return;
  const std::string& g = groups_[point];
  std::vector<std::int64_t> trial, status;
  for (const auto& r : records) {
    trial.push_back(static_cast<std::int64_t>(r.trial));
    status.push_back(static_cast<std::int64_t>(r.status));
  }
  // Metric and layer columns first, the trial column last: a row counts once its trial is written.
  const auto& names = trial_metric_names();
  for (std::size_t m = 0; m < names.size(); ++m) {
    std::vector<double> v;
    for (const auto& r : records) v.push_back(r.metrics[m]);
    file_.append(g + "trials/" + names[m], v);
  }
  for (std::size_t l = 0; l < layers_[point].size(); ++l) {
    std::vector<double> s, e;
    for (const auto& r : records) {
      s.push_back(r.layer_sqnr_db[l]);
      e.push_back(r.layer_code_error_rate[l]);
    }
    file_.append(g + layer_column(layers_[point][l], "mvm_sqnr_db"), s);
    file_.append(g + layer_column(layers_[point][l], "code_error_rate"), e);
  }
  std::vector<std::int64_t> dh, mh;
  for (const auto& r : records) {
    dh.insert(dh.end(), r.dcode_hist.begin(), r.dcode_hist.end());
    mh.insert(mh.end(), r.margin_hist.begin(), r.margin_hist.end());
  }
  file_.append_rows(g + "trials/dcode_hist", dh);
  file_.append_rows(g + "trials/margin_hist", mh);
  file_.append(g + "trials/status", status);
  file_.append(g + "trials/trial", trial);
  file_.flush();
}

void ResultsWriter::write_summary(std::size_t point, const Campaign& c) {
  const std::string& g = groups_[point];
  const std::vector<std::int64_t> status = file_.read_int64_dataset(g + "trials/status");
  file_.remove(g + "statistics");
  file_.remove(g + "convergence");
  auto ok_values = [&](const std::string& col) {
    const auto v = file_.read_double_dataset(col);
    std::vector<double> out;
    for (std::size_t i = 0; i < v.size(); ++i)
      if (status[i] == static_cast<std::int64_t>(TrialStatus::OK)) out.push_back(v[i]);
    return out;
  };
  auto write_stats = [&](const std::string& group, const std::vector<double>& v) {
    const Summary s = summarize(v);
    const h5::Node n = file_.require_group(group);
    n.write_attribute("n", static_cast<std::int64_t>(s.n));
    for (const auto& [k, x] : {std::pair{"mean", s.mean}, {"std", s.std}, {"ci95_low", s.ci95_low},
                               {"ci95_high", s.ci95_high}, {"min", s.min}, {"max", s.max}, {"q05", s.q05},
                               {"q50", s.q50}, {"q95", s.q95}})
      n.write_attribute(k, x);
  };
  for (const auto& m : trial_metric_names()) write_stats(g + "statistics/" + m, ok_values(g + "trials/" + m));
  for (const auto& l : layers_[point]) {
    write_stats(g + "statistics/layers/" + l + "/mvm_sqnr_db", ok_values(g + layer_column(l, "mvm_sqnr_db")));
    write_stats(g + "statistics/layers/" + l + "/code_error_rate", ok_values(g + layer_column(l, "code_error_rate")));
  }
  const auto acc = ok_values(g + "trials/accuracy");
  std::uint64_t pass = 0;
  for (double a : acc) pass += a >= c.yield_accuracy;
  const Interval y = wilson95(pass, acc.size());
  const h5::Node yg = file_.require_group(g + "statistics/yield");
  yg.write_attribute("accuracy_threshold", c.yield_accuracy);
  yg.write_attribute("passing", static_cast<std::int64_t>(pass));
  yg.write_attribute("n", static_cast<std::int64_t>(acc.size()));
  yg.write_attribute("p", y.p);
  yg.write_attribute("wilson95_low", y.low);
  yg.write_attribute("wilson95_high", y.high);
  // Histograms summed over the campaign's successful trials.
  for (const auto& [name, width] : {std::pair{"dcode_hist", pim::DCODE_BINS}, {"margin_hist", pim::MARGIN_BINS}}) {
    const auto rows = file_.read_int64_dataset(g + "trials/" + name);
    std::vector<std::int64_t> sum(static_cast<std::size_t>(width), 0);
    for (std::size_t i = 0; i < status.size(); ++i)
      if (status[i] == 0)
        for (int b = 0; b < width; ++b) sum[b] += rows[i * width + b];
    file_.write_dataset(g + "statistics/" + name, sum, {static_cast<std::uint64_t>(width)});
  }
  const std::uint64_t failed = static_cast<std::uint64_t>(std::count(status.begin(), status.end(), 1));
  file_.require_group(g + "statistics").write_attribute("failed_trials", static_cast<std::int64_t>(failed));
  // Convergence: the trigger metric after every block (trial-order prefixes of the table).
  const auto metric = file_.read_double_dataset(g + "trials/" + c.trigger.metric);
  std::vector<double> trials, mean, half;
  Welford w;
  for (std::size_t i = 0; i < metric.size(); ++i) {
    if (status[i] == 0 && std::isfinite(metric[i])) w.add(metric[i]);
    if ((i + 1) % c.trigger.check_every == 0 || i + 1 == metric.size()) {
      trials.push_back(static_cast<double>(i + 1));
      mean.push_back(w.mean);
      half.push_back(w.ci95_halfwidth());
    }
  }
  const h5::Node cg = file_.require_group(g + "convergence");
  cg.write_attribute("metric", c.trigger.metric);
  cg.write_dataset("trials", trials, {trials.size()});
  cg.write_dataset("mean", mean, {mean.size()});
  cg.write_dataset("ci95_halfwidth", half, {half.size()});
  file_.flush();
}

void ResultsWriter::write_reference(std::size_t point, double accuracy) {
  const std::string g = groups_[point] + "reference";
  file_.remove(g);
  file_.require_group(g).write_attribute("accuracy", accuracy);
  file_.flush();
}

void ResultsWriter::write_runtime(const RunSummary& s, bool resumed) {
  file_.remove("runtime");
  const h5::Node r = file_.require_group("runtime");
  r.write_attribute("seconds", s.seconds);
  r.write_attribute("trials_run", static_cast<std::int64_t>(s.trials_run));
  r.write_attribute("trials_per_hour", s.trials_per_hour());
  r.write_attribute("threads", std::int64_t{s.threads});
  r.write_attribute("ranks", std::int64_t{s.ranks});
  r.write_attribute("trial_seconds_mean", s.timed_trials ? s.trial_seconds / static_cast<double>(s.timed_trials) : 0.0);
  r.write_attribute("ideal_pass_seconds", s.ideal_pass_seconds);
  r.write_attribute("trial_cost_ratio", s.trial_cost_ratio());
  r.write_attribute("resumed", std::int64_t{resumed ? 1 : 0});
  file_.flush();
}

ResultsData read_results(const std::string& path) {
  const h5::File f = h5::File::open(path);
  const int minor = check_filetype(f, path);
  ResultsData d;
  d.path = path;
  const h5::Node s = f.group("settings");
  d.campaign_toml = s.read_string_attribute("campaign_toml");
  d.campaign_sha256 = s.read_string_attribute("campaign_sha256");
  d.seed = static_cast<std::uint64_t>(s.read_int_attribute("master_seed"));
  const auto n_points = s.read_int_attribute("points");
  if (s.has_attribute("shard_index")) {
    d.shard = ShardSpec{static_cast<std::uint64_t>(s.read_int_attribute("shard_index")),
                        static_cast<std::uint64_t>(s.read_int_attribute("shard_count")),
                        static_cast<std::uint64_t>(s.read_int_attribute("shard_trial_begin")),
                        static_cast<std::uint64_t>(s.read_int_attribute("shard_trial_end"))};
  }
  if (f.exists("runtime")) d.seconds = f.group("runtime").read_double_attribute("seconds");
  const bool sweep = f.exists("points");
  for (std::int64_t p = 0; p < (sweep ? n_points : 1); ++p) {
    const std::string g = sweep ? "points/" + std::to_string(p) + "/" : "";
    PointTable t;
    if (sweep) t.label = f.group(g.substr(0, g.size() - 1)).read_string_attribute("label");
    t.trial = f.read_int64_dataset(g + "trials/trial");
    t.status = f.read_int64_dataset(g + "trials/status");
    if (f.exists(g + "reference")) t.reference_accuracy = f.group(g + "reference").read_double_attribute("accuracy");
    const std::size_t n = t.trial.size();
    t.dcode_hist = f.read_int64_dataset(g + "trials/dcode_hist");
    t.margin_hist = f.read_int64_dataset(g + "trials/margin_hist");
    t.dcode_hist.resize(std::min(t.dcode_hist.size(), n * pim::DCODE_BINS));
    t.margin_hist.resize(std::min(t.margin_hist.size(), n * pim::MARGIN_BINS));
    for (const auto& m : trial_metric_names()) {
      if (minor == 0 && (m == "energy_adc_j" || m == "area_mm2" || m == "area_adc_mm2") && !f.exists(g + "trials/" + m)) {
        t.columns[m].assign(n, std::numeric_limits<double>::quiet_NaN());  // added in format 1.1
        t.absent_columns.push_back(m);
        continue;
      }
      auto v = f.read_double_dataset(g + "trials/" + m);
      v.resize(std::min(v.size(), n));
      t.columns[m] = v;
    }
    // Layer columns: trials/layers/<name>/mvm_sqnr_db for every name the chip had.
    std::vector<std::string> stack{g + "trials/layers"};
    while (!stack.empty()) {
      const std::string at = stack.back();
      stack.pop_back();
      if (!f.exists(at)) continue;
      if (f.exists(at + "/mvm_sqnr_db")) {
        const std::string name = at.substr((g + "trials/layers/").size());
        t.layers.push_back(name);
        auto sq = f.read_double_dataset(at + "/mvm_sqnr_db");
        auto ce = f.read_double_dataset(at + "/code_error_rate");
        sq.resize(std::min(sq.size(), n));
        ce.resize(std::min(ce.size(), n));
        t.layer_sqnr_db[name] = sq;
        t.layer_code_error_rate[name] = ce;
        continue;
      }
      const h5::Node grp = f.group(at);
      H5G_info_t info{};
      H5Gget_info(grp.id(), &info);
      for (hsize_t i = 0; i < info.nlinks; ++i) {
        char name[256];
        H5Lget_name_by_idx(grp.id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
        stack.push_back(at + "/" + name);
      }
    }
    std::sort(t.layers.begin(), t.layers.end());
    d.points.push_back(std::move(t));
  }
  return d;
}

}  // namespace rapmc
