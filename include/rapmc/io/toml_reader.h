// Validated reading of TOML configuration files (hardware descriptions, campaigns): every
// key is checked for type and range, unknown keys are errors, and all problems of a file are
// reported together in one ConfigError naming the file and each key.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <toml++/toml.h>

namespace rapmc {

/// Sets the value at dotted `key` in `table`, creating sub-tables as needed.
void set_toml_path(toml::table& table, const std::string& key, const toml::node& value);

class TomlReader {
 public:
  /// Parses `path`; ConfigError with line and column on a syntax error, IoError if unreadable.
  static TomlReader from_file(const std::string& path);
  /// Parses TOML text; `source` names it in messages.
  static TomlReader from_string(const std::string& text, const std::string& source);
  /// Reads an already parsed (possibly edited) table.
  static TomlReader from_table(toml::table table, const std::string& source);

  /// The value at dotted `key` ("adc.enob"), or `fallback` if absent; a wrong type or a value
  /// outside [lo, hi] is recorded as a problem (and `fallback` returned).
  std::int64_t get_int(const std::string& key, std::int64_t fallback, std::int64_t lo, std::int64_t hi);
  double get_double(const std::string& key, double fallback, double lo, double hi);
  std::string get_string(const std::string& key, const std::string& fallback);
  /// A string that must be one of `choices`; returns its index.
  int get_choice(const std::string& key, int fallback, const std::vector<std::string>& choices);
  bool has(const std::string& key) const;
  /// The raw node at `key` (marked as read), or nullptr.
  const toml::node* raw(const std::string& key);

  /// Records a problem found by the caller (cross-field checks).
  void problem(const std::string& key, const std::string& what);
  /// The problems recorded so far.
  const std::vector<std::string>& problems() const { return problems_; }
  /// Throws one ConfigError listing every problem and every key that was never read
  /// ("unknown key"). Call after reading all keys.
  void finish() const;
  const std::string& source() const { return source_; }
  const std::string& text() const { return text_; }
  const toml::table& table() const { return table_; }

 private:
  TomlReader(toml::table table, std::string source, std::string text);
  const toml::node* find(const std::string& key);
  void collect_unknown(const toml::table& t, const std::string& prefix, std::vector<std::string>& out) const;

  toml::table table_;
  std::string source_;
  std::string text_;
  std::vector<std::string> read_keys_;
  std::vector<std::string> problems_;
};

}  // namespace rapmc
