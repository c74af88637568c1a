// The `rapmc` command line: builds the CLI11 application and runs the chosen command.
#pragma once

namespace rapmc {

/// Parses argv, runs the command and returns the process exit code. Errors are printed
/// to stderr as "rapmc: error: <message>" with the exit code of their class.
int run_cli(int argc, char** argv);

}  // namespace rapmc
