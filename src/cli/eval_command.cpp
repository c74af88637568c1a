#include "rapmc/cli/eval_command.h"

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "rapmc/core/parallelism.h"
#include "rapmc/data/dataset.h"
#include "rapmc/eval/evaluate.h"
#include "rapmc/eval/pipeline.h"
#include "rapmc/model/vit_model.h"

namespace rapmc {
namespace {

struct EvalArgs {
  std::string model = "data/models/vit_fmnist.h5";
  std::string dataset = "fashion-mnist:test";
  std::string data_dir;
  std::string pipeline = "fp32";
  std::size_t limit = 0;
  int threads = 0;
  bool json = false;
  bool no_progress = false;
};

int run_eval(const EvalArgs& a) {
  const Pipeline pipeline = parse_pipeline(a.pipeline);  // bad names fail before any loading
  const Parallelism parallelism(a.threads);
  const VitModel model = load_vit_model(a.model);
  const ImageSet images = load_dataset(a.dataset, a.data_dir, a.limit);
  EvalOptions opt;
  opt.pipeline = pipeline;
  opt.progress = a.no_progress || a.json ? ProgressDisplay::OFF : ProgressDisplay::AUTO;
  const EvalResult r = evaluate(model, images, opt);

  if (a.json) {
    const nlohmann::ordered_json j = {{"pipeline", to_string(r.pipeline)},
                                      {"model", a.model},
                                      {"dataset", a.dataset},
                                      {"n", r.n},
                                      {"correct", r.correct},
                                      {"accuracy", r.accuracy},
                                      {"threads", parallelism.threads()},
                                      {"seconds", r.seconds}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "pipeline  " << to_string(r.pipeline) << "\nmodel     " << a.model << "\ndataset   "
              << a.dataset << "\nimages    " << r.n << "\naccuracy  " << std::fixed
              << std::setprecision(2) << 100.0 * r.accuracy << " % (" << r.correct << "/" << r.n
              << ")\ntime      " << std::setprecision(2) << r.seconds << " s on "
              << parallelism.threads() << " threads\n";
  }
  return 0;
}

}  // namespace

void add_eval_command(CLI::App& app, std::function<int()>& action) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate one pipeline on a dataset (top-1 accuracy)");
  cmd->add_option("--model", args->model, "Model file (HDF5)")->capture_default_str();
  cmd->add_option("--dataset", args->dataset, "fashion-mnist:test or fashion-mnist:train")
      ->capture_default_str();
  cmd->add_option("--data-dir", args->data_dir,
                  "Folder of the Fashion-MNIST IDX files (default: $RAPMC_DATA_DIR or "
                  "/usr/share/datasets/fashion-mnist)");
  cmd->add_option("--pipeline", args->pipeline, "Pipeline: " + pipeline_names())->capture_default_str();
  cmd->add_option("--limit", args->limit, "Evaluate only the first N images (0 = all)")
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "Worker threads (0 = all cores)")->capture_default_str();
  cmd->add_flag("--json", args->json, "Print one JSON object instead of text");
  cmd->add_flag("--no-progress", args->no_progress, "Do not draw the progress line");
  cmd->callback([args, &action] { action = [args] { return run_eval(*args); }; });
}

}  // namespace rapmc
