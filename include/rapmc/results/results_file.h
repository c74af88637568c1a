// Writing the results file of a campaign (HDF5, docs/formats.md "Results file"): provenance, the
// campaign's settings verbatim with their SHA-256, one table per campaign point with one row per
// trial (columns that grow as trials finish, flushed after every block), and the statistics,
// convergence history and runtime written at the end. A killed run keeps every row written.
// Rows are appended in HDF5's single-writer/multiple-reader mode, so other processes can read a
// running campaign's rows (docs/formats.md, "Reading a running campaign"); one writer per file.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rapmc/io/hdf5.h"
#include "rapmc/io/writer_lock.h"
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
  /// With [lifetime]: /lifetime, each group's time to failure per trial and its statistics
  /// (results/lifetime_statistics.h; docs/formats.md), from the points' tables.
  void write_lifetime(const Campaign& c);
  PointTable table(std::size_t point) const;
  /// Appends records (in trial order, continuing the table) and flushes the file.
  void append(std::size_t point, std::span<const TrialRecord> records);
  /// Records point p's reference: the accuracy of the same pipeline on exact digital MVMs
  /// over the evaluation subset (group reference, attribute accuracy), each image's label and
  /// that pipeline's prediction (reference/label, reference/prediction; format 1.5).
  void write_reference(std::size_t point, double accuracy, const std::vector<std::int64_t>& labels,
                       const std::vector<std::int64_t>& predictions);
  /// Writes point p's statistics and convergence history from its rows (point_statistics).
  void write_summary(std::size_t point, const Campaign& c);
  void write_runtime(const RunSummary& summary, bool resumed);

 private:
  ResultsWriter(std::string path, WriterLock lock, std::vector<std::string> groups,
                std::vector<std::vector<std::string>> layers, std::uint64_t images);
  static void check_resumable(const h5::File& f, const std::string& path, const Campaign& c,
                              const std::optional<ShardSpec>& shard);
  /// Ends the live phase, runs `write` on the file opened for any change (new groups and
  /// attributes, which live readers are not promised to see consistently), and goes live again.
  void restructure(const std::function<void(const h5::File&)>& write);
  /// IoError naming the file unless the file-size limit (ulimit -f) and the disk leave room for
  /// the next write: stopping before a write keeps the file whole; a write failing half-way
  /// might not (docs/errors.md, E41).
  void require_headroom() const;

  std::string path_;
  WriterLock lock_;                  // one writer per file, for the writer's whole life
  std::optional<h5::File> file_;     // the live (single-writer/multiple-reader) handle
  std::vector<std::string> groups_;  // "" or "points/<i>/" per point
  std::vector<std::vector<std::string>> layers_;  // per point
  std::uint64_t images_ = 0;                      // columns of trials/prediction
  std::uint64_t max_write_bytes_ = 0;             // bound of one append or summary, over the points
};

}  // namespace rapmc
