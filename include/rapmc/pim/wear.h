// The wear a workload puts on a chip (docs/design.md, "Read disturb and endurance"): how often
// one inference reads each row of each weight layer, and how often it rewrites each cell of an
// attention array. Counted by the engine itself (PimMvm with WearCounts::ON) over the campaign's
// images on the nominal chip, so the counts are the workload's own.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "rapmc/pim/counters.h"

namespace rapmc::pim {

struct WearProfile {
  /// Weight layer → reads of each of its input rows per inference.
  std::map<std::string, std::vector<double>> row_reads;
  /// Attention slot ("blocks/<i>/attn_qk") → writes of each cell of one of its arrays per
  /// inference.
  std::map<std::string, double> cell_writes;
};

/// The profile of counters gathered over `images` inferences.
WearProfile wear_profile(const Counters& counters, std::size_t images);

/// The attention slot an array written at run time belongs to ("blocks/0/attn_qk/3/write/17"
/// → "blocks/0/attn_qk"), or "" for a weight layer.
std::string attention_slot_of(const std::string& array);

}  // namespace rapmc::pim
