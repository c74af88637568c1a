#include "rapmc/variation/device_table.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "rapmc/core/errors.h"
#include "rapmc/io/hdf5.h"
#include "rapmc/io/toml_reader.h"

namespace rapmc {
namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream s(line);
  for (std::string cell; std::getline(s, cell, ',');) {
    const auto b = cell.find_first_not_of(" \t\r");
    const auto e = cell.find_last_not_of(" \t\r");
    out.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
  }
  return out;
}

double number(const std::string& text, const std::string& where) {
  std::size_t used = 0;
  double x = 0;
  try {
    x = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !std::isfinite(x))
    throw ConfigError(where + ": '" + text + "' is not a number");
  return x;
}

}  // namespace

namespace {

// One row of a table as read, with where it came from (file:line or file:/dataset[i]).
struct Row {
  double level = 0, p = 0, g = 0;
  std::string where;
};

// The rows of a CSV file; `samples` set by its header.
std::vector<Row> csv_rows(const std::string& path, bool& samples) {
  const std::string text = read_text_file(path);
  std::stringstream in(text);
  std::string line;
  std::vector<std::string> header;
  std::vector<Row> rows;
  int row = 0;
  while (std::getline(in, line)) {
    ++row;
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string> cells = split(line);
    const std::string where = path + ":" + std::to_string(row);
    if (header.empty()) {
      header = cells;
      if (header == std::vector<std::string>{"level", "g_siemens"})
        samples = true;
      else if (header != std::vector<std::string>{"level", "p", "g_siemens"})
        throw ConfigError(where +
                          ": the header must be 'level,g_siemens' (samples) or "
                          "'level,p,g_siemens' (quantiles)");
      continue;
    }
    if (cells.size() != header.size())
      throw ConfigError(where + ": " + std::to_string(cells.size()) + " values, the header names " +
                        std::to_string(header.size()));
    rows.push_back({number(cells[0], where), samples ? 0.0 : number(cells[1], where),
                    number(cells.back(), where), where});
  }
  if (header.empty()) throw ConfigError(path + ": no header and no rows");
  return rows;
}

// The rows of an HDF5 file: 1-D datasets `level`, `g_siemens` and, for quantiles, `p`.
std::vector<Row> hdf5_rows(const std::string& path, bool& samples) {
  const h5::File f = h5::File::open(path);
  for (const char* name : {"level", "g_siemens"})
    if (!f.exists(name))
      throw ConfigError(path + ": no dataset '/" + name +
                        "' (a device table holds /level, /g_siemens and, for quantiles, /p)");
  samples = !f.exists("p");
  const std::vector<double> level = f.read_double_dataset("level");
  const std::vector<double> g = f.read_double_dataset("g_siemens");
  const std::vector<double> p =
      samples ? std::vector<double>(g.size()) : f.read_double_dataset("p");
  if (level.size() != g.size() || p.size() != g.size())
    throw ConfigError(path + ": /level, /g_siemens" + std::string(samples ? "" : " and /p") +
                      " differ in length");
  std::vector<Row> rows;
  for (std::size_t i = 0; i < g.size(); ++i)
    rows.push_back({level[i], p[i], g[i], path + ":/g_siemens[" + std::to_string(i) + "]"});
  return rows;
}

}  // namespace

DeviceTable DeviceTable::load(const std::string& path, int levels) {
  DeviceTable t;
  t.source_ = path;
  t.p_.resize(static_cast<std::size_t>(levels));
  t.g_.resize(static_cast<std::size_t>(levels));
  const bool hdf5 = path.ends_with(".h5") || path.ends_with(".hdf5");
  const std::vector<Row> rows = hdf5 ? hdf5_rows(path, t.samples_) : csv_rows(path, t.samples_);
  for (const Row& r : rows) {
    const int level = static_cast<int>(r.level);
    std::ostringstream name;
    name << r.level;
    if (level != r.level || level < 0 || level >= levels)
      throw ConfigError(r.where + ": level " + name.str() + " is not one of 0.." +
                        std::to_string(levels - 1) + " (array.cell_bits)");
    if (!std::isfinite(r.g) || r.g < 0)
      throw ConfigError(r.where + ": g_siemens is negative or not finite");
    auto& ps = t.p_[static_cast<std::size_t>(level)];
    auto& gs = t.g_[static_cast<std::size_t>(level)];
    if (!t.samples_) {
      std::ostringstream p;
      p << r.p;
      if (!(r.p > 0 && r.p < 1))
        throw ConfigError(r.where + ": p = " + p.str() + " is not in (0, 1)");
      if (!ps.empty() && !(r.p > ps.back()))
        throw ConfigError(r.where + ": level " + name.str() +
                          ": p is not increasing (quantiles must be monotone)");
      if (!gs.empty() && r.g < gs.back())
        throw ConfigError(r.where + ": level " + name.str() +
                          ": g_siemens decreases as p grows (quantiles must be monotone)");
      ps.push_back(r.p);
    }
    gs.push_back(r.g);
  }
  for (int l = 0; l < levels; ++l) {
    auto& gs = t.g_[static_cast<std::size_t>(l)];
    if (gs.empty())
      throw ConfigError(path + ": level " + std::to_string(l) + " is missing (array.cell_bits " +
                        "gives levels 0.." + std::to_string(levels - 1) + ")");
    if (t.samples_) {  // the empirical distribution: sample i at p = (i + ½)/n
      std::sort(gs.begin(), gs.end());
      auto& ps = t.p_[static_cast<std::size_t>(l)];
      for (std::size_t i = 0; i < gs.size(); ++i)
        ps.push_back((static_cast<double>(i) + 0.5) / static_cast<double>(gs.size()));
    }
  }
  return t;
}

double DeviceTable::quantile(int level, double u) const {
  const auto& gs = g_[static_cast<std::size_t>(level)];
  if (samples_) {  // exact resampling: sample ⌊u·n⌋ of the sorted samples
    const auto n = gs.size();
    return gs[std::min(n - 1, static_cast<std::size_t>(u * static_cast<double>(n)))];
  }
  const auto& ps = p_[static_cast<std::size_t>(level)];
  if (u <= ps.front()) return gs.front();
  if (u >= ps.back()) return gs.back();
  const auto hi = static_cast<std::size_t>(std::upper_bound(ps.begin(), ps.end(), u) - ps.begin());
  const double w = (u - ps[hi - 1]) / (ps[hi] - ps[hi - 1]);
  return gs[hi - 1] + w * (gs[hi] - gs[hi - 1]);
}

double DeviceTable::mean(int level) const {
  const auto& gs = g_[static_cast<std::size_t>(level)];
  if (samples_) {
    double s = 0;
    for (double g : gs) s += g;
    return s / static_cast<double>(gs.size());
  }
  const auto& ps = p_[static_cast<std::size_t>(level)];
  // Point masses at the ends, trapezoids between.
  double m = ps.front() * gs.front() + (1.0 - ps.back()) * gs.back();
  for (std::size_t i = 1; i < ps.size(); ++i) m += (ps[i] - ps[i - 1]) * 0.5 * (gs[i] + gs[i - 1]);
  return m;
}

}  // namespace rapmc
