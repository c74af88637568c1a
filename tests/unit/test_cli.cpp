#include <doctest/doctest.h>
#include <hdf5.h>

#include <oneapi/tbb/version.h>
#include <boost/version.hpp>
#include <nlohmann/json.hpp>

#include <armadillo>
#include <cmath>
#include <fstream>
#include <initializer_list>

#include "rapmc/core/errors.h"
#include "rapmc/data/dataset.h"
#include "rapmc/io/format_header.h"
#include "rapmc/io/hdf5.h"
#include "rapmc/quant/int_model.h"
#include "rapmc/tails/tails_file.h"
#include "test_support.h"

using namespace rapmc;
using test::CommandResult;
using test::EXIT_CONFIG, test::EXIT_DATA, test::EXIT_IO, test::EXIT_MODEL;

namespace {

// The JSON object a command printed (after any line of text before it).
nlohmann::json printed_json(const CommandResult& r) {
  const std::size_t at = r.output.find("{\n");
  REQUIRE_MESSAGE(at != std::string::npos, r.output);
  return nlohmann::json::parse(r.output.substr(at));
}

// What is known about the first `n` test images without rapmc's forward pass: their labels
// and the PyTorch logits of the shipped model (the fixture holds the first 256 images).
struct TorchReference {
  std::vector<int> labels, top1;
  arma::mat logits;  // [10, n]
  std::size_t correct = 0;
};

TorchReference torch_reference(std::size_t n) {
  TorchReference t;
  const SampleSet images = load_dataset("fashion-mnist:test", "", n);
  std::vector<std::uint64_t> shape;
  const std::vector<float> logits =
      h5::File::open(test::shipped_fixture()).read_float_dataset("logits", &shape);
  REQUIRE(shape == std::vector<std::uint64_t>{256, 10});
  REQUIRE(n <= 256);
  t.logits.set_size(10, n);
  for (std::size_t i = 0; i < n; ++i) {
    arma::vec l(10);
    for (std::size_t k = 0; k < 10; ++k) l(k) = logits[i * 10 + k];
    t.logits.col(i) = l;
    const arma::uvec order = arma::sort_index(l, "descend");
    // rapmc's fp32 logits lie within 1e-4 of these (test_fp32_forward): with the best two
    // more than 2e-4 apart, rapmc's top-1 is PyTorch's.
    CAPTURE(i);
    REQUIRE(l(order(0)) - l(order(1)) > 2e-4);
    t.top1.push_back(static_cast<int>(order(0)));
    t.labels.push_back(images.labels[i]);
    if (t.top1.back() == t.labels.back()) ++t.correct;
  }
  return t;
}

// 10·log10(Σ ref² / Σ (test − ref)²), written here from its definition (docs: eval --json).
double sqnr_db_of(const arma::mat& test, const arma::mat& ref) {
  double signal = 0, noise = 0;
  for (arma::uword i = 0; i < ref.n_elem; ++i) {
    signal += ref(i) * ref(i);
    noise += (test(i) - ref(i)) * (test(i) - ref(i));
  }
  return 10.0 * std::log10(signal / noise);
}

// The checks every eval --json obeys: n images, correct of them, accuracy = correct / n.
void check_counts(const nlohmann::json& j, std::size_t n) {
  CHECK(j["n"].get<std::size_t>() == n);
  CHECK(j["correct"].get<std::size_t>() <= n);
  CHECK(j["accuracy"].get<double>() ==
        static_cast<double>(j["correct"].get<std::size_t>()) / static_cast<double>(n));
  CHECK(j["dataset"] == "fashion-mnist:test");
}

}  // namespace

TEST_CASE("--version names the version of CMakeLists.txt and the libraries built against") {
  const auto r = test::run_rapmc("--version");
  CHECK(r.exit_code == 0);
  std::ifstream cmake(test::source_path("CMakeLists.txt"));
  std::string version;
  for (std::string line; std::getline(cmake, line);)
    if (line.starts_with("project(rapmc VERSION "))
      version = line.substr(22, line.find(' ', 22) - 22);
  REQUIRE_FALSE(version.empty());
  CHECK(r.output.starts_with("rapmc " + version + " (git "));
  // The libraries' versions, from the headers this test was compiled with.
  const auto dotted = [](std::initializer_list<long> parts) {
    std::string s;
    for (long part : parts) {
      if (!s.empty()) s += '.';
      s += std::to_string(part);
    }
    return s;
  };
  for (const std::string& lib :
       {"Boost " +
            dotted({BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100}),
        "oneTBB " + dotted({TBB_VERSION_MAJOR, TBB_VERSION_MINOR}),
        "HDF5 " + dotted({H5_VERS_MAJOR, H5_VERS_MINOR, H5_VERS_RELEASE}),
        "Armadillo " + dotted({ARMA_VERSION_MAJOR, ARMA_VERSION_MINOR, ARMA_VERSION_PATCH})}) {
    CAPTURE(lib);
    const std::size_t at = r.output.find("\n  " + lib);
    REQUIRE(at != std::string::npos);
    const std::size_t end = at + 3 + lib.size();  // the whole number: "1.10.8", not "1.10.80"
    CHECK((end == r.output.size() || r.output[end] == '\n' || r.output[end] == ' '));
  }
}

TEST_CASE("eval --json: the images it counts right are those PyTorch's logits get right") {
  const auto r =
      test::run_rapmc("eval --model " + test::shipped_model() + " --limit 64 --json --threads 2");
  CAPTURE(r.output);
  REQUIRE(r.exit_code == 0);
  const auto j = printed_json(r);
  CHECK(j["pipeline"] == "fp32");
  CHECK(j["model"] == test::shipped_model());
  CHECK(j["threads"] == 2);
  check_counts(j, 64);
  CHECK(j["correct"].get<std::size_t>() == torch_reference(64).correct);
  CHECK_FALSE(j.contains("agreement_fp32"));  // no reference to agree with
}

TEST_CASE("bench --layer --json: the layer workload's figures agree with each other") {
  const auto r = test::run_rapmc("bench --layer 64x32 --batch 20 --json");
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.output.substr(r.output.find("{\n")));
  CHECK(j["layer"]["rows"] == 64);
  CHECK(j["layer"]["cols"] == 32);
  CHECK(j["layer"]["batch"] == 20);
  const double sgemm = j["sgemm_seconds"];
  REQUIRE(j["engine"].size() == 6);  // dense and sparse, three device cases each
  for (const auto& row : j["engine"]) {
    CAPTURE(row.dump());
    const double t = row["seconds"];
    CHECK(t > 0);
    CHECK(row["ratio_to_sgemm"].get<double>() == doctest::Approx(t / sgemm));
    CHECK(row["useful_macs_per_s"].get<double>() == doctest::Approx(64.0 * 32 * 20 / t));
    CHECK(row["ns_per_conversion"].get<double>() ==
          doctest::Approx(1e9 * t / row["conversions"].get<double>()));
    // Conversions: one per data bitline (32 outputs x 8 one-bit slices) per read; dense reads
    // each of the 8 planes of every input once (one row tile of 64), sparse at least that often.
    const double dense = 20.0 * 8 * 32 * 8;
    if (row["schedule"] == "dense") CHECK(row["conversions"].get<double>() == dense);
    if (row["schedule"] == "sparse") CHECK(row["conversions"].get<double>() >= dense / 8);
  }
}

TEST_CASE(
    "tails --json and --out: the file holds what was printed, and is never replaced silently") {
  test::TempDir dir;
  const std::string out = dir.file("t.h5");
  const std::string args = "tails --hardware " + test::source_path("data/hardware/rap.toml") +
                           " --count 3 --count 6 --samples 20000 --json --out " + out;
  const auto r = test::run_rapmc(args);
  REQUIRE(r.exit_code == 0);
  const std::size_t at = r.output.find("{\"");
  const auto j = nlohmann::json::parse(r.output.substr(at, r.output.find('\n', at) - at));
  const h5::File f = h5::File::open(out);
  CHECK(check_format_header(f, out, tails::TAILS_FORMAT) == tails::TAILS_FORMAT.minor);
  CHECK(f.read_int_attribute("failing_column_reads") == 0);
  CHECK(f.read_int64_dataset("count") == std::vector<std::int64_t>{3, 6});
  REQUIRE(j["counts"].size() == 2);
  for (std::size_t k = 0; k < 2; ++k)
    for (const auto& e : j["counts"][k]["estimates"]) {
      const std::string m = e["method"];
      CAPTURE(m);
      CHECK(f.read_double_dataset("estimates/" + m + "/p")[k] == e["p"].get<double>());
      CHECK(f.read_double_dataset("estimates/" + m + "/ci95_high")[k] ==
            e["ci95"][1].get<double>());
      // the estimate lies within its interval
      CHECK(e["ci95"][0].get<double>() <= e["p"].get<double>());
      CHECK(e["p"].get<double>() <= e["ci95"][1].get<double>());
    }
  // A second run without --force: exit 3 naming the file, which is left as it was.
  const auto again = test::run_rapmc(args);
  CHECK(again.exit_code == test::EXIT_IO);
  CHECK(again.output.find(out + ": exists") != std::string::npos);
  CHECK(h5::File::open(out).read_int64_dataset("count").size() == 2);
}

TEST_CASE("bad input: clear message, non-zero exit code of its class [E06][E07][E08][E09][E12]") {
  test::TempDir dir;
  const std::string model = test::shipped_model();
  const std::string missing_model = dir.file("nope.h5");
  const std::string text_file = test::source_path("CMakeLists.txt");
  const std::string no_data = dir.file("no-data");

  const std::string missing_ds = dir.file("missing_ds.h5");
  save_model(test::tiny_model(), missing_ds);
  {
    const h5::File f = h5::File::open(missing_ds, h5::Access::READ_WRITE);
    H5Ldelete(f.id(), "head/fc/weight", H5P_DEFAULT);
  }
  const std::string bad_shape = dir.file("bad_shape.h5");
  save_model(test::tiny_model(), bad_shape);
  {
    const h5::File f = h5::File::open(bad_shape, h5::Access::READ_WRITE);
    f.write_attribute("mlp_dim", std::int64_t{32});
  }

  const std::string other_h5 = dir.file("other.h5");
  h5::File::create(other_h5).write_attribute("filetype", std::string("some-other-tool"));

  // The classes are named in the test's name.
  test::check_cases({
      {"", "eval --model " + missing_model, EXIT_IO, missing_model + ": no such file"},
      {"", "eval --model " + text_file, EXIT_IO, "not an HDF5 file"},
      {"", "eval --model " + other_h5, EXIT_MODEL, "not a rapmc model file"},
      {"", "eval --model " + missing_ds, EXIT_MODEL, "head/fc/weight: missing dataset"},
      {"", "eval --model " + bad_shape, EXIT_MODEL, "fc1_weight: shape [16, 8] does not match"},
      {"", "eval --model " + model + " --data-dir " + no_data, EXIT_DATA,
       no_data + "/t10k-images-idx3-ubyte.gz"},
      {"", "eval --model " + model + " --pipeline bogus", EXIT_CONFIG, "unknown pipeline 'bogus'"},
      {"", "eval --model " + model + " --dataset cifar:test", EXIT_CONFIG, "dataset 'cifar:test'"},
      {"", "eval --model " + model + " --threads -1", EXIT_CONFIG, "--threads"},
      {"", "eval --bogus-flag", EXIT_CONFIG, "bogus-flag"},
  });
}

TEST_CASE("eval of the quantized pipelines: accuracy, agreement with fp32 and SQNR recomputed") {
  const std::string int_model = test::source_path("data/models/vit_fmnist_int8.h5");
  const std::size_t n = 32;
  const TorchReference torch = torch_reference(n);
  // The same pipelines in this process, for their logits.
  const EncoderModel model = load_model(test::shipped_model());
  const IntModel q = load_int_model(int_model);
  const SampleSet images = load_dataset("fashion-mnist:test", "", n);
  EvalOptions quiet;
  quiet.progress = ProgressDisplay::OFF;
  const EvalResult fp32 = evaluate(model, images, quiet);
  const test::IntegerPipelines engines(model, q);
  for (const auto& pipeline : engines.all()) {
    const std::string p = pipeline.first;
    CAPTURE(p);
    const auto r = test::run_rapmc("eval --model " + test::shipped_model() + " --int-model " +
                                   int_model + " --pipeline " + p + " --limit 32 --json");
    CAPTURE(r.output);
    REQUIRE(r.exit_code == 0);
    const auto j = printed_json(r);
    check_counts(j, n);
    const EvalResult mine = evaluate(*pipeline.second, q.num_classes, images, quiet);
    CHECK(j["correct"].get<std::size_t>() == mine.correct);
    // fp32 as PyTorch gets it; agreement: the images whose top-1 is PyTorch's.
    CHECK(j["fp32_accuracy"].get<double>() == static_cast<double>(torch.correct) / n);
    std::size_t same = 0;
    for (std::size_t i = 0; i < n; ++i) same += mine.predictions[i] == torch.top1[i];
    CHECK(j["agreement_fp32"].get<double>() == static_cast<double>(same) / n);
    // Where two pipelines agree both are right or both wrong: their accuracies differ by at
    // most the share where they disagree.
    CHECK(std::abs(j["accuracy"].get<double>() - j["fp32_accuracy"].get<double>()) <=
          1 - j["agreement_fp32"].get<double>() + 1e-12);
    CHECK(j["sqnr_db"].get<double>() == doctest::Approx(sqnr_db_of(mine.logits, fp32.logits)));
    // PyTorch's logits as the reference move it by far less than 0.1 dB (1e-4 against a noise
    // of about 2 % of the logits).
    CHECK(std::abs(j["sqnr_db"].get<double>() - sqnr_db_of(mine.logits, torch.logits)) < 0.1);
    CHECK(j["sqnr_db"].get<double>() > 20);  // 8-bit pipelines: the noise is well below 10 %
  }
  // An integer model alone runs flare (emsb by default; no fp32 to compare with).
  const auto r =
      test::run_rapmc("eval --model " + int_model + " --pipeline flare --limit 16 --json");
  CAPTURE(r.output);
  REQUIRE(r.exit_code == 0);
  const auto j = printed_json(r);
  check_counts(j, 16);
  CHECK(j["requant"] == "emsb");
  const EvalResult first16 = evaluate(engines.emsb_engine, q.num_classes,
                                      load_dataset("fashion-mnist:test", "", 16), quiet);
  CHECK(j["correct"].get<std::size_t>() == first16.correct);
  CHECK_FALSE(j.contains("agreement_fp32"));
  CHECK_FALSE(j.contains("fp32_accuracy"));
}

TEST_CASE("quantize writes an integer model equal to the shipped one and never overwrites a file") {
  test::TempDir dir;
  const std::string out = dir.file("q.h5");
  const auto r = test::run_rapmc("quantize --model " + test::shipped_model() + " --out " + out);
  CAPTURE(r.output);
  REQUIRE(r.exit_code == 0);
  // The same integers as the shipped integer model.
  const IntModel made = load_int_model(out);
  const IntModel shipped = load_int_model(test::source_path("data/models/vit_fmnist_int8.h5"));
  CHECK(made.embed.w == shipped.embed.w);
  CHECK(made.embed.bias == shipped.embed.bias);
  for (int i = 0; i < made.depth; ++i) {
    CHECK(made.blocks[i].qkv.w_scale == shipped.blocks[i].qkv.w_scale);
    CHECK(made.blocks[i].fc1_in.scale == shipped.blocks[i].fc1_in.scale);
    CHECK(made.blocks[i].resid2_exp == shipped.blocks[i].resid2_exp);
  }
  const auto again = test::run_rapmc("quantize --model " + test::shipped_model() + " --out " + out);
  CHECK(again.exit_code == static_cast<int>(ExitCode::IO));
  CHECK(again.output.find("file exists; not overwritten") != std::string::npos);
  CHECK(test::run_rapmc("eval --model " + out + " --pipeline flare --limit 4").exit_code ==
        0);  // still intact
}

TEST_CASE("bad quantization input: clear message, exit code of its class [E03][E04][E09]") {
  test::TempDir dir;
  const std::string model = test::shipped_model();
  const std::string int_model = test::source_path("data/models/vit_fmnist_int8.h5");
  const std::string missing_ds = dir.file("missing_ds.h5");
  save_model(test::tiny_model(), missing_ds);
  {
    const h5::File f = h5::File::open(missing_ds, h5::Access::READ_WRITE);
    H5Ldelete(f.id(), "blocks/1/attn/qkv_weight", H5P_DEFAULT);
  }
  const std::string out = " --out " + dir.file("q.h5");
  // The classes are named in the test's name.
  test::check_cases({
      {"", "quantize --model " + model + out + " --calib-size 0", EXIT_CONFIG,
       "--calib-size: Value 0 not in range 1 to 10000000"},
      {"", "quantize --model " + model + out + " --weight-bits 9", EXIT_CONFIG,
       "weight_bits = 9 out of range 2..8"},
      {"", "quantize --model " + model + out + " --act-bits 1", EXIT_CONFIG,
       "act_bits = 1 out of range 2..8"},
      {"", "quantize --model " + model + out + " --calibrator entropy", EXIT_CONFIG,
       "unknown calibrator 'entropy'"},
      {"", "quantize --model " + model + out + " --percentile 30", EXIT_CONFIG, "--percentile"},
      {"", "quantize --model " + model + out + " --calib mnist:train", EXIT_CONFIG, "mnist:train"},
      {"", "quantize --model " + missing_ds + out, EXIT_MODEL,
       "blocks/1/attn/qkv_weight: missing dataset"},
      {"", "quantize --model " + int_model + out, EXIT_MODEL, "already an integer model"},
      {"", "quantize --model " + model, EXIT_CONFIG, "--out is required"},
      {"", "eval --model " + int_model + " --pipeline ptq-dqq", EXIT_CONFIG, "needs an FP32 model"},
      {"", "eval --model " + model + " --pipeline flare --requant float", EXIT_CONFIG,
       "unknown requantization mode 'float'"},
      {"", "eval --model " + model + " --pipeline flare --int-model " + model, EXIT_MODEL,
       "not a rapmc integer model"},
  });
}

TEST_CASE(
    "config: a generated list that differs from the code is named and rewritten; the rest of "
    "the doc is kept") {
  test::TempDir dir;
  const std::filesystem::path docs = dir.file("docs");
  std::filesystem::create_directory(docs);
  const auto list = test::run_rapmc("config --markdown datasets");
  REQUIRE(list.exit_code == 0);
  const std::string begin = "<!-- generated: rapmc config --markdown datasets -->\n";
  const std::string end = "<!-- end generated -->\n";
  const std::string before =
      "# D\n\nQuoted in prose: `" + begin.substr(0, begin.size() - 1) + "` is not a block.\n\n";
  const std::string stale = before + begin + "| spec | samples |\n| old | row |\n" + end + "tail\n";
  dir.write("docs/d.md", stale);
  const auto check = test::run_rapmc("config --check-docs " + docs.string());
  CHECK(check.exit_code == test::EXIT_CONFIG);
  CHECK(check.output.find("differs: " + (docs / "d.md").string() + ": datasets") !=
        std::string::npos);
  CHECK(check.output.find("1 generated list(s) in the docs differ from the code") !=
        std::string::npos);
  const auto update = test::run_rapmc("config --update-docs " + docs.string());
  CHECK(update.exit_code == 0);
  std::ifstream in(docs / "d.md");
  const std::string now{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  CHECK(now == before + begin + list.output + end + "tail\n");
  CHECK(test::run_rapmc("config --check-docs " + docs.string()).exit_code == 0);
  // A block without its end marker is refused, naming the file and the list.
  dir.write("docs/e.md", begin + "| x |\n");
  const auto open = test::run_rapmc("config --check-docs " + docs.string());
  CHECK(open.exit_code == test::EXIT_CONFIG);
  CHECK(open.output.find((docs / "e.md").string() +
                         ": the generated list 'datasets' has no '<!-- end generated -->' line") !=
        std::string::npos);
}
