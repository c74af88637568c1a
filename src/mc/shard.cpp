#include "rapmc/mc/shard.h"

#include <stdexcept>

#include "rapmc/core/errors.h"

namespace rapmc {

ShardSpec shard_range(std::uint64_t index, std::uint64_t count, std::uint64_t trials) {
  return ShardSpec{index, count, index * trials / count, (index + 1) * trials / count};
}

ShardSpec parse_shard(const std::string& text, std::uint64_t trials) {
  const auto slash = text.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    std::size_t used = 0;
    const auto i = std::stoull(text.substr(0, slash), &used);
    if (used != slash) throw std::invalid_argument("index");
    const std::string rest = text.substr(slash + 1);
    const auto n = std::stoull(rest, &used);
    if (used != rest.size() || n == 0 || i >= n) throw std::invalid_argument("range");
    if (n > trials) throw std::invalid_argument("more shards than trials");
    return shard_range(i, n, trials);
  } catch (const std::exception&) {
    throw ConfigError("--shard '" + text + "': expected i/N with 0 <= i < N <= trials (" +
                      std::to_string(trials) + ")");
  }
}

}  // namespace rapmc
