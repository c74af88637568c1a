#include "rapmc/cli/quantize_command.h"

#include <filesystem>
#include <iostream>
#include <memory>

#include "rapmc/cli/quant_options.h"
#include "rapmc/cli/ranged_option.h"
#include "rapmc/core/errors.h"
#include "rapmc/core/parallelism.h"
#include "rapmc/quant/int_model.h"

namespace rapmc {

int run_quantize(const QuantizeArgs& a) {
  validate_quant_args(a.quant);
  if (std::filesystem::exists(a.out) && !a.force) {
    throw IoError(a.out + ": file exists; not overwritten (use --force to replace it)");
  }
  const Parallelism parallelism(a.threads);
  if (is_int_model_file(a.model)) {
    throw ModelError(a.model + ": is already an integer model; quantize needs an FP32 model file");
  }
  const EncoderModel model = load_model(a.model);
  const IntModel q = quantize_from_args(model, a.quant, a.data_dir);
  // Write beside the target and rename, so a failure never leaves half a file under its name.
  const std::string tmp = a.out + ".tmp";
  std::filesystem::remove(tmp);
  save_int_model(q, tmp);
  std::filesystem::rename(tmp, a.out);
  std::cout << "integer model " << a.out << " (from " << a.model << "; calibration "
            << q.calibration << ")\n";
  return 0;
}

void add_quantize_command(CLI::App& app, std::function<int()>& action) {
  auto args = std::make_shared<QuantizeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "quantize", "Post-training quantization: FP32 model -> integer model file");
  cmd->add_option("--model", args->model, "FP32 model file (HDF5)")->capture_default_str();
  cmd->add_option("--out", args->out, "Integer model file to write")->required();
  cmd->add_option("--data-dir", args->data_dir, "Folder of the Fashion-MNIST IDX files");
  add_ranged_option(cmd, "--threads", args->threads, "Worker threads (0 = all cores)", 0,
                    Parallelism::MAX_THREADS);
  cmd->add_flag("--force", args->force, "Replace an existing --out file");
  add_quant_options(cmd, args->quant);
  cmd->callback([args, &action] { action = [args] { return run_quantize(*args); }; });
}

}  // namespace rapmc
