// Helpers shared by the unit tests: temporary folders, running the CLI, small models.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include <doctest/doctest.h>

#include "rapmc/core/errors.h"
#include "rapmc/core/progress.h"
#include "rapmc/infer/evaluate.h"
#include "rapmc/infer/flare_engine.h"
#include "rapmc/infer/mvm_backend.h"
#include "rapmc/infer/ptq_dqq_inference.h"
#include "rapmc/model/encoder_model.h"
#include "rapmc/quant/int_model.h"

namespace rapmc::test {

/// Exit codes of the rapmc executable, as a test compares them.
inline constexpr int EXIT_CONFIG = static_cast<int>(ExitCode::CONFIG);
inline constexpr int EXIT_IO = static_cast<int>(ExitCode::IO);
inline constexpr int EXIT_MODEL = static_cast<int>(ExitCode::MODEL);
inline constexpr int EXIT_DATA = static_cast<int>(ExitCode::DATA);

/// Matcher for CHECK_THROWS_WITH_AS: the message contains `s`.
inline doctest::Contains has(const std::string& s) {
  return doctest::Contains(s.c_str());
}

/// A fresh folder under the system temp dir, removed with its content on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rapmc-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr interleaved
};

/// Runs a shell command line, capturing stdout+stderr and the exit code.
inline CommandResult run_command(const std::string& cmd) {
  CommandResult r;
  FILE* pipe = popen((cmd + " 2>&1").c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed: " + cmd);
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// Runs the rapmc executable built with the tests.
inline CommandResult run_rapmc(const std::string& args) {
  return run_command(std::string(RAPMC_BINARY) + " " + args);
}

inline std::string source_path(const std::string& rel) {
  return (std::filesystem::path(RAPMC_SOURCE_DIR) / rel).string();
}

/// The shipped model and its PyTorch logits fixture.
inline std::string shipped_model() {
  return source_path("data/models/vit_fmnist.h5");
}
inline std::string shipped_fixture() {
  return source_path("data/fixtures/vit_fmnist_logits256.h5");
}

/// A small random ViT (8x8 images, patch 4, dim 8, depth 2, heads 2), for format tests.
/// The test-only std::mt19937 is fine here: these weights are fixtures, not Monte Carlo draws.
inline EncoderModel tiny_model(unsigned seed = 1) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-0.5, 0.5);
  auto mat = [&](arma::uword r, arma::uword c) {
    arma::mat m(r, c);
    m.imbue([&] { return static_cast<double>(static_cast<float>(u(gen))); });
    return m;
  };
  auto vec = [&](arma::uword n) { return arma::vec(mat(n, 1)); };
  EncoderModel m;
  EncoderConfig& c = m.config;
  c.dim = 8, c.depth = 2, c.heads = 2, c.mlp_dim = 16, c.num_classes = 3;
  c.image_size = 8, c.patch_size = 4, c.channels = 1, c.ln_eps = 1e-5;
  c.mean = {0.25}, c.std = {0.5};
  const auto d = static_cast<arma::uword>(c.dim);
  m.patch_weight = mat(d, 16);
  m.patch_bias = vec(d);
  m.cls = vec(d);
  m.pos = mat(d, 5);
  for (int i = 0; i < 2; ++i) {
    EncoderBlock b;
    b.ln1_weight = vec(d), b.ln1_bias = vec(d);
    b.qkv_weight = mat(3 * d, d), b.qkv_bias = vec(3 * d);
    b.proj_weight = mat(d, d), b.proj_bias = vec(d);
    b.ln2_weight = vec(d), b.ln2_bias = vec(d);
    b.fc1_weight = mat(16, d), b.fc1_bias = vec(16);
    b.fc2_weight = mat(d, 16), b.fc2_bias = vec(d);
    m.blocks.push_back(b);
  }
  m.head_ln_weight = vec(d), m.head_ln_bias = vec(d);
  m.head_weight = mat(3, d), m.head_bias = vec(3);
  return m;
}

/// Evaluates fp32 and the three integer pipelines (flare emsb and dyadic, ptq-dqq; exact
/// digital MVMs) on `samples`, reports each, and checks each integer pipeline's accuracy within
/// `points` of fp32's. Returns the fp32 result.
inline EvalResult check_integer_pipelines(const EncoderModel& model, const IntModel& q,
                                          const SampleSet& samples, double points) {
  EvalOptions quiet;
  quiet.progress = ProgressDisplay::OFF;
  const EvalResult fp32 = evaluate(model, samples, quiet);
  const DigitalMvm digital;
  const FlareInference emsb(q, RequantMode::EMSB, digital), dyadic(q, RequantMode::DYADIC, digital);
  const FlareEngine emsb_engine(emsb), dyadic_engine(dyadic);
  const PtqDqqInference dqq(model, q, digital);
  const std::pair<const char*, const InferenceEngine*> engines[] = {
      {"flare-emsb", &emsb_engine}, {"flare-dyadic", &dyadic_engine}, {"ptq-dqq", &dqq}};
  for (const auto& e : engines) {  // no structured binding: CAPTURE's lambda needs a variable
    const char* name = e.first;
    const EvalResult r = evaluate(*e.second, q.num_classes, samples, quiet);
    MESSAGE(std::string(name) << ": accuracy " << r.accuracy << " (fp32 " << fp32.accuracy
                              << "), agreement " << agreement(r, fp32) << ", SQNR "
                              << sqnr_db(r, fp32) << " dB");
    CAPTURE(name);
    CHECK(std::abs(r.accuracy - fp32.accuracy) <= points / 100);
  }
  return fp32;
}

/// A small random BERT-style text encoder (test fixture only: std::mt19937): D = 8, 2 blocks,
/// 2 heads, 8 tokens, a vocabulary of 12 with the specials first.
inline EncoderModel tiny_bert(unsigned seed = 1) {
  EncoderModel m = tiny_model(seed);
  std::mt19937 gen(seed + 100);
  std::uniform_real_distribution<double> u(-0.5, 0.5);
  auto mat = [&](arma::uword r, arma::uword c) {
    arma::mat x(r, c);
    x.imbue([&] { return static_cast<double>(static_cast<float>(u(gen))); });
    return x;
  };
  EncoderConfig& c = m.config;
  c.arch = Architecture::BERT;
  c.image_size = c.patch_size = c.channels = 0;
  c.mean.clear(), c.std.clear();
  c.max_tokens = 8, c.vocab_size = 12, c.type_vocab_size = 2, c.ln_eps = 1e-12;
  m.patch_weight.reset(), m.patch_bias.reset(), m.cls.reset();
  m.head_ln_weight.reset(), m.head_ln_bias.reset();
  m.word = mat(8, 12), m.pos = mat(8, 8), m.segment = mat(8, 2);
  m.embed_ln_weight = arma::vec(mat(8, 1)) + 1.0, m.embed_ln_bias = arma::vec(mat(8, 1));
  m.pooler_weight = mat(8, 8), m.pooler_bias = arma::vec(mat(8, 1));
  std::vector<std::string> vocab{"[PAD]", "[UNK]", "[CLS]", "[SEP]"};
  for (int i = 4; i < 12; ++i) vocab.push_back("w" + std::to_string(i));
  m.tokenizer = WordTokenizer(vocab, SpecialTokens{}, "tiny_bert");
  return m;
}

/// A small integer model for the engine's tests: random int8 weights [out × in] as its
/// embedding and the same as its head (test fixture only: std::mt19937).
inline IntModel random_layers(unsigned seed, int in, int out) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> w(-127, 127);
  IntModel m;
  m.settings = QuantSettings{};
  m.embed.name = "embed";
  m.embed.in = in;
  m.embed.out = out;
  for (int i = 0; i < in * out; ++i) m.embed.w.push_back(static_cast<std::int8_t>(w(gen)));
  m.head = m.embed;
  m.head.name = "head/fc";
  return m;
}

}  // namespace rapmc::test
