// Reading a results file back (docs/formats.md, "Results file"): its settings and, per campaign
// point, the per-trial table. Used by report, replay, merge, --resume and the writer's summary.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rapmc/io/format_header.h"
#include "rapmc/io/hdf5.h"
#include "rapmc/mc/shard.h"

namespace rapmc {

inline constexpr int RESULTS_FORMAT_MAJOR = 1;
inline constexpr int RESULTS_FORMAT_MINOR = 5;
/// What each minor version added (docs/formats.md is generated from it).
inline constexpr std::string_view RESULTS_FORMAT_HISTORY =
    "1.0: first version; 1.1 added the per-trial columns `energy_adc_j`, `area_mm2`, "
    "`area_adc_mm2` and the per-point `/reference` group (accuracy on exact digital MVMs); 1.2: "
    "the signed sensing margin (128-bin `margin_hist` over [−1, 1) LSB; `margin_*` signed), "
    "`logit_signal_power`, `logit_error_power`, per-layer `signal_power`, `error_power`, "
    "`saturation_rate`, `margin_{min,p01,p50}_lsb`, pooled SQNR statistics; 1.3: written live "
    "(HDF5 1.10 format, single-writer/multiple-reader), `units` and `description` attributes on "
    "every dataset of `/trials` and `/statistics`; 1.4: per-trial `weight` and `sigma_scale` "
    "(importance and scaled-sigma sampling), the yield's estimate, interval and weighted "
    "diagnostics; 1.5: per-image predictions (`/trials/prediction`, `/reference/label`, "
    "`/reference/prediction`)";
inline constexpr FileFormat RESULTS_FORMAT{
    "rapmc-results",     "rapmc results file",       RESULTS_FORMAT_MAJOR,  RESULTS_FORMAT_MINOR,
    HeaderErrorKind::IO, "[Results](#results-file)", RESULTS_FORMAT_HISTORY};

/// One point's table as read back.
struct PointTable {
  std::string label;
  std::vector<std::int64_t> trial, status;
  std::map<std::string, std::vector<double>> columns;  // metric name → values (trial order)
  std::vector<std::string> absent_columns;  // not in the file (older format): NaN / 0 here
  std::vector<std::string> layers;
  /// layer_column(layer, metric) → values (trial order), every metric of mc/layer_metrics.h.
  std::map<std::string, std::vector<double>> layer_columns;
  std::vector<std::int64_t> dcode_hist, margin_hist;  // row-major [trials × bins]
  /// The column of `layer` and `metric`.
  const std::vector<double>& layer_values(const std::string& layer, std::string_view metric) const;
  std::optional<double> reference_accuracy;  // exact digital MVMs (format 1.1)
  /// Per image (format 1.5; empty in older files): the label, the prediction on exact digital
  /// MVMs, and each trial's prediction, row-major [trials × images] (−1: a failed trial).
  std::size_t images = 0;
  std::vector<std::int64_t> labels, ideal_predictions, predictions;
  /// Trial row `row`'s prediction of image i.
  std::int64_t prediction(std::size_t row, std::size_t i) const {
    return predictions[row * images + i];
  }
};

struct ResultsData {
  std::string path;
  int format_minor = RESULTS_FORMAT_MINOR;
  std::string campaign_toml, campaign_sha256;
  std::uint64_t seed = 0;
  std::string rng_scheme;          // /settings rng_scheme (keyed_rng.h RNG_SCHEME)
  std::optional<ShardSpec> shard;  // set for a file written with --shard
  double seconds = 0;              // /runtime seconds, 0 if absent
  std::vector<PointTable> points;
};

/// Reads a results file; IoError naming the file or dataset if it is missing, not a rapmc
/// results file, of another major version, or corrupt.
ResultsData read_results(const std::string& path);

/// ConfigError unless `scheme` (a results file's /settings rng_scheme) is the one this rapmc
/// draws with: a file of another scheme stays readable, but `what` (resuming it, merging it,
/// replaying a trial of it) would mix two schemes or compare across them.
void require_rng_scheme(const std::string& path, const std::string& scheme,
                        const std::string& what);

/// The table of the point stored under `group` ("" or "points/<i>/") of an open results file of
/// minor version `minor`; rows beyond the trial column (a block being written) are cut.
PointTable read_point_table(const h5::Node& file, const std::string& group, int minor);

/// The column `what` (a name of mc/layer_metrics.h) of `layer` in a point's table.
std::string layer_column(const std::string& layer, const std::string& what);

/// "" for a campaign without sweep, else "points/<i>/" for each of `points`.
std::vector<std::string> point_groups(bool sweep, std::size_t points);

}  // namespace rapmc
