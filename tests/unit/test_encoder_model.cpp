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
std::string edited_model(const test::TempDir& dir, const std::string& name, Edit edit,
                         bool bert = false) {
  const std::string path = dir.file(name);
  save_model(bert ? test::tiny_bert() : test::tiny_model(), path);
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

TEST_CASE("bad model files give ModelError naming the attribute or dataset [E09]") {
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

TEST_CASE("a text encoder (kind bert) round-trips its tensors and vocabulary") {
  test::TempDir dir;
  const EncoderModel a = test::tiny_bert(3);
  save_model(a, dir.file("b.h5"));
  const EncoderModel b = load_model(dir.file("b.h5"));
  CHECK(b.config.arch == Architecture::BERT);
  CHECK(b.config.max_tokens == 8);
  CHECK(arma::approx_equal(a.word, b.word, "absdiff", 0.0));
  CHECK(arma::approx_equal(a.segment, b.segment, "absdiff", 0.0));
  CHECK(arma::approx_equal(a.pooler_weight, b.pooler_weight, "absdiff", 0.0));
  CHECK(b.tokenizer.vocab() == a.tokenizer.vocab());
  CHECK(b.input().kind == SampleKind::TOKENS);
  CHECK(b.input().tokenizer == &b.tokenizer);
}

TEST_CASE("bad text-encoder files give ModelError naming the attribute or dataset") {
  test::TempDir dir;
  SUBCASE("unknown kind") {
    const auto p = edited_model(
        dir, "k.h5", [](const h5::File& f) { f.write_attribute("kind", std::string("gpt")); },
        true);
    CHECK_THROWS_WITH_AS(load_model(p), test::has("'kind' is 'gpt', expected 'vit' or 'bert'"),
                         ModelError);
  }
  SUBCASE("unknown tokenizer") {
    const auto p = edited_model(
        dir, "t.h5",
        [](const h5::File& f) { f.write_attribute("tokenizer", std::string("wordpiece")); }, true);
    CHECK_THROWS_WITH_AS(load_model(p), test::has("'tokenizer' is 'wordpiece'"), ModelError);
  }
  SUBCASE("vocabulary of the wrong size") {
    const auto p = edited_model(
        dir, "v.h5",
        [](const h5::File& f) {
          H5Ldelete(f.id(), "tokenizer/vocab", H5P_DEFAULT);
          f.write_dataset("tokenizer/vocab", std::vector<std::string>{"[PAD]", "[UNK]", "[CLS]"});
        },
        true);
    CHECK_THROWS_WITH_AS(load_model(p),
                         test::has("tokenizer/vocab: 3 tokens, but attribute "
                                   "'vocab_size' is 12"),
                         ModelError);
  }
  SUBCASE("missing vocabulary") {
    const auto p = edited_model(
        dir, "m.h5", [](const h5::File& f) { H5Ldelete(f.id(), "tokenizer/vocab", H5P_DEFAULT); },
        true);
    CHECK_THROWS_WITH_AS(load_model(p), test::has("tokenizer/vocab: missing dataset"), ModelError);
  }
  SUBCASE("a special id outside the vocabulary") {
    const auto p = edited_model(
        dir, "s.h5", [](const h5::File& f) { f.write_attribute("cls_id", std::int64_t{40}); },
        true);
    CHECK_THROWS_WITH_AS(load_model(p), test::has("special token id 40 outside the vocabulary"),
                         ModelError);
  }
  SUBCASE("a word table that contradicts vocab_size") {
    const auto p = edited_model(
        dir, "w.h5",
        [](const h5::File& f) {
          H5Ldelete(f.id(), "embed/word", H5P_DEFAULT);
          f.write_dataset("embed/word", std::vector<float>(11 * 8), {11, 8});
        },
        true);
    CHECK_THROWS_WITH_AS(load_model(p), test::has("embed/word: shape [11, 8]"), ModelError);
  }
}
