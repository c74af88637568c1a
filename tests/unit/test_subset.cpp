// Evaluation subsets (data/subset.h): the first N after an offset, and a seeded class-stratified
// subset — balanced, in split order, a pure function of (split, N, seed).
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "rapmc/core/errors.h"
#include "rapmc/data/subset.h"
#include "test_support.h"

using namespace rapmc;

namespace {

// A split of one-byte "images" holding their own index; the class of sample i is labels[i].
SampleSet toy_split(const std::vector<int>& labels) {
  SampleSet s;
  s.name = "toy:test";
  s.rows = s.cols = 1;
  s.labels = labels;
  for (std::size_t i = 0; i < labels.size(); ++i) s.bytes.push_back(static_cast<std::uint8_t>(i));
  return s;
}

std::map<int, int> class_counts(const SampleSet& s) {
  std::map<int, int> n;
  for (int l : s.labels) ++n[l];
  return n;
}

}  // namespace

TEST_CASE("first subset: samples [first, first + n) in order; too few is an error naming both") {
  const SampleSet all = toy_split({0, 1, 2, 0, 1, 2, 0});
  const SampleSet s = first_subset(all, 2, 4);
  CHECK(s.labels == std::vector<int>{2, 0, 1, 2});
  CHECK(s.bytes == std::vector<std::uint8_t>{2, 3, 4, 5});
  CHECK_THROWS_WITH_AS(first_subset(all, 5, 3),
                       "data.first + data.images = 8 but dataset 'toy:test' has 7 samples",
                       DataError);
}

TEST_CASE("stratified subset: balanced classes, split order, seeded, exhausted classes skipped") {
  // Class 0 is most of the split (the way the first WordNet glosses are one kind of noun),
  // class 3 has two samples.
  std::vector<int> labels;
  for (int i = 0; i < 200; ++i) labels.push_back(i < 120 ? 0 : (i < 198 ? 1 + i % 2 : 3));
  const SampleSet all = toy_split(labels);
  const SampleSet s = stratified_subset(all, 30, 7);
  REQUIRE(s.size() == 30);
  // Round robin: 2 of class 3 (all it has), the other 28 split 10/9/9 in class order.
  CHECK(class_counts(s) == std::map<int, int>{{0, 10}, {1, 9}, {2, 9}, {3, 2}});
  for (std::size_t k = 0; k < s.size(); ++k) {
    CHECK(s.labels[k] == labels[s.bytes[k]]);       // each sample keeps its label
    if (k > 0) CHECK(s.bytes[k] > s.bytes[k - 1]);  // in the split's order
  }
  // A pure function of the seed: the same again, another seed another choice.
  CHECK(stratified_subset(all, 30, 7).bytes == s.bytes);
  CHECK(stratified_subset(all, 30, 8).bytes != s.bytes);
  // The whole split is the split.
  CHECK(stratified_subset(all, 200, 7).bytes == all.bytes);
  CHECK_THROWS_WITH_AS(stratified_subset(all, 201, 7),
                       "data.images = 201 but dataset 'toy:test' has 200 samples", DataError);
}
