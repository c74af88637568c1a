// Reader for IDX files (the MNIST / Fashion-MNIST container), plain or gzip-compressed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rapmc::idx {

/// An unsigned-byte IDX array: dims as stored (big-endian in the file), data row-major.
struct Array {
  std::vector<std::uint32_t> dims;
  std::vector<std::uint8_t> data;
};

/// Reads an IDX file of unsigned bytes (type code 0x08), gzip or plain (zlib detects which).
/// Throws DataError naming the file on a missing file, a bad magic number, an unsupported
/// element type, or a payload shorter or longer than the header promises.
Array read(const std::string& path);

}  // namespace rapmc::idx
