// A Monte Carlo campaign (docs/configuration.md, "Campaign keys"): what to evaluate, on which
// hardware, under which variation and operating point, how many trials, when to stop, and an
// optional sweep (a grid over parameters, each point its own Monte Carlo with the same trials).
// Everything is validated before any trial runs; all problems are reported at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rapmc/data/subset.h"
#include "rapmc/infer/pipeline.h"
#include "rapmc/mc/mission.h"
#include "rapmc/pim/hardware.h"
#include "rapmc/quant/int_model.h"
#include "rapmc/variation/die_sampling.h"
#include "rapmc/variation/variation.h"

namespace rapmc {

struct TriggerConfig {
  std::string metric = "accuracy";  // a per-trial metric name
  double ci_halfwidth = 0;          // stop when the 95 % CI half-width is below this (0: off)
  std::uint64_t min_trials = 8;     // never stop before this many trials
  std::uint64_t check_every = 8;    // trials per block; triggers are checked between blocks
};

/// One point of the sweep grid (the campaign itself when there is no sweep).
struct CampaignPoint {
  std::string label;                                           // "adc.enob=3" ("" without sweep)
  std::vector<std::pair<std::string, std::string>> overrides;  // key, value as TOML text
  HardwareConfig hardware;
  VariationConfig variation;
  Corner corner;
  TempMode temp_mode = TempMode::FIXED;
  double temp_min_c = -40, temp_max_c = 125;
  SamplingConfig sampling;        // how trials draw their die ([sampling]); its σ scale applied
  std::optional<MissionAge> age;  // with [lifetime]: the age this point evaluates
};

struct Campaign {
  std::string source;  // file it was read from
  std::string text;    // verbatim TOML
  std::string sha256;  // of text
  std::string name;
  std::uint64_t seed = 0;
  std::uint64_t trials = 0;
  std::string model;      // FP32 model (ptq-dqq and provenance)
  std::string int_model;  // integer model
  std::string dataset;    // empty: the model's own kind of test data (default_dataset)
  std::string data_dir;
  std::size_t images = 0;       // evaluation subset: images [first_image, first_image + images), or
  std::size_t first_image = 0;  // `images` stratified by class (select = STRATIFIED)
  SubsetSelect select = SubsetSelect::FIRST;
  Pipeline pipeline = Pipeline::FLARE;
  RequantMode requant = RequantMode::EMSB;
  std::string hardware_file;
  TriggerConfig trigger;
  double yield_accuracy = 0.85;  // yield = P(accuracy >= this), in (0, 1)
  MissionProfile mission;        // [lifetime]: every point evaluated at every age
  /// True if some point weighs its trials (importance sampling).
  bool weighted() const;
  std::vector<CampaignPoint> points;
  bool has_sweep() const { return points.size() > 1 || !points.front().label.empty(); }
};

/// The largest sweep grid one campaign may hold (each point is its own Monte Carlo; assumed).
inline constexpr std::size_t MAX_SWEEP_POINTS = 10'000;

/// The keys of a campaign's own sections ([campaign], [model], [data], [pipeline], hardware.file,
/// [trigger], [yield], [operating_point], [sampling], [lifetime]) as the reader asks for them:
/// each with its default and range (`rapmc config --markdown`). [variation] is read_variation's.
std::vector<KeyRecord> campaign_key_records();

/// Reads and validates a campaign file; ConfigError naming the file and every bad key,
/// IoError if it (or its hardware file) cannot be read.
Campaign load_campaign(const std::string& path);
Campaign parse_campaign(const std::string& text, const std::string& source);

}  // namespace rapmc
