// `rapmc bench --layer RxC --batch N`: one int8 layer on the engine, the workload a peer
// simulator can run too (docs/performance.md, "The layer benchmark"), against a float32 BLAS
// product (sgemm) of the same layer in the same run.
#pragma once

#include <cstddef>
#include <string>

namespace rapmc {

struct LayerBenchArgs {
  int rows = 256;  // inputs of the layer (wordlines)
  int cols = 256;  // outputs
  std::size_t batch = 500;
  int threads = 1;
  bool json = false;
  std::string hardware_dir = "data/hardware";  // conventional.toml (dense), rap.toml (sparse)
};

/// Runs the layer benchmark (dense and sparse; nominal, 5 % frozen lognormal cells, plus 1 %
/// read noise per cell and read), prints a table (and JSON); returns the exit code.
int run_layer_bench(const LayerBenchArgs& a);

}  // namespace rapmc
