// The tails file (docs/formats.md, "Tails file"): the per-count estimates of one `rapmc tails`
// run, in HDF5, for plots and studies.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "rapmc/io/format_header.h"
#include "rapmc/tails/rare_event.h"

namespace rapmc::tails {

inline constexpr FileFormat TAILS_FORMAT{
    "rapmc-tails",
    "rapmc tails file",
    1,
    1,
    HeaderErrorKind::IO,
    "[Tails](#tails-file)",
    "1.0: first version; 1.1: `failing_column_reads` (failing columns averaged over reads)"};

/// What one run estimated: per method, one estimate per count (in `counts` order).
struct TailsReport {
  std::string hardware;  // the design's name
  std::string source;    // the hardware or campaign file
  int rows = 0, min_codes = 1;
  double failing_limit = 0;  // > 0: estimates of failing columns or read states
  int failing_reads = 0;     // reads a failing column's rate averages over; 0: read states
  std::uint64_t seed = 0;
  std::vector<std::string> variable_names;
  std::vector<int> counts;
  std::map<std::string, std::vector<TailEstimate>> estimates;  // method → per count
  std::vector<std::uint64_t> count_histogram;                  // with --average
  std::map<std::string, std::pair<double, double>> average;    // method → (p, standard error)
};

/// Writes the report to `path`; an existing file is an IoError (left untouched) unless
/// `overwrite`.
void write_tails_file(const std::string& path, const TailsReport& r, bool overwrite);

}  // namespace rapmc::tails
