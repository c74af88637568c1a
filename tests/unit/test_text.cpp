// The text side of the data floor: the word tokenizer, the WordNet gloss reader and its split,
// and token records.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "rapmc/core/errors.h"
#include "rapmc/data/dataset.h"
#include "rapmc/data/tokenizer.h"
#include "rapmc/data/wordnet.h"
#include "test_support.h"

using namespace rapmc;

TEST_CASE("words: ASCII lower case, maximal [a-z0-9] runs, everything else separates") {
  CHECK(split_words("A well-known 3D-printer, (rare)!") ==
        std::vector<std::string>{"a", "well", "known", "3d", "printer", "rare"});
  CHECK(split_words("") == std::vector<std::string>{});
  CHECK(split_words("  ;; ") == std::vector<std::string>{});
  CHECK(split_words("caf\xc3\xa9 x") == std::vector<std::string>{"caf", "x"});  // UTF-8 separates
}

TEST_CASE("encode: [CLS] words [SEP], unknown words [UNK], cut to max_tokens") {
  const WordTokenizer tok({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "a", "known"}, {}, "test");
  CHECK(tok.encode("A well-known", 8) == std::vector<int>{2, 4, 1, 5, 3});
  CHECK(tok.encode("A well-known", 4) == std::vector<int>{2, 4, 1, 3});
  CHECK(tok.encode("", 4) == std::vector<int>{2, 3});
  CHECK_THROWS_WITH_AS(WordTokenizer({"[PAD]", "a", "a", "b"}, {}, "m.h5"),
                       test::has("m.h5: dataset 'tokenizer/vocab': token 'a' appears twice"),
                       ModelError);
  CHECK_THROWS_WITH_AS(WordTokenizer({"[PAD]", "a"}, {}, "m.h5"),
                       test::has("special token id 2 outside the vocabulary"), ModelError);
}

TEST_CASE("token records hold the ids and their count") {
  std::vector<std::uint8_t> bytes;
  append_token_record(bytes, {2, 700, 65535, 3}, 6);
  append_token_record(bytes, {2, 3}, 6);
  CHECK(bytes.size() == 2 * token_record_bytes(6));
  CHECK(token_ids(bytes.data()) == std::vector<int>{2, 700, 65535, 3});
  CHECK(token_ids(bytes.data() + token_record_bytes(6)) == std::vector<int>{2, 3});
}

TEST_CASE("WordNet glosses: labels 0..44, split by offset, definitions without examples") {
  const std::vector<Gloss> train = read_wordnet("train"), test = read_wordnet("test");
  MESSAGE("WordNet glosses: " << train.size() << " train, " << test.size() << " test");
  std::set<int> labels;
  for (const Gloss& g : train) {
    REQUIRE(std::stoul(g.id.substr(g.id.find(':') + 1)) % 10 != 0);
    labels.insert(g.label);
  }
  for (const Gloss& g : test) REQUIRE(std::stoul(g.id.substr(g.id.find(':') + 1)) % 10 == 0);
  CHECK(labels.size() == WORDNET_CLASSES);
  CHECK(*labels.begin() == 0);
  CHECK(*labels.rbegin() == 44);
  // Test share: offsets are byte positions, so about one in ten ends in 0 (5σ binomial bound).
  const double n = static_cast<double>(train.size() + test.size());
  CHECK(std::abs(static_cast<double>(test.size()) - 0.1 * n) < 5 * std::sqrt(n * 0.1 * 0.9));
  // Lines of /usr/share/wordnet/data.{noun,adj} (WordNet 3.0), read by eye.
  CHECK(test[0].id == "noun:00001740");
  CHECK(test[0].label == 3);
  CHECK(test[0].text ==
        "that which is perceived or known or inferred to have its own distinct existence "
        "(living or nonliving)");
  const auto it =
      std::find_if(test.begin(), test.end(), [](const Gloss& g) { return g.id == "adj:00021110"; });
  REQUIRE(it != test.end());
  CHECK(it->text == "showing a cheerful willingness to do favors for others");
  CHECK(it->label == 0);
}

TEST_CASE("WordNet: a missing file, a malformed line and a bad split are refused [E14]") {
  const test::TempDir dir;
  CHECK_THROWS_WITH_AS(read_wordnet("test", dir.path().string()),
                       test::has(dir.file("data.noun") + ": cannot open"), DataError);
  for (const char* pos : {"noun", "verb", "adj", "adv"})
    std::ofstream(dir.file(std::string("data.") + pos)) << "  licence line\n";
  std::ofstream(dir.file("data.verb"), std::ios::app) << "00001740 03 v 01 x 0 000 | fine\n"
                                                      << "00001750 99 v 01 y 0 000 | bad label\n";
  CHECK_THROWS_WITH_AS(read_wordnet("train", dir.path().string()),
                       test::has(dir.file("data.verb") + ":3: malformed synset line"), DataError);
  CHECK_THROWS_WITH_AS(read_wordnet("val", dir.path().string()), test::has("wordnet:val"),
                       ConfigError);
}

TEST_CASE("a text dataset needs a text model, and an image model refuses token sequences [E15]") {
  CHECK_THROWS_WITH_AS(load_dataset("wordnet:test"), test::has("is text, but model"), ConfigError);
  SampleSet tokens;
  tokens.name = "synthetic";
  tokens.kind = SampleKind::TOKENS;
  tokens.max_tokens = 4;
  append_token_record(tokens.bytes, {2, 3}, 4);
  tokens.labels = {0};
  ModelInput image_model;
  image_model.image_size = 28;
  image_model.channels = 1;
  image_model.source = "vit.h5";
  CHECK_THROWS_WITH_AS(check_input_shape(tokens, image_model),
                       test::has("has token sequences but model vit.h5 expects 1x28x28"),
                       DataError);
}

TEST_CASE("eval and quantize default to the model's own kind of data; a mismatch names both") {
  ModelInput text;
  text.kind = SampleKind::TOKENS;
  text.max_tokens = 16;
  text.source = "bert.h5";
  CHECK(default_dataset(text, "train") == "wordnet:train");
  CHECK(default_dataset(ModelInput{}, "test") == "fashion-mnist:test");
  // Refused before any image is read, naming the dataset, the model and the right dataset.
  CHECK_THROWS_WITH_AS(load_dataset("fashion-mnist:train", text, "/nonexistent"),
                       test::has("dataset 'fashion-mnist:train' is images, but model bert.h5 "
                                 "reads token sequences (use wordnet:train)"),
                       ConfigError);
  // The text model evaluates and quantizes with no dataset named (the calibration set used to
  // default to Fashion-MNIST whatever the model).
  const std::string bert = test::source_path("data/models/bert_wordnet.h5");
  const auto r = test::run_rapmc("eval --model " + bert +
                                 " --pipeline flare --limit 8 --calib-size 16 --json --threads 2");
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.output.substr(r.output.find("{\n")));
  CHECK(j.at("dataset") == "wordnet:test");
  CHECK(j.at("n") == 8);
  CHECK(j.at("int_model").get<std::string>().find("wordnet:train") != std::string::npos);
}
