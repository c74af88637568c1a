// The C++ side of `import rapmc` (docs/python.md): campaigns run, one trial run, results reported
// and compared by the same code as the command line, with the GIL released while C++ works.
// The Python package (src/python/rapmc/__init__.py) builds on these functions.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "rapmc/cli/compare_command.h"
#include "rapmc/cli/eval_command.h"
#include "rapmc/cli/quantize_command.h"
#include "rapmc/cli/report_command.h"
#include "rapmc/core/errors.h"
#include "rapmc/core/parallelism.h"
#include "rapmc/mc/campaign.h"
#include "rapmc/mc/layer_metrics.h"
#include "rapmc/mc/runner.h"
#include "rapmc/mc/trial.h"
#include "rapmc/mc/trial_metrics.h"
#include "rapmc/results/campaign_run.h"
#include "rapmc/results/compare.h"

namespace py = pybind11;

namespace rapmc {
namespace {

// What `f` prints to std::cout, as a string (report's JSON: one implementation of every
// statistic, shared with `rapmc report --json`).
template <class F>
std::string captured_stdout(F f) {
  std::ostringstream out;
  std::streambuf* old = std::cout.rdbuf(out.rdbuf());
  try {
    f();
  } catch (...) {
    std::cout.rdbuf(old);
    throw;
  }
  std::cout.rdbuf(old);
  return out.str();
}

py::dict campaign_info(const std::string& text, const std::string& source) {
  const Campaign c = parse_campaign(text, source);
  py::list labels;
  for (const CampaignPoint& p : c.points) labels.append(p.label);
  py::dict d;
  d["name"] = c.name;
  d["seed"] = c.seed;
  d["trials"] = c.trials;
  d["images"] = c.images;
  d["points"] = labels;
  d["sha256"] = c.sha256;
  return d;
}

py::dict run_py(const std::string& text, const std::string& source, const std::string& out,
                int threads, bool resume, bool force, std::optional<std::uint64_t> trials,
                const py::object& progress) {
  const Campaign c = parse_campaign(text, source);
  RunOptions o;
  o.out = out;
  o.threads = threads;
  o.resume = resume;
  o.force = force;
  o.trials = trials;
  o.progress = ProgressDisplay::OFF;
  o.command_line = "rapmc.run(" + source + ", out=" + out + ")";
  std::optional<py::error_already_set> interrupt;  // KeyboardInterrupt, raised once stopped
  o.stop = [&] {
    const py::gil_scoped_acquire gil;
    if (!interrupt && PyErr_CheckSignals() != 0) interrupt.emplace();  // takes the exception
    return interrupt.has_value();
  };
  if (!progress.is_none())
    o.on_block = [&](std::uint64_t done, std::uint64_t total) {
      const py::gil_scoped_acquire gil;
      try {
        progress(done, total);
      } catch (py::error_already_set& e) {  // Ctrl-C while the callback ran: stop as well
        if (!e.matches(PyExc_KeyboardInterrupt)) throw;
        interrupt.emplace(std::move(e));
      }
    };
  RunSummary s;
  {
    const py::gil_scoped_release nogil;
    s = run_campaign(c, o);
  }
  if (interrupt) throw *interrupt;  // the committed trials are in `out`: resume=True continues
  py::dict d;
  d["trials_run"] = s.trials_run;
  d["failed"] = s.failed;
  d["seconds"] = s.seconds;
  d["threads"] = s.threads;
  d["trials_per_hour"] = s.trials_per_hour();
  d["stopped"] = s.stopped;
  return d;
}

py::dict layer_counters(const pim::LayerCounters& l) {
  py::dict d;
  d["reads"] = l.reads;
  d["conversions"] = l.conversions;
  d["cell_ops"] = l.cell_ops;
  d["code_errors"] = l.code_errors;
  d["saturations"] = l.saturations;
  d["code_error_rate"] = l.code_error_rate();
  d["mvm_sqnr_db"] = l.mvm_sqnr_db();
  d["margin_min_lsb"] = l.margin_min_lsb;
  d["dcode_hist"] = std::vector<std::uint64_t>(l.dcode_hist.begin(), l.dcode_hist.end());
  d["row_reads"] = l.row_reads;
  d["writes"] = l.writes;
  return d;
}

py::dict run_trial_py(const std::string& text, const std::string& source, std::uint64_t trial,
                      std::size_t point, int threads) {
  const Campaign c = parse_campaign(text, source);
  if (point >= c.points.size())
    throw ConfigError(source + ": point " + std::to_string(point) +
                      " asked, but the campaign has " + std::to_string(c.points.size()) +
                      " point(s)");
  TrialRecord r;
  std::vector<std::string> layers;
  {
    const py::gil_scoped_release nogil;
    Parallelism parallelism(threads);
    parallelism.execute([&] {
      const CampaignInputs in = load_campaign_inputs(c);
      const TrialSetup s =
          make_trial_setup(c, c.points[point], in.int_model, in.fp32_or_null(), in.images);
      layers = s.layers;
      r = run_trial(s, trial);
    });
  }
  if (r.status == TrialStatus::INTERNAL_ERROR)
    throw std::runtime_error("internal error: " + r.error);
  py::dict metrics, layer_metrics_d, counters;
  for (const TrialMetricInfo& m : trial_metrics())
    metrics[py::str(std::string(m.name))] = r.metric(m.id);
  for (std::size_t l = 0; l < layers.size(); ++l) {
    py::dict v;
    for (const LayerMetricInfo& m : layer_metrics())
      v[py::str(std::string(m.name))] = r.layers[l][index_of(m.id)];
    layer_metrics_d[py::str(layers[l])] = v;
  }
  for (const auto& [name, l] : r.counters) counters[py::str(name)] = layer_counters(l);
  py::dict d;
  d["trial"] = r.trial;
  d["point"] = point;
  d["status"] = r.status == TrialStatus::OK ? "ok" : "failed";
  d["error"] = r.error;
  d["metrics"] = metrics;
  d["layers"] = layer_metrics_d;
  d["counters"] = counters;
  d["predictions"] = r.predictions;
  d["dcode_hist"] = r.dcode_hist;
  return d;
}

std::string report_text(const std::string& path, std::optional<double> flip_rate_max,
                        bool scaled_sigma) {
  ReportOptions o;
  o.json = true;
  o.flip_rate_max = flip_rate_max.value_or(-1);
  o.scaled_sigma = scaled_sigma;
  const py::gil_scoped_release nogil;
  return rapmc::report_json(path, o).dump(2) + "\n";
}

std::string eval_json(EvalArgs a) {
  a.json = true;
  a.no_progress = true;
  const py::gil_scoped_release nogil;
  return captured_stdout([&] { run_eval(a); });
}

std::string quantize_py(QuantizeArgs a) {
  const py::gil_scoped_release nogil;
  return captured_stdout([&] { run_quantize(a); });
}

std::string compare_json(const std::string& a, const std::string& b, std::size_t top) {
  const py::gil_scoped_release nogil;
  return comparison_json(compare_results(a, b, top)).dump();
}

}  // namespace
}  // namespace rapmc

PYBIND11_MODULE(_rapmc, m) {
  using namespace rapmc;
  m.doc() = "rapmc's C++ engine (use the `rapmc` package)";
  // Every rapmc error is a rapmc.Error with the command line's message; `exit_code` is the
  // code the command would have exited with (docs/errors.md).
  static py::exception<Error> error(m, "Error");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      py::object exc = py::reinterpret_borrow<py::object>(error.ptr())(e.what());
      exc.attr("exit_code") = static_cast<int>(e.code());
      PyErr_SetObject(error.ptr(), exc.ptr());
    }
  });
  m.def("campaign_info", &campaign_info, py::arg("text"), py::arg("source"));
  m.def("run", &run_py, py::arg("text"), py::arg("source"), py::arg("out"), py::arg("threads"),
        py::arg("resume"), py::arg("force"), py::arg("trials"), py::arg("progress"));
  m.def("run_trial", &run_trial_py, py::arg("text"), py::arg("source"), py::arg("trial"),
        py::arg("point"), py::arg("threads"));
  m.def("report_json", &report_text, py::arg("path"), py::arg("flip_rate_max"),
        py::arg("scaled_sigma"));
  m.def("compare_json", &compare_json, py::arg("a"), py::arg("b"), py::arg("top"));
  m.def(
      "quantize",
      [](const std::string& model, const std::string& out, const std::string& calib,
         std::size_t calib_size, const std::string& calibrator, double percentile, bool force,
         int threads) {
        QuantizeArgs a;
        a.model = model;
        a.out = out;
        a.quant.calib = calib;
        a.quant.calib_size = calib_size;
        a.quant.calibrator = calibrator;
        a.quant.percentile = percentile;
        a.force = force;
        a.threads = threads;
        return quantize_py(a);
      },
      py::arg("model"), py::arg("out"), py::arg("calib"), py::arg("calib_size"),
      py::arg("calibrator"), py::arg("percentile"), py::arg("force"), py::arg("threads"));
  m.def(
      "eval_json",
      [](const std::string& model, const std::string& pipeline, const std::string& hardware,
         const std::string& dataset, std::size_t limit, int threads, const std::string& requant,
         const std::string& int_model, const std::string& calib, std::size_t calib_size) {
        EvalArgs a;
        a.model = model;
        a.pipeline = pipeline;
        a.hardware = hardware;
        a.dataset = dataset;
        a.limit = limit;
        a.threads = threads;
        a.requant = requant;
        a.int_model = int_model;
        a.quant.calib = calib;
        a.quant.calib_size = calib_size;
        return eval_json(a);
      },
      py::arg("model"), py::arg("pipeline"), py::arg("hardware"), py::arg("dataset"),
      py::arg("limit"), py::arg("threads"), py::arg("requant"), py::arg("int_model"),
      py::arg("calib"), py::arg("calib_size"));
}
