// A canonical text dump of a results file's outcomes, for the golden regression: every dataset
// and attribute below the root except provenance (root attributes), /settings and /runtime,
// in name order, doubles as their shortest round-trip text. Two runs of the same campaign and
// seed give the same dump on any thread count, rank count, shard split or resume point.
#pragma once

#include <string>

namespace rapmc::test {

/// The dump of `path`; std::runtime_error naming the file or object if it cannot be read.
std::string dump_results(const std::string& path);

}  // namespace rapmc::test
