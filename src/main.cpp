// rapmc entry point: everything lives in the core library (see rapmc/cli/app.h).
#include "rapmc/cli/app.h"

int main(int argc, char** argv) {
  return rapmc::run_cli(argc, argv);
}
