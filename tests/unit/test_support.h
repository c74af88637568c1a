// Helpers shared by the unit and regression tests (one copy each, in test_support.cpp):
// temporary folders and the files written into them, running the rapmc executable (to its end,
// a table of refused command lines, or in the background), small models and inputs.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

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
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }
  /// Writes `text` to the file `name` in this folder (replacing it); returns the file's path.
  std::string write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;  // -1: ended by a signal
  std::string output;  // stdout and stderr interleaved
};

/// Runs a shell command line, capturing stdout+stderr and the exit code.
CommandResult run_command(const std::string& cmd);

/// Runs the rapmc executable built with the tests (`args` as a shell would split them).
CommandResult run_rapmc(const std::string& args);

/// One command line rapmc must refuse: its exit code and a part of its message.
struct RefusedCase {
  std::string id;  // its class in docs/errors.md ("E03"), or "" where the test names the classes
  std::string args;
  int code = 0;
  std::string message;
};

/// Runs each case and checks its exit code and message, and that rapmc did not fail as a bug
/// would (exit 1 or "internal error": never the answer to bad input).
void check_cases(const std::vector<RefusedCase>& cases);

/// The rapmc executable running in the background, its output discarded, for a test that reads
/// or kills a run under way. Killed (SIGKILL) and reaped on destruction if still running.
class BackgroundRapmc {
 public:
  explicit BackgroundRapmc(const std::string& args);
  ~BackgroundRapmc();
  BackgroundRapmc(const BackgroundRapmc&) = delete;
  BackgroundRapmc& operator=(const BackgroundRapmc&) = delete;
  /// True while the process runs; once it has ended, reaps it and keeps its exit code.
  bool running();
  /// SIGKILL, then reaps it (nothing if it has already ended).
  void kill();
  /// The exit code once it has ended (-1 if a signal ended it, or while it runs).
  int exit_code() const { return exit_code_; }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int exit_code_ = -1;
};

/// Runs campaign file `camp` as `shards` shards (each `--shard i/N` with `options` added) into
/// `<prefix>_<i>.h5` in `dir`, requiring each to succeed; returns the shard files in order.
std::vector<std::string> run_shards(const TempDir& dir, const std::string& camp, int shards,
                                    const std::string& prefix, const std::string& options = "");

/// `rapmc merge` of `parts` into `out`; requires it to succeed.
void merge_shards(const std::vector<std::string>& parts, const std::string& out);

/// A path in the source tree (`rel` relative to the repository root).
std::string source_path(const std::string& rel);

/// The shipped model and its PyTorch logits fixture.
std::string shipped_model();
std::string shipped_fixture();

/// A small random ViT (8x8 images, patch 4, dim 8, depth 2, heads 2), for format tests.
EncoderModel tiny_model(unsigned seed = 1);

/// A small random BERT-style text encoder: D = 8, 2 blocks, 2 heads, 8 tokens, a vocabulary of
/// 12 with the specials first.
EncoderModel tiny_bert(unsigned seed = 1);

/// The three integer pipelines over exact digital MVMs (flare emsb and dyadic, ptq-dqq).
struct IntegerPipelines {
  IntegerPipelines(const EncoderModel& model, const IntModel& q)
      : emsb(q, RequantMode::EMSB, digital),
        dyadic(q, RequantMode::DYADIC, digital),
        emsb_engine(emsb),
        dyadic_engine(dyadic),
        dqq(model, q, digital) {}
  DigitalMvm digital;
  FlareInference emsb, dyadic;
  FlareEngine emsb_engine, dyadic_engine;
  PtqDqqInference dqq;
  /// Each with its `eval --pipeline` arguments.
  std::vector<std::pair<std::string, const InferenceEngine*>> all() const {
    return {{"flare --requant emsb", &emsb_engine},
            {"flare --requant dyadic", &dyadic_engine},
            {"ptq-dqq", &dqq}};
  }
};

/// Evaluates fp32 and the three integer pipelines (flare emsb and dyadic, ptq-dqq; exact
/// digital MVMs) on `samples`, reports each, and checks each integer pipeline's accuracy within
/// `points` of fp32's. Returns the fp32 result.
EvalResult check_integer_pipelines(const EncoderModel& model, const IntModel& q,
                                   const SampleSet& samples, double points);

/// A small integer model for the engine's tests: random int8 weights [out × in] as its
/// embedding and the same as its head.
IntModel random_layers(unsigned seed, int in, int out);

/// `n` random int8 activations, uniform over -128..127, a pure function of `seed`.
std::vector<std::int8_t> random_inputs(unsigned seed, int n);

}  // namespace rapmc::test
