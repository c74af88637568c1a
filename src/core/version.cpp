#include "rapmc/core/version.h"

#include <oneapi/tbb/version.h>

#include <armadillo>
#include <boost/version.hpp>

#include "rapmc/build_info.h"
#include "rapmc/io/hdf5.h"

namespace rapmc {

VersionInfo version_info() {
  VersionInfo v;
  v.version = RAPMC_VERSION_STRING;
  v.git_commit = RAPMC_GIT_COMMIT;
  v.compiler = RAPMC_COMPILER;
  v.build_type = RAPMC_BUILD_TYPE;
  v.boost = std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) +
            "." + std::to_string(BOOST_VERSION % 100);
  v.tbb = TBB_runtime_version();
  v.hdf5 = h5::library_version();
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
