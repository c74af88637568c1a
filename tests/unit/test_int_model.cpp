// The integer model file: round trip and the errors of bad files.
#include <hdf5.h>

#include <doctest/doctest.h>
#include <hdf5.h>

#include "rapmc/core/errors.h"
#include "rapmc/data/dataset.h"
#include "rapmc/infer/flare_inference.h"
#include "rapmc/infer/mvm_backend.h"
#include "rapmc/io/hdf5.h"
#include "rapmc/model/fp32_forward.h"
#include "rapmc/quant/int_model.h"
#include "rapmc/quant/quantize.h"
#include "test_support.h"

using namespace rapmc;

namespace {
bool same_linear(const IntLinear& a, const IntLinear& b) {
  return a.name == b.name && a.out == b.out && a.in == b.in && a.w == b.w &&
         a.w_scale == b.w_scale && a.bias == b.bias && a.bias_exp == b.bias_exp;
}
bool same_ln(const IntLayerNorm& a, const IntLayerNorm& b) {
  return a.gamma == b.gamma && a.gamma_frac == b.gamma_frac && a.beta == b.beta &&
         a.eps_d3_q32 == b.eps_d3_q32;
}
}  // namespace

TEST_CASE("the shipped integer model round-trips every integer exactly") {
  const IntModel m = load_int_model(test::source_path("data/models/vit_fmnist_int8.h5"));
  CHECK(m.dim == 64);
  CHECK(m.depth == 4);
  CHECK(m.tokens == 17);
  CHECK(m.calibration.find("fashion-mnist:train") != std::string::npos);
  test::TempDir dir;
  save_int_model(m, dir.file("copy.h5"));
  const IntModel c = load_int_model(dir.file("copy.h5"));
  CHECK(same_linear(m.embed, c.embed));
  CHECK(same_linear(m.head, c.head));
  CHECK(same_ln(m.head_ln, c.head_ln));
  CHECK(m.softmax_c == c.softmax_c);
  CHECK(m.embed_resid_exp == c.embed_resid_exp);
  for (int i = 0; i < m.depth; ++i) {
    const IntBlock &a = m.blocks[i], &b = c.blocks[i];
    CHECK(same_linear(a.qkv, b.qkv));
    CHECK(same_linear(a.proj, b.proj));
    CHECK(same_linear(a.fc1, b.fc1));
    CHECK(same_linear(a.fc2, b.fc2));
    CHECK(same_ln(a.ln1, b.ln1));
    CHECK(same_ln(a.ln2, b.ln2));
    CHECK(a.v.scale == b.v.scale);
    CHECK(a.fc2_in.inv_scale == b.fc2_in.inv_scale);
    CHECK(a.resid2_exp == b.resid2_exp);
  }
  CHECK_THROWS_WITH_AS(save_int_model(m, dir.file("copy.h5")), test::has("exists"), IoError);
}

TEST_CASE("bad integer model files give errors naming the file and the dataset [E09]") {
  test::TempDir dir;
  const std::string good = test::source_path("data/models/vit_fmnist_int8.h5");
  const IntModel m = load_int_model(good);
  auto variant = [&](const std::string& name, auto&& edit) {
    const std::string path = dir.file(name);
    save_int_model(m, path);
    const h5::File f = h5::File::open(path, h5::Access::READ_WRITE);
    edit(f);
    return path;
  };
  SUBCASE("an FP32 model is not an integer model") {
    CHECK_THROWS_WITH_AS(load_int_model(test::shipped_model()),
                         test::has("not a rapmc integer model"), ModelError);
    CHECK_FALSE(is_int_model_file(test::shipped_model()));
    CHECK(is_int_model_file(good));
  }
  SUBCASE("missing dataset") {
    const auto p = variant(
        "a.h5", [](const h5::File& f) { H5Ldelete(f.id(), "blocks/2/fc1/w", H5P_DEFAULT); });
    CHECK_THROWS_WITH_AS(load_int_model(p), test::has("blocks/2/fc1/w: missing dataset"),
                         ModelError);
  }
  SUBCASE("shape that does not match the attributes") {
    const auto p =
        variant("b.h5", [](const h5::File& f) { f.write_attribute("mlp_dim", std::int64_t{64}); });
    CHECK_THROWS_WITH_AS(load_int_model(p),
                         test::has("blocks/0/fc1/w: shape [128, 64] does not match"), ModelError);
  }
  SUBCASE("float where integers are expected") {
    const auto p = variant("c.h5", [](const h5::File& f) {
      H5Ldelete(f.id(), "head/fc/bias", H5P_DEFAULT);
      f.write_dataset("head/fc/bias", std::vector<float>(10, 0.5f), {1, 10});
    });
    CHECK_THROWS_WITH_AS(load_int_model(p), test::has("head/fc/bias: expected an integer dataset"),
                         ModelError);
  }
  SUBCASE("bit width out of range") {
    const auto p =
        variant("d.h5", [](const h5::File& f) { f.write_attribute("act_bits", std::int64_t{12}); });
    CHECK_THROWS_WITH_AS(load_int_model(p), test::has("act_bits = 12 out of range 2..8"),
                         ModelError);
  }
  SUBCASE("newer major format") {
    const auto p = variant(
        "e.h5", [](const h5::File& f) { f.write_attribute("format_version", std::string("2.0")); });
    CHECK_THROWS_WITH_AS(load_int_model(p), test::has("format_version '2.0' not supported"),
                         ModelError);
  }
  SUBCASE("invalid dyadic constant") {
    const auto p = variant("f.h5", [](const h5::File& f) {
      H5Ldelete(f.id(), "softmax_c", H5P_DEFAULT);
      f.write_dataset("softmax_c", std::vector<std::int64_t>{-5, 0}, {1, 2});
    });
    CHECK_THROWS_WITH_AS(load_int_model(p), test::has("softmax_c: row 0 is not a valid dyadic"),
                         ModelError);
  }
}

TEST_CASE("a text encoder's integer model round-trips and runs the same; bad token ids refused") {
  const EncoderModel model = test::tiny_bert(5);
  SampleSet calib;
  calib.name = "synthetic";
  calib.kind = SampleKind::TOKENS;
  calib.max_tokens = 8;
  for (int i = 0; i < 16; ++i) {
    std::vector<int> ids{2};
    for (int t = 0; t < 1 + i % 6; ++t) ids.push_back(4 + (i * 3 + t * 5) % 8);
    ids.push_back(3);
    append_token_record(calib.bytes, ids, 8);
    calib.labels.push_back(i % 3);
  }
  const IntModel q = quantize_model(model, calib, CalibrationOptions{}, QuantSettings{});
  CHECK(q.arch == Architecture::BERT);
  CHECK(q.weight_layers().size() == 2 * 4 + 2);  // blocks, pooler, head: no embedding MVM
  test::TempDir dir;
  save_int_model(q, dir.file("b.h5"));
  const IntModel c = load_int_model(dir.file("b.h5"));
  CHECK(c.word_table == q.word_table);
  CHECK(c.pos_table == q.pos_table);
  CHECK(same_ln(c.embed_ln, q.embed_ln));
  CHECK(same_linear(c.pooler, q.pooler));
  CHECK(c.vocab == q.vocab);
  CHECK(c.input("b.h5").tokenizer->encode("w5 w9 zz", 8) == std::vector<int>{2, 5, 9, 1, 3});
  const DigitalMvm digital;
  const FlareInference a(q, RequantMode::EMSB, digital), b(c, RequantMode::EMSB, digital);
  for (std::size_t i = 0; i < calib.size(); ++i)
    CHECK(a.forward(calib.sample(i)) == b.forward(calib.sample(i)));
  {  // a table entry beyond ±2^30 would overflow the embedding LayerNorm's input
    const h5::File f = h5::File::open(dir.file("b.h5"), h5::Access::READ_WRITE);
    std::vector<std::int64_t> pos = q.pos_table;
    pos[5] = (std::int64_t{1} << 30) + 1;
    H5Ldelete(f.id(), "embed/pos_table", H5P_DEFAULT);
    f.write_dataset("embed/pos_table", pos, {8, 8});
  }
  CHECK_THROWS_WITH_AS(load_int_model(dir.file("b.h5")),
                       test::has("embed/pos_table: entries must lie within ±2^30"), ModelError);
  std::vector<std::uint8_t> bad;
  append_token_record(bad, {2, 12, 3}, 8);  // id 12: outside the 12-word vocabulary
  CHECK_THROWS_WITH_AS(a.forward(bad.data()), test::has("token id 12 outside the vocabulary"),
                       DataError);
  CHECK_THROWS_WITH_AS(Fp32Inference(model).forward(bad.data()),
                       test::has("token id 12 outside the vocabulary"), DataError);
}
