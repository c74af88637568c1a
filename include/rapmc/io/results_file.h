// The results file of a campaign (HDF5, README "Results file"): provenance, the campaign's
// settings verbatim with their SHA-256, one table per campaign point with one row per trial
// (columns that grow as trials finish, flushed after every block), and the statistics,
// convergence history and runtime written at the end. A killed run keeps every row written.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rapmc/io/hdf5.h"
#include "rapmc/mc/campaign.h"
#include "rapmc/mc/trial.h"

namespace rapmc {

inline constexpr int RESULTS_FORMAT_MAJOR = 1;
// 1.1: per-trial energy_adc_j, area_mm2, area_adc_mm2; reference/accuracy per point.
inline constexpr int RESULTS_FORMAT_MINOR = 1;

struct RunSummary;

/// A shard of a campaign: trials [begin, end) of `count` equal blocks.
struct ShardSpec {
  std::uint64_t index = 0, count = 1;
  std::uint64_t begin = 0, end = 0;
};

/// Provenance recorded at the root.
struct RunInfo {
  std::string command_line;
  int threads = 1;
  int ranks = 1;
};

class ResultsWriter {
 public:
  /// Creates `path` for `c`: IoError if it exists and `force` is false (the file is untouched).
  /// `layers[p]` are the per-layer columns of point p.
  static ResultsWriter create(const std::string& path, const Campaign& c,
                              const std::vector<std::vector<std::string>>& layers, const RunInfo& info, bool force,
                              const std::optional<ShardSpec>& shard = std::nullopt);
  /// Opens `path` to continue `c`: IoError if it is not a rapmc results file, ConfigError if
  /// it holds another campaign (settings SHA-256 differ). Rows of a partly written last block
  /// (columns of unequal length) are dropped.
  static ResultsWriter resume(const std::string& path, const Campaign& c,
                              const std::vector<std::vector<std::string>>& layers,
                              const std::optional<ShardSpec>& shard = std::nullopt);

  /// Rows (trials) already in point p's table.
  std::uint64_t rows(std::size_t point) const;
  /// Appends records (in trial order, continuing the table) and flushes the file.
  void append(std::size_t point, const std::vector<TrialRecord>& records);
  /// Records point p's reference: the accuracy of the same pipeline on exact digital MVMs
  /// over the evaluation subset (group reference, attribute accuracy).
  void write_reference(std::size_t point, double accuracy);
  /// Writes point p's statistics and convergence history from its rows.
  void write_summary(std::size_t point, const Campaign& c);
  void write_runtime(const RunSummary& summary, bool resumed);

 private:
  ResultsWriter(h5::File file, std::vector<std::string> groups, std::vector<std::vector<std::string>> layers);
  h5::File file_;
  std::vector<std::string> groups_;                // "" or "points/<i>/" per point
  std::vector<std::vector<std::string>> layers_;  // per point
};

/// One point's table as read back.
struct PointTable {
  std::string label;
  std::vector<std::int64_t> trial, status;
  std::map<std::string, std::vector<double>> columns;  // metric name → values (trial order)
  std::vector<std::string> absent_columns;             // not in the file (older format): NaN above
  std::vector<std::string> layers;
  std::map<std::string, std::vector<double>> layer_sqnr_db, layer_code_error_rate;
  std::vector<std::int64_t> dcode_hist, margin_hist;  // row-major [trials × bins]
  std::optional<double> reference_accuracy;            // exact digital MVMs (format 1.1)
};


struct ResultsData {
  std::string path;
  std::string campaign_toml, campaign_sha256;
  std::uint64_t seed = 0;
  std::optional<ShardSpec> shard;  // set for a file written with --shard
  double seconds = 0;              // /runtime seconds, 0 if absent
  std::vector<PointTable> points;
};

/// Reads a results file; IoError naming the file or dataset if it is missing, not a rapmc
/// results file, of another major version, or corrupt.
ResultsData read_results(const std::string& path);

}  // namespace rapmc
