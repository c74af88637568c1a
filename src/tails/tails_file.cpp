#include "rapmc/tails/tails_file.h"

#include "rapmc/core/keyed_rng.h"
#include "rapmc/core/version.h"
#include "rapmc/io/hdf5.h"

namespace rapmc::tails {

void write_tails_file(const std::string& path, const TailsReport& r, bool overwrite) {
  const h5::File f = h5::File::create(path, overwrite ? h5::Overwrite::YES : h5::Overwrite::NO);
  write_format_header(f, TAILS_FORMAT);
  f.write_attribute("program_version", version_info().version);
  f.write_attribute("hardware", r.hardware);
  f.write_attribute("source", r.source);
  f.write_attribute("rows", static_cast<std::int64_t>(r.rows));
  f.write_attribute("min_codes", static_cast<std::int64_t>(r.min_codes));
  f.write_attribute("failing_column_limit", r.failing_limit);
  f.write_attribute("failing_column_reads", static_cast<std::int64_t>(r.failing_reads));
  f.write_attribute("seed", static_cast<std::int64_t>(r.seed));
  f.write_attribute("rng_scheme", std::string(RNG_SCHEME));
  f.write_dataset("variables", r.variable_names);
  const auto n = static_cast<std::uint64_t>(r.counts.size());
  f.write_dataset("count", std::vector<std::int64_t>(r.counts.begin(), r.counts.end()), {n});
  for (const auto& entry : r.estimates) {
    const std::string& method = entry.first;  // (not a structured binding: the lambda uses them)
    const std::vector<TailEstimate>& list = entry.second;
    auto column = [&](const char* name, auto get) {
      std::vector<double> v;
      for (const TailEstimate& e : list) v.push_back(static_cast<double>(get(e)));
      f.write_dataset("estimates/" + method + "/" + name, v, {n});
    };
    column("p", [](const TailEstimate& e) { return e.p; });
    column("ci95_low", [](const TailEstimate& e) { return e.low; });
    column("ci95_high", [](const TailEstimate& e) { return e.high; });
    column("std_error", [](const TailEstimate& e) { return e.std_error; });
    column("samples", [](const TailEstimate& e) { return e.samples; });
    column("failures", [](const TailEstimate& e) { return e.failures; });
    column("effective_samples", [](const TailEstimate& e) { return e.ess; });
    column("plain_equivalent_samples", [](const TailEstimate& e) { return e.plain_equivalent; });
    column("found", [](const TailEstimate& e) { return e.found ? 1.0 : 0.0; });
  }
  if (!r.count_histogram.empty()) {
    f.write_dataset("count_histogram",
                    std::vector<std::int64_t>(r.count_histogram.begin(), r.count_histogram.end()),
                    {r.count_histogram.size()});
    for (const auto& [method, pe] : r.average) {
      const h5::Node g = f.require_group("average/" + method);
      g.write_attribute("p", pe.first);
      g.write_attribute("std_error", pe.second);
    }
  }
  f.flush();
}

}  // namespace rapmc::tails
