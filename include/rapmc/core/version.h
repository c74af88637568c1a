// Program, build and dependency versions, for `--version` and results-file provenance.
#pragma once

#include <string>

namespace rapmc {

struct VersionInfo {
  std::string version;     // rapmc semantic version
  std::string git_commit;  // short hash, "-dirty" if the tree had changes, or "unknown"
  std::string compiler;
  std::string build_type;
  std::string boost, tbb, hdf5, armadillo;
};

/// Versions of this build and of the libraries it was compiled against / runs with.
VersionInfo version_info();

/// Multi-line human-readable form of version_info().
std::string version_text();

}  // namespace rapmc
