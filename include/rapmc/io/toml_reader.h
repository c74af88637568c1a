// Validated reading of TOML configuration files (hardware descriptions, campaigns): every
// key is checked for type and range, unknown keys are errors, and all problems of a file are
// reported together in one ConfigError naming the file and each key.
// The parsed tree stays inside the io floor (src/io/toml_tree.h): this header shows no toml++.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace rapmc {

/// A configuration file's whole text (for readers that keep it verbatim, e.g. campaigns);
/// IoError naming the file if it cannot be read.
std::string read_text_file(const std::string& path);

/// What one `get_*` call asked for: the key, its default and the values it accepts, as text
/// (`rapmc config --markdown` builds the documentation's key tables from these).
struct KeyRecord {
  enum class Kind { INTEGER, NUMBER, STRING, CHOICE };
  std::string key;
  Kind kind;
  std::string fallback;              // the default, as the reader returns it when the key is absent
  std::string range;                 // "lo..hi" for numbers, "" otherwise
  std::vector<std::string> choices;  // a choice's accepted names
};

class TomlReader {
 public:
  struct Tree;  // the parsed table and the keys read so far (src/io/toml_tree.h)
  ~TomlReader();
  TomlReader(TomlReader&&) noexcept;
  TomlReader& operator=(TomlReader&&) noexcept;

  /// Parses `path`; ConfigError with line and column on a syntax error, IoError if unreadable.
  static TomlReader from_file(const std::string& path);
  /// Parses TOML text; `source` names it in messages.
  static TomlReader from_string(const std::string& text, const std::string& source);

  /// The value at dotted `key` ("adc.enob"), or `fallback` if absent; a wrong type or a value
  /// outside [lo, hi] is recorded as a problem (and `fallback` returned).
  std::int64_t get_int(const std::string& key, std::int64_t fallback, std::int64_t lo,
                       std::int64_t hi);
  double get_double(const std::string& key, double fallback, double lo, double hi);
  std::string get_string(const std::string& key, const std::string& fallback);
  /// A string that must be one of `choices`; returns its index.
  int get_choice(const std::string& key, int fallback, const std::vector<std::string>& choices);
  bool has(const std::string& key) const;

  /// Records a problem found by the caller (cross-field checks).
  void problem(const std::string& key, const std::string& what);
  /// From now on, records every key asked for (`rapmc config`; off by default, so that reading
  /// a campaign's points does not pay for it).
  void keep_records() { keep_records_ = true; }
  /// Every key asked for since keep_records(), in the order of the first request.
  const std::vector<KeyRecord>& records() const { return records_; }
  /// The problems recorded so far.
  const std::vector<std::string>& problems() const { return problems_; }
  /// Throws one ConfigError listing every problem and every key that was never read
  /// ("unknown key"). Call after reading all keys.
  void finish() const;
  const std::string& source() const { return source_; }
  const std::string& text() const { return text_; }
  /// The parsed tree, for the io floor's tree access (src/io/toml_tree.h).
  Tree& tree() { return *tree_; }
  const Tree& tree() const { return *tree_; }

  /// Builds a reader over an already parsed tree (src/io/toml_tree.h makes one).
  TomlReader(std::unique_ptr<Tree> tree, std::string source, std::string text);

 private:
  std::unique_ptr<Tree> tree_;
  std::string source_;
  std::string text_;
  std::vector<std::string> problems_;
  bool keep_records_ = false;
  std::vector<KeyRecord> records_;
  void record(KeyRecord k);
};

/// The shortest text that reads back as `x` ("5e-05", "0.2", "128").
std::string number_text(double x);

}  // namespace rapmc
