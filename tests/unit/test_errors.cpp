// The catalogue of bad input (docs/errors.md): every class of input it lists has a test, here
// or (for the classes that need a campaign run or a model built first) in the test whose name
// carries the class's id in brackets. The last case checks that correspondence.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <vector>

#include "rapmc/core/error_catalog.h"
#include "rapmc/core/errors.h"
#include "test_support.h"

using namespace rapmc;

using test::EXIT_CONFIG, test::EXIT_DATA, test::EXIT_IO, test::EXIT_MODEL;

namespace {

using test::RefusedCase;

// A campaign of 2 trials on 4 images with `model` as its [model] section.
std::string campaign(const std::string& model_section, const std::string& extra = "",
                     const std::string& data = "") {
  return "[campaign]\nname = \"e\"\ntrials = 2\n[data]\nimages = 4\n" + data + "[model]\n" +
         model_section + extra;
}

// The tables of cases, each opening with the id of its row in docs/errors.md: one function a
// table, so that the last test case can compare every case's exit code with its row's.

// Command-line options: unknown, not a number, out of range, unknown names, conflicts. None
// may write `dir`/r.h5.
std::vector<RefusedCase> option_cases(const test::TempDir& dir) {
  const std::string model = test::shipped_model();
  const std::string int_model = test::source_path("data/models/vit_fmnist_int8.h5");
  const std::string camp = dir.write("c.toml", campaign(""));
  const std::string scaled = dir.write(
      "s.toml", campaign("", "[sampling]\nmethod = \"scaled_sigma\"\nsigma_scale = 2.0\n"));
  const std::string out = " --out " + dir.file("r.h5");
  return {
      {"E01", "eval --bogus-flag", EXIT_CONFIG, "bogus-flag"},
      {"E01", "run " + camp, EXIT_CONFIG, "--out is required"},
      {"E02", "eval --limit abc", EXIT_CONFIG, "--limit"},
      {"E02", "run " + camp + out + " --threads two", EXIT_CONFIG, "--threads"},
      // The first slip of issue 17: a negative count used to wrap to "everything".
      {"E03", "eval --limit -5", EXIT_CONFIG, "--limit: Value -5 not in range"},
      {"E03", "eval --threads -1", EXIT_CONFIG, "--threads"},
      {"E03", "eval --calib-size -3", EXIT_CONFIG, "--calib-size"},
      {"E03", "eval --weight-bits 9 --int-model " + int_model + " --pipeline flare", EXIT_CONFIG,
       "weight_bits = 9 out of range 2..8"},
      {"E03", "eval --percentile 20 --calibrator minmax", EXIT_CONFIG, "--percentile"},
      {"E03", "run " + camp + out + " --trials 0", EXIT_CONFIG, "--trials"},
      {"E03", "run " + camp + out + " --trials -2", EXIT_CONFIG, "--trials"},
      {"E03", "bench --images 0", EXIT_CONFIG, "--images"},
      {"E03", "bench --layer 256by256", EXIT_CONFIG, "--layer: expected RxC"},
      {"E03", "bench --layer 0x256", EXIT_CONFIG, "--layer: expected RxC"},
      {"E03", "bench --layer 64x64 --batch 0", EXIT_CONFIG, "--batch"},
      {"E03", "replay " + dir.file("r.h5") + " --trial -1", EXIT_CONFIG, "--trial"},
      {"E03", "quantize --model " + model + out + " --threads 5000", EXIT_CONFIG, "--threads"},
      {"E03", "tails --hardware data/hardware/rap.toml --min-codes 0", EXIT_CONFIG, "--min-codes"},
      {"E04", "eval --pipeline bogus", EXIT_CONFIG, "unknown pipeline 'bogus'"},
      {"E04", "eval --dataset cifar:test", EXIT_CONFIG, "dataset 'cifar:test'"},
      {"E04", "eval --pipeline flare --requant float", EXIT_CONFIG,
       "unknown requantization mode 'float'"},
      {"E04", "eval --calibrator entropy", EXIT_CONFIG, "unknown calibrator 'entropy'"},
      {"E05", "eval --hardware data/hardware/rap.toml", EXIT_CONFIG,
       "--hardware needs a quantized pipeline"},
      {"E05", "eval --model " + int_model + " --int-model " + int_model + " --pipeline flare",
       EXIT_CONFIG, "give the FP32 model with --model"},
      {"E05", "run " + camp + out + " --resume --force", EXIT_CONFIG,
       "--resume and --force exclude each other"},
      {"E05", "run " + camp + out + " --shard 2/2", EXIT_CONFIG, "--shard '2/2'"},
      {"E05", "tails --hardware data/hardware/rap.toml --campaign " + camp, EXIT_CONFIG,
       "--hardware excludes --campaign"},
      {"E04", "config --markdown bogus-keys", EXIT_CONFIG,
       "config --markdown: 'bogus-keys' is not a list (known: hardware-keys,"},
      {"E05", "config --list --markdown formats", EXIT_CONFIG,
       "give exactly one of --markdown, --list, --check-docs, --update-docs"},
      {"E05", "config", EXIT_CONFIG,
       "give exactly one of --markdown, --list, --check-docs, --update-docs"},
      {"E06", "config --check-docs " + dir.file("no-docs"), EXIT_IO,
       dir.file("no-docs") + ": not a folder"},
      {"E26", "tails --hardware data/hardware/rap.toml --average", EXIT_CONFIG,
       "--average needs --campaign"},
      {"E26", "tails --hardware data/hardware/rap.toml --count 9", EXIT_CONFIG,
       "count = 9: a read of 7 rows counts 0..7"},
      {"E26", "tails --hardware data/hardware/rap.toml --count 3 --scales 1 2 3", EXIT_CONFIG,
       "scaled-sigma scale 1.000000 must exceed 1"},
      {"E26", "tails --hardware data/hardware/rap.toml --failing-column 1", EXIT_CONFIG,
       "--failing-column 1.000000 must lie in (0, 1)"},
      {"E26", "tails --hardware data/hardware/rap.toml --failing-column 1e-6 --min-codes 2",
       EXIT_CONFIG, "--failing-column counts any wrong code"},
      {"E26", "tails --campaign " + camp + " --point 5", EXIT_CONFIG,
       "--point 5: " + camp + " has 1 sweep point(s)"},
      {"E26", "tails --hardware data/hardware/rap.toml --failing-column 1e-6 --failing-read 1e-6",
       EXIT_CONFIG, "give --failing-column or --failing-read, not both"},
      {"E26", "tails --hardware data/hardware/rap.toml --failing-read 1", EXIT_CONFIG,
       "--failing-read 1.000000 must lie in (0, 1)"},
      {"E26", "tails --campaign " + scaled, EXIT_CONFIG,
       "(sampling.method = 'scaled_sigma'); the tail estimators need the model's own σ"},
  };
}

// Files named on the command line are checked whether or not the pipeline reads them.
std::vector<RefusedCase> named_file_cases() {
  const std::string readme = test::source_path("README.md");
  const std::string int_model = test::source_path("data/models/vit_fmnist_int8.h5");
  const std::string bert = test::source_path("data/models/bert_wordnet.h5");
  return {
      // fp32 reads no integer model, but the one named must be one, of the same architecture.
      {"E11", "eval --limit 4 --int-model " + readme, EXIT_IO, readme + ": not an HDF5 file"},
      {"E11", "eval --limit 4 --int-model " + test::shipped_model(), EXIT_MODEL,
       "not a rapmc integer model"},
      {"E10", "eval --limit 4 --model " + bert + " --int-model " + int_model, EXIT_MODEL,
       "integer model architecture does not match the FP32 model " + bert},
      // flare on a given integer model does not quantize, but the calibration options are
      // checked: a number out of its range (E03, "the calibration options when --int-model is
      // given"), not a file error.
      {"E03", "eval --limit 4 --int-model " + int_model + " --pipeline flare --act-bits 1",
       EXIT_CONFIG, "act_bits = 1 out of range 2..8"},
  };
}

// Campaign keys naming files: every file is checked and its key named, before any trial. None
// may write `dir`/r.h5.
std::vector<RefusedCase> campaign_file_cases(const test::TempDir& dir) {
  const std::string fp32 = "fp32 = \"data/models/vit_fmnist.h5\"\n";
  const std::string int8 = "int = \"data/models/vit_fmnist_int8.h5\"\n";
  const std::string out = dir.file("r.h5");
  // The second slip of issue 17: flare never reads model.fp32, but it must be the FP32 model.
  const std::string readme = dir.write("readme.toml", campaign("fp32 = \"README.md\"\n" + int8));
  const std::string bert =
      dir.write("bert.toml", campaign("fp32 = \"data/models/bert_wordnet.h5\"\n" + int8));
  const std::string no_int =
      dir.write("no_int.toml", campaign(fp32 + "int = \"data/models/none_int8.h5\"\n"));
  const std::string no_hw =
      dir.write("no_hw.toml", campaign(fp32 + int8, "[hardware]\nfile = \"data/none.toml\"\n"));
  const std::string no_data =
      dir.write("no_data.toml", campaign(fp32 + int8, "", "dir = \"/nonexistent-dir\"\n"));
  const std::string beyond = dir.write(
      "beyond.toml",
      "[campaign]\ntrials = 2\n[data]\nimages = 8\nfirst = 9999\n[model]\n" + fp32 + int8);
  std::string big_sweep = campaign(fp32 + int8);
  for (const char* k : {"hardware.adc.enob", "hardware.schedule.k", "operating_point.temp_c"}) {
    big_sweep += "[[sweep]]\nkey = \"" + std::string(k) + "\"\nvalues = [";
    for (int i = 0; i < 25; ++i) big_sweep += (i ? ", " : "") + std::to_string(2 + i % 4);
    big_sweep += "]\n";
  }
  const std::string sweep = dir.write("sweep.toml", big_sweep);
  const std::string syntax = dir.write("syntax.toml", "[campaign]\ntrials = = 2\n");
  const std::string strat_beyond = dir.write(
      "strat.toml",
      "[campaign]\ntrials = 2\n[data]\nimages = 10001\nselect = \"stratified\"\n[model]\n" + fp32 +
          int8);
  const std::string strat_first =
      dir.write("strat_first.toml",
                "[campaign]\ntrials = 2\n[data]\nfirst = 5\nselect = \"stratified\"\n[model]\n" +
                    fp32 + int8);
  return {
      {"E23", "run " + readme + " --out " + out, EXIT_IO,
       readme + ": model.fp32 = 'README.md': README.md: not an HDF5 file"},
      {"E23", "run " + bert + " --out " + out, EXIT_MODEL,
       "model.int = 'data/models/vit_fmnist_int8.h5': data/models/vit_fmnist_int8.h5: integer "
       "model architecture does not match the FP32 model data/models/bert_wordnet.h5"},
      {"E23", "run " + no_int + " --out " + out, EXIT_IO, "model.int = 'data/models/none_int8.h5'"},
      {"E23", "run " + no_hw + " --out " + out, EXIT_CONFIG, "'hardware.file' = 'data/none.toml'"},
      {"E23", "run " + no_data + " --out " + out, EXIT_DATA, "/nonexistent-dir"},
      {"E24", "run " + beyond + " --out " + out, EXIT_DATA, "data.first + data.images = 10007"},
      {"E24", "run " + strat_beyond + " --out " + out, EXIT_DATA,
       strat_beyond + ": data.images = 10001 but dataset 'fashion-mnist:test' has 10000"},
      {"E21", "run " + strat_first + " --out " + out, EXIT_CONFIG,
       "'data.first' applies to data.select = 'first' only"},
      {"E25", "run " + sweep + " --out " + out, EXIT_CONFIG,
       "'sweep' has more than 10000 grid points"},
      {"E20", "run " + syntax + " --out " + out, EXIT_CONFIG, syntax + ":2"},
  };
}

}  // namespace

TEST_CASE("command-line options: unknown, not a number, out of range, unknown names, conflicts") {
  test::TempDir dir;
  test::check_cases(option_cases(dir));
  CHECK_FALSE(std::filesystem::exists(dir.file("r.h5")));  // no refused run wrote a file
}

TEST_CASE("files named on the command line are checked whether or not the pipeline reads them") {
  test::check_cases(named_file_cases());
}

TEST_CASE("campaign keys naming files: every file is checked and its key named, before any trial") {
  test::TempDir dir;
  test::check_cases(campaign_file_cases(dir));
  CHECK_FALSE(std::filesystem::exists(dir.file("r.h5")));  // refused before the file is created
}

namespace {

// The ids in brackets ("[E21]") in the names of the test cases of a source file: the name's
// string literals only, not comments or code.
std::set<std::string> bracketed_ids(const std::filesystem::path& file) {
  std::ifstream in(file);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::set<std::string> ids;
  const std::regex id(R"(\[(E[0-9]{2})\])");
  for (std::size_t at = text.find("TEST_CASE("); at != std::string::npos;
       at = text.find("TEST_CASE(", at + 1)) {
    std::string name;  // adjacent literals concatenated, as the compiler does
    std::size_t i = at + std::strlen("TEST_CASE(");
    for (;;) {
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
      if (i >= text.size() || text[i] != '"') break;
      const std::size_t close = text.find('"', i + 1);
      REQUIRE(close != std::string::npos);
      name += text.substr(i + 1, close - i - 1);
      i = close + 1;
    }
    for (std::sregex_iterator m(name.begin(), name.end(), id), end; m != end; ++m)
      ids.insert((*m)[1]);
  }
  return ids;
}

}  // namespace

TEST_CASE(
    "the error catalogue (docs/errors.md): every input class it lists has a test naming its id, "
    "and each case of the tables here ends with one of its class's exit codes") {
  // docs/errors.md is printed from this catalogue (ctest docs_generated checks the copy).
  const auto& catalog = error_catalog();
  CHECK(catalog.size() >= 30);
  for (const ErrorClass& e : catalog) {  // every class of bad input names its exit codes
    CAPTURE(e.id);
    CHECK(exit_codes(e).empty() == (e.group == ErrorGroup::FAULTS));
  }
  // The cases of the tables above, by id.
  test::TempDir dir;
  std::vector<RefusedCase> cases = option_cases(dir);
  for (auto more : {named_file_cases(), campaign_file_cases(dir)})
    cases.insert(cases.end(), more.begin(), more.end());
  std::set<std::string> in_tables;
  for (const RefusedCase& c : cases) {
    CAPTURE(c.id);
    CAPTURE(c.args);
    const ErrorClass* e = find_error_class(c.id);
    REQUIRE_MESSAGE(e != nullptr, "no class of the error catalogue has this id");
    const std::vector<int> codes = exit_codes(*e);
    CHECK_MESSAGE(std::find(codes.begin(), codes.end(), c.code) != codes.end(),
                  "the class's exit codes are " << e->codes);
    in_tables.insert(c.id);
  }
  // The ids in brackets in the names of the unit tests' test cases.
  std::set<std::string> in_names;
  for (const auto& f : std::filesystem::directory_iterator(test::source_path("tests/unit")))
    if (f.path().extension() == ".cpp") in_names.merge(bracketed_ids(f.path()));
  for (const ErrorClass& e : catalog) {
    const std::string id(e.id);
    CAPTURE(id);
    CHECK((in_tables.count(id) == 1 || in_names.count(id) == 1));
  }
}
