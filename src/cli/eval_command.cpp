#include "rapmc/cli/eval_command.h"

#include <cmath>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "rapmc/cli/quant_options.h"
#include "rapmc/cli/ranged_option.h"
#include "rapmc/core/errors.h"
#include "rapmc/core/parallelism.h"
#include "rapmc/data/dataset.h"
#include "rapmc/infer/evaluate.h"
#include "rapmc/infer/mvm_backend.h"
#include "rapmc/infer/pipeline.h"
#include "rapmc/infer/pipeline_factory.h"
#include "rapmc/model/encoder_model.h"
#include "rapmc/pim/chip.h"
#include "rapmc/pim/cost.h"
#include "rapmc/pim/hardware.h"
#include "rapmc/pim/pim_mvm.h"
#include "rapmc/quant/int_model.h"
#include "rapmc/quant/quantize.h"

namespace rapmc {
namespace {

// The models an evaluation reads: an FP32 model and/or an integer model (loaded, or quantized
// on the fly), checked against each other. A file named on the command line is read and
// checked even when the pipeline does not use it (fp32 with --int-model).
struct EvalModels {
  std::optional<EncoderModel> model;
  std::optional<IntModel> int_model;
  std::string int_source;
};

EvalModels load_models(const EvalArgs& a, Pipeline pipeline) {
  EvalModels m;
  m.int_source = a.int_model;
  if (is_int_model_file(a.model)) {
    if (!a.int_model.empty()) {
      throw ConfigError("--model " + a.model + " is an integer model and --int-model " +
                        a.int_model + " another: give the FP32 model with --model");
    }
    if (pipeline != Pipeline::FLARE) {
      throw ConfigError(
          "--pipeline " + a.pipeline + " needs an FP32 model, but " + a.model +
          " is an integer model (only --pipeline flare runs on it; give the FP32 model with "
          "--model and this file with --int-model)");
    }
    m.int_model = load_int_model(a.model);
    m.int_source = a.model;
    return m;
  }
  m.model = load_model(a.model);
  if (!a.int_model.empty()) {
    m.int_model = load_int_model(a.int_model);
    check_same_architecture(*m.model, *m.int_model, a.int_model);
  } else if (pipeline != Pipeline::FP32) {
    m.int_model = quantize_from_args(*m.model, a.quant, a.data_dir);
    m.int_source = "(built on the fly: " + m.int_model->calibration + ")";
  }
  return m;
}

// What one evaluation measured: the pipeline, and its references (fp32; the same pipeline on
// exact digital MVMs for a hardware run) with the chip's counters and cost.
struct EvalOutcome {
  std::string label;
  EvalResult result;
  std::optional<EvalResult> fp32, ideal;
  pim::Counters counters;
  pim::LayerCounters total;
  pim::CostReport cost;
};

EvalOutcome evaluate_all(const EvalArgs& a, Pipeline pipeline, RequantMode mode,
                         const std::optional<HardwareConfig>& hw, const EvalModels& m,
                         const SampleSet& images) {
  EvalOptions opt;
  opt.progress = a.no_progress || a.json ? ProgressDisplay::OFF : ProgressDisplay::AUTO;
  const DigitalMvm digital;
  std::optional<pim::ChipInstance> chip;
  std::optional<pim::PimMvm> pim_mvm;
  if (hw) {
    chip.emplace(*m.int_model, *hw);
    pim_mvm.emplace(*chip, m.int_model->settings.act_bits);
  }
  const MvmBackend& backend = pim_mvm ? static_cast<const MvmBackend&>(*pim_mvm) : digital;
  const EncoderModel* fp32 = m.model ? &*m.model : nullptr;
  const IntModel* q = m.int_model ? &*m.int_model : nullptr;
  EvalOutcome out;
  out.label = to_string(pipeline);
  if (pipeline == Pipeline::FLARE) out.label += "-" + to_string(mode);
  if (hw) out.label += " on " + hw->name;
  opt.label = "eval " + out.label;
  const int classes =
      m.model ? static_cast<int>(m.model->config.num_classes) : m.int_model->num_classes;
  out.result = evaluate(*make_pipeline(pipeline, mode, q, fp32, backend), classes, images, opt);
  if (pipeline != Pipeline::FP32 && m.model) {
    opt.label = "eval fp32 (reference)";
    out.fp32 =
        evaluate(*make_pipeline(Pipeline::FP32, mode, q, fp32, digital), classes, images, opt);
  }
  if (hw) {
    opt.label = "eval " + to_string(pipeline) + " on exact digital MVMs (reference)";
    out.ideal = evaluate(*make_pipeline(pipeline, mode, q, fp32, digital), classes, images, opt);
    out.counters = pim_mvm->counters();
    out.total = pim::total(out.counters);
    out.cost = pim::estimate_cost(*hw, *chip, out.total, out.result.n);
  }
  return out;
}

nlohmann::ordered_json eval_json(const EvalArgs& a, Pipeline pipeline, RequantMode mode,
                                 const std::optional<HardwareConfig>& hw, const EvalModels& m,
                                 const EvalOutcome& o, int threads) {
  const EvalResult& r = o.result;
  nlohmann::ordered_json j = {{"pipeline", to_string(pipeline)}};
  if (pipeline == Pipeline::FLARE) j["requant"] = to_string(mode);
  j["model"] = a.model;
  if (m.int_model) j["int_model"] = m.int_source;
  j["dataset"] = a.dataset;
  j["n"] = r.n;
  j["correct"] = r.correct;
  j["accuracy"] = r.accuracy;
  if (o.fp32) {
    j["fp32_accuracy"] = o.fp32->accuracy;
    j["agreement_fp32"] = agreement(r, *o.fp32);
    const double s = sqnr_db(r, *o.fp32);
    j["sqnr_db"] = std::isfinite(s) ? nlohmann::ordered_json(s) : nlohmann::ordered_json(nullptr);
  }
  if (hw) {
    const pim::LayerCounters& tot = o.total;
    j["hardware"] = hw->name;
    j["flip_rate"] = 1.0 - agreement(r, *o.ideal);
    j["ideal_accuracy"] = o.ideal->accuracy;
    j["reads"] = o.cost.reads;
    j["conversions"] = o.cost.conversions;
    j["code_error_rate"] = tot.code_error_rate();
    j["saturation_rate"] = tot.saturation_rate();
    j["margin_min_lsb"] = tot.margin_min_lsb;
    j["margin_p01_lsb"] = tot.margin_quantile_lsb(0.01);
    j["margin_p50_lsb"] = tot.margin_quantile_lsb(0.5);
    j["margin_min_v"] = tot.margin_min_lsb * hw->v_lsb();
    j["energy_j"] = o.cost.energy_j;
    j["energy_adc_j"] = o.cost.energy_adc_j;
    j["area_mm2"] = o.cost.area_mm2;
    j["adc_cycles"] = o.cost.adc_cycles;
    nlohmann::ordered_json layers = nlohmann::ordered_json::object();
    for (const auto& [name, c] : o.counters) {
      layers[name] = {
          {"reads", static_cast<double>(c.reads) / static_cast<double>(r.n)},
          {"conversions", static_cast<double>(c.conversions) / static_cast<double>(r.n)},
          {"code_error_rate", c.code_error_rate()},
          {"saturation_rate", c.saturation_rate()},
          {"margin_min_lsb", c.margin_min_lsb},
          {"margin_p01_lsb", c.margin_quantile_lsb(0.01)},
          {"margin_p50_lsb", c.margin_quantile_lsb(0.5)}};
    }
    j["layers"] = layers;
  }
  j["threads"] = threads;
  j["seconds"] = r.seconds;
  return j;
}

void print_hardware_text(const EvalArgs& a, const HardwareConfig& hw, const EvalOutcome& o) {
  const EvalResult& r = o.result;
  const pim::LayerCounters& tot = o.total;
  std::cout << "hardware   " << hw.name << " (" << a.hardware << "): " << to_string(hw.schedule)
            << (hw.schedule == MvmSchedule::SPARSE ? " K=" + std::to_string(hw.sparse_k)
                                                   : std::string())
            << ", " << to_string(hw.adc) << " ADC " << hw.enob << " bit\n"
            << "ideal      " << 100.0 * o.ideal->accuracy << " % on exact digital MVMs; flip rate "
            << 100.0 * (1.0 - agreement(r, *o.ideal)) << " %\n"
            << "per image  " << std::setprecision(0) << o.cost.reads << " reads, "
            << o.cost.conversions << " conversions, " << std::setprecision(3)
            << o.cost.energy_j * 1e9 << " nJ (ADC " << o.cost.energy_adc_j * 1e9 << " nJ); chip "
            << o.cost.area_mm2 << " mm2 in " << o.cost.tiles << " tiles\n"
            << "ADC        code error rate " << std::setprecision(6) << tot.code_error_rate()
            << ", saturation rate " << tot.saturation_rate() << "; signed margin min "
            << std::setprecision(3) << tot.margin_min_lsb << " LSB ("
            << tot.margin_min_lsb * hw.v_lsb() * 1e3 << " mV), 1 % "
            << tot.margin_quantile_lsb(0.01) << ", median " << tot.margin_quantile_lsb(0.5)
            << " LSB\n";
  std::cout << "layer              reads/img   code err     sat rate   signed margin [LSB]: min    "
               "1 %  median\n";
  for (const auto& [name, c] : o.counters) {
    std::cout << std::left << std::setw(18) << name << std::right << std::setw(10)
              << std::setprecision(0) << static_cast<double>(c.reads) / static_cast<double>(r.n)
              << std::setw(12) << std::setprecision(6) << c.code_error_rate() << std::setw(12)
              << c.saturation_rate() << std::setw(28) << std::setprecision(3) << c.margin_min_lsb
              << std::setw(7) << c.margin_quantile_lsb(0.01) << std::setw(8)
              << c.margin_quantile_lsb(0.5) << "\n";
  }
  std::cout << std::setprecision(2);
}

void print_eval_text(const EvalArgs& a, const std::optional<HardwareConfig>& hw,
                     const EvalModels& m, const EvalOutcome& o, int threads) {
  const EvalResult& r = o.result;
  std::cout << std::fixed << "pipeline   " << o.label << "\nmodel      " << a.model << "\n";
  if (m.int_model) std::cout << "int model  " << m.int_source << "\n";
  std::cout << "dataset    " << a.dataset << "\nimages     " << r.n << "\naccuracy   "
            << std::setprecision(2) << 100.0 * r.accuracy << " % (" << r.correct << "/" << r.n
            << ")\n";
  if (o.fp32) {
    std::cout << "fp32       " << 100.0 * o.fp32->accuracy << " %\nagreement  "
              << 100.0 * agreement(r, *o.fp32) << " % of top-1 equal to fp32\nsqnr       "
              << sqnr_db(r, *o.fp32) << " dB (logits vs fp32)\n";
  }
  if (hw) print_hardware_text(a, *hw, o);
  std::cout << "time       " << r.seconds << " s on " << threads << " threads\n";
}

}  // namespace

int run_eval(EvalArgs a) {
  // Every option is checked before anything is loaded.
  const Pipeline pipeline = parse_pipeline(a.pipeline);
  const RequantMode mode = parse_requant_mode(a.requant);
  validate_quant_args(a.quant);  // even when no model is quantized
  std::optional<HardwareConfig> hw;
  if (!a.hardware.empty()) {
    if (pipeline == Pipeline::FP32) {
      throw ConfigError("--hardware needs a quantized pipeline (flare or ptq-dqq), not fp32");
    }
    hw = load_hardware(a.hardware);
  }
  const Parallelism parallelism(a.threads);
  const EvalModels m = load_models(a, pipeline);
  const ModelInput input = m.int_model ? m.int_model->input(m.int_source) : m.model->input();
  if (a.dataset.empty()) a.dataset = default_dataset(input, "test");
  const SampleSet images = load_dataset(a.dataset, input, a.data_dir, a.limit);
  if (m.model) check_input_shape(images, m.model->input());
  if (m.int_model) check_input_shape(images, m.int_model->input(m.int_source));
  const EvalOutcome o = evaluate_all(a, pipeline, mode, hw, m, images);
  if (a.json) {
    std::cout << eval_json(a, pipeline, mode, hw, m, o, parallelism.threads()).dump(2) << "\n";
  } else {
    print_eval_text(a, hw, m, o, parallelism.threads());
  }
  return 0;
}

void add_eval_command(CLI::App& app, std::function<int()>& action) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate one pipeline on a dataset (top-1 accuracy)");
  cmd->add_option("--model", args->model, "Model file (HDF5): FP32, or an integer model for flare")
      ->capture_default_str();
  cmd->add_option("--int-model", args->int_model,
                  "Integer model from `rapmc quantize` (default: quantize --model on the fly)");
  cmd->add_option("--dataset", args->dataset,
                  "fashion-mnist:{test,train} (ViT) or wordnet:{test,train} (text models); "
                  "default: the model's kind, fashion-mnist:test or wordnet:test");
  cmd->add_option("--data-dir", args->data_dir,
                  "Folder of the Fashion-MNIST IDX files (default: $RAPMC_DATA_DIR or "
                  "/usr/share/datasets/fashion-mnist)");
  cmd->add_option("--pipeline", args->pipeline, "Pipeline: " + pipeline_names())
      ->capture_default_str();
  cmd->add_option("--requant", args->requant, "Requantization of the flare pipeline: emsb|dyadic")
      ->capture_default_str();
  cmd->add_option("--hardware", args->hardware,
                  "Hardware description (TOML): run every weight MVM on that AMS-PiM chip (e.g. "
                  "data/hardware/rap.toml)");
  add_ranged_option(cmd, "--limit", args->limit, "Evaluate only the first N samples (0 = all)", 0,
                    1e7);
  add_ranged_option(cmd, "--threads", args->threads, "Worker threads (0 = all cores)", 0,
                    Parallelism::MAX_THREADS);
  cmd->add_flag("--json", args->json, "Print one JSON object instead of text");
  cmd->add_flag("--no-progress", args->no_progress, "Do not draw the progress line");
  add_quant_options(cmd, args->quant);
  cmd->callback([args, &action] { action = [args] { return run_eval(*args); }; });
}

}  // namespace rapmc
