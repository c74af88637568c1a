// Typed errors of rapmc. Each message names the file, key or dataset at fault and
// what was expected; `main` prints it and exits with the error's exit code.
#pragma once

#include <stdexcept>
#include <string>

namespace rapmc {

/// Process exit codes, one per error class (docs/commands.md, "Errors and exit codes").
enum class ExitCode : int {
  SUCCESS = 0,
  INTERNAL = 1,  // a bug or an unexpected exception
  CONFIG = 2,    // bad command line, campaign or hardware file
  IO = 3,        // missing, unreadable or corrupt file
  MODEL = 4,     // a model file with missing or inconsistent content
  DATA = 5,      // a dataset that is missing or malformed
};

/// Base of every rapmc error.
class Error : public std::runtime_error {
 public:
  Error(const std::string& what, ExitCode code) : std::runtime_error(what), code_(code) {}
  ExitCode code() const noexcept { return code_; }

 private:
  ExitCode code_;
};

/// Bad configuration: a command-line value, campaign key or hardware key.
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& what) : Error(what, ExitCode::CONFIG) {}
};

/// A file that cannot be opened, read or written, or is not what it should be.
class IoError : public Error {
 public:
  explicit IoError(const std::string& what) : Error(what, ExitCode::IO) {}
};

/// A chip instance that cannot work, for a physical reason docs/formats.md lists ("Failing
/// chips"): its trial is recorded as a failed chip (status 1) and the campaign goes on. Any
/// other exception in a trial is a bug: the campaign stops with exit 1 after committing the
/// trials before it.
class ChipFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A model file whose attributes or tensors are missing or inconsistent.
class ModelError : public Error {
 public:
  explicit ModelError(const std::string& what) : Error(what, ExitCode::MODEL) {}
};

/// A dataset whose files are missing or malformed.
class DataError : public Error {
 public:
  explicit DataError(const std::string& what) : Error(what, ExitCode::DATA) {}
};

/// `e` again, of the same class, its message after `context` (e.g. "campaign.toml: model.fp32 =
/// 'README.md': "), so an error found in a file a key names also names the key.
[[noreturn]] inline void rethrow_with_context(const Error& e, const std::string& context) {
  const std::string what = context + e.what();
  switch (e.code()) {
    case ExitCode::CONFIG:
      throw ConfigError(what);
    case ExitCode::IO:
      throw IoError(what);
    case ExitCode::MODEL:
      throw ModelError(what);
    case ExitCode::DATA:
      throw DataError(what);
    default:
      throw Error(what, e.code());
  }
}

}  // namespace rapmc
