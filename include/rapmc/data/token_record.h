// The byte record of one token sequence in a SampleSet (data/dataset.h): a uint16 count n, then
// max_tokens uint16 ids of which the first n are the sequence, in host byte order. Float-free,
// so the FP-less integer runtime can read it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace rapmc {

/// The token ids of one record.
inline std::vector<int> token_ids(const std::uint8_t* record) {
  std::uint16_t n = 0;
  std::memcpy(&n, record, 2);
  std::vector<int> ids(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint16_t id = 0;
    std::memcpy(&id, record + 2 * (i + 1), 2);
    ids[i] = id;
  }
  return ids;
}

/// Bytes of a record of `max_tokens` slots.
inline std::size_t token_record_bytes(std::size_t max_tokens) {
  return 2 * (max_tokens + 1);
}

/// Appends the record of `ids` (ids.size() <= max_tokens <= 65535, ids < 65536).
inline void append_token_record(std::vector<std::uint8_t>& bytes, const std::vector<int>& ids,
                                std::size_t max_tokens) {
  const std::size_t at = bytes.size();
  bytes.resize(at + token_record_bytes(max_tokens), 0);
  const auto n = static_cast<std::uint16_t>(ids.size());
  std::memcpy(bytes.data() + at, &n, 2);
  for (std::size_t i = 0; i < ids.size() && i < max_tokens; ++i) {
    const auto id = static_cast<std::uint16_t>(ids[i]);
    std::memcpy(bytes.data() + at + 2 * (i + 1), &id, 2);
  }
}

}  // namespace rapmc
