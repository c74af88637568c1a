#include <doctest/doctest.h>

#include <fstream>

#include "rapmc/core/errors.h"
#include "rapmc/io/hdf5.h"
#include "test_support.h"

using namespace rapmc;

TEST_CASE("attributes and datasets round-trip") {
  test::TempDir dir;
  const std::string path = dir.file("a.h5");
  {
    const h5::File f = h5::File::create(path);
    f.write_attribute("s", std::string("héllo"));
    f.write_attribute("i", std::int64_t{-42});
    f.write_attribute("d", 0.125);
    f.write_attribute("v", std::vector<double>{1.5, -2.0, 3.25});
    f.write_dataset("g/h/x", std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
    f.write_dataset("n", std::vector<std::int64_t>{INT64_MIN, 0, INT64_MAX}, {3});
  }
  const h5::File f = h5::File::open(path);
  CHECK(f.read_string_attribute("s") == "héllo");
  CHECK(f.read_int_attribute("i") == -42);
  CHECK(f.read_double_attribute("d") == 0.125);
  CHECK(f.read_double_array_attribute("v") == std::vector<double>{1.5, -2.0, 3.25});
  std::vector<std::uint64_t> shape;
  CHECK(f.read_float_dataset("g/h/x", &shape) == std::vector<float>{1, 2, 3, 4, 5, 6});
  CHECK(shape == std::vector<std::uint64_t>{2, 3});
  CHECK(f.read_int64_dataset("n") == std::vector<std::int64_t>{INT64_MIN, 0, INT64_MAX});
  CHECK(f.exists("g/h"));
  CHECK_FALSE(f.exists("g/nope/x"));
  CHECK(f.group("g").where("h") == path + ":/g/h");
}

TEST_CASE("bad files and objects give IoError naming them") {
  test::TempDir dir;
  const std::string missing = dir.file("missing.h5");
  CHECK_THROWS_WITH_AS(h5::File::open(missing), test::has(missing), IoError);

  const std::string text = dir.file("text.h5");
  std::ofstream(text) << "not hdf5 at all\n";
  CHECK_THROWS_WITH_AS(h5::File::open(text), test::has("not an HDF5 file"), IoError);

  const std::string path = dir.file("b.h5");
  {
    const h5::File f = h5::File::create(path);
    f.write_attribute("i", std::int64_t{7});
  }
  const h5::File f = h5::File::open(path);
  CHECK_THROWS_WITH_AS(f.read_float_dataset("nope/x"), test::has(path + ":/nope/x"), IoError);
  CHECK_THROWS_WITH_AS(f.read_string_attribute("i"), test::has("should be a string"), IoError);
  CHECK_THROWS_WITH_AS(f.read_int_attribute("absent"), test::has("missing attribute 'absent'"),
                       IoError);
}

TEST_CASE("create never overwrites an existing file unless asked") {
  test::TempDir dir;
  const std::string path = dir.file("keep.h5");
  {
    const h5::File f = h5::File::create(path);
    f.write_attribute("precious", std::int64_t{1});
  }
  CHECK_THROWS_WITH_AS(h5::File::create(path), test::has("refusing to overwrite"), IoError);
  CHECK(h5::File::open(path).read_int_attribute("precious") == 1);
  { const h5::File f = h5::File::create(path, h5::Overwrite::YES); }
  CHECK_FALSE(h5::File::open(path).has_attribute("precious"));
}

TEST_CASE("a truncated HDF5 file is an IoError, not a crash [E07]") {
  test::TempDir dir;
  const std::string path = dir.file("trunc.h5");
  {
    const h5::File f = h5::File::create(path);
    f.write_dataset("x", std::vector<float>(100000, 1.0f), {100000});
  }
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  CHECK_THROWS_AS(
      [&] {
        const h5::File f = h5::File::open(path);
        (void)f.read_float_dataset("x");
      }(),
      IoError);
}
