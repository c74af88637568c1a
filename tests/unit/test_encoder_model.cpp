#include <hdf5.h>

#include <doctest/doctest.h>
#include <hdf5.h>

#include "rapmc/core/errors.h"
#include "rapmc/io/hdf5.h"
#include "rapmc/model/encoder_model.h"
#include "test_support.h"

using namespace rapmc;

namespace {

// Applies a raw HDF5 edit to a copy of a valid tiny model and returns its path.
template <class Edit>
std::string edited_model(const test::TempDir& dir, const std::string& name, Edit edit) {
  const std::string path = dir.file(name);
  save_model(test::tiny_model(), path);
  const h5::File f = h5::File::open(path, h5::Access::READ_WRITE);
  edit(f);
  return path;
}

}  // namespace

TEST_CASE("the shipped model loads with its recorded architecture") {
  const EncoderModel m = load_model(test::shipped_model());
  CHECK(m.config.dim == 64);
  CHECK(m.config.depth == 4);
  CHECK(m.config.heads == 4);
  CHECK(m.config.mlp_dim == 128);
  CHECK(m.config.patch_size == 7);
  CHECK(m.config.tokens() == 17);
  CHECK(m.blocks.size() == 4);
  CHECK(m.torch_test_accuracy >= 0.87);
}

TEST_CASE("save and load round-trip every tensor exactly") {
  test::TempDir dir;
  const EncoderModel a = test::tiny_model(7);
  save_model(a, dir.file("m.h5"));
  const EncoderModel b = load_model(dir.file("m.h5"));
  CHECK(b.config.dim == a.config.dim);
  CHECK(arma::approx_equal(a.patch_weight, b.patch_weight, "absdiff", 0.0));
  CHECK(arma::approx_equal(a.pos, b.pos, "absdiff", 0.0));
  CHECK(arma::approx_equal(a.blocks[1].qkv_weight, b.blocks[1].qkv_weight, "absdiff", 0.0));
  CHECK(arma::approx_equal(a.head_bias, b.head_bias, "absdiff", 0.0));
}

TEST_CASE("bad model files give ModelError naming the attribute or dataset") {
  test::TempDir dir;
  SUBCASE("not a rapmc model") {
    const auto p = edited_model(dir, "ft.h5", [](const h5::File& f) {
      f.write_attribute("filetype", std::string("something-else"));
    });
    CHECK_THROWS_WITH_AS(load_model(p), test::has("not a rapmc model file"), ModelError);
  }
  SUBCASE("newer major format") {
    const auto p = edited_model(dir, "fv.h5", [](const h5::File& f) {
      f.write_attribute("format_version", std::string("2.0"));
    });
    CHECK_THROWS_WITH_AS(load_model(p), test::has("format_version '2.0'"), ModelError);
  }
  SUBCASE("missing attribute") {
    const auto p =
        edited_model(dir, "ma.h5", [](const h5::File& f) { H5Adelete(f.id(), "mlp_dim"); });
    CHECK_THROWS_WITH_AS(load_model(p), test::has("'mlp_dim'"), ModelError);
  }
  SUBCASE("attribute out of range") {
    const auto p = edited_model(
        dir, "or.h5", [](const h5::File& f) { f.write_attribute("heads", std::int64_t{0}); });
    CHECK_THROWS_WITH_AS(load_model(p), test::has("'heads' = 0 out of range"), ModelError);
  }
  SUBCASE("dim not divisible by heads") {
    const auto p = edited_model(
        dir, "dh.h5", [](const h5::File& f) { f.write_attribute("heads", std::int64_t{3}); });
    CHECK_THROWS_WITH_AS(load_model(p), test::has("multiple of 'heads'"), ModelError);
  }
  SUBCASE("missing dataset") {
    const auto p = edited_model(dir, "md.h5", [](const h5::File& f) {
      H5Ldelete(f.id(), "blocks/1/mlp/fc2_bias", H5P_DEFAULT);
    });
    CHECK_THROWS_WITH_AS(load_model(p), test::has(":/blocks/1/mlp/fc2_bias: missing dataset"),
                         ModelError);
  }
  SUBCASE("shape that does not match the attributes") {
    const auto p = edited_model(dir, "sh.h5", [](const h5::File& f) {
      H5Ldelete(f.id(), "blocks/0/attn/qkv_weight", H5P_DEFAULT);
      f.write_dataset("blocks/0/attn/qkv_weight", std::vector<float>(8 * 8), {8, 8});
    });
    CHECK_THROWS_WITH_AS(load_model(p), test::has("qkv_weight: shape [8, 8]"), ModelError);
    CHECK_THROWS_WITH_AS(load_model(p), test::has("expected [24, 8]"), ModelError);
  }
  SUBCASE("integer tensor where floats are expected") {
    const auto p = edited_model(dir, "it.h5", [](const h5::File& f) {
      H5Ldelete(f.id(), "embed/cls", H5P_DEFAULT);
      f.write_dataset("embed/cls", std::vector<std::int64_t>(8), {8});
    });
    CHECK_THROWS_WITH_AS(load_model(p), test::has("floating-point"), ModelError);
  }
  SUBCASE("more blocks than depth") {
    const auto p = edited_model(
        dir, "db.h5", [](const h5::File& f) { f.write_attribute("depth", std::int64_t{1}); });
    CHECK_THROWS_WITH_AS(load_model(p), test::has("more blocks than attribute 'depth'"),
                         ModelError);
  }
  SUBCASE("mean/std per channel") {
    const auto p = edited_model(dir, "ms.h5", [](const h5::File& f) {
      f.write_attribute("std", std::vector<double>{0.5, 0.5});
    });
    CHECK_THROWS_WITH_AS(load_model(p), test::has("one value per channel"), ModelError);
  }
}
