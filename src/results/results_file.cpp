#include "rapmc/results/results_file.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <limits>

#include "rapmc/core/errors.h"
#include "rapmc/core/keyed_rng.h"
#include "rapmc/core/version.h"
#include "rapmc/mc/layer_metrics.h"
#include "rapmc/mc/trial_metrics.h"
#include "rapmc/pim/counters.h"
#include "rapmc/results/point_statistics.h"

namespace rapmc {
namespace {

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Every column of a point's table (relative to its group).
std::vector<std::string> all_columns(const std::vector<std::string>& layers) {
  std::vector<std::string> cols{"trials/trial", "trials/status"};
  for (const TrialMetricInfo& m : trial_metrics()) cols.push_back("trials/" + std::string(m.name));
  for (const auto& l : layers)
    for (const LayerMetricInfo& m : layer_metrics())
      cols.push_back(layer_column(l, std::string(m.name)));
  return cols;
}

}  // namespace

ResultsWriter::ResultsWriter(h5::File file, std::vector<std::string> groups,
                             std::vector<std::vector<std::string>> layers)
    : file_(std::move(file)), groups_(std::move(groups)), layers_(std::move(layers)) {}

ResultsWriter ResultsWriter::create(const std::string& path, const Campaign& c,
                                    const std::vector<std::vector<std::string>>& layers,
                                    const RunInfo& info, bool force,
                                    const std::optional<ShardSpec>& shard) {
  if (std::filesystem::exists(path) && !force) {
    throw IoError(
        path +
        ": file exists; not overwritten (use --force to replace it, or --resume to continue it)");
  }
  h5::File f = h5::File::create(path, force ? h5::Overwrite::YES : h5::Overwrite::NO);
  const VersionInfo v = version_info();
  write_format_header(f, RESULTS_FORMAT);
  f.write_attribute("program_version", v.version);
  f.write_attribute("git_commit", v.git_commit);
  f.write_attribute("build", v.compiler + ", " + v.build_type);
  f.write_attribute("dependencies", "Boost " + v.boost + ", oneTBB " + v.tbb + ", HDF5 " + v.hdf5 +
                                        ", Armadillo " + v.armadillo);
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
  const auto groups = point_groups(c.has_sweep(), c.points.size());
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
  const int minor = check_format_header(f, path, RESULTS_FORMAT);
  const h5::Node settings = f.group("settings");
  const bool file_sharded = settings.has_attribute("shard_index");
  const std::string want =
      shard ? std::to_string(shard->index) + "/" + std::to_string(shard->count) : "none";
  const std::string have = file_sharded
                               ? std::to_string(settings.read_int_attribute("shard_index")) + "/" +
                                     std::to_string(settings.read_int_attribute("shard_count"))
                               : "none";
  if (want != have)
    throw ConfigError(path + ": was written as shard " + have + ", cannot resume it as shard " +
                      want);
  if (minor != RESULTS_FORMAT_MINOR) {
    throw IoError(
        path + ": written in results format " + f.read_string_attribute("format_version") +
        "; --resume appends only to format " + std::to_string(RESULTS_FORMAT_MAJOR) + "." +
        std::to_string(RESULTS_FORMAT_MINOR) + " files (run the campaign again with --force)");
  }
  require_rng_scheme(path, settings.read_string_attribute("rng_scheme"), "--resume");
  const std::string sha = settings.read_string_attribute("campaign_sha256");
  if (sha != c.sha256) {
    throw ConfigError(path + ": holds another campaign (settings SHA-256 " + sha.substr(0, 12) +
                      "..., " + c.source + " has " + c.sha256.substr(0, 12) +
                      "...); --resume continues only the same campaign");
  }
  const auto groups = point_groups(c.has_sweep(), c.points.size());
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

PointTable ResultsWriter::table(std::size_t point) const {
  return read_point_table(file_, groups_[point], RESULTS_FORMAT_MINOR);
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
  for (const TrialMetricInfo& m : trial_metrics()) {
    std::vector<double> v;
    for (const auto& r : records) v.push_back(r.metric(m.id));
    file_.append(g + "trials/" + std::string(m.name), v);
  }
  for (std::size_t l = 0; l < layers_[point].size(); ++l)
    for (const LayerMetricInfo& m : layer_metrics()) {
      std::vector<double> v;
      for (const auto& r : records) v.push_back(r.layers[l][index_of(m.id)]);
      file_.append(g + layer_column(layers_[point][l], std::string(m.name)), v);
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
  const PointStatistics st = point_statistics(table(point), c.trigger, c.yield_accuracy);
  file_.remove(g + "statistics");
  file_.remove(g + "convergence");
  for (const auto& [name, s] : st.metrics) {
    const h5::Node n = file_.require_group(g + "statistics/" + name);
    n.write_attribute("n", static_cast<std::int64_t>(s.n));
    for (const auto& [k, x] : {std::pair{"mean", s.mean},
                               {"std", s.std},
                               {"ci95_low", s.ci95_low},
                               {"ci95_high", s.ci95_high},
                               {"min", s.min},
                               {"max", s.max},
                               {"q05", s.q05},
                               {"q50", s.q50},
                               {"q95", s.q95}})
      n.write_attribute(k, x);
  }
  for (const auto& [name, p] : st.sqnr) {
    const h5::Node n = file_.require_group(g + "statistics/" + name);
    n.write_attribute("summary", std::string("pooled"));
    n.write_attribute("error_free", static_cast<std::int64_t>(p.error_free));
  }
  const h5::Node yg = file_.require_group(g + "statistics/yield");
  yg.write_attribute("accuracy_threshold", st.yield.accuracy_threshold);
  yg.write_attribute("passing", static_cast<std::int64_t>(st.yield.passing));
  yg.write_attribute("n", static_cast<std::int64_t>(st.yield.n));
  yg.write_attribute("p", st.yield.wilson.p);
  yg.write_attribute("wilson95_low", st.yield.wilson.low);
  yg.write_attribute("wilson95_high", st.yield.wilson.high);
  file_.write_dataset(g + "statistics/dcode_hist", st.dcode_hist, {st.dcode_hist.size()});
  file_.write_dataset(g + "statistics/margin_hist", st.margin_hist, {st.margin_hist.size()});
  file_.require_group(g + "statistics")
      .write_attribute("failed_trials", static_cast<std::int64_t>(st.failed));
  const ConvergenceHistory& h = st.convergence;
  const h5::Node cg = file_.require_group(g + "convergence");
  cg.write_attribute("metric", h.metric);
  cg.write_dataset("trials", h.trials, {h.trials.size()});
  cg.write_dataset("mean", h.mean, {h.mean.size()});
  cg.write_dataset("ci95_halfwidth", h.ci95_halfwidth, {h.ci95_halfwidth.size()});
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
  r.write_attribute("trial_seconds_mean",
                    s.timed_trials ? s.trial_seconds / static_cast<double>(s.timed_trials) : 0.0);
  r.write_attribute("ideal_pass_seconds", s.ideal_pass_seconds);
  r.write_attribute("trial_cost_ratio", s.trial_cost_ratio());
  r.write_attribute("resumed", std::int64_t{resumed ? 1 : 0});
  file_.flush();
}

}  // namespace rapmc
