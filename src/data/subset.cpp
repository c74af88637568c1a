#include "rapmc/data/subset.h"

#include <algorithm>
#include <boost/random/uniform_int_distribution.hpp>
#include <map>
#include <string>
#include <vector>

#include "rapmc/core/errors.h"
#include "rapmc/core/keyed_rng.h"

namespace rapmc {
namespace {

void check_size(const SampleSet& all, std::size_t want, const std::string& what) {
  if (all.size() < want) {
    throw DataError(what + " = " + std::to_string(want) + " but dataset '" + all.name + "' has " +
                    std::to_string(all.size()) + " samples");
  }
}

// The samples of `all` at the increasing indices `keep`, in that order.
SampleSet pick(const SampleSet& all, const std::vector<std::size_t>& keep) {
  SampleSet s;  // the split's description, none of its samples
  s.name = all.name;
  s.kind = all.kind;
  s.channels = all.channels;
  s.rows = all.rows;
  s.cols = all.cols;
  s.max_tokens = all.max_tokens;
  const std::size_t b = all.sample_bytes();
  s.bytes.resize(keep.size() * b);
  s.labels.resize(keep.size());
  for (std::size_t k = 0; k < keep.size(); ++k) {
    std::copy_n(all.sample(keep[k]), b, s.bytes.data() + k * b);
    s.labels[k] = all.labels[keep[k]];
  }
  return s;
}

}  // namespace

SampleSet first_subset(const SampleSet& all, std::size_t first, std::size_t n) {
  check_size(all, first + n, "data.first + data.images");
  std::vector<std::size_t> keep(n);
  for (std::size_t k = 0; k < n; ++k) keep[k] = first + k;
  return pick(all, keep);
}

SampleSet stratified_subset(const SampleSet& all, std::size_t n, std::uint64_t seed) {
  check_size(all, n, "data.images");
  std::map<int, std::vector<std::size_t>> by_class;  // class order: increasing label
  for (std::size_t i = 0; i < all.size(); ++i) by_class[all.labels[i]].push_back(i);
  // Each class's samples in a seeded order (Fisher-Yates, its own stream per class).
  for (auto& [label, idx] : by_class) {
    KeyedStream rng(seed, RngDomain::DATA_SUBSET, 0, static_cast<std::uint64_t>(label));
    for (std::size_t i = idx.size(); i > 1; --i) {
      boost::random::uniform_int_distribution<std::size_t> pick_one(0, i - 1);
      std::swap(idx[i - 1], idx[pick_one(rng)]);
    }
  }
  std::vector<std::size_t> keep;
  for (std::size_t round = 0; keep.size() < n; ++round)
    for (const auto& [label, idx] : by_class)
      if (round < idx.size() && keep.size() < n) keep.push_back(idx[round]);
  std::sort(keep.begin(), keep.end());
  return pick(all, keep);
}

}  // namespace rapmc
