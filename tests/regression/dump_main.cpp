// rapmc_results_dump FILE: prints the golden-regression dump of a results file.
#include <cstdio>
#include <exception>

#include "results_dump.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: rapmc_results_dump RESULTS.h5\n");
    return 2;
  }
  try {
    std::fputs(rapmc::test::dump_results(argv[1]).c_str(), stdout);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
