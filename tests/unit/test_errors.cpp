// The catalogue of bad input (docs/errors.md): every class of input it lists has a test, here
// or (for the classes that need a campaign run or a model built first) in the test whose name
// carries the class's id in brackets. The last case checks that correspondence.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "rapmc/core/errors.h"
#include "test_support.h"

using namespace rapmc;

using test::EXIT_CONFIG, test::EXIT_DATA, test::EXIT_IO, test::EXIT_MODEL;

namespace {

struct Case {
  const char* id;  // the class in docs/errors.md
  std::string args;
  int code;
  std::string message;  // a part of the message
};

void check_cases(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    const std::string id = c.id;
    CAPTURE(id);
    CAPTURE(c.args);
    const auto r = test::run_rapmc(c.args);
    CAPTURE(r.output);
    CHECK(r.exit_code == c.code);
    CHECK(r.output.find(c.message) != std::string::npos);
    CHECK(r.output.find("rapmc: internal error") == std::string::npos);
  }
}

std::string write(const test::TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.file(name);
  std::ofstream(path) << text;
  return path;
}

// A campaign of 2 trials on 4 images with `model` as its [model] section.
std::string campaign(const std::string& model_section, const std::string& extra = "",
                     const std::string& data = "") {
  return "[campaign]\nname = \"e\"\ntrials = 2\n[data]\nimages = 4\n" + data + "[model]\n" +
         model_section + extra;
}

}  // namespace

TEST_CASE("command-line options: unknown, not a number, out of range, unknown names, conflicts") {
  test::TempDir dir;
  const std::string model = test::shipped_model();
  const std::string int_model = test::source_path("data/models/vit_fmnist_int8.h5");
  const std::string camp = write(dir, "c.toml", campaign(""));
  const std::string scaled = write(
      dir, "s.toml", campaign("", "[sampling]\nmethod = \"scaled_sigma\"\nsigma_scale = 2.0\n"));
  const std::string out = " --out " + dir.file("r.h5");
  check_cases({
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
  });
  CHECK_FALSE(std::filesystem::exists(dir.file("r.h5")));  // no refused run wrote a file
}

TEST_CASE("files named on the command line are checked whether or not the pipeline reads them") {
  const std::string readme = test::source_path("README.md");
  const std::string int_model = test::source_path("data/models/vit_fmnist_int8.h5");
  const std::string bert = test::source_path("data/models/bert_wordnet.h5");
  check_cases({
      // fp32 reads no integer model, but the one named must be one, of the same architecture.
      {"E11", "eval --limit 4 --int-model " + readme, EXIT_IO, readme + ": not an HDF5 file"},
      {"E11", "eval --limit 4 --int-model " + test::shipped_model(), EXIT_MODEL,
       "not a rapmc integer model"},
      {"E10", "eval --limit 4 --model " + bert + " --int-model " + int_model, EXIT_MODEL,
       "integer model architecture does not match the FP32 model " + bert},
      // flare on a given integer model does not quantize, but the calibration options are checked.
      {"E11", "eval --limit 4 --int-model " + int_model + " --pipeline flare --act-bits 1",
       EXIT_CONFIG, "act_bits = 1 out of range 2..8"},
  });
}

TEST_CASE("campaign keys naming files: every file is checked and its key named, before any trial") {
  test::TempDir dir;
  const std::string fp32 = "fp32 = \"data/models/vit_fmnist.h5\"\n";
  const std::string int8 = "int = \"data/models/vit_fmnist_int8.h5\"\n";
  const std::string out = dir.file("r.h5");
  // The second slip of issue 17: flare never reads model.fp32, but it must be the FP32 model.
  const std::string readme = write(dir, "readme.toml", campaign("fp32 = \"README.md\"\n" + int8));
  const std::string bert =
      write(dir, "bert.toml", campaign("fp32 = \"data/models/bert_wordnet.h5\"\n" + int8));
  const std::string no_int =
      write(dir, "no_int.toml", campaign(fp32 + "int = \"data/models/none_int8.h5\"\n"));
  const std::string no_hw =
      write(dir, "no_hw.toml", campaign(fp32 + int8, "[hardware]\nfile = \"data/none.toml\"\n"));
  const std::string no_data =
      write(dir, "no_data.toml", campaign(fp32 + int8, "", "dir = \"/nonexistent-dir\"\n"));
  const std::string beyond =
      write(dir, "beyond.toml",
            "[campaign]\ntrials = 2\n[data]\nimages = 8\nfirst = 9999\n[model]\n" + fp32 + int8);
  std::string big_sweep = campaign(fp32 + int8);
  for (const char* k : {"hardware.adc.enob", "hardware.schedule.k", "operating_point.temp_c"}) {
    big_sweep += "[[sweep]]\nkey = \"" + std::string(k) + "\"\nvalues = [";
    for (int i = 0; i < 25; ++i) big_sweep += (i ? ", " : "") + std::to_string(2 + i % 4);
    big_sweep += "]\n";
  }
  const std::string sweep = write(dir, "sweep.toml", big_sweep);
  const std::string syntax = write(dir, "syntax.toml", "[campaign]\ntrials = = 2\n");
  const std::string strat_beyond =
      write(dir, "strat.toml",
            "[campaign]\ntrials = 2\n[data]\nimages = 10001\nselect = \"stratified\"\n[model]\n" +
                fp32 + int8);
  const std::string strat_first =
      write(dir, "strat_first.toml",
            "[campaign]\ntrials = 2\n[data]\nfirst = 5\nselect = \"stratified\"\n[model]\n" + fp32 +
                int8);
  check_cases({
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
  });
  CHECK_FALSE(std::filesystem::exists(out));  // refused before the results file is created
}

TEST_CASE("docs/errors.md: every input class it lists has a test naming its id") {
  std::ifstream doc(test::source_path("docs/errors.md"));
  REQUIRE(doc.good());
  std::set<std::string> ids;
  const std::regex row(R"(^\| (E[0-9]{2}) \|)");
  for (std::string line; std::getline(doc, line);) {
    std::smatch m;
    if (std::regex_search(line, m, row)) ids.insert(m[1]);
  }
  CHECK(ids.size() >= 20);
  // Every test source, as one text: an id is tested where it opens a case of the tables above
  // ({"E.." ,) or appears in brackets in a test case's name.
  std::string tests;
  for (const auto& e : std::filesystem::recursive_directory_iterator(test::source_path("tests"))) {
    const auto ext = e.path().extension();
    if (ext == ".cpp" || ext == ".py" || ext == ".sh") {
      std::ifstream f(e.path());
      tests.append(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    }
  }
  for (const std::string& id : ids) {
    CAPTURE(id);
    CHECK((tests.find("{\"" + id + "\",") != std::string::npos ||
           tests.find("[" + id + "]") != std::string::npos));
  }
}
