// Merging the shards of a campaign (`rapmc run --shard i/N`) into one results file whose
// tables, statistics and convergence equal those of a single run of the same campaign.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rapmc {

struct MergeOptions {
  std::vector<std::string> parts;
  std::string out;
  bool force = false;
  std::string command_line;
};

/// Checks that the parts are shards of one campaign and seed (ConfigError naming the file that
/// differs), that every shard 0..N−1 is there exactly once (naming missing and duplicate
/// shards) and complete, then writes the merged file: rows in trial order, cut at the
/// trigger's stopping point exactly as a single run stops. Returns the merged trials.
std::uint64_t merge_shards(const MergeOptions& options);

}  // namespace rapmc
