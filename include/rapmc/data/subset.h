// Which samples of a split a campaign evaluates (docs/configuration.md, `data.select`): the
// first N after an offset, or a seeded class-stratified subset, the same in every trial.
#pragma once

#include <cstddef>
#include <cstdint>

#include "rapmc/data/dataset.h"

namespace rapmc {

enum class SubsetSelect { FIRST, STRATIFIED };

/// Samples [first, first + n) of `all`, in order. DataError if `all` has fewer.
SampleSet first_subset(const SampleSet& all, std::size_t first, std::size_t n);

/// n samples of `all` stratified by class, a pure function of (the split, n, seed): classes
/// take turns in class order, each class giving its samples in a seeded random order (keyed
/// stream, domain DATA_SUBSET) until n are taken, so class counts differ by at most one while
/// a class has samples left; the chosen samples keep the split's order. DataError if `all`
/// has fewer than n samples.
SampleSet stratified_subset(const SampleSet& all, std::size_t n, std::uint64_t seed);

}  // namespace rapmc
