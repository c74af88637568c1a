// Names of enum values: one constexpr table of {value, name} pairs per enum (or per use, for a
// key that accepts only some values), and checked conversions both ways. A value missing from
// its table is a bug, never bad input: name_of() and index_of() throw std::logic_error rather
// than index past the table. Float-free, so the FP-less integer runtime can include it.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace rapmc {

/// One entry of a names table.
template <class E>
struct EnumName {
  E value;
  std::string_view name;
};

/// A names table; its order is the order of the choices a reader lists.
template <class E, std::size_t N>
using EnumNames = std::array<EnumName<E>, N>;

namespace enum_names_detail {
[[noreturn]] inline void missing(const char* what, long long value) {
  throw std::logic_error(std::string(what) + ": enum value " + std::to_string(value) +
                         " is not in its names table");
}
}  // namespace enum_names_detail

/// The position of `value` in `table`; std::logic_error if it is not there.
template <class E, std::size_t N>
constexpr int index_of(const EnumNames<E, N>& table, std::type_identity_t<E> value) {
  for (std::size_t i = 0; i < N; ++i)
    if (table[i].value == value) return static_cast<int>(i);
  enum_names_detail::missing("index_of", static_cast<long long>(value));
}

/// The name of `value` in `table`; std::logic_error if it is not there.
template <class E, std::size_t N>
constexpr std::string_view name_of(const EnumNames<E, N>& table, std::type_identity_t<E> value) {
  return table[static_cast<std::size_t>(index_of(table, value))].name;
}

/// The value named `name` in `table`, if any.
template <class E, std::size_t N>
constexpr std::optional<E> find_value(const EnumNames<E, N>& table, std::string_view name) {
  for (const auto& [v, n] : table)
    if (n == name) return v;
  return std::nullopt;
}

/// The value at position `index` of `table` (as TomlReader::get_choice returns it);
/// std::logic_error for an index outside the table.
template <class E, std::size_t N>
constexpr E value_at(const EnumNames<E, N>& table, int index) {
  if (index < 0 || static_cast<std::size_t>(index) >= N)
    enum_names_detail::missing("value_at", index);
  return table[static_cast<std::size_t>(index)].value;
}

/// The names in table order (the choices list of TomlReader::get_choice).
template <class E, std::size_t N>
std::vector<std::string> names_of(const EnumNames<E, N>& table) {
  std::vector<std::string> out;
  for (const auto& entry : table) out.emplace_back(entry.name);
  return out;
}

/// The names joined by `sep` in table order, e.g. "emsb|dyadic" for help texts and messages.
template <class E, std::size_t N>
std::string joined_names(const EnumNames<E, N>& table, std::string_view sep = "|") {
  std::string out;
  for (const auto& entry : table) {
    if (!out.empty()) out += sep;
    out += entry.name;
  }
  return out;
}

/// The entries of `table` for `values`, in that order: a key that accepts only some values
/// takes their names from the enum's one table (a value not in it fails to compile when used
/// in a constant expression).
template <class E, std::size_t N, std::size_t M>
constexpr EnumNames<E, M> subset_of(const EnumNames<E, N>& table, const std::array<E, M>& values) {
  EnumNames<E, M> out{};
  for (std::size_t i = 0; i < M; ++i) out[i] = {values[i], name_of(table, values[i])};
  return out;
}

/// A TOML choice key read into an enum: `reader.get_choice(key, index of fallback, names)`,
/// its index turned back into a value through `table`, checked. `Reader` is TomlReader
/// (io/toml_reader.h, a floor above: hence a template rather than an include).
template <class Reader, class E, std::size_t N>
E read_choice(Reader& reader, const std::string& key, std::type_identity_t<E> fallback,
              const EnumNames<E, N>& table) {
  return value_at(table, reader.get_choice(key, index_of(table, fallback), names_of(table)));
}

}  // namespace rapmc
