#include "rapmc/core/version.h"

#include <oneapi/tbb/version.h>

#include <hdf5.h>
#include <armadillo>
#include <boost/version.hpp>

#include "rapmc/build_info.h"

namespace rapmc {

VersionInfo version_info() {
  VersionInfo v;
  v.version = RAPMC_VERSION_STRING;
  v.git_commit = RAPMC_GIT_COMMIT;
  v.compiler = RAPMC_COMPILER;
  v.build_type = RAPMC_BUILD_TYPE;
  v.boost = std::to_string(BOOST_VERSION / 100000) + "." +
            std::to_string(BOOST_VERSION / 100 % 1000) + "." + std::to_string(BOOST_VERSION % 100);
  v.tbb = TBB_runtime_version();
  unsigned major = 0, minor = 0, release = 0;
  if (H5get_libversion(&major, &minor, &release) >= 0)
    v.hdf5 = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
  v.armadillo = arma::arma_version::as_string();
  return v;
}

std::string version_text() {
  const VersionInfo v = version_info();
  return "rapmc " + v.version + " (git " + v.git_commit + ", " + v.compiler + ", " + v.build_type +
         ")\n  Boost " + v.boost + "\n  oneTBB " + v.tbb + "\n  HDF5 " + v.hdf5 + "\n  Armadillo " +
         v.armadillo + "\n";
}

}  // namespace rapmc
