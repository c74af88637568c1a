#include "rapmc/mc/campaign.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <optional>
#include <sstream>

#include "io/toml_tree.h"
#include "rapmc/core/enum_names.h"
#include "rapmc/core/errors.h"
#include "rapmc/core/sha256.h"
#include "rapmc/mc/trial_metrics.h"

namespace rapmc {
namespace {

// The names of the campaign's choice keys; the first of each is the default.
constexpr EnumNames<TempMode, 2> TEMP_MODES{
    {{TempMode::FIXED, "fixed"}, {TempMode::UNIFORM, "uniform"}}};
constexpr EnumNames<SamplingMethod, 3> SAMPLING_METHODS{
    {{SamplingMethod::PLAIN, "plain"},
     {SamplingMethod::IMPORTANCE, "importance"},
     {SamplingMethod::SCALED_SIGMA, "scaled_sigma"}}};
constexpr EnumNames<SubsetSelect, 2> SUBSET_SELECTS{
    {{SubsetSelect::FIRST, "first"}, {SubsetSelect::STRATIFIED, "stratified"}}};
// The pipelines a campaign runs on a chip (not fp32), flare first.
constexpr auto CAMPAIGN_PIPELINES =
    subset_of(PIPELINE_NAMES, std::array{Pipeline::FLARE, Pipeline::PTQ_DQQ});

std::string node_text(const toml::node& n) {
  if (const auto d = n.value_exact<double>()) {  // shortest text that reads back as the same double
    std::string t = number_text(*d);
    if (t.find_first_of(".eni") == std::string::npos) t += ".0";  // 1.0, not 1: still a float
    return t;
  }
  std::ostringstream o;
  n.visit([&](const auto& v) { o << v; });
  return o.str();
}

// Every leaf key below `prefix` ("hardware.adc.enob" for prefix "hardware").
void leaves(const toml::table& t, const std::string& prefix, std::vector<std::string>& out) {
  for (const auto& [k, v] : t) {
    const std::string key = prefix + "." + std::string(k.str());
    if (const toml::table* sub = v.as_table())
      leaves(*sub, key, out);
    else
      out.push_back(key);
  }
}

// One axis of the grid: one key, or several keys set together (keys = [...], values = [[...],
// ...]).
struct SweepAxis {
  std::vector<std::string> keys;
  std::vector<std::vector<const toml::node*>> values;  // [value index][key index]
};

void read_operating_point(TomlReader& r, CampaignPoint& p) {
  const std::string corner = r.get_string("operating_point.corner", "TT");
  const double temp_c = r.get_double("operating_point.temp_c", 27.0, -273.0, 500.0);
  try {
    p.corner = parse_corner(corner, temp_c);
  } catch (const ConfigError& e) {
    r.problem("operating_point.corner", std::string("is not valid: ") + e.what());
  }
  p.corner.time_s = r.get_double("operating_point.time_s", 0.0, 0.0, 1e10);
  p.temp_mode = read_choice(r, "operating_point.temperature", TempMode::FIXED, TEMP_MODES);
  p.temp_min_c = r.get_double("operating_point.temp_min_c", -40.0, -273.0, 500.0);
  p.temp_max_c = r.get_double("operating_point.temp_max_c", 125.0, -273.0, 500.0);
  if (p.temp_max_c < p.temp_min_c)
    r.problem("operating_point.temp_max_c", "is below operating_point.temp_min_c");
}

// [sampling] (docs/configuration.md, "Sampling keys"); a scaled-sigma point's σ scaled here.
// `base_of_sweep`: the base values of a campaign whose sweep sets sampling.sigma_scale (each
// point's value is checked there).
void read_sampling(TomlReader& r, CampaignPoint& p, bool base_of_sweep = false) {
  SamplingConfig& s = p.sampling;
  s.method = read_choice(r, "sampling.method", SamplingMethod::PLAIN, SAMPLING_METHODS);
  const auto sigmas = die_sigmas(p.variation);
  bool acting = false;
  for (std::size_t i = 0; i < DIE_VARIATES; ++i) {
    const std::string key = "sampling.shift_" + std::string(DIE_VARIATE_NAMES[i]);
    s.shift[i] = r.get_double(key, 0.0, -40.0, 40.0);
    acting = acting || sigmas[i] != 0;
    if (s.shift[i] != 0 && (s.method != SamplingMethod::IMPORTANCE || sigmas[i] == 0))
      r.problem(key,
                s.method != SamplingMethod::IMPORTANCE
                    ? "applies to sampling.method = 'importance' only"
                    : "shifts a die variate whose σ is zero in [variation] (nothing to shift)");
  }
  s.spread = r.get_double("sampling.spread", 1.0, 1.0, 10.0);
  s.defensive = r.get_double("sampling.defensive", 0.1, 0.0, 0.99);
  s.sigma_scale = r.get_double("sampling.sigma_scale", 1.0, 0.0, 100.0);
  const bool importance = s.method == SamplingMethod::IMPORTANCE;
  const bool scaled = s.method == SamplingMethod::SCALED_SIGMA;
  if (importance && !acting)
    r.problem("sampling.method", "= 'importance' needs a die variate with σ > 0 in [variation]");
  if (importance && s.spread == 1.0 &&
      std::all_of(s.shift.begin(), s.shift.end(), [](double x) { return x == 0; }))
    r.problem("sampling.method",
              "= 'importance' needs a proposal other than the model: a sampling.shift_* or "
              "sampling.spread > 1");
  if (!importance && (r.has("sampling.spread") || r.has("sampling.defensive")))
    r.problem(r.has("sampling.spread") ? "sampling.spread" : "sampling.defensive",
              "applies to sampling.method = 'importance' only");
  if (scaled && !(s.sigma_scale > 1.0) && !(base_of_sweep && !r.has("sampling.sigma_scale")))
    r.problem("sampling.sigma_scale", "= " + std::to_string(s.sigma_scale) +
                                          " must exceed 1 for sampling.method = 'scaled_sigma' "
                                          "(σ is scaled up, then extrapolated back to 1)");
  if (!scaled && r.has("sampling.sigma_scale"))
    r.problem("sampling.sigma_scale", "applies to sampling.method = 'scaled_sigma' only");
  if (!scaled) s.sigma_scale = 1.0;
}

void read_campaign_keys(TomlReader& r, Campaign& c) {
  c.name = r.get_string("campaign.name", std::filesystem::path(c.source).stem().string());
  c.seed = static_cast<std::uint64_t>(r.get_int("campaign.seed", 1, 0, INT64_MAX));
  c.trials = static_cast<std::uint64_t>(r.get_int("campaign.trials", 32, 1, 1'000'000'000));
  c.model = r.get_string("model.fp32", "data/models/vit_fmnist.h5");
  c.int_model = r.get_string("model.int", "data/models/vit_fmnist_int8.h5");
  c.dataset = r.get_string("data.dataset", c.dataset);
  c.data_dir = r.get_string("data.dir", "");
  c.images = static_cast<std::size_t>(r.get_int("data.images", 100, 1, 10'000'000));
  c.first_image = static_cast<std::size_t>(r.get_int("data.first", 0, 0, 10'000'000));
  c.select = read_choice(r, "data.select", SubsetSelect::FIRST, SUBSET_SELECTS);
  if (c.select == SubsetSelect::STRATIFIED && c.first_image != 0)
    r.problem("data.first", "applies to data.select = 'first' only");
  c.pipeline = read_choice(r, "pipeline.name", Pipeline::FLARE, CAMPAIGN_PIPELINES);
  c.requant = read_choice(r, "pipeline.requant", RequantMode::EMSB, REQUANT_MODE_NAMES);
  c.hardware_file = r.get_string("hardware.file", "data/hardware/rap.toml");
  c.trigger.metric = r.get_string("trigger.metric", c.trigger.metric);
  if (!find_trial_metric(c.trigger.metric)) {
    r.problem("trigger.metric", "= '" + c.trigger.metric + "' is not a per-trial metric");
  }
  c.trigger.ci_halfwidth = r.get_double("trigger.ci_halfwidth", 0.0, 0.0, 1e30);
  c.trigger.min_trials =
      static_cast<std::uint64_t>(r.get_int("trigger.min_trials", 8, 2, 1'000'000'000));
  c.trigger.check_every =
      static_cast<std::uint64_t>(r.get_int("trigger.check_every", 8, 1, 1'000'000));
  c.yield_accuracy = r.get_double("yield.accuracy_threshold", c.yield_accuracy, 0.0, 1.0);
  if (!(c.yield_accuracy > 0 && c.yield_accuracy < 1))
    r.problem("yield.accuracy_threshold", "must lie in (0, 1) (a yield target of 0 or 1 is none)");
}

// Hardware overrides written in the campaign ([hardware.adc] enob = 2, ...), keys relative to
// the hardware file.
std::vector<std::pair<std::string, const toml::node*>> hardware_overrides(TomlReader& r) {
  std::vector<std::pair<std::string, const toml::node*>> out;
  if (const toml::table* hw = r.tree().table["hardware"].as_table()) {
    std::vector<std::string> keys;
    leaves(*hw, "hardware", keys);
    for (const auto& k : keys)
      if (k != "hardware.file") out.emplace_back(k.substr(9), toml_raw(r, k));
  }
  return out;
}

// One [[sweep]] table: key = "...", values = [...], or keys = [...], values = [[...], ...].
std::optional<SweepAxis> read_sweep_axis(TomlReader& r, const toml::node& node,
                                         const std::string& where) {
  const toml::table* t = node.as_table();
  const toml::array* values = t ? (*t)["values"].as_array() : nullptr;
  SweepAxis a;
  if (const auto key = t ? (*t)["key"].value<std::string>() : std::nullopt) {
    a.keys.push_back(*key);
    if (values)
      for (const auto& v : *values) a.values.push_back({&v});
  } else if (const toml::array* keys = t ? (*t)["keys"].as_array() : nullptr) {
    for (const auto& k : *keys)
      if (const auto ks = k.value<std::string>()) a.keys.push_back(*ks);
    if (a.keys.size() != keys->size() || a.keys.empty()) {
      r.problem(where + ".keys", "must be a non-empty list of strings");
      return std::nullopt;
    }
    bool tuples_ok = true;
    for (std::size_t j = 0; values && j < values->size(); ++j) {
      const toml::array* tuple = (*values)[j].as_array();
      if (!tuple || tuple->size() != a.keys.size()) {
        r.problem(where + ".values[" + std::to_string(j) + "]",
                  "must be a list of " + std::to_string(a.keys.size()) + " values, one per key");
        tuples_ok = false;
        continue;
      }
      a.values.emplace_back();
      for (const auto& v : *tuple) a.values.back().push_back(&v);
    }
    if (!tuples_ok) return std::nullopt;
  }
  if (a.keys.empty() || a.values.empty() || t->size() != 2) {
    r.problem(where,
              "needs exactly: key = \"section.name\", values = [non-empty list] (or keys = [...], "
              "values = [[one value per key], ...])");
    return std::nullopt;
  }
  bool ok = true;
  for (const std::string& key : a.keys) {
    const bool known_ns = key.rfind("hardware.", 0) == 0 || key.rfind("variation.", 0) == 0 ||
                          key.rfind("operating_point.", 0) == 0 || key.rfind("sampling.", 0) == 0;
    if (!known_ns || key == "hardware.file") {
      r.problem(where + ".key", "= '" + key +
                                    "' cannot be swept (hardware.*, variation.*, operating_point.* "
                                    "or sampling.*)");
      ok = false;
    }
  }
  return ok ? std::optional<SweepAxis>(a) : std::nullopt;
}

std::vector<SweepAxis> read_sweep(TomlReader& r) {
  std::vector<SweepAxis> axes;
  const toml::node* sweep = toml_raw(r, "sweep");
  if (!sweep) return axes;
  const toml::array* arr = sweep->as_array();
  if (!arr) r.problem("sweep", "must be an array of tables ([[sweep]] key = ..., values = [...])");
  for (std::size_t i = 0; arr && i < arr->size(); ++i)
    if (auto a = read_sweep_axis(r, (*arr)[i], "sweep[" + std::to_string(i) + "]"))
      axes.push_back(std::move(*a));
  return axes;
}

// The hardware file, parsed once (each point applies its overrides to a copy); a problem of `r`
// if it cannot be read.
std::optional<toml::table> hardware_table(TomlReader& r, const std::string& file) {
  try {
    return TomlReader::from_file(file).tree().table;
  } catch (const Error& e) {  // unreadable (IoError) or a syntax error (ConfigError)
    std::string what = e.what();
    if (what.rfind(file + ": ", 0) == 0) what.erase(0, file.size() + 2);
    r.problem("hardware.file", "= '" + file + "': " + what);
    return std::nullopt;
  }
}

// Grid point `pi` (the last axis varies fastest): the campaign with this point's values set.
CampaignPoint make_point(TomlReader& r, const Campaign& c, const std::vector<SweepAxis>& axes,
                         std::size_t pi,
                         const std::vector<std::pair<std::string, const toml::node*>>& hw_overrides,
                         const std::optional<toml::table>& hw_table) {
  CampaignPoint p;
  toml::table campaign_table = r.tree().table;
  toml::table point_hw = hw_table.value_or(toml::table{});
  for (const auto& [k, v] : hw_overrides) set_toml_path(point_hw, k, *v);
  std::size_t rest = pi;
  for (auto it = axes.rbegin(); it != axes.rend(); ++it) {
    const std::vector<const toml::node*>& tuple = it->values[rest % it->values.size()];
    rest /= it->values.size();
    for (std::size_t k = it->keys.size(); k-- > 0;) {
      const std::string& key = it->keys[k];
      const toml::node& v = *tuple[k];
      p.overrides.insert(p.overrides.begin(), {key, node_text(v)});
      if (key.rfind("hardware.", 0) == 0)
        set_toml_path(point_hw, key.substr(9), v);
      else
        set_toml_path(campaign_table, key, v);
    }
  }
  for (const auto& [k, v] : p.overrides) p.label += (p.label.empty() ? "" : ", ") + k + "=" + v;
  const std::string where = p.label.empty() ? "" : " (sweep point " + p.label + ")";
  // Variation and operating point: read from the campaign table with this point's values.
  TomlReader pr = toml_reader_of(campaign_table, c.source);
  p.variation = read_variation(pr, "variation.");
  read_operating_point(pr, p);
  read_sampling(pr, p);
  // The base values are checked by the main reader; a sweep point's own values here.
  if (!p.label.empty())
    for (const auto& problem : pr.problems()) r.problem("sweep point " + p.label, "has " + problem);
  if (hw_table) {
    try {
      TomlReader hr = toml_reader_of(point_hw, c.hardware_file + where);
      p.hardware = read_hardware(hr);
    } catch (const ConfigError& e) {
      r.problem("hardware", std::string("(from ") + c.hardware_file +
                                " and the campaign's overrides) " + e.what());
    }
  }
  if (!p.variation.device_table.empty()) {
    try {
      p.variation.table = std::make_shared<const DeviceTable>(
          DeviceTable::load(p.variation.device_table, 1 << p.hardware.cell_bits));
    } catch (const Error& e) {
      r.problem("variation.device_table",
                std::string("= '") + p.variation.device_table + "': " + e.what() + where);
    }
    if (p.sampling.method == SamplingMethod::SCALED_SIGMA)
      r.problem("variation.device_table",
                "cannot be scaled by sampling.method = 'scaled_sigma' (its spread is measured)");
  }
  if (p.sampling.method == SamplingMethod::SCALED_SIGMA)
    scale_sigmas(p.variation, p.hardware, p.sampling.sigma_scale);
  return p;
}

// [lifetime]: every point becomes one point per age of the mission (the age the last, fastest
// varying axis, "lifetime.age_s"), its operating point at that age.
void expand_ages(TomlReader& r, Campaign& c) {
  std::vector<CampaignPoint> aged;
  for (const CampaignPoint& p : c.points) {
    if (p.temp_mode != TempMode::FIXED)
      r.problem("operating_point.temperature",
                "must be 'fixed' with [lifetime] (the mission gives the temperature)");
    if (p.corner.time_s != 0)
      r.problem("operating_point.time_s", "is set by lifetime.ages_s in a lifetime campaign");
    for (const MissionAge& a : mission_ages(c.mission, p.variation)) {
      CampaignPoint q = p;
      q.age = a;
      q.corner.time_s = a.since_programming_s;
      q.corner.temp_c = a.temp_c;
      std::ostringstream age;
      age << a.age_s;
      q.overrides.emplace_back("lifetime.age_s", age.str());
      q.label += (q.label.empty() ? "" : ", ") + std::string("lifetime.age_s=") + age.str();
      aged.push_back(std::move(q));
    }
  }
  if (aged.size() > MAX_SWEEP_POINTS)
    r.problem("lifetime.ages_s", "times the sweep's points exceeds " +
                                     std::to_string(MAX_SWEEP_POINTS) +
                                     " points: split the campaign");
  else
    c.points = std::move(aged);
}

}  // namespace

Campaign parse_campaign(const std::string& text, const std::string& source) {
  TomlReader r = TomlReader::from_string(text, source);
  Campaign c;
  c.source = source;
  c.text = text;
  c.sha256 = sha256_hex(text);
  read_campaign_keys(r, c);
  const auto hw_overrides = hardware_overrides(r);
  const std::vector<SweepAxis> axes = read_sweep(r);
  const std::optional<toml::table> hw_table = hardware_table(r, c.hardware_file);
  std::size_t n_points = 1;
  for (const auto& a : axes) n_points = std::min(n_points * a.values.size(), MAX_SWEEP_POINTS + 1);
  if (n_points > MAX_SWEEP_POINTS) {
    r.problem("sweep", "has more than " + std::to_string(MAX_SWEEP_POINTS) +
                           " grid points (the product of the axes' lengths): split the campaign");
    n_points = 0;
  }
  for (std::size_t pi = 0; pi < n_points; ++pi)
    c.points.push_back(make_point(r, c, axes, pi, hw_overrides, hw_table));
  // Keys of the variation and operating-point sections are read by the main reader too, so
  // that unknown keys and bad values there are reported with the rest.
  CampaignPoint base;
  base.variation = read_variation(r, "variation.");
  read_operating_point(r, base);
  const bool scale_swept = std::any_of(axes.begin(), axes.end(), [](const SweepAxis& a) {
    return std::find(a.keys.begin(), a.keys.end(), "sampling.sigma_scale") != a.keys.end();
  });
  read_sampling(r, base, scale_swept);
  c.mission = read_mission(r, base.corner.temp_c, c.yield_accuracy);
  if (c.mission.enabled()) expand_ages(r, c);
  if (c.weighted() && c.trigger.ci_halfwidth > 0)
    r.problem("trigger.ci_halfwidth",
              "stops on an unweighted mean, which sampling.method = 'importance' biases: "
              "give campaign.trials instead");
  r.finish();
  return c;
}

bool Campaign::weighted() const {
  return std::any_of(points.begin(), points.end(), [](const CampaignPoint& p) {
    return p.sampling.method == SamplingMethod::IMPORTANCE;
  });
}

std::vector<KeyRecord> campaign_key_records() {
  // A [lifetime] table, so that its keys are read too.
  TomlReader r = TomlReader::from_string("[lifetime]\nages_s = [0.0]\n", "defaults");
  r.keep_records();
  Campaign c;
  read_campaign_keys(r, c);
  CampaignPoint p;
  read_operating_point(r, p);
  read_sampling(r, p);
  (void)read_mission(r, p.corner.temp_c, c.yield_accuracy);
  return r.records();
}

Campaign load_campaign(const std::string& path) {
  return parse_campaign(read_text_file(path), path);
}

}  // namespace rapmc
