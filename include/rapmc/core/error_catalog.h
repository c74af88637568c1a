// The classes of bad input and faults rapmc answers, each with its id (E01…), the exit code(s)
// it ends with and what its message names: the one list docs/errors.md is generated from
// (`rapmc config --markdown errors-*`) and the tests check their cases against.
#pragma once

#include <string_view>
#include <vector>

namespace rapmc {

/// The section of docs/errors.md a class belongs to.
enum class ErrorGroup { COMMAND_LINE, FILES, CAMPAIGN, RESULTS, FAULTS };

/// One class of bad input (or, for FAULTS, one fault while a campaign runs).
struct ErrorClass {
  std::string_view id;  // "E03"
  ErrorGroup group;
  std::string_view input;    // what the input is (for FAULTS: the fault)
  std::string_view example;  // a command line or file content that gives it ("" for FAULTS)
  std::string_view exit;     // the exit code(s) as the docs say them ("2 or 3")
  std::string_view codes;    // every exit code it may end with, space-separated ("2 3")
  std::string_view names;    // what the message names (for FAULTS: what happens)
};

/// Every class, in id order.
const std::vector<ErrorClass>& error_catalog();

/// The class of `id`, or nullptr.
const ErrorClass* find_error_class(std::string_view id);

/// The exit codes `codes` lists, as numbers.
std::vector<int> exit_codes(const ErrorClass& e);

}  // namespace rapmc
