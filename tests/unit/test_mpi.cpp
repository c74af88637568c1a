// MPI runs (built and registered whenever the build has MPI: CMake refuses RAPMC_MPI=ON without
// it, so this test cannot silently vanish). Two ranks on this machine's loopback.
#include <doctest/doctest.h>

#include <fstream>

#include "../regression/results_dump.h"
#include "rapmc/core/mpi_context.h"
#include "rapmc/results/results_reader.h"
#include "test_support.h"

using namespace rapmc;

namespace {

// One node, shared memory between the ranks, root allowed (CI runs as root).
const std::string MPIRUN =
    "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
    "OMPI_MCA_btl_vader_single_copy_mechanism=none "
    "OMPI_MCA_btl=self,vader timeout 600 " RAPMC_MPIEXEC " --oversubscribe -np 2 " RAPMC_BINARY;

}  // namespace

TEST_CASE("this build has MPI") {
  CHECK(MpiContext::available());
}

TEST_CASE("mpirun -np 2 gives the trials and statistics of a single process; errors print once") {
  test::TempDir dir;
  // 8 images, blocks of 2 trials, 7 trials (the last block is split unevenly over the ranks).
  const std::string camp =
      dir.write("c.toml",
                "[campaign]\nname = \"t\"\nseed = 7\ntrials = 7\n[data]\nimages = 8\n"
                "[trigger]\ncheck_every = 2\n");
  const std::string single = dir.file("single.h5"), mpi = dir.file("mpi.h5");
  REQUIRE(test::run_rapmc("run " + camp + " --out " + single + " --quiet").exit_code == 0);
  const auto r =
      test::run_command(MPIRUN + " run " + camp + " --out " + mpi + " --threads 1 --quiet");
  CAPTURE(r.output);
  REQUIRE(r.exit_code == 0);
  // Every table, histogram, statistic and convergence entry, bit for bit.
  CHECK(test::dump_results(single) == test::dump_results(mpi));
  // A campaign error every rank sees is printed once.
  const std::string bad = dir.write("bad.toml", "[campaign]\nbogus = 1\n");
  const auto e = test::run_command(MPIRUN + " run " + bad + " --out " + dir.file("bad.h5"));
  CHECK(e.exit_code != 0);
  const auto first = e.output.find("'campaign.bogus' is not a known key");
  REQUIRE(first != std::string::npos);
  CHECK(e.output.find("'campaign.bogus' is not a known key", first + 1) == std::string::npos);
}

TEST_CASE(
    "an MPI rank killed mid-campaign: the job ends non-zero, rows stay readable, resume "
    "equals an uninterrupted run [E42]") {
  test::TempDir dir;
  // 32 trials of 8 images, blocks of 8 per rank: about 10 s on two ranks of one thread.
  const std::string camp = dir.write("c.toml",
                                     "[campaign]\nname = \"k\"\nseed = 9\ntrials = 32\n[data]\n"
                                     "images = 8\n[trigger]\ncheck_every = 2\n");
  const std::string single = dir.file("single.h5"), mpi = dir.file("mpi.h5");
  REQUIRE(test::run_rapmc("run " + camp + " --out " + single + " --quiet --threads 2").exit_code ==
          0);
  // Rank 1 (found by its OpenMPI environment) is killed once the first block is in the file.
  const std::string script = "( " + MPIRUN + " run " + camp + " --out " + mpi +
                             " --threads 1 --quiet --no-progress >" + dir.file("mpi.log") +
                             " 2>&1 & m=$!; "
                             "for i in $(seq 300); do sleep 0.1; "
                             "  for p in $(pgrep -f 'rapmc run " +
                             camp +
                             "'); do "
                             "    if tr '\\0' '\\n' < /proc/$p/environ 2>/dev/null | grep -qx "
                             "OMPI_COMM_WORLD_RANK=1; then "
                             "      r1=$p; fi; done; "
                             "  [ -n \"$r1\" ] && [ $(stat -c %s " +
                             mpi +
                             " 2>/dev/null || echo 0) -gt 200000 ] && break; "
                             "done; sleep 1; kill -9 $r1; wait $m; echo \"mpirun exit $?\" )";
  const auto killed = test::run_command(script);
  CAPTURE(killed.output);
  CHECK(killed.output.find("mpirun exit 0") == std::string::npos);    // the job did not succeed
  const std::size_t rows = read_results(mpi).points[0].trial.size();  // committed rows readable
  MESSAGE("rows when rank 1 was killed: " << rows);
  CHECK(rows >= 8);
  CHECK(rows < 32);
  const auto resumed =
      test::run_rapmc("run " + camp + " --out " + mpi + " --resume --quiet --threads 2");
  CAPTURE(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK(test::dump_results(single) == test::dump_results(mpi));
}
