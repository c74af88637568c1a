// Shards of a campaign (`rapmc run --shard i/N`): trials split into N contiguous blocks, one
// rule for the runner that writes a shard and the merge that checks them.
#pragma once

#include <cstdint>
#include <string>

namespace rapmc {

/// Shard `index` of `count`: trials [begin, end).
struct ShardSpec {
  std::uint64_t index = 0, count = 1;
  std::uint64_t begin = 0, end = 0;
};

/// Shard i of N over T trials: trials [i·T/N, (i+1)·T/N).
ShardSpec shard_range(std::uint64_t index, std::uint64_t count, std::uint64_t trials);

/// "i/N" (0 <= i < N <= trials) → shard_range(i, N, trials); ConfigError naming --shard otherwise.
ShardSpec parse_shard(const std::string& text, std::uint64_t trials);

}  // namespace rapmc
