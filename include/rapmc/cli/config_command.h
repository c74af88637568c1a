// `rapmc config` (docs/commands.md): prints the reference lists the docs hold, made from the
// code: every configuration key (unit, default, range, source), every error id (exit codes),
// the file formats' versions and the dataset names; checks or rewrites the docs' copies.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace rapmc {

/// The names of the lists (`hardware-keys`, `errors-files`, `formats`, …), in print order.
std::vector<std::string> reference_list_names();

/// One list as markdown; ConfigError naming the list if `name` is not one.
std::string reference_list_markdown(const std::string& name);

/// The generated blocks of the markdown files in `docs_dir` that differ from the code, as
/// "file: list" lines; with `update`, rewrites them in place instead (and returns what it
/// rewrote). A block is the text between `<!-- generated: rapmc config --markdown NAME -->` and
/// `<!-- end generated -->`.
std::vector<std::string> sync_docs(const std::string& docs_dir, bool update);

/// Adds the `config` subcommand to `app`; `action` is set to run it once parsing succeeded.
void add_config_command(CLI::App& app, std::function<int()>& action);

}  // namespace rapmc
