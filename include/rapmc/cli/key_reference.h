// The reference of every configuration key: unit, meaning and source, beside the default and
// range the readers themselves ask for (TomlReader::records). docs/configuration.md's key tables
// are printed from here (`rapmc config --markdown`), so they cannot drift from the code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rapmc {

/// Which table of docs/configuration.md a key belongs to.
enum class KeySection { HARDWARE, CAMPAIGN, SAMPLING, LIFETIME, VARIATION };

/// One row: one key, or several keys that share their unit and meaning.
struct KeyDoc {
  KeySection section;
  std::string_view keys;  // ", "-separated, as read ("array.tile_rows, array.tile_cols")
  std::string_view unit;
  std::string_view meaning;  // what it sets; notes on its default or range the code cannot say
  std::string_view source;   // paper, peer tool, "assumed" or "program setting"
  // Only where the reader's fallback is not the default (a default computed from other input):
  // the default in words.
  std::string_view computed_default = {};
  // Only for a row no `get_*` call reads (lists, whole sections, the sweep): its range in words.
  std::string_view range_text = {};
};

/// Every row, in the order of the docs.
const std::vector<KeyDoc>& key_docs();

/// The markdown table of `section`: each row's keys with the readers' defaults and ranges.
/// Throws std::logic_error naming the key if a reader asks for a key no row lists, or a row
/// lists a key no reader asks for.
std::string key_table_markdown(KeySection section);

}  // namespace rapmc
