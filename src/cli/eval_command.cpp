#include "rapmc/cli/eval_command.h"

#include <cmath>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "rapmc/cli/quant_options.h"
#include "rapmc/core/errors.h"
#include "rapmc/core/parallelism.h"
#include "rapmc/data/dataset.h"
#include "rapmc/eval/evaluate.h"
#include "rapmc/eval/pipeline.h"
#include "rapmc/eval/quantized_pipeline.h"
#include "rapmc/infer/mvm_backend.h"
#include "rapmc/model/vit_model.h"
#include "rapmc/pim/chip.h"
#include "rapmc/pim/cost.h"
#include "rapmc/pim/hardware.h"
#include "rapmc/pim/pim_mvm.h"
#include "rapmc/quant/int_model.h"

namespace rapmc {
namespace {

struct EvalArgs {
  std::string model = "data/models/vit_fmnist.h5";
  std::string int_model;
  std::string dataset = "fashion-mnist:test";
  std::string data_dir;
  std::string pipeline = "fp32";
  std::string requant = "emsb";
  std::string hardware;
  std::size_t limit = 0;
  int threads = 0;
  bool json = false;
  bool no_progress = false;
  QuantArgs quant;
};

void check_same_architecture(const VitModel& f, const IntModel& q, const std::string& q_path) {
  const VitConfig& c = f.config;
  if (c.dim != q.dim || c.depth != q.depth || c.heads != q.heads || c.mlp_dim != q.mlp_dim ||
      c.num_classes != q.num_classes || c.image_size != q.image_size || c.patch_size != q.patch_size ||
      c.channels != q.channels) {
    throw ModelError(q_path + ": integer model architecture does not match the FP32 model " + f.source);
  }
}

int run_eval(const EvalArgs& a) {
  // Every option is checked before anything is loaded.
  const Pipeline pipeline = parse_pipeline(a.pipeline);
  const RequantMode mode = parse_requant_mode(a.requant);
  if (pipeline != Pipeline::FP32 && a.int_model.empty()) validate_quant_args(a.quant);
  std::optional<HardwareConfig> hw;
  if (!a.hardware.empty()) {
    if (pipeline == Pipeline::FP32) throw ConfigError("--hardware needs a quantized pipeline (flare or ptq-dqq), not fp32");
    hw = load_hardware(a.hardware);
  }
  const Parallelism parallelism(a.threads);

  std::optional<VitModel> model;
  std::optional<IntModel> int_model;
  std::string int_source = a.int_model;
  if (is_int_model_file(a.model)) {
    if (pipeline != Pipeline::FLARE) {
      throw ConfigError("--pipeline " + a.pipeline + " needs an FP32 model, but " + a.model +
                        " is an integer model (only --pipeline flare runs on it; give the FP32 model with "
                        "--model and this file with --int-model)");
    }
    int_model = load_int_model(a.model);
    int_source = a.model;
  } else {
    model = load_vit_model(a.model);
    if (pipeline != Pipeline::FP32) {
      if (a.int_model.empty()) {
        int_model = quantize_from_args(*model, a.quant, a.data_dir);
        int_source = "(built on the fly: " + int_model->calibration + ")";
      } else {
        int_model = load_int_model(a.int_model);
        check_same_architecture(*model, *int_model, a.int_model);
      }
    }
  }
  const ImageSet images = load_dataset(a.dataset, a.data_dir, a.limit);
  if (model) check_compatible(*model, images);
  if (int_model) check_compatible(int_model->image_size, int_model->channels, int_source, images);

  EvalOptions opt;
  opt.progress = a.no_progress || a.json ? ProgressDisplay::OFF : ProgressDisplay::AUTO;
  const DigitalMvm digital;
  std::optional<pim::ChipInstance> chip;
  std::optional<pim::PimMvm> pim_mvm;
  if (hw) {
    chip.emplace(*int_model, *hw);
    pim_mvm.emplace(*chip, int_model->settings.act_bits);
  }
  // The pipeline on its backend (the chip, or exact digital MVMs), and the same pipeline on
  // exact digital MVMs as the ideal reference of a hardware run.
  std::unique_ptr<InferenceEngine> engine, ideal_engine;
  std::string label = to_string(pipeline);
  const MvmBackend& backend = pim_mvm ? static_cast<const MvmBackend&>(*pim_mvm) : digital;
  const VitModel* fp32 = model ? &*model : nullptr;
  if (pipeline != Pipeline::FP32) {
    engine = std::make_unique<QuantizedPipeline>(pipeline, mode, *int_model, fp32, backend);
    if (hw) ideal_engine = std::make_unique<QuantizedPipeline>(pipeline, mode, *int_model, fp32, digital);
  }
  if (pipeline == Pipeline::FLARE) label += "-" + to_string(mode);
  if (hw) label += " on " + hw->name;
  opt.label = "eval " + label;
  const int classes = model ? static_cast<int>(model->config.num_classes) : int_model->num_classes;
  const EvalResult r = engine ? evaluate(*engine, classes, images, opt) : evaluate(*model, images, opt);
  std::optional<EvalResult> ref, ideal;
  if (engine && model) {
    opt.label = "eval fp32 (reference)";
    ref = evaluate(*model, images, opt);
  }
  if (ideal_engine) {
    opt.label = "eval " + to_string(pipeline) + " on exact digital MVMs (reference)";
    ideal = evaluate(*ideal_engine, classes, images, opt);
  }

  nlohmann::ordered_json j = {{"pipeline", to_string(pipeline)}};
  if (pipeline == Pipeline::FLARE) j["requant"] = to_string(mode);
  j["model"] = a.model;
  if (int_model) j["int_model"] = int_source;
  j["dataset"] = a.dataset;
  j["n"] = r.n;
  j["correct"] = r.correct;
  j["accuracy"] = r.accuracy;
  if (ref) {
    j["fp32_accuracy"] = ref->accuracy;
    j["agreement_fp32"] = agreement(r, *ref);
    const double s = sqnr_db(r, *ref);
    j["sqnr_db"] = std::isfinite(s) ? nlohmann::ordered_json(s) : nlohmann::ordered_json(nullptr);
  }
  pim::Counters counters;
  pim::LayerCounters tot;
  pim::CostReport cost;
  auto rate = [](std::uint64_t a, std::uint64_t b) { return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0; };
  if (hw) {
    counters = pim_mvm->counters();
    tot = pim::total(counters);
    cost = pim::estimate_cost(*hw, *chip, tot, r.n);
    j["hardware"] = hw->name;
    j["flip_rate"] = 1.0 - agreement(r, *ideal);
    j["ideal_accuracy"] = ideal->accuracy;
    j["reads"] = cost.reads;
    j["conversions"] = cost.conversions;
    j["code_error_rate"] = rate(tot.code_errors, tot.conversions);
    j["saturation_rate"] = rate(tot.saturations, tot.conversions);
    j["margin_min_lsb"] = tot.margin_min_lsb;
    j["margin_p01_lsb"] = tot.margin_quantile_lsb(0.01);
    j["margin_min_v"] = tot.margin_min_lsb * hw->v_lsb();
    j["energy_j"] = cost.energy_j;
    j["energy_adc_j"] = cost.energy_adc_j;
    j["area_mm2"] = cost.area_mm2;
    j["adc_cycles"] = cost.adc_cycles;
    nlohmann::ordered_json layers = nlohmann::ordered_json::object();
    for (const auto& [name, c] : counters) {
      layers[name] = {{"reads", static_cast<double>(c.reads) / static_cast<double>(r.n)},
                      {"conversions", static_cast<double>(c.conversions) / static_cast<double>(r.n)},
                      {"code_error_rate", rate(c.code_errors, c.conversions)},
                      {"saturation_rate", rate(c.saturations, c.conversions)},
                      {"margin_min_lsb", c.margin_min_lsb}};
    }
    j["layers"] = layers;
  }
  j["threads"] = parallelism.threads();
  j["seconds"] = r.seconds;
  if (a.json) {
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << std::fixed << "pipeline   " << label << "\nmodel      " << a.model << "\n";
    if (int_model) std::cout << "int model  " << int_source << "\n";
    std::cout << "dataset    " << a.dataset << "\nimages     " << r.n << "\naccuracy   " << std::setprecision(2)
              << 100.0 * r.accuracy << " % (" << r.correct << "/" << r.n << ")\n";
    if (ref) {
      std::cout << "fp32       " << 100.0 * ref->accuracy << " %\nagreement  " << 100.0 * agreement(r, *ref)
                << " % of top-1 equal to fp32\nsqnr       " << sqnr_db(r, *ref) << " dB (logits vs fp32)\n";
    }
    if (hw) {
      std::cout << "hardware   " << hw->name << " (" << a.hardware << "): " << to_string(hw->schedule)
                << (hw->schedule == MvmSchedule::SPARSE ? " K=" + std::to_string(hw->sparse_k) : std::string()) << ", "
                << to_string(hw->adc) << " ADC " << hw->enob << " bit\n"
                << "ideal      " << 100.0 * ideal->accuracy << " % on exact digital MVMs; flip rate "
                << 100.0 * (1.0 - agreement(r, *ideal)) << " %\n"
                << "per image  " << std::setprecision(0) << cost.reads << " reads, " << cost.conversions
                << " conversions, " << std::setprecision(3) << cost.energy_j * 1e9 << " nJ (ADC "
                << cost.energy_adc_j * 1e9 << " nJ); chip " << cost.area_mm2 << " mm2 in " << cost.tiles << " tiles\n"
                << "ADC        code error rate " << std::setprecision(6) << rate(tot.code_errors, tot.conversions)
                << ", saturation rate " << rate(tot.saturations, tot.conversions) << ", margin min "
                << std::setprecision(3) << tot.margin_min_lsb << " LSB (" << tot.margin_min_lsb * hw->v_lsb() * 1e3
                << " mV)\n";
      std::cout << "layer              reads/img   code err     sat rate  margin min [LSB]\n";
      for (const auto& [name, c] : counters) {
        std::cout << std::left << std::setw(18) << name << std::right << std::setw(10) << std::setprecision(0)
                  << static_cast<double>(c.reads) / static_cast<double>(r.n) << std::setw(12) << std::setprecision(6)
                  << rate(c.code_errors, c.conversions) << std::setw(12) << rate(c.saturations, c.conversions)
                  << std::setw(12) << std::setprecision(3) << c.margin_min_lsb << "\n";
      }
      std::cout << std::setprecision(2);
    }
    std::cout << "time       " << r.seconds << " s on " << parallelism.threads() << " threads\n";
  }
  return 0;
}

}  // namespace

void add_eval_command(CLI::App& app, std::function<int()>& action) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate one pipeline on a dataset (top-1 accuracy)");
  cmd->add_option("--model", args->model, "Model file (HDF5): FP32, or an integer model for flare")
      ->capture_default_str();
  cmd->add_option("--int-model", args->int_model,
                  "Integer model from `rapmc quantize` (default: quantize --model on the fly)");
  cmd->add_option("--dataset", args->dataset, "fashion-mnist:test or fashion-mnist:train")
      ->capture_default_str();
  cmd->add_option("--data-dir", args->data_dir,
                  "Folder of the Fashion-MNIST IDX files (default: $RAPMC_DATA_DIR or "
                  "/usr/share/datasets/fashion-mnist)");
  cmd->add_option("--pipeline", args->pipeline, "Pipeline: " + pipeline_names())->capture_default_str();
  cmd->add_option("--requant", args->requant, "Requantization of the flare pipeline: emsb|dyadic")
      ->capture_default_str();
  cmd->add_option("--hardware", args->hardware,
                  "Hardware description (TOML): run every weight MVM on that AMS-PiM chip (e.g. "
                  "data/hardware/rap.toml)");
  cmd->add_option("--limit", args->limit, "Evaluate only the first N images (0 = all)")
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "Worker threads (0 = all cores)")->capture_default_str();
  cmd->add_flag("--json", args->json, "Print one JSON object instead of text");
  cmd->add_flag("--no-progress", args->no_progress, "Do not draw the progress line");
  add_quant_options(cmd, args->quant);
  cmd->callback([args, &action] { action = [args] { return run_eval(*args); }; });
}

}  // namespace rapmc
