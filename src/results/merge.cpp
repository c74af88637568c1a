#include "rapmc/results/merge.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "rapmc/core/errors.h"
#include "rapmc/mc/campaign.h"
#include "rapmc/mc/layer_metrics.h"
#include "rapmc/mc/shard.h"
#include "rapmc/mc/trial_metrics.h"
#include "rapmc/mc/trigger.h"
#include "rapmc/pim/counters.h"
#include "rapmc/results/results_file.h"

namespace rapmc {
namespace {

TrialRecord record_of(const PointTable& t, std::size_t i) {
  TrialRecord r;
  r.trial = static_cast<std::uint64_t>(t.trial[i]);
  r.status = static_cast<TrialStatus>(t.status[i]);
  for (const TrialMetricInfo& m : trial_metrics())
    r.metrics[index_of(m.id)] = t.columns.at(std::string(m.name))[i];
  for (const auto& l : t.layers) {
    LayerMetricValues v;
    for (const LayerMetricInfo& m : layer_metrics())
      v[index_of(m.id)] = t.layer_values(l, m.name)[i];
    r.layers.push_back(v);
  }
  r.dcode_hist.assign(
      t.dcode_hist.begin() + static_cast<std::ptrdiff_t>(i * pim::DCODE_BINS),
      t.dcode_hist.begin() + static_cast<std::ptrdiff_t>((i + 1) * pim::DCODE_BINS));
  r.margin_hist.assign(
      t.margin_hist.begin() + static_cast<std::ptrdiff_t>(i * pim::MARGIN_BINS),
      t.margin_hist.begin() + static_cast<std::ptrdiff_t>((i + 1) * pim::MARGIN_BINS));
  r.predictions.assign(t.predictions.begin() + static_cast<std::ptrdiff_t>(i * t.images),
                       t.predictions.begin() + static_cast<std::ptrdiff_t>((i + 1) * t.images));
  return r;
}

std::string shard_name(const ShardSpec& s) {
  return std::to_string(s.index) + "/" + std::to_string(s.count);
}

// Reads the parts; each must be a shard of the first one's campaign, seed and shard count, and
// appear once. Returns shard index → part.
std::map<std::uint64_t, std::size_t> index_parts(const std::vector<std::string>& paths,
                                                 std::vector<ResultsData>& parts) {
  if (paths.empty()) throw ConfigError("merge: no shard files given");
  for (const auto& p : paths) {
    parts.push_back(read_results(p));
    require_rng_scheme(p, parts.back().rng_scheme, "merging it");
    if (!parts.back().shard)
      throw ConfigError(p + ": not a shard (it was not written with --shard i/N)");
    if (parts.back().format_minor != RESULTS_FORMAT_MINOR)
      throw ConfigError(p + ": a shard of results format 1." +
                        std::to_string(parts.back().format_minor) + "; merge joins only 1." +
                        std::to_string(RESULTS_FORMAT_MINOR) +
                        " shards (run them again with this rapmc)");
  }
  const ResultsData& first = parts.front();
  const std::uint64_t count = first.shard->count;
  std::map<std::uint64_t, std::size_t> by_index;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const ResultsData& d = parts[k];
    if (d.campaign_sha256 != first.campaign_sha256 || d.seed != first.seed) {
      throw ConfigError(d.path + ": comes from another campaign or seed than " + first.path +
                        " (settings SHA-256 or master_seed differ)");
    }
    if (d.shard->count != count) {
      throw ConfigError(d.path + ": is shard " + shard_name(*d.shard) + " but " + first.path +
                        " is of " + std::to_string(count) + " shards");
    }
    const auto [it, fresh] = by_index.emplace(d.shard->index, k);
    if (!fresh) {
      throw ConfigError("shard " + shard_name(*d.shard) +
                        " given twice: " + parts[it->second].path + " and " + d.path);
    }
  }
  return by_index;
}

// Every shard 0..N−1 present, the shards tiling 0..T−1 as --shard i/N cuts them (the same
// --trials everywhere), and each complete: exactly its trials, in order.
void check_coverage(const std::vector<ResultsData>& parts,
                    const std::map<std::uint64_t, std::size_t>& by_index) {
  const std::uint64_t count = parts.front().shard->count;
  std::string missing;
  for (std::uint64_t i = 0; i < count; ++i)
    if (!by_index.count(i))
      missing += (missing.empty() ? "" : ", ") + std::to_string(i) + "/" + std::to_string(count);
  if (!missing.empty()) throw ConfigError("merge: missing shard(s) " + missing);
  std::uint64_t total = 0;
  for (const ResultsData& d : parts) total = std::max(total, d.shard->end);
  for (const ResultsData& d : parts) {
    const ShardSpec want = shard_range(d.shard->index, count, total);
    const std::string range =
        std::to_string(d.shard->begin) + ".." + std::to_string(d.shard->end - 1);
    if (d.shard->begin != want.begin || d.shard->end != want.end) {
      throw ConfigError(d.path + ": shard " + shard_name(*d.shard) + " covers trials " + range +
                        " but " + std::to_string(total) + " trials in " + std::to_string(count) +
                        " shards give " + std::to_string(want.begin) + ".." +
                        std::to_string(want.end - 1) + " (different --trials?)");
    }
    for (const PointTable& t : d.points) {
      bool in_order = t.trial.size() == d.shard->end - d.shard->begin;
      for (std::size_t i = 0; in_order && i < t.trial.size(); ++i)
        in_order = static_cast<std::uint64_t>(t.trial[i]) == d.shard->begin + i;
      if (!in_order) {
        throw ConfigError(d.path + ": incomplete shard " + shard_name(*d.shard) +
                          (t.label.empty() ? "" : " at point " + t.label) + ": has " +
                          std::to_string(t.trial.size()) + " of trials " + range +
                          " (finish it with --resume --shard)");
      }
    }
  }
}

// Point p's rows of every shard in trial order, cut where a single run's trigger would have
// stopped (checked before each block).
std::vector<TrialRecord> merged_rows(const Campaign& c, const std::vector<ResultsData>& parts,
                                     const std::map<std::uint64_t, std::size_t>& by_index,
                                     std::size_t p) {
  std::vector<TrialRecord> rows;
  for (const auto& [index, k] : by_index)
    for (std::size_t i = 0; i < parts[k].points[p].trial.size(); ++i)
      rows.push_back(record_of(parts[k].points[p], i));
  const TrialMetric metric = *find_trial_metric(c.trigger.metric);
  TriggerTracker trigger(c.trigger);
  for (std::size_t n = 0; n < rows.size(); ++n) {
    if (trigger.stops_at(n)) {
      rows.resize(n);
      break;
    }
    trigger.add(rows[n].status, rows[n].metric(metric));
  }
  return rows;
}

}  // namespace

std::uint64_t merge_shards(const MergeOptions& o) {
  std::vector<ResultsData> parts;
  const auto by_index = index_parts(o.parts, parts);
  check_coverage(parts, by_index);
  const ResultsData& first = parts.front();
  const Campaign c = parse_campaign(first.campaign_toml, first.path + ":/settings");
  std::vector<std::vector<std::string>> layers;
  for (const PointTable& t : first.points) layers.push_back(t.layers);
  RunInfo info;
  info.command_line = o.command_line;
  ResultsWriter writer = ResultsWriter::create(o.out, c, layers, info, o.force);
  RunSummary s;
  for (const ResultsData& d : parts) s.seconds += d.seconds;
  for (std::size_t p = 0; p < first.points.size(); ++p) {
    const std::vector<TrialRecord> rows = merged_rows(c, parts, by_index, p);
    writer.append(p, rows);
    if (first.points[p].reference_accuracy)
      writer.write_reference(p, *first.points[p].reference_accuracy, first.points[p].labels,
                             first.points[p].ideal_predictions);
    writer.write_summary(p, c);
    s.trials_run += rows.size();
  }
  if (c.mission.enabled()) writer.write_lifetime(c);
  writer.write_runtime(s, false);
  return s.trials_run;
}

}  // namespace rapmc
