// The shared test helpers (test_support.h).
#include "test_support.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <random>
#include <stdexcept>

namespace rapmc::test {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "rapmc-test-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, const std::string& text) const {
  const std::string path = file(name);
  std::ofstream out(path);
  out << text;
  REQUIRE_MESSAGE(out.good(), "cannot write " << path);
  return path;
}

CommandResult run_command(const std::string& cmd) {
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

CommandResult run_rapmc(const std::string& args) {
  return run_command(std::string(RAPMC_BINARY) + " " + args);
}

void check_cases(const std::vector<RefusedCase>& cases) {
  for (const RefusedCase& c : cases) {
    CAPTURE(c.id);
    CAPTURE(c.args);
    const auto r = run_rapmc(c.args);
    CAPTURE(r.output);
    CHECK(r.exit_code == c.code);
    CHECK(r.output.find(c.message) != std::string::npos);
    CHECK(r.exit_code != static_cast<int>(ExitCode::INTERNAL));
    CHECK(r.output.find("internal error") == std::string::npos);
  }
}

BackgroundRapmc::BackgroundRapmc(const std::string& args) {
  const std::string line = "exec " + std::string(RAPMC_BINARY) + " " + args + " >/dev/null 2>&1";
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {  // the child: the shell replaced by rapmc, so that pid_ is rapmc's
    execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
}

BackgroundRapmc::~BackgroundRapmc() {
  kill();
}

bool BackgroundRapmc::running() {
  if (reaped_) return false;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  reaped_ = true;
  if (r == pid_ && WIFEXITED(status)) exit_code_ = WEXITSTATUS(status);
  return false;
}

void BackgroundRapmc::kill() {
  if (reaped_) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  reaped_ = true;
  if (WIFEXITED(status)) exit_code_ = WEXITSTATUS(status);
}

std::vector<std::string> run_shards(const TempDir& dir, const std::string& camp, int shards,
                                    const std::string& prefix, const std::string& options) {
  std::vector<std::string> parts;
  for (int i = 0; i < shards; ++i) {
    const std::string part = dir.file(prefix + "_" + std::to_string(i) + ".h5");
    const std::string args = "run " + camp + " --shard " + std::to_string(i) + "/" +
                             std::to_string(shards) + " --out " + part + " --quiet " + options;
    const auto r = run_rapmc(args);
    CAPTURE(args);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    parts.push_back(part);
  }
  return parts;
}

void merge_shards(const std::vector<std::string>& parts, const std::string& out) {
  std::string args = "merge";
  for (const std::string& p : parts) args += " " + p;
  args += " --out " + out + " --quiet";
  const auto r = run_rapmc(args);
  CAPTURE(args);
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
}

std::string source_path(const std::string& rel) {
  return (std::filesystem::path(RAPMC_SOURCE_DIR) / rel).string();
}

std::string shipped_model() {
  return source_path("data/models/vit_fmnist.h5");
}

std::string shipped_fixture() {
  return source_path("data/fixtures/vit_fmnist_logits256.h5");
}

// The test-only std::mt19937 and std:: distributions are fine in this file: its weights and
// inputs are fixtures, not Monte Carlo draws.
EncoderModel tiny_model(unsigned seed) {
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

EvalResult check_integer_pipelines(const EncoderModel& model, const IntModel& q,
                                   const SampleSet& samples, double points) {
  EvalOptions quiet;
  quiet.progress = ProgressDisplay::OFF;
  const EvalResult fp32 = evaluate(model, samples, quiet);
  const IntegerPipelines pipelines(model, q);
  for (const auto& e : pipelines.all()) {  // no structured binding: CAPTURE's lambda needs one
    const std::string name = e.first;
    const EvalResult r = evaluate(*e.second, q.num_classes, samples, quiet);
    MESSAGE(std::string(name) << ": accuracy " << r.accuracy << " (fp32 " << fp32.accuracy
                              << "), agreement " << agreement(r, fp32) << ", SQNR "
                              << sqnr_db(r, fp32) << " dB");
    CAPTURE(name);
    CHECK(std::abs(r.accuracy - fp32.accuracy) <= points / 100);
  }
  return fp32;
}

EncoderModel tiny_bert(unsigned seed) {
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

IntModel random_layers(unsigned seed, int in, int out) {
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

std::vector<std::int8_t> random_inputs(unsigned seed, int n) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> x(-128, 127);
  std::vector<std::int8_t> v(static_cast<std::size_t>(n));
  for (auto& e : v) e = static_cast<std::int8_t>(x(gen));
  return v;
}

}  // namespace rapmc::test
