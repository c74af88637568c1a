#include "rapmc/io/toml_reader.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "io/toml_tree.h"
#include "rapmc/core/errors.h"

namespace rapmc {

TomlReader::TomlReader(std::unique_ptr<Tree> tree, std::string source, std::string text)
    : tree_(std::move(tree)), source_(std::move(source)), text_(std::move(text)) {}
TomlReader::~TomlReader() = default;
TomlReader::TomlReader(TomlReader&&) noexcept = default;
TomlReader& TomlReader::operator=(TomlReader&&) noexcept = default;

const toml::node* TomlReader::Tree::find(const std::string& key) {
  read_keys.push_back(key);
  return table.at_path(key).node();
}

TomlReader toml_reader_of(toml::table table, const std::string& source) {
  return TomlReader(std::make_unique<TomlReader::Tree>(TomlReader::Tree{std::move(table), {}}),
                    source, "");
}

TomlReader TomlReader::from_string(const std::string& text, const std::string& source) {
  try {
    return TomlReader(std::make_unique<Tree>(Tree{toml::parse(text, source), {}}), source, text);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw ConfigError(source + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) +
                      ": TOML syntax error: " + std::string(e.description()));
  }
}

void set_toml_path(toml::table& table, const std::string& key, const toml::node& value) {
  toml::table* t = &table;
  std::size_t start = 0;
  for (std::size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', start)) {
    const std::string part = key.substr(start, dot - start);
    if (!(*t)[part].is_table()) t->insert_or_assign(part, toml::table{});
    t = (*t)[part].as_table();
    start = dot + 1;
  }
  value.visit([&](const auto& v) { t->insert_or_assign(key.substr(start), v); });
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path + ": cannot open (no such file or not readable)");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TomlReader TomlReader::from_file(const std::string& path) {
  return from_string(read_text_file(path), path);
}

std::string number_text(double x) {
  char buf[32];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, x).ptr);
}

void TomlReader::record(KeyRecord k) {
  for (const KeyRecord& r : records_)
    if (r.key == k.key) return;
  records_.push_back(std::move(k));
}

bool TomlReader::has(const std::string& key) const {
  return static_cast<bool>(tree_->table.at_path(key));
}

void TomlReader::problem(const std::string& key, const std::string& what) {
  problems_.push_back("'" + key + "' " + what);
}

std::int64_t TomlReader::get_int(const std::string& key, std::int64_t fallback, std::int64_t lo,
                                 std::int64_t hi) {
  if (keep_records_)
    record({key,
            KeyRecord::Kind::INTEGER,
            std::to_string(fallback),
            std::to_string(lo) + ".." + std::to_string(hi),
            {}});
  const toml::node* n = tree_->find(key);
  if (!n) return fallback;
  const auto v = n->value_exact<std::int64_t>();
  if (!v) {
    problem(key, "must be an integer");
    return fallback;
  }
  if (*v < lo || *v > hi) {
    problem(key, "= " + std::to_string(*v) + " is out of range " + std::to_string(lo) + ".." +
                     std::to_string(hi));
    return fallback;
  }
  return *v;
}

double TomlReader::get_double(const std::string& key, double fallback, double lo, double hi) {
  if (keep_records_)
    record({key,
            KeyRecord::Kind::NUMBER,
            number_text(fallback),
            number_text(lo) + ".." + number_text(hi),
            {}});
  const toml::node* n = tree_->find(key);
  if (!n) return fallback;
  const auto v = n->value<double>();  // integers are accepted as numbers
  if (!v || n->is_boolean() || n->is_string()) {
    problem(key, "must be a number");
    return fallback;
  }
  if (!(*v >= lo && *v <= hi)) {
    std::ostringstream m;
    m << "= " << *v << " is out of range [" << lo << ", " << hi << "]";
    problem(key, m.str());
    return fallback;
  }
  return *v;
}

std::string TomlReader::get_string(const std::string& key, const std::string& fallback) {
  if (keep_records_) record({key, KeyRecord::Kind::STRING, fallback, "", {}});
  const toml::node* n = tree_->find(key);
  if (!n) return fallback;
  const auto v = n->value_exact<std::string>();
  if (!v) {
    problem(key, "must be a string");
    return fallback;
  }
  return *v;
}

int TomlReader::get_choice(const std::string& key, int fallback,
                           const std::vector<std::string>& choices) {
  record(
      {key, KeyRecord::Kind::CHOICE, choices.at(static_cast<std::size_t>(fallback)), "", choices});
  if (!has(key)) {
    tree_->read_keys.push_back(key);
    return fallback;
  }
  const std::string v = get_string(key, "");
  for (std::size_t i = 0; i < choices.size(); ++i)
    if (choices[i] == v) return static_cast<int>(i);
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : "|") + c;
  if (tree_->table.at_path(key).is_string()) problem(key, "= '" + v + "' is not one of " + list);
  return fallback;
}

namespace {
// Every leaf key of `t` that was never read.
void collect_unknown(const toml::table& t, const std::string& prefix,
                     const std::vector<std::string>& read, std::vector<std::string>& out) {
  for (const auto& [k, v] : t) {
    const std::string key = prefix + std::string(k.str());
    if (const toml::table* sub = v.as_table()) {
      collect_unknown(*sub, key + ".", read, out);
    } else if (std::find(read.begin(), read.end(), key) == read.end()) {
      out.push_back(key);
    }
  }
}
}  // namespace

void TomlReader::finish() const {
  std::vector<std::string> all = problems_;
  std::vector<std::string> unknown;
  collect_unknown(tree_->table, "", tree_->read_keys, unknown);
  for (const auto& k : unknown) all.push_back("'" + k + "' is not a known key");
  if (all.empty()) return;
  std::string msg =
      source_ + ": " + std::to_string(all.size()) + " problem" + (all.size() > 1 ? "s" : "") + ":";
  for (const auto& p : all) msg += "\n  " + p;
  throw ConfigError(msg);
}

}  // namespace rapmc
