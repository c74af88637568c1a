// Writing the results file of a campaign (HDF5, docs/formats.md "Results file"): provenance, the
// campaign's settings verbatim with their SHA-256, one table per campaign point with one row per
// trial (columns that grow as trials finish, flushed after every block), and the statistics,
// convergence history and runtime written at the end. A killed run keeps every row written.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rapmc/io/hdf5.h"
#include "rapmc/mc/campaign.h"
#include "rapmc/mc/run_summary.h"
#include "rapmc/mc/shard.h"
#include "rapmc/mc/trial.h"
#include "rapmc/results/results_reader.h"

namespace rapmc {

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
                              const std::vector<std::vector<std::string>>& layers,
                              const RunInfo& info, bool force,
                              const std::optional<ShardSpec>& shard = std::nullopt);
  /// Opens `path` to continue `c`: IoError if it is not a rapmc results file, ConfigError if
  /// it holds another campaign (settings SHA-256 differ). Rows of a partly written last block
  /// (columns of unequal length) are dropped.
  static ResultsWriter resume(const std::string& path, const Campaign& c,
                              const std::vector<std::vector<std::string>>& layers,
                              const std::optional<ShardSpec>& shard = std::nullopt);

  /// Rows (trials) already in point p's table.
  std::uint64_t rows(std::size_t point) const;
  /// Point p's table as written so far.
  PointTable table(std::size_t point) const;
  /// Appends records (in trial order, continuing the table) and flushes the file.
  void append(std::size_t point, const std::vector<TrialRecord>& records);
  /// Records point p's reference: the accuracy of the same pipeline on exact digital MVMs
  /// over the evaluation subset (group reference, attribute accuracy).
  void write_reference(std::size_t point, double accuracy);
  /// Writes point p's statistics and convergence history from its rows (point_statistics).
  void write_summary(std::size_t point, const Campaign& c);
  void write_runtime(const RunSummary& summary, bool resumed);

 private:
  ResultsWriter(h5::File file, std::vector<std::string> groups,
                std::vector<std::vector<std::string>> layers);
  h5::File file_;
  std::vector<std::string> groups_;               // "" or "points/<i>/" per point
  std::vector<std::vector<std::string>> layers_;  // per point
};

}  // namespace rapmc
