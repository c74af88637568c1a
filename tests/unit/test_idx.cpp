#include <doctest/doctest.h>
#include <zlib.h>

#include <fstream>

#include "rapmc/core/errors.h"
#include "rapmc/data/dataset.h"
#include "rapmc/io/idx.h"
#include "test_support.h"

using namespace rapmc;

namespace {

std::string idx_bytes(std::uint8_t type, const std::vector<std::uint32_t>& dims,
                      const std::vector<std::uint8_t>& payload) {
  std::string s = {0, 0, static_cast<char>(type), static_cast<char>(dims.size())};
  for (std::uint32_t d : dims)
    for (int sh = 24; sh >= 0; sh -= 8) s.push_back(static_cast<char>((d >> sh) & 0xFF));
  s.append(payload.begin(), payload.end());
  return s;
}

void write_gz(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) ==
          static_cast<int>(bytes.size()));
  gzclose(f);
}

void write_plain(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace

TEST_CASE("IDX gzip and plain files read back exactly") {
  test::TempDir dir;
  std::vector<std::uint8_t> payload(2 * 3 * 4);
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i * 11);
  write_gz(dir.file("a.gz"), idx_bytes(0x08, {2, 3, 4}, payload));
  write_plain(dir.file("a.idx"), idx_bytes(0x08, {2, 3, 4}, payload));
  for (const char* name : {"a.gz", "a.idx"}) {
    const idx::Array a = idx::read(dir.file(name));
    CHECK(a.dims == std::vector<std::uint32_t>{2, 3, 4});
    CHECK(a.data == payload);
  }
}

TEST_CASE("malformed IDX files give DataError naming the file [E13]") {
  test::TempDir dir;
  const std::vector<std::uint8_t> six(6, 1);
  struct Case {
    const char* name;
    std::string bytes;
    const char* message;
  };
  const Case cases[] = {
      {"magic.gz", std::string("\x01\x02\x08\x01", 4) + std::string(4, '\0'), "bad IDX magic"},
      {"type.gz", idx_bytes(0x0D, {6}, six), "element type 13 not supported"},
      {"short.gz", idx_bytes(0x08, {7}, six), "truncated IDX payload"},
      {"long.gz", idx_bytes(0x08, {5}, six), "trailing bytes"},
      {"header.gz", std::string("\0\0\x08\x03\0\0", 6), "truncated IDX header"},
      // Found by fuzz_idx: a header claiming 2·2·4278190082 bytes made the reader allocate
      // 16 GiB before reading the 8 the file holds; memory now follows the bytes read.
      {"claims.gz", idx_bytes(0x08, {2, 2, 0xff000002u}, std::vector<std::uint8_t>(8, 3)),
       "truncated IDX payload (expected 17112760328 bytes)"},
      {"wraps.gz", idx_bytes(0x08, {0xffffffffu, 0xffffffffu, 0xffffffffu}, six),
       "IDX header claims an absurd size"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    write_gz(dir.file(c.name), c.bytes);
    CHECK_THROWS_WITH_AS(idx::read(dir.file(c.name)), test::has(c.message), DataError);
    CHECK_THROWS_WITH_AS(idx::read(dir.file(c.name)), test::has(dir.file(c.name)), DataError);
  }
  CHECK_THROWS_WITH_AS(idx::read(dir.file("absent.gz")), test::has("no such file"), DataError);
}

TEST_CASE("load_dataset validates the spec and the file pair") {
  test::TempDir dir;
  std::vector<std::uint8_t> px(3 * 2 * 2, 7);
  write_gz(dir.file("t10k-images-idx3-ubyte.gz"), idx_bytes(0x08, {3, 2, 2}, px));
  write_gz(dir.file("t10k-labels-idx1-ubyte.gz"), idx_bytes(0x08, {3}, {4, 9, 0}));
  const SampleSet s = load_dataset("fashion-mnist:test", dir.path().string());
  CHECK(s.size() == 3);
  CHECK(s.rows == 2);
  CHECK(s.labels == std::vector<int>{4, 9, 0});
  CHECK(load_dataset("fashion-mnist:test", dir.path().string(), 2).size() == 2);

  CHECK_THROWS_WITH_AS(load_dataset("mnist:test", dir.path().string()), test::has("mnist:test"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(load_dataset("fashion-mnist:val", dir.path().string()),
                       test::has("fashion-mnist:val"), ConfigError);
  CHECK_THROWS_WITH_AS(load_dataset("fashion-mnist:train", dir.path().string()),
                       test::has("train-images-idx3-ubyte.gz"), DataError);

  write_gz(dir.file("t10k-labels-idx1-ubyte.gz"), idx_bytes(0x08, {2}, {4, 9}));
  CHECK_THROWS_WITH_AS(load_dataset("fashion-mnist:test", dir.path().string()),
                       test::has("counts differ"), DataError);
  write_gz(dir.file("t10k-labels-idx1-ubyte.gz"), idx_bytes(0x08, {3}, {4, 10, 0}));
  CHECK_THROWS_WITH_AS(load_dataset("fashion-mnist:test", dir.path().string()),
                       test::has("label 10"), DataError);
}

TEST_CASE("the installed Fashion-MNIST test set has its known shape and balance") {
  const SampleSet s = load_dataset("fashion-mnist:test");
  REQUIRE(s.size() == 10000);
  CHECK(s.rows == 28);
  CHECK(s.cols == 28);
  std::vector<int> count(10, 0);
  for (int l : s.labels) ++count[static_cast<std::size_t>(l)];
  for (int c : count) CHECK(c == 1000);  // the test split holds 1000 images of each class
}
