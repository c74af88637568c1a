#include "rapmc/io/idx.h"

#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "rapmc/core/errors.h"

namespace rapmc::idx {
namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// Reads exactly n bytes; returns the count actually read (short at end of file).
std::size_t read_bytes(gzFile f, void* dst, std::size_t n, const std::string& path) {
  std::size_t done = 0;
  auto* out = static_cast<unsigned char*>(dst);
  while (done < n) {
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(n - done, 1u << 30));
    const int got = gzread(f, out + done, chunk);
    if (got < 0) {
      int errnum = 0;
      const char* msg = gzerror(f, &errnum);
      throw DataError(path + ": corrupt gzip stream (" + std::string(msg ? msg : "?") + ")");
    }
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

}  // namespace

constexpr std::uint64_t MAX_BYTES = std::uint64_t{1} << 34;    // larger is no dataset of ours
constexpr std::uint64_t SLICE_BYTES = std::uint64_t{1} << 24;  // 16 MiB read at a time

Array read(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw DataError(path +
                    ": no such file (is the dataset installed? see docs/design.md, 'Data and the "
                    "shipped model')");
  }
  GzFile f(gzopen(path.c_str(), "rb"));
  if (!f) throw DataError(path + ": cannot open");
  unsigned char magic[4];
  if (read_bytes(f.get(), magic, 4, path) != 4)
    throw DataError(path + ": too short for an IDX header");
  if (magic[0] != 0 || magic[1] != 0) throw DataError(path + ": bad IDX magic number");
  if (magic[2] != 0x08) {
    throw DataError(path + ": IDX element type " + std::to_string(magic[2]) +
                    " not supported (expected 0x08, unsigned byte)");
  }
  const int ndim = magic[3];
  if (ndim < 1 || ndim > 4)
    throw DataError(path + ": IDX rank " + std::to_string(ndim) + " not supported");
  Array a;
  std::uint64_t total = 1;
  for (int i = 0; i < ndim; ++i) {
    unsigned char b[4];
    if (read_bytes(f.get(), b, 4, path) != 4) throw DataError(path + ": truncated IDX header");
    const std::uint32_t d = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
                            (std::uint32_t{b[2]} << 8) | std::uint32_t{b[3]};
    a.dims.push_back(d);
    if (d != 0 && total > MAX_BYTES / d)  // checked before the product can wrap
      throw DataError(path + ": IDX header claims an absurd size");
    total *= d;
  }
  // The payload is read in slices, so memory follows the bytes the file holds, never only the
  // size its header claims (fuzz_idx found a 16 GiB allocation for a 24-byte file).
  while (a.data.size() < total) {
    const std::uint64_t at = a.data.size(), want = std::min(SLICE_BYTES, total - at);
    a.data.resize(at + want);
    if (read_bytes(f.get(), a.data.data() + at, want, path) != want) {
      throw DataError(path + ": truncated IDX payload (expected " + std::to_string(total) +
                      " bytes)");
    }
  }
  unsigned char extra;
  if (read_bytes(f.get(), &extra, 1, path) != 0) {
    throw DataError(path + ": trailing bytes after the IDX payload");
  }
  return a;
}

}  // namespace rapmc::idx
