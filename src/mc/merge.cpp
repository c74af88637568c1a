#include "rapmc/mc/merge.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "rapmc/core/errors.h"
#include "rapmc/io/results_file.h"
#include "rapmc/mc/campaign.h"
#include "rapmc/mc/runner.h"
#include "rapmc/mc/statistics.h"
#include "rapmc/pim/counters.h"

namespace rapmc {
namespace {

TrialRecord record_of(const PointTable& t, std::size_t i) {
  TrialRecord r;
  r.trial = static_cast<std::uint64_t>(t.trial[i]);
  r.status = static_cast<TrialStatus>(t.status[i]);
  for (const auto& m : trial_metric_names()) r.metrics.push_back(t.columns.at(m)[i]);
  for (const auto& l : t.layers) {
    r.layer_sqnr_db.push_back(t.layer_sqnr_db.at(l)[i]);
    r.layer_code_error_rate.push_back(t.layer_code_error_rate.at(l)[i]);
  }
  r.dcode_hist.assign(t.dcode_hist.begin() + static_cast<std::ptrdiff_t>(i * pim::DCODE_BINS),
                      t.dcode_hist.begin() + static_cast<std::ptrdiff_t>((i + 1) * pim::DCODE_BINS));
  r.margin_hist.assign(t.margin_hist.begin() + static_cast<std::ptrdiff_t>(i * pim::MARGIN_BINS),
                       t.margin_hist.begin() + static_cast<std::ptrdiff_t>((i + 1) * pim::MARGIN_BINS));
  return r;
}

}  // namespace

std::uint64_t merge_shards(const MergeOptions& o) {
  if (o.parts.empty()) throw ConfigError("merge: no shard files given");
  std::vector<ResultsData> parts;
  for (const auto& p : o.parts) {
    parts.push_back(read_results(p));
    if (!parts.back().shard) throw ConfigError(p + ": not a shard (it was not written with --shard i/N)");
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
      throw ConfigError(d.path + ": is shard " + std::to_string(d.shard->index) + "/" + std::to_string(d.shard->count) +
                        " but " + first.path + " is of " + std::to_string(count) + " shards");
    }
    const auto [it, fresh] = by_index.emplace(d.shard->index, k);
    if (!fresh) {
      throw ConfigError("shard " + std::to_string(d.shard->index) + "/" + std::to_string(count) + " given twice: " +
                        parts[it->second].path + " and " + d.path);
    }
  }
  std::string missing;
  for (std::uint64_t i = 0; i < count; ++i)
    if (!by_index.count(i)) missing += (missing.empty() ? "" : ", ") + std::to_string(i) + "/" + std::to_string(count);
  if (!missing.empty()) throw ConfigError("merge: missing shard(s) " + missing);
  // The blocks must tile 0..T−1 as --shard i/N cuts them (same --trials everywhere).
  std::uint64_t total = 0;
  for (const ResultsData& d : parts) total = std::max(total, d.shard->end);
  for (const ResultsData& d : parts) {
    const ShardSpec want{d.shard->index, count, d.shard->index * total / count, (d.shard->index + 1) * total / count};
    if (d.shard->begin != want.begin || d.shard->end != want.end) {
      throw ConfigError(d.path + ": shard " + std::to_string(d.shard->index) + "/" + std::to_string(count) + " covers trials " +
                        std::to_string(d.shard->begin) + ".." + std::to_string(d.shard->end - 1) + " but " +
                        std::to_string(total) + " trials in " + std::to_string(count) + " shards give " +
                        std::to_string(want.begin) + ".." + std::to_string(want.end - 1) + " (different --trials?)");
    }
  }
  // Every shard complete: exactly its trials, in order.
  for (const ResultsData& d : parts) {
    for (const PointTable& t : d.points) {
      const std::uint64_t want = d.shard->end - d.shard->begin;
      bool in_order = t.trial.size() == want;
      for (std::size_t i = 0; in_order && i < t.trial.size(); ++i)
        in_order = static_cast<std::uint64_t>(t.trial[i]) == d.shard->begin + i;
      if (!in_order) {
        throw ConfigError(d.path + ": incomplete shard " + std::to_string(d.shard->index) + "/" + std::to_string(count) +
                          (t.label.empty() ? "" : " at point " + t.label) + ": has " + std::to_string(t.trial.size()) +
                          " of trials " + std::to_string(d.shard->begin) + ".." + std::to_string(d.shard->end - 1) +
                          " (finish it with --resume --shard)");
      }
    }
  }
  const Campaign c = parse_campaign(first.campaign_toml, first.path + ":/settings");
  std::vector<std::vector<std::string>> layers;
  for (const PointTable& t : first.points) layers.push_back(t.layers);
  RunInfo info;
  info.command_line = o.command_line;
  ResultsWriter writer = ResultsWriter::create(o.out, c, layers, info, o.force);
  const auto& names = trial_metric_names();
  const auto metric = static_cast<std::size_t>(std::find(names.begin(), names.end(), c.trigger.metric) - names.begin());
  std::uint64_t merged = 0;
  double seconds = 0;
  for (const ResultsData& d : parts) seconds += d.seconds;
  for (std::size_t p = 0; p < first.points.size(); ++p) {
    std::vector<TrialRecord> rows;
    for (const auto& [index, k] : by_index)
      for (std::size_t i = 0; i < parts[k].points[p].trial.size(); ++i) rows.push_back(record_of(parts[k].points[p], i));
    // Where a single run's trigger would have stopped (checked before each block).
    Welford w;
    std::size_t stop = rows.size();
    for (std::size_t n = 0; n <= rows.size(); ++n) {
      if (c.trigger.ci_halfwidth > 0 && n >= c.trigger.min_trials && n % c.trigger.check_every == 0 &&
          w.ci95_halfwidth() <= c.trigger.ci_halfwidth) {
        stop = n;
        break;
      }
      if (n < rows.size() && rows[n].status == TrialStatus::OK && std::isfinite(rows[n].metrics[metric])) w.add(rows[n].metrics[metric]);
    }
    rows.resize(stop);
    writer.append(p, rows);
    if (first.points[p].reference_accuracy) writer.write_reference(p, *first.points[p].reference_accuracy);
    writer.write_summary(p, c);
    merged += rows.size();
  }
  RunSummary s;
  s.trials_run = merged;
  s.seconds = seconds;
  writer.write_runtime(s, false);
  return merged;
}

}  // namespace rapmc
