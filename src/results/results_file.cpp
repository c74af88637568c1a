#include "rapmc/results/results_file.h"

#include "rapmc/results/lifetime_statistics.h"

#include <sys/resource.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
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

constexpr std::uint64_t COLUMN_CHUNK = 256;    // rows per chunk of a column
constexpr std::uint64_t HISTOGRAM_CHUNK = 64;  // rows per chunk of a histogram

// A unit as the file states it: "1" for a dimensionless fraction or count (as CF conventions do).
std::string unit_text(std::string_view unit) {
  return unit.empty() ? "1" : std::string(unit);
}

constexpr const char* DCODE_HIST_TEXT =
    "conversions by |code − ideal code|: bins 0, 1, ..., 6 and >= 7";
constexpr const char* MARGIN_HIST_TEXT =
    "conversions by signed sensing margin: 128 bins of 1/64 LSB from −1 LSB (the last bin open "
    "above)";

// The units and description of a dataset of a point's /trials or /statistics, by its name
// relative to that group ("trial", "accuracy", "layers/blocks/0/qkv/mvm_sqnr_db", ...).
std::pair<std::string, std::string> column_meta(const std::string& name) {
  if (name == "trial") return {"1", "trial index: the key of the trial's random streams"};
  if (name == "status") return {"1", "0 = the trial ran, 1 = it failed (error printed by run)"};
  if (name == "dcode_hist") return {"conversions", DCODE_HIST_TEXT};
  if (name == "margin_hist") return {"conversions", MARGIN_HIST_TEXT};
  if (name == "prediction")
    return {"class",
            "predicted class of each image (column i: image i of the evaluation subset, whose "
            "label and exact-MVM prediction are reference/label and reference/prediction); −1 "
            "for a failed trial"};
  if (const auto m = find_trial_metric(name)) {
    const TrialMetricInfo& info = trial_metric(*m);
    return {unit_text(info.unit), std::string(info.computed)};
  }
  const auto slash = name.rfind('/');
  for (const LayerMetricInfo& m : layer_metrics())
    if (name.rfind("layers/", 0) == 0 && name.substr(slash + 1) == m.name)
      return {unit_text(m.unit),
              "layer " + name.substr(7, slash - 7) + ": " + std::string(m.computed)};
  throw std::logic_error("results file: no units for column " + name);
}

// The `units` and `description` attributes of `node` (a dataset or a statistics group).
void annotate(const h5::Node& node, const std::string& name) {
  const auto [units, description] = column_meta(name);
  node.write_attribute("units", units);
  node.write_attribute("description", description);
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

// The histogram row datasets of a point's table, with their widths.
constexpr std::array<std::pair<const char*, int>, 2> HISTOGRAMS{
    {{"dcode_hist", pim::DCODE_BINS}, {"margin_hist", pim::MARGIN_BINS}}};

constexpr const char* PREDICTION = "trials/prediction";  // [trials × images] (format 1.5)

// Point `g`'s empty table: every column, histogram and the per-image predictions, each with its
// units and description.
void create_table(const h5::File& f, const std::string& g, const std::vector<std::string>& layers,
                  std::uint64_t images) {
  for (const auto& col : all_columns(layers)) {
    const bool integer = col == "trials/trial" || col == "trials/status";
    f.create_column(g + col, integer, COLUMN_CHUNK);
    annotate(f.dataset(g + col), col.substr(7));
  }
  for (const auto& [name, bins] : HISTOGRAMS) {
    f.create_rows(g + "trials/" + name, static_cast<std::uint64_t>(bins), HISTOGRAM_CHUNK);
    annotate(f.dataset(g + "trials/" + name), name);
  }
  f.create_rows(g + PREDICTION, images, HISTOGRAM_CHUNK, h5::StoredInt::I16);
  annotate(f.dataset(g + PREDICTION), "prediction");
}

// Every dataset of a point's table: its columns, then its histograms and predictions.
std::vector<std::string> table_datasets(const std::vector<std::string>& layers) {
  std::vector<std::string> out = all_columns(layers);
  for (const auto& [name, bins] : HISTOGRAMS) out.push_back(std::string("trials/") + name);
  out.push_back(PREDICTION);
  return out;
}

// The rows of point `g`'s table that every dataset holds, each read whole (so every chunk is
// reachable); IoError if one cannot be read (its chunk index damaged by a write that failed,
// e.g. on a full disk).
std::uint64_t complete_rows(const h5::File& f, const std::string& g,
                            const std::vector<std::string>& layers) {
  std::uint64_t n = UINT64_MAX;
  for (const auto& rel : table_datasets(layers)) {
    std::vector<std::uint64_t> shape;
    (void)f.read_float_dataset(g + rel, &shape);
    n = std::min(n, shape.at(0));
  }
  return n;
}

// An upper bound of the bytes one block's append (or a summary) adds to the file: a new chunk
// of every column, histogram and the predictions, twice for HDF5's metadata and free-space
// slack, and 256 KiB.
std::uint64_t bytes_per_write(const std::vector<std::string>& layers, std::uint64_t images) {
  std::uint64_t chunk_bytes =
      all_columns(layers).size() * COLUMN_CHUNK * 8 + HISTOGRAM_CHUNK * images * 2;
  for (const auto& [name, bins] : HISTOGRAMS)
    chunk_bytes += HISTOGRAM_CHUNK * static_cast<std::uint64_t>(bins) * 8;
  return 2 * chunk_bytes + (256u << 10);
}

}  // namespace

ResultsWriter::ResultsWriter(std::string path, WriterLock lock, std::vector<std::string> groups,
                             std::vector<std::vector<std::string>> layers, std::uint64_t images)
    : path_(std::move(path)),
      lock_(std::move(lock)),
      groups_(std::move(groups)),
      layers_(std::move(layers)),
      images_(images) {
  for (const auto& l : layers_)
    max_write_bytes_ = std::max(max_write_bytes_, bytes_per_write(l, images_));
  file_.emplace(h5::File::open(path_, h5::Access::LIVE_WRITE));
}

ResultsWriter ResultsWriter::create(const std::string& path, const Campaign& c,
                                    const std::vector<std::vector<std::string>>& layers,
                                    const RunInfo& info, bool force,
                                    const std::optional<ShardSpec>& shard) {
  const bool exists = std::filesystem::exists(path);
  if (exists && !force) {
    throw IoError(
        path +
        ": file exists; not overwritten (use --force to replace it, or --resume to continue it)");
  }
  // A file another run is writing is never replaced: its lock is taken before the truncation.
  std::optional<WriterLock> lock;
  if (exists) lock.emplace(path);
  const auto groups = point_groups(c.has_sweep(), c.points.size());
  {
    const h5::File f =
        h5::File::create(path, force ? h5::Overwrite::YES : h5::Overwrite::NO, h5::Layout::LIVE);
    const VersionInfo v = version_info();
    write_format_header(f, RESULTS_FORMAT);
    f.write_attribute("program_version", v.version);
    f.write_attribute("git_commit", v.git_commit);
    f.write_attribute("build", v.compiler + ", " + v.build_type);
    f.write_attribute("dependencies", "Boost " + v.boost + ", oneTBB " + v.tbb + ", HDF5 " +
                                          v.hdf5 + ", Armadillo " + v.armadillo);
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
    for (std::size_t p = 0; p < groups.size(); ++p) {
      if (!groups[p].empty()) {
        const h5::Node g = f.require_group(groups[p].substr(0, groups[p].size() - 1));
        g.write_attribute("label", c.points[p].label);
      }
      create_table(f, groups[p], layers[p], c.images);
    }
    f.flush();
  }
  if (!lock) lock.emplace(path);
  return ResultsWriter(path, std::move(*lock), groups, layers, c.images);
}

ResultsWriter ResultsWriter::resume(const std::string& path, const Campaign& c,
                                    const std::vector<std::vector<std::string>>& layers,
                                    const std::optional<ShardSpec>& shard) {
  if (!std::filesystem::exists(path)) throw IoError(path + ": no such file (nothing to resume)");
  WriterLock lock(path);
  const auto groups = point_groups(c.has_sweep(), c.points.size());
  {
    const h5::File f = h5::File::open(path, h5::Access::READ_WRITE);
    check_resumable(f, path, c, shard);
    for (std::size_t p = 0; p < groups.size(); ++p) {
      try {
        // Cut every column to the shortest: rows of a block being written are dropped.
        const std::uint64_t n = complete_rows(f, groups[p], layers[p]);
        for (const auto& rel : table_datasets(layers[p])) f.resize_column(groups[p] + rel, n);
      } catch (const IoError& e) {
        // A write that failed mid-way (a full disk) left this point's table unreadable: its
        // trials run again, with the same streams, so the finished file is the same.
        std::fprintf(stderr,
                     "rapmc: %s: the rows of point %zu were damaged by a failed write "
                     "(%s); they are run again\n",
                     path.c_str(), p, e.what());
        f.remove(groups[p] + "trials");
        f.remove(groups[p] + "statistics");
        f.remove(groups[p] + "convergence");
        create_table(f, groups[p], layers[p], c.images);
      }
    }
    f.flush();
  }
  return ResultsWriter(path, std::move(lock), groups, layers, c.images);
}

void ResultsWriter::check_resumable(const h5::File& f, const std::string& path, const Campaign& c,
                                    const std::optional<ShardSpec>& shard) {
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
}

void ResultsWriter::require_headroom() const {
  const std::uint64_t need = max_write_bytes_;
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(path_, ec);
  rlimit lim{};
  if (getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY &&
      size + need > lim.rlim_cur) {
    throw IoError(path_ + ": stopped before the file-size limit (ulimit -f: " +
                  std::to_string(lim.rlim_cur) + " bytes; the file has " + std::to_string(size) +
                  " and its next write may add up to " + std::to_string(need) +
                  "); the trials written are kept: raise the limit, then run again with --resume");
  }
  struct statvfs fs {};
  const std::string dir = std::filesystem::absolute(path_).parent_path().string();
  if (statvfs(dir.c_str(), &fs) == 0 &&
      static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize < need) {
    throw IoError(path_ + ": stopped before the disk is full (" +
                  std::to_string(static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize) +
                  " bytes free on " + dir + "; the next write may add up to " +
                  std::to_string(need) +
                  "); the trials written are kept: free space, then run again with --resume");
  }
}

void ResultsWriter::restructure(const std::function<void(const h5::File&)>& write) {
  require_headroom();
  file_.reset();  // the live phase ends: its appends are on disk
  {
    const h5::File f = h5::File::open(path_, h5::Access::READ_WRITE);
    write(f);
    f.flush();
  }
  file_.emplace(h5::File::open(path_, h5::Access::LIVE_WRITE));
}

PointTable ResultsWriter::table(std::size_t point) const {
  return read_point_table(*file_, groups_[point], RESULTS_FORMAT_MINOR);
}

std::uint64_t ResultsWriter::rows(std::size_t point) const {
  return file_->dataset_shape(groups_[point] + "trials/trial")[0];
}

void ResultsWriter::append(std::size_t point, std::span<const TrialRecord> records) {
  if (records.empty()) return;
  require_headroom();  // a write that fails half-way can leave the table unreadable
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
    file_->append(g + "trials/" + std::string(m.name), v);
  }
  for (std::size_t l = 0; l < layers_[point].size(); ++l)
    for (const LayerMetricInfo& m : layer_metrics()) {
      std::vector<double> v;
      for (const auto& r : records) v.push_back(r.layers[l][index_of(m.id)]);
      file_->append(g + layer_column(layers_[point][l], std::string(m.name)), v);
    }
  std::vector<std::int64_t> dh, mh;
  for (const auto& r : records) {
    dh.insert(dh.end(), r.dcode_hist.begin(), r.dcode_hist.end());
    mh.insert(mh.end(), r.margin_hist.begin(), r.margin_hist.end());
  }
  file_->append_rows(g + "trials/dcode_hist", dh);
  file_->append_rows(g + "trials/margin_hist", mh);
  std::vector<std::int64_t> pred;
  for (const auto& r : records) pred.insert(pred.end(), r.predictions.begin(), r.predictions.end());
  file_->append_rows(g + PREDICTION, pred);
  file_->append(g + "trials/status", status);
  file_->append(g + "trials/trial", trial);
  file_->flush();
}

namespace {

// /statistics/yield (docs/formats.md, "Results file"): the estimate and its 95 % interval, the
// counts, and the weighted failure probability with its diagnostics.
void write_yield(const h5::Node& yg, const YieldStatistics& y) {
  yg.write_attribute("units", std::string("1"));
  yg.write_attribute("description",
                     y.weighted
                         ? "P(accuracy >= accuracy_threshold), 1 - the failure probability "
                           "estimated from the trials' likelihood-ratio weights, a failed trial "
                           "failing, with a normal 95 % interval"
                         : "P(accuracy >= accuracy_threshold) over all trials, a failed trial "
                           "failing, with its Wilson 95 % interval");
  yg.write_attribute("accuracy_threshold", y.accuracy_threshold);
  yg.write_attribute("passing", static_cast<std::int64_t>(y.passing));
  yg.write_attribute("n", static_cast<std::int64_t>(y.n));
  yg.write_attribute("weighted", static_cast<std::int64_t>(y.weighted));
  yg.write_attribute("p", y.estimate.p);
  yg.write_attribute("ci95_low", y.estimate.low);
  yg.write_attribute("ci95_high", y.estimate.high);
  yg.write_attribute("wilson95_low", y.wilson.low);
  yg.write_attribute("wilson95_high", y.wilson.high);
  yg.write_attribute("failure_p", y.failure.p);
  yg.write_attribute("failure_std_error", y.failure.std_error);
  yg.write_attribute("ess", y.failure.ess);
  yg.write_attribute("plain_equivalent_trials", y.failure.plain_equivalent);
  yg.write_attribute("variance_reduction", y.failure.variance_reduction);
}

}  // namespace

void ResultsWriter::write_summary(std::size_t point, const Campaign& c) {
  const std::string& g = groups_[point];
  const PointStatistics st = point_statistics(table(point), c.trigger, c.yield_accuracy);
  restructure([&](const h5::File& f) {
    f.remove(g + "statistics");
    f.remove(g + "convergence");
    for (const auto& [name, s] : st.metrics) {
      const h5::Node n = f.require_group(g + "statistics/" + name);
      annotate(n, name);
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
      const h5::Node n = f.require_group(g + "statistics/" + name);
      n.write_attribute("summary", std::string("pooled"));
      n.write_attribute("error_free", static_cast<std::int64_t>(p.error_free));
    }
    write_yield(f.require_group(g + "statistics/yield"), st.yield);
    for (const auto& [name, hist] :
         {std::pair{"dcode_hist", &st.dcode_hist}, std::pair{"margin_hist", &st.margin_hist}}) {
      f.write_dataset(g + "statistics/" + name, *hist, {hist->size()});
      annotate(f.dataset(g + "statistics/" + name), name);
    }
    f.require_group(g + "statistics")
        .write_attribute("failed_trials", static_cast<std::int64_t>(st.failed));
    const ConvergenceHistory& h = st.convergence;
    const h5::Node cg = f.require_group(g + "convergence");
    cg.write_attribute("metric", h.metric);
    cg.write_dataset("trials", h.trials, {h.trials.size()});
    cg.write_dataset("mean", h.mean, {h.mean.size()});
    cg.write_dataset("ci95_halfwidth", h.ci95_halfwidth, {h.ci95_halfwidth.size()});
  });
}

void ResultsWriter::write_lifetime(const Campaign& c) {
  std::vector<PointTable> tables;
  for (std::size_t p = 0; p < groups_.size(); ++p) tables.push_back(table(p));
  const std::vector<LifetimeGroup> groups = lifetime_statistics(c, tables, path_);
  restructure([&](const h5::File& f) {
    f.remove("lifetime");
    for (std::size_t k = 0; k < groups.size(); ++k) {
      const LifetimeGroup& g = groups[k];
      const h5::Node n = f.require_group("lifetime/" + std::to_string(k));
      n.write_attribute("group", g.label);
      n.write_attribute("target_accuracy", c.mission.target_accuracy);
      for (const auto& [name, q] : {std::pair{"ttf_median", &g.median}, {"ttf_p10", &g.p10}}) {
        n.write_attribute(std::string(name) + "_s", q->age_s);
        n.write_attribute(std::string(name) + "_ci95_low_s", q->low_s);
        n.write_attribute(std::string(name) + "_ci95_high_s", q->high_s);
      }
      std::vector<double> low, high;
      for (const Interval& i : g.yield95) {
        low.push_back(i.low);
        high.push_back(i.high);
      }
      std::vector<std::int64_t> alive(g.alive.begin(), g.alive.end());
      n.write_dataset("ages_s", g.ages_s, {g.ages_s.size()});
      n.write_dataset("alive", alive, {alive.size()});
      n.write_dataset("yield_ci95_low", low, {low.size()});
      n.write_dataset("yield_ci95_high", high, {high.size()});
      n.write_dataset("trial", g.trials, {g.trials.size()});
      n.write_dataset("ttf_s", g.ttf_s, {g.ttf_s.size()});
    }
  });
}

void ResultsWriter::write_reference(std::size_t point, double accuracy,
                                    const std::vector<std::int64_t>& labels,
                                    const std::vector<std::int64_t>& predictions) {
  const std::string g = groups_[point] + "reference";
  restructure([&](const h5::File& f) {
    f.remove(g);
    f.require_group(g).write_attribute("accuracy", accuracy);
    const std::vector<std::uint64_t> shape{labels.size()};
    f.write_dataset(g + "/label", labels, shape);
    f.write_dataset(g + "/prediction", predictions, shape);
    for (const auto& [name, text] :
         {std::pair{"label", "the label of each image of the evaluation subset"},
          std::pair{"prediction", "the class the pipeline predicts on exact digital MVMs"}}) {
      f.dataset(g + "/" + name).write_attribute("units", std::string("class"));
      f.dataset(g + "/" + name).write_attribute("description", std::string(text));
    }
  });
}

void ResultsWriter::write_runtime(const RunSummary& s, bool resumed) {
  restructure([&](const h5::File& f) {
    f.remove("runtime");
    const h5::Node r = f.require_group("runtime");
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
  });
}

}  // namespace rapmc
