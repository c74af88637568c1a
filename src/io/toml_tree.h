// The io floor's private view of a TomlReader's parsed tree (toml++), for the readers that edit
// or walk tables: campaign overrides and sweeps (mc/campaign.cpp). Not a public header: nothing
// under include/ shows toml++.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <vector>

#include "rapmc/io/toml_reader.h"

namespace rapmc {

struct TomlReader::Tree {
  toml::table table;
  std::vector<std::string> read_keys;
  /// The node at dotted `key` (marked as read), or nullptr.
  const toml::node* find(const std::string& key);
};

/// A reader over an already parsed (possibly edited) table; `source` names it in messages.
TomlReader toml_reader_of(toml::table table, const std::string& source);

/// The raw node at `key` of `r` (marked as read), or nullptr.
inline const toml::node* toml_raw(TomlReader& r, const std::string& key) {
  return r.tree().find(key);
}

/// Sets the value at dotted `key` in `table`, creating sub-tables as needed.
void set_toml_path(toml::table& table, const std::string& key, const toml::node& value);

}  // namespace rapmc
