#include "rapmc/variation/device_table.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "rapmc/core/errors.h"
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

DeviceTable DeviceTable::load(const std::string& path, int levels) {
  const std::string text = read_text_file(path);
  DeviceTable t;
  t.source_ = path;
  t.p_.resize(static_cast<std::size_t>(levels));
  t.g_.resize(static_cast<std::size_t>(levels));
  std::stringstream in(text);
  std::string line;
  std::vector<std::string> header;
  int row = 0;
  while (std::getline(in, line)) {
    ++row;
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string> cells = split(line);
    const std::string where = path + ":" + std::to_string(row);
    if (header.empty()) {
      header = cells;
      if (header == std::vector<std::string>{"level", "g_siemens"})
        t.samples_ = true;
      else if (header != std::vector<std::string>{"level", "p", "g_siemens"})
        throw ConfigError(where +
                          ": the header must be 'level,g_siemens' (samples) or "
                          "'level,p,g_siemens' (quantiles)");
      continue;
    }
    if (cells.size() != header.size())
      throw ConfigError(where + ": " + std::to_string(cells.size()) + " values, the header names " +
                        std::to_string(header.size()));
    const double level_x = number(cells[0], where);
    const int level = static_cast<int>(level_x);
    if (level != level_x || level < 0 || level >= levels)
      throw ConfigError(where + ": level " + cells[0] + " is not one of 0.." +
                        std::to_string(levels - 1) + " (array.cell_bits)");
    const double g = number(cells.back(), where);
    if (g < 0) throw ConfigError(where + ": g_siemens " + cells.back() + " is negative");
    auto& ps = t.p_[static_cast<std::size_t>(level)];
    auto& gs = t.g_[static_cast<std::size_t>(level)];
    if (!t.samples_) {
      const double p = number(cells[1], where);
      if (!(p > 0 && p < 1)) throw ConfigError(where + ": p = " + cells[1] + " is not in (0, 1)");
      if (!ps.empty() && !(p > ps.back()))
        throw ConfigError(where + ": level " + cells[0] +
                          ": p is not increasing (quantiles must be monotone)");
      if (!gs.empty() && g < gs.back())
        throw ConfigError(where + ": level " + cells[0] +
                          ": g_siemens decreases as p grows (quantiles must be monotone)");
      ps.push_back(p);
    }
    gs.push_back(g);
  }
  if (header.empty()) throw ConfigError(path + ": no header and no rows");
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
