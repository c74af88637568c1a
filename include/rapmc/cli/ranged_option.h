// Numeric command-line options with a range: CLI11 refuses a value outside [lo, hi] with a
// message naming the option (docs/errors.md). Without the check CLI11 2.1 wraps a negative
// number given to an unsigned option ("--limit -5" would mean 2^64 - 5).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <type_traits>

namespace rapmc {

/// The check of a value in [lo, hi], compared as the option's kind of number (an integer option
/// as a signed integer, so that "-5" is seen as below 0 and "2.5" is refused).
template <class T>
CLI::Range range_of(double lo, double hi) {
  using R = std::conditional_t<std::is_floating_point_v<T>, double, long long>;
  return CLI::Range(static_cast<R>(lo), static_cast<R>(hi));
}

template <class T>
CLI::Option* add_ranged_option(CLI::App* cmd, const std::string& name, T& value,
                               const std::string& description, double lo, double hi) {
  return cmd->add_option(name, value, description)
      ->check(range_of<T>(lo, hi))
      ->capture_default_str();
}

}  // namespace rapmc
