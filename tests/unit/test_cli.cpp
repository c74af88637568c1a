#include <hdf5.h>

#include <doctest/doctest.h>
#include <hdf5.h>

#include <nlohmann/json.hpp>

#include "rapmc/core/errors.h"
#include "rapmc/io/format_header.h"
#include "rapmc/io/hdf5.h"
#include "rapmc/quant/int_model.h"
#include "rapmc/tails/tails_file.h"
#include "test_support.h"

using namespace rapmc;
using test::EXIT_CONFIG, test::EXIT_DATA, test::EXIT_IO, test::EXIT_MODEL;

TEST_CASE("--version names the commit and the library versions") {
  const auto r = test::run_rapmc("--version");
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("rapmc 0.") != std::string::npos);
  CHECK(r.output.find("git ") != std::string::npos);
  for (const char* lib : {"Boost 1.", "oneTBB 20", "HDF5 1.", "Armadillo "}) {
    CAPTURE(lib);
    CHECK(r.output.find(lib) != std::string::npos);
  }
}

TEST_CASE("eval --json prints accuracy and n") {
  const auto r =
      test::run_rapmc("eval --model " + test::shipped_model() + " --limit 64 --json --threads 2");
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("\"accuracy\"") != std::string::npos);
  CHECK(r.output.find("\"n\": 64") != std::string::npos);
  CHECK(r.output.find("\"pipeline\": \"fp32\"") != std::string::npos);
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
  struct Case {
    std::string args;
    int code;
    std::string message;
  };
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

  const Case cases[] = {
      {"eval --model " + missing_model, EXIT_IO, missing_model + ": no such file"},
      {"eval --model " + text_file, EXIT_IO, "not an HDF5 file"},
      {"eval --model " + other_h5, EXIT_MODEL, "not a rapmc model file"},
      {"eval --model " + missing_ds, EXIT_MODEL, "head/fc/weight: missing dataset"},
      {"eval --model " + bad_shape, EXIT_MODEL, "fc1_weight: shape [16, 8] does not match"},
      {"eval --model " + model + " --data-dir " + no_data, EXIT_DATA,
       no_data + "/t10k-images-idx3-ubyte.gz"},
      {"eval --model " + model + " --pipeline bogus", EXIT_CONFIG, "unknown pipeline 'bogus'"},
      {"eval --model " + model + " --dataset cifar:test", EXIT_CONFIG, "dataset 'cifar:test'"},
      {"eval --model " + model + " --threads -1", EXIT_CONFIG, "--threads"},
      {"eval --bogus-flag", EXIT_CONFIG, "bogus-flag"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args);
    const auto r = test::run_rapmc(c.args);
    CAPTURE(r.output);
    CHECK(r.exit_code == c.code);
    CHECK(r.output.find(c.message) != std::string::npos);
  }
}

TEST_CASE("eval of the quantized pipelines reports agreement with fp32 and the logit SQNR") {
  const std::string int_model = test::source_path("data/models/vit_fmnist_int8.h5");
  for (const std::string p : {"flare --requant emsb", "flare --requant dyadic", "ptq-dqq"}) {
    CAPTURE(p);
    const auto r = test::run_rapmc("eval --model " + test::shipped_model() + " --int-model " +
                                   int_model + " --pipeline " + p + " --limit 32 --json");
    CAPTURE(r.output);
    CHECK(r.exit_code == 0);
    for (const char* key :
         {"\"accuracy\"", "\"n\": 32", "\"agreement_fp32\"", "\"sqnr_db\"", "\"fp32_accuracy\""})
      CHECK(r.output.find(key) != std::string::npos);
  }
  // An integer model alone runs flare (no fp32 to compare with).
  const auto r =
      test::run_rapmc("eval --model " + int_model + " --pipeline flare --limit 16 --json");
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("\"n\": 16") != std::string::npos);
  CHECK(r.output.find("agreement_fp32") == std::string::npos);
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
  struct Case {
    std::string args;
    int code;
    std::string message;
  };
  const Case cases[] = {
      {"quantize --model " + model + out + " --calib-size 0", EXIT_CONFIG,
       "--calib-size: Value 0 not in range 1 to 10000000"},
      {"quantize --model " + model + out + " --weight-bits 9", EXIT_CONFIG,
       "weight_bits = 9 out of range 2..8"},
      {"quantize --model " + model + out + " --act-bits 1", EXIT_CONFIG,
       "act_bits = 1 out of range 2..8"},
      {"quantize --model " + model + out + " --calibrator entropy", EXIT_CONFIG,
       "unknown calibrator 'entropy'"},
      {"quantize --model " + model + out + " --percentile 30", EXIT_CONFIG, "--percentile"},
      {"quantize --model " + model + out + " --calib mnist:train", EXIT_CONFIG, "mnist:train"},
      {"quantize --model " + missing_ds + out, EXIT_MODEL,
       "blocks/1/attn/qkv_weight: missing dataset"},
      {"quantize --model " + int_model + out, EXIT_MODEL, "already an integer model"},
      {"quantize --model " + model, EXIT_CONFIG, "--out is required"},
      {"eval --model " + int_model + " --pipeline ptq-dqq", EXIT_CONFIG, "needs an FP32 model"},
      {"eval --model " + model + " --pipeline flare --requant float", EXIT_CONFIG,
       "unknown requantization mode 'float'"},
      {"eval --model " + model + " --pipeline flare --int-model " + model, EXIT_MODEL,
       "not a rapmc integer model"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args);
    const auto r = test::run_rapmc(c.args);
    CAPTURE(r.output);
    CHECK(r.exit_code == c.code);
    CHECK(r.output.find(c.message) != std::string::npos);
  }
}
