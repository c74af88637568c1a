#include "rapmc/cli/config_command.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "rapmc/cli/key_reference.h"
#include "rapmc/core/error_catalog.h"
#include "rapmc/core/errors.h"
#include "rapmc/data/dataset.h"
#include "rapmc/io/toml_reader.h"
#include "rapmc/model/model_header.h"
#include "rapmc/results/results_reader.h"
#include "rapmc/tails/tails_file.h"

namespace rapmc {
namespace {

const std::string BEGIN = "<!-- generated: rapmc config --markdown ";
const std::string END = "<!-- end generated -->";

std::string errors_table(ErrorGroup group) {
  std::ostringstream out;
  if (group == ErrorGroup::FAULTS) {
    out << "| id | fault | what happens |\n| --- | --- | --- |\n";
  } else {
    out << "| id | input | example | exit | message names |\n| --- | --- | --- | --- | --- |\n";
  }
  for (const ErrorClass& e : error_catalog()) {
    if (e.group != group) continue;
    if (group == ErrorGroup::FAULTS)
      out << "| " << e.id << " | " << e.input << " | " << e.names << " |\n";
    else
      out << "| " << e.id << " | " << e.input << " | " << e.example << " | " << e.exit << " | "
          << e.names << " |\n";
  }
  return out.str();
}

std::string formats_table() {
  std::ostringstream out;
  out << "| file | `filetype` | current version | history |\n| --- | --- | --- | --- |\n";
  for (const FileFormat* f :
       {&MODEL_FORMAT, &INT_MODEL_FORMAT, &RESULTS_FORMAT, &tails::TAILS_FORMAT})
    out << "| " << f->title << " | `" << f->filetype << "` | " << f->major << "." << f->minor
        << " | " << f->history << " |\n";
  return out.str();
}

std::string datasets_table() {
  std::ostringstream out;
  out << "| spec | samples |\n| --- | --- |\n";
  for (const DatasetName& d : dataset_names())
    out << "| `" << d.name << "` | " << d.description << " |\n";
  return out.str();
}

struct ReferenceList {
  std::string name;
  std::function<std::string()> markdown;
};

const std::vector<ReferenceList>& reference_lists() {
  static const std::vector<ReferenceList> LISTS{
      {"hardware-keys", [] { return key_table_markdown(KeySection::HARDWARE); }},
      {"campaign-keys", [] { return key_table_markdown(KeySection::CAMPAIGN); }},
      {"sampling-keys", [] { return key_table_markdown(KeySection::SAMPLING); }},
      {"lifetime-keys", [] { return key_table_markdown(KeySection::LIFETIME); }},
      {"variation-keys", [] { return key_table_markdown(KeySection::VARIATION); }},
      {"errors-command-line", [] { return errors_table(ErrorGroup::COMMAND_LINE); }},
      {"errors-files", [] { return errors_table(ErrorGroup::FILES); }},
      {"errors-campaign", [] { return errors_table(ErrorGroup::CAMPAIGN); }},
      {"errors-results", [] { return errors_table(ErrorGroup::RESULTS); }},
      {"errors-faults", [] { return errors_table(ErrorGroup::FAULTS); }},
      {"formats", formats_table},
      {"datasets", datasets_table}};
  return LISTS;
}

// `text` with every generated block set to the code's list; `changed` gets the blocks that
// differed.
std::string synced(const std::string& text, const std::string& file,
                   std::vector<std::string>& changed) {
  std::string out;
  std::size_t pos = 0;
  // A marker opens its line (prose may quote one).
  auto next_marker = [&](std::size_t from) {
    for (std::size_t b = text.find(BEGIN, from); b != std::string::npos;
         b = text.find(BEGIN, b + 1))
      if (b == 0 || text[b - 1] == '\n') return b;
    return std::string::npos;
  };
  for (std::size_t b = next_marker(0); b != std::string::npos; b = next_marker(pos)) {
    const std::size_t name_end = text.find(" -->\n", b);
    if (name_end == std::string::npos)
      throw ConfigError(file + ": a '" + BEGIN + "' line without its closing ' -->'");
    const std::string name = text.substr(b + BEGIN.size(), name_end - b - BEGIN.size());
    const std::size_t body = name_end + 5;
    const std::size_t e = text.find(END, body);
    if (e == std::string::npos)
      throw ConfigError(file + ": the generated list '" + name + "' has no '" + END + "' line");
    const std::string now = reference_list_markdown(name);
    if (text.compare(body, e - body, now) != 0) changed.push_back(file + ": " + name);
    out += text.substr(pos, body - pos) + now;
    pos = e;
  }
  return out + text.substr(pos);
}

}  // namespace

std::vector<std::string> reference_list_names() {
  std::vector<std::string> out;
  for (const ReferenceList& l : reference_lists()) out.push_back(l.name);
  return out;
}

std::string reference_list_markdown(const std::string& name) {
  for (const ReferenceList& l : reference_lists())
    if (l.name == name) return l.markdown();
  std::string known;
  for (const auto& n : reference_list_names()) known += (known.empty() ? "" : ", ") + n;
  throw ConfigError("config --markdown: '" + name + "' is not a list (known: " + known + ")");
}

std::vector<std::string> sync_docs(const std::string& docs_dir, bool update) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(docs_dir)) throw IoError(docs_dir + ": not a folder");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(docs_dir))
    if (entry.path().extension() == ".md") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<std::string> changed;
  for (const fs::path& f : files) {
    const std::string text = read_text_file(f.string());
    const std::size_t before = changed.size();
    const std::string now = synced(text, f.string(), changed);
    if (update && changed.size() > before) {
      std::ofstream out(f, std::ios::binary);
      if (!(out << now)) throw IoError(f.string() + ": cannot write");
    }
  }
  return changed;
}

void add_config_command(CLI::App& app, std::function<int()>& action) {
  struct Options {
    std::string markdown, check, update;
    bool list = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "config",
      "Print the reference lists the docs hold (keys, error ids, formats, datasets), "
      "made from the code, or check the docs against them");
  cmd->add_option("--markdown", o->markdown, "Print one list as markdown (--list names them)");
  cmd->add_flag("--list", o->list, "Print the names of the lists");
  cmd->add_option("--check-docs", o->check,
                  "Compare every generated list in this folder's .md files with the code; "
                  "exit 2 naming each that differs");
  cmd->add_option("--update-docs", o->update, "Rewrite the generated lists in this folder");
  cmd->callback([o, &action] {
    const int given = !o->markdown.empty() + o->list + !o->check.empty() + !o->update.empty();
    if (given != 1)
      throw CLI::ValidationError("config",
                                 "give exactly one of --markdown, --list, --check-docs, "
                                 "--update-docs");
    action = [o] {
      if (o->list) {
        for (const auto& n : reference_list_names()) std::cout << n << "\n";
      } else if (!o->markdown.empty()) {
        std::cout << reference_list_markdown(o->markdown);
      } else {
        const bool update = !o->update.empty();
        const auto changed = sync_docs(update ? o->update : o->check, update);
        for (const auto& c : changed) std::cout << (update ? "rewrote " : "differs: ") << c << "\n";
        if (!update && !changed.empty())
          throw ConfigError(std::to_string(changed.size()) +
                            " generated list(s) in the docs differ from the code: run rapmc "
                            "config --update-docs " +
                            o->check);
      }
      return 0;
    };
  });
}

}  // namespace rapmc
